"""When WeasyPrint cannot load Pango: one line saying what to install; HTML and EPUB still build."""

from __future__ import annotations

import importlib.abc
import sys
from pathlib import Path

import pytest

from presswork.cli import main


class _NoPango(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name == "weasyprint" or name.startswith("weasyprint."):
            # what cffi raises when libpango is missing
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: not found")
        return None


def test_missing_pango_is_one_line_and_other_formats_build(
    flagship: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])
    code = main(["build", str(flagship), "-s", "apa", "-f", "pdf,html,epub", "-j", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "apt-get install libpango-1.0-0" in err
    assert "Traceback" not in err
    out = flagship / "build" / "apa"
    assert (out / "prague-spring-1968.html").is_file() and (
        out / "prague-spring-1968.epub"
    ).is_file()
    assert not (out / "prague-spring-1968.pdf").exists()
