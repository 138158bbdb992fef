"""Synthetic large inputs (`bench.py --scale-inputs`): does lint and an HTML build grow linearly?

Projects at full size and at a tenth of it: 10,000 BibTeX references of which 500 are cited
(a shared library), 10,000 references all cited (in a notes style, and in APA, where the build
must stop at once with the max-cited-works limit error), 5,000 footnotes, lists nested 200 deep,
and a manuscript just under the 8 MB limit. Each is linted and built to HTML in one style
(`--jobs 1`); a tiny project gives the fixed cost (process start, imports, pandoc start) that is
subtracted before the growth is judged. The exponent k in time ~ size^k is
log10((full - fixed) / (tenth - fixed)): about 1 is linear, 2 quadratic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import commands
from measure import Run, run

from presswork.lint.bench import ADVERSARIES, adversarial_line

STYLE = "apa"
NOTES_STYLE = "chicago-notes-bibliography"
TIMEOUT_S = 120  # per command: a run cut off here is reported as a lower bound
LIMIT_ERROR = 2  # presswork's exit status for input it refuses, limits included
TIMED_OUT = 124  # the exit status of coreutils `timeout` when it stops the command
LIMIT_BYTES = 8 * 1024 * 1024  # presswork.project.MAX_MANUSCRIPT_BYTES
NEAR_LIMIT = LIMIT_BYTES - 64 * 1024  # under it, metadata and all
METADATA = "title: Scale test\nauthor:\n  - Bench Mark\ndate: 2024-05-01\nlang: en\n"
SETTINGS = f'name = "scale"\nformats = ["html"]\nstyles = ["{STYLE}"]\n'
SENTENCE = (
    "The committee met again in *late* summer and, after a long and **inconclusive** debate "
    "about the reports from Prague, decided to wait for the next letter from the embassy. "
)


def write(root: Path, chapter: str, bib: str = "", style: str = STYLE) -> Path:
    """A project with one chapter (and a BibTeX file when given)."""
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "metadata.yaml").write_text(METADATA, encoding="utf-8")
    (root / "manuscript" / "01-text.md").write_text(chapter, encoding="utf-8")
    (root / "presswork.toml").write_text(SETTINGS.replace(STYLE, style), encoding="utf-8")
    if bib:
        (root / "references").mkdir()
        (root / "references" / "refs.bib").write_text(bib, encoding="utf-8")
    return root


def references(root: Path, count: int, cited: int | None = None, style: str = STYLE) -> Path:
    """`count` BibTeX entries, the first `cited` (default all) cited once, ten to a paragraph."""
    cited = count if cited is None else cited
    entries, paragraphs = [], []
    for n in range(count):
        entries.append(
            f"@book{{ref{n:05d},\n  author = {{Author{n}, Anna}},\n"
            f"  title = {{A History of Case {n}}},\n  publisher = {{Press}},\n"
            f"  year = {{{1900 + n % 120}}}\n}}\n"
        )
    for start in range(0, cited, 10):
        keys = "; ".join(f"@ref{n:05d}" for n in range(start, min(start + 10, cited)))
        paragraphs.append(f"{SENTENCE}[{keys}]\n")
    chapter = "# References\n\n" + "\n".join(paragraphs)
    return write(root, chapter, "\n".join(entries), style)


def library(root: Path, count: int) -> Path:
    """A shared library: `count` references, one in twenty cited."""
    return references(root, count, count // 20)


def cited_notes(root: Path, count: int) -> Path:
    """`count` references, all cited, in a notes style (citeproc time grows linearly)."""
    return references(root, count, style=NOTES_STYLE)


def footnotes(root: Path, count: int) -> Path:
    """`count` footnotes, each referenced once, definitions after each paragraph."""
    parts = ["# Notes\n"]
    for n in range(count):
        parts.append(f"{SENTENCE}Claim {n}.[^n{n}]\n\n[^n{n}]: Source {n}, p. {n % 300 + 1}.\n")
    return write(root, "\n".join(parts))


def nested(root: Path, depth: int) -> Path:
    """A bullet list nested `depth` deep (each level indented two more spaces), twice."""
    lines = ["# Nesting\n"]
    for _ in range(2):
        lines += [f"{'  ' * level}- level {level}" for level in range(depth)]
        lines.append("")
    return write(root, "\n".join(lines) + "\n")


def large(root: Path, size: int) -> Path:
    """Ordinary prose paragraphs with headings, notes and emphasis, `size` bytes in all."""
    parts, total, n = [], 0, 0
    while total < size:
        block = (
            (f"# Part {n}\n\n" if n % 50 == 0 else "")
            + SENTENCE * 4
            + f"See [section {n}](#part-{n - n % 50}).[^p{n}]\n\n[^p{n}]: Note {n}.\n\n"
        )
        parts.append(block)
        total += len(block.encode("utf-8"))
        n += 1
    return write(root, "".join(parts))


INPUTS: dict[str, tuple[str, Callable[[Path, int], Path], int]] = {
    "library": ("references, 1 in 20 cited", library, 10_000),
    "cited-notes": ("references, all cited", cited_notes, 10_000),
    "cited-apa": ("references, all cited", references, 10_000),
    "footnotes": ("footnotes", footnotes, 5_000),
    "nesting": ("list depth", nested, 200),
    "large": ("bytes of Markdown", large, NEAR_LIMIT),
}


# Adversarial 1 MB lines (the "lint of a 1 MB line finishes in under a second").
LINE_BYTES = 1_000_000
LINT_TARGET_S = 1.0


def adversarial(root: Path, kind: str) -> Path:
    """A project whose one chapter is a single 1 MB line of one adversarial kind."""
    return write(root, adversarial_line(kind, LINE_BYTES) + "\n")


def measure_adversaries(root: Path, env: dict, fixed_lint_s: float, say: Callable) -> dict:
    """`presswork lint` of each adversarial line (best of 3): wall time, time past start-up."""
    rows = {}
    for kind in ADVERSARIES:
        project = adversarial(root / f"adversary-{kind}", kind)
        limit = ["timeout", "-k", "5", str(TIMEOUT_S)]
        # The best of three: this shared machine's speed varies by half from run to run.
        runs = [run([*limit, *commands.presswork_lint(project)], env=env) for _ in range(3)]
        result = min(runs, key=lambda r: r.seconds)
        work = max(0.0, result.seconds - fixed_lint_s)
        rows[kind] = {
            "wall_s": round(result.seconds, 3),
            "lint_s": round(work, 3),
            "cpu_s": round(result.cpu_seconds, 3),
            "exit": result.returncode,
            "met": work < LINT_TARGET_S and result.returncode in (0, 1),
        }
        say(f"adversarial line {kind}: lint {result.seconds:.2f} s ({work:.2f} s past start-up)")
    return rows


@dataclass
class Point:
    """One input at one size: lint and build, each one run."""

    size: int
    lint: Run
    build: Run


def measure_point(root: Path, make: Callable[[Path, int], Path], size: int, env: dict) -> Point:
    """Lint (exit 1 is findings: fine) and an HTML build in one style of a fresh project."""
    project = make(root, size)
    limit = ["timeout", "-k", "5", str(TIMEOUT_S)]
    lint = run([*limit, *commands.presswork_lint(project)], env=env)
    if lint.returncode not in (0, 1, TIMED_OUT):
        lint.check()
    # The style is the project's own (presswork.toml): APA, or a notes style for cited-notes.
    build_command = commands.presswork_build(project, "--format", "html", jobs=1)
    build = run([*limit, *build_command], env=env)
    return Point(size, lint, build)


def exponent(full: float, tenth: float, fixed: float) -> float | None:
    """k in cost ~ size^k from two sizes a factor 10 apart, the fixed cost removed."""
    big, small = full - fixed, tenth - fixed
    if big <= 0 or small <= 0:
        return None
    return math.log10(big / small)


def verdict(k: float | None) -> str:
    if k is None:
        return "too fast to tell"
    return "linear" if k <= 1.25 else ("slightly superlinear" if k <= 1.5 else "SUPERLINEAR")


def measure(root: Path, env: dict, say: Callable[[str], None]) -> dict:
    """Every input at a tenth and at full size, plus the fixed cost; a dict for the JSON."""

    def tiny(r: Path, _: int) -> Path:
        return write(r, "# Tiny\n\nText.\n")

    measure_point(root / "warm-up", tiny, 0, env)  # bytecode and file caches, untimed
    # The fixed cost is subtracted from everything: the best of three, not one noisy run.
    tries = [measure_point(root / f"fixed-{k}", tiny, 0, env) for k in range(3)]
    fixed_lint = min(t.lint.seconds for t in tries)
    fixed_build = min(t.build.seconds for t in tries)
    out: dict = {"fixed": {"lint_s": fixed_lint, "build_s": fixed_build}, "inputs": {}}
    for name, (unit, make, full_size) in INPUTS.items():
        points = {}
        for label, size in (("tenth", full_size // 10), ("full", full_size)):
            say(f"scale input {name}: {size:,} {unit}")
            point = measure_point(root / f"{name}-{label}", make, size, env)
            points[label] = point
            say(
                f"  lint {point.lint.seconds:.2f} s, build {point.build.seconds:.2f} s"
                f" (exit {point.build.returncode})"
            )
        entry: dict = {"unit": unit}
        for label, point in points.items():
            entry[label] = {
                "size": point.size,
                "lint_s": round(point.lint.seconds, 3),
                "lint_rss_mb": round(point.lint.max_rss_kb / 1024, 1),
                "lint_exit": point.lint.returncode,
                "build_s": round(point.build.seconds, 3),
                "build_rss_mb": round(point.build.max_rss_kb / 1024, 1),
                "build_exit": point.build.returncode,
                "build_error": _last_line(point.build) if point.build.returncode else "",
                "timed_out": [
                    step
                    for step, result in (("lint", point.lint), ("build", point.build))
                    if result.returncode == TIMED_OUT
                ],
            }
        for step in ("lint", "build"):
            k = exponent(
                entry["full"][f"{step}_s"], entry["tenth"][f"{step}_s"], out["fixed"][f"{step}_s"]
            )
            entry[f"{step}_exponent"] = None if k is None else round(k, 2)
            entry[f"{step}_growth"] = verdict(k)
            if step in entry["full"]["timed_out"]:
                entry[f"{step}_growth"] = "stopped: k is only a lower bound"
            elif entry["full"][f"{step}_exit"] == LIMIT_ERROR:
                entry[f"{step}_exponent"] = None
                entry[f"{step}_growth"] = "refused at once with a limit error (exit 2)"
        out["inputs"][name] = entry
    out["adversarial_lines"] = measure_adversaries(root, env, fixed_lint, say)
    return out


def _last_line(result: Run) -> str:
    if result.returncode == TIMED_OUT:
        return f"stopped after {TIMEOUT_S} s (the exponent is then a lower bound)"
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    return lines[-1][:200] if lines else f"exit {result.returncode}"


def table(data: dict) -> str:
    """The figures as a text table."""
    fixed = data["fixed"]
    rows = [
        f"fixed cost (tiny project): lint {fixed['lint_s']:.2f} s, build {fixed['build_s']:.2f} s",
        f"{'input':<11} {'size':>11} {'lint s':>7} {'MB':>6} {'build s':>8} {'MB':>6}  growth "
        "(exponent, fixed cost removed)",
    ]
    for name, entry in data["inputs"].items():
        for label in ("tenth", "full"):
            p = entry[label]
            failed = f"  build FAILED: {p['build_error']}" if p["build_exit"] else ""
            growth = (
                f"  lint {entry['lint_exponent']} {entry['lint_growth']},"
                f" build {entry['build_exponent']} {entry['build_growth']}"
                if label == "full"
                else ""
            )
            rows.append(
                f"{name:<11} {p['size']:>11,} {p['lint_s']:>7.2f} {p['lint_rss_mb']:>6.0f}"
                f" {p['build_s']:>8.2f} {p['build_rss_mb']:>6.0f}{growth}{failed}"
            )
    rows += [
        "",
        f"lint of a {LINE_BYTES:,}-character line (target: under {LINT_TARGET_S:g} s past "
        "start-up)",
    ]
    for kind, row in data.get("adversarial_lines", {}).items():
        verdict = "MET   " if row["met"] else "MISSED"
        rows.append(
            f"  {verdict} {kind:<13} {row['lint_s']:6.2f} s  (whole command {row['wall_s']:.2f} s)"
        )
    return "\n".join(rows)
