"""Untrusted manuscripts made safe: one walk over pandoc's JSON AST before any format renders.

Images must be files inside the project (symlinks resolved) or `data:` URIs; accepted files are
embedded as `data:` URIs, so every format is standalone and no writer reads a path. Links may
not use `javascript:`, `vbscript:`, `data:` or `file:`. Raw HTML keeps only allowlisted tags
(ALLOWED_TAGS) and harmless attributes: no scripts, frames, plugins, `<meta>`, `<link>`,
`<base>`, `<style>`, event handlers, or resources outside the project. The module never
writes and never touches the network; it reads only the image files it accepts.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from presswork import confine, limits
from presswork.errors import PressworkError

HTML_FORMATS = frozenset(
    {"html", "html4", "html5", "xhtml", "epub", "epub2", "epub3", "revealjs", "slidy", "s5"}
)
# Removed with everything inside them (when the end tag is in the same raw fragment).
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "applet",
        "noembed",
        "noframes",
        "template",
        # SVG: HTML inside a drawing, and animations that can set a link to javascript:
        "foreignobject",
        "animate",
        "animatemotion",
        "animatetransform",
        "set",
        "handler",
        "listener",
    }
)
# Removed, tag only: void elements or wrappers whose content is harmless text.
DROPPED_TAGS = frozenset({"embed", "meta", "link", "base", "param", "portal"})
# Every other tag must be on the allowlist (the rest are removed, their content kept): the
# tags of ammonia's maintained list (nh3), sectioning, inline SVG drawings and MathML.
_MATHML = """math mi mo mn ms mtext mrow msup msub msubsup mfrac msqrt mroot mstyle mspace
    mpadded mphantom menclose mtable mtr mtd munder mover munderover semantics annotation"""
_EXTRA_TAGS = "section main figure figcaption address picture"


def _allowed_tags() -> frozenset[str]:
    import nh3

    from presswork.svgclean import ELEMENTS as SVG_ELEMENTS

    svg = {name.lower() for name in SVG_ELEMENTS} - {"style"}
    return frozenset(nh3.ALLOWED_TAGS) | svg | set(_MATHML.split()) | set(_EXTRA_TAGS.split())


ALLOWED_TAGS = _allowed_tags()
DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "livescript"})
# Attributes that make a browser or a writer fetch something.
RESOURCE_ATTRIBUTES = frozenset(
    {
        "src",
        "poster",
        "data",
        "background",
        "lowsrc",
        "dynsrc",
        "codebase",
        "archive",
        "action",
        "formaction",
        "longdesc",
        "manifest",
        "icon",
    }
)
LINK_ATTRIBUTES = frozenset({"href", "xlink:href"})
ALWAYS_DROPPED_ATTRIBUTES = frozenset({"srcset", "ping", "imagesrcset", "http-equiv"})
PATH_METADATA = frozenset(
    {
        "css",
        "stylesheet",
        "cover-image",
        "epub-cover-image",
        "bibliography",
        "csl",
        "citation-abbreviations",
    }
)
_NAME = re.compile(r"[A-Za-z_:][-A-Za-z0-9_:.]*\Z")
_TAG = re.compile(r"[A-Za-z][A-Za-z0-9-]*\Z")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]*)|@import\s*[\"']([^\"']*)", re.IGNORECASE)
MAX_IMAGE_BYTES = 64 * 1024 * 1024  # one embedded image; beyond it the outputs are unusable
IMAGE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class Problem:
    """Something removed from the manuscript, and the text to find it by in the sources."""

    message: str
    text: str
    alternatives: tuple[str, ...] = ()  # other spellings to look for when text is not found
    in_metadata: bool = False


class Source(Protocol):
    path: str
    text: str


# ---- targets: where an image, a link or a resource points ---------------------------------


def _scheme(target: str) -> str:
    """The URL scheme the way a browser sees it (whitespace and controls ignored), or ''."""
    compact = _CONTROL.sub("", target)
    head = re.split(r"[/?#]", compact, maxsplit=1)[0]
    return head.split(":", 1)[0].lower() if ":" in head else ""


def _local_path(target: str, root: Path) -> tuple[Path | None, str]:
    """The file inside the project a relative target names, or None and the reason."""
    if _scheme(target):
        return None, f"{_scheme(target)}: URLs are not allowed"
    path_text = unquote(urlsplit(target.replace("\\", "/")).path)
    if not path_text:
        return None, "empty path"
    if path_text.startswith("/") or path_text.startswith("~"):
        return None, "an absolute path, outside the project"
    base = root.resolve()
    try:
        resolved = (base / path_text).resolve()
    except (OSError, RuntimeError, ValueError):
        return None, "cannot be resolved"
    if not resolved.is_relative_to(base):
        return None, "outside the project"
    return resolved, ""


def image_type(data: bytes) -> str | None:
    """The media type of image bytes by their signature, or None when they are not an image."""
    for magic, media_type in IMAGE_TYPES:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    from presswork.svg import is_svg  # lxml, loaded only for what no signature matched

    return "image/svg+xml" if is_svg(data) else None


def embed_image(target: str, root: Path) -> tuple[str | None, str]:
    """A checked image target as a data: URI, or None and why it is refused."""
    if _scheme(target) == "data":
        ok = _CONTROL.sub("", target)[5:].lower().startswith("image/")
        if ok and _CONTROL.sub("", target)[5:].lower().startswith("image/svg"):
            return _svg_data_uri(_decode_data_uri(target), root)
        pixels = limits.image_pixels(_decode_data_uri(target) or b"") if ok else None
        if pixels is not None and pixels > limits.MAX_IMAGE_PIXELS:
            return None, f"{pixels:,} pixels, over the limit of {limits.MAX_IMAGE_PIXELS:,}"
        return (target, "") if ok else (None, "a data: URI that is not an image")
    path, reason = _local_path(target, root)
    if path is None:
        return None, reason
    try:
        # Regular files only (a FIFO would hang the build), by their real path inside root.
        data = confine.read_bytes(path, root, MAX_IMAGE_BYTES)
    except confine.Refused as exc:
        return None, str(exc.strerror)
    except FileNotFoundError:
        return None, "file not found"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or 'not a file'})"
    media_type = image_type(data)
    if media_type is None:
        return None, "not an image (PNG, JPEG, GIF, WebP or SVG)"
    if media_type == "image/svg+xml":
        return _svg_data_uri(data, root)
    pixels = limits.image_pixels(data)
    if pixels is not None and pixels > limits.MAX_IMAGE_PIXELS:
        return None, f"{pixels:,} pixels, over the limit of {limits.MAX_IMAGE_PIXELS:,}"
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}", ""


def _decode_data_uri(target: str) -> bytes | None:
    """The bytes of a data: URI (base64 or percent-encoded), or None if it is malformed."""
    header, comma, body = _CONTROL.sub("", target).partition(",")
    if not comma:
        return None
    if header.lower().endswith(";base64"):
        try:
            return base64.b64decode(body + "=" * (-len(body) % 4))
        except ValueError:
            return None
    return unquote(body).encode("utf-8", "surrogateescape")


def _svg_data_uri(data: bytes | None, root: Path) -> tuple[str | None, str]:
    """An SVG image through the allowlist (svgclean): no script, handler or outside link."""
    from presswork.svgclean import clean_svg

    cleaned = clean_svg(data, lambda css: css_refusal(css, root)) if data else None
    if cleaned is None:
        return None, "an SVG image that is not well-formed XML (or has a DOCTYPE)"
    return f"data:image/svg+xml;base64,{base64.b64encode(cleaned).decode('ascii')}", ""


def link_refusal(target: str) -> str:
    """Why a link target is refused ('' when it is fine): only script and file schemes are."""
    scheme = _scheme(target)
    return f"{scheme}: links are not allowed" if scheme in DANGEROUS_SCHEMES else ""


def resource_refusal(target: str, root: Path) -> str:
    """Why a resource (raw src, CSS url) is refused: anything but project files and images."""
    if _scheme(target) == "data":
        return embed_image(target, root)[1]
    return _local_path(target, root)[1]


_CSS_SCRIPT = frozenset({"expression", "javascript", "vbscript", "behavior", "-moz-binding"})
_CSS_RESOURCE_FUNCTIONS = frozenset({"url", "src", "image", "image-set", "-webkit-image-set"})


def css_refusal(css: str, root: Path) -> str:
    """Why CSS text is refused: a url() or @import outside the project, or script.

    Read with a real CSS tokenizer (tinycss2), so escapes (`u\\72l(`), comments and odd
    spacing cannot hide a url( or an @import from the check.
    """
    import tinycss2

    lowered = _CONTROL.sub("", css).lower()
    if "expression(" in lowered or "javascript:" in lowered or "behavior:" in lowered:
        return "script in CSS"
    return _css_tokens_refusal(tinycss2.parse_component_value_list(css), root)


def _css_tokens_refusal(tokens: Iterable[Any], root: Path) -> str:
    for token in tokens:
        kind = getattr(token, "type", "")
        if kind == "url":
            reason = resource_refusal(str(token.value).strip(), root)
            if reason:
                return reason
        elif kind == "ident" and token.lower_value in _CSS_SCRIPT:
            return "script in CSS"
        elif kind == "at-keyword" and token.lower_value in ("import", "namespace", "font-face"):
            return f"@{token.lower_value} in CSS"
        elif kind == "function":
            if token.lower_name in _CSS_SCRIPT:
                return "script in CSS"
            if token.lower_name in _CSS_RESOURCE_FUNCTIONS:
                for argument in token.arguments:
                    if getattr(argument, "type", "") == "string":
                        reason = resource_refusal(str(argument.value).strip(), root)
                        if reason:
                            return reason
        if kind in ("function", "() block", "[] block", "{} block"):
            inner = token.arguments if kind == "function" else token.content
            reason = _css_tokens_refusal(inner, root)
            if reason:
                return reason
    return ""


def css_targets(value: str) -> list[str]:
    """Every url() target in a CSS value, read by tinycss2 (so `u\\72l(` is one), also nested."""
    import tinycss2

    found: list[str] = []

    def walk(tokens: Iterable[Any]) -> None:
        for token in tokens:
            kind = getattr(token, "type", "")
            if kind == "url":
                found.append(str(token.value).strip())
            elif kind == "function":
                if token.lower_name in _CSS_RESOURCE_FUNCTIONS:
                    strings = [a for a in token.arguments if getattr(a, "type", "") == "string"]
                    found.append(str(strings[0].value).strip() if strings else "")
                walk(token.arguments)
            elif kind in ("() block", "[] block", "{} block"):
                walk(token.content)

    walk(tinycss2.parse_component_value_list(value))
    return found


def only_local_urls(value: str) -> bool:
    """Whether every url() in an attribute's value (SVG paint, filters...) is `#id`."""
    compact = _CONTROL.sub("", value).lower()
    if "url(" not in compact and "\\" not in value:
        return True  # nothing a CSS parser would read as a url (the common case, fast)
    return all(target.startswith("#") for target in css_targets(value))


def attribute_refusal(name: str, value: str, root: Path, tag: str = "") -> str:
    """Why an HTML attribute must go ('' to keep it); `tag` is the raw HTML element's name."""
    name = name.lower()
    if name.startswith("on"):
        return f"event handler '{name}'"
    if name in ALWAYS_DROPPED_ATTRIBUTES or not _NAME.match(name):
        return f"attribute '{name}'"
    if name in LINK_ATTRIBUTES and tag and tag not in ("a", "area"):
        # SVG's <use>, <image>, gradients and patterns: a reference, only into the page
        reason = "" if value.strip().startswith("#") else "only #id references into the page"
    elif name in LINK_ATTRIBUTES:
        reason = link_refusal(value)
    elif name in RESOURCE_ATTRIBUTES:
        reason = resource_refusal(value, root)
    elif name == "style":
        reason = css_refusal(value, root)
    elif not only_local_urls(value):
        reason = "url() outside the page"  # SVG paint, filters, clip paths and masks
    else:
        return ""
    return f"{name}='{value}' ({reason})" if reason else ""


# ---- raw HTML ------------------------------------------------------------------------------


class _Cleaner(HTMLParser):
    """Re-serialises an HTML fragment with only harmless tags and attributes."""

    def __init__(self, root: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.root = root
        self.out: list[str] = []
        self.problems: list[Problem] = []
        self.skipping: list[str] = []  # open elements dropped with their content
        self.svg_depth = 0  # inside inline <svg>

    def _problem(self, message: str, attribute: str = "") -> None:
        # pandoc may write a raw tag again (quotes added): then the attribute, or the tag's
        # name, finds it in the Markdown
        tag = (self.lasttag or "").lower()
        fallbacks = (f"{attribute}=", f"<{tag}") if attribute else (f"<{tag}",)
        self.problems.append(Problem(message, self.get_starttag_text() or "", fallbacks))

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> str | None:
        kept = []
        for name, value in attrs:
            value = value or ""
            if self.svg_depth and name.lower() in LINK_ATTRIBUTES and not value.startswith("#"):
                # Inside inline SVG a link (<use>, <a>, <image>) may only point into the page.
                self._problem(
                    f"raw HTML <{tag}>: {name}='{value}' removed (SVG links: #id only)", name
                )
                continue
            reason = attribute_refusal(name, value, self.root, tag)
            if reason and name.lower() in RESOURCE_ATTRIBUTES:
                self._problem(f"raw HTML <{tag}> removed: {reason}", name)
                return None
            if reason:
                self._problem(f"raw HTML <{tag}>: {reason} removed", name)
                continue
            if name in RESOURCE_ATTRIBUTES:
                # Only an image can be embedded; any other resource would be read by a writer.
                embedded, why = embed_image(value, self.root)
                if embedded is None or (tag, name) != ("img", "src"):
                    why = why or "only <img src> may name a file"
                    self._problem(f"raw HTML <{tag}> removed: {name}='{value}' ({why})", name)
                    return None
                value = embedded
            kept.append(f' {name}="{html.escape(value)}"')
        return "".join(kept)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1] and not close:
                self.skipping.append(tag)
            return
        if not _TAG.match(tag):
            # Escaped as text is (quote=False): cleaning the result again gives the same bytes.
            self.out.append(html.escape(self.get_starttag_text() or "", quote=False))
            return
        if tag in DROPPED_WITH_CONTENT or tag in DROPPED_TAGS or tag not in ALLOWED_TAGS:
            self._problem(f"raw HTML <{tag}> removed")
            if tag in DROPPED_WITH_CONTENT and not close:
                self.skipping.append(tag)
            return
        kept = self._attributes(tag, attrs)
        if kept is not None:
            self.out.append(f"<{tag}{kept}{close}>")
            if tag == "svg" and not close:
                self.svg_depth += 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, " /")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in DROPPED_WITH_CONTENT or tag in DROPPED_TAGS or tag not in ALLOWED_TAGS:
            return
        if tag == "svg" and self.svg_depth:
            self.svg_depth -= 1
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(html.escape(data, quote=False))

    # Comments, declarations, processing instructions and CDATA are dropped silently.


