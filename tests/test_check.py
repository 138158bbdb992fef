"""`presswork check`: real validators on the flagship's outputs, and on broken ones."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from presswork.check import FAIL, OK, SKIP, Row, exit_code, run_checks
from presswork.check import html as vnu
from presswork.check.command import add_check_arguments, run_check_command
from presswork.check.java import find_java
from presswork.check.table import HEADERS, plain, print_rich
from presswork.errors import InputError

NAME = "prague-spring-1968"
CHICAGO = "chicago-notes-bibliography-subsequent-ibid"
NO_JAVA = "Java is not installed: epubcheck and the Nu HTML Checker need it"


def _npm_installed_version(prefix: Path) -> str:
    package = prefix / "node_modules" / "vnu-jar" / "package.json"
    try:
        return str(json.loads(package.read_text(encoding="utf-8")).get("version", ""))
    except (OSError, ValueError):
        return ""


def _install_vnu(prefix: Path) -> tuple[Path | None, str]:
    """vnu-jar from the npm registry into prefix, like nox's pip installs; or why not."""
    jar = prefix / vnu.NPM_JAR
    if jar.is_file() and _npm_installed_version(prefix) == vnu.VNU_VERSION:
        return jar, ""
    npm = shutil.which("npm")
    if npm is None:
        return None, f"the Nu HTML Checker is not available: no npm, and {vnu.ENV_VAR} is unset"
    # --ignore-scripts: the jar is in the package; its postinstall would fetch a Java runtime.
    options = ["--prefix", str(prefix), "--ignore-scripts", "--no-audit", "--no-fund"]
    command = [npm, "install", *options, "--loglevel=error", f"vnu-jar@{vnu.VNU_VERSION}"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0 or not jar.is_file():
        return None, f"npm could not install vnu-jar: {proc.stderr.strip()[-300:]}"
    return jar, ""


@pytest.fixture(scope="session")
def vnu_jar(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path | None, str]:
    """vnu.jar from $PRESSWORK_VNU_JAR (CI sets it), else npm-installed in pytest's cache."""
    configured = os.environ.get(vnu.ENV_VAR)
    if configured:
        if not Path(configured).is_file():
            pytest.fail(f"{vnu.ENV_VAR}={configured} is not a file")
        return Path(configured), ""
    cache = getattr(request.config, "cache", None)
    prefix = cache.mkdir("vnu-jar") if cache is not None else tmp_path_factory.mktemp("vnu")
    return _install_vnu(prefix)


def needs_vnu(vnu_jar: tuple[Path | None, str]) -> Path:
    jar, reason = vnu_jar
    if jar is None:
        pytest.skip(reason)
    return jar


@pytest.fixture(scope="module")
def flagship_rows(flagship_build: Path, vnu_jar: tuple[Path | None, str]) -> list[Row]:
    """Every validator on the flagship as built by the session fixture (once per module)."""
    with pytest.MonkeyPatch.context() as patch:
        if vnu_jar[0] is not None:
            patch.setenv(vnu.ENV_VAR, str(vnu_jar[0]))
        return run_checks(flagship_build)


def rows_of(rows: list[Row], validator: str) -> list[Row]:
    return [row for row in rows if row.validator == validator]


def needs_java() -> None:
    if find_java() is None:
        pytest.skip(NO_JAVA)


def test_flagship_epubs_pass_epubcheck_with_no_error_or_warning(flagship_rows: list[Row]) -> None:
    needs_java()
    rows = rows_of(flagship_rows, "epubcheck")
    assert [r.path for r in rows] == [f"apa/{NAME}.epub", f"{CHICAGO}/{NAME}.epub"]
    for row in rows:
        assert (row.status, row.errors, row.warnings) == (OK, 0, 0), row.messages
        assert row.detail.startswith("valid EPUB (epubcheck 5.")


def test_flagship_pdfs_embed_fonts_are_tagged_and_have_metadata(
    flagship_build: Path, flagship_rows: list[Row]
) -> None:
    from pypdf import PdfReader

    rows = rows_of(flagship_rows, "pdf")
    assert [r.path for r in rows] == [f"apa/{NAME}.pdf", f"{CHICAGO}/{NAME}.pdf"]
    for row in rows:
        assert (row.status, row.errors, row.warnings) == (OK, 0, 0), row.messages
        assert "fonts embedded, tagged, title/author/lang set" in row.detail
        pages = re.match(r"(\d+) pages", row.detail)
        assert pages is not None and int(pages.group(1)) >= 10, row.detail
        assert int(pages.group(1)) == len(PdfReader(flagship_build / "build" / row.path).pages)


def test_flagship_html_has_no_nu_checker_error(
    flagship_rows: list[Row], vnu_jar: tuple[Path | None, str]
) -> None:
    needs_java()
    needs_vnu(vnu_jar)
    rows = rows_of(flagship_rows, "vnu")
    assert [r.path for r in rows] == [f"apa/{NAME}.html", f"{CHICAGO}/{NAME}.html"]
    for row in rows:
        errors = [str(m) for m in row.messages if m.severity == "error"]
        assert (row.status, row.errors) == (OK, 0), errors
        assert row.detail == f"0 errors (vnu {vnu.VNU_VERSION})"


def test_flagship_jats_row_and_exit_code(flagship_build: Path, flagship_rows: list[Row]) -> None:
    jats = rows_of(flagship_rows, "jats")
    if not list((flagship_build / "build").rglob("*.xml")):
        assert [(r.path, r.status, r.detail) for r in jats] == [
            ("-", SKIP, "skipped: no JATS output")
        ]
    assert all(row.status != FAIL for row in jats)
    assert exit_code(flagship_rows) == 0
    text = plain(flagship_rows, 12.3)
    assert text.splitlines()[0].split() == list(HEADERS)
    assert f"{CHICAGO}/{NAME}.pdf" in text and "failed" in text.splitlines()[-1]
    console = io.StringIO()
    print_rich(flagship_rows, 12.3, file=console, width=250)
    assert f"apa/{NAME}.epub" in console.getvalue()


# ---- the command ---------------------------------------------------------------------------


def command(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="presswork check")
    add_check_arguments(parser)
    return run_check_command(parser.parse_args(argv))


def test_no_java_skips_java_validators_and_says_so(
    flagship_build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command(str(flagship_build), "--no-java", "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    by_validator = {(r["validator"], r["status"]) for r in report["results"]}
    assert by_validator >= {("epubcheck", SKIP), ("vnu", SKIP), ("pdf", OK)}
    assert all(
        r["detail"] == "skipped: --no-java"
        for r in report["results"]
        if r["validator"] in ("epubcheck", "vnu")
    )
    assert report["summary"]["fail"] == 0


def test_no_build_is_one_line_exit_2(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no build found: run presswork build first") as caught:
        command(str(tmp_path))
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)


def test_without_java_the_java_rows_are_skips_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("presswork.check.java.find_java", lambda: None)
    root = make_build(tmp_path, {"s/a.epub": b"PK", "s/a.html": b"<!DOCTYPE html>"})
    rows = [r for r in run_checks(root) if r.path != "-"]
    assert {(r.validator, r.status) for r in rows} == {("epubcheck", SKIP), ("vnu", SKIP)}
    assert all("Java not found (install a Java 11+ runtime" in r.detail for r in rows)
    assert all(r.missing for r in rows)
    assert exit_code(rows) == 1  # a validator that could not run is not a pass
    assert exit_code(rows, allow_missing=True) == 0


# ---- broken outputs ------------------------------------------------------------------------


def make_build(root: Path, files: dict[str, bytes]) -> Path:
    """A project whose build/ holds these files, listed in a manifest like the build's."""
    entries = []
    for name, data in files.items():
        path = root / "build" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        fmt = {"xml": "jats"}.get(name.rsplit(".", 1)[-1], name.rsplit(".", 1)[-1])
        sha = hashlib.sha256(data).hexdigest()
        entries.append({"path": name, "format": fmt, "size": len(data), "sha256": sha})
    manifest = {"outputs": entries}
    (root / "build" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def test_epub_missing_a_chapter_fails(
    flagship_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    needs_java()
    source = flagship_build / "build" / "apa" / f"{NAME}.epub"
    broken = io.BytesIO()
    with zipfile.ZipFile(source) as good, zipfile.ZipFile(broken, "w") as bad:
        texts = [
            i for i in good.infolist() if i.filename.endswith(".xhtml") and "nav" not in i.filename
        ]
        gone = max(texts, key=lambda item: item.file_size).filename  # the body of the paper
        for item in good.infolist():
            if item.filename != gone:
                bad.writestr(item, good.read(item.filename))
    root = make_build(tmp_path, {"apa/broken.epub": broken.getvalue()})
    assert command(str(root), "--format", "json") == 1
    (row,) = [r for r in json.loads(capsys.readouterr().out)["results"] if r["path"] != "-"]
    assert (row["validator"], row["status"]) == ("epubcheck", FAIL)
    assert row["errors"] >= 1
    assert any(m["text"].startswith("RSC-001") and gone in m["text"] for m in row["messages"])


def test_pdf_with_a_raw_citation_fails_naming_it(tmp_path: Path) -> None:
    from weasyprint import HTML

    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A test</title>'
        '<meta name="author" content="Jane Doe"></head><body><p>As shown [@doe2020]. '
        "Write to jane@example.org [jane@example.org].</p></body></html>"
    )
    root = make_build(tmp_path, {"t/raw.pdf": HTML(string=page).write_pdf(pdf_tags=True)})
    (row,) = rows_of(run_checks(root, java=False), "pdf")
    assert (row.status, row.errors) == (FAIL, 1)
    assert [str(m) for m in row.messages] == [
        "error: page 1: raw citation left in the text: [@doe2020]"
    ]


def test_pdf_with_a_font_not_embedded_and_no_tags_fails(tmp_path: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import ContentStream, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    helvetica = DictionaryObject(
        {
            NameObject(k): NameObject(v)
            for k, v in {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica"}.items()
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): helvetica})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    content = ContentStream(None, writer)
    content.set_data(b"BT /F1 12 Tf 20 100 Td (Hello) Tj ET")
    page.replace_contents(content)
    data = io.BytesIO()
    writer.write(data)
    root = make_build(tmp_path, {"t/bare.pdf": data.getvalue()})
    rows = run_checks(root, java=False)
    (row,) = rows_of(rows, "pdf")
    assert row.status == FAIL and exit_code(rows) == 1
    errors = [m.text for m in row.messages]
    assert "font not embedded: Helvetica" in errors
    assert "not tagged: no /StructTreeRoot" in errors
    assert {"metadata: no title (/Title)", "metadata: no language (/Lang)"} <= set(errors)


def test_html_with_errors_fails_and_valid_html_passes(
    tmp_path: Path, vnu_jar: tuple[Path | None, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_java()
    jar = needs_vnu(vnu_jar)
    bad = b'<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><img src="a.png">'
    good = b'<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><p>Fine.</p>'
    root = make_build(tmp_path, {"s/bad.html": bad, "s/good.html": good})
    monkeypatch.setenv(vnu.ENV_VAR, str(jar))
    rows = {r.path: r for r in rows_of(run_checks(root), "vnu")}
    assert rows["s/good.html"].status == OK
    assert rows["s/bad.html"].status == FAIL
    assert any("alt" in m.text for m in rows["s/bad.html"].messages)


def test_vnu_not_found_is_a_skip_saying_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_java()
    root = make_build(tmp_path, {"s/page.html": b"<!DOCTYPE html><title>x</title>"})
    monkeypatch.delenv(vnu.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    (row,) = rows_of(run_checks(root), "vnu")
    assert (row.status, row.detail) == (SKIP, f"skipped: {vnu.NOT_FOUND}")
    assert exit_code([row]) == 1
    assert exit_code([row], allow_missing=True) == 0
    monkeypatch.setenv(vnu.ENV_VAR, str(tmp_path / "nowhere.jar"))
    (row,) = rows_of(run_checks(root), "vnu")
    assert row.status == SKIP and "nowhere.jar is not a file" in row.detail


def test_vnu_report_is_split_by_file() -> None:
    files = [Path("/b/a.html"), Path("/b/c d.html")]
    report = {
        "messages": [
            {"type": "error", "url": "file:/b/a.html", "lastLine": 3, "message": "Bad."},
            {"type": "info", "subType": "warning", "url": "file:///b/c%20d.html", "message": "Hm."},
            {"type": "info", "url": "file:/b/a.html", "message": "Trailing slash."},
            {"type": "non-document-error", "message": "IO error."},
        ]
    }
    found = vnu.messages_by_file(report, files)
    assert [str(m) for m in found[files[0]]] == ["error: line 3: Bad.", "error: IO error."]
    assert [str(m) for m in found[files[1]]] == ["warning: Hm.", "error: IO error."]


@pytest.fixture
def jats_dtd(tmp_path: Path) -> Path:
    """A stand-in for the JATS DTD: an article is a front and an optional body."""
    dtd = tmp_path / "mini-jats.dtd"
    rules = ["article (front, body?)", "front (#PCDATA)", "body (#PCDATA)"]
    dtd.write_text("".join(f"<!ELEMENT {rule}>\n" for rule in rules), encoding="utf-8")
    return dtd


def test_jats_is_checked_well_formed_and_against_a_given_dtd(
    tmp_path: Path, jats_dtd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRESSWORK_JATS_DTD", raising=False)
    root = make_build(
        tmp_path,
        {
            "j/good.xml": b"<article><front>T</front><body>B</body></article>",
            "j/broken.xml": b"<article><front>T</article>",
            "j/invalid.xml": b"<article><body>B</body></article>",
        },
    )
    rows = {r.path: r for r in rows_of(run_checks(root, java=False), "jats")}
    assert rows["j/broken.xml"].status == FAIL
    assert rows["j/broken.xml"].detail.startswith("error: line 1: not well-formed")
    assert rows["j/good.xml"].status == SKIP
    assert "well-formed; DTD validation: no JATS DTD" in rows["j/good.xml"].detail
    monkeypatch.setenv("PRESSWORK_JATS_DTD", str(jats_dtd))
    rows = {r.path: r for r in rows_of(run_checks(root, java=False), "jats")}
    assert (rows["j/good.xml"].status, rows["j/good.xml"].detail) == (
        OK,
        "valid against mini-jats.dtd",
    )
    assert rows["j/invalid.xml"].status == FAIL


def test_missing_changed_or_outside_outputs_are_reported(tmp_path: Path) -> None:
    files = {"s/gone.pdf": b"%PDF", "s/edited.xml": b"<article/>", "s/bad.pdf": b"%PDF-1.7\nx\n"}
    root = make_build(tmp_path, files)
    manifest = root / "build" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["outputs"].append({"path": "../presswork.toml", "format": "html"})
    manifest.write_text(json.dumps(data), encoding="utf-8")
    (root / "build" / "s" / "gone.pdf").unlink()
    (root / "build" / "s" / "edited.xml").write_bytes(b"<article></article>")
    rows = {r.path: r for r in run_checks(root, java=False)}
    assert (rows["s/gone.pdf"].status, rows["s/gone.pdf"].detail) == (
        FAIL,
        "error: in manifest.json, missing",
    )
    assert (
        rows["../presswork.toml"].detail == "error: in manifest.json, outside the build directory"
    )
    assert rows["s/bad.pdf"].status == FAIL
    assert rows["s/bad.pdf"].detail.startswith("error: unreadable PDF: ")
    edited = rows["s/edited.xml"]
    assert edited.warnings == 1 and "sha256 differs from manifest.json" in str(edited.messages)


def test_a_check_whose_validators_could_not_run_fails_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No Java and no vnu.jar: every EPUB and HTML row is a skip, which must not read as green.
    monkeypatch.setattr("presswork.check.java.find_java", lambda: None)
    monkeypatch.delenv(vnu.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    root = make_build(tmp_path, {"s/a.epub": b"PK", "s/a.html": b"<!DOCTYPE html>"})
    assert command(str(root)) == 1
    captured = capsys.readouterr()
    assert "0 ok, 0 failed, 3 skipped" in captured.out
    assert captured.err == (
        "presswork check: epubcheck, vnu could not run (see the skipped rows); install them "
        '(pip install "presswork[check]", the Nu HTML Checker: nox -s check) '
        "or pass --allow-missing\n"
    )
    assert command(str(root), "--allow-missing") == 0
    assert capsys.readouterr().err == ""
    assert command(str(root), "--no-java") == 0  # skipped on purpose, not missing


def test_stem_paper_with_mathml_passes_epubcheck_and_the_nu_checker(
    tmp_path: Path, vnu_jar: tuple[Path | None, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """MathML (pandoc's --mathml), equations, an SVG figure and a table stay valid."""
    from presswork.build import build

    needs_java()
    jar = needs_vnu(vnu_jar)
    root = tmp_path / "stem"
    shutil.copytree(Path(__file__).parent / "fixtures" / "stem", root)
    build(root, format_names=["html", "epub"], jobs=1)
    monkeypatch.setenv(vnu.ENV_VAR, str(jar))
    rows = run_checks(root)
    (epub,) = rows_of(rows, "epubcheck")
    assert (epub.status, epub.errors, epub.warnings) == (OK, 0, 0), epub.messages
    # pandoc writes \ddot{x}'s accent as a combining character in <mo>: the checker warns
    # about the text run, as about any such accent; no error.
    (page,) = rows_of(rows, "vnu")
    assert (page.status, page.errors) == (OK, 0), page.messages
    assert {m.text for m in page.messages} <= {"Text run starts with a composing character."}


def test_without_the_check_extra_check_fails_naming_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A plain `pip install presswork`: neither pypdf nor the epubcheck package importable.
    monkeypatch.setitem(sys.modules, "pypdf", None)
    monkeypatch.setitem(sys.modules, "epubcheck", None)
    monkeypatch.delenv(vnu.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    root = make_build(tmp_path, {"s/a.pdf": b"%PDF-1.7\n", "s/a.epub": b"PK"})
    assert command(str(root), "--format", "json") == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    rows = {r["validator"]: r for r in report["results"] if r["path"] != "-"}
    assert {name: row["status"] for name, row in rows.items()} == {"epubcheck": SKIP, "pdf": SKIP}
    assert "presswork[check]" in rows["pdf"]["detail"]
    assert captured.err.startswith("presswork check: epubcheck, pdf could not run")
    assert command(str(root), "--allow-missing") == 0
