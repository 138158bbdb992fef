"""SVG images through an allowlist: shapes, text, paint and filters stay; anything that runs
or fetches goes.

An SVG file is a document that can carry scripts, event handlers, `<foreignObject>` HTML,
animations that rewrite a link into `javascript:`, and references to outside files. Parsed
with lxml without DTDs, entities or network; only the elements and attributes below are
kept; links must point inside the image (`#id`), and `style` must pass the CSS check.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from presswork import xmlsafe

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"


def _words(text: str) -> list[str]:
    return text.split()


ELEMENTS = frozenset(
    _words("""svg a g defs symbol use title desc path rect circle ellipse line polyline polygon text
    tspan textPath linearGradient radialGradient stop clipPath mask pattern marker filter
    image switch style feBlend feColorMatrix feComponentTransfer feComposite
    feConvolveMatrix feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood
    feFuncA feFuncB feFuncG feFuncR feGaussianBlur feMerge feMergeNode feMorphology feOffset
    fePointLight feSpecularLighting feSpotLight feTile feTurbulence""")
)
ATTRIBUTES = frozenset(
    _words("""id class style transform x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height viewBox
    preserveAspectRatio d points pathLength version baseProfile fill fill-opacity fill-rule
    stroke stroke-width stroke-opacity stroke-linecap stroke-linejoin stroke-miterlimit
    stroke-dasharray stroke-dashoffset opacity color display visibility overflow clip
    clip-path clip-rule mask filter font-family font-size font-style font-weight
    font-variant font-stretch text-anchor dominant-baseline alignment-baseline
    baseline-shift letter-spacing word-spacing text-decoration writing-mode direction
    unicode-bidi dx dy rotate textLength lengthAdjust startOffset method spacing side
    offset stop-color stop-opacity gradientUnits gradientTransform spreadMethod
    patternUnits patternContentUnits patternTransform clipPathUnits maskUnits
    maskContentUnits markerWidth markerHeight markerUnits refX refY orient marker-start
    marker-mid marker-end filterUnits primitiveUnits in in2 result mode values type
    tableValues slope intercept amplitude exponent operator k1 k2 k3 k4 order kernelMatrix
    divisor bias targetX targetY edgeMode kernelUnitLength preserveAlpha surfaceScale
    diffuseConstant specularConstant specularExponent lighting-color azimuth elevation z
    pointsAtX pointsAtY pointsAtZ limitingConeAngle scale xChannelSelector
    yChannelSelector stdDeviation flood-color flood-opacity radius baseFrequency numOctaves
    seed stitchTiles color-interpolation color-interpolation-filters shape-rendering
    text-rendering image-rendering vector-effect paint-order mix-blend-mode isolation
    requiredFeatures requiredExtensions systemLanguage role aria-label aria-hidden
    aria-labelledby aria-describedby lang tabindex focusable href""")
)
_IMAGE_DATA = re.compile(r"data:image/(?:png|jpeg|gif|webp);", re.IGNORECASE)
# An SVG this large is not a figure; refusing it bounds lxml's time and memory.
MAX_SVG_BYTES = 16 * 1024 * 1024


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an lxml tag or attribute name."""
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return namespace, local
    return "", name


def _link_ok(element: str, value: str) -> bool:
    value = value.strip()
    if value.startswith("#"):
        return True
    # <image> may embed a raster picture; nothing else may point outside the drawing.
    return element == "image" and bool(_IMAGE_DATA.match(value))


def clean_svg(data: bytes, css_refusal: Callable[[str], str]) -> bytes | None:
    """The SVG with only allowlisted content, or None when it is not a usable SVG document.

    css_refusal(text) says why CSS text must go ('' to keep it): the HTML cleaner's check.
    """
    from lxml import etree

    from presswork.sanitize import css_targets, only_local_urls

    def refused(css: str) -> bool:
        # an image's CSS may point only into the image: a project path means nothing in a
        # data: URI, and in the EPUB it would name a file the book does not have
        return bool(css_refusal(css)) or not all(t.startswith("#") for t in css_targets(css))

    if len(data) > MAX_SVG_BYTES or re.search(rb"<!(?:DOCTYPE|ENTITY)", data, re.IGNORECASE):
        return None
    parser = xmlsafe.parser(remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    if not isinstance(root.tag, str) or _local(root.tag) != (SVG_NS, "svg"):
        return None
    for element in list(root.iter()):
        if element is not root and element.getparent() is None:
            continue  # inside a subtree already removed
        if not isinstance(element.tag, str):
            continue
        namespace, name = _local(element.tag)
        if namespace != SVG_NS or name not in ELEMENTS:
            element.getparent().remove(element)
            continue
        if name == "style" and refused(element.text or ""):
            element.getparent().remove(element)
            continue
        for attribute in list(element.attrib):
            value = element.attrib[attribute]
            attr_ns, attr = _local(attribute)
            keep = (
                (attr_ns == "" and attr in ATTRIBUTES)
                or (attr_ns == XLINK_NS and attr == "href")
                or (attr_ns == XML_NS and attr in ("space", "lang"))
            )
            if keep and attr == "href":
                keep = _link_ok(name, value)
            elif keep and attr == "style":
                keep = not refused(value)
            elif keep and ("url(" in value.lower().replace(" ", "") or "\\" in value):
                # presentation attributes are CSS values: `u\\72l(` is a url( too
                keep = only_local_urls(value) and (
                    "url(" not in value.lower().replace(" ", "")
                    or bool(re.fullmatch(r"\s*url\(\s*['\"]?#[^)]*\)\s*", value))
                )
            if not keep:
                del element.attrib[attribute]
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
