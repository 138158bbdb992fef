"""BibTeX, CSL-JSON and CSL-YAML files -> reference records that remember where each field is.

Pandoc reads these files itself for citeproc; this module validates them first (so a bad
file is one clear error with its line) and gives the linter every field's position.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from presswork import limits
from presswork.errors import InputError

REFERENCE_SUFFIXES = {".bib": "bibtex", ".json": "csljson", ".yaml": "cslyaml", ".yml": "cslyaml"}


@dataclass(frozen=True)
class RefField:
    """One field's raw value and where the value starts (1-based)."""

    value: Any
    line: int
    column: int


@dataclass
class Reference:
    """One entry of a reference file."""

    id: str
    type: str
    file: str  # relative to the project root, with forward slashes
    line: int
    column: int
    fields: dict[str, RefField] = field(default_factory=dict)
    syntax: str = "bibtex"
    # BibTeX fields written twice: (name, line kept out, line pandoc keeps: the last).
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)

    def get(self, name: str, default: Any = None) -> Any:
        found = self.fields.get(name)
        return found.value if found is not None else default


# ---- BibTeX -------------------------------------------------------------------------------


def _value_column(lines: list[str], line_no: int, key: str) -> tuple[int, int]:
    """Line and column (1-based) of the value of `key = value` starting on line_no (0-based)."""
    for offset in range(3):  # the value may follow on the next line
        index = line_no + offset
        if index >= len(lines):
            break
        text = lines[index]
        match = (
            re.search(rf"\b{re.escape(key)}\s*=\s*", text, re.IGNORECASE) if offset == 0 else None
        )
        if match:
            rest = text[match.end() :]
            if rest.strip():
                return index + 1, match.end() + 1 + (1 if rest[:1] in '{"' else 0)
            continue
        if offset and text.strip():
            stripped = len(text) - len(text.lstrip())
            return index + 1, stripped + 1 + (1 if text.lstrip()[:1] in '{"' else 0)
    return line_no + 1, 1


def _unenclose(value: str) -> str:
    """A raw BibTeX value without its outer braces or quotes (as the parser's middleware does)."""
    value = value.strip()
    if len(value) >= 2 and (value[0], value[-1]) in (("{", "}"), ('"', '"')):
        return value[1:-1]
    return value


_COMMENT_LINE = re.compile(r"^[ \t]*%.*$", re.M)


def without_comment_lines(text: str) -> str:
    """`%` lines blanked (same length, so positions hold): pandoc and biber skip them, and an
    `@misc{...}` quoted in one must not become an entry."""
    return _COMMENT_LINE.sub(lambda m: " " * len(m.group()), text)


def parse_bibtex(
    text: str, display: str, problems: list[InputError] | None = None
) -> list[Reference]:
    """The entries of a .bib file; a broken entry raises, or with `problems` is one of them
    (the rest still read, as the build gives pandoc the file without it)."""
    import bibtexparser

    # The splitter logs each aborted block as a warning; we raise our own error instead.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    library = bibtexparser.parse_string(without_comment_lines(text))
    entries = list(library.entries)
    for block in library.failed_blocks:
        if isinstance(block, bibtexparser.model.DuplicateFieldKeyBlock):
            # pandoc keeps the last value; the linter reports both lines.
            entry = block.ignore_error_block
            if entry is not None:
                for item in entry.fields:
                    item.value = _unenclose(item.value)
                entries.append(entry)
            continue
        if isinstance(block, bibtexparser.model.DuplicateBlockKeyBlock):
            # A key defined twice is the linter's to report (citation/duplicate-key), with
            # both places; pandoc itself uses the first.
            duplicate = block.ignore_error_block
            if duplicate is not None:
                for item in duplicate.fields:
                    item.value = _unenclose(item.value)
                entries.append(duplicate)
            continue
        error = getattr(block, "error", None)
        reason = str(getattr(error, "abort_reason", "") or "cannot parse it").rstrip(".")
        end = getattr(error, "end_index", None)
        line = text.count("\n", 0, end) + 1 if end is not None else block.start_line + 1
        if end is None or "end of file" in reason:
            reason += " (an unclosed brace or quote?)"
        problem = InputError(
            f"BibTeX syntax error in the entry starting on line {block.start_line + 1}: {reason}",
            display,
            line,
        )
        if problems is None:
            raise problem
        problems.append(problem)
    lines = text.split("\n")
    references = []
    for entry in sorted(entries, key=lambda e: e.start_line):
        ref = Reference(
            id=entry.key,
            type=entry.entry_type.lower(),
            file=display,
            line=entry.start_line + 1,
            column=1,
            syntax="bibtex",
        )
        for item in entry.fields:
            line, column = _value_column(lines, item.start_line, item.key)
            name = item.key.lower()
            if name in ref.fields:
                ref.duplicates.append((name, ref.fields[name].line, line))
            ref.fields[name] = RefField(item.value, line, column)
        references.append(ref)
    return references


