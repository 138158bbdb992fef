"""Cross-references in pandoc-crossref's syntax, resolved once per build before citeproc.

Labels `{#fig:x}`, `{#tbl:x}`, `{#eq:x}`, `{#lst:x}` and `{#sec:x}` number figures, tables,
display equations and code listings in document order (the number goes into the caption,
the equation gets "(n)");
references `@fig:x`, `[@fig:x; @fig:y]`, `[-@fig:x]` and `@Fig:x` become links with the
number, so citeproc never sees them and every format prints the same numbers.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from presswork.crossref.terms import KINDS, Terms, terms_for
from presswork.errors import PressworkError
from presswork.project import Project

_EQ_LABEL = re.compile(r"\{#(eq:[^\s{}]+)\}(.*)", re.S)
_LST_LABEL = re.compile(r"\{#(lst:[^\s{}]+)\}")


def split_key(key: str) -> tuple[str, str] | None:
    """`fig:x` -> ("fig", "fig:x"), `Fig:x` too; None for a key that is no cross-reference."""
    prefix, colon, rest = key.partition(":")
    kind = prefix.lower()
    if not colon or not rest or kind not in KINDS or prefix not in (kind, kind.capitalize()):
        return None
    return kind, f"{kind}:{rest}"


def is_crossref_key(key: str) -> bool:
    """A citation key that names a figure, table, equation or section: never a citation."""
    return split_key(key) is not None


@dataclass
class Label:
    kind: str
    number: int
    title: list[dict[str, Any]]  # a section's heading inlines (its reference text)


class _Item(NamedTuple):
    """One reference of a group: its number (inf if unknown), target, label and suffix."""

    order: float
    target: str
    label: Label | None
    suffix: list[Any]


@dataclass
class Result:
    labels: dict[str, Label] = field(default_factory=dict)
    undefined: list[str] = field(default_factory=list)  # keys as written, first use each
    duplicates: list[str] = field(default_factory=list)


def _str(text: str) -> dict[str, Any]:
    return {"t": "Str", "c": text}


_SPACE: dict[str, Any] = {"t": "Space"}


def _nodes(node: Any) -> Iterator[Any]:
    """Every dict and list under node, in document order; iterative, so nesting is safe."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict | list):
            yield item
            values = item.values() if isinstance(item, dict) else item
            stack.extend(reversed([v for v in values if isinstance(v, dict | list)]))


