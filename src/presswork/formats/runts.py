"""No runt: a justified paragraph does not end in a line of one word, where it can help it.

WeasyPrint breaks lines first-fit and knows no `text-wrap: pretty`. When a paragraph's last
line holds a single word ("crisis?"), its line before is set again narrower (1.5 em, 3, 4.5,
then 6 em: it hands down its last word, or breaks it), justified to the full measure, and the
rest set after it. The change is kept only when two words or more then end the paragraph, no
space of the line before grows by more than MAX_STRETCH_EM, and the paragraph is otherwise as
it was: the same notes called, the same height. Nothing is laid out again but those two lines.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_state = threading.local()
_installed = False
STEPS_EM = (1.5, 3.0, 4.5, 6.0)
MAX_STRETCH_EM = 0.45  # what a space may grow by in the line set again (a space is 0.26 em)


def _text(line: Any) -> str:
    from weasyprint.formatting_structure import boxes

    return "".join(b.text for b in line.descendants() if isinstance(b, boxes.TextBox))


def _is_runt(line: Any) -> bool:
    words = _text(line).split()
    return len(words) == 1


def notes_called(lines: list[Any]) -> set[int]:
    """The notes called in these lines: a line set again must call the same ones."""
    return {
        id(box.footnote)
        for line in lines
        for box in line.descendants()
        if getattr(box, "footnote", None)
    }


def _narrowed(
    context: Any,
    box: Any,
    child: Any,
    old: list[Any],
    args: tuple[Any, ...],
    start: Any,
    styles: tuple[Any, Any],
    narrow: float,
) -> list[Any] | None:
    """The last two lines `old` set again, the first `narrow` shorter, or None."""
    from weasyprint.layout.inline import iter_line_boxes

    absolute: list[Any] = []
    fixed: list[Any] = []
    lines = iter_line_boxes(
        context, child, old[0].position_y, args[4], start, box, absolute, fixed, *styles
    )
    found = []
    _state.narrow, _state.stretch = narrow, 0.0  # the first line only: one line a step
    try:
        for line, resume_at in lines:
            _state.narrow = 0
            line.resume_at = resume_at
            found.append(line)
            if len(found) > 2:
                break
    finally:
        _state.narrow = 0
    if (
        len(found) != 2
        or found[1].resume_at is not None
        or found[0].resume_at == old[0].resume_at  # nothing handed down
        or _state.stretch > MAX_STRETCH_EM * box.style["font_size"]  # too loose
        or absolute
        or fixed
        or _is_runt(found[1])
        or found[1].position_y + found[1].height > old[1].position_y + old[1].height + 0.01
        or notes_called(found) != notes_called(old)
    ):
        return None
    return found


def install() -> None:
    """Wrap WeasyPrint's paragraph layout and its line width, once per process."""
    global _installed
    if _installed:
        return
    from weasyprint.layout import block, inline

    collisions, align = inline.avoid_collisions, inline.text_align

    def avoid_collisions(*args: Any, **kwargs: Any) -> Any:
        x, y, width = collisions(*args, **kwargs)
        return x, y, width - getattr(_state, "narrow", 0)  # where the line may break ...

    def text_align(context: Any, line: Any, available_width: float, last: bool) -> Any:
        # ... but justified to the full measure; how much each space then grows is kept
        narrow = getattr(_state, "narrow", 0)
        if narrow:
            spaces = max(_text(line).strip().count(" "), 1)
            _state.stretch = (available_width + narrow - line.width) / spaces
        return align(context, line, available_width + narrow, last)

    inline.avoid_collisions, inline.text_align = avoid_collisions, text_align
    original = block._linebox_layout

    @functools.wraps(original)
    def layout(
        context: Any, box: Any, index: int, child: Any, new_children: list[Any], *args: Any
    ) -> Any:
        result = original(context, box, index, child, new_children, *args)
        abort, stop = result[:2]
        if (
            abort
            or stop
            or len(new_children) < 2
            or new_children[-1].resume_at is not None
            or box.style["text_align_all"] != "justify"
            or not _is_runt(new_children[-1])
        ):
            return result
        first = len(new_children) == 2
        start = args[6] if first else new_children[-3].resume_at
        styles = (args[7], args[8]) if first else (None, None)
        em = box.style["font_size"]
        for step in STEPS_EM:
            again = _narrowed(
                context, box, child, new_children[-2:], args, start, styles, step * em
            )
            if again is not None:
                new_children[-2:] = again
                break
        return result

    block._linebox_layout = layout
    _installed = True
