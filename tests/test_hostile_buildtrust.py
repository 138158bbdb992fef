"""What an earlier run left in build/, and every other file presswork reuses or writes, is
attacker-controlled (issue 12): planted outputs and manifests are rebuilt, not published;
nothing is written through a link; no program of the project's is run.

The canary lives outside the project; every output is searched whole (zips, data: URIs, PDF
streams) by test_hostile_confine's canary_places.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from presswork import buildtrust, confine
from presswork.build import build
from presswork.errors import InputError
from test_hostile_confine import APA, CANARY, _csl, canary_places, one_error, project, run

OUTPUT = Path("build") / APA / "paper.html"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files outside the project, each carrying the canary."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "secret.txt").write_text(f"{CANARY} secret\n")
    (out / "canary.csl").write_text(_csl(CANARY, f"<text value='{CANARY}'/>"))
    return out


def statuses(root: Path) -> dict[str, str]:
    report = build(root, ["html"], [APA], jobs=1)
    return {o.target.path.as_posix(): o.status for o in report.outcomes}


def replace_file(path: Path, data: bytes, keep_times: bool = False) -> None:
    """What a checkout (or a pull request's own step) does: a new file in the place, written
    beside it and renamed, so its inode cannot be the old one's; optionally the old mtime."""
    before = os.lstat(path)
    fresh = path.with_name(path.name + ".new")
    fresh.write_bytes(data)
    if keep_times:
        os.utime(fresh, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(fresh, path)


def plant(path: Path, size: int, keep_times: bool = False) -> None:
    """Replace a file with the canary, padded to its size."""
    replace_file(path, (CANARY.encode() * (size // len(CANARY) + 1))[:size], keep_times)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if not p.is_symlink() else b"->"
        for p in sorted(folder.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


# ---- 1. build/ is untrusted: only outputs presswork wrote are "up to date" ---------------


@pytest.mark.parametrize("keep_times", [False, True], ids=["new-mtime", "old-mtime"])
def test_a_planted_output_with_a_true_manifest_entry_is_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keep_times: bool
) -> None:
    root = project(tmp_path / "paper")
    assert statuses(root) == {f"{APA}/paper.html": "built"}
    assert statuses(root) == {f"{APA}/paper.html": "unchanged"}  # its own output is reused
    out = root / OUTPUT
    # The manifest's key and size still match: only the stamp tells the file is not ours.
    plant(out, out.stat().st_size, keep_times)
    assert statuses(root) == {f"{APA}/paper.html": "built"}
    assert canary_places(root) == []
    assert statuses(root) == {f"{APA}/paper.html": "unchanged"}


def test_a_committed_build_folder_with_its_stamps_is_not_reused(tmp_path: Path) -> None:
    """A pull request commits build/ whole (manifest, stamps, outputs): a checkout is a copy."""
    first = project(tmp_path / "first" / "paper")
    assert statuses(first) == {f"{APA}/paper.html": "built"}
    root = tmp_path / "paper"
    shutil.copytree(first, root)  # copy2: sizes and mtimes kept, inodes and ctimes new
    plant(root / OUTPUT, (root / OUTPUT).stat().st_size, keep_times=True)
    assert statuses(root) == {f"{APA}/paper.html": "built"}
    assert canary_places(root) == []


def _forged_manifest(root: Path, planted: bytes, warnings: object = None) -> bytes:
    """A manifest a pull request can write: the keys are computed from public inputs."""
    from presswork import project as project_mod
    from presswork.build import plan
    from presswork.reproducible import source_date_epoch

    proj = project_mod.load(root)
    target = plan(proj, ["html"], [APA], source_date_epoch(proj.root, proj.metadata))[0]
    entry = {"path": f"{APA}/paper.html", "key": target.key, "size": len(planted)}
    entry["sha256"] = hashlib.sha256(planted).hexdigest()
    if warnings is not None:
        entry["warnings"] = warnings
    return json.dumps({"outputs": [entry]}).encode()


@pytest.mark.parametrize(
    "stamps",
    [
        None,
        b"{",
        b"[]",
        b'{"manifest.json": "x", "apa/paper.html": [1, 2]}',
        b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b" " * (5 * 1024 * 1024),
        "forged",
    ],
    ids=["none", "corrupt", "list", "bad-shape", "deep", "huge", "forged"],
)
def test_a_forged_manifest_and_stamps_are_ignored_and_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stamps: bytes | str | None
) -> None:
    root = project(tmp_path / "paper")
    planted = f"<html>{CANARY}</html>\n".encode()
    (root / OUTPUT).parent.mkdir(parents=True)
    (root / OUTPUT).write_bytes(planted)
    (root / "build" / "manifest.json").write_bytes(
        _forged_manifest(root, planted, [5, "x", {"message": CANARY}])
    )
    if stamps == "forged":
        # The stamps of the files as the pull request's author had them; then the checkout.
        names = ("manifest.json", f"{APA}/paper.html")
        forged = {n: buildtrust.stamp(root / "build" / n) for n in names}
        (root / "build" / ".stamps.json").write_text(json.dumps(forged))
        for name in names:
            path = root / "build" / name
            replace_file(path, path.read_bytes(), keep_times=True)
    elif stamps is not None:
        (root / "build" / ".stamps.json").write_bytes(stamps)
    code, err = run(capsys, root)
    assert code == 0, err
    assert "Traceback" not in err and CANARY not in err
    assert canary_places(root, err) == []
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    assert [e["path"] for e in manifest["outputs"]] == [f"{APA}/paper.html"]
    assert "warnings" not in manifest["outputs"][0]


def test_a_failed_build_leaves_a_planted_build_folder_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "paper", chapter="And [@nobody].")
    planted = f"<html>{CANARY}</html>\n".encode()
    (root / OUTPUT).parent.mkdir(parents=True)
    (root / OUTPUT).write_bytes(planted)
    (root / "build" / "manifest.json").write_bytes(_forged_manifest(root, planted))
    (root / "build" / ".stamps.json").write_bytes(b'{"manifest.json": [1, 2, 3, 4, 5]}')
    (root / "build" / ".lock").write_bytes(b"")
    before = snapshot(root / "build")
    code, err = run(capsys, root, "--strict")  # the missing citation: an error, after the plan
    assert code == 2, err
    one_error(err, "nobody")
    assert snapshot(root / "build") == before


@pytest.mark.parametrize("name", ["manifest.json", ".stamps.json"])
def test_a_linked_manifest_or_stamps_file_is_neither_read_nor_written_through(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    root = project(tmp_path / "paper")
    (root / "build").mkdir()
    victim = outside / "victim.json"
    victim.write_text(json.dumps({"outputs": [], CANARY: [1, 2, 3, 4, 5]}))
    (root / "build" / name).symlink_to(victim)
    code, err = run(capsys, root)
    assert code == 0, err
    assert json.loads(victim.read_text()) == {"outputs": [], CANARY: [1, 2, 3, 4, 5]}
    assert not (root / "build" / name).is_symlink()  # replaced by presswork's own file
    assert canary_places(root, err) == []
    assert statuses(root) == {f"{APA}/paper.html": "unchanged"}  # and then, its own: reused


def test_a_build_folder_that_is_a_link_or_a_file_is_one_line(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "paper")
    (root / "build").symlink_to(outside)
    code, err = run(capsys, root)
    assert code == 2
    one_error(err, "build", "symlink")
    assert sorted(p.name for p in outside.iterdir()) == ["canary.csl", "secret.txt"]
    (root / "build").unlink()
    (root / "build").write_text("x")
    code, err = run(capsys, root)
    assert code == 2
    one_error(err, "build", "not a folder")


# ---- 2. concurrent builds: a folder made by the other build is checked, not an error -------


def test_a_folder_created_by_a_concurrent_build_is_checked_and_used(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mkdir = os.mkdir
    planted: dict[str, bool] = {"link": False}

    def racing_mkdir(path: os.PathLike[str] | str, mode: int = 0o777) -> None:
        # The other build wins the race: the folder (or, hostile, a link) is already there.
        if planted["link"]:
            os.symlink(outside, path)
        else:
            real_mkdir(path, mode)
        raise FileExistsError(17, "File exists", str(path))

    root = project(tmp_path / "paper")
    monkeypatch.setattr(os, "mkdir", racing_mkdir)
    made = confine.build_folder(root, "build/out")
    assert made == root.resolve() / "build" / "out" and made.is_dir()
    confine.safe_dir(made / "apa", made, "build/out/apa")
    assert (made / "apa").is_dir() and not (made / "apa").is_symlink()
    planted["link"] = True
    with pytest.raises(InputError, match="symlink"):
        confine.build_folder(root, "other")
    with pytest.raises(InputError, match="symlink"):
        confine.safe_dir(made / "pdf", made, "build/out/pdf")
    assert sorted(p.name for p in outside.iterdir()) == ["canary.csl", "secret.txt"]
