"""Templates, stylesheets and fonts shipped with presswork: outputs do not depend on the machine."""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from pathlib import Path

ASSETS = Path(__file__).parent


def asset_path(name: str) -> Path:
    return ASSETS / name


@cache
def asset_text(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A hash of every shipped asset: a change of template, CSS or font rebuilds every target."""
    digest = hashlib.sha256()
    for path in sorted(ASSETS.rglob("*")):
        if path.is_file() and path.suffix not in {".py", ".pyc"}:
            digest.update(path.relative_to(ASSETS).as_posix().encode())
            digest.update(path.read_bytes())
    from presswork.fonts import fingerprint as optional_fonts  # installed apart from assets/

    digest.update(optional_fonts().encode())
    return digest.hexdigest()