# ---- CSL-JSON and CSL-YAML ----------------------------------------------------------------

_CSL_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "type"],
        "properties": {
            "id": {"type": ["string", "number"]},
            "type": {"type": "string"},
            "title": {"type": "string"},
            "container-title": {"type": "string"},
            "DOI": {"type": "string"},
            "URL": {"type": "string"},
            "page": {"type": ["string", "number"]},
            "volume": {"type": ["string", "number"]},
            "issue": {"type": ["string", "number"]},
            "author": {"type": "array", "items": {"type": "object"}},
            "editor": {"type": "array", "items": {"type": "object"}},
            # pandoc accepts a bare year (issued: 2003) in CSL-YAML
            "issued": {"type": ["object", "string", "number"]},
            "accessed": {"type": ["object", "string", "number"]},
        },
    },
}


class _PlainLoader(yaml.SafeLoader):
    """Like pandoc: dates stay strings, so an impossible date is a finding, not a crash."""


_PlainLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _bounded_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """An integer, unless absurdly long (Python would refuse it with a traceback)."""
    if len(node.value) > limits.MAX_NUMBER_DIGITS:
        problem = f"a number of more than {limits.MAX_NUMBER_DIGITS} digits"
        raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)
    return int(yaml.SafeLoader.construct_yaml_int(loader, node))


_PlainLoader.add_constructor("tag:yaml.org,2002:int", _bounded_int)


def load_yaml(text: str, display: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML (dates kept as text) and also return the node tree with positions."""
    limits.check_yaml(text, display)  # no aliases, bounded nesting: pandoc reads it too
    try:
        node = yaml.compose(text, Loader=_PlainLoader)
        data = _PlainLoader(text).get_single_data() if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "\t" in problem or "'\\t'" in problem:
            problem += " (YAML does not allow tabs for indentation)"
        raise InputError(
            f"invalid YAML: {problem}",
            display,
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        ) from None
    return data, node


_FOUND = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
_WANTED = {"array": "a list", "object": "an object", "string": "text", "integer": "a number"}


def _schema_message(exc: Any) -> str:
    """jsonschema's words, without quoting a whole (perhaps huge) value back at the user."""
    if exc.validator == "type":
        wanted = (
            exc.validator_value if isinstance(exc.validator_value, list) else [exc.validator_value]
        )
        wanted = " or ".join(_WANTED.get(w, f"a {w}") for w in wanted)
        found = _FOUND.get(type(exc.instance), "a number")
        return f"expected {wanted}, found {found}"
    message = str(exc.message)
    return message if len(message) <= 160 else message[:157] + "..."


def _mapping_positions(node: yaml.Node) -> dict[str, tuple[int, int]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value): (value.start_mark.line + 1, value.start_mark.column + 1)
        for key, value in node.value
        if isinstance(key, yaml.ScalarNode)
    }


