"""presswork: a manuscript and its references in, PDF, HTML and EPUB out, in any CSL style."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "build", "load_project"]


def build(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Build a project (see presswork.build.build); imported lazily to keep start-up fast."""
    from presswork.build import build as _build

    return _build(*args, **kwargs)


def load_project(root="."):  # type: ignore[no-untyped-def]
    """Read and validate a project (see presswork.project.load)."""
    from presswork.project import load

    return load(root)
