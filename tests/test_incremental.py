"""Work done once: one parse per build, one citeproc per style, nothing redone when unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import copy_flagship
from helpers import sha256
from presswork import pandoc
from presswork.build import build


def statuses(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {o.target.path.as_posix(): o.status for o in report.outcomes}


def test_pandoc_starts_once_to_parse_and_once_per_style_and_format(flagship: Path) -> None:
    before = pandoc.starts
    build(flagship, format_names=["html", "epub"], style_names=["apa", "chicago-author-date"])
    # 1 parse + per style: 1 citeproc, 1 HTML page, 1 EPUB
    assert pandoc.starts - before == 1 + 2 * 3


def test_unchanged_rebuild_starts_nothing_and_a_change_rebuilds(flagship: Path) -> None:
    formats = ["html", "epub"]
    first = build(flagship, format_names=formats, style_names=["apa"])
    assert set(statuses(first).values()) == {"built"}
    manifest = (flagship / "build" / "manifest.json").read_bytes()

    before = pandoc.starts
    second = build(flagship, format_names=formats, style_names=["apa"])
    assert set(statuses(second).values()) == {"unchanged"}
    assert pandoc.starts == before
    assert (flagship / "build" / "manifest.json").read_bytes() == manifest

    chapter = flagship / "manuscript" / "04-conclusion.md"
    chapter.write_text(chapter.read_text().replace("Hence, Soviets lost", "So Soviets lost"))
    third = build(flagship, format_names=formats, style_names=["apa"])
    assert set(statuses(third).values()) == {"built"}
    html = (flagship / "build" / "apa" / "prague-spring-1968.html").read_text()
    assert "So Soviets lost more than they won" in html

    forced = build(flagship, format_names=["html"], style_names=["apa"], force=True)
    assert set(statuses(forced).values()) == {"built"}


def test_adding_a_style_builds_only_the_new_targets(flagship: Path) -> None:
    build(flagship, format_names=["html"], style_names=["apa"])
    report = build(
        flagship, format_names=["html"], style_names=["apa", "modern-language-association"]
    )
    assert statuses(report) == {
        "apa/prague-spring-1968.html": "unchanged",
        "modern-language-association/prague-spring-1968.html": "built",
    }
    manifest = json.loads((flagship / "build" / "manifest.json").read_text())
    assert len(manifest["outputs"]) == 2


@pytest.mark.slow
def test_two_builds_in_two_places_are_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1593561600")
    roots = [copy_flagship(tmp_path / name / "paper") for name in ("one", "two")]
    for root in roots:
        build(root, style_names=["chicago-notes-bibliography-subsequent-ibid"], jobs=1)
    outputs = sorted(p.relative_to(roots[0]) for p in (roots[0] / "build").rglob("*.*"))
    assert len([p for p in outputs if p.suffix in (".pdf", ".html", ".epub")]) == 3
    for relative in outputs:
        if relative.name.startswith("."):
            continue
        assert sha256(roots[0] / relative) == sha256(roots[1] / relative), relative
        data = (roots[0] / relative).read_bytes()
        assert str(tmp_path).encode() not in data


def test_check_reproducible_command(flagship: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from presswork.cli import main

    code = main(["build", str(flagship), "--check-reproducible", "-f", "html,epub", "-s", "apa"])
    assert code == 0
    assert "identical bytes" in capsys.readouterr().err
    assert not (flagship / "build").exists()  # the check builds elsewhere


def test_adding_a_style_in_the_settings_rebuilds_only_that_style(flagship: Path) -> None:
    settings = flagship / "presswork.toml"
    settings.write_text('name = "prague-spring-1968"\nstyles = ["apa"]\nformats = ["html"]\n')
    build(flagship)
    settings.write_text(
        'name = "prague-spring-1968"\nstyles = ["apa", "chicago-author-date"]\nformats = ["html"]\n'
    )
    assert statuses(build(flagship)) == {
        "apa/prague-spring-1968.html": "unchanged",
        "chicago-author-date/prague-spring-1968.html": "built",
    }