def _csl_items(data: Any, node: yaml.Node | None, display: str) -> list[Reference]:
    if isinstance(data, dict) and "references" in data:
        data = data["references"]
        if isinstance(node, yaml.MappingNode):
            node = next(
                (v for k, v in node.value if getattr(k, "value", None) == "references"), None
            )
    import jsonschema

    try:
        jsonschema.validate(data, _CSL_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = list(exc.absolute_path)
        line = None
        if where and isinstance(node, yaml.SequenceNode) and isinstance(where[0], int):
            target: yaml.Node = node.value[where[0]]
            if len(where) > 1 and isinstance(target, yaml.MappingNode):
                target = next((v for k, v in target.value if k.value == where[1]), target)
            line = target.start_mark.line + 1
        elif not where and node is not None:  # the whole file is of the wrong shape
            line = node.start_mark.line + 1
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where) or "top level"
        raise InputError(f"not CSL data: {path}: {_schema_message(exc)}", display, line) from None
    # JSON and YAML should agree on the items; if they ever do not, positions fall back.
    item_nodes = node.value if isinstance(node, yaml.SequenceNode) else [None] * len(data)
    references = []
    for item, item_node in zip(data, item_nodes, strict=False):
        positions = _mapping_positions(item_node) if item_node is not None else {}
        line, column = (
            (item_node.start_mark.line + 1, item_node.start_mark.column + 1)
            if item_node
            else (1, 1)
        )
        ref = Reference(str(item["id"]), str(item["type"]), display, line, column, syntax="csl")
        for key, value in item.items():
            at = positions.get(key, (line, column))
            ref.fields[key] = RefField(value, at[0], at[1])
        references.append(ref)
    return references


def inline_references(data: Any, node: yaml.Node | None, display: str) -> list[Reference]:
    """The `references:` of a YAML metadata block (pandoc cites them like a file's)."""
    return _csl_items(data, node, display)


class _Unreadable(Exception):
    """A JSON value Python would read but pandoc would not, or not in bounded time."""


def _no_constant(name: str) -> None:
    raise _Unreadable(f"invalid JSON: {name} is not a JSON value")  # pandoc refuses them


def _bounded_json_int(digits: str) -> int:
    if len(digits.lstrip("-")) > limits.MAX_NUMBER_DIGITS:
        raise _Unreadable(f"a number of more than {limits.MAX_NUMBER_DIGITS} digits")
    return int(digits)


def parse_csl_json(text: str, display: str) -> list[Reference]:
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_int=_bounded_json_int)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", display, exc.lineno, exc.colno) from None
    except _Unreadable as exc:
        found = re.search(r"\b(?:NaN|Infinity)\b", text) if "JSON" in str(exc) else None
        line = (
            limits.long_number_line(text)
            if found is None
            else text.count("\n", 0, found.start()) + 1
        )
        raise InputError(str(exc), display, line) from None
    try:  # JSON is YAML: reuse the YAML composer for field positions
        _, node = load_yaml(text, display)
    except InputError:
        node = None
    return _csl_items(data, node, display)


def parse_csl_yaml(text: str, display: str) -> list[Reference]:
    data, node = load_yaml(text, display)
    return _csl_items(data, node, display)


_PARSERS = {"bibtex": parse_bibtex, "csljson": parse_csl_json, "cslyaml": parse_csl_yaml}


def parse(
    text: str, suffix: str, display: str, problems: list[InputError] | None = None
) -> list[Reference]:
    """Parse one reference file's text, its syntax chosen by the file's suffix.

    With `problems`, a broken BibTeX entry is added to it instead of raised.
    """
    syntax = REFERENCE_SUFFIXES.get(suffix.lower())
    if syntax is None:
        raise InputError(f"unknown reference format '{suffix}' (use .bib, .json or .yaml)", display)
    # Bounded before any parser (or pandoc, which reads these files too) sees them.
    {"bibtex": limits.check_bibtex, "csljson": limits.check_json}.get(
        syntax, lambda text, display: None
    )(text, display)
    if syntax == "bibtex":
        return parse_bibtex(text, display, problems)
    return _PARSERS[syntax](text, display)
