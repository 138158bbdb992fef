"""Project settings: `presswork.toml` at the project root, or `[tool.presswork]` in pyproject.toml.

One typed class; every key has a default and help text, unknown keys get a "did you mean".
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from presswork import confine, limits
from presswork.errors import InputError
from presswork.textio import read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_STYLES = (
    "chicago-notes-bibliography",
    "chicago-author-date",
    "apa",
    "modern-language-association",
)
DEFAULT_FORMATS = ("pdf", "html", "epub")
# WeasyPrint's pdf.VARIANTS, listed here so that loading settings does not import WeasyPrint;
# tests/test_extra_formats.py keeps the two in sync.
PDF_VARIANTS = (
    "debug",
    "pdf/a-1a",
    "pdf/a-1b",
    "pdf/a-2a",
    "pdf/a-2b",
    "pdf/a-2u",
    "pdf/a-3a",
    "pdf/a-3b",
    "pdf/a-3u",
    "pdf/a-4e",
    "pdf/a-4f",
    "pdf/a-4u",
    "pdf/ua-1",
    "pdf/ua-2",
    "pdf/x-1a",
    "pdf/x-3",
    "pdf/x-4",
    "pdf/x-5g",
)
NO_PDF_VARIANT = "none"
# Bounds on numbers an untrusted settings file sets: a day of pandoc, a library far past any book.
MAX_NUMBERS = {"max_cited_works": 100_000, "pandoc_timeout": 86_400}
FOLDER_SETTINGS = ("manuscript_dir", "references_dir", "styles_dir", "build_dir")


@dataclass(frozen=True)
class Settings:
    """What a manuscript project may configure."""

    name: str = field(
        default="", metadata={"help": "output file stem; default: the directory's name"}
    )
    formats: tuple[str, ...] = field(
        default=DEFAULT_FORMATS, metadata={"help": "formats built when --format is not given"}
    )
    styles: tuple[str, ...] = field(
        default=DEFAULT_STYLES, metadata={"help": "CSL styles built when --style is not given"}
    )
    manuscript_dir: str = field(default="manuscript", metadata={"help": "folder of Markdown files"})
    references_dir: str = field(default="references", metadata={"help": "folder of references"})
    styles_dir: str = field(default="styles", metadata={"help": "folder of local .csl styles"})
    build_dir: str = field(default="build", metadata={"help": "folder the outputs go to"})
    pdf_variant: str = field(
        default="",
        metadata={"help": "WeasyPrint PDF variant, e.g. pdf/ua-1 or pdf/a-3b", "output": True},
    )
    url: str = field(
        default="",
        metadata={"help": "the article's web address (og:url, JSON-LD, citations)", "output": True},
    )
    pdf_url: str = field(
        default="",
        metadata={
            "help": "the PDF's web address (citation_pdf_url); {style} and {name} expand",
            "output": True,
        },
    )
    cite_styles: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": 'styles of the "Cite this article" block; default: DEFAULT_STYLES',
            "output": True,
        },
    )
    max_cited_works: int = field(
        default=2000,
        metadata={
            "help": "most distinct works cited in a style that disambiguates given names (APA, "
            "Chicago author-date): pandoc's time there grows with the square of the count"
        },
    )
    pandoc_timeout: int = field(
        default=300,
        metadata={
            "help": "seconds one pandoc run may take before the build stops: pandoc's Markdown "
            "reader takes exponential time on some inputs (jgm/pandoc#1735)"
        },
    )
    lint: dict[str, Any] = field(default_factory=dict, metadata={"help": "[lint] table"})
    source: str = field(default="", metadata={"help": "where these settings were read from"})


def output_fingerprint(settings: Settings) -> str:
    """The settings that change an output's bytes (marked "output"), for the build's keys.

    Which styles and formats are built, or lint options, do not change any one output.
    """
    return repr(
        [(f.name, getattr(settings, f.name)) for f in fields(settings) if f.metadata.get("output")]
    )


def effective_cite_styles(settings: Settings) -> tuple[str, ...]:
    """The styles of the "Cite this article" block: `cite-styles`, else the default styles.

    Not the project's `styles`: adding a style to build must not rebuild every other page.
    """
    return settings.cite_styles or DEFAULT_STYLES


_KEYS = {f.name.replace("_", "-"): f for f in fields(Settings) if f.name != "source"}
_TOML_LOCATION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _read_toml(path: Path, display: str) -> dict[str, Any]:
    text = read_text(path, display, allow_empty=True, root=path.parent)
    try:
        return tomllib.loads(text)
    except RecursionError:
        message = "TOML nests too deeply (arrays or tables inside each other)"
        raise InputError(message, display) from None
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LOCATION.search(str(exc))
        line = int(match.group(1)) if match else None
        column = int(match.group(2)) if match else None
        message = _TOML_LOCATION.sub("", str(exc)).strip()
        raise InputError(f"invalid TOML: {message}", display, line, column) from None
    except ValueError:  # tomllib lets Python's int() refuse more than 4,300 digits
        message = f"invalid TOML: a number of more than {limits.MAX_NUMBER_DIGITS} digits"
        raise InputError(message, display, limits.long_number_line(text)) from None


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.5)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def _as_tuple(key: str, value: Any, path: Path | str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"setting '{key}' must be a list of strings", path)
    return tuple(value)


def from_table(table: dict[str, Any], path: Path | str) -> Settings:
    """Validate one settings table (already parsed from TOML)."""
    values: dict[str, Any] = {"source": str(path)}
    for key, value in table.items():
        spec = _KEYS.get(key) or _KEYS.get(key.replace("_", "-"))
        if spec is None:
            raise InputError(f"unknown setting '{key}'{_suggest(key, list(_KEYS))}", path)
        if spec.name in ("formats", "styles", "cite_styles"):
            value = _as_tuple(key, value, path)
        elif spec.name == "lint":
            if not isinstance(value, dict):
                raise InputError("setting 'lint' must be a table", path)
        elif spec.name in ("max_cited_works", "pandoc_timeout"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"setting '{key}' must be a whole number of at least 1", path)
            if value > MAX_NUMBERS[spec.name]:
                shown = value if value < 10**12 else "huge"  # not hundreds of digits quoted back
                raise InputError(
                    f"setting '{key}' is {shown}, over the limit of {MAX_NUMBERS[spec.name]}", path
                )
        elif not isinstance(value, str):
            raise InputError(f"setting '{key}' must be a string", path)
        for text in value if isinstance(value, tuple) else (value,):
            if isinstance(text, str) and "\x00" in text:
                raise InputError(f"setting '{key}' contains a NUL character", path)
        if spec.name in ("url", "pdf_url") and value and not re.match(r"https?://", value, re.I):
            raise InputError(f"setting '{key}' must be an http:// or https:// address", path)
        if spec.name in ("url", "pdf_url") and re.search(r"[\x00-\x20\x7f]", value):
            raise InputError(f"setting '{key}' must be one address: no spaces or line breaks", path)
        if spec.name in FOLDER_SETTINGS:
            confine.check_relative(key, value, str(path))
        elif spec.name == "name" and value:
            confine.check_name(key, value, str(path))
        if spec.name == "pdf_variant" and value not in (*PDF_VARIANTS, NO_PDF_VARIANT, ""):
            known = ", ".join([NO_PDF_VARIANT, *PDF_VARIANTS])
            raise InputError(
                f"setting '{key}': unknown PDF variant '{value}'"
                f"{_suggest(value, list(PDF_VARIANTS))} (known: {known})",
                path,
            )
        values[spec.name] = value
    _check_folders_apart(values, path)
    return Settings(**values)


def _check_folders_apart(values: dict[str, Any], path: Path | str) -> None:
    """The build folder may not be (or hold, or sit in) a source folder: it is written to."""
    build = _parts(values.get("build_dir", "build"))
    for key in ("manuscript_dir", "references_dir", "styles_dir"):
        other = _parts(values.get(key, key.removesuffix("_dir").replace("_", "-")))
        shorter = min(len(build), len(other))
        if build[:shorter] == other[:shorter]:
            raise InputError(
                f"setting 'build-dir' ({'/'.join(build)}) overlaps "
                f"'{key.replace('_', '-')}' ({'/'.join(other)}): outputs would mix with sources",
                path,
            )


def _parts(folder: str) -> list[str]:
    return [p for p in folder.replace("\\", "/").split("/") if p not in ("", ".")]


def load(root: Path) -> Settings:
    """Read presswork.toml, else [tool.presswork] in pyproject.toml, else defaults."""
    for name in ("presswork.toml", "pyproject.toml"):
        path = root / name
        if not os.path.lexists(path):
            continue
        if path.is_dir():
            raise InputError("is a folder, not a settings file", name)
        data = _read_toml(path, name)  # a FIFO, device or link out of the project: refused
        if name == "presswork.toml":
            return from_table(data, name)
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise InputError("'tool' must be a table ([tool.presswork])", name)
        table = tool.get("presswork")
        if table is None:
            continue
        if not isinstance(table, dict):
            raise InputError("'tool.presswork' must be a table ([tool.presswork])", name)
        return from_table(table, name)
    return Settings()
