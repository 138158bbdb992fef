"""Private copies of the flagship for the benchmark: plain, edited, and scaled up."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STYLES = (
    "chicago-notes-bibliography",
    "chicago-author-date",
    "apa",
    "modern-language-association",
)
ADDED_STYLE = "chicago-notes-bibliography-subsequent-ibid"
EDITED_CHAPTER = "04-conclusion.md"
SENTENCE_OLD = "Hence, Soviets lost"
SENTENCE_NEW = "So Soviets lost"

_HEADING_ID = re.compile(r"\{#([A-Za-z][\w:.-]*)")
_NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
_LINK_TARGET = re.compile(r"\]\(#([\w:.-]+)\)")


def settings_text(styles: tuple[str, ...]) -> str:
    """The flagship's presswork.toml with its list of styles replaced by these."""
    text = (REPO / "presswork.toml").read_text(encoding="utf-8")
    listed = ", ".join(f'"{name}"' for name in styles)
    replaced, count = re.subn(r"(?ms)^styles\s*=\s*\[.*?\]", f"styles = [{listed}]", text)
    if count != 1:
        raise RuntimeError("presswork.toml has no single 'styles = [...]' list to replace")
    return replaced


def copy_flagship(dest: Path, styles: tuple[str, ...] = STYLES) -> Path:
    """A copy of the flagship project (no build/) that builds the given styles by default."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("manuscript", "references", "styles"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, dest / name)
    (dest / "presswork.toml").write_text(settings_text(styles), encoding="utf-8")
    return dest


def set_styles(project: Path, styles: tuple[str, ...]) -> None:
    """Change the styles a project builds by default, as a user edits presswork.toml."""
    (project / "presswork.toml").write_text(settings_text(styles), encoding="utf-8")


def change_one_sentence(project: Path) -> None:
    """Reword one sentence of one chapter, as an author's small edit."""
    chapter = project / "manuscript" / EDITED_CHAPTER
    text = chapter.read_text(encoding="utf-8")
    if SENTENCE_OLD not in text:
        raise RuntimeError(f"'{SENTENCE_OLD}' not found in {EDITED_CHAPTER}")
    chapter.write_text(text.replace(SENTENCE_OLD, SENTENCE_NEW, 1), encoding="utf-8")


def suffixed(text: str, suffix: str) -> str:
    """A chapter with every heading id, link to one, and note label made unique by a suffix."""
    text = _HEADING_ID.sub(lambda m: f"{{#{m[1]}{suffix}", text)
    text = _LINK_TARGET.sub(lambda m: f"](#{m[1]}{suffix})", text)
    return _NOTE_LABEL.sub(lambda m: f"[^{m[1]}{suffix}]", text)


def scaled_flagship(dest: Path, copies: int, styles: tuple[str, ...] = STYLES) -> Path:
    """The flagship with its chapters repeated `copies` times (unique ids), same references."""
    copy_flagship(dest, styles)
    manuscript = dest / "manuscript"
    chapters = sorted(manuscript.glob("*.md"))
    for chapter in chapters:
        text = chapter.read_text(encoding="utf-8")
        for copy in range(1, copies + 1):
            suffix = "" if copy == 1 else f"-copy{copy}"
            target = manuscript / f"{copy:03d}-{chapter.name}"
            target.write_text(suffixed(text, suffix), encoding="utf-8")
        chapter.unlink()
    return dest
