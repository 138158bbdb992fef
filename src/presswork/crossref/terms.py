"""The words of cross-references: caption titles and reference prefixes, by language.

Defaults follow pandoc-crossref's (English: "Figure 1: ...", "fig. 1", "figs. 1, 2"); other
languages use the abbreviations their scholarly writing uses (the CSL locales' `figure` and
`table` terms are no source: de-DE's "table" is untranslated). The one table here is meant to
be swapped for presswork's shared translated terms; metadata overrides it either way, with
pandoc-crossref's own keys (`figPrefix`, `figureTitle`, `titleDelim`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KINDS = ("fig", "tbl", "eq", "sec", "lst")

# language -> (figure title, table title, title delimiter,
#              {kind: (singular prefix, plural prefix)})
_TERMS: dict[str, tuple[str, str, str, dict[str, tuple[str, str]]]] = {
    "en": (
        "Figure",
        "Table",
        ":",
        {
            "fig": ("fig.", "figs."),
            "tbl": ("tbl.", "tbls."),
            "eq": ("eq.", "eqns."),
            "sec": ("sec.", "secs."),
        },
    ),
    "de": (
        "Abbildung",
        "Tabelle",
        ":",
        {
            "fig": ("Abb.", "Abb."),
            "tbl": ("Tab.", "Tab."),
            "eq": ("Gl.", "Gl."),
            "sec": ("Abschn.", "Abschn."),
        },
    ),
    "fr": (
        "Figure",
        "Tableau",
        "\u00a0:",  # French sets a space before the colon
        {
            "fig": ("fig.", "fig."),
            "tbl": ("tab.", "tab."),
            "eq": ("éq.", "éq."),
            "sec": ("sect.", "sect."),
        },
    ),
    "es": (
        "Figura",
        "Tabla",
        ":",
        {
            "fig": ("fig.", "figs."),
            "tbl": ("tabla", "tablas"),
            "eq": ("ec.", "ecs."),
            "sec": ("secc.", "secc."),
        },
    ),
    "it": (
        "Figura",
        "Tabella",
        ":",
        {
            "fig": ("fig.", "figg."),
            "tbl": ("tab.", "tabb."),
            "eq": ("eq.", "eqq."),
            "sec": ("sez.", "sez."),
        },
    ),
    "pt": (
        "Figura",
        "Tabela",
        ":",
        {
            "fig": ("fig.", "figs."),
            "tbl": ("tab.", "tabs."),
            "eq": ("eq.", "eqs."),
            "sec": ("seç.", "seçs."),
        },
    ),
    "nl": (
        "Figuur",
        "Tabel",
        ":",
        {
            "fig": ("fig.", "fig."),
            "tbl": ("tab.", "tab."),
            "eq": ("vgl.", "vgl."),
            "sec": ("par.", "par."),
        },
    ),
    "ru": (
        "Рисунок",
        "Таблица",
        ":",
        {
            "fig": ("рис.", "рис."),
            "tbl": ("табл.", "табл."),
            "eq": ("ур.", "ур."),
            "sec": ("разд.", "разд."),
        },
    ),
    "zh": (
        "图",
        "表",
        "：",
        {"fig": ("图", "图"), "tbl": ("表", "表"), "eq": ("式", "式"), "sec": ("节", "节")},
    ),
    "zh-Hant": (  # Traditional script: Taiwan, Hong Kong, Macau
        "圖",
        "表",
        "：",
        {"fig": ("圖", "圖"), "tbl": ("表", "表"), "eq": ("式", "式"), "sec": ("節", "節")},
    ),
    "ja": (
        "図",
        "表",
        "：",
        {"fig": ("図", "図"), "tbl": ("表", "表"), "eq": ("式", "式"), "sec": ("節", "節")},
    ),
}

# Code listings ("Listing 1: ...", "lst. 1"), by language as above.
_LISTINGS: dict[str, tuple[str, tuple[str, str]]] = {
    "en": ("Listing", ("lst.", "lsts.")),
    "de": ("Listing", ("List.", "List.")),
    "fr": ("Listing", ("list.", "list.")),
    "es": ("Listado", ("list.", "lists.")),
    "it": ("Listato", ("lst.", "lstt.")),
    "pt": ("Listagem", ("list.", "lists.")),
    "nl": ("Listing", ("lst.", "lst.")),
    "ru": ("Листинг", ("лист.", "лист.")),
    "zh": ("代码", ("代码", "代码")),
    "zh-Hant": ("程式碼", ("程式碼", "程式碼")),
    "ja": ("リスト", ("リスト", "リスト")),
}

_PREFIX_KEYS = {
    "fig": "figPrefix",
    "tbl": "tblPrefix",
    "eq": "eqnPrefix",
    "sec": "secPrefix",
    "lst": "lstPrefix",
}


@dataclass(frozen=True)
class Terms:
    figure_title: str
    table_title: str
    title_delim: str
    prefixes: dict[str, tuple[str, str]]  # kind -> (singular, plural)
    range_delim: str = "-"
    listing_title: str = "Listing"

    def prefix(self, kind: str, plural: bool, capitalize: bool) -> str:
        word = self.prefixes[kind][1 if plural else 0]
        return word[:1].upper() + word[1:] if capitalize else word


def default_terms(lang: str) -> Terms:
    """The built-in words for a BCP 47 tag ("de-AT" -> German); English where none."""
    parts = lang.replace("_", "-").lower().split("-")
    base = parts[0]
    if base == "zh" and {"hant", "tw", "hk", "mo"} & set(parts[1:]):
        base = "zh-Hant"
    figure, table, delim, prefixes = _TERMS.get(base, _TERMS["en"])
    listing, listing_prefixes = _LISTINGS.get(base, _LISTINGS["en"])
    return Terms(figure, table, delim, {**prefixes, "lst": listing_prefixes}, "-", listing)


def _text(value: Any) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    return None


def terms_for(lang: str, metadata: dict[str, Any]) -> Terms:
    """The document's terms: the language's defaults, overridden by pandoc-crossref's keys."""
    base = default_terms(lang)
    prefixes = dict(base.prefixes)
    for kind, key in _PREFIX_KEYS.items():
        value = metadata.get(key)
        if isinstance(value, list) and value and all(_text(v) is not None for v in value):
            words = [str(v) for v in value]
            prefixes[kind] = (words[0], words[1] if len(words) > 1 else words[0])
        elif _text(value) is not None:
            prefixes[kind] = (str(value), str(value))
    figure = _text(metadata.get("figureTitle"))
    table = _text(metadata.get("tableTitle"))
    delim = _text(metadata.get("titleDelim"))
    range_delim = _text(metadata.get("rangeDelim"))
    listing = _text(metadata.get("listingTitle"))
    return Terms(
        figure if figure is not None else base.figure_title,
        table if table is not None else base.table_title,
        delim if delim is not None else base.title_delim,
        prefixes,
        range_delim if range_delim is not None else base.range_delim,
        listing if listing is not None else base.listing_title,
    )