def clean_html(fragment: str, root: Path) -> tuple[str, list[Problem]]:
    """A raw HTML fragment without dangerous tags, attributes or resources, balanced XHTML.

    Two passes: ours finds what is refused and why (and embeds images); then nh3's allowlist,
    which parses as a browser does, decides what ships (presswork.rawhtml).
    """
    from presswork import rawhtml

    cleaned, problems = _first_pass(fragment, root)
    return rawhtml.clean(cleaned), problems


def _first_pass(fragment: str, root: Path) -> tuple[str, list[Problem]]:
    """What is refused in a fragment, and the fragment without it (for rawhtml to finish)."""
    cleaner = _Cleaner(root)
    cleaner.feed(fragment)
    cleaner.close()
    problems = list(cleaner.problems)
    if cleaner.skipping:
        problems = [p if p.text else Problem(p.message, fragment, p.alternatives) for p in problems]
    return "".join(cleaner.out), problems


# ---- the AST walk --------------------------------------------------------------------------


def _is_attr(item: Any) -> bool:
    """Pandoc's Attr is [id, [classes], [[key, value], ...]]; nothing else has that shape."""
    return (
        isinstance(item, list)
        and len(item) == 3
        and isinstance(item[0], str)
        and isinstance(item[1], list)
        and isinstance(item[2], list)
        and all(isinstance(kv, list) and len(kv) == 2 for kv in item[2])
    )


