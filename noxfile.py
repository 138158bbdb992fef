"""Sessions for building the manuscript and developing presswork. `nox -l` lists them."""

from __future__ import annotations

import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True  # a second run starts in seconds
nox.options.sessions = ["build", "lint", "tests"]

PYTHON = None  # the interpreter nox runs on; presswork supports 3.10+


def project_styles() -> list[str]:
    """The styles presswork.toml asks for, so CI can spread them over runners."""
    if sys.version_info < (3, 11):
        return ["default"]  # no tomllib: one session builds every default style
    import tomllib

    settings = Path(__file__).parent / "presswork.toml"
    try:
        styles = tomllib.loads(settings.read_text(encoding="utf-8")).get("styles")
    except (OSError, tomllib.TOMLDecodeError):
        styles = None
    return list(styles) if isinstance(styles, list) and styles else ["default"]


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build the manuscript: every default format and style into build/ (args go to presswork build)."""
    session.install("-e", ".")
    session.run("presswork", "build", *session.posargs)


@nox.session(python=PYTHON)
@nox.parametrize("style", project_styles())
def build_style(session: nox.Session, style: str) -> None:
    """Build every format of one style (CI runs one such session per runner)."""
    session.install("-e", ".")
    extra = [] if style == "default" else ["--style", style]
    session.run("presswork", "build", *extra, *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Lint the manuscript and its references (args go to presswork lint, e.g. --format sarif)."""
    session.install("-e", ".")
    session.run("presswork", "lint", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (args go to pytest, e.g. -k lint -x)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def style(session: nox.Session) -> None:
    """Check the code with ruff (lint and format)."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "noxfile.py")
