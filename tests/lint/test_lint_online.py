"""The opt-in DOI check against a small Crossref-like server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from lint_helpers import write_project

from presswork.lint import LintConfig, run_lint
from presswork.lint.online import API_ENV

WORKS = {
    "10.1080/14682740902764528": {
        "title": ["Andropov’s Hungarian Complex"],
        "volume": "9",
        "issued": {"date-parts": [[2009, 8]]},
    },
}
HANDLES = {"10.5281/zenodo.1234"}  # a DataCite DOI: doi.org knows it, Crossref does not
BIB = """@article{right, title = {{Andropov's} {Hungarian} Complex}, year = {2009}, volume = {9},
  doi = {10.1080/14682740902764528}}
@article{wrong, title = {Something Else Entirely}, year = {1999}, volume = {12},
  doi = {10.1080/14682740902764528}}
@article{missing, title = {Nowhere}, year = {2001}, doi = {10.9999/does-not-exist}}
@misc{data, title = {A Data Set}, year = {2020}, doi = {10.5281/zenodo.1234}}
"""


class _Crossref(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        service, _, quoted = self.path.strip("/").partition("/")
        doi = urllib.parse.unquote(quoted)
        if service == "works":
            found: object = {"status": "ok", "message": WORKS[doi]} if doi in WORKS else None
        else:  # doi.org's handle API
            found = {"responseCode": 1, "handle": doi} if doi in HANDLES else None
        body = json.dumps(found or {"responseCode": 100}).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def crossref(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Crossref)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(API_ENV, f"http://127.0.0.1:{server.server_port}")
    _Crossref.requests = []
    yield _Crossref.requests
    server.shutdown()
    server.server_close()
    thread.join()


def test_online_compares_title_year_volume_and_caches(crossref: list[str], tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {"references/r.bib": BIB, "manuscript/01.md": "[@right; @wrong; @missing; @data]\n"},
    )
    config = LintConfig(select=("doi",), online=True)
    findings = run_lint(project, config)
    assert [(f.rule, f.line, f.column) for f in findings] == [
        ("doi/duplicate", 4, 10),
        ("doi/online-mismatch", 4, 10),
        ("doi/online-mismatch", 5, 60),
    ]
    wrong, missing = findings[1:]
    assert "title" in wrong.message and "1999" in wrong.message and "volume" in wrong.message
    assert "does not resolve" in missing.message
    # one request per distinct DOI, and a second to doi.org for those Crossref lacks
    assert len(crossref) == 5
    cache = json.loads((tmp_path / "build" / ".cache" / "doi.json").read_text("utf-8"))
    assert set(cache) == {
        "10.1080/14682740902764528",
        "10.9999/does-not-exist",
        "10.5281/zenodo.1234",
    }
    assert run_lint(project, config) == findings
    assert len(crossref) == 5  # the second run asks nothing


def test_offline_by_default(crossref: list[str], tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {"references/r.bib": BIB, "manuscript/01.md": "[@right; @wrong; @missing; @data]\n"},
    )
    assert "doi/online-mismatch" not in {f.rule for f in run_lint(project, LintConfig())}
    assert crossref == []


def test_unreachable_service_is_one_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(API_ENV, "http://127.0.0.1:9")  # the discard port: nothing listens
    project = write_project(
        tmp_path,
        {"references/r.bib": BIB, "manuscript/01.md": "[@right; @wrong; @missing; @data]\n"},
    )
    findings = run_lint(project, LintConfig(select=("doi/online-mismatch",), online=True))
    assert [(f.severity.value, "cannot check DOIs online" in f.message) for f in findings] == [
        ("info", True)
    ]
