"""Each rule on small inputs, with exact lines and columns."""

from __future__ import annotations

from collections.abc import Callable

from lint_helpers import lint_files, where

from presswork.lint import Finding

LintFiles = Callable[..., list[Finding]]
__all__ = ["lint_files"]  # the fixture, imported for pytest

BIB = "references/refs.bib"


def test_footnotes(lint_files: LintFiles) -> None:
    text = "A[^a] B[^b] C^[] D[^d]\n\n[^a]: x\n[^a]: y\n[^c]: z\n[^d]: see[^a]\n"
    assert where(lint_files(text, ("footnote",))) == [
        ("footnote/undefined", 1, 8),
        ("footnote/empty", 1, 14),
        ("footnote/duplicate", 4, 1),
        ("footnote/unused", 5, 1),
        ("footnote/nested", 6, 10),
    ]


def test_footnote_definitions_count_across_chapters(lint_files: LintFiles) -> None:
    files = {"manuscript/01-a.md": "A claim.[^x]\n", "manuscript/02-b.md": "[^x]: Defined later.\n"}
    assert lint_files(files, ("footnote",)) == []
    files["manuscript/03-c.md"] = "[^x]: Again.\n"
    (finding,) = lint_files(files, ("footnote",))
    assert (finding.rule, finding.file, finding.line) == (
        "footnote/duplicate",
        "manuscript/03-c.md",
        1,
    )
    assert "manuscript/02-b.md" in finding.message


def test_ibid_only_where_keys_are_used(lint_files: LintFiles) -> None:
    notes = "A.[^1] B.[^2]\n\n[^1]: Smith, *Title*, 12.\n[^2]: Ibid., 14.\n"
    assert lint_files(notes, ("footnote/ibid",)) == []  # hand-written notes throughout
    bib = "@book{smith, title = {T}, year = {2001}}\n"
    findings = lint_files(
        {BIB: bib, "manuscript/01.md": notes + "\nCited [@smith].\n"}, ("footnote/ibid",)
    )
    assert [(f.line, f.column, f.severity.value) for f in findings] == [(4, 7, "info")]


def test_citations(lint_files: LintFiles) -> None:
    bib = (
        "@article{a, title = {T}, year = {2001}, pages = {10--20}}\n"
        "@book{b, title = {U}, year = {2002}}\n"
    )
    text = "See [@a, 15] and [@a, 25] and @c and [@a; @bb].\n"
    assert where(lint_files({BIB: bib, "manuscript/01.md": text}, ("citation",))) == [
        ("citation/locator-range", 1, 23),
        ("citation/undefined", 1, 31),
        ("citation/undefined", 1, 43),
        ("citation/unused", 2, 7),
    ]


def test_unused_respects_nocite(lint_files: LintFiles) -> None:
    bib = "@book{b, title = {U}, year = {2002}}\n"
    for nocite in ("'@b'", "'@*'"):
        meta = f"title: T\ndate: 2024-01-01\nnocite: {nocite}\n"
        files = {BIB: bib, "manuscript/metadata.yaml": meta}
        assert lint_files(files, ("citation",)) == []


def test_locator_heuristic_spares_books_and_lone_pages(lint_files: LintFiles) -> None:
    bib = (
        "@book{book, title = {B}, year = {2001}}\n"
        "@article{art, title = {A}, year = {2001}}\n"
        "@article{other, title = {O}, year = {2001}}\n"
    )
    text = (
        "[@book, 3] [@book, 5] [@book, 612] [@art, 10] [@art, 190] [@other, 12]\n"
        "[@other, 14] [@other, 230] [@other, 15]\n"
    )
    found = lint_files({BIB: bib, "manuscript/01.md": text}, ("citation/locator-range",))
    # book: long; art: only one other page; other: 230 is 215 pages from 12-15, too far
    assert where(found) == [("citation/locator-range", 2, 23)]


def test_reference_dates_point_at_the_value(lint_files: LintFiles) -> None:
    bib = "@article{a,\n  title = {T},\n  date = {2023-02-29}\n}\n"
    (finding,) = lint_files({BIB: bib, "manuscript/01.md": "[@a]\n"}, ("date",))
    assert (finding.rule, finding.line, finding.column) == ("date/impossible", 3, 19)
    json_refs = '[{"id": "a", "type": "book", "issued": {"date-parts": [[1968, 2, 30]]}}]\n'
    files = {"references/refs.json": json_refs, "manuscript/01.md": "[@a]\n"}
    (finding,) = lint_files(files, ("date",))
    assert (finding.rule, finding.line, finding.column) == ("date/impossible", 1, 66)


def test_metadata_date_is_read_as_text(lint_files: LintFiles) -> None:
    files = {"manuscript/metadata.yaml": "title: T\ndate: 2023-02-29\n"}
    assert where(lint_files(files, ("date",))) == [("date/impossible", 2, 15)]
    files = {"manuscript/metadata.yaml": "title: T\ndate: '30 February 2020'\n"}
    assert where(lint_files(files, ("date",))) == [("date/impossible", 2, 8)]


def test_reference_date_setting_wins_over_metadata(lint_files: LintFiles) -> None:
    files = {BIB: "@book{a, title = {T}, year = {2022}}\n", "manuscript/01.md": "[@a]\n"}
    assert where(lint_files(files, ("date",))) == []
    assert where(lint_files(files, ("date",), reference_date="2021-12-31")) == [
        ("date/future-publication", 1, 31)
    ]


def test_prose_dates(lint_files: LintFiles) -> None:
    text = (
        "On Tuesday, 21 August 1968 and June 31, 1968\n"
        "and 1975–1968 and 431–404 BCE and 1968–69 and `30 February 1968`.\n"
    )
    assert where(lint_files(text, ("date",))) == [
        ("date/weekday", 1, 4),
        ("date/impossible", 1, 37),
        ("date/reversed-range", 2, 5),
    ]


def test_event_years_need_agreement_and_a_slip(lint_files: LintFiles) -> None:
    same = "The invasion of Xland in 1968 came. The invasion of Xland in 1968 ended. "
    assert where(lint_files(same + "The invasion of Xland in 1938 is a slip.\n", ("date",))) == [
        ("date/inconsistent-event-year", 1, 99)
    ]
    assert lint_files(same + "The invasion of Xland in 1975 is another.\n", ("date",)) == []
    assert (
        lint_files("The invasion of Xland in 1968. The invasion of Xland in 1938.\n", ("date",))
        == []
    )


def test_dois(lint_files: LintFiles) -> None:
    bib = (
        "@article{a, title = {T}, year = {2001}, doi = {doi:10.1000/x}}\n"
        "@article{b, title = {T}, year = {2001}, doi = {10.1000/X}}\n"
        "@article{c, title = {T}, year = {2001}, url = {https://doi.org/10.1000/y}}\n"
    )
    text = "[@a; @b; @c] doi:10.10/z.\n"
    assert where(lint_files({BIB: bib, "manuscript/01.md": text}, ("doi",))) == [
        ("doi/syntax", 1, 21),
        ("doi/prefix", 1, 48),
        ("doi/duplicate", 2, 48),
        ("doi/url-field", 3, 48),
    ]


def test_suppression_and_severity_override(lint_files: LintFiles) -> None:
    text = "<!-- presswork: ignore footnote -->\nA[^x].\n\nB[^y].\n"
    findings = lint_files(text, ("footnote",), severity={"footnote/undefined": "warning"})
    assert [(f.line, f.severity.value) for f in findings] == [(4, "warning")]
