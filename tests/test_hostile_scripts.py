"""Hostile scripts: no payload an author can write reaches an output as something that runs.

Each payload sits in its own section (`#case-<name>`) of a project of its family; every family
is built once (HTML, EPUB, PDF) and every output is parsed: the HTML page, each XHTML, SVG and
CSS file inside the EPUB, every SVG embedded as a data: URI, and the PDF's objects.
"""

from __future__ import annotations

import base64
import json
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from presswork.sanitize import _scheme

pytestmark = pytest.mark.slow

SCRIPT_SCHEMES = {"javascript", "vbscript", "livescript"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "codebase",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "manifest",
    "icon",
    "ping",
    "srcset",
    "archive",
}
FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "form",
    "portal",
    "foreignobject",
    "animate",
    "set",
    "handler",
    "listener",
}
RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]", re.I)
OWN_DOWNLOAD = re.compile(
    r"data:application/(x-bibtex|x-research-info-systems|vnd\.citationstyles\.csl\+json)[;,]"
)

# ---- the payloads, by family ---------------------------------------------------------------

RAW = {
    "script-block": "<script>alert(1)</script>",
    "script-inline": "Text <script>alert(1)</script> more.",
    "script-upper": "<SCRIPT SRC=//127.0.0.1:9/x.js></SCRIPT>",
    "script-split": "<div>\n<script>\n\nalert(1)\n\n</script>\n</div>",
    "script-nested-name": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-fuzz-flake": '<A<script onclick=javascript:alert(1)">',
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-onerror-inline": 'See <img src="x" onerror="alert(1)"> here.',
    "img-slash-handler": "<img/src=x/onerror=alert(1)>",
    "body-onload": "<body onload=alert(1)>",
    "details-ontoggle": "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "a-javascript": '<a href="javascript:alert(1)">x</a>',
    "a-javascript-entity": '<a href="jav&#x61;script&colon;alert(1)">x</a>',
    "a-javascript-tab": '<a href="java\tscript:alert(1)">x</a>',
    "a-javascript-space": '<a href=" javascript:alert(1)">x</a>',
    "a-vbscript": "<a href='VBScript:msgbox(1)'>x</a>",
    "a-data-html": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "a-xlink": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "iframe-src": '<iframe src="http://127.0.0.1:9/frame"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "iframe-js": '<iframe src="javascript:alert(1)"></iframe>',
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-onload": '<svg onload="alert(1)"><circle r="1"/></svg>',
    "svg-animate": (
        '<svg><a><animate attributeName="href" values="javascript:alert(1)"/>'
        "<text>x</text></a></svg>"
    ),
    "svg-set": '<svg><set attributeName="onmouseover" to="alert(1)"/></svg>',
    "svg-foreignobject": ("<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>"),
    "svg-use-external": '<svg><use href="http://127.0.0.1:9/x.svg#a"/></svg>',
    "svg-url-external": '<svg><rect fill="url(http://127.0.0.1:9/x.svg#g)"/></svg>',
    "svg-url-escaped": '<svg><rect fill="u\\72l(http://127.0.0.1:9/y.svg#g)"/></svg>',
    "svg-style-import": "<svg><style>@import url(http://127.0.0.1:9/x.css);</style></svg>",
    "math-mglyph": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "math-style-mutation": (
        '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;'
        '&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;">'
    ),
    "svg-style-mutation": '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "noscript-mutation": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "form-action": '<form action="javascript:alert(1)"><input type=submit></form>',
    "button-formaction": '<button formaction="javascript:alert(1)">b</button>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-href": '<base href="javascript:alert(1)//">',
    "object-data": '<object data="javascript:alert(1)"></object>',
    "embed-src": '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    "link-import": '<link rel="import" href="http://127.0.0.1:9/x.html">',
    "style-expression": '<p style="width: expression(alert(1))">p</p>',
    "style-url-escape": '<p style="background: u\\72l(http://127.0.0.1:9/a.png)">p</p>',
    "style-url-escape-2": '<p style="background: \\75rl(http://127.0.0.1:9/b.png)">p</p>',
    "style-url-comment": '<p style="background: url/**/(http://127.0.0.1:9/c.png)">p</p>',
    "style-quote-break": '<a style="x:\'y" onclick="alert(1)">a</a>',
    "style-element-import": "<style>@import 'http://127.0.0.1:9/d.css';</style>",
    "style-behavior": '<p style="behavior: url(x.htc)">p</p>',
    "style-moz-binding": '<p style="-moz-binding: url(http://127.0.0.1:9/x.xml#x)">p</p>',
    "comment-break": "<!--> <img src=x onerror=alert(1)> -->",
    "cdata": "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "textarea-break": '<textarea><img title="</textarea><img src=x onerror=alert(1)>">',
    "title-break": '<title><img title="</title><img src=x onerror=alert(1)>"></title>',
    "attribute-unquoted-break": "<p title=a onclick=alert(1)>t</p>",
    "srcset": '<img srcset="http://127.0.0.1:9/e.png 2x" alt="a">',
    "img-data-svg": (
        '<img alt="d" src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 '
        'onload=%22alert(1)%22%3E%3Cscript%3Ealert(2)%3C/script%3E%3C/svg%3E">'
    ),
    "mathml-href": '<math><mi href="javascript:alert(1)">x</mi><mtext>t</mtext></math>',
    "mathml-maction": "<math><maction actiontype=statusline><mi>x</mi><mi>y</mi></maction></math>",
    "processing-instruction": '<?xml-stylesheet href="http://127.0.0.1:9/x.xsl"?><b>pi</b>',
    "doctype-entity": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><b>&e;</b>',
    "control-char-scheme": '<a href="\x01javascript:alert(1)">c</a>',
    "video-poster": '<video poster="javascript:alert(1)"><source src="x.mp4"></video>',
    "marquee": "<marquee onstart=alert(1)>m</marquee>",
    "svg-drawing-kept": (
        '<svg viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" '
        'stop-color="red"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/>'
        '<circle r="2" onclick="alert(1)"/></svg>'
    ),
    "table-markdown-cells": (
        "<table>\n<tr>\n<td>A *cell*</td>\n<td onclick=alert(1)>b</td>\n</tr>\n</table>"
    ),
    "html-block-text": "<div onclick=alert(1)>\n\n*markdown inside*\n\n</div>",
    # last: pandoc's HTML block of a <script> runs to its end tag, here the end of the file
    "script-unclosed": "<script>alert(1)",
}

