"""Sessions for building the manuscript and developing presswork. `nox -l` lists them."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True  # a second run starts in seconds
nox.options.sessions = ["build", "lint", "tests"]

PYTHON = None  # the interpreter nox runs on; presswork supports 3.10+


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build the manuscript: every default format and style into build/ (args go to presswork build)."""
    session.install("-e", ".")
    session.run("presswork", "build", *session.posargs)


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
