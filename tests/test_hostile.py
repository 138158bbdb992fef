"""Hostile manuscripts: nothing outside the project is read, nothing is fetched, no script ships."""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest

from helpers import assert_no_connection, epub_files, pdf_text
from presswork import pandoc
from presswork.cli import main
from presswork.sanitize import clean_html, embed_image, sanitize

FIXTURE = Path(__file__).parent / "fixtures" / "hostile" / "project"
DANGEROUS = (
    "<script",
    "onclick",
    "onerror",
    "onmouseover",
    "<iframe",
    "<object",
    "<embed",
    "http-equiv",
    "javascript:",
    "link.css",
    "127.0.0.1",
    "/etc/",
    "TOPSECRET",
)


def hostile_project(tmp_path: Path, port: int) -> Path:
    """The fixture with the listener's port, a secret outside it and a symlink leaving it."""
    root = tmp_path / "paper"
    shutil.copytree(FIXTURE, root)
    for path in (root / "manuscript").iterdir():
        path.write_text(path.read_text().replace("PORT", str(port)))
    (tmp_path / "secret.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><text>TOPSECRET</text></svg>'
    )
    (root / "figures" / "escape.svg").symlink_to(tmp_path / "secret.svg")
    return root


def outputs_text(root: Path) -> dict[str, str]:
    out = root / "build" / "apa"
    texts = {"html": (out / "paper.html").read_text(), "pdf": pdf_text(out / "paper.pdf")}
    for name, data in epub_files(out / "paper.epub").items():
        if name.endswith((".xhtml", ".opf", ".ncx")):
            texts[f"epub:{name}"] = data.decode("utf-8")
    return texts


