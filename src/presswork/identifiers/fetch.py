"""`presswork refs fetch`: resolve the identifiers cited into the frozen file.

Only this module touches the network. Requests run a few at a time; a rate limit (429, with
its Retry-After), a server error (5xx), a timeout or a dropped connection is retried with
exponential backoff; a 404 or an unusable answer is reported at once.
"""

from __future__ import annotations

import email.utils
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from presswork import __version__
from presswork.identifiers import frozen, services
from presswork.identifiers.syntax import Identifier

MAX_BYTES = 5 * 1024 * 1024  # a metadata record is kilobytes; a page's head is enough
MAX_WAIT = 120.0  # seconds: a Retry-After longer than this is a failure, not a wait
_USER_AGENT = f"presswork/{__version__} (refs fetch; citation metadata)"


class Failed(Exception):
    """No record for this identifier, with the reason in one line."""


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


@dataclass
class Options:
    jobs: int = 4
    retries: int = 3
    timeout: float = 20.0
    backoff: float = 1.0  # seconds before the first retry; doubled for each next one
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Result:
    fetched: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # key -> reason


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _get(req: services.Request, timeout: float) -> bytes:
    request = urllib.request.Request(
        req.url, headers={"Accept": req.accept, "User-Agent": _USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return bytes(answer.read(MAX_BYTES))
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 429:
            raise _Retry(
                f"rate-limited by {req.service} (HTTP 429)",
                _retry_after(exc.headers.get("Retry-After")),
            ) from None
        if exc.code >= 500:
            raise _Retry(f"{req.service} failed (HTTP {exc.code})") from None
        if exc.code in (404, 410):
            raise Failed(f"not found at {req.service} (HTTP {exc.code})") from None
        raise Failed(f"{req.service} refused the request (HTTP {exc.code})") from None
    except TimeoutError:
        raise _Retry(f"no answer from {req.service} within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _Retry(f"no answer from {req.service} within {timeout:g} s") from None
        raise _Retry(f"cannot reach {req.service}: {reason}") from None
    except (ConnectionError, OSError) as exc:
        raise _Retry(f"cannot reach {req.service}: {exc}") from None


def fetch_one(ident: Identifier, options: Options) -> dict[str, Any]:
    """The cleaned CSL item for one identifier; raises Failed with the reason."""
    req = services.request(ident)
    delay = options.backoff
    for attempt in range(options.retries + 1):
        try:
            body = _get(req, options.timeout)
            try:
                item = services.PARSERS[ident.prefix](body, ident)
            except services.Unusable as exc:
                raise Failed(f"{exc} ({req.service})") from None
            return frozen.clean(item, ident.key)
        except _Retry as exc:
            wait = exc.wait if exc.wait is not None else delay
            if attempt == options.retries:
                tries = options.retries + 1
                raise Failed(f"{exc.reason}; gave up after {tries} tries") from None
            if wait > MAX_WAIT:
                raise Failed(f"{exc.reason}: asked to wait {wait:.0f} s; try later") from None
            options.sleep(wait)
            delay *= 2
    raise AssertionError("unreachable")


def fetch_all(
    idents: list[Identifier],
    options: Options,
    done: Callable[[Identifier, str | None], None] = lambda ident, error: None,
) -> Result:
    """Fetch every identifier, `options.jobs` at a time; `done` is called after each."""
    result = Result()
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        futures = {pool.submit(fetch_one, ident, options): ident for ident in idents}
        for future in as_completed(futures):
            ident = futures[future]
            try:
                result.fetched[ident.key] = future.result()
            except Failed as exc:
                result.failed[ident.key] = str(exc)
                done(ident, str(exc))
                continue
            done(ident, None)
    return result
