"""The corpus: one directory per case (a tiny project and its expected findings as JSON).

Findings are compared exactly on rule, severity, file, line and column; the messages in
expected.json are there for the reader. Precision and recall per category are measured
over the whole corpus (`pytest -s` prints the table). A case without expected.json gets
one written from the current output, and fails, so that a person reviews it.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from presswork.lint import Finding, run_lint
from presswork.project import load

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "manuscript").is_dir())
CATEGORIES = ("footnote", "date", "doi", "citation", "suppression", "safety", "crossref")

Key = tuple[str, str, str, int, int]


def _key(item: dict[str, object] | Finding) -> Key:
    data = item.to_dict() if isinstance(item, Finding) else item
    return (
        str(data["rule"]),
        str(data["severity"]),
        str(data["file"]),
        int(data["line"]),  # type: ignore[call-overload]
        int(data["column"]),
    )  # type: ignore[call-overload]


@cache
def _run(case: str) -> tuple[list[Key], list[Key]]:
    root = CORPUS / case
    actual = [_key(f) for f in run_lint(load(root))]
    expected_file = root / "expected.json"
    if not expected_file.exists():
        findings = [f.to_dict() for f in run_lint(load(root))]
        expected_file.write_text(
            json.dumps({"findings": findings}, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        pytest.fail(f"{expected_file} was missing: written from the output, review it")
    expected = [_key(f) for f in json.loads(expected_file.read_text("utf-8"))["findings"]]
    return expected, actual


@pytest.mark.parametrize("case", CASES)
def test_case(case: str) -> None:
    expected, actual = _run(case)
    missing = sorted(set(expected) - set(actual))
    unexpected = sorted(set(actual) - set(expected))
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"
    assert len(actual) == len(set(actual)), "a finding is reported twice"


def test_clean_cases_are_clean() -> None:
    for case in CASES:
        if case.startswith("clean-"):
            expected, _ = _run(case)
            assert expected == [], f"{case} must expect no finding"


def test_precision_and_recall_per_category() -> None:
    true_positive: Counter[str] = Counter()
    false_positive: Counter[str] = Counter()
    false_negative: Counter[str] = Counter()
    for case in CASES:
        expected, actual = _run(case)
        for key in set(actual) & set(expected):
            true_positive[key[0].split("/")[0]] += 1
        for key in set(actual) - set(expected):
            false_positive[key[0].split("/")[0]] += 1
        for key in set(expected) - set(actual):
            false_negative[key[0].split("/")[0]] += 1
    print(f"\n{'category':<12} {'expected':>8} {'found':>6} {'precision':>9} {'recall':>6}")
    for category in CATEGORIES:
        tp, fp, fn = true_positive[category], false_positive[category], false_negative[category]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{category:<12} {tp + fn:>8} {tp + fp:>6} {precision:>9.2f} {recall:>6.2f}")
        assert precision == 1.0 and recall == 1.0, category
    for category in CATEGORIES[:4]:
        assert true_positive[category] >= 5, f"the corpus needs defects of category {category}"
