"""The words presswork itself writes, in the document's language, taken from data.

Three sources, each for what it has:

- pandoc's own translation files (``translations/<lang>.yaml``, the ones its LaTeX writer
  uses): "Abstract", "Bibliography", "References", "Figure", "Table", "Contents";
- the CSL locale files shipped with citeproc-py: "Notes" (the plural of "note"), "Equation",
  "Section";
- Babel (CLDR): dates in words, and whether a language is written right to left.

A few phrases of presswork's own ("Keywords", "Cite this article", "Citation style",
"Download the reference", "Works Cited") are in no data set; they are in `_PHRASES` below.
Any label without a translation falls back to English. English is answered from constants,
without starting pandoc, so an English document is built exactly as before.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from typing import Any

ENGLISH = {
    "abstract": "Abstract",
    "bibliography": "Bibliography",
    "references": "References",
    "works-cited": "Works Cited",
    "figure": "Figure",
    "table": "Table",
    "equation": "Equation",
    "section": "Section",
    "notes": "Notes",
    "keywords": "Keywords",
    "cite-this-article": "Cite this article",
    "download-reference": "Download the reference",
    "citation-style": "Citation style",
    "contents": "Contents",
}

# term -> the key of pandoc's translation files
_PANDOC_KEYS = {
    "abstract": "Abstract",
    "bibliography": "Bibliography",
    "references": "References",
    "figure": "Figure",
    "table": "Table",
    "contents": "Contents",
}

# Phrases no data set carries (CLDR, CSL locales and pandoc have no "Keywords"), for the
# languages presswork promises and the right-to-left Hebrew and Arabic; others: English.
_PHRASES: dict[str, dict[str, str]] = {
    "keywords": {
        "de": "Schlüsselwörter",
        "fr": "Mots-clés",
        "es": "Palabras clave",
        "it": "Parole chiave",
        "pt": "Palavras-chave",
        "nl": "Trefwoorden",
        "ru": "Ключевые слова",
        "zh": "关键词",
        "ja": "キーワード",
        "he": "מילות מפתח",
        "ar": "الكلمات المفتاحية",
    },
    "cite-this-article": {
        "de": "Diesen Artikel zitieren",
        "fr": "Citer cet article",
        "es": "Cómo citar este artículo",
        "it": "Citare questo articolo",
        "pt": "Como citar este artigo",
        "nl": "Dit artikel citeren",
        "ru": "Как цитировать эту статью",
        "zh": "引用本文",
        "ja": "この論文の引用",
        "he": "ציטוט המאמר",
        "ar": "الاستشهاد بهذا المقال",
    },
    "download-reference": {
        "de": "Literaturangabe herunterladen",
        "fr": "Télécharger la référence",
        "es": "Descargar la referencia",
        "it": "Scarica il riferimento",
        "pt": "Baixar a referência",
        "nl": "Verwijzing downloaden",
        "ru": "Скачать ссылку",
        "zh": "下载引用",
        "ja": "文献情報のダウンロード",
        "he": "הורדת ההפניה",
        "ar": "تنزيل المرجع",
    },
    "citation-style": {
        "de": "Zitierstil",
        "fr": "Style de citation",
        "es": "Estilo de citas",
        "it": "Stile di citazione",
        "pt": "Estilo de citação",
        "nl": "Citeerstijl",
        "ru": "Стиль цитирования",
        "zh": "引文格式",
        "ja": "引用スタイル",
        "he": "סגנון ציטוט",
        "ar": "نمط الاستشهاد",
    },
    "works-cited": {
        "de": "Zitierte Werke",
        "fr": "Ouvrages cités",
        "es": "Obras citadas",
        "it": "Opere citate",
        "pt": "Obras citadas",
        "nl": "Geciteerde werken",
        "ru": "Цитируемые работы",
        "zh": "引用文献",
        "ja": "引用文献",
        "he": "עבודות מצוטטות",
        "ar": "الأعمال المستشهد بها",
    },
}

_CHINESE_TRADITIONAL = ("tw", "hk", "mo", "hant")
_CSL_NS = "{http://purl.org/net/xbiblio/csl}"


_SUBTAG = re.compile(r"[A-Za-z0-9]{1,8}")


def _parts(lang: str) -> list[str]:
    """ "pt_BR" / "pt-br" -> ["pt", "BR"]; "" -> ["en"].

    BCP 47 subtags are letters and digits, at most 8: anything else (a path, a glob pattern,
    a word of 5,000 letters) is no language, and would end up in file names and patterns.
    """
    parts = [p for p in re.split(r"[-_]", lang.strip()) if p]
    if not parts or not all(_SUBTAG.fullmatch(p) for p in parts):
        return ["en"]
    return [parts[0].lower(), *parts[1:]]


def is_english(lang: str) -> bool:
    return _parts(lang)[0] == "en"


def _is_traditional_chinese(parts: list[str]) -> bool:
    return parts[0] == "zh" and any(p.lower() in _CHINESE_TRADITIONAL for p in parts[1:])


@lru_cache(maxsize=64)
def _pandoc_translations(lang: str) -> dict[str, str]:
    """pandoc's translation file for the language ({} if pandoc has none)."""
    from presswork import pandoc

    parts = _parts(lang)
    names = []
    if parts[0] == "zh":
        names.append("zh-Hant" if _is_traditional_chinese(parts) else "zh-Hans")
    elif len(parts) > 1:
        names.append(f"{parts[0]}-{parts[1].upper()}")
    names.append(parts[0])
    for name in names:
        text = pandoc.default_data_file(f"translations/{name}.yaml")
        if text is None:
            continue
        found = {}
        for line in text.decode("utf-8").splitlines():
            key, sep, value = line.partition(":")
            if sep and value.strip():
                found[key.strip()] = value.strip().strip("\"'")
        return found
    return {}


