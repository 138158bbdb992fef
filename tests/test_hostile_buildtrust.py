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
from presswork.cli import main
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


def statuses(root: Path, formats: tuple[str, ...] = ("html",)) -> dict[str, str]:
    report = build(root, list(formats), [APA], jobs=1)
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


def planted_zip(size: int) -> bytes:
    """An EPUB-like zip of exactly `size` bytes whose one member holds the canary."""
    import io
    import zipfile

    def made(filler: int) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("EPUB/text.xhtml", CANARY + " " * filler)
        return buffer.getvalue()

    data = made(size - len(made(0)))
    assert len(data) == size and data.startswith(b"PK")
    return data


def test_a_planted_epub_of_the_right_size_is_rebuilt(tmp_path: Path) -> None:
    root = project(tmp_path / "paper")
    both = ("html", "epub")
    assert set(statuses(root, both).values()) == {"built"}
    epub = root / "build" / APA / "paper.epub"
    replace_file(epub, planted_zip(epub.stat().st_size), keep_times=True)
    assert f"build/{APA}/paper.epub!EPUB/text.xhtml" in canary_places(root)  # it is seen
    assert statuses(root, both) == {f"{APA}/paper.html": "unchanged", f"{APA}/paper.epub": "built"}
    assert canary_places(root) == []


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


# ---- 3. the DOI cache under build/ (lint --online) is stamped and confined -----------------

DOI_BIB = "@article{doe2020, author = {Doe, Jane}, title = {A Title}, journal = {J},\n"
DOI_BIB += "  year = {2020}, doi = {10.1080/14682740902764528}}\n"


