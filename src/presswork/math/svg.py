"""MathML -> SVG with ziamath, and the print page's formulas swapped for those drawings."""

from __future__ import annotations

import base64
import html
import re
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree

from presswork import limits

# ziamath draws at this size in SVG units; the image is then sized in em, so a formula
# follows the text size of wherever it stands.
_SIZE = 20.0
_MATH = re.compile(r"<math\b[^>]*>.*?</math>", re.S)
_DISPLAY = re.compile(r'\bdisplay="block"')
_ANNOTATION = re.compile(r"<annotation(?:-xml)?\b[^>]*>.*?</annotation(?:-xml)?>", re.S)
_SEMANTICS = re.compile(r"</?semantics>")
_TEX = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
_TAG = re.compile(r"<([a-z]+)\b")
_PATH = re.compile(r'<path d="([^"]*)" fill="black" ?/>')
_RECT = re.compile(
    r'<rect x="([-\d.]+)" y="([-\d.]+)" width="([-\d.]+)" height="([-\d.]+)" fill="black" ?/>'
)
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')
# Elements ziamath lays out itself or maps onto another (see ziamath.nodes.mnode.fromelement).
_ALIASES = {"math", "mtd", "mtr", "none", "ms"}
_lock = threading.Lock()  # ziamath keeps global state (config, the font's caches)


class MathError(Exception):
    """A formula ziamath cannot draw; the message says why, in a few words."""


@dataclass(frozen=True)
class Drawing:
    svg: str
    width: float  # em
    height: float  # em
    depth: float  # em below the baseline


def _style_fields(style: Any) -> dict[str, Any]:
    return vars(style)  # read-only use below: no copy needed


def _ziamath() -> Any:
    with _lock, warnings.catch_warnings():
        # ziamath 0.13 finds its font with importlib.resources.path, deprecated since 3.11
        warnings.simplefilter("ignore", DeprecationWarning)
        import ziamath
        import ziamath.styles

        # parse_style() reads a few scalar fields of the parent's style through
        # dataclasses.asdict, which deep-copies the style at every node: 40% of ziamath's
        # time. The fields themselves give the same values (tests compare the drawings).
        if ziamath.__version__ == "0.13" and ziamath.styles.asdict is not _style_fields:
            ziamath.styles.asdict = _style_fields
    return ziamath


def _known_elements() -> set[str]:
    from ziamath.nodes.mnode import _node_classes  # the registry fromelement() consults

    return set(_node_classes) | _ALIASES


def drawable(mathml: str) -> str:
    """pandoc's MathML without the TeX annotation ziamath would otherwise try to draw, and
    without its rows of one element.

    ziamath lays out each child of a row twice (once to measure stretchy operators), so its
    time doubles with every level of nesting, and pandoc nests a row for every TeX group. A
    row of one element lays out as that element (MathML 3, 3.3.1), except a lone operator,
    whose form depends on its place: those rows stay.
    """
    root = ElementTree.fromstring(_SEMANTICS.sub("", _ANNOTATION.sub("", mathml)))
    if limits.tree_depth(root) > 4 * limits.MAX_MATH_DEPTH:  # too deep to even unwrap
        raise MathError(f"nests over {4 * limits.MAX_MATH_DEPTH} levels deep")
    for element in root.iter():  # plain names: ziamath drops the namespace anyway
        element.tag = element.tag.rpartition("}")[2]
    _unwrap_rows(root)
    return ElementTree.tostring(root, encoding="unicode")


def _unwrap_rows(element: ElementTree.Element) -> None:
    # <math> and <mtd> hold an implied row: a single explicit row in them is that row.
    if element.tag in ("math", "mtd") and len(element) == 1:
        row = element[0]
        if row.tag == "mrow" and not row.attrib and not (row.text or "").strip():
            element.remove(row)
            element.extend(row)
    for index, child in enumerate(list(element)):
        _unwrap_rows(child)
        while (
            child.tag == "mrow"
            and len(child) == 1
            and not child.attrib
            and not (child.text or "").strip()
            and child[0].tag != "mo"
        ):
            inner = child[0]
            inner.tail = child.tail
            element[index] = inner
            child = inner


@lru_cache(maxsize=4096)  # a formula is drawn once per process: lint, then the PDF of each style
def render(mathml: str) -> Drawing:
    """One `<math>` element as an SVG; MathError if ziamath cannot draw all of it."""
    ziamath = _ziamath()
    try:
        body = drawable(mathml)
    except ElementTree.ParseError:
        raise MathError("the MathML is not well-formed") from None
    depth = limits.tree_depth(ElementTree.fromstring(body))
    if depth > limits.MAX_MATH_DEPTH:  # ziamath's time doubles with each level
        raise MathError(f"nests {depth} levels deep, over the limit of {limits.MAX_MATH_DEPTH}")
    unknown = sorted({t for t in _TAG.findall(body) if t.startswith("m") or t == "none"})
    unknown = [t for t in unknown if t not in _known_elements()]
    if unknown:
        raise MathError(f"no layout for MathML <{unknown[0]}>")
    with _lock:
        ziamath.config.svg2 = False  # plain paths: no <symbol>/<use> indirection
        ziamath.config.precision = 2
        try:
            svg = _one_path(ziamath.Math(body, size=_SIZE).svg())
        except Exception as exc:  # ziamath raises assorted types on what it cannot lay out
            raise MathError(f"ziamath failed: {type(exc).__name__}") from None
    box = _VIEWBOX.search(svg)
    if box is None:
        raise MathError("ziamath drew nothing")
    _x, top, width, height = (float(v) for v in box.groups())
    return Drawing(svg, width / _SIZE, height / _SIZE, (top + height) / _SIZE)


def _one_path(svg: str) -> str:
    """Every glyph and rule in one black path: WeasyPrint's cost is per element drawn, and a
    formula is some fifty of them. Glyph outlines all wind one way, so nonzero fill keeps
    overlaps filled."""
    parts = _PATH.findall(svg)
    parts += [f"M {x} {y} h {w} v {h} h -{w} Z" for x, y, w, h in _RECT.findall(svg)]
    rest = _RECT.sub("", _PATH.sub("", svg))
    if not parts or "<path" in rest or "<rect" in rest:
        return svg  # something else than glyphs and rules: leave the drawing as it is
    end = rest.rindex("</svg>")
    return f'{rest[:end]}<path d="{" ".join(parts)}" fill="black"/>{rest[end:]}'


def _tex(mathml: str) -> str:
    found = _TEX.search(mathml)
    return html.unescape(found.group(1)).strip() if found else "formula"


def _image(mathml: str) -> str:
    try:
        drawing = render(mathml)
    except MathError:
        return mathml  # reported by math/unsupported, at its line in the manuscript
    display = bool(_DISPLAY.search(mathml))
    data = base64.b64encode(drawing.svg.encode("utf-8")).decode("ascii")
    # A display formula wider than the text block shrinks to it (max-width, height from the
    # SVG's proportions); an inline one keeps its size to sit on the baseline.
    style = f"width:{drawing.width:.3f}em"
    if not display:
        style += f";height:{drawing.height:.3f}em;vertical-align:{-drawing.depth:.3f}em"
    kind = "display" if display else "inline"
    return (
        f'<img class="math {kind}" alt="{html.escape(_tex(mathml))}" style="{style}" '
        f'src="data:image/svg+xml;base64,{data}">'
    )


def formulas_as_svg(page: str) -> str:
    """Every MathML formula of the print page replaced by an image of it, vector throughout."""
    return _MATH.sub(lambda m: _image(m.group()), page)
