"""A battery of hostile and broken projects (issue 12), each run as the CLI runs in CI.

Every case is a small project beside a folder of canary files, built by `presswork build` in
a subprocess with a timeout and an address-space limit, while a socket listens on 127.0.0.1.
Each must end as pandoc's own reading decides: exit 2 with one line naming the file (the
earlier outputs in build/ byte for byte as they were), or exit 0 where the input is fine; never
a traceback, a hang, a connection, a write outside build/, or a byte from outside the project
in any output (zips, data: URIs and PDF streams searched) or log.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import assert_no_connection, output_texts

CANARY = "CANARY-7d04b2"
# The first bytes of /etc/passwd, the file a hostile project reaches for first.
PASSWD = Path("/etc/passwd").read_bytes()[:16] if Path("/etc/passwd").is_file() else b"root:x:0"
MEMORY = 3 * 2**30  # address space of the build (pandoc and WeasyPrint need well under 2 GB)
TIMEOUT = 90
EARLIER = {"apa/paper.html": b"<p>an earlier build</p>", "apa/paper.epub": b"PK an earlier epub"}
BIB = (
    "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Title},\n"
    "  journal = {J},\n  year = {2020}\n}\n"
)
CSL_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'


def csl(layout: str = '<text variable="title"/>', info: str = "", head: str = CSL_HEAD) -> str:
    return (
        f"{head}"
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">\n'
        f"<info><title>House</title><id>house</id>{info}</info>\n"
        f"<citation><layout>{layout}</layout></citation>\n"
        f"<bibliography><layout>{layout}</layout></bibliography>\n"
        "</style>\n"
    )


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)
XML_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE style [\n<!ENTITY a "aaaaaaaaaa">\n'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(8))
    + "]>\n"
)


@dataclass
class Ctx:
    """The project being made, the canary folder beside it and the listener's port."""

    root: Path
    outside: Path
    port: int

    def fill(self, text: str) -> str:
        return text.replace("@OUT@", str(self.outside)).replace("@PORT@", str(self.port))

    def write(self, name: str | bytes, content: str | bytes) -> None:
        path = os.path.join(os.fsencode(self.root), os.fsencode(name))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(self.fill(content).encode() if isinstance(content, str) else content)

    def link(self, name: str, target: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.is_symlink() or path.exists():
            path.unlink()
        path.symlink_to(self.fill(target))


Setup = Callable[[Ctx], None]


@dataclass
class Case:
    setup: Setup
    code: int  # 2: refused with one line; 0: built (warnings allowed)
    words: tuple[str, ...] = ()  # in the error line (code 2) or among the warnings (code 0)
    formats: str = "html"  # "": those of the settings
    args: tuple[str, ...] = ()
    style: str = "apa"  # "": those of the settings
    lint: bool = False  # also run `presswork lint`: no traceback, no canary, no hang


def files(entries: dict[str, str | bytes], settings: str | None = None) -> Setup:
    def setup(ctx: Ctx) -> None:
        for name, content in entries.items():
            ctx.write(name, content)
        if settings is not None:
            ctx.write("presswork.toml", settings)

    return setup


def toml(text: str) -> Setup:
    return files({}, text)


def pyproject(text: str) -> Setup:
    return files({"pyproject.toml": text})


def links(entries: dict[str, str], settings: str | None = None) -> Setup:
    def setup(ctx: Ctx) -> None:
        for name, target in entries.items():
            ctx.link(name, target)
        if settings is not None:
            ctx.write("presswork.toml", settings)

    return setup


def chapter(text: str) -> Setup:
    return files({"manuscript/01-body.md": "# Body\n\nAs shown [@doe2020].\n\n" + text + "\n"})


def metadata(text: str) -> Setup:
    return files({"manuscript/metadata.yaml": "title: A Paper\nlang: en-US\n" + text})


def styled(setup: Setup, code: int, words: tuple[str, ...] = (), **kw: object) -> Case:
    """A case built in the project's own style (styles/house.csl)."""
    return Case(setup, code, words, style="house", **kw)  # type: ignore[arg-type]


def house(text: str | bytes, name: str = "house") -> Setup:
    return files({f"styles/{name}.csl": text}, f'styles = ["{name}"]\n')


def both(*setups: Setup) -> Setup:
    def setup(ctx: Ctx) -> None:
        for one in setups:
            one(ctx)

    return setup


def fifo(name: str, settings: str | None = None) -> Setup:
    def setup(ctx: Ctx) -> None:
        path = ctx.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        os.mkfifo(path)
        if settings is not None:
            ctx.write("presswork.toml", settings)

    return setup


def unix_socket(name: str) -> Setup:
    def setup(ctx: Ctx) -> None:
        path = ctx.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        here = os.getcwd()
        os.chdir(path.parent)  # a socket's path is limited to ~100 bytes; bind it by name
        try:
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(path.name)
            server.close()
        finally:
            os.chdir(here)

    return setup


def sparse(name: str, size: int, head: bytes = b"") -> Setup:
    def setup(ctx: Ctx) -> None:
        path = ctx.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(head)
            handle.truncate(size)

    return setup


def bib_entries(count: int, size: int) -> bytes:
    entry = "@misc{{k{0}, title = {{{1}}}, year = {{2020}}}}\n"
    return "".join(entry.format(i, "x" * size) for i in range(count)).encode()


def string_bomb(levels: int) -> str:
    defs = '@string{s0 = "' + "x" * 1000 + '"}\n'
    defs += "".join(f"@string{{s{i + 1} = s{i} # s{i} # s{i}}}\n" for i in range(levels))
    return defs + BIB + f"@misc{{bomb, title = s{levels}}}\n"


def deep_yaml_block(depth: int) -> str:
    return (
        "title: T\n" + "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    )


def read_only_build(ctx: Ctx) -> None:
    (ctx.root / "build").chmod(0o500)  # the test restores it


def output_in_the_way(ctx: Ctx) -> None:
    (ctx.root / "build" / "apa" / "paper.html").unlink()
    (ctx.root / "build" / "apa" / "paper.html").mkdir()


def style_folder_is_a_file(ctx: Ctx) -> None:
    for path in (ctx.root / "build" / "apa").iterdir():
        path.unlink()
    (ctx.root / "build" / "apa").rmdir()
    ctx.write("build/apa", "a file where the style's folder goes")


PNG = Path(__file__).parent / "fixtures" / "hostile" / "project" / "figures" / "dot.png"


def odd_named_image(ctx: Ctx) -> None:
    """An image beside one whose name is not UTF-8 and holds a newline (never referenced)."""
    ctx.write(b"figures/d\xffot\n.png", PNG.read_bytes())
    ctx.write("figures/dot.png", PNG.read_bytes())
    ctx.write("manuscript/02.md", "![dot](figures/dot.png)\n")


def _manifest(content: bytes) -> Setup:
    return files({"build/manifest.json": content})


SVG_OUT = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="20" height="20">{}</svg>'
)

CASES: dict[str, Case] = {
    # ---- limits: aliases, nesting, sizes -------------------------------------------------
    "yaml-laughs-metadata": Case(
        metadata(LAUGHS), 2, ("manuscript/metadata.yaml:4:8", "alias"), lint=True
    ),
    "yaml-laughs-chapter": Case(chapter("---\n" + LAUGHS + "---\n"), 2, ("01-body.md:", "alias")),
    "yaml-laughs-references": Case(
        files(
            {
                "references/refs.yaml": "- id: a\n  type: book\n"
                + LAUGHS.replace("\n", "\n  ").replace("a: &a", "  x: &a", 1)
            }
        ),
        2,
        ("references/refs.yaml",),
    ),
    "yaml-one-alias": Case(metadata("a: &x 1\nb: *x\n"), 2, ("metadata.yaml:4:", "alias")),
    "yaml-merge-key": Case(
        metadata("a: &x {k: 1}\nb:\n  <<: *x\n"), 2, ("metadata.yaml:", "alias")
    ),
    "yaml-deep-flow": Case(
        metadata("x: " + "[" * 150 + "]" * 150 + "\n"), 2, ("metadata.yaml:3", "nests"), lint=True
    ),
    "yaml-deep-block": Case(
        files({"manuscript/metadata.yaml": deep_yaml_block(150)}), 2, ("metadata.yaml:", "nests")
    ),
    "yaml-deep-in-chapter": Case(
        chapter("---\nx: " + "{a: " * 150 + "1" + "}" * 150 + "\n---\n"),
        2,
        ("01-body.md:", "nests"),
    ),
    "yaml-deep-unclosed": Case(metadata("x: " + "[" * 5000 + "\n"), 2, ("metadata.yaml",)),
    "yaml-nesting-fine": Case(metadata("x: " + "[" * 20 + "]" * 20 + "\n"), 0),
    "yaml-python-tag": Case(
        metadata("x: !!python/object/apply:os.system ['true']\n"), 2, ("metadata.yaml",)
    ),
    "yaml-huge-number": Case(
        metadata("y: 1e999\nz: .nan\nx: " + "9" * 5000 + "\n"),
        2,
        ("metadata.yaml:5", "digits"),
        lint=True,
    ),
    "yaml-big-float": Case(metadata("y: 1e999\nz: -.inf\nw: .nan\nv: " + "9" * 500 + "\n"), 0),
    "yaml-nul": Case(
        files({"manuscript/metadata.yaml": b"title: A\x00B\n"}), 2, ("metadata.yaml:1", "NUL")
    ),
    "json-deep": Case(
        files({"references/refs.json": "[" * 150 + "]" * 150}),
        2,
        ("references/refs.json:1", "nests"),
        lint=True,
    ),
    "json-deep-objects": Case(
        files(
            {
                "references/refs.json": '[{"id": "a", "type": "book", "x": '
                + '{"a": ' * 150
                + "1"
                + "}" * 151
                + "]"
            }
        ),
        2,
        ("references/refs.json:1", "nests"),
    ),
    "json-huge-number": Case(
        files(
            {
                "references/refs.json": '[{"id": "a", "type": "book", "issued": {"date-parts": [['
                + "9" * 5000
                + "]]}}]"
            }
        ),
        2,
        ("references/refs.json",),
    ),
    "json-nan": Case(
        files({"references/refs.json": '[{"id": "a", "type": "book", "volume": NaN}]'}),
        2,
        ("references/refs.json",),
        lint=True,
    ),
    "json-infinity": Case(
        files(
            {
                "references/refs.json": '[{"id": "a", "type": "book", "issued": '
                '{"date-parts": [[Infinity]]}}]'
            }
        ),
        2,
        ("references/refs.json",),
    ),
    "json-nul-escape": Case(
        files({"references/refs.json": '[{"id": "a\\u0000", "type": "book"}]'}),
        0,
    ),
    "bibtex-deep-braces": Case(
        files({"references/refs.bib": BIB + "@misc{a, title={" + "{" * 150 + "}" * 151 + "}\n"}),
        2,
        ("references/refs.bib:7", "nest"),
        lint=True,
    ),
    "bibtex-string-bomb": Case(
        files({"references/refs.bib": string_bomb(12)}),
        2,
        ("references/refs.bib:", "@string"),
        lint=True,
    ),
    "bibtex-string-wide": Case(
        files(
            {
                "references/refs.bib": '@string{a = "'
                + "y" * 100
                + '"}\n@string{b = '
                + " # ".join(["a"] * 20000)
                + "}\n"
                + BIB
            }
        ),
        2,
        ("references/refs.bib:2", "@string"),
    ),
    "bibtex-unclosed-entry": Case(
        files({"references/refs.bib": BIB + "@misc{broken,\n  title = {Open\n"}),
        0,
        ("references/refs.bib",),
    ),
    "bibtex-unclosed-strict": Case(
        files({"references/refs.bib": BIB + "@misc{broken,\n  title = {Open\n"}),
        2,
        ("references/refs.bib:",),
        args=("--strict",),
    ),
    "bibtex-extra-closing": Case(
        files({"references/refs.bib": BIB + "}}}}}}\n@misc{b, title={T}}\n"}), 0
    ),
    "bibtex-crossref-loop": Case(
        files(
            {"references/refs.bib": BIB + "@misc{x, crossref = {y}}\n@misc{y, crossref = {x}}\n"}
        ),
        0,
    ),
    "bibtex-nul": Case(
        files({"references/refs.bib": BIB.encode() + b"@misc{z, title={a\x00b}}\n"}),
        2,
        ("refs.bib:7", "NUL"),
    ),
    "references-20mb-bib": Case(
        files({"references/refs.bib": bib_entries(20_000, 1000)}), 2, ("references/refs.bib", "MB")
    ),
    "references-20mb-sparse": Case(
        sparse("references/big.json", 20 * 2**20, b"["), 2, ("references/big.json", "MB"), lint=True
    ),
    "references-7mb-fine": Case(
        files({"references/more.bib": bib_entries(7000, 1000)}), 0, lint=False
    ),
    "csl-20mb": styled(
        both(house(csl()), sparse("styles/house.csl", 20 * 2**20, csl().encode())),
        2,
        ("styles/house.csl",),
    ),
    "metadata-20mb": Case(
        sparse("manuscript/metadata.yaml", 20 * 2**20, b"title: T\n"),
        2,
        ("manuscript/metadata.yaml", "MB"),
    ),
    "notes-nested-deep": Case(
        chapter("Text" + "^[note " * 2000 + "]" * 2000),
        2,
        ("01-body.md:5:47", "brackets"),
        lint=True,
    ),
    "links-nested-deep": Case(
        chapter("[" * 40 + "x" + "](y)" * 40), 2, ("01-body.md:5", "brackets")
    ),
    "blockquote-deep": Case(
        chapter("> " * 50_000 + "deep\n"), 2, ("01-body.md:5", "quotes"), lint=True
    ),
    "blockquote-lines": Case(
        chapter("".join("> " * i + "q\n" for i in range(1, 150))), 2, ("01-body.md:105", "quotes")
    ),
    "blockquote-fine": Case(chapter("> " * 50 + "deep\n"), 0),
    "fenced-div-deep": Case(
        chapter("".join("::: d\n" for _ in range(200)) + "x\n" + ":::\n" * 200),
        2,
        ("01-body.md:", "fenced"),
    ),
    "list-deep": Case(
        chapter("".join("  " * i + "- item\n" for i in range(600))),
        2,
        ("01-body.md:506", "lists"),
        lint=True,
    ),
    "list-deep-tabs": Case(
        chapter("".join("\t" * i + "- item\n" for i in range(300))),
        2,
        ("01-body.md:256", "lists"),
    ),
    "list-fine": Case(chapter("".join("  " * i + "1. item\n" for i in range(60))), 0),
    "html-div-deep": Case(
        chapter("<div>" * 50_000 + "x" + "</div>" * 50_000), 2, ("01-body.md:5", "raw HTML")
    ),
    "html-span-deep": Case(
        chapter("a <span>" * 50_000 + "x" + "</span>" * 50_000),
        2,
        ("01-body.md:5", "raw HTML"),
        lint=True,
    ),
    "html-div-fine": Case(chapter("<div>" * 50 + "x" + "</div>" * 50), 0),
    "backtick-run": Case(chapter("`" * 50_000 + "x"), 2, ("01-body.md:5", "backticks"), lint=True),
    "backtick-fence": Case(chapter("~~~~\n" + "`" * 900 + "\n~~~~\n\n``` x ```"), 0),
    "math-nested-fractions": Case(
        chapter(
            "$$"
            + "\\frac{" * 3000
            + "1}{2}" * 3000
            + "$$\n\n$"
            + "\\sqrt{" * 20
            + "x"
            + "}" * 20
            + "$"
        ),
        0,
        ("levels deep",),
        formats="html,pdf",
        lint=True,
    ),
    "math-deep-braces": Case(
        chapter("$" + "{" * 20_000 + "x" + "}" * 20_000 + "$"), 0, formats="html,pdf"
    ),
    "emphasis-too-deep": Case(
        chapter("*a _" * 20_000 + "x" + "_ a*" * 20_000), 2, ("manuscript:", "nests too deeply")
    ),
    "emphasis-deep": Case(chapter("*a _" * 300 + "x" + "_ a*" * 300), 0),
    "long-line": Case(chapter("word " * 60_000), 0),
    "ten-thousand-notes": Case(
        chapter(
            " ".join(f"n[^{i}]" for i in range(10_000))
            + "\n\n"
            + "\n".join(f"[^{i}]: N{i}." for i in range(10_000))
        ),
        0,
    ),
    "many-citations": Case(chapter(" ".join("[@doe2020]" for _ in range(3000))), 0),
    "image-pixel-bomb": Case(
        both(
            chapter("![bomb](figures/b.png)"),
            files(
                {
                    "figures/b.png": PNG.read_bytes()[:16]
                    + (100_000).to_bytes(4, "big") * 2
                    + PNG.read_bytes()[24:]
                }
            ),
        ),
        0,
        ("figures/b.png' not used",),
        formats="pdf,html",
    ),
    # ---- settings: numbers and types --------------------------------------------------------
    "toml-inf": Case(toml("pandoc-timeout = 1e999\n"), 2, ("presswork.toml", "pandoc-timeout")),
    "toml-nan": Case(toml("pandoc-timeout = nan\n"), 2, ("presswork.toml", "pandoc-timeout")),
    "toml-negative": Case(toml("max-cited-works = -5\n"), 2, ("presswork.toml", "max-cited-works")),
    "toml-zero": Case(toml("pandoc-timeout = 0\n"), 2, ("presswork.toml", "pandoc-timeout")),
    "toml-bool": Case(toml("pandoc-timeout = true\n"), 2, ("presswork.toml", "pandoc-timeout")),
    "toml-float": Case(toml("pandoc-timeout = 1.5\n"), 2, ("presswork.toml", "pandoc-timeout")),
    "toml-string-number": Case(
        toml('pandoc-timeout = "300"\n'), 2, ("presswork.toml", "pandoc-timeout")
    ),
    "toml-int-400-digits": Case(
        toml("max-cited-works = 1" + "0" * 400 + "\n"), 2, ("presswork.toml", "max-cited-works")
    ),
    "toml-int-5000-digits": Case(
        toml("pandoc-timeout = 1" + "0" * 5000 + "\n"), 2, ("presswork.toml:1", "digits"), lint=True
    ),
    "toml-int-64bit": Case(
        toml("pandoc-timeout = 9223372036854775807\n"), 2, ("presswork.toml", "pandoc-timeout")
    ),
    "toml-styles-number": Case(toml("styles = 5\n"), 2, ("presswork.toml", "styles")),
    "toml-styles-mixed": Case(toml('styles = ["apa", 2]\n'), 2, ("presswork.toml", "styles")),
    "toml-formats-table": Case(toml("formats = {a = 1}\n"), 2, ("presswork.toml", "formats")),
    "toml-formats-unknown": Case(toml('formats = ["exe"]\n'), 2, ("exe",), formats=""),
    "toml-formats-empty": Case(toml("formats = []\n"), 0),
    "toml-lint-string": Case(toml('lint = "all"\n'), 2, ("presswork.toml", "lint")),
    "toml-name-number": Case(toml("name = 5\n"), 2, ("presswork.toml", "name")),
    "toml-name-nul": Case(toml('name = "a\\u0000b"\n'), 2, ("presswork.toml", "NUL")),
    "toml-style-nul": Case(toml('styles = ["apa\\u0000"]\n'), 2, ("presswork.toml", "NUL")),
    "toml-dir-nul": Case(
        toml('manuscript-dir = "manu\\u0000script"\n'), 2, ("presswork.toml", "NUL")
    ),
    "toml-url-newline": Case(
        toml('url = "https://x.org/\\n<script>"\n'), 2, ("presswork.toml", "url")
    ),
    "toml-raw-nul": Case(files({"presswork.toml": b'name = "a"\x00\n'}), 2, ("presswork.toml",)),
    "toml-not-utf8": Case(
        files({"presswork.toml": b'name = "caf\xe9"\n'}), 2, ("presswork.toml:1", "UTF-8")
    ),
    "toml-duplicate-key": Case(toml('name = "a"\nname = "b"\n'), 2, ("presswork.toml:2",)),
    "toml-deep-tables": Case(
        toml("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n"), 2, ("presswork.toml",)
    ),
    "toml-lint-select-number": Case(
        toml("[lint]\nselect = 5\n"), 2, ("presswork.toml", "select"), lint=True
    ),
    "toml-lint-unknown-rule": Case(
        toml('[lint]\nignore = ["no/such-rule"]\n'),
        2,
        ("presswork.toml", "no/such-rule"),
        lint=True,
    ),
    "toml-lint-online": Case(
        toml('[lint]\nonline = "yes"\n'), 2, ("presswork.toml", "online"), lint=True
    ),
    "toml-is-a-folder": Case(files({"presswork.toml/x": "y"}), 2, ("presswork.toml",)),
    "pyproject-tool-string": Case(
        pyproject('tool = "presswork"\n'), 2, ("pyproject.toml", "tool"), lint=True
    ),
    "pyproject-tool-list": Case(pyproject("tool = [1, 2]\n"), 2, ("pyproject.toml", "tool")),
    "pyproject-presswork-list": Case(
        pyproject("[[tool.presswork]]\nname = 'x'\n"), 2, ("pyproject.toml", "tool.presswork")
    ),
    "pyproject-presswork-string": Case(
        pyproject("[tool]\npresswork = 'apa'\n"), 2, ("pyproject.toml", "tool.presswork")
    ),
    "pyproject-presswork-number": Case(
        pyproject("[tool.presswork]\npandoc-timeout = 1e999\n"),
        2,
        ("pyproject.toml", "pandoc-timeout"),
    ),
    "pyproject-other-tool": Case(
        pyproject("[tool.black]\nline-length = 99\n[project]\nname = 'x'\n"), 0
    ),
    "pyproject-broken": Case(pyproject("[tool.presswork\n"), 2, ("pyproject.toml:1",)),
    # ---- file names ---------------------------------------------------------------------
    "name-not-utf8": Case(files({b"manuscript/02-\xff\xfe.md": "# Odd\n\nOdd name.\n"}), 0),
    "name-newline": Case(files({"manuscript/02-a\nb.md": "# Odd\n\nOdd name.\n"}), 0),
    "name-newline-broken": Case(
        files({"manuscript/02-a\nb.md": b"caf\xe9\n"}), 2, ("02-a\\nb.md:1:4", "UTF-8")
    ),
    "name-dash-option": Case(files({"manuscript/--lua-filter=x.md": "# Dash\n\nA dash.\n"}), 0),
    "name-reference-odd": Case(
        files({b"references/\xff\n.bib": "@misc{k, title={T}}\n"}),
        2,
        ("references/\\udcff\\n.bib",),
        lint=True,
    ),
    "name-reference-newline": Case(files({"references/a\nb.bib": "@misc{k, title={T}}\n"}), 0),
    "name-style-newline": Case(
        files({"styles/a\nb.csl": csl()}, 'styles = ["styles/a\\nb.csl"]\nformats = ["html"]\n'),
        0,
        style="",
        formats="",
    ),
    "name-image-odd": Case(odd_named_image, 0),
    # ---- dates --------------------------------------------------------------------------
    "date-2200": Case(metadata("date: 2200-01-01\n"), 0, formats="epub"),
    "date-9999": Case(metadata("date: 9999-12-31\n"), 0, formats="epub", lint=True),
    "date-1900": Case(metadata("date: 1900-01-01\n"), 0, formats="epub"),
    "date-zero": Case(metadata("date: 0000-00-00\n"), 0, formats="epub"),
    "date-month-13": Case(metadata("date: 2020-13-45\n"), 0, formats="epub"),
    "date-five-digits": Case(metadata("date: 99999-01-01\n"), 0, formats="epub"),
    "date-negative": Case(metadata("date: -0044-03-15\n"), 0, formats="epub"),
    "date-huge-number": Case(metadata("date: " + "9" * 400 + "\n"), 0, formats="epub"),
    "date-mapping": Case(metadata("date: {year: 2020}\n"), 0, formats="epub"),
    "reference-date-huge": Case(files({"references/refs.bib": BIB.replace("2020", "9" * 400)}), 0),
    # ---- styles ---------------------------------------------------------------------------
    "csl-xml-laughs": styled(
        house(XML_LAUGHS + csl("<text value='&i;'/>", head="")),
        2,
        ("styles/house.csl:2", "DOCTYPE"),
    ),
    "csl-external-entity": styled(
        house(
            '<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY x SYSTEM "file://@OUT@/secret.txt">]>\n'
            + csl("<text value='&x;'/>", head="")
        ),
        2,
        ("styles/house.csl:2",),
        lint=True,
    ),
    "csl-external-dtd": styled(
        house(
            '<?xml version="1.0"?>\n<!DOCTYPE style SYSTEM "http://127.0.0.1:@PORT@/x.dtd">\n'
            + csl(head="")
        ),
        2,
        ("styles/house.csl:2",),
    ),
    "csl-parameter-entity": styled(
        house(
            '<?xml version="1.0"?>\n'
            '<!DOCTYPE style [<!ENTITY % p SYSTEM "file://@OUT@/secret.txt"> %p;]>\n' + csl(head="")
        ),
        2,
        ("styles/house.csl:2",),
    ),
    "csl-xinclude": styled(
        house(
            csl(
                '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                'href="file://@OUT@/secret.txt" parse="text"/><text variable="title"/>'
            )
        ),
        2,
        ("styles/house.csl",),
        lint=True,
    ),
    "csl-stylesheet-pi": styled(
        house(
            CSL_HEAD + '<?xml-stylesheet href="http://127.0.0.1:@PORT@/x.xsl"?>\n' + csl(head="")
        ),
        0,
    ),
    "csl-parent-outside-file": styled(
        house(csl(info='<link href="file://@OUT@/canary.csl" rel="independent-parent"/>')),
        2,
        ("parent",),
    ),
    "csl-parent-relative": styled(
        house(csl(info='<link href="../../outside/canary.csl" rel="independent-parent"/>')),
        2,
        ("parent",),
    ),
    "csl-parent-url-unknown": styled(
        house(csl(info='<link href="http://127.0.0.1:@PORT@/evil" rel="independent-parent"/>')),
        2,
        ("parent",),
    ),
    "csl-parent-url-bundled": styled(
        house(
            csl(info='<link href="http://127.0.0.1:@PORT@/styles/apa" rel="independent-parent"/>')
        ),
        0,
    ),
    "csl-parent-itself": styled(
        house(csl(info='<link href="http://x.org/styles/house" rel="independent-parent"/>')),
        2,
        ("styles/house.csl",),
    ),
    "csl-parent-loop": styled(
        both(
            house(csl(info='<link href="http://x.org/styles/other" rel="independent-parent"/>')),
            files(
                {
                    "styles/other.csl": csl(
                        info='<link href="http://x.org/styles/house" rel="independent-parent"/>'
                    )
                }
            ),
        ),
        2,
        ("styles/",),
    ),
    "csl-parent-symlink": styled(
        both(
            house(csl(info='<link href="http://x.org/styles/linked" rel="independent-parent"/>')),
            links({"styles/linked.csl": "@OUT@/canary.csl"}),
        ),
        2,
        ("styles/linked.csl", "outside the project"),
    ),
    "csl-not-xml": styled(
        house('{"style": "json"}\n'), 2, ("styles/house.csl:1", "not valid CSL XML")
    ),
    "csl-not-csl": styled(
        house("<html><body/></html>\n"), 2, ("styles/house.csl:1", "not a CSL style")
    ),
    "csl-empty": styled(house(""), 2, ("styles/house.csl",)),
    "csl-binary": styled(house(b"\x00\x01\x02\xff" * 100), 2, ("styles/house.csl",)),
    "csl-not-utf8": styled(
        house(csl("<text value='caf\xe9'/>").encode("latin-1").replace(b"utf-8", b"utf-8")),
        2,
        ("styles/house.csl",),
    ),
    "csl-deep-xml": styled(
        house(csl("<group>" * 3000 + "<text value='x'/>" + "</group>" * 3000)),
        2,
        ("styles/house.csl",),
    ),
    "csl-macro-recursion": styled(
        house(
            csl('<text macro="m"/>').replace(
                "<citation>", '<macro name="m"><text macro="m"/></macro>\n<citation>'
            )
        ),
        2,
        ("styles/house.csl",),
        lint=True,
    ),
    "csl-unknown-macro": styled(house(csl('<text macro="nowhere"/>')), 0, formats="html"),
    "csl-script-affix": styled(
        house(csl('<text variable="title" prefix="&lt;script&gt;alert(1)&lt;/script&gt;"/>')), 0
    ),
    "csl-huge-et-al": styled(
        house(
            csl(
                '<names variable="author"><name et-al-min="'
                + "9" * 400
                + '" et-al-use-first="99999999999999999999"/></names>'
            )
        ),
        0,
    ),
    "csl-fifo": styled(
        fifo("styles/house.csl", 'styles = ["house"]\n'), 2, ("styles/house.csl",), lint=True
    ),
    "csl-device": styled(
        links({"styles/house.csl": "/dev/zero"}, 'styles = ["house"]\n'), 2, ("styles/house.csl",)
    ),
    "csl-metadata-outside": Case(metadata("csl: @OUT@/canary.csl\n"), 0, ("csl",)),
    "csl-metadata-url": Case(metadata("csl: http://127.0.0.1:@PORT@/x.csl\n"), 0, ("csl",)),
    # ---- reads: symlinks and special files ------------------------------------------------
    "link-chapter-passwd": Case(
        links({"manuscript/02.md": "/etc/passwd"}),
        2,
        ("manuscript/02.md", "outside the project"),
        lint=True,
    ),
    "link-chapter-canary": Case(
        links({"manuscript/02.md": "@OUT@/secret.md"}),
        2,
        ("manuscript/02.md", "outside the project"),
        lint=True,
    ),
    "link-metadata-passwd": Case(
        links({"manuscript/metadata.yaml": "/etc/passwd"}),
        2,
        ("manuscript/metadata.yaml", "outside"),
    ),
    "link-bib-passwd": Case(
        links({"references/x.bib": "/etc/passwd"}),
        2,
        ("references/x.bib", "outside the project"),
        lint=True,
    ),
    "link-json-canary": Case(
        links({"references/x.json": "@OUT@/refs.json"}),
        2,
        ("references/x.json", "outside the project"),
    ),
    "link-style-passwd": styled(
        links({"styles/house.csl": "/etc/passwd"}, 'styles = ["house"]\n'),
        2,
        ("styles/house.csl", "outside"),
        lint=True,
    ),
    "link-settings-passwd": Case(
        links({"presswork.toml": "/etc/passwd"}), 2, ("presswork.toml", "outside the project")
    ),
    "link-pyproject-canary": Case(
        links({"pyproject.toml": "@OUT@/pyproject.toml"}),
        2,
        ("pyproject.toml", "outside the project"),
    ),
    "link-image-passwd": Case(
        both(chapter("![p](figures/p.png)"), links({"figures/p.png": "/etc/passwd"})),
        0,
        ("figures/p.png' not used",),
        formats="html,epub",
    ),
    "link-image-canary-pdf": Case(
        both(chapter("![s](figures/s.svg)"), links({"figures/s.svg": "@OUT@/secret.svg"})),
        0,
        ("figures/s.svg' not used",),
        formats="pdf",
    ),
    "link-image-folder": Case(
        both(chapter("![s](figures/secret.svg)"), links({"figures": "@OUT@"})),
        0,
        ("figures/secret.svg' not used",),
        lint=True,
    ),
    "link-cover-passwd": Case(
        both(metadata("cover-image: figures/c.png\n"), links({"figures/c.png": "/etc/passwd"})),
        2,
        ("metadata.yaml:3", "symlink leaves"),
        formats="epub",
    ),
    "link-references-folder": Case(
        links({"references": "@OUT@"}), 2, ("references", "outside the project")
    ),
    "link-styles-folder": Case(
        links({"styles": "@OUT@"}), 2, ("styles/canary.csl", "outside"), style="canary"
    ),
    "link-manuscript-folder-etc": Case(
        links({"manuscript": "/etc"}), 2, ("manuscript", "outside the project")
    ),
    "link-chapter-dangling": Case(links({"manuscript/02.md": "@OUT@/missing.md"}), 0),
    "link-chapter-loop": Case(links({"manuscript/02.md": "03.md", "manuscript/03.md": "02.md"}), 0),
    "link-chapter-dev-zero": Case(links({"manuscript/02.md": "/dev/zero"}), 0),
    "link-chapter-dev-stdin": Case(links({"manuscript/02.md": "/dev/stdin"}), 0),
    "link-bib-urandom": Case(links({"references/r.bib": "/dev/urandom"}), 0),
    "link-image-dev-zero": Case(
        both(chapter("![z](figures/z.png)"), links({"figures/z.png": "/dev/zero"})),
        0,
        ("figures/z.png' not used",),
    ),
    "link-proc-self": Case(
        both(chapter("![e](figures/e.png)"), links({"figures/e.png": "/proc/self/environ"})),
        0,
        ("figures/e.png' not used",),
    ),
    "link-folder-md": Case(links({"manuscript/x.md": "@OUT@"}), 0),
    "link-inside-fine": Case(
        both(
            files({"chapters/real.md": "# Linked\n\nInside.\n"}),
            links({"manuscript/02.md": "../chapters/real.md"}),
        ),
        0,
    ),
    "fifo-chapter": Case(fifo("manuscript/02.md"), 0, lint=True),
    "fifo-metadata": Case(fifo("manuscript/metadata.yaml"), 0),
    "fifo-bib": Case(fifo("references/pipe.bib"), 0, lint=True),
    "fifo-settings": Case(fifo("presswork.toml"), 2, ("presswork.toml",), lint=True),
    "fifo-image": Case(
        both(chapter("![p](figures/p.png)"), fifo("figures/p.png")),
        0,
        ("not a regular file",),
        formats="html",
    ),
    "fifo-manifest": Case(fifo("build/manifest.json"), 0),
    "fifo-lock": Case(fifo("build/.lock"), 2, ("build",)),
    "socket-bib": Case(unix_socket("references/s.bib"), 0),
    "socket-chapter": Case(unix_socket("manuscript/s.md"), 0),
    # ---- writes: the build folder -------------------------------------------------------------
    "build-dir-is-a-file": Case(
        both(files({"out": "a file"}), toml('build-dir = "out"\n')),
        2,
        ("presswork.toml", "build-dir"),
    ),
    "build-read-only": Case(read_only_build, 2, ("build", "not writable")),
    "build-output-is-a-folder": Case(output_in_the_way, 2, ("paper.html",)),
    "build-style-folder-is-a-file": Case(style_folder_is_a_file, 2, ("build/apa",)),
    "build-link-out": Case(links({"build/apa/paper.html": "@OUT@/secret.txt"}), 0),
    "build-manifest-link": Case(links({"build/manifest.json": "@OUT@/secret.txt"}), 0),
    "manifest-not-json": Case(_manifest(b"{not json"), 0),
    "manifest-list": Case(_manifest(b"[1, 2, 3]"), 0),
    "manifest-outside-paths": Case(
        _manifest(
            json.dumps(
                {
                    "outputs": [
                        {"path": "../../outside/secret.txt", "key": "k"},
                        {"path": "/etc/passwd", "key": "k"},
                    ]
                }
            ).encode()
        ),
        0,
    ),
    "manifest-claims-current": Case(
        _manifest(
            json.dumps(
                {"outputs": [{"path": "apa/paper.html", "key": "0" * 64, "size": 23}]}
            ).encode()
        ),
        0,
    ),
    "manifest-deep": Case(_manifest(b'{"outputs": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"), 0),
    "manifest-huge": Case(sparse("build/manifest.json", 40 * 2**20, b'{"outputs": ['), 0),
    "manifest-not-utf8": Case(_manifest(b'{"outputs": ["\xff"]}'), 0),
    # ---- metadata keys pointing out or to the network ----------------------------------------
    "meta-bibliography-passwd": Case(
        metadata("bibliography: /etc/passwd\n"), 0, ("bibliography",), lint=True
    ),
    "meta-bibliography-outside": Case(
        metadata("bibliography: ../outside/refs.bib\n"), 0, ("bibliography",), lint=True
    ),
    "meta-bibliography-url": Case(
        metadata("bibliography: http://127.0.0.1:@PORT@/refs.bib\n"),
        0,
        ("bibliography",),
        lint=True,
    ),
    "meta-bibliography-list": Case(
        metadata("bibliography: [5, {a: 1}, '', references/refs.bib]\n"), 0
    ),
    "meta-bibliography-fifo": Case(
        both(metadata("bibliography: references/p.json\n"), fifo("references/p.json")), 0
    ),
    "meta-css-outside": Case(metadata("css: ../outside/secret.txt\n"), 0, ("css",)),
    "meta-css-url": Case(metadata("css: [http://127.0.0.1:@PORT@/x.css]\n"), 0, ("css",)),
    "meta-stylesheet-file": Case(
        metadata("stylesheet: file:///etc/passwd\n"), 0, ("stylesheet",), formats="epub"
    ),
    "meta-include-in-header": Case(
        metadata("include-in-header: @OUT@/secret.txt\ninclude-before-body: /etc/passwd\n"), 0
    ),
    "meta-template": Case(
        metadata("template: @OUT@/secret.txt\ntemplate-partials: /etc/passwd\n"), 0
    ),
    "meta-abbreviations": Case(
        metadata("citation-abbreviations: @OUT@/refs.json\n"), 0, ("citation-abbreviations",)
    ),
    "meta-header-includes-script": Case(
        metadata("header-includes: |\n  <script src='http://127.0.0.1:@PORT@/x.js'></script>\n"),
        0,
        ("<script>",),
    ),
    "meta-cover-url": Case(
        metadata("cover-image: http://127.0.0.1:@PORT@/c.png\n"),
        0,
        ("cover-image",),
        formats="epub",
    ),
    "meta-epub-fonts": Case(
        metadata("epub-fonts: [/etc/passwd]\nepub-embed-font: @OUT@/secret.txt\n"),
        0,
        formats="epub",
    ),
    "meta-reference-section": Case(metadata("reference-section-title: <script>x</script>\n"), 0),
    # ---- images and links ------------------------------------------------------------------
    "image-file-url": Case(chapter("![p](file:///etc/passwd)"), 0, ("file: URLs",), formats="html"),
    "image-http": Case(
        chapter("![n](http://127.0.0.1:@PORT@/a.png)"), 0, ("http: URLs",), formats="html,pdf,epub"
    ),
    "image-protocol-relative": Case(
        chapter('<img src="//127.0.0.1:@PORT@/a.png">'), 0, formats="html"
    ),
    "image-absolute": Case(chapter("![a](/etc/passwd)"), 0, ("an absolute path",), formats="pdf"),
    "image-dotdot": Case(
        chapter("![d](../outside/secret.svg)"), 0, ("outside the project",), formats="pdf"
    ),
    "image-encoded-dotdot": Case(
        chapter("![d](..%2Foutside%2Fsecret.svg)"), 0, ("outside the project",)
    ),
    "svg-image-href-out": Case(
        both(
            chapter("![s](figures/s.svg)"),
            files(
                {
                    "figures/s.svg": SVG_OUT.format(
                        '<image href="file:///etc/passwd"/>'
                        '<image xlink:href="../../outside/secret.svg"/>'
                        '<image href="http://127.0.0.1:@PORT@/x.png"/>'
                    )
                }
            ),
        ),
        0,
        formats="pdf,html,epub",
    ),
    "svg-use-outside": Case(
        both(
            chapter("![s](figures/s.svg)"),
            files(
                {
                    "figures/s.svg": SVG_OUT.format(
                        '<use href="../../outside/secret.svg#x"/><use xlink:href="file:///etc/passwd#y"/>'
                    )
                }
            ),
        ),
        0,
        formats="pdf,html",
    ),
    "svg-xxe": Case(
        both(
            chapter("![s](figures/s.svg)"),
            files(
                {
                    "figures/s.svg": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file://@OUT@/secret.txt">]>'
                    + SVG_OUT.format("<text>&x;</text>")
                }
            ),
        ),
        0,
        formats="pdf,html",
    ),
    "svg-css-import": Case(
        both(
            chapter("![s](figures/s.svg)"),
            files(
                {
                    "figures/s.svg": SVG_OUT.format(
                        '<style>@import url(file:///etc/passwd);</style><text style="fill:url(http://127.0.0.1:@PORT@/x)">t</text>'
                    )
                }
            ),
        ),
        0,
        formats="html",
    ),
    "svg-laughs": Case(
        both(
            chapter("![s](figures/s.svg)"),
            files(
                {
                    "figures/s.svg": XML_LAUGHS.replace("style", "svg")
                    + SVG_OUT.format("<text>&i;</text>")
                }
            ),
        ),
        0,
        formats="html",
    ),
    "svg-deep": Case(
        both(
            chapter("![s](figures/s.svg)"),
            files({"figures/s.svg": SVG_OUT.format("<g>" * 5000 + "</g>" * 5000)}),
        ),
        0,
        formats="html",
    ),
    "raw-style-url": Case(
        chapter(
            '<p style="background:url(file:///etc/passwd)">s</p>\n\n<p style="background:u\\72l(http://127.0.0.1:@PORT@/a)">t</p>'
        ),
        0,
        formats="html",
    ),
    "raw-link-stylesheet": Case(
        chapter('<link rel="stylesheet" href="http://127.0.0.1:@PORT@/x.css">'),
        0,
        formats="html",
    ),
    "link-file-url": Case(
        chapter("[p](file:///etc/passwd) [q](javascript:alert(1))"), 0, ("removed",)
    ),
    "raw-latex-input": Case(
        chapter("\\input{/etc/passwd}\n\n\\include{@OUT@/secret.txt}"), 0, formats="html"
    ),
    "math-url": Case(
        chapter("$\\href{javascript:alert(1)}{x}$ $$\\url{file:///etc/passwd}$$"), 0, formats="html"
    ),
    "code-include": Case(
        chapter('```{.python include="/etc/passwd"}\n```\n\n::: {include="@OUT@/secret.md"}\n:::'),
        0,
    ),
}


NEEDS_NON_ROOT = {"build-read-only"}
ROOT_SKIP = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders"
)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run(command: str, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PYTHONPATH")}
    env["CI"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "presswork", command, str(root), *args],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _outside(folder: Path) -> Path:
    folder.mkdir()
    (folder / "secret.txt").write_text(f"{CANARY} secret\n")
    (folder / "secret.md").write_text(f"# {CANARY}\n\n{CANARY} chapter text.\n")
    (folder / "refs.bib").write_text(BIB.replace("A Title", CANARY))
    (folder / "refs.json").write_text(
        json.dumps([{"id": "doe2020", "type": "book", "title": CANARY}])
    )
    (folder / "pyproject.toml").write_text(f'[tool.presswork]\nname = "{CANARY}"\n')
    (folder / "secret.svg").write_text(SVG_OUT.format(f'<text id="x">{CANARY}</text>'))
    (folder / "canary.csl").write_text(csl(f"<text value='{CANARY}'/>"))
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.name.startswith("."):
            continue
        found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def _leaks(root: Path, *logs: str) -> list[str]:
    marks = (CANARY.encode(), PASSWD)
    found = [f"log {i}" for i, log in enumerate(logs) if any(m.decode() in log for m in marks)]
    for path in sorted((root / "build").rglob("*")) if (root / "build").is_dir() else []:
        if path.is_symlink() or not path.is_file():
            continue
        for name, data in output_texts(path.relative_to(root).as_posix(), path.read_bytes()):
            if any(mark in data for mark in marks):
                found.append(name)
    return found


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    [pytest.param(name, marks=ROOT_SKIP) if name in NEEDS_NON_ROOT else name for name in CASES],
)
def test_hostile_project(tmp_path: Path, listener: socket.socket, case: str) -> None:
    spec = CASES[case]
    outside = _outside(tmp_path / "outside")
    root = tmp_path / "paper"
    ctx = Ctx(root, outside, listener.getsockname()[1])
    ctx.write("manuscript/metadata.yaml", "title: A Paper\nlang: en-US\n")
    ctx.write("manuscript/01-body.md", "# Body\n\nAs shown [@doe2020].\n")
    ctx.write("references/refs.bib", BIB)
    for name, data in EARLIER.items():
        ctx.write(f"build/{name}", data)
    spec.setup(ctx)
    before = _snapshot(root / "build") if (root / "build").is_dir() else {}
    outside_before = _snapshot(outside)
    try:
        args = ["--format", spec.formats] if spec.formats else []
        args += ["--style", spec.style] if spec.style else []
        result = _run("build", root, *args, "--jobs", "1", *spec.args)
    finally:
        if (root / "build").is_dir():
            (root / "build").chmod(0o755)
    err = result.stderr
    assert "Traceback" not in err, err[-3000:]
    assert result.returncode == spec.code, err[-3000:]
    lines = err.strip().splitlines()
    if spec.code == 2:
        assert lines and lines[-1].startswith("presswork: error: "), err[-3000:]
        assert len(lines[-1]) < 400, lines[-1]
        for word in spec.words:
            assert word in lines[-1], (word, lines[-1])
        assert _snapshot(root / "build") == before if before else True
    else:
        for word in spec.words:
            assert any(word in line for line in lines if line.startswith("warning: ")), (word, err)
        for fmt in spec.formats.split(",") if spec.formats else []:
            out = root / "build" / (spec.style or "house") / f"paper.{fmt}"
            assert out.is_file() and out.stat().st_size > 100, fmt
            if fmt == "epub":
                with zipfile.ZipFile(out) as archive:
                    assert archive.testzip() is None
    report = ""
    if spec.lint:
        linted = _run("lint", root)
        assert "Traceback" not in linted.stderr, linted.stderr[-3000:]
        assert linted.returncode in (0, 1, 2), linted.stderr[-3000:]
        report = linted.stdout + linted.stderr
    assert _leaks(root, err, result.stdout, report) == []
    assert _snapshot(outside) == outside_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "paper"]
    assert_no_connection(listener)
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < MEMORY
