"""Project files the metadata names with pandoc's own keys: `css` and `cover-image`.

pandoc runs with --sandbox, which refuses to read them, so presswork reads them itself,
confined to the project (confine.py), checks them (CSS through sanitize.css_refusal, images
through sanitize.embed_image) and puts them into the outputs: the CSS after presswork's own
stylesheets in the HTML page, the PDF and the EPUB, the cover into the EPUB as pandoc makes
it. pandoc looks for these files from where it runs; a manuscript may have been written to
run from the project root or from the manuscript folder, so both are tried, in that order.

`epub-cover-image`, `epub-fonts` and `epub-metadata` are pandoc command-line (defaults
file) options, not metadata: pandoc ignores them in metadata, and so does presswork, with a
warning that says which key to use.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presswork import confine
from presswork.errors import InputError, PressworkError

CSS = "css"
COVER = "cover-image"
KEYS = (CSS, COVER)
# pandoc options that are no metadata keys: pandoc ignores them there.
NOT_METADATA = {
    "epub-cover-image": "use 'cover-image'",
    "epub-fonts": "fonts come from presswork's font settings",
    "epub-metadata": "write the EPUB fields in the metadata itself",
}
MAX_CSS_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Cover:
    name: str  # as written in the metadata
    data: bytes
    media_type: str


@dataclass(frozen=True)
class MetaFiles:
    """What the metadata's file keys bring into the outputs."""

    css: str = ""  # every `css` file, in order, url()s embedded
    cover: Cover | None = None
    warnings: list[PressworkError] = field(default_factory=list)
    inputs: list[tuple[str, bytes]] = field(default_factory=list)  # (path, bytes) for the key


def _names(key: str, value: Any, file: str | None, line: int | None) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise InputError(f"metadata '{key}' must name a file (or a list of files)", file, line)
        names.append(item.strip())
    return names


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def lexically_refused(names: list[str]) -> bool:
    """Whether a name is no project file by its text: a URL, an absolute path, `..` out.

    Such a key is neutralised as the sanitizer does it for every path key: dropped, with a
    warning naming file and line (an error under --strict), and the build goes on. A name
    that looks like a project file is read here, and refused with an error if it is not one
    (a symlink out, a FIFO, missing), as pandoc fails on a file it cannot read.
    """
    for name in names:
        text = name.replace("\\", "/").strip()
        if text.startswith("data:"):
            continue  # refused when read: no file
        if _SCHEME.match(text) or text.startswith(("/", "~")):
            return True
        normal = posixpath.normpath(text)
        if normal == ".." or normal.startswith("../"):
            return True
    return False


def _locate(
    name: str, key: str, root: Path, manuscript: str, file: str | None, line: int | None
) -> str:
    """The project-relative path (forward slashes) the metadata name means, or InputError."""

    def refuse(reason: str) -> InputError:
        return InputError(f"metadata '{key}: {name}' refused: {reason}", file, line)

    if "\x00" in name or name.startswith("data:"):
        raise refuse("not a file of the project")
    for base in ("", manuscript):
        relative = posixpath.normpath(posixpath.join(base, name.replace("\\", "/")))
        if relative.startswith("../") or relative == "..":
            continue  # never above the root (lexically_refused has kept such names out)
        path = root / relative
        try:
            if not path.exists() and not path.is_symlink():
                continue
        except OSError:  # a name too long, a loop of links: no file pandoc could read either
            continue
        try:
            confine.inside(path, root)
        except confine.Refused as exc:
            raise refuse(str(exc.strerror)) from None
        return relative
    raise InputError(f"metadata '{key}': file '{name}' not found", file, line)


def _read(relative: str, root: Path, name: str, key: str, where: tuple[Any, Any]) -> bytes:
    try:
        return confine.read_bytes(root / relative, root, MAX_CSS_BYTES)
    except confine.Refused as exc:
        message = f"metadata '{key}: {name}' refused: {exc.strerror}"
    except OSError as exc:
        message = f"metadata '{key}: {name}' cannot be read: {exc.strerror or 'not a file'}"
    raise InputError(message, *where)


def _url_tokens(tokens: Iterable[Any]) -> Iterator[Any]:
    """Every url token, and every string argument of url()/image() functions, at any depth."""
    for token in tokens:
        kind = getattr(token, "type", "")
        if kind == "url":
            yield token
        elif kind == "function":
            if token.lower_name in ("url", "src", "image", "image-set", "-webkit-image-set"):
                yield from (a for a in token.arguments if getattr(a, "type", "") == "string")
            yield from _url_tokens(token.arguments)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _url_tokens(token.content)


