"""The `[lint]` settings: rules on and off, severities, the reference date, mistakes named."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from lint_helpers import write_project

from presswork.errors import InputError
from presswork.lint import Severity, config_for, run_lint
from presswork.lint.config import from_table


def test_defaults_enable_every_rule_at_its_own_severity() -> None:
    config = from_table({})
    assert config.enabled("date/weekday") and not config.online
    assert config.severity_for("date/weekday", Severity.ERROR) is Severity.ERROR


def test_select_ignore_and_categories() -> None:
    config = from_table({"select": ["date", "doi/syntax"], "ignore": "date/weekday"})
    assert config.enabled("date/impossible") and config.enabled("doi/syntax")
    assert not config.enabled("date/weekday") and not config.enabled("doi/prefix")
    assert not config.enabled("footnote/unused")


def test_severity_by_rule_wins_over_category_and_off_disables() -> None:
    config = from_table(
        {"severity": {"date": "info", "date/weekday": "warning", "doi/prefix": "off"}}
    )
    assert config.severity_for("date/weekday", Severity.ERROR) is Severity.WARNING
    assert config.severity_for("date/invalid", Severity.ERROR) is Severity.INFO
    assert not config.enabled("doi/prefix")


def test_command_line_options_replace_select_and_add_to_ignore() -> None:
    config = from_table({"select": ["date"], "ignore": ["date/weekday"]})
    changed = config.with_options(select=["doi"], ignore=["doi/prefix"], online=True)
    assert changed.select == ("doi",) and changed.ignore == ("date/weekday", "doi/prefix")
    assert changed.online


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"selct": ["date"]}, ["unknown lint setting 'selct'", "did you mean 'select'"]),
        ({"ignore": ["date/weekdays"]}, ["unknown lint rule 'date/weekdays'", "date/weekday"]),
        ({"severity": {"date/weekday": "fatal"}}, ["must be one of"]),
        ({"severity": "error"}, ["must be a table"]),
        ({"reference-date": "June 2020"}, ["ISO date"]),
        ({"online": "yes"}, ["true or false"]),
        ({"select": 3}, ["list of rule ids"]),
    ],
)
def test_mistakes_are_input_errors_that_say_what(
    table: dict[str, object], words: list[str]
) -> None:
    with pytest.raises(InputError) as caught:
        from_table(table, "presswork.toml")
    for word in words:
        assert word in str(caught.value)
    assert caught.value.file == "presswork.toml"


def test_reference_date_accepts_toml_dates() -> None:
    assert from_table({"reference-date": datetime.date(2020, 6, 1)}).reference_date == "2020-06-01"
    assert from_table({"reference_date": "2020-06"}).reference_date == "2020-06"


def test_settings_file_drives_the_linter(tmp_path: Path) -> None:
    (tmp_path / "presswork.toml").write_text(
        '[lint]\nignore = ["footnote/unused"]\nreference-date = "2000"\n'
        '[lint.severity]\n"footnote/undefined" = "warning"\n',
        encoding="utf-8",
    )
    project = write_project(
        tmp_path,
        {
            "manuscript/01.md": "A[^x].\n\n[^y]: unused\n",
            "references/r.bib": "@book{a, title = {T}, year = {2001}}\n",
        },
    )
    findings = run_lint(project, config_for(project))
    assert [(f.rule, f.severity.value) for f in findings] == [
        ("footnote/undefined", "warning"),
        ("citation/unused", "info"),
        ("date/future-publication", "warning"),
    ]