PANDOC = {
    "raw-attr-block": "```{=html}\n<script>alert(1)</script>\n```",
    "raw-attr-inline": "Text `<img src=x onerror=alert(1)>`{=html} more.",
    "raw-attr-html5": "```{=html5}\n<svg onload=alert(1)></svg>\n```",
    "raw-attr-epub": "```{=epub3}\n<script>alert(1)</script>\n```",
    "raw-latex": "```{=latex}\n\\href{javascript:alert(1)}{x}\n```",
    "raw-openxml": "`<w:r><w:t>javascript:alert(1)</w:t></w:r>`{=openxml}",
    "link-javascript": "[x](javascript:alert(1))",
    "link-javascript-case": "[x](  JaVaScRiPt:alert(1))",
    "link-javascript-angle": "[x](<javascript:alert(1)>)",
    "link-javascript-encoded": "[x](javascript%3Aalert(1))",
    "link-javascript-ref": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "link-autolink": "<javascript:alert(1)>",
    "link-vbscript": "[x](vbscript:msgbox(1))",
    "link-data-html": "[x](data:text/html,<script>alert(1)</script>)",
    "image-javascript": "![x](javascript:alert(1))",
    "image-data-html": "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "image-data-svg": (
        "![x](data:image/svg+xml;base64,"
        + base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>').decode()
        + ")"
    ),
    "image-remote": "![x](http://127.0.0.1:9/x.png)",
    "span-onclick": "[span]{onclick=alert(1)}",
    "span-style": '[span]{style="background:u\\72l(http://127.0.0.1:9/s.png)"}',
    "div-onmouseover": "::: {onmouseover=alert(1)}\ndiv\n:::",
    "header-onclick": "## Header {onclick=alert(1)}",
    "link-attr-handler": "[x](https://example.org){onmouseover=alert(1)}",
    "image-attr-handler": "![x](figures/dot.png){onload=alert(1)}",
    "code-attr-handler": "`code`{onclick=alert(1)}",
    "span-href-attr": "[span]{href=javascript:alert(1)}",
    "span-src-attr": "[span]{src=http://127.0.0.1:9/x.png}",
    "code-block-attr": (
        "```{.python onclick=alert(1) style='background:url(//127.0.0.1:9/c)'}\nx\n```"
    ),
    "image-title-quote": '![x](figures/dot.png "t\\" onerror=\\"alert(1)")',
    "footnote-raw": "Text.^[A note <img src=x onerror=alert(1)> <script>alert(2)</script>.]",
    "table-cell-raw": (
        "| a | b |\n|---|---|\n| <svg onload=alert(1)></svg> | <a href='javascript:x'>y</a> |"
    ),
    "citation-prefix-raw": (
        "[<script>alert(1)</script> see @doe2020, p. 4 <img src=x onerror=alert(2)>]"
    ),
    "link-text-raw": "[<b onclick=alert(1)>bold</b>](https://example.org)",
}

