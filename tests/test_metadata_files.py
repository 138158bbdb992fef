"""Files the metadata names with pandoc's own keys (`css`, `cover-image`) and the include keys:
built as plain pandoc builds them, read by presswork inside the project only."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from helpers import epub_files, pdf_text
from presswork import pandoc
from presswork.assets import asset_text
from presswork.cli import main

STYLE = "apa"
SECRET = "SECRET-OUTSIDE-BYTES"
EXTRA_CSS = 'p { color: #123456 }\n.title::after { content: " CSSMARK" }\n'
MORE_CSS = ".banner { background-image: url(../bg.png) }\n"
FRONT = """---
title: Files Paper
author: Ann Author
css: [extra.css, css/more.css]
cover-image: cover.png
header-includes: HEAD-MARK
include-before: <p class="banner">BANNER-BEFORE</p>
include-after: "<div>AFTER-MARK</div>"
---

# Start

Some text.
"""


def png(width: int, height: int, rgb: bytes = b"\xff\x00\x00") -> bytes:
    """A real PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + rgb * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    ihdr, idat = chunk(b"IHDR", header), chunk(b"IDAT", zlib.compress(raw))
    return b"\x89PNG\r\n\x1a\n" + ihdr + idat + chunk(b"IEND", b"")


def make_project(root: Path, front: str = FRONT) -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "css").mkdir()
    (root / "manuscript" / "a.md").write_text(front, encoding="utf-8")
    (root / "extra.css").write_text(EXTRA_CSS, encoding="utf-8")
    (root / "css" / "more.css").write_text(MORE_CSS, encoding="utf-8")
    (root / "cover.png").write_bytes(png(8, 6))
    (root / "bg.png").write_bytes(png(2, 2, b"\x00\x00\xff"))
    return root


def plain_pandoc(root: Path, output: str, *args: str) -> Path:
    """What pandoc itself makes of the manuscript, run from the project root as authors do."""
    subprocess.run(
        [pandoc.executable(), "manuscript/a.md", "-o", output, *args],
        cwd=root,
        check=True,
        capture_output=True,
    )
    return root / output


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("files") / "paper")
    assert main(["build", str(root), "--format", "html,epub,pdf", "--style", STYLE]) == 0
    return root


def out(root: Path, ext: str) -> Path:
    return root / "build" / STYLE / f"paper.{ext}"


def style_text(page: str) -> str:
    return "\n".join(re.findall(r"<style>\n(.*?)\n</style>", page, re.DOTALL))


def entry_text(files: dict[str, bytes], name: str) -> str:
    return files[name].decode("utf-8")


@pytest.mark.slow
def test_css_goes_after_presswork_own_in_the_html_page(built: Path) -> None:
    css = style_text(out(built, "html").read_text(encoding="utf-8"))
    ours = css.find(asset_text("screen.css").strip().splitlines()[-1])
    assert ours >= 0
    assert css.find("color: #123456") > ours  # after ours: the author's rule wins
    assert css.find(".banner { background-image: url(data:image/png;base64,") > ours
    assert "../bg.png" not in css  # the image is in the page, not a path to it


@pytest.mark.slow
def test_css_is_applied_in_the_pdf(built: Path) -> None:
    text = pdf_text(out(built, "pdf"))
    assert "CSSMARK" in text  # the generated content of the author's rule
    from pypdf import PdfReader

    pages = PdfReader(out(built, "pdf")).pages
    drawn = b"".join(page.get_contents().get_data() for page in pages)
    assert b"0.070588 0.203922 0.337255 rg" in drawn  # paragraphs in #123456
    assert "BANNER-BEFORE" in text and "AFTER-MARK" in text


@pytest.mark.slow
def test_css_is_the_epub_stylesheet_after_ours_as_pandoc_has_it(built: Path) -> None:
    files = epub_files(out(built, "epub"))
    sheets = sorted(n for n in files if n.startswith("EPUB/styles/"))
    assert sheets
    for name in sheets:
        text = entry_text(files, name)
        assert text.startswith(asset_text("epub.css"))
        assert text.index("p { color: #123456 }") > len(asset_text("epub.css")) - 1
    plain = epub_files(plain_pandoc(built, "plain.epub"))
    plain_css = [entry_text(plain, n) for n in sorted(plain) if n.startswith("EPUB/styles/")]
    assert plain_css[0] == EXTRA_CSS  # pandoc's stylesheet is the author's file...
    assert EXTRA_CSS.strip() in entry_text(files, sheets[0])  # ...and ours ends with it


def _opf_items(opf: str) -> list[dict[str, str]]:
    return [
        dict(re.findall(r'([\w-]+)="([^"]*)"', item)) for item in re.findall(r"<item [^>]*>", opf)
    ]


