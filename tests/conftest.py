"""Shared fixtures: a copy of the flagship project, built once per test session."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis: the same examples on every CI run (a flaky test is a defect, and a random failure
# in CI helps nobody); `nox -s fuzz` runs a longer random search (HYPOTHESIS_PROFILE=fuzz).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("fuzz", derandomize=False, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)

REPO = Path(__file__).resolve().parent.parent
FLAGSHIP_STYLES = ["chicago-notes-bibliography-subsequent-ibid", "apa"]


def copy_flagship(dest: Path) -> Path:
    """A private copy of the flagship project, so tests never touch the repository's build/."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("manuscript", "references"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy(REPO / "presswork.toml", dest / "presswork.toml")
    return dest


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the internet: only loopback connections are allowed."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            raise OSError(f"network access in tests is blocked: {address}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def flagship_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flagship built once in every format, in its own Chicago style and in APA."""
    from presswork.build import build

    root = copy_flagship(tmp_path_factory.mktemp("flagship") / "paper")
    build(root, style_names=FLAGSHIP_STYLES, jobs=2)
    return root


@pytest.fixture
def flagship(tmp_path: Path) -> Path:
    return copy_flagship(tmp_path / "paper")


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A socket on 127.0.0.1 that hostile inputs point at: it must see no one."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    yield server
    server.close()