class _Numbering:
    def __init__(self, terms: Terms, result: Result) -> None:
        self.terms = terms
        self.result = result
        self.counts = dict.fromkeys(KINDS, 0)
        self.captions: dict[int, list[Any]] = {}  # CodeBlock (by id()) -> its caption

    def define(self, label: str, kind: str, title: list[dict[str, Any]] | None = None) -> int:
        self.counts[kind] += 1
        number = self.counts[kind]
        if label in self.result.labels:
            self.result.duplicates.append(label)
        else:
            self.result.labels[label] = Label(kind, number, title or [])
        return number

    def caption(self, caption: list[Any], title: str, number: int) -> None:
        """Put "Figure 1:" in front of a caption ([short, blocks]), as pandoc-crossref does."""
        blocks = caption[1]
        first = next((b for b in blocks if b.get("t") in ("Plain", "Para")), None)
        has_text = first is not None and bool(first["c"])
        label = [_str(title), _SPACE, _str(f"{number}{self.terms.title_delim if has_text else ''}")]
        if first is None:
            blocks.insert(0, {"t": "Plain", "c": label})
        elif has_text:
            first["c"][:0] = [*label, _SPACE]
        else:
            first["c"][:] = label

    def block(self, node: dict[str, Any]) -> None:
        kind = node.get("t")
        if kind == "Figure" or kind == "Table":
            ident = node["c"][0][0]
            want = "fig" if kind == "Figure" else "tbl"
            if split_key(ident) is not None and ident.startswith(f"{want}:"):
                number = self.define(ident, want)
                title = self.terms.figure_title if want == "fig" else self.terms.table_title
                self.caption(node["c"][1], title, number)
        elif kind == "CodeBlock":
            self.listing(node)
        elif kind == "Header":
            ident = node["c"][1][0]
            if ident.startswith("sec:") and len(ident) > 4:
                self.define(ident, "sec", _link_text(node["c"][2]))
        elif kind == "Div" and node["c"][0][0].startswith("fig:"):
            # pandoc-crossref's figure of figures: the div's last paragraph is its caption.
            blocks = node["c"][1]
            if not blocks or blocks[-1].get("t") not in ("Para", "Plain"):
                blocks.append({"t": "Plain", "c": []})
            number = self.define(node["c"][0][0], "fig")
            self.caption([None, blocks[-1:]], self.terms.figure_title, number)
        elif kind in ("Para", "Plain") and not self.lone_image(node):
            self.equations(node["c"])

    def listing(self, node: dict[str, Any]) -> None:
        """A code block `{#lst:x caption="..."}`: a div with "Listing 1: ..." and the code."""
        attr = node["c"][0]
        ident, caption = attr[0], dict(attr[2]).get("caption")
        if id(node) in self.captions:  # a table-style caption, found before numbering
            self.wrap_listing(node, ident, self.captions.pop(id(node)))
            return
        if not ident.startswith("lst:") or split_key(ident) is None or caption is None:
            return
        words: list[Any] = []
        for word in caption.split():
            words += [_SPACE, _str(word)] if words else [_str(word)]
        self.wrap_listing(node, ident, words)

    def wrap_listing(self, node: dict[str, Any], ident: str, caption: list[Any]) -> None:
        """Turn the CodeBlock node into pandoc-crossref's listing div, in place, numbered."""
        number = self.define(ident, "lst")
        code = {
            "t": "CodeBlock",
            "c": [["", node["c"][0][1], [kv for kv in node["c"][0][2] if kv[0] != "caption"]],
                  node["c"][1]],
        }  # fmt: skip
        para: dict[str, Any] = {"t": "Para", "c": caption}
        self.caption([None, [para]], self.terms.listing_title, number)
        node["t"] = "Div"
        node["c"] = [[ident, ["listing", *node["c"][0][1]], []], [para, code]]

    def table_style_listings(self, blocks: list[Any]) -> None:
        """`codeBlockCaptions`: a paragraph `: caption {#lst:x}` just before or after a code
        block is its caption (pandoc-crossref's table-style listing captions)."""
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if isinstance(block, dict) and block.get("t") == "CodeBlock" and not block["c"][0][0]:
                for j in (i + 1, i - 1):
                    found = _listing_caption(blocks[j]) if 0 <= j < len(blocks) else None
                    if found is not None:  # numbered in document order, later
                        block["c"][0][0] = found[0]
                        self.captions[id(block)] = found[1]
                        del blocks[j]
                        i = i if j > i else i - 1
                        break
            i += 1

    def lone_image(self, node: dict[str, Any]) -> bool:
        """`![](plot.png){#fig:x}`: no caption, so pandoc made no Figure; make one."""
        inlines = node["c"]
        if len(inlines) != 1 or inlines[0].get("t") != "Image":
            return False
        attr = inlines[0]["c"][0]
        if not attr[0].startswith("fig:") or split_key(attr[0]) is None:
            return False
        ident, attr[0] = attr[0], ""
        node["t"], node["c"] = (
            "Figure",
            [[ident, [], []], [None, []], [{"t": "Plain", "c": inlines}]],
        )
        number = self.define(ident, "fig")
        self.caption(node["c"][1], self.terms.figure_title, number)
        return True

    def equations(self, inlines: list[Any]) -> None:
        """`$$...$$ {#eq:x}`: pandoc leaves the label as text after the Math; make it a Span."""
        i = 0
        while i < len(inlines):
            math = inlines[i]
            if math.get("t") == "Math" and math["c"][0]["t"] == "DisplayMath":
                j = i + 1
                if j < len(inlines) and inlines[j].get("t") in ("Space", "SoftBreak"):
                    j += 1
                found = j < len(inlines) and inlines[j].get("t") == "Str"
                match = _EQ_LABEL.fullmatch(inlines[j]["c"]) if found else None
                if match:
                    number = self.define(match.group(1), "eq")
                    span = {
                        "t": "Span",
                        "c": [
                            [match.group(1), ["equation"], []],
                            [
                                math,
                                {
                                    "t": "Span",
                                    "c": [["", ["equation-number"], []], [_str(f"({number})")]],
                                },
                            ],
                        ],
                    }
                    rest = [_str(match.group(2))] if match.group(2) else []
                    inlines[i : j + 1] = [span, *rest]
            i += 1


def _listing_caption(block: Any) -> tuple[str, list[Any]] | None:
    """(label, caption inlines) of a paragraph `: caption {#lst:x}`, or None."""
    if not isinstance(block, dict) or block.get("t") != "Para":
        return None
    inlines = block["c"]
    if len(inlines) < 3 or inlines[0] != _str(":") or inlines[1].get("t") != "Space":
        return None
    last = inlines[-1]
    match = _LST_LABEL.fullmatch(last["c"]) if last.get("t") == "Str" else None
    if match is None or split_key(match.group(1)) is None:
        return None
    caption = inlines[2:-1]
    while caption and caption[-1].get("t") in ("Space", "SoftBreak"):
        caption = caption[:-1]
    return match.group(1), caption