def embedded_css(text: str, relative: str, root: Path) -> tuple[str, str]:
    """CSS with every url() to a project image as a data: URI (relative to the CSS file's
    folder, as a browser reads it), and why it is refused ('' when it is fine)."""
    import tinycss2

    from presswork.sanitize import css_refusal, embed_image

    tokens = tinycss2.parse_component_value_list(text)
    folder = posixpath.dirname(relative)
    for token in _url_tokens(tokens):
        target = str(token.value).strip()
        if not target or target.startswith(("data:", "#")) or ":" in target.split("/")[0]:
            continue  # schemes and data: URIs are judged by css_refusal below
        joined = posixpath.normpath(posixpath.join(folder, target))
        if joined.startswith("../") or joined == ".." or target.startswith(("/", "~")):
            return "", f"url({target}) outside the project"
        uri, reason = embed_image(joined, root)
        if uri is None:
            return "", f"url({target}): {reason}"
        # serialize() writes `representation`; a base64 data: URI needs no quoting or escape
        token.value = uri
        token.representation = f"url({uri})" if token.type == "url" else f'"{uri}"'
    # `<` is only text in CSS (strings, comments): escaped, no `</style>` ends the page's
    # style element early
    css = tinycss2.serialize(tokens).replace("<", "\\3c ")
    reason = css_refusal(css, root)
    return (css, "") if not reason else ("", reason)


def collect(root: Path, manuscript: str, sources: Any) -> MetaFiles:
    """Read and check every file the metadata names; InputError (file and line) if unusable.

    `sources` is the project's merged metadata (presswork.metadata.Metadata).
    """
    values = sources.values
    warnings = [
        PressworkError(
            f"metadata '{key}' ignored: pandoc reads it only as an option; {hint}",
            *(sources.where(key) or (None, None)),
        )
        for key, hint in NOT_METADATA.items()
        if key in values
    ]
    inputs: list[tuple[str, bytes]] = []
    css_parts: list[str] = []
    css_where = sources.where(CSS) or (None, None)
    css_names = _names(CSS, values[CSS], *css_where) if values.get(CSS) is not None else []
    if not lexically_refused(css_names):
        where = css_where
        for name in css_names:
            relative = _locate(name, CSS, root, manuscript, *where)
            data = _read(relative, root, name, CSS, where)
            inputs.append((relative, data))
            text = data.decode("utf-8-sig", "replace")
            css, reason = embedded_css(text, relative, root)
            if reason:
                raise InputError(f"metadata '{CSS}: {name}' refused: {reason}", *where)
            css_parts.append(f"/* {relative} */\n{css}")
    cover = None
    where = sources.where(COVER) or (None, None)
    names = _names(COVER, values[COVER], *where) if values.get(COVER) is not None else []
    if names and not lexically_refused(names):
        if len(names) != 1:
            raise InputError(f"metadata '{COVER}' must name one image", *where)
        cover = _cover(names[0], root, manuscript, where)
        inputs.append((cover.name, cover.data))
    return MetaFiles("\n".join(css_parts), cover, warnings, inputs)


def _cover(name: str, root: Path, manuscript: str, where: tuple[Any, Any]) -> Cover:
    from presswork.sanitize import embed_image

    relative = _locate(name, COVER, root, manuscript, *where)
    uri, reason = embed_image(relative, root)
    if uri is None:
        raise InputError(f"metadata '{COVER}: {name}' refused: {reason}", *where)
    header, _, body = uri.partition(",")
    media_type = header[5:].split(";", 1)[0]
    return Cover(name, base64.b64decode(body), media_type)


def key_parts(found: MetaFiles) -> list[str]:
    """What the outputs depend on: each file's path and hash, and the CSS as embedded (with
    the bytes of the images its url()s name)."""
    parts = [part for path, data in found.inputs for part in (path, _digest(data))]
    return [*parts, _digest(found.css.encode("utf-8"))]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def strip(meta: dict[str, Any]) -> None:
    """Take the keys presswork handles out of the AST's metadata: pandoc --sandbox would fail
    reading them (presswork put their content in already)."""
    for key in KEYS:
        meta.pop(key, None)
