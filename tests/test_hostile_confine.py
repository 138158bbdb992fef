"""Hostile projects, by class (issue 12): a canary outside the project never reaches an output
or a log, nothing connects to a listening socket, nothing is written outside build/.

Every output is searched whole: its bytes, the members of zips, base64 data: URIs decoded,
and every PDF stream decompressed.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import assert_no_connection, output_texts
from presswork.cli import main

CANARY = "CANARY-5e1f0c"
APA = "apa"


# ---- the canary, the listener and the search -----------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files outside the project (a sibling of it), each carrying the canary."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "secret.txt").write_text(f"{CANARY} secret\n")
    (out / "secret.md").write_text(f"# {CANARY}\n\n{CANARY} chapter text.\n")
    (out / "metadata.yaml").write_text(f"title: {CANARY}\n")
    (out / "refs.bib").write_text(
        f"@article{{doe2020,\n  author = {{Doe, Jane}},\n  title = {{{CANARY}}},\n"
        "  journal = {J},\n  year = {2020}\n}\n"
    )
    (out / "secret.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><text>{CANARY}</text></svg>'
    )
    (out / "canary.csl").write_text(_csl(CANARY, f"<text value='{CANARY}'/>"))
    return out


def _csl(title: str, layout: str = '<text variable="title"/>', extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">\n'
        f"<info><title>{title}</title><id>x</id>{extra}</info>\n"
        f"<citation><layout>{layout}</layout></citation>\n"
        f"<bibliography><layout>{layout}</layout></bibliography>\n"
        "</style>\n"
    )


def canary_places(root: Path, *logs: str) -> list[str]:
    """Where the canary shows: in any file under the project (build/ included) or a log."""
    found = [f"log {i}" for i, log in enumerate(logs) if CANARY in log]
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        for name, data in output_texts(path.relative_to(root).as_posix(), path.read_bytes()):
            if CANARY.encode() in data:
                found.append(name)
    return found


def project(root: Path, settings: str = "", chapter: str = "") -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text("title: A Paper\nlang: en-US\n")
    (root / "manuscript" / "01-body.md").write_text(
        f"# Body\n\nAs shown [@doe2020].\n\n{chapter}\n"
    )
    (root / "references" / "refs.bib").write_text(
        "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Title},\n"
        "  journal = {J},\n  year = {2020}\n}\n"
    )
    if settings:
        (root / "presswork.toml").write_text(settings)
    return root


def run(
    capsys: pytest.CaptureFixture[str], root: Path, *args: str, formats: str = "html"
) -> tuple[int, str]:
    code = main(["build", str(root), "--format", formats, "--style", APA, "--jobs", "1", *args])
    return code, capsys.readouterr().err


def lint(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, str]:
    code = main(["lint", str(root)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def one_error(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("presswork: error: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, err)


# ---- 1. reads ------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["manuscript", "references"])
def test_a_project_folder_that_is_a_symlink_out_is_refused(
    tmp_path: Path,
    outside: Path,
    listener: socket.socket,
    capsys: pytest.CaptureFixture[str],
    folder: str,
) -> None:
    root = project(tmp_path / "paper")
    target = tmp_path / "outside" / folder
    target.mkdir()
    for path in (root / folder).iterdir():
        (target / path.name).write_text(path.read_text())
        path.unlink()
    (root / folder).rmdir()
    (target / ("01-body.md" if folder == "manuscript" else "refs.bib")).write_text(
        (outside / ("secret.md" if folder == "manuscript" else "refs.bib")).read_text()
    )
    (root / folder).symlink_to(target)
    code, err = run(capsys, root)
    assert code == 2
    one_error(err, folder, "outside the project")
    lint_code, report = lint(capsys, root)
    assert lint_code == 2
    assert canary_places(root, err, report) == []
    assert not (root / "build" / APA).exists()
    assert_no_connection(listener)


def test_a_style_folder_or_file_that_leaves_the_project_is_refused(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "paper", 'styles = ["mine"]\n')
    (root / "styles").symlink_to(outside)
    (outside / "mine.csl").write_text((outside / "canary.csl").read_text())
    code = main(["build", str(root), "--format", "html", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    one_error(err, "styles/mine.csl", "outside the project")
    # The same through a path in the settings, relative or absolute.
    for name in ("../outside/canary.csl", str(outside / "canary.csl")):
        (root / "presswork.toml").write_text(f'styles = ["{name}"]\n')
        code = main(["build", str(root), "--format", "html", "--jobs", "1"])
        err = capsys.readouterr().err
        assert code == 2
        one_error(err, "outside the project")
        assert canary_places(root, err) == []


@pytest.mark.parametrize("which", ["chapter", "metadata", "bib", "settings"])
def test_a_file_symlinked_out_of_the_project_is_refused(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    root = project(tmp_path / "paper")
    link, target = {
        "chapter": (root / "manuscript" / "02-more.md", outside / "secret.md"),
        "metadata": (root / "manuscript" / "metadata.yaml", outside / "metadata.yaml"),
        "bib": (root / "references" / "more.bib", outside / "refs.bib"),
        "settings": (root / "presswork.toml", outside / "secret.txt"),
    }[which]
    if link.exists():
        link.unlink()
    link.symlink_to(target)
    code, err = run(capsys, root)
    assert code == 2
    one_error(err, link.relative_to(root).as_posix(), "outside the project")
    _, report = lint(capsys, root)
    assert canary_places(root, err, report) == []


def test_symlinks_that_stay_inside_the_project_work_and_images_out_are_refused(
    tmp_path: Path, outside: Path, listener: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    port = listener.getsockname()[1]
    root = project(
        tmp_path / "paper",
        chapter=(
            "![in](figures/inside.svg)\n\n![out](figures/out.svg)\n\n"
            "![folder](linked/secret.svg)\n\n"
            f"![net](http://127.0.0.1:{port}/x.png)\n\n"
            f'<img src="http://127.0.0.1:{port}/y.png">\n'
        ),
    )
    (root / "figures").mkdir()
    (root / "figures" / "real.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><text>INSIDE</text></svg>'
    )
    (root / "figures" / "inside.svg").symlink_to("real.svg")
    (root / "figures" / "out.svg").symlink_to(outside / "secret.svg")
    (root / "linked").symlink_to(outside)
    (root / "chapters").mkdir()
    (root / "chapters" / "real.md").write_text("# Linked\n\nA chapter linked from inside.\n")
    (root / "manuscript" / "02-linked.md").symlink_to("../chapters/real.md")
    code, err = run(capsys, root, formats="pdf,html,epub")
    assert code == 0, err
    html = (root / "build" / APA / "paper.html").read_text()
    assert "A chapter linked from inside." in html
    assert base64.b64encode(b"INSIDE")[:6].decode() in html or "INSIDE" in str(
        [base64.b64decode(m) for m in re.findall(r"base64,([A-Za-z0-9+/=]+)", html)]
    )
    assert "figures/out.svg' not used: outside the project" in err
    assert "linked/secret.svg' not used: outside the project" in err
    _, report = lint(capsys, root)
    assert canary_places(root, err, report) == []
    assert_no_connection(listener)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_fifos_are_never_opened(tmp_path: Path) -> None:
    root = project(tmp_path / "paper", chapter="![pipe](figures/pipe.png)\n")
    (root / "figures").mkdir()
    os.mkfifo(root / "figures" / "pipe.png")
    os.mkfifo(root / "manuscript" / "02-pipe.md")
    os.mkfifo(root / "references" / "pipe.bib")
    (root / "figures" / "link.png").symlink_to("pipe.png")
    # In a subprocess with a timeout: opening a FIFO for reading would wait forever.
    result = subprocess.run(
        [sys.executable, "-m", "presswork", "build", str(root), "-f", "html", "-s", APA],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "image 'figures/pipe.png' not used: not a regular file" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "presswork", "lint", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr


# ---- 2. styles -----------------------------------------------------------------------------


def test_a_style_with_a_doctype_or_entities_is_refused(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "paper", 'styles = ["evil"]\n')
    (root / "styles").mkdir()
    xxe = _csl("&x;").replace(
        "<style ",
        f'<!DOCTYPE style [<!ENTITY x SYSTEM "file://{outside}/secret.txt">]>\n<style ',
    )
    (root / "styles" / "evil.csl").write_text(xxe)
    code = main(["build", str(root), "--format", "html", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    one_error(err, "styles/evil.csl:2", "DOCTYPE")
    assert lint(capsys, root)[0] == 1  # findings (not a crash)
    report = lint(capsys, root)[1]
    assert "styles/evil.csl:2:1" in report and "style/invalid" in report
    assert canary_places(root, err, report) == []


def test_independent_parent_is_bundled_or_in_the_project_never_fetched(
    tmp_path: Path, outside: Path, listener: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    from presswork import project as project_mod
    from presswork import styles
    from presswork.build import plan

    port = listener.getsockname()[1]
    root = project(tmp_path / "paper", 'styles = ["journal"]\ncite-styles = ["journal"]\n')
    (root / "styles").mkdir()
    # class="in-text" and a <citation>: yet pandoc would still fetch the parent over HTTP.
    link = f'<link href="http://127.0.0.1:{port}/apa" rel="independent-parent"/>'
    (root / "styles" / "journal.csl").write_text(_csl("My Journal", extra=link))
    style = styles.resolve("journal", root)
    assert style.path == styles.bundled_dir() / "apa.csl"
    assert style.title == "My Journal"
    code = main(["build", str(root), "--format", "html", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 0, err
    html = (root / "build" / "journal" / "paper.html").read_text()
    assert "Doe, J. (2020). A title. <em>J</em>." in html  # APA's rules, the parent's
    assert_no_connection(listener)

    # A parent pointing outside: only its last name is used, and 'canary' exists nowhere.
    link = f'<link href="file://{outside}/canary.csl" rel="independent-parent"/>'
    (root / "styles" / "journal.csl").write_text(_csl("My Journal", extra=link))
    code = main(["build", str(root), "--format", "html", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    one_error(err, "unknown parent style 'canary'")

    # A parent among the project's styles; its bytes are part of the cache key.
    link = '<link href="http://example.org/styles/house" rel="independent-parent"/>'
    (root / "styles" / "journal.csl").write_text(_csl("My Journal", extra=link))
    (root / "styles" / "house.csl").write_text(_csl("House", "<text value='HOUSE-ONE'/>"))
    proj = project_mod.load(root)
    first = plan(proj, ["html"], ["journal"], 0)[0]
    assert first.style.path == root / "styles" / "house.csl"
    assert main(["build", str(root), "--format", "html", "--jobs", "1"]) == 0
    assert "HOUSE-ONE" in (root / "build" / "journal" / "paper.html").read_text()
    (root / "styles" / "house.csl").write_text(_csl("House", "<text value='HOUSE-TWO'/>"))
    assert plan(proj, ["html"], ["journal"], 0)[0].key != first.key
    assert main(["build", str(root), "--format", "html", "--jobs", "1"]) == 0
    assert "HOUSE-TWO" in (root / "build" / "journal" / "paper.html").read_text()
    capsys.readouterr()
    assert_no_connection(listener)


# ---- 3. writes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ('build-dir = "../escaped"', "build-dir"),
        ('build-dir = "/tmp/escaped"', "build-dir"),
        ('build-dir = "out/../../escaped"', "build-dir"),
        ('manuscript-dir = "../outside"', "manuscript-dir"),
        ('references-dir = "/etc"', "references-dir"),
        ('styles-dir = "../outside"', "styles-dir"),
        ('name = "../escaped"', "name"),
        ('name = "a/b"', "name"),
        ('name = "a\\\\b"', "name"),
        ('name = "a\\nb"', "name"),
        ('name = "bad\\u0000"', "NUL"),
        ('url = "https://x\\u0000"', "NUL"),
        ('build-dir = ""', "build-dir"),
        ('build-dir = "manuscript/out"', "overlaps 'manuscript-dir'"),
        ('build-dir = "out"\nreferences-dir = "out/refs"', "overlaps 'references-dir'"),
        ('url = "javascript:alert(1)"', "http:// or https://"),
        ('pdf-url = "file:///etc/passwd"', "http:// or https://"),
    ],
)
def test_settings_cannot_leave_the_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, words: str
) -> None:
    root = project(tmp_path / "paper", setting + "\n")
    code, err = run(capsys, root)
    assert code == 2
    one_error(err, "presswork.toml", words)
    assert not (tmp_path / "escaped").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper"]


@pytest.mark.parametrize("link", ["build", "build/apa", "build/.lock"])
def test_no_write_through_a_symlink_in_build(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str], link: str
) -> None:
    root = project(tmp_path / "paper")
    victim = outside / "victim"
    victim.mkdir()
    if link != "build":
        (root / "build").mkdir()
    (root / link).symlink_to(victim / "lock" if link.endswith(".lock") else victim)
    code, err = run(capsys, root)
    assert code == 2
    one_error(err, "symlink")
    assert list(victim.iterdir()) == []


def test_a_planted_temporary_is_never_written_through(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from presswork.build import write_atomic

    build = tmp_path / "paper" / "build" / APA
    build.mkdir(parents=True)
    victim = outside / "secret.txt"
    (build / f".paper.html.{os.getpid()}.tmp").symlink_to(victim)
    write_atomic(build / "paper.html", b"new")
    assert victim.read_text() == f"{CANARY} secret\n"
    assert (build / "paper.html").read_bytes() == b"new"
    assert not (build / f".paper.html.{os.getpid()}.tmp").exists()


def test_two_styles_writing_the_same_folder_are_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from presswork import styles

    root = project(tmp_path / "paper", 'styles = ["apa", "styles/apa.csl"]\n')
    (root / "styles").mkdir()
    (root / "styles" / "apa.csl").write_text(_csl("Not APA"))
    code = main(["build", str(root), "--format", "html", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    one_error(err, "would both write build/apa/")
    assert styles.resolve("apa", root).path == root / "styles" / "apa.csl"
    assert not (root / "build" / APA).exists()


# ---- 5. limits -----------------------------------------------------------------------------


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("path", "text", "words"),
    [
        ("manuscript/metadata.yaml", "title: T\n" + LAUGHS, "metadata.yaml:3:8: YAML aliases"),
        ("manuscript/metadata.yaml", "title: T\nx: " + "[" * 500 + "]" * 500, "nests more"),
        ("manuscript/02.md", "# A\n\n---\n" + LAUGHS + "---\n", "02.md:5:8: YAML aliases"),
        ("references/refs.json", "[" * 100_000 + "]" * 100_000, "refs.json:1: JSON nests"),
        ("references/refs.yaml", "- id: a\n  x: " + "[" * 300 + "]" * 300, "YAML nests"),
        ("references/refs.bib", "@misc{a, title={" + "{" * 500 + "}" * 501, "braces nest"),
        (
            "references/refs.bib",
            '@string{s0="'
            + "x" * 1000
            + '"}\n'
            + "".join(f"@string{{s{i + 1} = s{i} # s{i} # s{i}}}\n" for i in range(12))
            + "@misc{a, title = s12}\n",
            "@string 's7' expands to 2,187,000 characters",
        ),
        ("presswork.toml", "pandoc-timeout = 1000000000000\n", "pandoc-timeout"),
        ("presswork.toml", "a = " + "[" * 60_000 + "]" * 60_000 + "\n", "TOML nests"),
        ("presswork.toml", "max-cited-works = 1000000000000\n", "max-cited-works"),
    ],
)
def test_limits_hold_before_pandoc_starts(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    text: str,
    words: str,
) -> None:
    from presswork import pandoc

    root = project(tmp_path / "paper")
    (root / path).write_text(text)
    starts = pandoc.starts
    code, err = run(capsys, root)
    assert code == 2
    one_error(err, words)
    assert pandoc.starts == starts


# ---- 6. bad input --------------------------------------------------------------------------


def test_odd_file_names_give_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "paper")
    odd = os.path.join(os.fsencode(root / "manuscript"), b"02-\xff\nname.md")
    with open(odd, "wb") as handle:
        handle.write(b"caf\xe9\n")  # and not UTF-8 inside either
    code, err = run(capsys, root)
    assert code == 2
    one_error(err, "02-", "name.md:1:4: not UTF-8")
    os.unlink(odd)
    with open(odd, "wb") as handle:
        handle.write(b"# Odd\n\nA chapter with an odd name.\n")
    code, err = run(capsys, root)
    assert code == 0, err
    assert "an odd name" in (root / "build" / APA / "paper.html").read_text()


def test_an_output_path_that_is_a_folder_gives_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "paper")
    (root / "build" / APA / "paper.html").mkdir(parents=True)
    code, err = run(capsys, root)
    assert code == 2
    # The progress line of the render, then the error (found at the write, after rendering).
    one_error(err.strip().splitlines()[-1], "paper.html", "cannot write the output")
    assert "Traceback" not in err


def test_a_build_path_that_is_a_file_or_read_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "paper")
    (root / "build").write_text("not a folder")
    code, err = run(capsys, root)
    assert code == 2
    one_error(err, "build", "not a folder")
    (root / "build").unlink()
    if os.geteuid() == 0:  # root writes anywhere: the read-only case cannot be shown
        return
    (root / "build").mkdir()
    (root / "build").chmod(0o500)
    try:
        code, err = run(capsys, root)
    finally:
        (root / "build").chmod(0o700)
    assert code == 2
    one_error(err, "build", "not writable")


@pytest.mark.parametrize(
    "manifest",
    [
        b"{",
        b"[]",
        b'{"outputs": 5}',
        b'{"outputs": [5, null, "x", {"path": 3}]}',
        b'{"outputs": [{"path": "../../outside/victim/x", "key": "k", "size": 1}]}',
        b'{"outputs": [{"path": "/etc/passwd", "key": "k"}]}',
        b'{"outputs": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b" " * (17 * 1024 * 1024),
    ],
)
def test_a_hostile_manifest_is_ignored_and_nothing_outside_is_touched(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str], manifest: bytes
) -> None:
    root = project(tmp_path / "paper")
    (root / "build").mkdir()
    (root / "build" / "manifest.json").write_bytes(manifest)
    victim = outside / "victim"
    victim.mkdir()
    (victim / "x").write_text("keep")
    code, err = run(capsys, root)
    assert code == 0, err
    assert (victim / "x").read_text() == "keep"
    assert sorted(p.name for p in victim.iterdir()) == ["x"]
    assert (root / "build" / APA / "paper.html").is_file()


def test_a_linked_earlier_output_is_rebuilt_not_published(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path / "paper")
    code, _ = run(capsys, root)
    assert code == 0
    out = root / "build" / APA / "paper.html"
    size = out.stat().st_size
    out.unlink()
    padded = outside / "padded.html"
    padded.write_text(CANARY + "x" * (size - len(CANARY)))
    out.symlink_to(padded)
    code, err = run(capsys, root)
    assert code == 0, err
    assert not out.is_symlink()
    assert canary_places(root, err) == []
    assert padded.read_text().startswith(CANARY)


# ---- 4. scripts ----------------------------------------------------------------------------

EVIL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="10" height="10" onload="alert(1)"><script>alert(2)</script>'
    "<foreignObject><iframe src='javascript:alert(3)'></iframe></foreignObject>"
    '<a xlink:href="javascript:alert(4)"><circle r="4" fill="url(#g)" onclick="alert(5)"/></a>'
    '<animate attributeName="href" values="javascript:alert(6)"/>'
    '<use href="http://127.0.0.1:PORT/x.svg#a"/><text>KEPT-TEXT</text></svg>'
)
SCRIPT_MARKS = (
    b"<script",
    b"onload",
    b"onclick",
    b"onerror",
    b"javascript:",
    b"foreignobject",
    b"<animate",
    b"127.0.0.1",
    b"<iframe",
)


def test_no_script_in_any_output(
    tmp_path: Path, listener: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    port = listener.getsockname()[1]
    svg = EVIL_SVG.replace("PORT", str(port))
    inline = base64.b64encode(svg.encode()).decode()
    affix = "&lt;img src=x onerror=alert(7)&gt;&lt;script&gt;alert(8)&lt;/script&gt;"
    root = project(
        tmp_path / "paper",
        'styles = ["apa"]\ncite-styles = ["evil"]\n',
        chapter=(
            "![file](figures/evil.svg)\n\n"
            f"![uri](data:image/svg+xml;base64,{inline})\n\n"
            f'<p style="background:u\\72l(http://127.0.0.1:{port}/a.png)">escaped url</p>\n\n'
            f'<p style="color:red;@im\\70ort url(http://127.0.0.1:{port}/b.css)">import</p>\n\n'
            '<svg width="5" height="5"><a href="javascript:alert(9)"><circle r="2"/></a>'
            '<animate attributeName="href" values="javascript:alert(10)"/>'
            "<foreignObject><p onclick='alert(11)'>x</p></foreignObject></svg>\n"
        ),
    )
    (root / "figures").mkdir()
    (root / "figures" / "evil.svg").write_text(svg)
    (root / "styles").mkdir()
    layout = f'<text variable="title" prefix="{affix}"/>'
    (root / "styles" / "evil.csl").write_text(_csl("Evil", layout))
    code, err = run(capsys, root, formats="pdf,html,epub")
    assert code == 0, err
    html = (root / "build" / APA / "paper.html").read_text()
    assert "cite-entries" in html  # the block rendered the hostile style's entry
    for path in sorted((root / "build" / APA).iterdir()):
        for name, data in output_texts(path.name, path.read_bytes()):
            data = re.sub(rb'<script type="application/ld\+json">[^<]*</script>', b"", data)
            for mark in SCRIPT_MARKS:
                assert mark not in data.lower(), (mark, name)
    decoded = [base64.b64decode(m) for m in re.findall(r"svg\+xml;base64,([A-Za-z0-9+/=]+)", html)]
    assert len(decoded) == 2 and all(b"KEPT-TEXT" in d and b"<circle" in d for d in decoded)
    assert '<circle r="2"' in html and "escaped url" in html
    assert_no_connection(listener)


# ---- network -------------------------------------------------------------------------------


def test_a_setting_cannot_turn_on_online_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib.request

    calls: list[object] = []

    def urlopen(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise OSError("no network in tests")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    root = project(tmp_path / "paper", "[lint]\nonline = true\n")
    (root / "references" / "refs.bib").write_text(
        "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Title},\n"
        "  journal = {J},\n  year = {2020},\n  doi = {10.1000/xyz123}\n}\n"
    )
    _, report = lint(capsys, root)
    assert calls == [] and "online" not in report
    main(["lint", str(root), "--online"])
    capsys.readouterr()
    assert calls  # the command line's --online does reach for the network


def test_an_image_declaring_billions_of_pixels_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )
    uri = "data:image/png;base64," + base64.b64encode(bomb).decode()
    root = project(tmp_path / "paper", chapter=f"![bomb](figures/bomb.png)\n\n![uri]({uri})\n")
    (root / "figures").mkdir()
    (root / "figures" / "bomb.png").write_bytes(bomb)
    code, err = run(capsys, root, formats="pdf,html")
    assert code == 0, err
    assert "image 'figures/bomb.png' not used: 10,000,000,000 pixels, over the limit" in err
    assert err.count("10,000,000,000 pixels") == 2
    assert base64.b64encode(bomb).decode() not in (root / "build" / APA / "paper.html").read_text()