META = {
    "title": "<img src=x onerror=alert(1)>Title",
    "subtitle": "<script>alert(2)</script>Sub",
    "author": "<a href='javascript:alert(3)'>Author</a>",
    "abstract": "An abstract <svg onload=alert(4)></svg> with [a](javascript:alert(5)).",
    "keywords": "<script>alert(6)</script>",
    "date": "2024-01-01<script>alert(7)</script>",
    # strings pandoc puts into attributes and the EPUB's package
    "lang": 'en" onmouseover="alert(8)',
    "pagetitle": "</title><script>alert(9)</script>",
    "description": 'a" onload="alert(10)',
    "doi": '10.1/x" onclick="alert(11)',
    "url": "javascript:alert(12)",
    # raw HTML for the page's head and around the body
    "header-includes": (
        "<meta http-equiv=refresh content='0;url=javascript:alert(13)'>"
        "<base href='http://127.0.0.1:9/'><link rel=stylesheet href='http://127.0.0.1:9/x.css'>"
    ),
    "include-before": "<script>alert(14)</script><img src=x onerror=alert(15)>",
    "include-after": "`<svg onload=alert(16)>`{=html}",
    "short-title": "<iframe src=javascript:alert(17)></iframe>Short",
}

SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
SVG = {
    "svg-file-script": f"<svg {SVG_NS}><script>alert(1)</script><rect width='1'/></svg>",
    "svg-file-onload": f"<svg {SVG_NS} onload='alert(1)'><rect width='1'/></svg>",
    "svg-file-handler": f"<svg {SVG_NS}><rect onclick='alert(1)' width='1'/></svg>",
    "svg-file-foreign": (
        f"<svg {SVG_NS}><foreignObject><body xmlns='http://www.w3.org/1999/xhtml'>"
        "<script>alert(1)</script></body></foreignObject></svg>"
    ),
    "svg-file-xlink": (
        f"<svg {SVG_NS}><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>"
    ),
    "svg-file-use": f"<svg {SVG_NS}><use href='http://127.0.0.1:9/a.svg#x'/></svg>",
    "svg-file-image": f"<svg {SVG_NS}><image href='http://127.0.0.1:9/a.png'/></svg>",
    "svg-file-url": f"<svg {SVG_NS}><rect fill='url(http://127.0.0.1:9/a.svg#g)'/></svg>",
    "svg-file-url-escaped": (
        f"<svg {SVG_NS}><rect style='fill: u\\72l(http://127.0.0.1:9/b.svg#g)'/></svg>"
    ),
    "svg-file-fill-escaped": (
        f"<svg {SVG_NS}><rect fill='u\\72l(http://127.0.0.1:9/e.svg#g)' width='1'/></svg>"
    ),
    "svg-file-style": (
        f"<svg {SVG_NS}><style>rect {{ fill: url(http://127.0.0.1:9/c.svg#g) }}</style>"
        "<rect/></svg>"
    ),
    "svg-file-style-relative": (
        f"<svg {SVG_NS}><style>rect {{ fill: url(figures/dot.png) }}</style><rect/></svg>"
    ),
    "svg-file-style-import": (
        f"<svg {SVG_NS}><style>@import url(http://127.0.0.1:9/d.css);</style><rect/></svg>"
    ),
    "svg-file-animate": (
        f"<svg {SVG_NS}><a href='#x'><set attributeName='href' to='javascript:alert(1)'/>"
        "<text>x</text></a></svg>"
    ),
    "svg-file-filter-url": (
        f"<svg {SVG_NS}><rect filter='url( \"http://127.0.0.1:9/f.svg#f\" )'/></svg>"
    ),
}

MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)><a href='javascript:alert(3)'>a</a>"
CSL_STYLE = f"""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Evil &lt;script&gt;alert(9)&lt;/script&gt;</title><id>evil</id>
    <updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout prefix="(" suffix=")" delimiter="; ">
    <text variable="title" prefix="{MARKUP.replace("<", "&lt;").replace(">", "&gt;")}"/>
    <text value="&lt;svg onload=alert(4)&gt;&lt;/svg&gt;"/>
  </layout></citation>
  <bibliography><layout suffix="&lt;iframe src=javascript:alert(5)&gt;">
    <text variable="title" font-style="italic"
      prefix="&lt;b onclick=alert(6)&gt;" suffix="&lt;/b&gt;"/>
    <text value=" &lt;a href=&quot;javascript:alert(7)&quot;&gt;link&lt;/a&gt;"/>
  </layout></bibliography>
</style>
"""
REFS_BIB = """@book{bibscript, author={Doe, Jane}, year={2020},
  title={<script>alert(1)</script> and <img src=x onerror=alert(2)>}, publisher={P},
  url={javascript:alert(3)}}
"""
REFS_JSON = [
    {
        "id": "jsonscript",
        "type": "book",
        "title": '<script>alert(4)</script><span onclick="alert(5)">T</span>',
        "author": [{"family": "<img src=x onerror=alert(6)>", "given": "J"}],
        "issued": {"date-parts": [[2021]]},
        "URL": "javascript:alert(7)",
    }
]

DOT_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGNQSFiAFTEMLQkAAmxIAbLcbYIAAAAASUVORK5CYII="
)


# Ends an HTML block a payload leaves open (pandoc runs a `<script>`, `<style>` or comment
# block to its end tag), so that the next case is a section of its own.
TERMINATOR = "--> </script></style></textarea>"


def _section(name: str, body: str, end: str = "") -> str:
    return f"# Case {name} {{#case-{name}}}\n\n{body}\n\n{end}\n\nEnd of {name}.\n\n"


def _project(root: Path, meta: str, body: str, toml: str = 'name = "paper"\n') -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "figures").mkdir()
    (root / "figures" / "dot.png").write_bytes(DOT_PNG)
    (root / "manuscript" / "metadata.yaml").write_text(meta, "utf-8")
    (root / "manuscript" / "01-text.md").write_text(body, "utf-8")
    (root / "references" / "refs.bib").write_text(
        "@book{doe2020, author={Doe, Jane}, title={A Book}, publisher={P}, year={2020}}\n"
    )
    (root / "presswork.toml").write_text(toml, "utf-8")
    return root


