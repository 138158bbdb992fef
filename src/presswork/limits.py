"""Bounds on structure in untrusted data files, checked before any parser or pandoc sees them.

YAML aliases can expand a few lines into gigabytes ("billion laughs"); BibTeX `@string`
concatenation does the same; nesting thousands deep exhausts Python's (or pandoc's) stack.
Each check is one linear scan and a one-line error naming the file.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from presswork.errors import InputError

MAX_DEPTH = 100  # no real metadata, CSL item or BibTeX value nests deeper than a handful
MAX_STRING_EXPANSION = 1024 * 1024  # characters one BibTeX @string macro may expand to
# A reference or metadata file: thousands of entries fit in 1 MB; pandoc and citeproc need
# minutes and gigabytes for more than this (other text files: textio.MAX_TEXT_BYTES).
MAX_DATA_BYTES = 8 * 1024 * 1024
# Digits of one number in YAML, JSON or TOML: Python refuses to convert more than 4,300 (its
# time grows with the square of the length); no real setting or date needs more than a few.
MAX_NUMBER_DIGITS = 1000
_LONG_NUMBER = re.compile(rf"\d{{{MAX_NUMBER_DIGITS + 1},}}")


def long_number_line(text: str) -> int | None:
    """The line of the first number longer than MAX_NUMBER_DIGITS (None if there is none)."""
    match = _LONG_NUMBER.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


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


_QUOTE_PREFIX = re.compile(r"^(?:[ \t]*>)+", re.MULTILINE)
_HTML_NESTING = re.compile(r"<(/?)(div|span|section|blockquote)\b[^>]*?(/?)>", re.IGNORECASE)
_FENCED_DIV = re.compile(r"^[ \t]*(:{3,})[ \t]*(\S?)", re.MULTILINE)
MAX_BACKTICK_RUN = 1000  # pandoc's time grows with the square of one run: 10,000 take 4 s
_BACKTICKS = re.compile(rf"`{{{MAX_BACKTICK_RUN + 1},}}")
# Lists cost pandoc linear time (400 levels: 11 s), and real outlines indent 4 columns a level:
# pandoc builds 200 levels of those, so presswork does (tests/test_large.py); deeper than 1,000
# columns is refused.
MAX_LIST_INDENT = 1000
_LIST_ITEM = re.compile(  # a tab counts 4 columns: a quarter as many characters at least
    rf"^([ \t]{{{MAX_LIST_INDENT // 4},}})(?:[-*+]|\d{{1,9}}[.)])[ \t]", re.MULTILINE
)


def check_markdown_nesting(text: str, display: str) -> None:
    """Refuse lists, quotes, raw HTML containers and fenced divs nested over MAX_DEPTH deep.

    pandoc's time grows with the square of such nesting (10,000 quotes: 30 s, and a
    megabyte of them never ends; lists 400 deep: 11 s); its memory too. Linear scans.
    """

    def refuse(what: str, at: int) -> None:
        line = text.count("\n", 0, at) + 1
        raise InputError(f"{what} nest more than {MAX_DEPTH} deep", display, line)

    run = _BACKTICKS.search(text)
    if run is not None:
        line = text.count("\n", 0, run.start()) + 1
        message = (
            f"a run of more than {MAX_BACKTICK_RUN} backticks (pandoc's time grows with its square)"
        )
        raise InputError(message, display, line)
    for match in _LIST_ITEM.finditer(text):  # a tab counts 4 columns
        if len(match.group(1).expandtabs(4)) > MAX_LIST_INDENT:
            line = text.count("\n", 0, match.start()) + 1
            message = f"lists nest too deep (indented over {MAX_LIST_INDENT} columns)"
            raise InputError(message, display, line)
    for match in _QUOTE_PREFIX.finditer(text):
        if match.group().count(">") > MAX_DEPTH:
            refuse("block quotes ('>')", match.start())
    depth = 0
    for match in _HTML_NESTING.finditer(text):
        if match.group(3):
            continue  # <div/>: opens nothing
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        if depth > MAX_DEPTH:
            refuse("raw HTML elements (<div>, <span>...)", match.start())
    depth = 0
    for match in _FENCED_DIV.finditer(text):
        depth = depth + 1 if match.group(2) else max(0, depth - 1)
        if depth > MAX_DEPTH:
            refuse("fenced divs (:::)", match.start())


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


# Levels of elements in one formula's MathML: ziamath lays out each row's children twice, so
# its time doubles with every level (fractions nested 12 deep, 25 levels: 1 s; 20 deep: hours).
MAX_MATH_DEPTH = 24


def tree_depth(element: Any) -> int:
    """Levels of an ElementTree element, counted without recursion."""
    deepest = 0
    stack = [(element, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in node)
    return deepest


MAX_IMAGE_PIXELS = 50_000_000  # a 7,000 x 7,000 photograph; WeasyPrint decodes every pixel


def image_pixels(data: bytes) -> int | None:
    """Width x height from a PNG, GIF, JPEG or WebP header (None when not found).

    A tiny file can declare 100,000 x 100,000 pixels (a "decompression bomb"): refused before
    any decoder allocates them.
    """
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big") * int.from_bytes(data[20:24], "big")
    if data[:4] in (b"GIF8",) and len(data) >= 10:
        return int.from_bytes(data[6:8], "little") * int.from_bytes(data[8:10], "little")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return width * height
        if chunk == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return ((bits & 0x3FFF) + 1) * (((bits >> 14) & 0x3FFF) + 1)
        if chunk == b"VP8 ":
            width = int.from_bytes(data[26:28], "little") & 0x3FFF
            height = int.from_bytes(data[28:30], "little") & 0x3FFF
            return width * height
        return None
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                index += 1
                continue
            marker = data[index + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                index += 1 if marker == 0xFF else 2
                continue
            length = int.from_bytes(data[index + 2 : index + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height = int.from_bytes(data[index + 5 : index + 7], "big")
                width = int.from_bytes(data[index + 7 : index + 9], "big")
                return width * height
            index += 2 + max(length, 2)
    return None
