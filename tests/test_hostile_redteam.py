"""Red-team probes for issue 12: every place a URL or a path can hide in a project.

Each project packs many probes: a listener on 127.0.0.1 that must see no connection, and a
canary outside the project that must reach no output (zip members, data: URIs and PDF
streams searched too) and no log; nothing is written outside build/.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import threading
import time
import unicodedata
from pathlib import Path

import pytest

from helpers import assert_no_connection, epub_files
from presswork.cli import main
from test_hostile_confine import CANARY, _csl, canary_places, one_error, project
from test_hostile_signals import outliving
from test_interrupt import (
    FORMATS,
    STYLES,
    assert_consistent,
    command,
    output_hashes,
    temporaries,
    write_project,
)


def bundled_apa() -> Path:
    from presswork import styles

    return styles.bundled_dir() / "apa.csl"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Canary files beside the project, one for every kind of file a project may name."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "secret.txt").write_text(f"{CANARY} secret\n")
    (out / "secret.css").write_text(f'body::after {{ content: "{CANARY}" }}\n')
    (out / "secret.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><text>{CANARY}</text></svg>'
    )
    (out / "refs.bib").write_text(
        f"@book{{leak, title={{{CANARY}}}, author={{L, L}}, year=2001}}\n"
    )
    return out


def tree(base: Path, build: Path) -> dict[str, bytes | str]:
    """Every path under base but build/, with its bytes (or link target)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(base.rglob("*")):
        if path == build or build in path.parents:
            continue
        key = path.relative_to(base).as_posix()
        if path.is_symlink():
            found[key] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


# ---- 1 and 2: network and reads, one project holding every probe ----------------------------


