"""Style names -> CSL files: bundled, dependent, local, by path; search and suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from presswork import styles
from presswork.cli import main
from presswork.errors import InputError


def test_bundled_styles_resolve_with_title_and_class() -> None:
    apa = styles.resolve("apa", Path("."))
    assert apa.path.name == "apa.csl" and apa.style_class == "in-text" and "APA" in apa.title
    chicago = styles.resolve("chicago-notes-bibliography", Path("."))
    assert chicago.uses_notes


def test_dependent_style_uses_its_parent_under_its_own_name() -> None:
    found = styles.resolve("nature-genetics", Path("."))
    assert found.name == "nature-genetics"
    assert found.path.name == "nature.csl"
    assert "Nature Genetics" in found.title


def test_more_than_ten_thousand_styles_are_bundled() -> None:
    assert len(styles.bundled_names()) > 10_000


def test_local_style_in_styles_folder_and_by_path(tmp_path: Path) -> None:
    source = styles.resolve("apa", Path(".")).path.read_text(encoding="utf-8")
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "house.csl").write_text(source, encoding="utf-8")
    assert styles.resolve("house", tmp_path).path == tmp_path / "styles" / "house.csl"
    assert styles.resolve("styles/house.csl", tmp_path).name == "house"


def test_unknown_style_names_three_close_matches() -> None:
    with pytest.raises(InputError) as caught:
        styles.resolve("modern-language-asociation", Path("."))
    message = str(caught.value)
    assert "did you mean modern-language-association" in message
    assert len(message.split("did you mean ", 1)[1].split(", ")) == 3


def test_styles_command_lists_matches_with_titles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["styles", "chicago", "author-date"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "chicago-author-date\tChicago Manual of Style 18th edition (author-date)" in lines
    assert all("chicago" in line.lower() for line in lines)
    assert main(["styles", "no-such-style-anywhere"]) == 1
