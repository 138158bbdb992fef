"""The safety rules: what the build's sanitizer refuses, found at its place in the Markdown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lint_helpers import lint_files, where, write_project

from presswork.lint import Finding, LintConfig, run_lint
from presswork.lint.safety import html_issues, image_issue
from presswork.lint.source import scan
from presswork.sanitize import clean_html, embed_image

LintFiles = Callable[..., list[Finding]]
__all__ = ["lint_files"]  # the fixture, imported for pytest

PNG = Path(__file__).parents[1] / "fixtures" / "hostile" / "project" / "figures" / "dot.png"


def test_scanner_records_links_images_and_raw_tags() -> None:
    text = 'A ![alt](a.png "t") [b](<b.html>) \\![c](d) <ab:y> <img src="e.png"> `<i>`\n'
    doc = scan("a.md", text)
    assert [(link.target, doc.position(link.target_start), link.image) for link in doc.links] == [
        ("a.png", (1, 10), True),
        ("b.html", (1, 26), False),
        ("d", (1, 41), False),
        ("ab:y", (1, 45), False),
    ]
    assert [doc.text[t.start : t.end] for t in doc.raw_tags] == ['<img src="e.png">']


def test_web_links_are_fine_web_images_are_not(lint_files: LintFiles) -> None:
    text = "[page](https://example.org/) <https://example.org/> ![x](https://example.org/x.png)\n"
    assert where(lint_files(text, ("safety",))) == [("safety/external-resource", 1, 58)]


def test_symlink_leaving_the_project(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(PNG.read_bytes())
    root = tmp_path / "paper"
    project = write_project(root, {"manuscript/01-text.md": "![A](figures/out.png)\n"})
    (root / "figures").mkdir()
    (root / "figures" / "out.png").symlink_to(tmp_path / "secret.png")
    (root / "figures" / "in.png").write_bytes(PNG.read_bytes())
    findings = run_lint(project, LintConfig(select=("safety",)))
    assert where(findings) == [("safety/external-resource", 1, 6)]
    assert image_issue("figures/in.png", root) is None


def test_raw_html_positions_and_classes(lint_files: LintFiles) -> None:
    text = 'Go <a href="https://example.org/" onclick="x()">on</a> <embed src="a.swf">\n'
    assert where(lint_files(text, ("safety",))) == [
        ("safety/unsafe-html", 1, 35),
        ("safety/unsafe-html", 1, 56),
    ]


def test_agrees_with_the_sanitizer(tmp_path: Path) -> None:
    """Whatever the linter lets through, the build keeps; whatever it flags, the build drops."""
    (tmp_path / "ok.png").write_bytes(PNG.read_bytes())
    (tmp_path / "text.png").write_text("words")
    for target in ("ok.png", "text.png", "none.png", "/etc/passwd", "../x.png", "http://h/x"):
        assert (image_issue(target, tmp_path) is None) == (
            embed_image(target, tmp_path)[0] is not None
        )
    for fragment in (
        '<img src="ok.png">',
        '<img src="none.png">',
        '<video src="ok.png">',
        '<div style="color: red">',
        '<div style="background: url(/etc/x)">',
        '<a href="#top" title="t">',
        '<form action="http://h/">',
        "<base href=/>",
        '<svg><a xlink:href="javascript:x()">',
    ):
        assert bool(html_issues(fragment, tmp_path)) == bool(clean_html(fragment, tmp_path)[1])


def test_metadata_resources_outside_the_project(tmp_path: Path) -> None:
    """Metadata naming a file for pandoc: the lint finds what the build ignores, with its line."""
    root = tmp_path / "paper"
    metadata = (
        "title: T\n"
        "css: /etc/hostname\n"
        'cover-image: "https://example.org/c.png"\n'
        "bibliography:\n"
        "  - references/ok.bib\n"
        "  - ../secret.bib\n"
        "epub-cover-image: figures/cover.png\n"
    )
    files = {"manuscript/metadata.yaml": metadata, "manuscript/01-text.md": "Text.\n"}
    files["references/ok.bib"] = "@misc{ok, title = {OK}}\n"  # a missing one is a warning
    project = write_project(root, files)
    findings = run_lint(project, LintConfig(select=("safety",)))
    assert [(f.file, *where([f])[0]) for f in findings] == [
        ("manuscript/metadata.yaml", "safety/external-resource", 2, 6),
        ("manuscript/metadata.yaml", "safety/external-resource", 3, 15),
        ("manuscript/metadata.yaml", "safety/external-resource", 6, 5),
    ]
    assert "metadata 'bibliography: ../secret.bib'" in findings[2].message
    # The build ignores exactly those keys, and says so with the file and line.
    from presswork.build import build

    report = build(root, ["html"], ["apa"], jobs=1)
    warned = sorted(w.split(": ", 1)[0] for w in report.warnings)
    assert warned == [
        "manuscript/metadata.yaml:2:6",
        "manuscript/metadata.yaml:3:15",
        "manuscript/metadata.yaml:6:5",
        "manuscript/metadata.yaml:7",  # epub-cover-image: pandoc ignores it in metadata too
    ]
    assert any("'epub-cover-image' ignored" in w for w in report.warnings)


def test_targets_with_spaces_are_found_by_lint_and_build_at_the_same_place(
    tmp_path: Path,
) -> None:
    """`<...>` targets may hold spaces; pandoc rewrites them as %20, the place stays known."""
    root = tmp_path / "paper"
    text = (
        'See ![a map](<../my secret.png>), [x](<javascript:go( 1 )> "t") and ![ok](<my dot.png>).\n'
    )
    project = write_project(root, {"manuscript/01-text.md": text})
    (root / "my dot.png").write_bytes(PNG.read_bytes())
    findings = run_lint(project, LintConfig(select=("safety",)))
    assert where(findings) == [("safety/external-resource", 1, 15), ("safety/unsafe-html", 1, 40)]
    assert "image '../my secret.png'" in findings[0].message
    from presswork.build import build

    report = build(root, ["html"], ["apa"], jobs=1)
    assert report.warnings == [
        "manuscript/01-text.md:1:15: image '../my secret.png' not used: outside the project",
        "manuscript/01-text.md:1:40: link 'javascript:go( 1 )' removed: "
        "javascript: links are not allowed",
    ]
    html = (root / "build" / "apa" / "paper.html").read_text()
    assert html.count('src="data:image/png;base64,') == 1  # the project's own figure


def test_text_that_only_looks_like_attributes_is_not_unsafe(lint_files: LintFiles) -> None:
    text = (
        "The handler a onclick= b, {in prose onclick=x here}, `{onclick=y}` and\n"
        "<!-- <a onclick=z> -->, but [a span]{.c onclick=w} is real.\n"
    )
    assert where(lint_files(text, ("safety",))) == [("safety/unsafe-html", 2, 41)]


def test_inline_svg_references_outside_the_page(lint_files: LintFiles) -> None:
    """pandoc splits inline SVG into one raw node per tag: each is judged without its <svg>."""
    text = 'A <svg><use href="http://127.0.0.1:9/a.svg#x"/><rect fill="url(#g)"/></svg>\n\n'
    text += '<svg><rect fill="url(http://127.0.0.1:9/p.svg#g)"/></svg>\n'
    findings = lint_files(text, ("safety",))
    assert where(findings) == [
        ("safety/external-resource", 1, 13),
        ("safety/external-resource", 3, 12),
    ]
    assert "only #id references into the page" in findings[0].message
    assert "url() outside the page" in findings[1].message