def test_hostile_manuscript_fetches_nothing_and_ships_nothing_dangerous(
    tmp_path: Path, listener: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    root = hostile_project(tmp_path, listener.getsockname()[1])
    code = main(["build", str(root), "--format", "pdf,html,epub", "--style", "apa", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert_no_connection(listener)
    for name, text in outputs_text(root).items():
        # presswork's own JSON-LD metadata is data, never run; anything else is suspect
        text = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", text)
        for bad in DANGEROUS:
            assert bad not in text, f"{bad!r} in {name}"
    # The image inside the project works everywhere; refused ones leave their alt text.
    html = (root / "build" / "apa" / "paper.html").read_text()
    assert html.count('src="data:image/png;base64,') == 2  # the file and the data: URI
    assert "figures/dot.png" not in html and 'class="missing-image">passwd<' in html
    epub = epub_files(root / "build" / "apa" / "paper.epub")
    assert [n for n in epub if "/media/" in n] == ["EPUB/media/file0.png"]  # same bytes twice
    assert epub["EPUB/text/ch001.xhtml"].count(b'src="../media/file0.png"') == 2
    from pypdf import PdfReader

    pdf = PdfReader(root / "build" / "apa" / "paper.pdf")
    assert sum(len(page.images) for page in pdf.pages) >= 1
    for expected in (
        "manuscript/metadata.yaml:4:18: raw HTML <script> removed",
        "manuscript/metadata.yaml:5:6: metadata 'css: http://",
        "manuscript/metadata.yaml:6:14: metadata 'cover-image: /etc/passwd' ignored",
        "manuscript/01-hostile.md:5:29: image '/etc/passwd' not used: an absolute path",
        "manuscript/01-hostile.md:7:22: image '../secret.svg' not used: outside the project",
        "manuscript/01-hostile.md:9:21: image 'file:///etc/hostname' not used: file: URLs",
        "manuscript/01-hostile.md:11:21: image 'http://127.0.0.1:",
        "manuscript/01-hostile.md:13:24: image 'figures/escape.svg' not used: outside the project",
        "manuscript/01-hostile.md:15:18: image 'figures/missing.png' not used: file not found",
        "manuscript/01-hostile.md:17:24: image 'figures/notes.png' not used: not an image",
        "manuscript/01-hostile.md:23:1: raw HTML <script> removed",
        "manuscript/01-hostile.md:25:1: raw HTML <p>: event handler 'onclick' removed",
        "manuscript/01-hostile.md:27:1: raw HTML <iframe> removed",
        "manuscript/01-hostile.md:29:1: raw HTML <object> removed",
        "manuscript/01-hostile.md:31:1: raw HTML <embed> removed",
        "manuscript/01-hostile.md:33:1: raw HTML <meta> removed",
        "manuscript/01-hostile.md:35:1: raw HTML <img> removed: src='http://127.0.0.1:",
        "manuscript/01-hostile.md:37:1: raw HTML <link> removed",
        "manuscript/01-hostile.md:39:1: raw HTML <style> removed",
        "manuscript/01-hostile.md:41:16: link 'javascript:alert(1)' removed",
        "manuscript/01-hostile.md:43:10: event handler 'onmouseover' removed",
    ):
        assert f"warning: {expected}" in err, expected
    assert "https://example.org/" in html  # ordinary links stay


def test_strict_makes_a_refused_image_an_error_and_keeps_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = hostile_project(tmp_path, 9)
    old = root / "build" / "apa" / "paper.html"
    old.parent.mkdir(parents=True)
    old.write_text("<p>an earlier build</p>")
    code = main(["build", str(root), "--format", "html", "--style", "apa", "--strict"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (
        "presswork: error: manuscript/metadata.yaml:6:14: metadata 'cover-image: /etc/passwd' "
        "ignored: an absolute path, outside the project"
    )
    assert old.read_text() == "<p>an earlier build</p>"


def test_strict_makes_raw_script_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "paper"
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "metadata.yaml").write_text("title: T\n")
    (root / "manuscript" / "01.md").write_text("Fine.\n\nStill fine <script>x()</script>.\n")
    code = main(["build", str(root), "--format", "html", "--style", "apa", "--strict"])
    assert code == 2
    assert "manuscript/01.md:3:12: raw HTML <script> removed" in capsys.readouterr().err
    assert not (root / "build" / "apa").exists()


def test_every_pandoc_run_is_sandboxed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    real = pandoc.run

    def spy(args: list[str], *rest: object, **kwargs: object) -> pandoc.Result:
        seen.append(args)
        return real(args, *rest, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pandoc, "run", spy)
    root = hostile_project(tmp_path, 9)
    from presswork.build import build

    build(root, ["html", "epub"], ["apa"], jobs=1)
    assert len(seen) >= 3 and all(args[0] == "--sandbox" for args in seen)
    forbidden = ("--lua-filter", "--filter", "--include-in-header")
    assert not any(arg in forbidden for args in seen for arg in args)


# ---- the sanitizer on its own (no pandoc) --------------------------------------------------

FRAGMENTS = {
    "script": ("<script>alert(1)</script>", ""),
    "uppercase script": ("<SCRIPT SRC=//x></SCRIPT>", ""),
    "unclosed script": ("<script>alert(1)", ""),
    "nested script": ("<scr<script>ipt>alert(1)</script>", "&lt;scr&lt;script&gt;ipt&gt;alert(1)"),
    "svg onload": (
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"></circle></svg>',
    ),
    "entity javascript": ('<a href="jav&#x61;script:alert(1)">x</a>', "<a>x</a>"),
    "tab javascript": ('<a href="java\tscript:alert(1)">x</a>', "<a>x</a>"),
    "vbscript": ("<a href='VBScript:msgbox(1)'>x</a>", "<a>x</a>"),
    "ordinary link": (
        '<a href="https://doi.org/10.1/x" title="t">x</a>',
        '<a href="https://doi.org/10.1/x" title="t">x</a>',
    ),
    "iframe": ('<iframe src="https://x"><p>inside</p></iframe>after', "after"),
    "object": ('<object data="x.swf"><param name="a"></object>', ""),
    "embed": ('<embed src="x.swf">', ""),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://x">', ""),
    "base": ('<base href="https://evil/">', ""),
    "style url": ('<span style="background:url(//evil/x.png)">s</span>', "<span>s</span>"),
    "style expression": ('<b style="width:expression(alert(1))">b</b>', "<b>b</b>"),
    "style fine": ('<b style="color: red">b</b>', '<b style="color: red">b</b>'),
    "srcset": ('<img srcset="https://evil/x.png 2x" alt="a">', '<img alt="a" />'),
    "data html link": ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "<a>x</a>"),
    "form action": ('<form action="https://evil/"><input name="q"></form>', ""),
    "not on the allowlist": ('<video controls><source src="x.mp4">v</video>', "v"),
    "allowlisted": ("<details><summary>s</summary><kbd>k</kbd></details>", None),
    "comment": ("<!--[if IE]><script>alert(1)</script><![endif]-->ok", "ok"),
    "text escaped": ("a < b &amp; c", "a &lt; b &amp; c"),
    "bad attribute name": ('<b "onclick"=x>b</b>', "<b>b</b>"),
}


@pytest.mark.parametrize("case", sorted(FRAGMENTS))
def test_clean_html(case: str, tmp_path: Path) -> None:
    fragment, expected = FRAGMENTS[case]
    cleaned, problems = clean_html(fragment, tmp_path)
    assert cleaned == (fragment if expected is None else expected)
    harmless = ("ordinary link", "style fine", "text escaped", "comment", "nested script")
    harmless += ("allowlisted",)
    assert bool(problems) == (case not in harmless)


def test_image_targets(tmp_path: Path) -> None:
    root = tmp_path / "paper"
    shutil.copytree(FIXTURE, root)
    (tmp_path / "outside.png").write_bytes((root / "figures" / "dot.png").read_bytes())
    (root / "figures" / "out.png").symlink_to(tmp_path / "outside.png")
    (root / "figures" / "in.png").symlink_to(root / "figures" / "dot.png")
    expectations = {
        "figures/dot.png": "",
        "figures/in.png": "",  # a symlink that stays inside is fine
        "./figures/../figures/dot.png": "",
        "figures/out.png": "outside the project",
        "../outside.png": "outside the project",
        "figures%2F..%2F..%2Foutside.png": "outside the project",
        "..\\outside.png": "outside the project",
        str(tmp_path / "outside.png"): "an absolute path, outside the project",
        "~/x.png": "an absolute path, outside the project",
        "file:///etc/passwd": "file: URLs are not allowed",
        "http://127.0.0.1:9/x.png": "http: URLs are not allowed",
        "ftp://host/x.png": "ftp: URLs are not allowed",
        "data:text/html,<script>": "a data: URI that is not an image",
        "figures/missing.png": "file not found",
        "figures": "cannot be read (Is a directory)",
        "figures/notes.png": "not an image (PNG, JPEG, GIF, WebP or SVG)",
    }
    for target, reason in expectations.items():
        uri, why = embed_image(target, root)
        assert why == reason, target
        assert (uri is None) == bool(reason), target


def test_sanitize_walks_attributes_metadata_and_tables(tmp_path: Path) -> None:
    attr = ["", [], [["onclick", "x()"], ["data-ok", "1"], ["src", "http://evil/"]]]
    ast = {
        "meta": {
            "header-includes": {
                "t": "MetaBlocks",
                "c": [{"t": "RawBlock", "c": ["html", "<script>1</script>"]}],
            }
        },
        "blocks": [{"t": "Div", "c": [attr, [{"t": "RawBlock", "c": ["html4", "<embed>"]}]]}],
    }
    clean, problems = sanitize(ast, tmp_path)
    assert clean["meta"]["header-includes"]["c"] == []
    assert clean["blocks"][0]["c"] == [["", [], [["data-ok", "1"]]], []]
    assert [p.in_metadata for p in problems] == [True, False, False, False]


def test_images_change_the_target_key(tmp_path: Path) -> None:
    from presswork import project
    from presswork.build import _common_key

    root = tmp_path / "paper"
    shutil.copytree(FIXTURE, root)
    before = _common_key(project.load(root), 0)
    (root / "figures" / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\nchanged")
    assert _common_key(project.load(root), 0) != before


# ---- bad input: one clear line, exit 2, build/ untouched -----------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A tiny valid project with an earlier build that bad input must not touch."""
    root = tmp_path / "paper"
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "metadata.yaml").write_text("title: T\n")
    (root / "manuscript" / "01-body.md").write_text("# Start\n\nText.\n")
    (root / "build" / "apa").mkdir(parents=True)
    (root / "build" / "apa" / "paper.html").write_text("<p>an earlier build</p>")
    return root


def _utf16(text: str) -> bytes:
    return text.encode("utf-16")


BAD_INPUT = {
    "csl-not-xml": (
        "styles/house.csl",
        '{"this": "is JSON"}\n',
        "styles/house.csl:1: not valid CSL XML",
    ),
    "csl-not-csl": (
        "styles/house.csl",
        "<html><body/></html>\n",
        "styles/house.csl:1: not a CSL style: root element is <html>",
    ),
    "empty-markdown": ("manuscript/01-body.md", "  \n\n", "manuscript/01-body.md: file is empty"),
    "utf16-bom": (
        "manuscript/01-body.md",
        _utf16("# Start\n"),
        "manuscript/01-body.md:1:1: not UTF-8 (looks like UTF-16); save it as UTF-8",
    ),
    "utf16-no-bom": (
        "manuscript/01-body.md",
        "# Start\n".encode("utf-16-le"),
        "manuscript/01-body.md:1: contains NUL bytes (looks like UTF-16 without a "
        "byte-order mark, or binary data); save it as UTF-8",
    ),
    "utf16-metadata": (
        "manuscript/metadata.yaml",
        _utf16("title: T\n"),
        "manuscript/metadata.yaml:1:1: not UTF-8 (looks like UTF-16)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_one_line(small: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    name, content, expected = BAD_INPUT[case]
    path = small / name
    path.parent.mkdir(exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    extra = ["--style", "house"] if name.startswith("styles/") else ["--style", "apa"]
    code = main(["build", str(small), "--format", "html", *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert expected in err and len(err.strip().splitlines()) == 1, err
    assert (small / "build" / "apa" / "paper.html").read_text() == "<p>an earlier build</p>"


def test_manuscript_without_markdown(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (small / "manuscript" / "01-body.md").rename(small / "manuscript" / "01-body.txt")
    assert main(["build", str(small), "--format", "html"]) == 2
    assert "manuscript: no Markdown (.md) files in the manuscript folder" in capsys.readouterr().err


def test_twenty_megabyte_manuscript_stops_with_a_limit(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paragraph = "A sentence of an enormous manuscript, repeated. " * 20 + "\n\n"
    (small / "manuscript" / "01-body.md").write_text(paragraph * (20 * 2**20 // len(paragraph)))
    assert main(["build", str(small), "--format", "html", "--style", "apa"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "presswork: error: manuscript: the manuscript is 20.0 MB of Markdown, "
        "over the limit of 8 MB"
    )


def test_huge_file_is_refused_before_reading(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refs = small / "references"
    refs.mkdir()
    with open(refs / "huge.bib", "wb") as handle:
        handle.truncate(40 * 2**20)  # sparse: nothing is written, nothing is read
    assert main(["build", str(small), "--format", "html", "--style", "apa"]) == 2
    err = capsys.readouterr().err
    assert "references/huge.bib: file is 40.0 MB, over the limit of 8 MB" in err
