"""The preview server of `presswork watch`: the built page on 127.0.0.1, reloaded on each build.

The live-reload script and the error overlay are added to the page as it is served, never to
the file on disk, so the outputs stay byte-reproducible.
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from presswork.errors import EnvironmentProblem

HOST = "127.0.0.1"
VERSION_PATH = "/__presswork/version"
SCRIPT_PATH = "/__presswork/live.js"

# Polls the build number; on a change, reloads and comes back to the same scroll position.
LIVE_SCRIPT = """(function () {
  var build = document.currentScript.getAttribute("data-build");
  var key = "presswork-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.addEventListener("load", function () { window.scrollTo(0, Number(saved)); });
  }
  function poll() {
    fetch("/__presswork/version", {cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(function (version) {
        if (String(version.build) !== build) {
          sessionStorage.setItem(key, String(window.scrollY));
          location.reload();
        } else {
          setTimeout(poll, 300);
        }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 300);
})();
"""

_OVERLAY_STYLE = (
    "position:fixed;top:0;left:0;right:0;z-index:2147483647;margin:0;padding:1em 1.5em;"
    "background:#fff0f0;color:#8b0000;border-bottom:3px solid #c00;"
    "font:14px/1.45 ui-monospace,monospace;white-space:pre-wrap;max-height:60vh;overflow:auto"
)
_PLACEHOLDER = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>presswork</title>'
    "</head><body><p>presswork: building…</p></body></html>\n"
)


@dataclass
class PreviewState:
    """What the server shows: the page on disk, the build number, the last build's error."""

    page: Path | None = None
    build: int = 0
    error: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def publish(self, page: Path | None, error: str = "") -> None:
        """A build finished: a new number makes every open page reload."""
        with self._lock:
            if page is not None:
                self.page = page
            self.error = error
            self.build += 1

    def snapshot(self) -> tuple[Path | None, int, str]:
        with self._lock:
            return self.page, self.build, self.error


def inject(page: str, build: int, error: str = "") -> str:
    """The page as served: the live-reload script and, after a failed build, the error."""
    snippet = ""
    if error:
        snippet += (
            f'<div id="presswork-error" role="alert" style="{_OVERLAY_STYLE}">'
            f"presswork: the last build failed\n{html.escape(error)}</div>"
        )
    snippet += f'<script src="{SCRIPT_PATH}" data-build="{build}"></script>'
    end = page.lower().rfind("</body>")
    return page[:end] + snippet + page[end:] if end >= 0 else page + snippet


class _Handler(BaseHTTPRequestHandler):
    state: PreviewState  # set on the subclass made for each server
    server_version = "presswork-preview"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        port = self.connection.getsockname()[1]  # this end of the connection: our port
        # A page on another origin may not read the preview through a rebound DNS name.
        if self.headers.get("Host", "") not in (f"{HOST}:{port}", f"localhost:{port}"):
            return self._send(403, "text/plain", b"forbidden host\n", send_body)
        path = urlsplit(self.path).path
        page, build, error = self.state.snapshot()
        if path == VERSION_PATH:
            body = json.dumps({"build": build, "error": error}).encode()
            return self._send(200, "application/json", body, send_body)
        if path == SCRIPT_PATH:
            return self._send(200, "text/javascript", LIVE_SCRIPT.encode(), send_body)
        if path not in ("/", "/index.html") and (page is None or path != f"/{page.name}"):
            return self._send(404, "text/plain", b"not found\n", send_body)
        try:
            text = page.read_text(encoding="utf-8") if page is not None else _PLACEHOLDER
        except OSError:
            text = _PLACEHOLDER
        body = inject(text, build, error).encode("utf-8")
        return self._send(200, "text/html; charset=utf-8", body, send_body)

    def _send(self, status: int, kind: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the terminal is for builds and findings."""


class PreviewServer:
    """An HTTP server on 127.0.0.1 only, in a daemon thread."""

    def __init__(self, state: PreviewState, port: int = 8000) -> None:
        handler = type("Handler", (_Handler,), {"state": state})
        try:
            self.httpd = ThreadingHTTPServer((HOST, port), handler)
        except OSError as exc:
            raise EnvironmentProblem(
                f"cannot serve on {HOST}:{port} ({exc.strerror or exc}); "
                "choose another port with --port, or --port 0 for any free one"
            ) from None
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self.httpd.shutdown()
        self.httpd.server_close()
