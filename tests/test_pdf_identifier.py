"""The PDF's /ID comes from the content alone, not from where presswork is installed."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from presswork.assets import ASSETS
from presswork.formats.pdf import pdf_options


def _identifier(html: str) -> bytes:
    doc = SimpleNamespace(settings={})
    return pdf_options(doc, html)["pdf_identifier"]  # type: ignore[arg-type]


def test_the_identifier_ignores_the_install_path_of_the_fonts() -> None:
    page = '<style>@font-face {{ src: url("{}/fonts/NotoSerif-Regular.ttf") }}</style><p>Text</p>'
    here = page.format(ASSETS.as_uri())
    elsewhere = page.format(Path("/opt/other/site-packages/presswork/assets").as_uri())
    assert _identifier(here) == _identifier(page.format(ASSETS.resolve().as_uri()))
    assert _identifier(here) != _identifier(elsewhere)  # only presswork's own path is removed
    assert _identifier(here) != _identifier(here.replace("Text", "Other text"))
    assert _identifier(here.replace(ASSETS.as_uri(), "presswork-fonts-0:")) == _identifier(here)


def test_every_format_is_known_after_one_format_module_was_imported_alone() -> None:
    from presswork import formats

    assert {"epub", "html", "pdf", "jats", "docx", "csljson"} <= set(formats.names())
