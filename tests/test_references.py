"""Reference files: every field with the position of its value; what pandoc accepts, we accept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from presswork.cli import main
from presswork.references import parse


def test_bibtex_fields_point_at_their_values() -> None:
    text = '@article{doe2020,\n  title = {A {Title}},\n  doi   = "10.1000/xyz",\n  year = 2020\n}\n'
    [ref] = parse(text, ".bib", "references/r.bib")
    assert (ref.id, ref.type, ref.line) == ("doe2020", "article", 1)
    assert (ref.fields["title"].line, ref.fields["title"].column) == (2, 12)
    assert (ref.fields["doi"].value, ref.fields["doi"].column) == ("10.1000/xyz", 12)
    assert (ref.fields["year"].value, ref.fields["year"].column) == ("2020", 10)


def test_csl_json_and_yaml_positions() -> None:
    [ref] = parse('[\n  {"id": "a", "type": "book",\n   "DOI": "10.1/x"}\n]\n', ".json", "r.json")
    assert (ref.fields["DOI"].line, ref.fields["DOI"].column) == (3, 11)
    [ref] = parse("references:\n- id: b\n  type: book\n  issued: 2003\n", ".yaml", "r.yaml")
    assert ref.get("issued") == 2003 and ref.fields["issued"].line == 4


def test_a_key_defined_twice_in_one_file_is_a_lint_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "references").mkdir()
    (tmp_path / "manuscript" / "metadata.yaml").write_text("title: T\n")
    (tmp_path / "manuscript" / "a.md").write_text("Text [@a].\n")
    (tmp_path / "references" / "r.bib").write_text(
        "@book{a, title = {One}, year = 2001}\n\n@book{a, title = {Two}, year = 2002}\n"
    )
    code = main(["lint", str(tmp_path), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    duplicates = [f for f in findings if f["rule"] == "citation/duplicate-key"]
    assert code == 1
    assert [(f["file"], f["line"]) for f in duplicates] == [("references/r.bib", 3)]
