"""Bounds on structure in untrusted data files, checked before any parser or pandoc sees them.

YAML aliases can expand a few lines into gigabytes ("billion laughs"); BibTeX `@string`
concatenation does the same; nesting thousands deep exhausts Python's (or pandoc's) stack.
Each check is one linear scan and a one-line error naming the file.
"""

from __future__ import annotations

import re

import yaml

from presswork.errors import InputError

MAX_DEPTH = 100  # no real metadata, CSL item or BibTeX value nests deeper than a handful
MAX_STRING_EXPANSION = 1024 * 1024  # characters one BibTeX @string macro may expand to


def check_yaml(text: str, display: str) -> None:
    """Refuse YAML aliases (pandoc expands them) and nesting deeper than MAX_DEPTH."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise InputError(
                    "YAML aliases (*name) are not allowed: they can expand without bound",
                    display,
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                )
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise InputError(
                        f"YAML nests more than {MAX_DEPTH} levels deep",
                        display,
                        mark.line + 1 if mark else None,
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return  # the caller's parser reports syntax errors with their position


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def check_json(text: str, display: str) -> None:
    """Refuse JSON nesting deeper than MAX_DEPTH (json.loads would recurse into it)."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise InputError(f"JSON nests more than {MAX_DEPTH} levels deep", display, line)
        elif token in "]}":
            depth -= 1


_STRING_DEF = re.compile(r"@string\s*[{(]\s*([^\s=#{}()\"]+)\s*=", re.IGNORECASE)
_BRACES = re.compile(r"[{}]")


def check_bibtex(text: str, display: str) -> None:
    """Refuse brace nesting deeper than MAX_DEPTH and @string macros that expand too far."""
    depth = 0
    for match in _BRACES.finditer(text):
        if match.group() == "{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise InputError(f"BibTeX braces nest more than {MAX_DEPTH} deep", display, line)
        elif depth:
            depth -= 1
    sizes: dict[str, int] = {}
    for match in _STRING_DEF.finditer(text):
        name = match.group(1).lower()
        value = _macro_value(text, match.end())
        size = 0
        for part in _split_concatenation(value):
            part = part.strip()
            if part[:1] in ('"', "{") or part.isdigit():
                size += max(0, len(part) - 2)
            else:
                size += sizes.get(part.lower(), len(part))
        sizes[name] = size
        if size > MAX_STRING_EXPANSION:
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(
                f"@string '{match.group(1)}' expands to {size:,} characters, over the limit "
                f"of {MAX_STRING_EXPANSION:,}",
                display,
                line,
            )


def _macro_value(text: str, start: int) -> str:
    """The raw value of an @string definition from `start` to its closing bracket."""
    depth = 0
    quoted = False
    for index in range(start, len(text)):
        char = text[index]
        if char == '"' and depth == 0:
            quoted = not quoted
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0 and not quoted:
                return text[start:index]
            depth -= 1
        elif char == ")" and depth == 0 and not quoted:
            return text[start:index]
    return text[start:]


def _split_concatenation(value: str) -> list[str]:
    """Parts of `a # "b" # {c}` at top-level '#'."""
    parts: list[str] = []
    depth = 0
    quoted = False
    current: list[str] = []
    for char in value:
        if char == '"' and depth == 0:
            quoted = not quoted
        elif char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        if char == "#" and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


_MARKDOWN_YAML = re.compile(
    r"^---[ \t]*\n(?=\S)(.*?)\n(?:---|\.\.\.)[ \t]*$", re.MULTILINE | re.DOTALL
)


def check_markdown_yaml(text: str, display: str) -> None:
    """The same bounds for YAML metadata blocks inside a chapter (pandoc reads them anywhere).

    Only a block that parses as a YAML mapping is one for pandoc; other `---` lines are rules.
    """
    for match in _MARKDOWN_YAML.finditer(text):
        block = match.group(1)
        if "*" not in block and block.count("[") + block.count("{") <= MAX_DEPTH:
            continue  # no alias and too few brackets to nest too deep: nothing to check
        try:
            node = yaml.compose(block, Loader=yaml.SafeLoader)
        except (yaml.YAMLError, RecursionError):
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        offset = text.count("\n", 0, match.start(1))
        try:
            check_yaml(block, display)
        except InputError as exc:
            exc.line = exc.line + offset if exc.line is not None else offset + 1
            raise
