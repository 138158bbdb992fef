"""Build, lint and preview this manuscript with presswork. `nox -l` lists the sessions."""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True  # a second run starts in seconds
nox.options.sessions = ["lint", "build"]

# Where presswork comes from: PRESSWORK_SPEC if set (a version, a git URL or a folder, as pip
# takes it), else the presswork that `presswork new` ran from when it made this project: its
# git URL and commit, its version, or (made from a checkout) the wheel copied into vendor/.
# To change it for good, edit the string below (README.md, "Which presswork").
PRESSWORK = os.environ.get("PRESSWORK_SPEC", "__PRESSWORK_SPEC__")


@nox.session
def build(session: nox.Session) -> None:
    """Build every format and style into build/ (args go to presswork build, e.g. --style apa)."""
    session.install(PRESSWORK)
    session.run("presswork", "build", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check footnotes, dates, DOIs and citations (args go to presswork lint)."""
    session.install(PRESSWORK)
    session.run("presswork", "lint", *session.posargs)


@nox.session
def preview(session: nox.Session) -> None:
    """Serve the HTML on 127.0.0.1, rebuilt on every save (args go to presswork watch)."""
    session.install(PRESSWORK)
    session.run("presswork", "watch", *session.posargs)
