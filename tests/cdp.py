"""Headless Chromium driven over the DevTools protocol, with a stdlib WebSocket client.

Only what the watch test needs: start the browser on a 127.0.0.1 page, evaluate JavaScript in
it. No dependency: a WebSocket client is a handshake and a frame format (RFC 6455).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Debian's package, older Ubuntu's name, and the Chrome of GitHub's runners: the same flags.
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM = next(filter(None, map(shutil.which, BROWSERS)), None)
FLAGS = [
    "--headless",
    "--no-sandbox",  # tests may run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    # Every host name but 127.0.0.1 fails to resolve: the browser can reach nothing else.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--no-proxy-server",
    "--remote-debugging-port=0",
]


class DevToolsError(RuntimeError):
    """The browser answered a command with an error (e.g. the page is navigating)."""


class DevTools:
    """One WebSocket connection to one page target."""

    def __init__(self, ws_url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(ws_url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        self.buffer = b""
        self.next_id = 0
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv_some()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise DevToolsError(f"WebSocket handshake refused: {head[:200]!r}")

    def _recv_some(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise DevToolsError("the browser closed the connection")
        return data

    def _read(self, count: int) -> bytes:
        while len(self.buffer) < count:
            self.buffer += self._recv_some()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _send(self, text: str) -> None:
        payload = text.encode()
        header = bytes([0x81])  # FIN, text frame
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])  # client frames are masked
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _message(self) -> str:
        """The next whole text message (fragments joined, pings and pongs skipped)."""
        parts: list[bytes] = []
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if second & 0x80 else b""
            payload = self._read(length)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = first & 0x0F
            if opcode == 0x8:
                raise DevToolsError("the browser closed the WebSocket")
            if opcode in (0x0, 0x1, 0x2):
                parts.append(payload)
                if first & 0x80:
                    return b"".join(parts).decode()

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer; events in between are dropped."""
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._message())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise DevToolsError(str(message["error"]))
                return message.get("result", {})

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise DevToolsError(str(result["exceptionDetails"]))
        return result.get("result", {}).get("value")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def fetch(url: str) -> bytes:
    """GET from 127.0.0.1, never through a proxy the environment may name."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        return response.read()


@contextlib.contextmanager
def chromium_page(url: str, profile: Path, timeout: float = 20.0) -> Iterator[DevTools]:
    """Headless Chromium showing `url` (on 127.0.0.1), and a DevTools connection to the page."""
    assert CHROMIUM is not None and urlsplit(url).hostname == "127.0.0.1"
    log = open(profile.parent / "chromium.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", url],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its helper processes share our group, ended together
    )
    devtools = None
    try:
        deadline = time.monotonic() + timeout
        port_file = profile / "DevToolsActivePort"
        while not (port_file.is_file() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Chromium did not start; see {log.name}")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        while devtools is None:
            pages = [
                t
                for t in json.loads(fetch(f"http://127.0.0.1:{port}/json/list"))
                if t.get("type") == "page"
            ]
            if pages:
                devtools = DevTools(pages[0]["webSocketDebuggerUrl"])
            elif time.monotonic() > deadline:
                raise RuntimeError("Chromium opened no page")
            else:
                time.sleep(0.05)
        yield devtools
    finally:
        if devtools is not None:
            devtools.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