def _meta_yaml(fields: dict[str, str]) -> str:
    lines = [f"{key}: {json.dumps(value)}" for key, value in fields.items() if key != "keywords"]
    return "\n".join([*lines, f"keywords: [{json.dumps(fields['keywords'])}]"]) + "\n"


def make_family(family: str, root: Path) -> Path:
    if family == "raw":
        return _project(
            root, "title: Raw\n", "".join(_section(n, p, TERMINATOR) for n, p in RAW.items())
        )
    if family == "pandoc":
        body = "".join(_section(n, p) for n, p in PANDOC.items())
        return _project(root, "title: Pandoc\n", body)
    if family == "meta":
        return _project(root, _meta_yaml(META), _section("meta", "Body [@doe2020]."))
    if family == "svg":
        body = ""
        for name, svg in SVG.items():
            (root / "figures").mkdir(parents=True, exist_ok=True)
            (root / "figures" / f"{name}.svg").write_text(svg, "utf-8")
            body += _section(name, f"![{name}](figures/{name}.svg)")
        return _project_keep(root, "title: SVG\n", body)
    if family == "refs":
        body = _section("refs", "Cited [@bibscript; @jsonscript; @doe2020].")
        root = _project(root, "title: Refs\n", body, 'name = "paper"\ncite-styles = ["evil"]\n')
        (root / "styles").mkdir()
        (root / "styles" / "evil.csl").write_text(CSL_STYLE, "utf-8")
        with (root / "references" / "refs.bib").open("a") as bib:
            bib.write(REFS_BIB)
        (root / "references" / "more.json").write_text(json.dumps(REFS_JSON), "utf-8")
        return root
    raise ValueError(family)


def _project_keep(root: Path, meta: str, body: str) -> Path:
    """As _project, into a root whose figures/ already holds the family's images."""
    figures = {p.name: p.read_bytes() for p in (root / "figures").iterdir()}
    (root / "figures").rename(root.parent / "figures-tmp")
    _project(root, meta, body)
    for name, data in figures.items():
        (root / "figures" / name).write_bytes(data)
    return root


FAMILIES = {"raw": RAW, "pandoc": PANDOC, "meta": META, "svg": SVG, "refs": {"refs": ""}}
STYLE = {"refs": "evil"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str]]]:
    """Each family built once in HTML, EPUB and PDF: its output folder and warnings."""
    from presswork.build import build

    found = {}
    for family in FAMILIES:
        root = make_family(family, tmp_path_factory.mktemp(family) / "paper")
        style = STYLE.get(family, "apa")
        report = build(root, ["html", "epub", "pdf"], [style], jobs=2)
        found[family] = (root / "build" / style, report.warnings)
    return found


# ---- the checks ----------------------------------------------------------------------------


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def css_problems(
    css: str, where: str, svg: bool = False, inside: set[str] | None = None
) -> list[str]:
    """url()s and @imports a CSS text would fetch, and script in it (read by tinycss2)."""
    import tinycss2

    problems = []
    lowered = re.sub(r"\s+", "", css).lower()
    for bad in ("expression(", "javascript:", "behavior:", "-moz-binding"):
        if bad in lowered:
            problems.append(f"{where}: {bad} in CSS")

    def walk(tokens: Any) -> None:
        for token in tokens or []:
            kind = getattr(token, "type", "")
            target = None
            if kind == "url":
                target = token.value
            elif kind == "function" and token.lower_name in ("url", "src", "image", "image-set"):
                strings = [a.value for a in token.arguments if a.type == "string"]
                target = strings[0] if strings else ""
            elif kind == "at-keyword" and token.lower_value == "import":
                problems.append(f"{where}: @import in CSS")
            if target is not None:
                target = target.strip()
                if svg and not target.startswith("#"):
                    problems.append(f"{where}: url({target}) in SVG")
                elif not svg and _external(target, inside, where):
                    problems.append(f"{where}: url({target}) in CSS")
            for inner in ("arguments", "content", "prelude"):
                walk(getattr(token, inner, None))

    walk(tinycss2.parse_stylesheet(css))
    walk(tinycss2.parse_component_value_list(css))
    return problems