def stringify(node: Any) -> str:
    """The plain text of a metadata value or inline list."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(stringify(item) for item in node)
    if isinstance(node, dict):
        kind = node.get("t")
        if kind in ("Space", "SoftBreak", "LineBreak"):
            return " "
        if kind in ("Str", "MetaString"):
            return str(node.get("c", ""))
        if kind in ("Code", "Math", "RawInline"):
            return str(node["c"][1])
        return stringify(node.get("c", []))
    return ""


class _Walker:
    """One pass over the AST, rewriting in place and collecting problems."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.in_metadata = False

    def add(self, message: str, text: str, *alternatives: str) -> None:
        """Record a problem, remembering whether it is in the metadata or the chapters."""
        self.problems.append(Problem(message, text, alternatives, self.in_metadata))

    def attr(self, attr: list[Any]) -> None:
        kept = []
        for key, value in attr[2]:
            reason = attribute_refusal(str(key), str(value), self.root)
            if reason:
                needles = (f'{key}="{value}"', f"{key}='{value}'", f"{key}={value}", f"{key}=")
                self.add(f"{reason} removed", *needles)
            else:
                kept.append([key, value])
        attr[2] = kept

    def inline_list(self, items: list[Any]) -> list[Any]:
        out = []
        for item in items:
            out.extend(self.node(item))
        return out

    def node(self, item: Any) -> list[Any]:
        """The node's replacement: usually itself, cleaned; [] when it is dropped."""
        if isinstance(item, list):
            if _is_attr(item):
                self.attr(item)
                return [item]
            return [self.inline_list(item)]
        if not isinstance(item, dict):
            return [item]
        kind = item.get("t")
        if kind in ("RawBlock", "RawInline"):
            return self.raw(item)
        if kind == "Image":
            return self.image(item)
        if kind == "Link":
            self.link(item)
        for key, value in list(item.items()):
            if isinstance(value, (list, dict)):
                item[key] = self.child(value)
        return [item]

    def child(self, value: Any) -> Any:
        """A node held directly by a dict: a list is cleaned item by item, a dict replaced."""
        if isinstance(value, list) and not _is_attr(value):
            return self.inline_list(value)
        replaced = self.node(value)
        return replaced[0] if replaced else {"t": "Span", "c": [["", [], []], []]}

    def raw(self, item: dict[str, Any]) -> list[Any]:
        fmt, text = item["c"]
        if str(fmt).lower() not in HTML_FORMATS:
            return [item]
        cleaned, problems = _first_pass(text, self.root)
        for problem in problems:
            self.add(problem.message, problem.text, *problem.alternatives)
        if not cleaned.strip():
            return []
        return [{"t": item["t"], "c": [_RUN, cleaned]}]

    def image(self, item: dict[str, Any]) -> list[Any]:
        attr, alt, (target, title) = item["c"]
        self.attr(attr)
        item["c"][1] = alt = self.inline_list(alt)
        data_uri, reason = embed_image(target, self.root)
        if data_uri is None:
            shown = as_written(target)
            self.add(f"image '{shown}' not used: {reason}", shown, target)
            return [{"t": "Span", "c": [["", ["missing-image"], []], alt]}]
        item["c"][2] = [data_uri, title]
        return [item]

    def link(self, item: dict[str, Any]) -> None:
        target, title = item["c"][2]
        reason = link_refusal(target)
        if reason:
            shown = as_written(target)
            self.add(f"link '{shown}' removed: {reason}", shown, target, unquote(target))
            item["c"][2] = ["", title]

    def meta(self, meta: dict[str, Any]) -> None:
        for key in list(meta):
            if key in PATH_METADATA:
                for value in _meta_strings(meta[key]):
                    reason = resource_refusal(value, self.root)
                    if reason:
                        self.add(f"metadata '{key}: {value}' ignored: {reason}", value, f"{key}:")
                        del meta[key]
                        break
            if key in meta:
                meta[key] = self.child(meta[key])


