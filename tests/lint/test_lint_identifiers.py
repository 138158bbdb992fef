"""The identifier rules, with exact positions, and the citation rules' view of identifiers."""

from __future__ import annotations

import json
from collections.abc import Callable

from lint_helpers import lint_files, where

from presswork.lint import Finding

__all__ = ["lint_files"]  # the fixture, imported for pytest

FROZEN = json.dumps(
    [
        {
            "id": "doi:10.1038/nature14539",
            "type": "article-journal",
            "title": "Deep learning",
            "DOI": "10.1038/nature14539",
            "issued": {"date-parts": [[2015]]},
        },
        {
            "id": "pmid:26017442",
            "type": "article-journal",
            "title": "Deep learning.",
            "DOI": "10.1038/NATURE14539",
            "PMID": "26017442",
            "issued": {"date-parts": [[2015]]},
        },
        {
            "id": "pmcid:PMC4481139",
            "type": "article-journal",
            "title": "Higher-order molecular organization",
            "PMID": "26072474",
            "issued": {"date-parts": [[2015]]},
        },
    ],
    indent=2,
)
Lint = Callable[..., list[Finding]]


def test_invalid_identifiers_at_their_positions(lint_files: Lint) -> None:
    text = (
        "Good [@doi:10.1038/nature14539].\n"
        "Bad [@doi:10.12/x], [@pmid:0123], and @isbn:9780262035614 too.\n"
        "Old arXiv [@arxiv:hep-th/9901001v2] fine, [@arxiv:1512.3385] not; [@pmcid:PMCX].\n"
    )
    found = lint_files(
        {"manuscript/01-text.md": text, "references/identifiers.json": FROZEN},
        select=("identifier/invalid",),
    )
    assert where(found) == [
        ("identifier/invalid", 2, 6),
        ("identifier/invalid", 2, 22),
        ("identifier/invalid", 2, 39),
        ("identifier/invalid", 3, 44),
        ("identifier/invalid", 3, 68),
    ]
    assert "check digit" in found[2].message


def test_not_fetched_by_key_as_written_and_through_aliases(lint_files: Lint) -> None:
    files = {
        "manuscript/metadata.yaml": (
            "title: T\ncitekey-aliases:\n  tag:lecun: doi:10.1038/nature14539\n"
            "citation-tags:\n  resnet: arxiv:1512.03385\n"
        ),
        "manuscript/01-text.md": (
            "Fetched [@DOI:10.1038/NATURE14539] and [@tag:lecun].\n"
            "Not fetched [@tag:resnet] and [@pmid:1234].\n"
        ),
        "references/identifiers.json": FROZEN,
    }
    found = lint_files(files, select=("identifier/not-fetched", "citation/undefined"))
    assert where(found) == [("identifier/not-fetched", 2, 14), ("identifier/not-fetched", 2, 32)]
    assert found[0].message == "identifier '@tag:resnet' is not in references/identifiers.json"
    assert "presswork refs fetch" in (found[0].fix or "")


def test_duplicate_work_where_the_frozen_data_shows_it(lint_files: Lint) -> None:
    text = (
        "Once [@doi:10.1038/nature14539].\n"
        "Twice [@pmid:26017442], and again [@pmid:26017442].\n"
        "Another paper [@pmcid:PMC4481139] and [@pmid:26072474].\n"
    )
    found = lint_files(
        {"manuscript/01-text.md": text, "references/identifiers.json": FROZEN},
        select=("identifier/duplicate-work",),
    )
    assert where(found) == [
        ("identifier/duplicate-work", 2, 8),
        ("identifier/duplicate-work", 3, 40),
    ]
    assert found[0].message == (
        "'@pmid:26017442' is the same work as '@doi:10.1038/nature14539' (line 1): both show "
        "doi:10.1038/nature14539, so the work is listed twice"
    )


def test_frozen_entries_cited_by_alias_or_in_capitals_are_used(lint_files: Lint) -> None:
    files = {
        "manuscript/metadata.yaml": (
            "title: T\ncitekey-aliases:\n  tag:pm: pmid:26017442\n  tag:smith: smith2001\n"
        ),
        "manuscript/01-text.md": (
            "[@DOI:10.1038/Nature14539], [@tag:pm], [@pmcid:pmc4481139], [@tag:smith].\n"
        ),
        "references/identifiers.json": FROZEN,
        "references/refs.bib": "@book{smith2001, title = {T}, year = {2001}}\n",
    }
    found = lint_files(files, select=("citation/unused", "citation/undefined"))
    assert found == []


def test_a_link_reference_alias_is_an_identifier_not_a_citation(lint_files: Lint) -> None:
    files = {
        "manuscript/metadata.yaml": "title: T\n",
        "manuscript/01-text.md": (
            "Fetched [@lecun], not fetched [@resnet].\n"
            "\n"
            "[@lecun]: doi:10.1038/NATURE14539\n"
            "[@resnet]: arxiv:1512.03385\n"
            "\n"
            "<!-- [@gone]: doi:10.1/x -->\n"
            "Unknown [@gone].\n"
        ),
        "references/identifiers.json": FROZEN,
    }
    found = lint_files(files, select=("identifier/not-fetched", "citation/undefined"))
    assert where(found) == [("identifier/not-fetched", 1, 32), ("citation/undefined", 7, 10)]
    assert found[0].message == "identifier '@resnet' is not in references/identifiers.json"
