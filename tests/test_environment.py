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


@pytest.mark.parametrize("jobs", ["1", "2"], ids=["in-process", "worker-pool"])
def test_a_build_leaves_nothing_in_the_temporary_folder(tmp_path: Path, jobs: str) -> None:
    """WeasyPrint copies the fonts of every PDF to a temporary folder; none may stay behind."""
    import os
    import subprocess

    root = tmp_path / "paper"
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "metadata.yaml").write_text("title: Fonts\nlang: en-US\n")
    (root / "manuscript" / "01-text.md").write_text("# One\n\nSome *text* and a note.^[Here.]\n")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    command = [sys.executable, "-m", "presswork", "build", str(root), "-f", "pdf", "-j", jobs]
    done = subprocess.run(
        [*command, "-s", "apa,ieee"],
        env={**os.environ, "TMPDIR": str(temporary)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert len(list((root / "build").rglob("*.pdf"))) == 2
    assert sorted(p.name for p in temporary.iterdir() if p.name.startswith("weasyprint-")) == []