def _csl_locale_file(lang: str) -> Path | None:
    import citeproc

    folder = Path(citeproc.__file__).parent / "data" / "locales"
    parts = _parts(lang)
    candidates = []
    if len(parts) > 1:
        candidates.append(f"{parts[0]}-{parts[-1].upper()}")
    if parts[0] == "zh":
        candidates.append("zh-TW" if _is_traditional_chinese(parts) else "zh-CN")
    candidates.append(parts[0])
    # then any dialect of the language, in a stable order
    dialects = folder.glob(f"locales-{parts[0]}-*.xml")
    candidates += sorted(path.stem[len("locales-") :] for path in dialects)
    for name in candidates:
        path = folder / f"locales-{name}.xml"
        if path.is_file():
            return path
    return None


def csl_locale(lang: str) -> str | None:
    """The citeproc-py locale closest to the language ("de" -> "de-DE"); None for English
    (citeproc-py's default) or a language it has no locale for."""
    if is_english(lang):
        return None
    path = _csl_locale_file(lang)
    return path.stem[len("locales-") :] if path is not None else None


# term -> (CSL locale term, plural?)
_CSL_KEYS = {
    "notes": ("note", True),
    "equation": ("equation", False),
    "section": ("section", False),
}


@lru_cache(maxsize=64)
def _csl_terms(lang: str, plural: bool) -> dict[str, str]:
    """The long form of each term of the CSL locale, plural or singular (or the only form)."""
    path = _csl_locale_file(lang)
    if path is None:
        return {}
    found: dict[str, str] = {}
    for element in ET.parse(path).getroot().iter(f"{_CSL_NS}term"):
        if element.get("form", "long") != "long" or element.get("name") in found:
            continue
        form = element.find(f"{_CSL_NS}{'multiple' if plural else 'single'}")
        text = form.text if form is not None else element.text
        if text and text.strip():
            found[str(element.get("name"))] = text.strip()
    return found


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=256)
def term(name: str, lang: str) -> str:
    """The label `name` (a key of ENGLISH) in the language `lang`; English when untranslated."""
    english = ENGLISH[name]
    if is_english(lang):
        return english
    if name in _PANDOC_KEYS:
        found = _pandoc_translations(lang).get(_PANDOC_KEYS[name])
        if found:
            return found
    if name in _CSL_KEYS:
        key, plural = _CSL_KEYS[name]
        found = _csl_terms(lang, plural).get(key)
        # citeproc-py's older locales leave some terms in English ("equation" in de-DE)
        if found and found != _csl_terms("en-US", plural).get(key):
            return _capitalized(found)
    return _PHRASES.get(name, {}).get(_parts(lang)[0], english)


def _babel_locale(lang: str) -> object | None:
    from babel import Locale, UnknownLocaleError

    parts = _parts(lang)
    for candidate in ("_".join(parts), "_".join(parts[:2]), parts[0]):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return None


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def format_date(iso: str, lang: str) -> str:
    """An ISO date (2026, 2026-12, 2026-12-03) in words in the language, by CLDR's long format:
    "December 3, 2026", "3. Dezember 2026", "2026年12月3日". Anything else comes back unchanged."""
    match = _ISO_DATE.match(iso.strip())
    locale = _babel_locale(lang) if match else None
    if not match or locale is None:
        return iso
    from babel.dates import format_date as babel_date
    from babel.dates import format_skeleton

    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if month is None or not 1 <= month <= 12:
        return format_skeleton("y", datetime.date(year, 1, 1), locale=locale)
    if day is not None:
        try:
            return babel_date(datetime.date(year, month, day), "long", locale=locale)
        except ValueError:  # 2026-02-30: the month is still worth saying
            pass
    return format_skeleton("yMMMM", datetime.date(year, month, 1), locale=locale)


@lru_cache(maxsize=64)
def is_rtl(lang: str) -> bool:
    """Whether CLDR writes the language right to left (ar, he, fa, ur, ...)."""
    if not lang.strip() or is_english(lang):
        return False
    locale = _babel_locale(lang)
    return locale is not None and getattr(locale, "character_order", "") == "right-to-left"


def direction(lang: str) -> str:
    return "rtl" if is_rtl(lang) else "ltr"


def mark_directions(ast: dict[str, Any], lang: str) -> dict[str, Any]:
    """`dir` on each Span and Div whose `lang` is written the other way than the document's
    (changed in place and returned): `[שלום]{lang=he}` in an English paper lays out right to
    left in every format, and an English quotation in an Arabic paper left to right."""
    from presswork.ast import walk

    document = direction(lang)
    for element in walk(ast):
        if element.get("t") not in ("Span", "Div"):
            continue
        content = element.get("c")
        if not (isinstance(content, list) and content and isinstance(content[0], list)):
            continue
        pairs = content[0][2] if len(content[0]) == 3 else None
        if not isinstance(pairs, list):
            continue
        keys = {pair[0]: pair[1] for pair in pairs if isinstance(pair, list) and len(pair) == 2}
        span_lang = keys.get("lang")
        if isinstance(span_lang, str) and "dir" not in keys and direction(span_lang) != document:
            pairs.append(["dir", direction(span_lang)])
    return ast
