"""Raw HTML through nh3 (ammonia, on html5ever: parsed as a browser parses it), as XHTML.

sanitize's own pass decides what is refused and says why (with the author's line); this is
the allowlist that decides what ships. The raw HTML nodes of one list of blocks or inlines
are one run: they are cleaned as one fragment, with a placeholder where pandoc's own content
sits between them, so `<svg>` ... `<use href=...>` ... `</svg>` over three nodes is read in
its SVG context, and a `<div>` opened in one block and closed in another stays balanced.
The result is serialised so that it is also well-formed XHTML (EPUB): void elements closed,
no entity XML lacks, `svg` and `math` in their namespaces.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

from presswork.svgclean import ATTRIBUTES as SVG_ATTRIBUTES
from presswork.svgclean import ELEMENTS as SVG_ELEMENTS

PLACEHOLDER = "\ue000"  # a private-use character: no author's text keeps it
# Where pandoc's content sits between two raw nodes: a comment, which the HTML parser keeps
# in place in any context (text inside a <table> would be moved before it).
MARKER = f"<!--{PLACEHOLDER}-->"
_MATHML_ATTRIBUTES = """mathvariant display displaystyle encoding fence stretchy separator
    accent accentunder columnalign rowalign linethickness lspace rspace scriptlevel
    movablelimits largeop symmetric minsize maxsize notation form columnspan"""
_COMMON_ATTRIBUTES = """id class style title lang dir role alt width height colspan rowspan
    href src name scope headers start reversed datetime cite span abbr open type value
    xml:lang epub:type xlink:href"""
BOOLEAN = frozenset({"open", "reversed", "hidden"})
VOID = frozenset(["area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"])
SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
# HTMLParser lowercases names; SVG's are camelCase (linearGradient, viewBox).
_SVG_NAMES = {name.lower(): name for name in SVG_ELEMENTS}
_SVG_ATTRIBUTE_NAMES = {name.lower(): name for name in SVG_ATTRIBUTES}
_HTML_LINKS = frozenset({"a", "area"})  # elements whose href is a link, not a resource
_RASTER = re.compile(r"data:image/(?:png|jpeg|gif|webp)[;,]", re.IGNORECASE)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # XML 1.0 lacks
_LOCAL_URL = re.compile(r"\s*url\(\s*(['\"]?)#[^)'\"]*\1\s*\)\s*\Z", re.IGNORECASE)


@lru_cache(maxsize=1)
def _options() -> dict[str, object]:
    import nh3

    from presswork.sanitize import ALLOWED_TAGS, DROPPED_WITH_CONTENT

    tags = {tag for tag in ALLOWED_TAGS if tag not in DROPPED_WITH_CONTENT}
    tags |= {name for name in SVG_ELEMENTS if name != "style"}  # html5ever's camelCase names
    attributes = set(_COMMON_ATTRIBUTES.split()) | set(_MATHML_ATTRIBUTES.split())
    attributes |= set(SVG_ATTRIBUTES)
    for allowed in nh3.ALLOWED_ATTRIBUTES.values():
        attributes |= set(allowed)
    return {
        "tags": tags,
        "clean_content_tags": set(DROPPED_WITH_CONTENT) | {"textarea", "xmp", "noscript"},
        "attributes": {"*": attributes},
        "generic_attribute_prefixes": {"data-", "aria-"},
        "url_schemes": set(nh3.ALLOWED_URL_SCHEMES) | {"data"},
        "link_rel": None,
        "strip_comments": False,  # our markers; the authors' comments go in _Xhtml
    }


def _attribute(tag: str, name: str, value: str) -> str | None:
    """The value to keep, or None: the last word on every attribute that ships."""
    from presswork.sanitize import DANGEROUS_SCHEMES, _scheme, only_local_urls

    name = name.lower()
    if name.startswith("on") or (":" in name and name not in ("xml:lang", "epub:type", "href")):
        return None
    if name == "style":
        return clean_style(value)
    if not only_local_urls(value) or (
        "url(" in re.sub(r"\s+", "", value).lower() and not _LOCAL_URL.match(value)
    ):
        return None  # SVG paint and filters: only a reference into the page
    if name == "href":
        if tag.lower() not in _HTML_LINKS:
            return value if value.strip().startswith("#") else None
        return None if _scheme(value) in DANGEROUS_SCHEMES else value
    if name == "src":
        compact = re.sub(r"[\x00-\x20]+", "", value)
        ok = _RASTER.match(compact) or compact.lower().startswith("data:image/svg+xml;base64,")
        return value if tag.lower() == "img" and ok else None
    if name in ("cite",) and _scheme(value) in DANGEROUS_SCHEMES:
        return None
    return value


_CSS_SCRIPT = ("expression(", "javascript:", "vbscript:", "behavior", "-moz-binding", "@import")


def clean_style(css: str) -> str | None:
    """A style attribute re-serialised from its declarations (read by tinycss2): only those
    without script or a url() outside the page; None when nothing is left."""
    import tinycss2

    kept = []
    for declaration in tinycss2.parse_blocks_contents(css):
        if declaration.type != "declaration":
            continue
        value = tinycss2.serialize(declaration.value).strip()
        if not re.fullmatch(r"-?[a-z][a-z0-9-]*", declaration.lower_name) or not value:
            continue
        if _css_unsafe(declaration.value) or declaration.lower_name in ("behavior",):
            continue
        important = " !important" if declaration.important else ""
        kept.append(f"{declaration.lower_name}: {value}{important}")
    return "; ".join(kept) or None


def _css_unsafe(tokens: list[object]) -> bool:
    for token in tokens:
        kind = getattr(token, "type", "")
        if kind in ("url", "bad-url", "error"):
            return True
        text = str(getattr(token, "value", "") or "")
        if kind == "string" and any(bad in re.sub(r"\s+", "", text).lower() for bad in _CSS_SCRIPT):
            return True
        if kind == "ident" and str(getattr(token, "lower_value", "")) in ("expression", "behavior"):
            return True
        if kind == "function":
            name = str(getattr(token, "lower_name", ""))
            if name in ("url", "src", "image", "image-set", "-webkit-image-set", "expression"):
                return True
            if _css_unsafe(list(token.arguments)):  # type: ignore[attr-defined]
                return True
        if kind in ("() block", "[] block", "{} block") and _css_unsafe(
            list(token.content)  # type: ignore[attr-defined]
        ):
            return True
    return False


class _Xhtml(HTMLParser):
    """html5ever's serialisation (regular by construction) written again as XHTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.foreign = 0  # inside svg or math: their tags are XML already
        self.misplaced = False  # a placeholder inside a tag: the nodes' places are lost

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: bool) -> None:
        name = _SVG_NAMES.get(tag, tag) if self.foreign or tag == "svg" else tag
        written = []
        if any(PLACEHOLDER in (value or "") for _, value in attrs):
            self.misplaced = True
        for key, value in attrs:
            if key in ("xmlns", "xmlns:xlink"):
                continue
            key = "href" if key == "xlink:href" else key
            if self.foreign or tag == "svg":
                key = _SVG_ATTRIBUTE_NAMES.get(key, key)
            if not value:
                # pandoc's EPUB writer renders raw HTML again, an empty value as a bare name,
                # which XML refuses: a boolean says its name, other empty values go.
                if key not in BOOLEAN:
                    continue
                value = key
            written.append(f' {key}="{html.escape(_NOT_XML.sub("", value), quote=True)}"')
        if tag in ("svg", "math"):
            written.insert(0, f' xmlns="{SVG_NS if tag == "svg" else MATHML_NS}"')
        end = " /" if close or (tag in VOID and not self.foreign) else ""
        self.out.append(f"<{name}{''.join(written)}{end}>")
        if tag in ("svg", "math") and not end:
            self.foreign += 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, True)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID and not self.foreign:
            return
        if tag in ("svg", "math") and self.foreign:
            self.foreign -= 1
        self.out.append(f"</{_SVG_NAMES.get(tag, tag) if self.foreign or tag == 'svg' else tag}>")

    def handle_data(self, data: str) -> None:
        if PLACEHOLDER in data:
            self.misplaced = True  # a marker read as text (inside <title>, say)
        self.out.append(html.escape(_NOT_XML.sub("", data), quote=False))

    def handle_comment(self, data: str) -> None:
        if data == PLACEHOLDER:
            self.out.append(PLACEHOLDER)  # the place of pandoc's content; other comments go


