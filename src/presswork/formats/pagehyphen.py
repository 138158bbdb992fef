"""No word hyphenated across a page break, at no cost of a second layout.

When WeasyPrint breaks a page inside a paragraph (block.py, `_linebox_layout`) and the page's
last line ends in an automatic hyphen ("cooper-" at the foot, "ate" overleaf) or in a
compound's own ("non-" / "proliferation"), that one line is laid out again from its own start
with hyphenation off (and the compound unbreakable): it then ends before the word, which
opens the next page whole. Only that line changes (it is justified a little looser, as a
compositor would set it); the lines before it and the page's notes stay as they are, so the
break costs one line's layout, not the document's.

The line is replaced only when nothing else depends on it: the same notes called in it, no
positioned boxes, a height no greater. Otherwise the page keeps its hyphen.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from presswork.formats.runts import notes_called

_state = threading.local()
_installed = False


def hyphenation_paused() -> bool:
    """True while a page's last line is being set again without hyphens (hyphenation.py)."""
    return getattr(_state, "paused", False)


def _hyphen_at_end(line: Any) -> tuple[bool, Any] | None:
    """(broken by hyphenation, the text box) if the line ends in a hyphen; else None.

    The hyphen is the one hyphenation adds, or a compound's own ("non-" / "proliferation"):
    printpage puts each word holding a hyphen in a span of class "compound".
    """
    from weasyprint.formatting_structure import boxes

    last = None
    for box in line.descendants():
        if isinstance(box, boxes.TextBox) and box.text:
            last = box
    if last is None:
        return None
    character = last.style["hyphenate_character"]
    if character and last.text.endswith(character):
        return True, last
    element = last.element
    classes = (element.get("class") or "").split() if element is not None else []
    if last.text.endswith("-") and "compound" in classes:
        return False, last
    return None


def _unhyphenated(
    context: Any,
    box: Any,
    child: Any,
    old: Any,
    bottom_space: float,
    skip_stack: Any,
    styles: tuple[Any, Any],
    compound: Any,
) -> tuple[Any, Any] | None:
    """The line `old` set again from `skip_stack` without automatic hyphens (and without
    breaking the `compound` text box, if one), or None."""
    from weasyprint.layout.inline import iter_line_boxes

    absolute: list[Any] = []
    fixed: list[Any] = []
    # A compound is kept on one line for this line's layout only: its style is its own span's.
    whole = compound.style if compound is not None else None
    white_space = whole["white_space"] if whole is not None else None
    _state.paused = True
    try:
        if whole is not None:
            whole["white_space"] = "nowrap"
        lines = iter_line_boxes(
            context, child, old.position_y, bottom_space, skip_stack, box, absolute, fixed, *styles
        )
        line, resume_at = next(lines, (None, None))
    finally:
        _state.paused = False
        if whole is not None:
            whole["white_space"] = white_space
    if (
        line is None
        or resume_at is None  # the rest of the paragraph fits: leave WeasyPrint's choice
        or absolute
        or fixed
        or line.height > old.height
        or notes_called([line]) != notes_called([old])
    ):
        return None
    return line, resume_at


def install() -> None:
    """Wrap WeasyPrint's paragraph layout, once per process (after notekeep.install)."""
    global _installed
    if _installed:
        return
    from weasyprint.layout import block

    original = block._linebox_layout

    @functools.wraps(original)
    def layout(
        context: Any,
        box: Any,
        index: int,
        child: Any,
        new_children: list[Any],
        *args: Any,
    ) -> Any:
        result = original(context, box, index, child, new_children, *args)
        abort, stop = result[:2]
        if abort or not stop or not new_children or new_children[-1].resume_at is None:
            return result
        old = new_children[-1]
        end = _hyphen_at_end(old)
        if end is None:
            return result
        compound = None if end[0] else end[1]
        first = len(new_children) == 1
        skip_stack = args[6] if first else new_children[-2].resume_at
        styles = (args[7], args[8]) if first else (None, None)
        again = _unhyphenated(context, box, child, old, args[4], skip_stack, styles, compound)
        if again is None:
            return result
        line, line_resume = again
        line.resume_at = line_resume
        new_children[-1] = line
        return (abort, stop, {index: line_resume}, *result[3:])

    block._linebox_layout = layout
    _installed = True
