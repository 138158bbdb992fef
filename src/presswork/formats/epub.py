"""EPUB 3 written by pandoc from the cited AST, with a stable identifier and fixed dates."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import datetime, timezone
from typing import Any

from presswork import pandoc
from presswork.assets import asset_path, asset_text
from presswork.formats import Format, register
from presswork.formats.document import StyleDocument, plain_text
from presswork.formats.epubcover import COVER_PAGE, cover_nav, cover_opf, cover_page, image_name
from presswork.formats.epubmeta import accessible_opf, image_alts, landmarks_nav
from presswork.formats.epubnotes import finished_chapter
from presswork.formats.html import user_css
from presswork.i18n import term

OPF = "EPUB/content.opf"
NAV = "EPUB/nav.xhtml"
# pandoc --sandbox cannot read SOURCE_DATE_EPOCH and stamps the Unix epoch instead.
SANDBOX_STAMP = "1970-01-01T00:00:00Z"
BIB_ID = "bibliography"  # the id pandoc gives the reference section's heading


def identifier(doc: StyleDocument) -> str:
    """The DOI when the metadata gives one, else a UUID derived from the content (not random)."""
    doi = " ".join(plain_text(doc.ast.get("meta", {}).get("doi", {})).split())
    if doi:
        return f"doi:{doi}"
    digest = hashlib.sha256(doc.ast_json).hexdigest()
    return f"urn:uuid:{digest[:8]}-{digest[8:12]}-5{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"


def metadata_args(meta: dict[str, Any]) -> list[str]:
    """Keywords as dc:subject and the abstract as dc:description, unless the metadata has them."""
    args: list[str] = []
    keywords = meta.get("keywords", {})
    if "subject" not in meta and keywords.get("t") == "MetaList":
        for keyword in keywords["c"]:
            args += ["--metadata", f"subject={' '.join(plain_text(keyword).split())}"]
    abstract = " ".join(plain_text(meta.get("abstract", {})).split())
    if "description" not in meta and abstract:
        args += ["--metadata", f"description={abstract}"]
    return args


def dated_opf(opf: str, stamp: str, has_date: bool) -> str:
    """The package document with the build's date as modification date (and as date if none)."""
    opf = opf.replace(
        f'<meta property="dcterms:modified">{SANDBOX_STAMP}</meta>',
        f'<meta property="dcterms:modified">{stamp}</meta>',
    )
    if not has_date:
        sandbox_date = rf"(<dc:date[^>]*>){re.escape(SANDBOX_STAMP)}(</dc:date>)"
        opf = re.sub(sandbox_date, rf"\g<1>{stamp}\2", opf)
    return opf


def normalized_zip(
    epub: bytes, epoch: int, replaced: dict[str, str], added: dict[str, bytes] | None = None
) -> bytes:
    """The same EPUB re-zipped with fixed entry times and attributes, mimetype first and stored;
    `replaced` gives new text for some entries, `added` new entries (after pandoc's)."""
    when = datetime.fromtimestamp(epoch, tz=timezone.utc).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub)) as source, zipfile.ZipFile(out, "w") as target:
        entries = [(e.filename, e) for e in source.infolist()]
        entries += [(name, None) for name in (added or {}) if name not in source.namelist()]
        for name, entry in entries:
            info = zipfile.ZipInfo(name, date_time=when)
            info.create_system = 3  # the same bytes whatever system builds them
            info.external_attr = 0o644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            text = replaced.get(name)
            if text is not None:
                data = text.encode("utf-8")
            else:
                data = source.read(entry) if entry is not None else (added or {})[name]
            target.writestr(info, data)
    return out.getvalue()


def render(doc: StyleDocument) -> bytes:
    variables = [arg for key, value in doc.variables.items() for arg in ("-V", f"{key}={value}")]
    meta = doc.ast.get("meta", {})
    if doc.variables.get("presswork-dir") == "rtl" and "page-progression-direction" not in meta:
        # a right-to-left book turns its pages the other way: the spine says so
        variables += ["--metadata", "page-progression-direction=rtl"]
    epub = pandoc.write(
        doc.ast_json,
        "epub3",
        doc.root,
        [
            *variables,
            *metadata_args(doc.ast.get("meta", {})),
            # --sandbox refuses --css files: our stylesheet replaces pandoc's default after.
            "--template",
            str(asset_path("epub-template.xhtml")),
            "--toc",
            "--mathml",  # EPUB 3 readers lay out MathML; no script
            # An article is one file after the title page, so its notes are numbered throughout
            # as in the PDF: no level-1 headings, and the split happens at level 1.
            "--split-level=1",
            "--shift-heading-level-by=1",
            "--metadata",
            f"identifier={identifier(doc)}",
            "--metadata",
            f"lang={doc.lang}",
            # The title is on the title page; pandoc would head the contents with it too.
            "--metadata",
            f"toc-title={term('contents', doc.lang)}",
        ],
    )
    stamp = datetime.fromtimestamp(doc.source_date_epoch, tz=timezone.utc)
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        opf = archive.read(OPF).decode("utf-8")
        nav = archive.read(NAV).decode("utf-8")
        chapters = sorted(
            n[5:] for n in archive.namelist() if re.match(r"EPUB/text/ch\d+\.xhtml$", n)
        )
        title = plain_text(doc.ast.get("meta", {}).get("title")) or doc.name
        finished = {
            f"EPUB/{name}": finished_chapter(archive.read(f"EPUB/{name}").decode("utf-8"), title)
            for name in chapters
        }
        # One stylesheet: ours, in place of pandoc's default (which also shifts citations).
        stylesheets = [n for n in archive.namelist() if re.match(r"EPUB/styles/[^/]+\.css$", n)]
        # The metadata's `css:` after ours, so it overrides it, as pandoc's --css does.
        css = "\n".join(filter(None, (asset_text("epub.css"), user_css(doc))))
        finished |= {name: css for name in stylesheets}
        bibliography = next(
            (
                f"{name}#{BIB_ID}"
                for name in chapters
                if f'id="{BIB_ID}"' in archive.read(f"EPUB/{name}").decode()
            ),
            None,
        )
    has_date = "date" in doc.ast.get("meta", {})
    opf = dated_opf(opf, stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), has_date)
    opf = accessible_opf(opf, image_alts(doc.ast))
    nav = landmarks_nav(nav, chapters, bibliography)
    added: dict[str, bytes] = {}
    files = doc.settings.get("metadata_files")
    if files is not None and files.cover is not None:  # pandoc --sandbox cannot read it
        sheet = stylesheets[0][len("EPUB/") :] if stylesheets else None
        page = cover_page(files.cover, title, doc.lang, sheet)
        added = {
            f"EPUB/{COVER_PAGE}": page.encode(),
            f"EPUB/{image_name(files.cover)}": files.cover.data,
        }
        opf = cover_opf(opf, files.cover)
        nav = cover_nav(nav)
    return normalized_zip(epub, doc.source_date_epoch, {OPF: opf, NAV: nav, **finished}, added)


register(Format("epub", "epub", "application/epub+zip", render, "EPUB 3, checked by epubcheck"))
