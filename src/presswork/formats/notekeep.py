"""Keep every footnote on the page of its call, with orphans and widows of 2.

WeasyPrint (layout/block.py, `_linebox_layout`) meets `orphans` at a page's foot by moving the
page's last footnotes to the next page until the paragraph's first lines fit: APA's note 16
was printed a page after its call. A journal does the opposite: the paragraph goes to the next
page whole, the note stays with its call. WeasyPrint skips that move inside columns
(`report = not context.in_column and ...`); this makes that one test see a column, so the
paragraph is pushed (`_break_line`), as CSS orphans and widows ask. Every other reader of
`in_column` gets the true value. A WeasyPrint whose code reads differently is left alone;
the tests that compare note and call pages then fail.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

_EXPECTED = "report = not context.in_column and can_break_now and not could_break_before"
_installed: bool | None = None


def install() -> bool:
    """Patch WeasyPrint once per process; True if it is patched."""
    global _installed
    if _installed is not None:
        return _installed
    from weasyprint.layout import LayoutContext, block

    code = block._linebox_layout.__code__
    try:
        source = inspect.getsource(block._linebox_layout)
    except (OSError, TypeError):
        source = ""
    if _EXPECTED not in source or isinstance(getattr(LayoutContext, "in_column", None), property):
        _installed = False
        return False

    def get(self: Any) -> bool:
        # Only _linebox_layout reads it to decide on moving notes; it then sees True.
        return self.__dict__.get("_presswork_in_column", False) or (sys._getframe(1).f_code is code)

    def put(self: Any, value: bool) -> None:
        self.__dict__["_presswork_in_column"] = value

    LayoutContext.in_column = property(get, put)  # type: ignore[assignment]
    _installed = True
    return True