_RUN = "presswork-raw-html"  # a raw node that passed the first pass; nh3 finishes its list


def _finish_raw_runs(items: list[Any], context: tuple[str, ...] = ()) -> None:
    """The list's raw HTML nodes through nh3 as one fragment (presswork.rawhtml.clean_run),
    then every list inside it, in place; `context` is the svg/math elements left open around
    the list (pandoc puts a one-line `<svg>...</svg>` in an inline list inside its block).

    A heading ends a run: pandoc wraps each heading's section in a <section>, so a tag left
    open before it could not close after it.
    """
    from presswork import rawhtml

    runs: list[list[dict[str, Any]]] = [[]]
    for node in items:
        if isinstance(node, dict) and node.get("t") == "Header":
            runs.append([])
        elif _is_run(node):
            runs[-1].append(node)
    empty: set[int] = set()
    for run in runs:
        if not run:
            continue
        cleaned = rawhtml.clean_run([n["c"][1] for n in run], context[-1] if context else "")
        for node, text in zip(run, cleaned, strict=True):
            node["c"] = ["html", text]
            if not text.strip():
                empty.add(id(node))
    open_now = context
    for node in items:
        if isinstance(node, dict) and node.get("t") in ("RawBlock", "RawInline"):
            if node["c"][0] == "html":
                open_now = rawhtml.foreign_after(node["c"][1], open_now)
        elif isinstance(node, dict) and node.get("t") == "Header":
            open_now = context
        else:
            _finish_inside(node, open_now)
    if empty:
        items[:] = [node for node in items if id(node) not in empty]