@pytest.mark.slow
def test_the_cover_is_in_the_epub_as_pandoc_makes_it(built: Path) -> None:
    ours = epub_files(out(built, "epub"))
    plain = epub_files(plain_pandoc(built, "plain-cover.epub"))
    for files in (ours, plain):
        opf = entry_text(files, "EPUB/content.opf")
        covers = [i for i in _opf_items(opf) if i.get("properties") == "cover-image"]
        assert len(covers) == 1 and covers[0]["media-type"] == "image/png"
        assert files[f"EPUB/{covers[0]['href']}"] == (built / "cover.png").read_bytes()
        page = next(i for i in _opf_items(opf) if i["href"] == "text/cover.xhtml")
        first = re.search(r'<spine[^>]*>\s*<itemref idref="([^"]+)"', opf)
        assert first is not None and first.group(1) == page["id"]  # the cover opens the book
        assert '<reference type="cover" title="Cover" href="text/cover.xhtml" />' in opf
        assert 'href="text/cover.xhtml" epub:type="cover"' in entry_text(files, "EPUB/nav.xhtml")
        assert 'viewBox="0 0 8 6"' in entry_text(files, "EPUB/text/cover.xhtml")


@pytest.mark.slow
def test_the_epub_with_css_and_cover_passes_epubcheck(built: Path) -> None:
    from presswork.check.epub import check_epub, epubcheck_jar

    java = shutil.which("java")
    if java is None or epubcheck_jar() is None:
        pytest.skip("epubcheck needs Java and the epubcheck package")
    row = check_epub(out(built, "epub"), "paper.epub", java)
    assert row.status == "ok", row.messages


@pytest.mark.slow
def test_include_keys_sit_where_pandoc_puts_them_in_html(built: Path) -> None:
    page = out(built, "html").read_text(encoding="utf-8")
    plain = plain_pandoc(built, "plain.html", "--standalone").read_text(encoding="utf-8")
    for html in (page, plain):
        marks = ("HEAD-MARK", "</head>", "BANNER-BEFORE", "Files Paper</h1>", "AFTER-MARK")
        places = [html.find(mark) for mark in marks]
        assert places[0] >= 0 and places == sorted(places), places
        assert html.find("<body") < places[2] and places[-1] < html.rindex("</body>")


