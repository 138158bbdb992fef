"""The command lines the benchmark times: presswork, the raw tools, and Quarto's engines."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

PYTHON = sys.executable
TYPST_COMPILE = "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2])"
TYPST_VERSION = "import importlib.metadata as m, typst; print(m.version('typst'))"
_SUMMARY = re.compile(r"(\d+) built, (\d+) up to date")


def presswork_build(project: Path, *extra: str, jobs: int = 2) -> list[str]:
    """`python -m presswork build DIR --jobs N ...`, as a user runs it."""
    return [PYTHON, "-m", "presswork", "build", str(project), "--jobs", str(jobs), *extra]


def presswork_lint(project: Path) -> list[str]:
    """`python -m presswork lint DIR`."""
    return [PYTHON, "-m", "presswork", "lint", str(project)]


def built_and_unchanged(stderr: str) -> tuple[int, int] | None:
    """The (built, up to date) counts from presswork build's closing line."""
    found = _SUMMARY.findall(stderr)
    return (int(found[-1][0]), int(found[-1][1])) if found else None


@dataclass(frozen=True)
class Sources:
    """What a naive pandoc command line names: metadata, chapters in order, references."""

    project: Path
    metadata: str
    chapters: tuple[str, ...]
    bibliographies: tuple[str, ...]

    @classmethod
    def of(cls, project: Path) -> Sources:
        """The sources of a project laid out like the flagship (relative to the project)."""
        chapters = sorted(p.name for p in (project / "manuscript").glob("*.md"))
        refs = sorted(p.name for p in (project / "references").iterdir() if p.is_file())
        return cls(
            project,
            "manuscript/metadata.yaml",
            tuple(f"manuscript/{name}" for name in chapters),
            tuple(f"references/{name}" for name in refs),
        )

    def keywords(self) -> list[str]:
        """The metadata's keywords, for the Typst template's workaround below."""
        data = yaml.safe_load((self.project / self.metadata).read_text(encoding="utf-8"))
        return [str(word) for word in data.get("keywords", [])]


def pandoc_citeproc(pandoc: str, sources: Sources, csl: Path, to: str, out: Path) -> list[str]:
    """One pandoc run from the sources to one format, with citeproc and the given CSL file."""
    command = [pandoc, "--metadata-file", sources.metadata, *sources.chapters, "--citeproc"]
    for bib in sources.bibliographies:
        command += ["--bibliography", bib]
    command += ["--csl", str(csl), "--to", to, "--output", str(out)]
    if to != "epub3":
        command.append("--standalone")
    return command


def weasyprint(html: Path, pdf: Path) -> list[str]:
    """`python -m weasyprint in.html out.pdf`: one process per PDF, as a naive Makefile does."""
    return [PYTHON, "-m", "weasyprint", str(html), str(pdf)]


def pandoc_typst(pandoc: str, sources: Sources, csl: Path, out: Path) -> list[str]:
    """Pandoc to a standalone Typst file, as Quarto's typst format starts."""
    command = pandoc_citeproc(pandoc, sources, csl, "typst", out)
    # pandoc's default Typst template writes the keywords unquoted, which Typst rejects
    # ("expected comma"); quoted variables take the metadata's place, as Quarto's template does.
    for word in sources.keywords():
        command += ["--variable", f'keywords="{word}"']
    return command


def typst_compile(typ: Path, pdf: Path) -> list[str]:
    """The `typst` Python package compiling one file to PDF, in its own process."""
    return [PYTHON, "-c", TYPST_COMPILE, str(typ), str(pdf)]