def _is_run(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and node.get("t") in ("RawBlock", "RawInline")
        and node["c"][0] == _RUN
    )


def _finish_inside(value: Any, context: tuple[str, ...]) -> None:
    """Every list held by a node (its inlines, blocks, cells...) finished in `context`."""
    if isinstance(value, dict):
        for child in value.values():
            _finish_inside(child, context)
    elif isinstance(value, list):
        if any(_is_run(item) for item in value):
            _finish_raw_runs(value, context)
        else:
            for item in value:
                _finish_inside(item, context)


def as_written(target: str) -> str:
    """A target as the author wrote it: pandoc escapes the spaces of `<my figure.png>`."""
    return target.replace("%20", " ")


def _meta_strings(value: Any) -> Iterator[str]:
    """The text of a metadata value, one string per list item."""
    if isinstance(value, dict) and value.get("t") == "MetaList":
        for item in value["c"]:
            yield from _meta_strings(item)
    else:
        yield stringify(value).strip()


def sanitize(ast: dict[str, Any], root: Path) -> tuple[dict[str, Any], list[Problem]]:
    """The AST made safe (changed in place and returned) and what was removed, in order."""
    walker = _Walker(root)
    meta = ast.get("meta")
    if isinstance(meta, dict):
        walker.in_metadata = True
        walker.meta(meta)
        walker.in_metadata = False
        _finish_inside(meta, ())
    ast["blocks"] = walker.inline_list(ast.get("blocks", []))
    _finish_raw_runs(ast["blocks"])
    return ast, walker.problems