def _online_findings(root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from presswork import project as project_mod
    from presswork.lint import LintConfig, run_lint
    from presswork.lint.online import API_ENV

    monkeypatch.setenv(API_ENV, "http://127.0.0.1:9")  # the discard port: nothing answers
    config = LintConfig(select=("doi/online-mismatch",), online=True)
    return "\n".join(f.message for f in run_lint(project_mod.load(root), config))


def test_a_planted_doi_cache_injects_nothing(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "paper")
    (root / "references" / "refs.bib").write_text(DOI_BIB)
    cache = root / "build" / ".cache"
    cache.mkdir(parents=True)
    record = {"title": CANARY, "subtitle": "", "years": [1999], "volume": "7"}
    (cache / "doi.json").write_text(json.dumps({"10.1080/14682740902764528": record}))
    # Trusted, it would say "the DOI's title is 'CANARY...'"; untrusted, the service is asked.
    found = _online_findings(root, monkeypatch)
    assert "cannot check DOIs online" in found and CANARY not in found
    # A cache linked out of the project is not read either, and never written through.
    (cache / "doi.json").unlink()
    victim = outside / "doi.json"
    victim.write_text(json.dumps({"10.1080/14682740902764528": record}))
    (cache / "doi.json").symlink_to(victim)
    found = _online_findings(root, monkeypatch)
    assert CANARY not in found
    assert json.loads(victim.read_text()) == {"10.1080/14682740902764528": record}


def test_the_doi_cache_is_not_written_through_a_linked_folder(outside: Path) -> None:
    from presswork.lint.online import Resolver

    root = outside.parent / "paper"
    (root / "build").mkdir(parents=True)
    (root / "build" / ".cache").symlink_to(outside)
    resolver = Resolver(root / "build" / ".cache" / "doi.json", root=root)
    resolver.cache["10.1/x"] = {"title": "T", "subtitle": "", "years": [], "volume": ""}
    resolver.changed = True
    resolver.save()  # skipped: the answers are only a saving
    assert sorted(p.name for p in outside.iterdir()) == ["canary.csl", "secret.txt"]


# ---- 4. `presswork check` runs no program of the project's --------------------------------


def test_check_never_runs_a_jar_of_the_project(
    tmp_path: Path,
    outside: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from presswork.check.html import NPM_JAR

    root = project(tmp_path / "paper")
    code, err = run(capsys, root, formats="html,epub")
    assert code == 0, err
    # Jars where a checker might look: nox's cache in the project, a vnu.jar beside the
    # sources; and a fake `java` that writes the canary for any jar inside the project.
    for jar in (root / ".nox" / ".cache" / "vnu-jar" / NPM_JAR, root / "vnu.jar"):
        jar.parent.mkdir(parents=True, exist_ok=True)
        jar.write_bytes(b"not really a jar")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ran = outside / "ran.txt"
    java = bin_dir / "java"
    java.write_text(
        "#!/bin/sh\n"
        'while [ "$#" -gt 0 ]; do\n'
        f'  if [ "$1" = -jar ]; then echo "$2" >> "{ran}"; case "$2" in "{root}"*)\n'
        f'    echo {CANARY} > "{root}/build/{APA}/canary.txt";; esac; fi\n'
        "  shift\ndone\nexit 1\n"
    )
    java.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("PRESSWORK_VNU_JAR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(root)  # as in CI: run from the project
    main(["check", str(root), "--allow-missing"])
    capsys.readouterr()
    jars = ran.read_text().split() if ran.exists() else []
    assert all(not jar.startswith(str(root)) for jar in jars), jars
    assert canary_places(root) == []
    # A `java` inside the project, found through a relative PATH entry, is not run either.
    (root / "bin").mkdir()
    shutil.copy(java, root / "bin" / "java")
    monkeypatch.setenv("PATH", f"bin{os.pathsep}{os.environ['PATH']}")
    ran.unlink(missing_ok=True)
    main(["check", str(root), "--allow-missing"])
    assert "Java not found" in capsys.readouterr().out
    assert not ran.exists()
    shutil.rmtree(root / "bin")  # the fake holds the canary's text itself
    # A setting naming a jar is no setting at all: refused before anything runs.
    (root / "presswork.toml").write_text('vnu-jar = "vnu.jar"\n')
    assert main(["check", str(root), "--allow-missing"]) == 2
    one_error(capsys.readouterr().err, "presswork.toml", "unknown setting")
    assert canary_places(root) == []


# ---- 5. `lint --output` and `refs fetch` write atomically, never through a link ------------


def test_lint_output_never_goes_through_a_link(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "paper")
    victim = outside / "secret.txt"
    report = root / "lint.txt"
    report.symlink_to(victim)
    assert main(["lint", str(root), "--output", str(report)]) == 2
    one_error(capsys.readouterr().err, "lint.txt", "symlink")
    assert victim.read_text() == f"{CANARY} secret\n"
    report.unlink()
    # A planted temporary (under the name the old code used, and the new one) is not used.
    (root / "lint.txt.tmp").symlink_to(victim)
    (root / f".lint.txt.{os.getpid()}.tmp").symlink_to(victim)
    assert main(["lint", str(root), "--output", str(report)]) in (0, 1)
    assert victim.read_text() == f"{CANARY} secret\n"
    assert not report.is_symlink() and CANARY not in report.read_text()


def test_refs_fetch_reads_and_writes_no_link(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from presswork.identifiers import frozen

    root = project(tmp_path / "paper", chapter="See [@doi:10.1000/xyz123].")
    victim = outside / "frozen.json"
    victim.write_text(json.dumps([{"id": "doi:10.1000/xyz123", "title": CANARY}]))
    frozen_file = root / "references" / "identifiers.json"
    frozen_file.symlink_to(victim)
    # Read through the link, its entry would be copied into the project, then published.
    assert main(["refs", "fetch", str(root), "--offline"]) == 2
    one_error(capsys.readouterr().err, "references/identifiers.json", "outside the project")
    with pytest.raises(InputError, match="symlink"):
        frozen.write(frozen_file, {})
    assert CANARY in victim.read_text() and canary_places(root) == []
    frozen_file.unlink()
    frozen_file.write_text("{not json")
    assert main(["refs", "fetch", str(root), "--offline"]) == 2
    one_error(capsys.readouterr().err, "references/identifiers.json", "JSON")
    frozen_file.unlink()
    (frozen_file.parent / f".identifiers.json.{os.getpid()}.tmp").symlink_to(victim)
    frozen.write(frozen_file, {"doi:10.1000/xyz123": {"id": "doi:10.1000/xyz123", "title": "T"}})
    assert CANARY in victim.read_text() and "title" in frozen_file.read_text()


# ---- 6. a style named by the user may be anywhere; one named by the project may not -------


def test_a_user_style_outside_the_project_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "paper")
    mine = tmp_path / "elsewhere" / "mine.csl"
    mine.parent.mkdir()
    mine.write_text(_csl("Mine", "<text value='USER-STYLE'/>"))
    styles = f"{APA},{mine}"  # second in the list: each of the user's styles is theirs
    code = main(["build", str(root), "--format", "html", "--style", styles, "--jobs", "1"])
    assert code == 0, capsys.readouterr().err
    assert "USER-STYLE" in (root / "build" / "mine" / "paper.html").read_text()


@pytest.mark.parametrize("how", ["relative", "absolute", "link", "styles-link"])
def test_a_settings_style_outside_the_project_is_refused_naming_the_settings(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    root = project(tmp_path / "paper")
    (root / "styles").mkdir()
    (root / "styles" / "link.csl").symlink_to(outside / "canary.csl")
    name = {
        "relative": "../outside/canary.csl",
        "absolute": str(outside / "canary.csl"),
        "link": "styles/link.csl",
        "styles-link": "link",
    }[how]
    (root / "presswork.toml").write_text(f'styles = ["{name}"]\n')
    code = main(["build", str(root), "--format", "html", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    one_error(err, "presswork.toml", name, "outside the project")
    # The project's own link, named on the command line, is still the project's: refused.
    if how in ("link", "styles-link"):
        code = main(["build", str(root), "--format", "html", "--style", name, "--jobs", "1"])
        err = capsys.readouterr().err
        assert code == 2
        one_error(err, "outside the project")
    assert canary_places(root, err) == []


def test_a_metadata_style_outside_the_project_is_refused(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "paper")
    meta = root / "manuscript" / "metadata.yaml"
    meta.write_text(f"title: A Paper\nlang: en-US\ncsl: {outside / 'canary.csl'}\n")
    code = main(["build", str(root), "--format", "html", "--jobs", "1", "--strict"])
    err = capsys.readouterr().err
    assert code == 2
    one_error(err, "manuscript/metadata.yaml:3", "csl", "ignored")
    assert canary_places(root, err) == []


def test_check_reproducible_copies_links_as_links(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The two copies it builds are confined like the project: a link out stays a link
    (copied as files, an outside style would be built in both copies: "reproducible")."""
    root = project(tmp_path / "paper", 'styles = ["canary"]\n')
    (root / "styles").symlink_to(outside)
    args = ["build", str(root), "--format", "html", "--check-reproducible"]
    assert main(args) == 2
    one_error(capsys.readouterr().err, "styles/canary.csl", "outside the project")