def hostile_everywhere(root: Path, out: Path, port: int) -> Path:
    net = f"http://127.0.0.1:{port}"
    project(root)
    (root / "styles").mkdir()
    (root / "figures").mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "hostile" / "project" / "figures" / "dot.png",
                root / "figures" / "dot.png")  # fmt: skip
    (root / "figures" / "link.svg").symlink_to(out / "secret.svg")
    (root / "manuscript" / "link.txt").symlink_to(out / "secret.txt")
    # A setting that would turn online lint on, in pyproject's table this time.
    (root / "pyproject.toml").write_text(
        '[tool.presswork]\nstyles = ["local", "odd-locale"]\n[tool.presswork.lint]\nonline = true\n'
    )
    (root / "references" / "refs.bib").write_text(
        "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Title},\n  journal = {J},\n"
        f"  year = {{2020}},\n  url = {{{net}/bib-url}},\n  doi = {{10.1000/xyz123}}\n}}\n"
    )
    (root / "manuscript" / "metadata.yaml").write_text(
        f"""title: A Paper
lang: en-US
bibliography: [references/refs.bib, {net}/m.bib, {out}/refs.bib, ../outside/refs.bib]
csl: {net}/m.csl
citation-abbreviations: {net}/abbr.json
reference-doc: {net}/ref.docx
template: {net}/t.html
lua-filter: {net}/f.lua
filters: [{net}/f2.lua, {out}/secret.txt]
include-in-header: {net}/h.html
include-before-body: {out}/secret.txt
include-after-body: [../outside/secret.txt]
css: [{net}/m1.css, //127.0.0.1:{port}/m2.css, {out}/secret.css, file://{out}/secret.css]
header-includes: |
  <style>@import url({net}/hi.css); body {{ background: url(//127.0.0.1:{port}/b.png) }}</style>
cover-image: ../outside/secret.svg
epub-cover-image: {out}/secret.svg
stylesheet: {out}/secret.css
"""
    )
    (root / "manuscript" / "02-probes.md").write_text(
        f"""# Probes

![md]({net}/md.png) ![pr](//127.0.0.1:{port}/pr.png) ![abs]({out}/secret.svg)
![rel](../../outside/secret.svg) ![url](file://{out}/secret.svg) ![lnk](figures/link.svg)
![dot](figures/dot.png){{srcset="{net}/ss.png 2x"}}

<img src="figures/dot.png" srcset="{net}/raw-ss.png 2x">

![ds](figures/dot.png){{data-src="{out}/secret.svg"}}

<img src="figures/dot.png" data-src="../outside/secret.svg" alt="ds">

<video poster="{net}/poster.png" src="{net}/v.mp4"></video>

<object data="{out}/secret.svg"></object> <embed src="file://{out}/secret.svg">

<iframe src="../outside/secret.txt"></iframe>

<div style="background-image:url('{net}/inline.png')">x</div>

<link rel="stylesheet" href="//127.0.0.1:{port}/lnk.css">

<style>@font-face {{ font-family: X; src: url({net}/f.woff) }} @import "{out}/secret.css";</style>

<picture><source srcset="{net}/pic.png"><img src="figures/dot.png"></picture>

```{{=html}}
<p style="background:u\\72l({net}/esc.png)">escaped</p>
```

```{{.include}}
{out}/secret.txt
```

{{{{< include {out}/secret.txt >}}}}

!include {out}/secret.txt

[a link to a link](manuscript/link.txt)

![svg](figures/pi.svg) ![svg](figures/refs.svg)
"""
    )
    # No DOCTYPE (that is refused whole): a processing instruction, XInclude, CSS and hrefs.
    (root / "figures" / "pi.svg").write_text(
        f"""<?xml version="1.0"?>
<?xml-stylesheet href="{net}/pi.css" type="text/css"?>
<?xml-stylesheet href="../../outside/secret.css" type="text/css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:xi="http://www.w3.org/2001/XInclude" width="20" height="20">
<style>@import url({net}/svg.css); rect {{ fill: url({net}/fill.svg#g) }}
@font-face {{ font-family: Z; src: url(file://{out}/secret.txt) }}</style>
<xi:include href="file://{out}/secret.txt" parse="text"/>
<xi:include href="{net}/xi.xml"/>
<text>inside</text><rect width="5" height="5" style="fill: url(//127.0.0.1:{port}/s.svg)"/>
</svg>
"""
    )
    (root / "figures" / "refs.svg").write_text(
        f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="20" height="20">
<image href="{net}/i.png" width="5" height="5"/><image xlink:href="../../outside/secret.svg"/>
<image href="file://{out}/secret.svg"/><use href="{net}/use.svg#a"/>
<feImage href="{out}/secret.svg"/><text>refs</text></svg>
"""
    )
    # CSL: a dependent style whose parent and template are URLs, odd locales.
    (root / "styles" / "local.csl").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" '
        f'default-locale="{net}/locale">\n'
        f'<info><title>Local</title><id>local</id><link href="{net}/styles/apa" '
        f'rel="independent-parent"/><link href="{net}/t.csl" rel="template"/></info>\n'
        "</style>\n"
    )
    apa = bundled_apa().read_text(encoding="utf-8")
    apa = apa.replace('version="1.0">', 'version="1.0" default-locale="../../outside/secret">', 1)
    apa = apa.replace(
        "<info>",
        f'<info><link href="{net}/t2.csl" rel="template"/>'
        f'<link href="file://{out}/secret.txt" rel="documentation"/>',
        1,
    )
    (root / "styles" / "odd-locale.csl").write_text(apa, encoding="utf-8")
    return root


def online_env(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    """Every service presswork knows points at the listener."""
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("PRESSWORK_DOI_API", base)
    for service in ("DOI", "NCBI", "ARXIV", "OPENLIBRARY", "WIKIDATA"):
        monkeypatch.setenv(f"PRESSWORK_{service}_URL", base)


@pytest.mark.slow
def test_no_url_or_outside_path_is_fetched_or_read_by_any_command(
    tmp_path: Path,
    outside: Path,
    listener: socket.socket,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = listener.getsockname()[1]
    online_env(monkeypatch, port)
    root = hostile_everywhere(tmp_path / "paper", outside, port)
    before = tree(tmp_path, root / "build")
    logs: list[str] = []

    code = main(["build", str(root), "--format", "pdf,html,epub", "--jobs", "1"])
    err = capsys.readouterr().err
    logs.append(err)
    assert code == 0, err
    assert_no_connection(listener)
    # The probes reached the checks (else this test proves nothing).
    for expected in (
        "metadata 'bibliography: http://127.0.0.1:",
        "metadata 'csl: http://127.0.0.1:",
        "metadata 'cover-image: ../outside/secret.svg' ignored: outside the project",
        "image '//127.0.0.1:",
        "image 'figures/link.svg' not used: outside the project",
        "raw HTML <object> removed",
        "raw HTML <link> removed",
    ):
        assert expected in err, expected
    for style in ("local", "odd-locale"):
        for ext in ("pdf", "html", "epub"):
            assert (root / "build" / style / f"paper.{ext}").stat().st_size > 0

    monkeypatch.chdir(root)
    for args in (["lint", str(root)], ["lint", str(root), "--format", "json"], ["styles"]):
        main(args)
        captured = capsys.readouterr()
        logs += [captured.out, captured.err]
        assert "Traceback" not in captured.err
    assert_no_connection(listener)
    assert canary_places(root, *logs) == []
    assert tree(tmp_path, root / "build") == before, "something was written outside build/"

    # Control: --online on the command line does connect, so the listener would have seen it.
    seen: list[bytes] = []

    def answer() -> None:
        ready, _, _ = select.select([listener], [], [], 30)
        if ready:
            conn, _ = listener.accept()
            seen.append(conn.recv(200))
            conn.close()

    thread = threading.Thread(target=answer)
    thread.start()
    main(["lint", str(root), "--online", "--select", "doi"])
    thread.join()
    capsys.readouterr()
    assert seen and b"10.1000" in seen[0]


@pytest.mark.parametrize(
    "css",
    [
        "p { background: url(NET/a.png) }",
        "@import url('NET/b.css');",
        '@import "//127.0.0.1:PORT/c.css";',
        "@font-face { font-family: Y; src: url(//127.0.0.1:PORT/y.woff) }",
        "p { background: u\\72 l(NET/esc.png) }",
        '@import "OUT/secret.css";',
        "p { background: url(file://OUT/secret.svg) }",
        "p { background: url(../../outside/secret.svg) }",
        "p { background: url(../figures/link.svg) }",
    ],
)
def test_a_project_stylesheet_pointing_out_is_refused(
    tmp_path: Path,
    outside: Path,
    listener: socket.socket,
    capsys: pytest.CaptureFixture[str],
    css: str,
) -> None:
    port = listener.getsockname()[1]
    css = css.replace("NET", f"http://127.0.0.1:{port}").replace("PORT", str(port))
    root = project(tmp_path / "paper")
    (root / "figures").mkdir()
    (root / "figures" / "link.svg").symlink_to(outside / "secret.svg")
    (root / "manuscript" / "style.css").write_text(css.replace("OUT", str(outside)))
    (root / "manuscript" / "metadata.yaml").write_text("title: T\ncss: manuscript/style.css\n")
    code = main(["build", str(root), "--format", "html,pdf", "--style", "apa", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    one_error(err, "manuscript/metadata.yaml", "css")
    assert_no_connection(listener)
    assert canary_places(root, err) == []


# Raw HTML goes through the sanitizer being rewritten (sanitize.py, rawhtml.py): these fail
# today, and are left to that work.
def test_inline_svg_in_raw_html_keeps_no_url(
    tmp_path: Path, outside: Path, listener: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    port = listener.getsockname()[1]
    chapter = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<image href="http://127.0.0.1:{port}/i.png" width="5" height="5"/>'
        f'<image xlink:href="{outside}/secret.svg" width="5" height="5"/></svg>\n'
    )
    root = project(tmp_path / "paper", chapter=chapter)
    code = main(["build", str(root), "--format", "html,epub", "--style", "apa", "--jobs", "1"])
    capsys.readouterr()
    assert code == 0
    assert_no_connection(listener)
    html = (root / "build" / "apa" / "paper.html").read_text()
    assert "127.0.0.1" not in html and str(outside) not in html


# ---- 3: writes -----------------------------------------------------------------------------


NFC, NFD = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")


@pytest.mark.parametrize(
    ("files", "names", "words"),
    [
        (["APA.csl"], ["apa", "APA"], "'apa' and 'APA' would both write build/APA/"),
        (["Chicago.csl", "chicago.csl"], ["Chicago", "chicago"], "would both write build/"),
        ([f"{NFC}.csl", f"{NFD}.csl"], [NFC, NFD], "but for case or Unicode normalisation"),
        (["manifest.json.csl"], ["manifest.json"], "the build's own manifest.json"),
        (["Manifest.JSON.csl"], ["styles/Manifest.JSON.csl"], "the build's own manifest.json"),
    ],
    ids=["case-bundled", "case-local", "unicode", "manifest", "manifest-case"],
)
@pytest.mark.parametrize("where", ["settings", "command line"])
def test_styles_whose_folders_collide_are_an_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: list[str],
    names: list[str],
    words: str,
    where: str,
) -> None:
    settings = f"styles = {json.dumps(names, ensure_ascii=False)}\n" if where == "settings" else ""
    root = project(tmp_path / "paper", settings)
    (root / "styles").mkdir()
    for name in files:
        (root / "styles" / name).write_text(_csl(name), encoding="utf-8")
    if len(os.listdir(root / "styles")) < len(files):
        pytest.skip("this file system folds the names itself")
    earlier = root / "build" / "apa" / "paper.html"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("an earlier build")
    args = ["--style", ",".join(names)] if where == "command line" else []
    code = main(["build", str(root), "--format", "html", "--jobs", "1", *args])
    err = capsys.readouterr().err
    assert code == 2
    one_error(err, words)
    assert sorted(p.name for p in (root / "build").iterdir()) == ["apa"]
    assert earlier.read_text() == "an earlier build"


def test_the_same_style_twice_is_built_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from presswork.build import build

    root = project(tmp_path / "paper", 'styles = ["apa", "apa"]\n')
    report = build(root, ["html"], None, jobs=2)
    capsys.readouterr()
    assert [o.target.path.as_posix() for o in report.outcomes] == ["apa/paper.html"]


# ---- 4: signals ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    from presswork.build import build

    old = write_project(tmp_path_factory.mktemp("old") / "paper", "1")
    build(old, FORMATS.split(","), STYLES.split(","), jobs=2)
    return old, output_hashes(old)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("delay", [1.5, 3.0])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_to_the_whole_group_leaves_earlier_outputs_and_no_process(
    tmp_path: Path, built_once: tuple[Path, dict[str, str]], signum: int, delay: float
) -> None:
    """As a cancelled CI job or a closed terminal sends it: to every process of the build,
    multiprocessing's own helpers included (a SIGHUP once killed its resource tracker, and
    its successor printed tracebacks)."""
    built, old = built_once
    root = tmp_path / "paper"
    shutil.copytree(built, root)
    write_project(root, "2")
    tmp = tmp_path / "tmp"  # WeasyPrint's font folders go here: none may be left
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.Popen(command(root), stderr=subprocess.PIPE, start_new_session=True, env=env)
    time.sleep(delay)
    os.killpg(proc.pid, signum)
    _, err_bytes = proc.communicate(timeout=60)
    err = err_bytes.decode()
    left = outliving(proc.pid)
    assert left == [], "processes outlived the build"
    assert proc.returncode in (0, 130), err
    assert err == ("presswork: interrupted\n" if proc.returncode == 130 else ""), err
    assert_consistent(root, old)
    assert temporaries(root) == []
    assert sorted(p.name for p in tmp.iterdir()) == []


# ---- bad input: a language that is a path or a pattern -------------------------------------


@pytest.mark.parametrize(
    "lang", ["**", "zh_**", "a" * 5000, "../../../outside/secret", "/etc/hostname", "["]
)
def test_a_language_that_is_no_language_is_english(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    """`lang` reached a glob pattern and file names (the CSL locale, pandoc's translations):
    '**' and a 5,000-letter word ended in a traceback."""
    root = project(tmp_path / "paper")
    (root / "manuscript" / "metadata.yaml").write_text(f"title: T\nlang: {json.dumps(lang)}\n")
    (outside / "secret.yaml").write_text(f"Figure: {CANARY}\n")
    code = main(["build", str(root), "--format", "html,epub", "--style", "apa", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Traceback" not in err
    html = (root / "build" / "apa" / "paper.html").read_text()
    assert "References" in html  # English terms
    assert canary_places(root, err) == []


# ---- bad input: names longer than a file system takes --------------------------------------


LONG = "a" * 300


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        (f'name = "{LONG}"\n', "setting 'name' is 300 bytes long"),
        (f'build-dir = "{LONG}"\n', "setting 'build-dir' is too long"),
        (f'build-dir = "{"d/" * 3000}"\n', "setting 'build-dir' is too long"),
        (f'manuscript-dir = "{LONG}"\n', "setting 'manuscript-dir' is too long"),
        (f'styles = ["{LONG}"]\n', "style name too long"),
        (f'styles = ["styles/{LONG}.csl"]\n', "style name too long"),
    ],
    ids=["name", "build-dir", "build-dir-deep", "manuscript-dir", "style", "style-file"],
)
def test_a_setting_too_long_for_a_file_name_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: str, words: str
) -> None:
    root = project(tmp_path / "paper", settings)
    code = main(["build", str(root), "--format", "html", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    one_error(err, "presswork.toml", words)
    assert not (root / "build").exists()


@pytest.mark.parametrize(
    ("metadata", "chapter"),
    [
        (f"bibliography: references/{LONG}.bib\n", ""),
        (f"css: {LONG}.css\n", ""),
        (f"cover-image: {LONG}.png\n", ""),
        (f"csl: {LONG}.csl\n", ""),
        ("", f"![x]({LONG}.png)"),
        ("", f'<img src="{LONG}.png" alt="x">'),
    ],
    ids=["bibliography", "css", "cover-image", "csl", "image", "raw-img"],
)
def test_a_manuscript_name_too_long_for_a_file_name_is_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], metadata: str, chapter: str
) -> None:
    root = project(tmp_path / "paper", chapter=chapter)
    (root / "manuscript" / "metadata.yaml").write_text(f"title: T\n{metadata}")
    for args in (
        ["build", str(root), "--format", "html", "--style", "apa"],
        ["lint", str(root)],
    ):
        code = main(args)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        assert code in (0, 1, 2), captured.err
        if code == 2:
            one_error(captured.err)


def test_raw_html_void_elements_leave_the_epub_well_formed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lxml import etree

    chapter = "Line<br>break.\n\n<p>A<br>b<hr></p>\n"
    root = project(tmp_path / "paper", chapter=chapter)
    code = main(["build", str(root), "--format", "epub", "--style", "apa", "--jobs", "1"])
    capsys.readouterr()
    assert code == 0
    for name, data in epub_files(root / "build" / "apa" / "paper.epub").items():
        if name.endswith(".xhtml"):
            etree.fromstring(data)  # XMLSyntaxError when not well-formed
