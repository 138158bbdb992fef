"""CI that tells the truth: no green where a warning still holds or a checker did not run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from presswork.cli import main


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    """A tiny project citing a key its references lack: a warning, an error under --strict."""
    root = tmp_path / "paper"
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text("title: A Small Paper\nlang: en-US\n")
    (root / "manuscript" / "01-body.md").write_text(
        "# Start\n\nAs shown [@doe2020, 4] and [@nobody1999].\n"
    )
    (root / "references" / "refs.bib").write_text(
        "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Title},\n"
        "  journal = {Journal},\n  year = {2020}\n}\n"
    )
    return root


def build(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["build", str(root), "-f", "html", "-s", "apa", *args])
    return code, capsys.readouterr().err


def test_strict_fails_an_up_to_date_build_whose_warnings_still_hold(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = build(paper, capsys)
    assert code == 0
    warning = "manuscript/01-body.md:3:29: citation '@nobody1999' is not in the references"
    assert warning in err

    manifest = json.loads((paper / "build" / "manifest.json").read_text())
    (entry,) = manifest["outputs"]
    assert entry["warnings"][0]["message"] == "citation '@nobody1999' is not in the references"

    code, err = build(paper, capsys)  # nothing changed: the warning is shown again
    assert code == 0
    assert "0 built, 1 up to date" in err
    assert warning in err

    code, err = build(paper, capsys, "--strict")
    assert code == 2
    assert f"presswork: error: {warning}" in err
    assert "up to date" not in err

    # Fixed, the warning is gone for good: the rebuilt entry holds none.
    body = paper / "manuscript" / "01-body.md"
    body.write_text(body.read_text().replace(" and [@nobody1999]", ""))
    assert build(paper, capsys, "--strict")[0] == 0
    code, err = build(paper, capsys, "--strict")
    assert code == 0
    assert "0 built, 1 up to date" in err
    assert "warning" not in err
