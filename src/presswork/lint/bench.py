"""Lint timings for the benchmark session: `python -m presswork.lint.bench [DIR] [--scale 20]`.

Lints the project, then the same manuscript repeated `scale` times (note labels renamed so
the copies stay valid), and prints both times: linear time means the ratio stays near the
scale. Timings live here and in the benchmark session, not in the tests.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import replace

from presswork.lint import bench_lint, run_lint
from presswork.project import Project, SourceFile, load

_LABEL = re.compile(r"\[\^([^\s\[\]]+)\]")

# Lines built to hurt a regex or a bracket matcher: the unit each repeats. The tests check
# that their lint cost grows linearly; `bench.py --scale-inputs` times them at 1 MB.
ADVERSARY_UNITS = {
    "digits": "1",
    "dashes": "-–",
    "at-signs": "@",
    "at-words": "@a",
    "note-openers": "[^",
    "brackets": "[",
    "links": "[a](",
    "year-ranges": "1968-",
}
ADVERSARIES = ("mixed", *ADVERSARY_UNITS)  # "mixed": a random draw of all their characters


def adversarial_line(kind: str, size: int) -> str:
    """A line of about `size` characters of one adversarial kind (see ADVERSARIES)."""
    if kind == "mixed":
        rnd = random.Random(1968)
        return "".join(rnd.choice("0123456789-–@[^] ") for _ in range(size))
    unit = ADVERSARY_UNITS[kind]
    return unit * (size // len(unit))


def scaled(project: Project, scale: int) -> Project:
    """The project with its chapters repeated `scale` times."""
    chapters = []
    for copy in range(scale):
        for chapter in project.chapters:
            text = _LABEL.sub(rf"[^c{copy}-\1]", chapter.text)
            stem = chapter.path.rsplit(".", 1)[0]
            chapters.append(SourceFile(f"{stem}-{copy:03d}.md", text))
    return replace(project, chapters=chapters)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m presswork.lint.bench")
    parser.add_argument("dir", nargs="?", default=".", help="project directory (default: .)")
    parser.add_argument("--scale", type=int, default=20, help="copies of the manuscript")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best one counts")
    args = parser.parse_args(argv)
    project = load(args.dir)
    run_lint(project)  # imports and the rule registry: not part of the figure
    size = sum(len(c.text) for c in project.chapters)
    once = bench_lint(project, args.repeat)
    big = scaled(project, args.scale)
    many = bench_lint(big, max(1, args.repeat // 2))
    print(f"lint {args.dir}: {size / 1000:.0f} kB in {once * 1000:.0f} ms")
    print(
        f"lint x{args.scale}: {size * args.scale / 1000:.0f} kB in {many * 1000:.0f} ms "
        f"({many / once:.1f} times as long)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
