"""The opt-in online DOI check (`--online`): does each DOI resolve, to the work cited?

Crossref's REST API gives each work's title, year and volume; doi.org's handle API says
whether a DOI Crossref does not know exists at all (DataCite, mEDRA...). Answers are cached
in build/.cache/doi.json, so a second run asks nothing. PRESSWORK_DOI_API replaces both
services with one base URL serving /works/DOI and /handles/DOI (tests use 127.0.0.1).
This is the one rule that does I/O, and it runs only when asked for.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from presswork import __version__, buildtrust, confine
from presswork.lint.context import Context, strip_tex
from presswork.lint.doisyntax import check
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, register
from presswork.references import Reference

API_ENV = "PRESSWORK_DOI_API"  # one base for both services, e.g. http://127.0.0.1:8000
WORKS_API = "https://api.crossref.org/works"  # titles, years, volumes of Crossref DOIs
HANDLES_API = "https://doi.org/api/handles"  # whether any DOI exists (DataCite's too)
TIMEOUT = 10.0
_MISSING = {"missing": True}
_ELSEWHERE = {"elsewhere": True}  # registered, but not with Crossref: nothing to compare


class Resolver:
    """DOI -> {title, years, volume} from the services, through a JSON cache on disk."""

    def __init__(
        self,
        cache_file: Path,
        base: str | None = None,
        timeout: float = TIMEOUT,
        root: Path | None = None,
    ):
        self.cache_file = cache_file
        # The folder below which no part of the cache's path may be a link (the project).
        self.root = root if root is not None else cache_file.parent.parent.parent
        base = (base or os.environ.get(API_ENV) or "").rstrip("/")
        self.works = f"{base}/works" if base else WORKS_API
        self.handles = f"{base}/handles" if base else HANDLES_API
        self.timeout = timeout
        self.changed = False
        self.cache: dict[str, Any] = _trusted_cache(cache_file)

    def lookup(self, doi: str) -> dict[str, Any] | None:
        """The work's record ({} when only doi.org knows it), or None when the DOI does not
        exist; OSError when the services cannot be reached."""
        key = doi.lower()
        if key not in self.cache:
            self.cache[key] = self._fetch(doi)
            self.changed = True
        found = self.cache[key]
        if found == _MISSING:
            return None
        return {} if found == _ELSEWHERE else found

    def _get(self, url: str) -> dict[str, Any] | None:
        """The JSON answer, or None for 404; OSError for anything else that goes wrong."""
        import urllib.error  # here, not at the top: offline runs never pay for it
        import urllib.request

        request = urllib.request.Request(
            url, headers={"User-Agent": f"presswork/{__version__} (lint --online)"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise OSError(f"HTTP {exc.code} from {url}") from None
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise OSError(str(getattr(exc, "reason", exc))) from None
        return answer if isinstance(answer, dict) else {}

    def _fetch(self, doi: str) -> dict[str, Any]:
        from urllib.parse import quote

        quoted = quote(doi, safe="")
        work = self._get(f"{self.works}/{quoted}")
        if work is not None:
            return _summary(work.get("message") or {})
        handle = self._get(f"{self.handles}/{quoted}")
        return dict(_ELSEWHERE) if handle and handle.get("responseCode") == 1 else dict(_MISSING)

    def save(self) -> None:
        """Write the cache and its stamp; where build/ is unusable (a link, a file), skip it:
        the answers are only a saving, and lint must not write through a planted link."""
        if not self.changed:
            return
        from presswork.errors import InputError

        folder = self.cache_file.parent
        try:
            confine.safe_dir(folder, self.root, folder.as_posix())
            data = json.dumps(self.cache, indent=1, sort_keys=True).encode("utf-8")
            confine.write_atomic(self.cache_file, data)
        except InputError:
            return
        stamps = buildtrust.read_stamps(folder)
        buildtrust.record(folder, stamps, self.cache_file.name)
        with contextlib.suppress(InputError):
            buildtrust.write_stamps(folder, stamps)


MAX_CACHE_BYTES = 16 * 1024 * 1024


def _trusted_cache(cache_file: Path) -> dict[str, Any]:
    """The cached answers, if the file is the one presswork wrote (its stamp matches).

    build/ is untrusted: a planted cache would put its text in the findings ("the DOI's
    title is ...") or hide a mismatch. A planted, linked or corrupt cache counts as empty.
    """
    folder = cache_file.parent
    if not buildtrust.matches(folder, buildtrust.read_stamps(folder), cache_file.name):
        return {}
    try:
        data = json.loads(confine.read_bytes(cache_file, folder, MAX_CACHE_BYTES))
    except (OSError, ValueError, RecursionError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def _summary(message: dict[str, Any]) -> dict[str, Any]:
    years = set()
    for name in ("issued", "published-print", "published-online", "published"):
        parts = (message.get(name) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and isinstance(parts[0][0], int):
            years.add(parts[0][0])
    titles = [*message.get("title", []), *message.get("subtitle", [])]
    return {
        "title": titles[0] if titles else "",
        "subtitle": titles[1] if len(titles) > 1 else "",
        "years": sorted(years),
        "volume": str(message.get("volume") or ""),
    }


def _words(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", strip_tex(text))
    return " ".join(re.findall(r"\w+", text.casefold()))


def _title_matches(ours: str, theirs: dict[str, Any]) -> bool:
    mine = _words(ours)
    options = [_words(theirs["title"]), _words(f"{theirs['title']} {theirs['subtitle']}")]
    if not mine or not options[0]:
        return True
    return any(
        difflib.SequenceMatcher(None, mine, o).ratio() >= 0.8
        or o.startswith(mine)
        or mine.startswith(o)
        for o in options
    )


def _year(ref: Reference) -> int | None:
    value = ref.get("year") or ref.get("date") or ref.get("issued")
    if isinstance(value, dict):
        parts = value.get("date-parts") or [[None]]
        value = parts[0][0] if parts and parts[0] else None
    match = re.match(r"\s*(\d{4})", str(value)) if value is not None else None
    return int(match.group(1)) if match else None


@register
class OnlineMismatch(Rule):
    """A DOI resolves to nothing, or to a work with another title, year or volume (--online).

    Bad:
        ==> references/refs.bib <==
        @article{smith2001, title = {Some Other Title}, year = {1999},
          doi = {10.1080/14682740902764528}}

    Good:
        ==> references/refs.bib <==
        @article{sayle2009, title = {Andropov's Hungarian Complex}, year = {2009},
          doi = {10.1080/14682740902764528}}
    """

    id = "doi/online-mismatch"
    severity = Severity.WARNING
    online = True

    def check(self, ctx: Context) -> Iterator[Finding]:
        from presswork.lint.dois import doi_fields

        proj = ctx.project
        resolver = Resolver(proj.build_dir / ".cache" / "doi.json", root=proj.root)
        try:
            for item in doi_fields(ctx):
                if check(item.doi) is not None:
                    continue
                line, column = ctx.reference_files.value_position(item.ref, item.name)
                try:
                    found = resolver.lookup(item.doi)
                except OSError as exc:
                    yield self.finding(
                        item.ref.file,
                        line,
                        column,
                        f"cannot check DOIs online ({exc}); skipped",
                        severity=Severity.INFO,
                    )
                    return
                differences = self._differences(ctx, item.ref, found)
                if differences:
                    yield self.finding(
                        item.ref.file,
                        line,
                        column,
                        f"{item.ref.id}: {'; '.join(differences)}",
                        "check the DOI and the reference's fields",
                    )
        finally:
            resolver.save()

    @staticmethod
    def _differences(ctx: Context, ref: Reference, found: dict[str, Any] | None) -> list[str]:
        if found is None:
            return ["the DOI does not resolve (doi.org has no such DOI)"]
        if not found:
            return []  # a DataCite DOI, say: it exists, but Crossref has no record to compare
        out = []
        title = ctx.ref_title(ref)
        if title and not _title_matches(title, found):
            out.append(f"the DOI's title is '{found['title']}'")
        year = _year(ref)
        if year is not None and found["years"] and year not in found["years"]:
            out.append(f"the DOI's year is {found['years'][0]}, not {year}")
        volume = str(ref.get("volume") or "").strip()
        if volume and found["volume"] and volume != found["volume"]:
            out.append(f"the DOI's volume is {found['volume']}, not {volume}")
        return out
