"""A local stand-in for doi.org, NCBI, arXiv, Open Library, Wikidata and a web page.

It serves the recorded answers in tests/data/identifiers/ and the failures the fetcher must
survive: 404, 500, a stall past the timeout, 429 with Retry-After, malformed JSON.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DATA = Path(__file__).parent / "data" / "identifiers"
CSL = "application/vnd.citationstyles.csl+json"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _file(self, name: str, kind: str = "application/json") -> None:
        self._send(200, (DATA / name).read_bytes(), kind)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        self.server.hits[path + ("?" + parts.query if parts.query else "")] += 1
        if path.startswith("/doi/"):
            self._doi(path.removeprefix("/doi/"))
        elif path in ("/ncbi/pubmed/", "/ncbi/pmc/"):
            name = {"26017442": "pmid-26017442.json", "PMC4481139": "pmcid-PMC4481139.json"}
            found = name.get(query.get("id", [""])[0])
            if found and query.get("format") == ["csl"]:
                self._file(found)
            else:
                self._send(404, b'{"status": "error"}', "application/json")
        elif path == "/arxiv/api/query":
            ident = query.get("id_list", [""])[0]
            names = {
                "1512.03385": "arxiv-1512.03385.xml",
                "hep-th/9711200v3": "arxiv-hep-th-9711200.xml",
            }
            self._file(names.get(ident, "arxiv-empty.xml"), "application/atom+xml")
        elif path == "/openlibrary/api/books":
            if query.get("bibkeys") == ["ISBN:9780262035613"]:
                self._file("isbn-9780262035613.json")
            else:
                self._send(200, b"{}", "application/json")
        elif path == "/wikidata/wiki/Special:EntityData/Q28054621.json":
            self._file("wikidata-Q28054621.json")
        elif path == "/page.html":
            self._file("page.html", "text/html; charset=utf-8")
        else:
            self._send(404, b"not found", "text/plain")

    def _doi(self, doi: str) -> None:
        if self.headers.get("Accept") != CSL:
            self._send(406, b"ask for CSL", "text/plain")
        elif doi == "10.1038/nature14539":
            self._file("doi-10.1038-nature14539.json", CSL)
        elif doi == "10.5555/down":
            self._send(500, b"Internal Server Error", "text/plain")
        elif doi == "10.5555/garbled":
            self._send(200, b'{"title": "Half an answer", "author": [', CSL)
        elif doi == "10.5555/slow":
            time.sleep(2)
            self._send(200, b"{}", CSL)
        elif doi.startswith("10.5555/busy"):
            if self.server.hits["/doi/" + doi] == 1:  # the first ask is rate-limited
                wait = self.server.retry_after
                self._send(429, b"Too Many Requests", "text/plain", {"Retry-After": wait})
            else:
                body = b'{"type": "book", "title": "Patience", "issued": {"date-parts": [[2020]]}}'
                self._send(200, body, CSL)
        else:
            self._send(404, b"DOI Not Found", "text/html")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.retry_after = "0"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def serving() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