def as_xhtml(fragment: str) -> str:
    return _write(fragment)[0]


def _write(fragment: str) -> tuple[str, bool]:
    """The fragment as XHTML, and whether a placeholder ended up inside a tag."""
    writer = _Xhtml()
    writer.feed(fragment)
    writer.close()
    return "".join(writer.out), writer.misplaced


def clean(fragment: str) -> str:
    """One fragment through the allowlist, balanced, as XHTML."""
    import nh3

    text = fragment.replace(PLACEHOLDER, "")
    return as_xhtml(nh3.clean(text, attribute_filter=_attribute, **_options()))  # type: ignore[arg-type]


def clean_run(fragments: list[str], context: str = "") -> list[str]:
    """The raw HTML nodes of one list, cleaned as one fragment; one string per node.

    `context` is "svg" or "math" when the list sits inside such an element (opened by a raw
    node around it): the run is read inside it. When a node's place is lost (inside a
    dropped `<script>`, in an attribute value that an unclosed quote ran on into the next
    node, or out of the context element), each is cleaned alone.
    """
    import nh3

    opening = f"<{context}>" if context else ""
    joined = opening + MARKER.join(f.replace(PLACEHOLDER, "") for f in fragments)
    cleaned = nh3.clean(joined, attribute_filter=_attribute, **_options())  # type: ignore[arg-type]
    written, misplaced = _write(cleaned)  # as a whole: svg context, namespaces
    if context:
        head = f'<{context} xmlns="{SVG_NS if context == "svg" else MATHML_NS}">'
        inner = written[len(head) : -len(f"</{context}>")]
        wrapped = written.startswith(head) and written.endswith(f"</{context}>")
        if not wrapped or foreign_after(inner, (context,)) != (context,) or _closes(inner):
            misplaced = True  # something broke out of the context element
        written = inner
    parts = written.split(PLACEHOLDER)
    if misplaced or len(parts) != len(fragments):
        return [clean(fragment) for fragment in fragments]
    return parts


_FOREIGN_TAG = re.compile(r"<(/?)(svg|math)\b[^>]*?(/?)>")  # our XHTML: no '>' in values


def foreign_after(text: str, open_before: tuple[str, ...]) -> tuple[str, ...]:
    """The svg/math elements open after a cleaned fragment, given those open before it."""
    stack = list(open_before)
    for match in _FOREIGN_TAG.finditer(text):
        closing, name, empty = match.groups()
        if closing:
            if name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name) :]
        elif not empty:
            stack.append(name)
    return tuple(stack)


def _closes(inner: str) -> bool:
    """Whether the fragment closes more svg/math elements than it opens, at any point."""
    depth = 0
    for match in _FOREIGN_TAG.finditer(inner):
        closing, _, empty = match.groups()
        depth += -1 if closing else (0 if empty else 1)
        if depth < 0:
            return True
    return False