def _link_text(inlines: list[Any]) -> list[Any]:
    """A heading's inlines fit for a link's text: no links inside links, no notes."""
    out: list[Any] = []
    for item in copy.deepcopy(inlines):
        kind = item.get("t")
        if kind == "Link":
            out += _link_text(item["c"][1])
        elif kind != "Note":
            out.append(item)
    return out


# JATS's names for what an <xref> points at (pandoc's JATS writer passes `ref-type` on).
_REF_TYPES = {"fig": "fig", "tbl": "table", "eq": "disp-formula", "sec": "sec", "lst": "other"}


def _link(target: str, inlines: list[dict[str, Any]]) -> dict[str, Any]:
    ref_type = _REF_TYPES[target.split(":", 1)[0]]
    attr = ["", ["crossref"], [["ref-type", ref_type]]]
    return {"t": "Link", "c": [attr, inlines, [f"#{target}", ""]]}


def _missing() -> dict[str, Any]:
    """What pandoc-crossref prints for a label that does not exist: a bold "??", no link."""
    return {"t": "Strong", "c": [_str("??")]}


class _References:
    def __init__(self, terms: Terms, result: Result) -> None:
        self.terms = terms
        self.result = result
        self.reported: set[str] = set()
        self.linked = True

    def target(self, key: str) -> tuple[str, Label | None]:
        split = split_key(key)
        assert split is not None
        label = self.result.labels.get(split[1])
        if label is None and key not in self.reported:
            self.reported.add(key)
            self.result.undefined.append(key)
        return split[1], label

    def group(self, citations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One run of references of one kind: "figs. 1, 2", "eqns. 1-3", "sec. Methods"."""
        first = citations[0]["citationId"]
        kind = split_key(first)[0]  # type: ignore[index]
        items: list[_Item] = []
        for citation in citations:
            target, label = self.target(citation["citationId"])
            order = label.number if label is not None else float("inf")
            items.append(_Item(order, target, label, citation.get("citationSuffix", [])))
        out: list[dict[str, Any]] = []
        for citation in citations[:1]:
            out += copy.deepcopy(citation.get("citationPrefix", []))
            if out:
                out.append(_SPACE)
        if citations[0]["citationMode"]["t"] != "SuppressAuthor":
            word = self.terms.prefix(kind, len(citations) > 1, first[:1].isupper())
            if word:
                out.append(_str(f"{word}\u00a0"))
        pieces = self._sections(items) if kind == "sec" else self._numbers(items)
        for k, piece in enumerate(pieces):
            if k:
                out += [_str(","), _SPACE]
            out += piece
        return out

    def _sections(self, items: list[_Item]) -> list[list[dict[str, Any]]]:
        pieces = []
        for item in items:
            label = item.label
            text = self.link(item.target, copy.deepcopy(label.title)) if label else _missing()
            pieces.append([text, *copy.deepcopy(item.suffix)])
        return pieces

    def _numbers(self, items: list[_Item]) -> list[list[dict[str, Any]]]:
        """Numbers in order, each once; a run of three or more becomes a range."""
        runs: list[list[_Item]] = []
        for item in sorted(items, key=lambda it: it.order):
            last = runs[-1][-1] if runs else None
            # A suffix ("[@fig:x, left]") or an unknown label stands alone.
            if last is None or item.suffix or last.suffix or not (item.label and last.label):
                runs.append([item])
            elif item.order == last.order:
                continue  # the same figure twice
            elif item.order == last.order + 1:
                runs[-1].append(item)
            else:
                runs.append([item])
        pieces = []
        for run in runs:
            links = [self._number(item) for item in run]
            if len(run) >= 3:
                pieces.append([links[0], _str(self.terms.range_delim), links[-1]])
            else:
                pieces += [
                    [link, *copy.deepcopy(item.suffix)]
                    for link, item in zip(links, run, strict=True)
                ]
        return pieces

    def _number(self, item: _Item) -> dict[str, Any]:
        label = item.label
        return self.link(item.target, [_str(str(label.number))]) if label else _missing()

    def link(self, target: str, inlines: list[dict[str, Any]]) -> dict[str, Any]:
        if self.linked:
            return _link(target, inlines)
        return {"t": "Span", "c": [["", ["crossref"], []], inlines]}

    def cite(self, node: dict[str, Any]) -> list[dict[str, Any]] | None:
        """A Cite's replacement, or None where it holds no cross-reference."""
        citations = node["c"][0]
        if not any(is_crossref_key(c["citationId"]) for c in citations):
            return None
        runs: list[list[dict[str, Any]]] = []
        for citation in citations:  # consecutive keys of one kind share a prefix, as in crossref
            split = split_key(citation["citationId"])
            kind = split[0] if split else None
            if runs:
                previous = split_key(runs[-1][0]["citationId"])
                if (previous[0] if previous else None) == kind:
                    runs[-1].append(citation)
                    continue
            runs.append([citation])
        out: list[dict[str, Any]] = []
        for k, run in enumerate(runs):
            if k:  # "fig. 1, tbl. 2"; "fig. 1 (Smith 2020)" beside a real citation
                both = is_crossref_key(runs[k - 1][0]["citationId"])
                both = both and is_crossref_key(run[0]["citationId"])
                out += [_str(","), _SPACE] if both else [_SPACE]
            if is_crossref_key(run[0]["citationId"]):
                out += self.group(run)
            else:  # real citations keep going to citeproc, in a Cite of their own
                keys = "; ".join(f"@{c['citationId']}" for c in run)
                out.append({"t": "Cite", "c": [run, [_str(f"[{keys}]")]]})
        return out


def _replace_cites(inlines: list[Any], references: _References) -> None:
    """Splice each Cite holding cross-references into its replacement, in place."""
    i = 0
    while i < len(inlines):
        item = inlines[i]
        found = isinstance(item, dict) and item.get("t") == "Cite"
        replacement = references.cite(item) if found else None
        if replacement is None:
            i += 1
            continue
        inlines[i : i + 1] = replacement
        i += len(replacement)


def resolve(ast: dict[str, Any], lang: str, metadata: dict[str, Any]) -> Result:
    """Number the labels and replace the references, in place; what could not be resolved."""
    terms = terms_for(lang, metadata)
    result = Result()
    numbering = _Numbering(terms, result)
    blocks = ast.get("blocks", [])
    if truthy(metadata.get("codeBlockCaptions")):
        for node in list(_nodes(blocks)):
            if isinstance(node, list) and any(
                isinstance(b, dict) and b.get("t") == "CodeBlock" for b in node
            ):
                numbering.table_style_listings(node)
    for node in _nodes(blocks):
        if isinstance(node, dict):
            numbering.block(node)
    references = _References(terms, result)
    # The abstract may refer to figures too; there the number stands unlinked, as the EPUB's
    # title page is not one of the chapter files whose links pandoc points at the right file.
    for part, linked in ((ast.get("meta", {}), False), (blocks, True)):
        references.linked = linked
        for node in _nodes(part):
            if isinstance(node, list):
                _replace_cites(node, references)
    return result


def truthy(value: Any) -> bool:
    """A metadata flag as pandoc-crossref reads it (true, or the strings "true"/"yes")."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1")


def _locate(proj: Project, pattern: str, nth: int = 0) -> tuple[str | None, int | None, int | None]:
    """Where the pattern matches for the nth time (0: the first) in the chapters."""
    seen = 0
    for chapter in proj.chapters:
        for match in re.finditer(pattern, chapter.text):
            if seen == nth:
                line = chapter.text.count("\n", 0, match.start()) + 1
                column = match.start() - (chapter.text.rfind("\n", 0, match.start()) + 1) + 1
                return chapter.path, line, column
            seen += 1
    return None, None, None


def apply(proj: Project, ast: dict[str, Any]) -> list[PressworkError]:
    """The build's step: resolve in place; a warning (with its place) per undefined label and
    per label defined twice (its links go to the first, and HTML ids must be unique)."""
    result = resolve(ast, proj.lang, proj.metadata)
    problems = []
    for key in result.undefined:
        label = split_key(key)[1]  # type: ignore[index]
        where = _locate(proj, rf"(?<![\w.@])@{re.escape(key)}(?![\w:.-]*\w)")
        message = (
            f"cross-reference '@{key}' names no label "
            f"(write {{#{label}}} on a figure, table, equation or section)"
        )
        problems.append(PressworkError(message, *where))
    repeats: dict[str, int] = {}
    for label in result.duplicates:
        repeats[label] = repeats.get(label, 0) + 1
        where = _locate(proj, rf"#{re.escape(label)}(?=[\s}}])", repeats[label])
        message = f"label '{label}' is defined twice: references go to the first"
        problems.append(PressworkError(message, *where))
    return problems