@pytest.mark.slow
def test_raw_html_in_the_include_keys_is_sanitized(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front = FRONT.replace(
        '<p class="banner">BANNER-BEFORE</p>',
        '<p onclick="steal()">BANNER-BEFORE</p><script>alert(1)</script>',
    )
    root = make_project(tmp_path / "paper", front)
    assert main(["build", str(root), "--format", "html", "--style", STYLE]) == 0
    page = out(root, "html").read_text(encoding="utf-8")
    assert "BANNER-BEFORE" in page
    assert "steal()" not in page and "alert(1)" not in page
    err = capsys.readouterr().err
    assert "manuscript/a.md:7:" in err and "<script> removed" in err


@pytest.mark.slow
def test_a_changed_css_file_or_cover_rebuilds(tmp_path: Path) -> None:
    from presswork.build import build

    root = make_project(tmp_path / "paper")
    args = {"format_names": ["html", "epub"], "style_names": [STYLE], "jobs": 1}
    build(root, **args)
    again = build(root, **args)
    assert {o.status for o in again.outcomes} == {"unchanged"}
    (root / "extra.css").write_text("p { color: #654321 }\n", encoding="utf-8")
    changed = build(root, **args)
    assert {o.status for o in changed.outcomes} == {"built"}
    assert "#654321" in out(root, "html").read_text(encoding="utf-8")
    (root / "bg.png").write_bytes(png(3, 3))  # an image the CSS embeds is an input too
    assert {o.status for o in build(root, **args).outcomes} == {"built"}
    (root / "cover.png").write_bytes(png(5, 7))
    assert {o.status for o in build(root, **args).outcomes} == {"built"}
    assert 'viewBox="0 0 5 7"' in entry_text(epub_files(out(root, "epub")), "EPUB/text/cover.xhtml")


def test_a_style_end_tag_in_the_css_does_not_end_the_style_element(tmp_path: Path) -> None:
    root = make_project(tmp_path / "paper")
    (root / "extra.css").write_text('p::after { content: "</style><script>alert(1)</script>" }\n')
    assert main(["build", str(root), "--format", "html", "--style", STYLE]) == 0
    page = out(root, "html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "</style><" not in page
    assert "\\3c /style>" in style_text(page)  # still the same text for the CSS


@pytest.mark.slow
def test_pandoc_option_keys_are_ignored_as_pandoc_ignores_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front = FRONT.replace(
        "cover-image: cover.png", "epub-cover-image: cover.png\nepub-fonts: [f.ttf]"
    )
    root = make_project(tmp_path / "paper", front)
    assert main(["build", str(root), "--format", "epub", "--style", STYLE]) == 0
    err = capsys.readouterr().err
    assert "manuscript/a.md:5: metadata 'epub-cover-image' ignored" in err
    assert "manuscript/a.md:6: metadata 'epub-fonts' ignored" in err
    for files in (epub_files(out(root, "epub")), epub_files(plain_pandoc(root, "p.epub"))):
        assert 'properties="cover-image"' not in entry_text(files, "EPUB/content.opf")


# ---- hostile and missing files: exit 2, one line with file and line, nothing from outside ----


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.css").write_text(f"body {{ content: '{SECRET}' }}\n")
    (outside / "secret.png").write_bytes(png(1, 1) + SECRET.encode())
    return outside


def _symlink_css(root: Path, outside: Path) -> str:
    (root / "link.css").symlink_to(outside / "secret.css")
    return "css: link.css"


def _symlink_cover(root: Path, outside: Path) -> str:
    (root / "link.png").symlink_to(outside / "secret.png")
    return "cover-image: link.png"


def _fifo_cover(root: Path, outside: Path) -> str:
    os.mkfifo(root / "fifo.png")
    return "cover-image: fifo.png"


def _css_with(text: str):
    def case(root: Path, outside: Path) -> str:
        (root / "evil.css").write_text(text)
        return "css: evil.css"

    return case


def _image_link_in_css(root: Path, outside: Path) -> str:
    (root / "pic.png").symlink_to(outside / "secret.png")
    (root / "evil.css").write_text("body { background: url(pic.png) }\n")
    return "css: evil.css"


HOSTILE = {
    "css-symlink-out": (_symlink_css, "refused: outside the project"),
    "css-import": (_css_with("@import url(http://example.com/x.css);\n"), "refused: "),
    "css-url-out": (
        _css_with("body { background: url(../../etc/passwd) }\n"),
        "outside the project",
    ),
    "css-url-http": (_css_with("body { background: url(http://example.com/a.png) }\n"), "http:"),
    "css-image-symlink": (_image_link_in_css, "outside the project"),
    "css-missing": (lambda r, o: "css: nope.css", "metadata 'css': file 'nope.css' not found"),
    "cover-symlink-out": (_symlink_cover, "refused: outside the project"),
    "cover-fifo": (_fifo_cover, "refused: not a regular file"),
    "cover-not-image": (lambda r, o: "cover-image: extra.css", "not an image"),
    "cover-missing": (lambda r, o: "cover-image: nope.png", "file 'nope.png' not found"),
}


# Names that are no project file by their text: neutralised as the sanitizer does it for
# every path key (a warning with file and line, an error under --strict), nothing read.
IGNORED = {
    "css-absolute": (lambda o: f"css: {o / 'secret.css'}", "an absolute path"),
    "css-dotdot": (lambda o: "css: ../outside/secret.css", "outside the project"),
    "css-url": (lambda o: "css: http://example.com/x.css", "http: URLs"),
    "css-file-url": (lambda o: "css: file:///etc/passwd", "file: URLs"),
    "cover-absolute": (lambda o: f"cover-image: {o / 'secret.png'}", "an absolute path"),
    "cover-url": (lambda o: "cover-image: https://example.com/c.png", "https: URLs"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(IGNORED))
def test_names_that_are_no_project_file_are_ignored_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    make_line, reason = IGNORED[case]
    outside = _outside(tmp_path)
    root = make_project(tmp_path / "paper")
    line = make_line(outside)
    (root / "manuscript" / "a.md").write_text(f"---\ntitle: T\n{line}\n---\n\nText.\n")
    args = ["build", str(root), "--format", "html,epub,pdf", "--style", STYLE]
    assert main(args) == 0
    key, _, value = line.partition(": ")
    err = capsys.readouterr().err
    assert f"manuscript/a.md:3:{len(key) + 3}: metadata '{key}: {value}' ignored: {reason}" in err
    outputs = [out(root, "html").read_bytes(), pdf_text(out(root, "pdf")).encode()]
    epub = epub_files(out(root, "epub"))
    outputs += list(epub.values())
    assert not any(SECRET.encode() in data for data in outputs)
    assert 'properties="cover-image"' not in entry_text(epub, "EPUB/content.opf")
    assert main([*args, "--strict"]) == 2


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_or_missing_files_are_refused_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    make_case, expected = HOSTILE[case]
    outside = _outside(tmp_path)
    root = make_project(tmp_path / "paper")
    line = make_case(root, outside)
    (root / "manuscript" / "a.md").write_text(f"---\ntitle: T\n{line}\n---\n\nText.\n")
    code = main(["build", str(root), "--format", "html,epub,pdf", "--style", STYLE])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("presswork: error: manuscript/a.md:3: metadata '"), lines[0]
    assert expected in lines[0]
    build = root / "build"
    for path in build.rglob("*") if build.exists() else []:
        assert not path.is_file() or SECRET.encode() not in path.read_bytes()


def test_a_css_file_beside_the_chapters_is_found_as_pandoc_run_there_finds_it(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path / "paper")
    (root / "manuscript" / "local.css").write_text("h2 { font-size: 31px }\n")
    (root / "manuscript" / "a.md").write_text("---\ntitle: T\ncss: local.css\n---\n\n# Start\n")
    assert main(["build", str(root), "--format", "html", "--style", STYLE]) == 0
    assert "h2 { font-size: 31px }" in style_text(out(root, "html").read_text(encoding="utf-8"))