def _external(target: str, inside: set[str] | None = None, base: str = "") -> bool:
    """A resource the reader's software would fetch from outside the document: a standalone
    page has none but data: URIs; an EPUB's point at files of its own zip (`inside`)."""
    scheme = _scheme(target)
    if scheme == "data":
        return not re.match(r"data:(image/|font/|application/font)", target.strip(), re.I)
    if scheme or inside is None:
        return True
    path = posixpath.normpath(posixpath.join(posixpath.dirname(base), target.split("#")[0]))
    return path not in inside


def _svg_data_problems(uri: str, where: str) -> list[str]:
    header, _, body = uri.partition(",")
    data = base64.b64decode(body) if header.endswith(";base64") else unquote(body).encode()
    return svg_problems(data, f"{where} (data: SVG)")


def tree_problems(
    root: Any, where: str, page: bool = False, inside: set[str] | None = None
) -> list[str]:
    """Everything in an (X)HTML or SVG tree that could run or fetch (`inside`: an EPUB's
    files, for a tree that is its member `where`)."""
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        in_svg = tag == "svg" or any(
            isinstance(a.tag, str) and _local(a.tag) == "svg" for a in element.iterancestors()
        )
        if tag == "script":
            own = page and element.get("type") == "application/ld+json"
            if own:
                json.loads(element.text or "null")  # data, never run: it must be JSON
            else:
                problems.append(f"{where}: <script>")
        if tag in FORBIDDEN_TAGS:
            problems.append(f"{where}: <{tag}>")
        if tag == "meta" and element.get("http-equiv"):
            problems.append(f"{where}: <meta http-equiv>")
        if tag == "style":
            problems += css_problems(element.text or "", where, in_svg, inside)
        for name, value in element.attrib.items():
            problem = _attribute_problem(element, tag, name, value or "", in_svg, inside, where)
            if problem:
                problems.append(f"{where}: <{tag} {name}={(value or '')[:60]!r}>: {problem}")
            if _local(name) == "style":
                problems += css_problems(value or "", where, in_svg, inside)
            elif _local(name) in ("src", "href", "data") and re.match(
                r"\s*data:image/svg\+xml", value or "", re.I
            ):
                problems += _svg_data_problems(re.sub(r"[\x00-\x20]", "", value), where)
    return problems


def _attribute_problem(
    element: Any, tag: str, name: str, value: str, in_svg: bool, inside: set[str] | None, where: str
) -> str:
    """Why one attribute could run script or fetch something ('' when it cannot)."""
    attr = _local(name)
    if attr.startswith("on"):
        return "event handler"
    if attr in ("srcdoc", "http-equiv", "srcset", "ping"):
        return "forbidden attribute"
    local_url = re.fullmatch(r"\s*url\(\s*['\"]?#[^)]*\)\s*", value)
    if in_svg and attr != "style" and "url(" in re.sub(r"\s+", "", value).lower() and not local_url:
        return "url() outside the drawing"
    # presentation attributes are CSS values: an escape (`u\\72l(`) is a url( too
    if in_svg and attr != "style" and css_problems(value, where, svg=True):
        return "url() outside the drawing (CSS)"
    if attr not in URL_ATTRIBUTES:
        return ""
    scheme = _scheme(value)
    compact = re.sub(r"[\x00-\x20]", "", value)
    link = (tag, attr) in (("a", "href"), ("area", "href"))
    if scheme in SCRIPT_SCHEMES:
        return "script URL"
    if scheme == "data":
        if RASTER_DATA.match(compact) or compact.lower().startswith("data:image/svg+xml"):
            return ""  # an SVG's own content is checked as a document
        own = tag == "a" and "download" in element.attrib and OWN_DOWNLOAD.match(value)
        return "" if own else "data: URL that is not an image"
    if in_svg and not link and not value.strip().startswith("#"):
        return "SVG reference outside the drawing"
    if link or (tag == "link" and element.get("rel") == "canonical"):
        return ""
    return "fetches a resource" if _external(value, inside, where) else ""


