"""The frozen file, `references/identifiers.json`: CSL-JSON, one item per identifier.

Written sorted by id, with sorted keys, an indent of 2 and a final newline, and holding only
CSL variables (no `accessed`, no service bookkeeping), so that a re-fetch changes nothing
when the work did not change and a review sees small diffs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from presswork import confine
from presswork.errors import InputError

# The CSL 1.0.2 variables pandoc's citeproc reads; everything else a service sends is dropped,
# and so are `source` and `status` (NCBI fills them with its database and `ppublish`).
_STRINGS = set(
    [
        "abstract",
        "archive",
        "archive_location",
        "authority",
        "call-number",
        "chapter-number",
        "collection-number",
        "collection-title",
        "container-title",
        "container-title-short",
        "DOI",
        "edition",
        "event",
        "event-place",
        "genre",
        "ISBN",
        "ISSN",
        "issue",
        "jurisdiction",
        "language",
        "medium",
        "note",
        "number",
        "number-of-pages",
        "number-of-volumes",
        "original-publisher",
        "original-publisher-place",
        "original-title",
        "page",
        "page-first",
        "PMCID",
        "PMID",
        "publisher",
        "publisher-place",
        "section",
        "title",
        "title-short",
        "URL",
        "version",
        "volume",
        "year-suffix",
    ]
)
_NAMES = set(
    [
        "author",
        "editor",
        "translator",
        "container-author",
        "collection-editor",
        "composer",
        "director",
        "illustrator",
        "interviewer",
        "recipient",
        "reviewed-author",
    ]
)
_DATES = {"issued", "original-date", "event-date", "submitted"}
_NAME_PARTS = {"family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle"}


def _name(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    kept = {k: str(v).strip() for k, v in value.items() if k in _NAME_PARTS and str(v).strip()}
    return kept or None


def _date(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        numbers = [int(p) for p in parts[0][:3] if isinstance(p, (int, str)) and str(p).isdigit()]
        if numbers:
            return {"date-parts": [numbers]}
    if isinstance(value.get("literal"), str):
        return {"literal": value["literal"]}
    if isinstance(value.get("raw"), str):
        return {"raw": value["raw"]}
    return None


def clean(item: dict[str, Any], key: str) -> dict[str, Any]:
    """A service's CSL item reduced to the CSL variables, with the normalised key as its id."""
    out: dict[str, Any] = {"id": key, "type": str(item.get("type") or "article")}
    for field, value in item.items():
        if field in _STRINGS and isinstance(value, (str, int, float)) and str(value).strip():
            out[field] = " ".join(str(value).split())
        elif field in _STRINGS and isinstance(value, list) and value and field in ("ISBN", "ISSN"):
            out[field] = str(value[0])
        elif field in _NAMES and isinstance(value, list):
            names = [n for n in (_name(v) for v in value) if n is not None]
            if names:
                out[field] = names
        elif field in _DATES:
            date = _date(value)
            if date is not None:
                out[field] = date
    return out


MAX_FROZEN_BYTES = 32 * 1024 * 1024


def read(path: Path, root: Path | None = None, display: str | None = None) -> dict[str, Any]:
    """The frozen entries by id ({} when there is no file yet).

    With root, the file must be a regular file inside it (no link out of the project, no
    FIFO): `refs fetch` rewrites what it read, so an outside file's entries would otherwise
    be copied into the project and published. A file that is not CSL-JSON is an InputError.
    """
    shown = display or str(path)
    if not os.path.lexists(path):
        return {}
    try:
        raw = confine.read_bytes(path, root or path.parent, MAX_FROZEN_BYTES)
        data = json.loads(raw.decode("utf-8"))
    except confine.Refused as exc:
        raise InputError(f"refused: {exc.strerror}", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", shown) from None
    except (ValueError, RecursionError):
        raise InputError("not valid JSON (CSL-JSON, a list of items)", shown) from None
    if not isinstance(data, list):
        raise InputError("not CSL-JSON: a list of items was expected", shown)
    return {str(item["id"]): item for item in data if isinstance(item, dict) and "id" in item}


def dumps(entries: dict[str, dict[str, Any]]) -> str:
    items = [entries[key] for key in sorted(entries)]
    return json.dumps(items, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Write atomically: a fetch killed half-way leaves the old file whole.

    Never through a link: one at the file's place is refused, a planted temporary unlinked.
    """
    confine.write_atomic(path, dumps(entries).encode("utf-8"), refuse_link=True)