_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)|\]:[ \t]*<?([^\s>]+)|src\s*=\s*[\"']?([^\"'\s>]+)")


def referenced_files(texts: Iterable[str], root: Path) -> list[Path]:
    """Project files the Markdown may embed (link and image targets, src=), for cache keys."""
    found: set[Path] = set()
    for text in texts:
        for match in _TARGET.finditer(text):
            path, _ = _local_path(next(g for g in match.groups() if g), root)
            if path is not None and path.is_file():
                found.add(path)
    return sorted(found)


# ---- finding problems in the sources -------------------------------------------------------


Location = tuple[str | None, int | None, int | None]


def locate(
    sources: list[Source], needles: Iterable[str], after: dict[str, int] | None = None
) -> Location:
    """File, line and column of the first needle found in the sources (needles in order).

    `after` maps a source path to an offset to search from, so that a repeated construct is
    found at its next occurrence; it is updated with the position found.
    """
    after = after if after is not None else {}
    candidates = [c for n in needles for c in dict.fromkeys((n, n.strip(), html.unescape(n))) if c]
    for candidate in candidates:
        for source in sources:
            index = source.text.find(candidate, after.get(f"{source.path}\0{candidate}", 0))
            if index < 0:
                continue
            after[f"{source.path}\0{candidate}"] = index + 1
            line = source.text.count("\n", 0, index) + 1
            column = index - (source.text.rfind("\n", 0, index) + 1) + 1
            return source.path, line, column
    return None, None, None


def as_errors(
    problems: Iterable[Problem], chapters: list[Source], metadata: list[Source]
) -> list[PressworkError]:
    """Problems as errors naming file, line and column, each place reported once."""
    errors: list[PressworkError] = []
    seen: set[tuple[str, Location]] = set()
    after: dict[str, int] = {}
    for problem in problems:
        sources = metadata if problem.in_metadata else chapters
        location = locate(sources, (problem.text, *problem.alternatives), after)
        if (problem.message, location) in seen:
            continue
        seen.add((problem.message, location))
        errors.append(PressworkError(problem.message, *location))
    return errors