def svg_problems(data: bytes, where: str) -> list[str]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return tree_problems(etree.fromstring(data, parser), where)


def html_tree(path: Path) -> Any:
    import lxml.html

    return lxml.html.fromstring(path.read_bytes())


def epub_names(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def epub_trees(path: Path) -> dict[str, Any]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    trees = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xhtml", ".svg", ".opf", ".ncx")):
                trees[name] = etree.fromstring(archive.read(name), parser)
    return trees


def epub_css(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".css")}


def pdf_problems(path: Path) -> list[str]:
    """JavaScript, launch actions and script URIs anywhere in the PDF's objects."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(path)
    problems: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in ("/JavaScript", "/JS", "/Launch", "/OpenAction", "/AA"):
                    problems.append(f"{path.name}: {key}")
                if key == "/S" and str(value) in ("/JavaScript", "/Launch", "/ImportData"):
                    problems.append(f"{path.name}: action {value}")
                if key == "/URI" and _scheme(str(value)) in SCRIPT_SCHEMES | {"data", "file"}:
                    problems.append(f"{path.name}: /URI {value}")
                if key != "/Parent":
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return problems


def etree_text(element: Any) -> str:
    from lxml import etree

    return etree.tostring(element, encoding="unicode")


def case_element(tree: Any, name: str) -> Any:
    found = tree.xpath(f"//*[@id='case-{name}']")
    assert found, f"section case-{name} is missing"
    return found[0]


CASES = [(family, name) for family in ("raw", "pandoc", "svg") for name in FAMILIES[family]]


@pytest.mark.parametrize(("family", "name"), CASES, ids=[n for _, n in CASES])
def test_payload_is_harmless_in_html_and_epub(
    built: dict[str, tuple[Path, list[str]]], family: str, name: str
) -> None:
    out, _ = built[family]
    section = case_element(html_tree(out / "paper.html"), name)
    assert tree_problems(section, "html") == []
    assert f"End of {name}." in section.text_content() or name == "script-unclosed"
    chapters = [(n, t) for n, t in epub_trees(out / "paper.epub").items() if n.endswith(".xhtml")]
    sections = [(n, s) for n, t in chapters for s in t.xpath(f"//*[@id='case-{name}']")]
    assert len(sections) == 1, name
    inside = epub_names(out / "paper.epub")
    assert tree_problems(sections[0][1], sections[0][0], inside=inside) == []


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_output_of_a_family_is_harmless(
    built: dict[str, tuple[Path, list[str]]], family: str
) -> None:
    out, _ = built[family]
    problems = tree_problems(html_tree(out / "paper.html"), "paper.html", page=True)
    inside = epub_names(out / "paper.epub")
    for name, tree in epub_trees(out / "paper.epub").items():
        problems += tree_problems(tree, name, inside=inside)
    for name, css in epub_css(out / "paper.epub").items():
        problems += css_problems(css, name, inside=inside)
    problems += pdf_problems(out / "paper.pdf")
    assert problems == []


def test_the_payloads_were_really_there(built: dict[str, tuple[Path, list[str]]]) -> None:
    """The battery tests something: harmless text of the payloads survives, and warnings name
    the file and line of what was removed."""
    out, warnings = built["raw"]
    page = (out / "paper.html").read_text("utf-8")
    assert "End of html-block-text." in page and "<em>markdown inside</em>" in page
    text = (out / "../../manuscript/01-text.md").resolve().read_text()
    line = text.splitlines().index(RAW["img-onerror"]) + 1
    assert f"manuscript/01-text.md:{line}:1: raw HTML <img>" in "\n".join(warnings), warnings
    # an honest drawing keeps its shapes, in its namespace, in the page and the EPUB
    epub = epub_trees(out / "paper.epub")["EPUB/text/ch001.xhtml"]
    for tree in (html_tree(out / "paper.html"), epub):
        drawing = case_element(tree, "svg-drawing-kept")
        names = [_local(e.tag) for e in drawing.iter() if isinstance(e.tag, str)]
        assert {"svg", "lineargradient", "stop", "rect", "circle"} <= set(names), names
        rect = next(e for e in drawing.iter() if isinstance(e.tag, str) and _local(e.tag) == "rect")
        assert rect.get("fill") == "url(#g)"
    assert epub.xpath("//svg:rect", namespaces={"svg": "http://www.w3.org/2000/svg"})
    # a raw table's cells keep the Markdown pandoc read inside them (not moved before it)
    cells = case_element(html_tree(out / "paper.html"), "table-markdown-cells").xpath(".//td")
    assert [c.text_content().strip() for c in cells] == ["A cell", "b"] and cells[0].xpath(".//em")
    pandoc_out, pandoc_warnings = built["pandoc"]
    for warning in warnings + pandoc_warnings:  # each removal at its place
        assert re.match(r"manuscript/01-text\.md:\d+:\d+: ", warning), warning
    assert any("link 'javascript:alert(1)' removed" in w for w in pandoc_warnings)
    # raw content for other formats never reaches the page or the book
    chapter = epub_trees(pandoc_out / "paper.epub")["EPUB/text/ch001.xhtml"]
    for tree in (html_tree(pandoc_out / "paper.html"), chapter):
        for name, mark in (("raw-latex", "href{"), ("raw-openxml", "w:t")):
            section = case_element(tree, name)
            assert mark not in etree_text(section), name
    link = case_element(html_tree(pandoc_out / "paper.html"), "link-javascript").xpath(".//a")
    assert [a.text for a in link] == ["x"] and _scheme(link[0].get("href") or "") == ""


def test_metadata_payloads_are_harmless_and_their_text_stays(
    built: dict[str, tuple[Path, list[str]]],
) -> None:
    out, warnings = built["meta"]
    line = [key for key in META if key != "keywords"].index("lang") + 1
    assert f"manuscript/metadata.yaml:{line}: 'lang' must be a language tag" in "\n".join(warnings)
    tree = html_tree(out / "paper.html")
    assert tree_problems(tree, "paper.html", page=True) == []
    title = tree.xpath("//h1")[0].text_content()
    assert "Title" in title
    assert tree.get("lang") == "en-US" and "javascript" not in (out / "paper.html").read_text()
    assert "Author" in tree.text_content() and "An abstract" in tree.text_content()
    inside = epub_names(out / "paper.epub")
    for name, epub_tree in epub_trees(out / "paper.epub").items():
        assert tree_problems(epub_tree, name, inside=inside) == []


def test_style_and_reference_markup_is_text_or_gone(
    built: dict[str, tuple[Path, list[str]]],
) -> None:
    out, _ = built["refs"]
    tree = html_tree(out / "paper.html")
    assert tree_problems(tree, "paper.html", page=True) == []
    # "Cite this article" rendered the paper's entry with citeproc-py in the hostile style
    cite = tree.xpath("//section[@id='cite-this']")
    assert cite and cite[0].xpath(".//dd[@class='csl-entry']"), "no citeproc-py entry"
    entries = tree.xpath("//div[contains(@class, 'csl-entry')]")
    assert len(entries) == 3  # pandoc's bibliography: the three works
