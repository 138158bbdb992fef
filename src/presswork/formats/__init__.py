"""Output formats, registered by name: a format is one module that registers one Format.

The registry feeds the CLI's choices and rejects duplicate names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from presswork.errors import InputError
from presswork.formats.document import StyleDocument


@dataclass(frozen=True)
class Format:
    """How to make one kind of output from a style's cited document."""

    name: str
    extension: str
    media_type: str
    render: Callable[[StyleDocument], bytes]
    description: str = ""


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    if fmt.name in _REGISTRY:
        raise ValueError(f"format '{fmt.name}' is registered twice")
    _REGISTRY[fmt.name] = fmt
    return fmt


def get(name: str) -> Format:
    _load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, list(_REGISTRY), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(
            f"unknown format '{name}' (known: {', '.join(sorted(_REGISTRY))}){hint}"
        ) from None


def names() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def _load_builtin() -> None:
    # Imported here, not at the top: each module registers itself on import. Python imports a
    # module once, so this is cheap after the first call, and right even when one format
    # module was imported on its own first (a registry that merely is not empty may lack some).
    from presswork.formats import csljson, docx, epub, html, jats, pdf  # noqa: F401
