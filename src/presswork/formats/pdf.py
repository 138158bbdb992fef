"""The PDF: the page HTML turned into print HTML (notes at their calls) and laid out by WeasyPrint.

WeasyPrint is pure Python and CPU-bound, so it runs in worker processes: styles lay out in
parallel. It only ever sees files inside the project and presswork's own assets, and only the
fonts presswork ships.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
import shutil
import signal
import threading
import uuid
import weakref
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from presswork.assets import ASSETS, asset_text
from presswork.errors import BuildError, EnvironmentProblem, InputError
from presswork.fonts import font_dirs, font_face_css
from presswork.formats import (
    Format,
    hyphenation,
    notekeep,
    notesymbols,
    pagehyphen,
    register,
    runts,
)
from presswork.formats.document import StyleDocument
from presswork.formats.html import page_with_css, user_css
from presswork.formats.pdfmeta import add_xmp_language_and_subject, clickable_links, link_notes
from presswork.formats.printpage import notes_at_calls
from presswork.math import formulas_as_svg

# Tagged and accessible unless the project asks for another variant (e.g. pdf/a-3b), or for
# "none": a tagged PDF that claims no conformance.
DEFAULT_VARIANT = "pdf/ua-1"
NO_VARIANT = "none"

PANGO_HINT = (
    "WeasyPrint cannot load Pango, which it needs to make PDFs; install the system package "
    "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; "
    "Fedora: dnf install pango; macOS: brew install pango)"
)

_environment_lock = threading.Lock()

__all__ = ["DEFAULT_VARIANT", "notes_at_calls", "pdf_options", "print_html", "render", "render_pdf"]


def _fonts_css(text: str) -> str:
    # Absolute file URLs: the inline stylesheet's base is the project, not the assets folder.
    shipped = asset_text("fonts.css").replace('url("fonts/', f'url("{(ASSETS / "fonts").as_uri()}/')
    # then any optional font (CJK) the text needs, after the shipped ones (presswork.fonts)
    return shipped + font_face_css(text, shipped)


def print_html(doc: StyleDocument) -> str:
    """The page for WeasyPrint: fixed dates, print CSS and shipped fonts, notes at their calls."""
    stamp = datetime.fromtimestamp(doc.source_date_epoch, tz=timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    head = (
        f'<meta name="dcterms.created" content="{stamp}">'
        f'<meta name="dcterms.modified" content="{stamp}">'
    )
    # fonts.css comes after base.css: it redefines its font variables; the metadata's `css:`
    # last, so it overrides ours here as in the HTML page (`@media print` aims at the PDF).
    css = _fonts_css(doc.page_html) + "\n" + user_css(doc)
    page = page_with_css(doc.page_html, "base.css", "print.css", head=head, css=css)
    page = relative_links_resolved(page, doc.settings.get("url", ""))
    # WeasyPrint lays out no MathML: each formula goes in as an SVG of paths.
    return formulas_as_svg(notes_at_calls(page))


_HREF = re.compile(r'(<a\b[^>]*?)\shref="([^"]*)"')


def relative_links_resolved(page: str, url: str) -> str:
    """Relative links against the article's `url`, or no link: WeasyPrint would resolve them
    against the project folder, and the PDF would carry a file: URI naming the build machine's
    path (a link no reader can follow)."""
    from urllib.parse import urljoin

    from presswork.sanitize import _scheme

    def resolved(match: re.Match[str]) -> str:
        target = html.unescape(match.group(2))
        if target.startswith("#") or _scheme(target):
            return match.group(0)
        if url and _scheme(url) in ("http", "https"):
            return f'{match.group(1)} href="{html.escape(urljoin(url, target))}"'
        return match.group(1)

    return _HREF.sub(resolved, page)


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """Set one environment variable for the duration of the block."""
    with _environment_lock:
        previous = os.environ.get(name)
        os.environ[name] = value
        try:
            yield
        finally:
            if previous is None:
                del os.environ[name]
            else:
                os.environ[name] = previous


# This process's font configurations: each copies the fonts into a temporary folder that only
# its __del__ removes, and a worker told to stop leaves by os._exit, which runs none.
_font_configs: weakref.WeakSet[Any] = weakref.WeakSet()


def _shipped_fonts_only() -> Any:
    """A font configuration that sees no installed font: only the @font-face ones exist."""
    from weasyprint.text.fonts import FontConfiguration

    with _environment("FONTCONFIG_FILE", str(ASSETS / "fonts" / "fonts.conf")):
        config = FontConfiguration()
    _font_configs.add(config)
    return config


def _exit_now(*_: Any) -> None:
    """Leave at once (mid-layout), taking WeasyPrint's temporary font folders along."""
    for config in list(_font_configs):
        folder = getattr(config, "_folder", None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    os._exit(1)


def _fixed_xmp_ids(identifier: bytes) -> None:
    """PDF/X-4 and X-5 write a random uuid4 into the XMP; make it a function of the content."""
    from weasyprint.pdf import metadata

    fixed = uuid.UUID(bytes=hashlib.sha256(identifier).digest()[:16], version=4)
    metadata.uuid4 = lambda: fixed  # type: ignore[attr-defined]


def _check_variant(variant: str | None) -> None:
    from weasyprint.pdf import VARIANTS

    if variant is not None and variant not in VARIANTS:
        known = ", ".join([NO_VARIANT, *sorted(VARIANTS)])
        raise InputError(f"setting 'pdf-variant': unknown PDF variant '{variant}' (known: {known})")


def exit_on(stop: Any) -> None:
    """In a PDF worker: exit the moment the build sets `stop` (Ctrl-C), even mid-layout.

    A thread waits for the event; WeasyPrint keeps the main thread busy for seconds, and a
    worker blocks SIGINT (it leaves interrupts to the build), so nothing else would stop it.
    """

    def watch() -> None:
        stop.wait()
        _exit_now()

    threading.Thread(target=watch, name="presswork-stop", daemon=True).start()
    # SIGTERM or SIGHUP sent to the whole process group (a cancelled CI job, a closed
    # terminal) would kill the worker by default, leaving its font folders in TMPDIR.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _exit_now)


def render_pdf(html: str, base_dir: str, allowed: list[str], options: dict[str, Any]) -> bytes:
    """HTML -> PDF bytes; a top-level function so that a process pool can run it."""
    try:
        import weasyprint
    except OSError:
        raise EnvironmentProblem(PANGO_HINT) from None
    from presswork.formats.fetcher import ConfinedFetcher

    _check_variant(options.get("pdf_variant"))
    notekeep.install()  # every note on the page of its call (orphans and widows of 2)
    pagehyphen.install()  # no word broken across pages; after notekeep, which reads the code
    runts.install()  # no paragraph ending in a line of one word
    hyphenation.install()  # no names broken; line-end hyphens read as soft hyphens
    hyphenation.text_has_u2010(html)
    fetcher = ConfinedFetcher([Path(p) for p in allowed])
    _fixed_xmp_ids(options["pdf_identifier"])
    font_config = _shipped_fonts_only()
    try:

        def lay_out(page: str) -> Any:
            return weasyprint.HTML(
                string=page, base_url=Path(base_dir).as_uri() + "/", url_fetcher=fetcher
            ).render(font_config=font_config, pdf_variant=options.get("pdf_variant"))

        # Notes marked * † ‡ start again on every page: laid out again with each page's marks.
        document = notesymbols.restarted_on_each_page(html, lay_out)
        add_xmp_language_and_subject(document.metadata)
        link_notes(document)
        clickable_links(document)
        return document.write_pdf(**options)
    except Exception as exc:  # WeasyPrint raises many types; the user needs one line
        raise BuildError(f"WeasyPrint failed: {type(exc).__name__}: {exc}") from None
    finally:
        _remove_font_folder(font_config)


def _remove_font_folder(font_config: Any) -> None:
    """Delete the copies of the @font-face files WeasyPrint made for this document.

    WeasyPrint removes its temporary folder (about 4.5 MB of fonts a PDF here) only when the
    configuration is garbage-collected, which a pool worker may never do before it exits: a
    day of builds left gigabytes in /tmp. The attribute is private, hence the care.
    """
    folder = getattr(font_config, "_folder", None)
    if isinstance(folder, Path) and folder.name.startswith("weasyprint-"):
        shutil.rmtree(folder, ignore_errors=True)
        font_config._folder = None


def _portable(html: str) -> str:
    """The print page without the install paths of presswork's assets and optional fonts."""
    for index, folder in enumerate([ASSETS, *font_dirs()]):
        for uri in {Path(folder).as_uri(), Path(folder).resolve().as_uri()}:
            html = html.replace(uri, f"presswork-fonts-{index}:")
    return html


def pdf_options(doc: StyleDocument, html: str) -> dict[str, Any]:
    """WeasyPrint's write options: tagged, the chosen variant, an /ID from the content."""
    variant = doc.settings.get("pdf_variant") or DEFAULT_VARIANT
    return {
        # The document /ID comes from the content, not from a clock or a random source, nor
        # from where presswork is installed (the fonts' file URLs are in the print page).
        "pdf_identifier": hashlib.sha256(_portable(html).encode()).hexdigest()[:32].encode(),
        "pdf_tags": True,
        "pdf_variant": None if variant == NO_VARIANT else variant,
    }


def render(doc: StyleDocument) -> bytes:
    html = print_html(doc)
    root = str(doc.root.resolve())
    args = (html, root, [root, str(ASSETS), *font_dirs()], pdf_options(doc, html))
    if doc.pool is None:
        return render_pdf(*args)
    return doc.pool.submit(render_pdf, *args).result()


register(Format("pdf", "pdf", "application/pdf", render, "PDF laid out by WeasyPrint"))
