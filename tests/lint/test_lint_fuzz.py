"""No input makes the linter crash, and no input makes it slow (Hypothesis and adversaries)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from presswork.errors import InputError
from presswork.lint import LintConfig, run_lint
from presswork.lint.bench import ADVERSARIES, adversarial_line
from presswork.lint.source import scan
from presswork.project import Project, SourceFile
from presswork.references import parse
from presswork.settings import Settings

FRAGMENTS = [
    "[^1]",
    "[^a]: ",
    "\n[^b]:\n",
    "^[",
    "]",
    "[",
    "@key",
    "[@key, 12]",
    "[-@k; @j, pp. 3–5]",
    "`",
    "``",
    "```\n",
    "~~~\n",
    "    ",
    "\t",
    "\n",
    "\n\n",
    "<!--",
    "-->",
    "<!-- presswork: ignore date -->",
    "$",
    "$$",
    "\\",
    "\\[",
    "<https://doi.org/10.1000/x>",
    "doi:10.12/x",
    "10.1000/abc.",
    "30 February 1968",
    "Tuesday, 21 August 1968",
    "1975–1968",
    "June 31, 1968",
    "Ibid., 12.",
    "- ",
    "1. ",
    "# ",
    "> ",
    "---\n",
    ":   ",
    "~ ",
    "::: {.x}\n",
    ":::\n",
    "| ",
    "+---+\n",
    "------- ----\n",
    "(@ex) ",
    "```{=html}\n",
    "The invasion of Xland in ",
    "1968",
    "1938",
    "January ",
    "Dubcek ",
    "é",
    "\u2028",
    "\r",
    "\x00",
    "{#id}",
    "](http://x)",
]
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40).map(
    "".join
)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _project(chapters: list[str], refs: dict[str, str], date: Any = "2024-05-01") -> Project:
    references = []
    for path, text in refs.items():
        try:
            references.extend(parse(text, Path(path).suffix, path))
        except InputError:
            assume(False)  # unusable input stops at the loader (exit 2), before the linter
    metadata_text = f"title: T\ndate: {json.dumps(date)}\n"
    return Project(
        root=Path("/nonexistent"),
        settings=Settings(),
        metadata={"title": "T", "date": date},
        metadata_file=SourceFile("manuscript/metadata.yaml", metadata_text),
        chapters=[SourceFile(f"manuscript/{i:02d}.md", t) for i, t in enumerate(chapters)],
        reference_files=[SourceFile(p, t) for p, t in refs.items()],
        references=references,
    )


@FUZZ
@given(TEXT)
def test_scan_keeps_every_offset(text: str) -> None:
    doc = scan("a.md", text)
    assert len(doc.prose) == len(doc.code_masked) == len(text)
    assert [i for i, c in enumerate(doc.prose) if c == "\n"] == [
        i for i, c in enumerate(text) if c == "\n"
    ]
    for offset in [0, len(text) // 2, len(text)]:
        line, column = doc.position(offset)
        assert line >= 1 and column >= 1


@FUZZ
@given(
    st.lists(TEXT, min_size=1, max_size=3),
    st.one_of(st.none(), st.text(max_size=12), st.integers(-3000, 3000)),
)
def test_markdown_never_crashes_the_linter(chapters: list[str], date: Any) -> None:
    findings = run_lint(_project(chapters, {}, date), LintConfig())
    for finding in findings:
        assert finding.line >= 1 and finding.column >= 1


FIELD_VALUES = st.one_of(
    st.sampled_from(
        [
            "1968",
            "19688",
            "1975--1968",
            "feb",
            "Febuary",
            "13",
            "2023-02-29",
            "1968/02/03",
            "doi:10.1000/x",
            "10.123/x",
            "https://doi.org/10.1000/y",
            "101--120",
            "581-90",
            "e123",
            "forthcoming",
            "",
            "1985-21~",
            "../1985",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_characters='{}\\@"#%'), max_size=12),
)


@FUZZ
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                ["year", "month", "day", "date", "urldate", "pages", "doi", "url", "title"]
            ),
            FIELD_VALUES,
            max_size=6,
        ),
        min_size=1,
        max_size=4,
    ),
    TEXT,
)
def test_bibtex_never_crashes_the_linter(entries: list[dict[str, str]], text: str) -> None:
    bib = "\n".join(
        f"@article{{k{i},\n" + ",\n".join(f"  {k} = {{{v}}}" for k, v in e.items()) + "\n}\n"
        for i, e in enumerate(entries)
    )
    run_lint(_project([text + " [@k0, 12]"], {"references/r.bib": bib}), LintConfig())


PARTS = st.one_of(st.integers(-5000, 5000), st.text(max_size=6), st.booleans(), st.none())
CSL_DATES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["2023-02-29", "1975/1968", "1985-21~", "19XX", "../1985", "1968/02/03"]),
    st.fixed_dictionaries({"date-parts": st.lists(st.lists(PARTS, max_size=4), max_size=3)}),
    st.fixed_dictionaries({"raw": st.text(max_size=12)}),
    st.fixed_dictionaries({"literal": st.text(max_size=12)}),
    st.dictionaries(st.text(max_size=5), PARTS, max_size=2),
)
CSL_ITEMS = st.fixed_dictionaries(
    {},
    optional={
        "issued": CSL_DATES,
        "accessed": CSL_DATES,
        "DOI": st.one_of(st.text(max_size=15), st.sampled_from(["10.1000/x", "doi:10.12/y"])),
        "URL": st.sampled_from(["https://doi.org/10.1000/z", "http://x.org", ""]),
        "page": st.one_of(st.text(max_size=8), st.integers(0, 9999)),
        "title": st.text(max_size=20),
    },
)


@FUZZ
@given(st.lists(CSL_ITEMS, min_size=1, max_size=4))
def test_csl_json_never_crashes_the_linter(items: list[dict[str, Any]]) -> None:
    data = [{"id": f"k{i}", "type": "article-journal", **item} for i, item in enumerate(items)]
    run_lint(_project(["[@k0, 5]"], {"references/r.json": json.dumps(data)}), LintConfig())


@pytest.mark.parametrize("kind", ADVERSARIES)
def test_a_one_megabyte_adversarial_line_lints_in_linear_time(kind: str) -> None:
    """A backtracking regex, or a search repeated from every bracket, would take hours.

    Linear: ten times the line costs about ten times the CPU (with slack for noise); the
    absolute figure (under a second on the benchmark machine) is in `bench.py --scale-inputs`.
    """
    cost = {}
    for size in (100_000, 1_000_000):
        project = _project([adversarial_line(kind, size)], {})
        started = time.process_time()
        run_lint(project, LintConfig())
        cost[size] = time.process_time() - started
    assert cost[1_000_000] < 20 * cost[100_000] + 0.5, cost
    assert cost[1_000_000] < 10.0, cost  # a quadratic scan would take minutes
