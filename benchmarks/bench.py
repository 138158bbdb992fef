"""The benchmark behind `nox -s bench`: presswork against the raw tools and Quarto's engines.

Usage: python benchmarks/bench.py [--out build/bench.json] [--quick] [--repeat N] [--scale N]
[--keep] [--scale-inputs]. `--scale-inputs` measures synthetic large inputs instead (see
scale_inputs.py) and writes build/bench-scale-inputs.json. Every measured command is a
subprocess run in a copy of the flagship under a temporary folder; the repository's build/
only receives the JSON. Rounds interleave presswork, the raw tools and Quarto's engines, so
that other programs' load falls on all of them alike.
"""

from __future__ import annotations

import argparse
import ctypes.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import commands
import interrupt
import scale_inputs
import stem
import workspace
from measure import Run, Series, run
from report import Results, profile_text, table
from results import NOTES, add_rows, add_start_rows, add_targets

EPOCH = "1593561600"  # 2020-07-01, the flagship paper's issue
HERE = Path(__file__).resolve().parent
WHERE = "import presswork; print(presswork.__file__)"
ALL_STYLES = (*workspace.STYLES, workspace.ADDED_STYLE)
EXPECTED_COUNTS = {
    "pw.cold": (12, 0),
    "pw.cold_jobs1": (12, 0),
    "pw.no_change": (0, 12),
    "pw.no_change_nocache": (0, 12),
    "pw.sentence": (12, 0),
    "pw.add_style_cli": (3, 12),
    "pw.add_style_toml": (3, 12),
    "scale.build": (12, 0),
}
STARTS = {
    "start.pandoc": "pandoc --version",
    "start.presswork": "python -m presswork --version",
    "start.weasyprint": "python: import presswork.formats.pdf, weasyprint (a PDF worker)",
}


@dataclass
class Bench:
    """What every measurement needs: the scratch folder, environment, tools and the records."""

    root: Path
    env: dict[str, str]
    pandoc: str
    csl: dict[str, Path]
    repeat: int
    scale: int
    quick: bool
    series: dict[str, Series] = field(default_factory=dict)
    counts: dict[str, list[tuple[int, int] | None]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    surprises: list[str] = field(default_factory=list)

    def record(self, key: str, runs: list[Run]) -> None:
        """Add one repetition of the measurement `key`."""
        self.series.setdefault(key, Series()).add(runs)

    def run(self, command: list[str], cwd: Path | None = None) -> Run:
        """Run one command in the benchmark's environment."""
        return run(command, cwd=cwd, env=self.env)

    @property
    def few(self) -> int:
        """How often a sub-second measurement is repeated."""
        return 3 if self.quick else 5


def say(text: str) -> None:
    """Progress on stderr, so that a long run shows it is alive."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def snapshot_source(root: Path) -> Path:
    """A copy of src/ taken now: others' edits to the checkout during the run are not measured."""
    dest = root / "src"
    shutil.copytree(
        workspace.REPO / "src", dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return dest


def environment(root: Path, source: Path) -> dict[str, str]:
    """The child processes' environment: the source snapshot, fixed dates, warm bytecode."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    env.setdefault("SOURCE_DATE_EPOCH", EPOCH)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    env.pop("CI", None)
    return env


def timed_build(bench: Bench, key: str, project: Path, *extra: str, jobs: int = 2) -> Run:
    """`presswork build` once, recorded under `key` with its built and up-to-date counts."""
    result = bench.run(commands.presswork_build(project, *extra, jobs=jobs)).check()
    bench.record(key, [result])
    note_counts(bench, key, result)
    return result


def note_counts(bench: Bench, key: str, result: Run) -> None:
    """Keep the build's counts, and say so when they are not what a user would expect."""
    counts = commands.built_and_unchanged(result.stderr)
    bench.counts.setdefault(key, []).append(counts)
    say(f"{key}: {result.seconds:.2f} s, (built, up to date) = {counts}")
    expected = EXPECTED_COUNTS.get(key)
    if expected is not None and counts != expected:
        bench.surprises.append(
            f"{key}, run {len(bench.counts[key])}: (built, up to date) = {counts}, "
            f"where {expected} was expected"
        )


def warm_up(bench: Bench) -> None:
    """Fill the bytecode cache and the OS file cache, untimed."""
    project = workspace.copy_flagship(bench.root / "warm-up")
    bench.run(commands.presswork_build(project, "--style", "apa")).check()
    bench.run([commands.PYTHON, "-m", "weasyprint", "--info"]).check()
    bench.run([commands.PYTHON, "-m", "presswork", "lint", "--help"])
    bench.run([commands.PYTHON, "-c", commands.TYPST_VERSION])


def presswork_round(bench: Bench, index: int) -> None:
    """Cold build, no-change rebuilds, a style added, one sentence changed: one round."""
    base = bench.root / f"round{index}"
    project = workspace.copy_flagship(base / "flagship")
    timed_build(bench, "pw.cold", project)
    for _ in range(bench.few):
        timed_build(bench, "pw.no_change", project)
    built = base / "built"
    shutil.copytree(project, built)
    added = ",".join(ALL_STYLES)
    timed_build(bench, "pw.add_style_cli", _copy(built, base / "add-cli"), "--style", added)
    if index == 0 and not bench.quick:
        in_settings = _copy(built, base / "add-toml")
        workspace.set_styles(in_settings, ALL_STYLES)
        timed_build(bench, "pw.add_style_toml", in_settings)
    workspace.change_one_sentence(project)
    timed_build(bench, "pw.sentence", project)


def _copy(source: Path, dest: Path) -> Path:
    """A copy of a project, build/ and manifest included."""
    shutil.copytree(source, dest)
    return dest


def raw_round(bench: Bench, index: int, project: Path) -> None:
    """The naive way: one pandoc (and WeasyPrint) process per target, one after the other."""
    out = bench.root / f"round{index}" / "raw"
    out.mkdir(parents=True)
    sources = commands.Sources.of(project)
    for style in ALL_STYLES:
        csl = bench.csl[style]
        for fmt, to in (("html", "html5"), ("epub", "epub3")):
            target = out / f"{style}.{fmt}"
            command = commands.pandoc_citeproc(bench.pandoc, sources, csl, to, target)
            bench.record(f"raw.{fmt}.{style}", [bench.run(command, cwd=project).check()])
        page = out / f"{style}.print.html"
        to_html = commands.pandoc_citeproc(bench.pandoc, sources, csl, "html5", page)
        first = bench.run(to_html, cwd=project).check()
        second = bench.run(commands.weasyprint(page, out / f"{style}.pdf")).check()
        bench.record(f"raw.pdf.{style}", [first, second])
    spent = sum(bench.series[key].seconds[-1] for key in _raw_keys())
    say(f"raw tools round {index + 1}: {spent:.1f} s")


def _raw_keys() -> list[str]:
    """The keys of every raw-tools series."""
    return [f"raw.{fmt}.{style}" for fmt in ("html", "epub", "pdf") for style in ALL_STYLES]


def quarto_round(bench: Bench, index: int, project: Path) -> None:
    """Pandoc to Typst, then the typst package to PDF, per style (HTML and EPUB: as raw)."""
    if "quarto.pdf" in bench.unavailable:
        return
    out = bench.root / f"round{index}" / "quarto"
    out.mkdir(parents=True)
    sources = commands.Sources.of(project)
    for style in ALL_STYLES:
        typ, pdf = out / f"{style}.typ", out / f"{style}.pdf"
        first = bench.run(
            commands.pandoc_typst(bench.pandoc, sources, bench.csl[style], typ), cwd=project
        )
        second = bench.run(commands.typst_compile(typ, pdf)) if first.returncode == 0 else first
        if second.returncode != 0:
            bench.unavailable["quarto.pdf"] = _failure(second)
            say(f"Quarto engines: {bench.unavailable['quarto.pdf']}")
            return
        bench.record(f"quarto.pdf.{style}", [first, second])


def _failure(result: Run) -> str:
    """A failed run in one line: the program and the last line it wrote to stderr."""
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    return f"{Path(result.command[0]).name} failed: {lines[-1] if lines else result.returncode}"


def typst_status(bench: Bench) -> str:
    """The typst package's version, or why it cannot be used (then the row is unavailable)."""
    result = bench.run([commands.PYTHON, "-c", commands.TYPST_VERSION])
    if result.returncode != 0:
        bench.unavailable["quarto.pdf"] = (
            "the typst package cannot be imported: "
            + (result.stderr.strip().splitlines() or ["?"])[-1]
        )
        return bench.unavailable["quarto.pdf"]
    return result.stdout.strip()


def single_runs(bench: Bench) -> None:
    """Measurements made once: --jobs 1, no bytecode cache, and the scaled project."""
    if not bench.quick:
        timed_build(bench, "pw.cold_jobs1", workspace.copy_flagship(bench.root / "jobs1"), jobs=1)
    no_cache = dict(bench.env, PYTHONDONTWRITEBYTECODE="1")
    no_cache["PYTHONPYCACHEPREFIX"] = str(bench.root / "empty-pycache")
    built = bench.root / "round0" / "built"
    for _ in range(bench.few):
        result = run(commands.presswork_build(built), env=no_cache).check()
        bench.record("pw.no_change_nocache", [result])
        note_counts(bench, "pw.no_change_nocache", result)
    scaled = workspace.scaled_flagship(bench.root / "scaled", bench.scale)
    say(f"building the flagship x{bench.scale} (one run; it takes a while)")
    timed_build(bench, "scale.build", scaled)


def start_costs(bench: Bench) -> None:
    """What one process start costs: pandoc's, presswork's CLI, a PDF worker's imports."""
    commands_by_key = {
        "start.pandoc": [bench.pandoc, "--version"],
        "start.presswork": [commands.PYTHON, "-m", "presswork", "--version"],
        "start.weasyprint": [commands.PYTHON, "-c", "import presswork.formats.pdf, weasyprint"],
    }
    for key, command in commands_by_key.items():
        for _ in range(bench.few):
            bench.record(key, [bench.run(command).check()])


def run_profile(bench: Bench) -> dict:
    """cProfile of one cold build (jobs=1) in its own process, summarised."""
    project = workspace.copy_flagship(bench.root / "profile")
    out = bench.root / "profile.json"
    say("profiling one cold build (jobs=1, cProfile)")
    result = bench.run([commands.PYTHON, str(HERE / "profile_build.py"), str(project), str(out)])
    if result.returncode != 0:
        return {"reason": _failure(result)}
    return json.loads(out.read_text(encoding="utf-8"))


def lint_status(bench: Bench) -> str:
    """'' when `presswork lint` exists, else why not."""
    result = bench.run([commands.PYTHON, "-m", "presswork", "lint", "--help"])
    if result.returncode == 0:
        return ""
    return (
        "`presswork lint` is not in this checkout yet (the CLI has no lint command: "
        "presswork.lint.command is missing or fails to import)"
    )


def lint_runs(bench: Bench) -> None:
    """Lint time of the flagship and of the scaled project (exit 1 means findings: fine)."""
    reason = lint_status(bench)
    if reason:
        bench.unavailable["lint.flagship"] = bench.unavailable["lint.scaled"] = reason
        say(f"lint: not available: {reason}")
        return
    projects = {
        "lint.flagship": bench.root / "round0" / "built",
        "lint.scaled": bench.root / "scaled",
    }
    for key, project in projects.items():
        for _ in range(bench.few if key == "lint.flagship" else max(1, bench.few - 2)):
            result = bench.run(commands.presswork_lint(project))
            if result.returncode not in (0, 1):
                bench.unavailable[key] = _failure(result)
                break
            bench.record(key, [result])
        say(f"{key}: {bench.series[key].median:.3f} s" if key in bench.series else f"{key}: failed")


def git_state() -> dict[str, str | int]:
    """The commit measured and how many files of src/ differ from it (others' work in progress)."""

    def git(*args: str) -> str:
        command = ["git", "-C", str(workspace.REPO), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout

    changed = git("status", "--porcelain", "--", "src").splitlines()
    return {"git_head": git("rev-parse", "HEAD").strip(), "src_files_uncommitted": len(changed)}


def describe(bench: Bench, typst: str) -> dict:
    """The machine, the tools and the settings of this run."""
    pandoc = bench.run([bench.pandoc, "--version"]).stdout.split("\n", 1)[0]
    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_start": list(os.getloadavg()),
        "pandoc": pandoc,
        "weasyprint": metadata.version("weasyprint"),
        "presswork": metadata.version("presswork"),
        "presswork_imported_from": bench.run([commands.PYTHON, "-c", WHERE]).stdout.strip(),
        **git_state(),
        "typst": typst,
        "harfbuzz_subset": ctypes.util.find_library("harfbuzz-subset") or "missing",
        "source_date_epoch": bench.env["SOURCE_DATE_EPOCH"],
        "styles": list(workspace.STYLES),
        "added_style": workspace.ADDED_STYLE,
        "jobs": 2,
        "repeat": bench.repeat,
        "scale": bench.scale,
        "quick": bench.quick,
    }


def make_bench(args: argparse.Namespace, root: Path, source: Path) -> Bench:
    """Resolve pandoc and the CSL files exactly as presswork does."""
    import pypandoc

    from presswork import styles

    csl = {name: styles.resolve(name, workspace.REPO).path for name in ALL_STYLES}
    quick = bool(args.quick)
    return Bench(
        root=root,
        env=environment(root, source),
        pandoc=str(pypandoc.get_pandoc_path()),
        csl=csl,
        repeat=args.repeat or (1 if quick else 3),
        scale=args.scale or (5 if quick else 20),
        quick=quick,
    )


def measure_all(bench: Bench) -> Results:
    """Every measurement, in rounds, then the rows and targets made from them."""
    results = Results()
    typst = typst_status(bench)
    results.environment = describe(bench, typst)
    say("warming up (untimed)")
    warm_up(bench)
    sources = workspace.copy_flagship(bench.root / "sources")
    for index in range(bench.repeat):
        say(f"round {index + 1} of {bench.repeat}")
        presswork_round(bench, index)
        raw_round(bench, index, sources)
        quarto_round(bench, index, sources)
    single_runs(bench)
    start_costs(bench)
    results.profile = run_profile(bench)
    lint_runs(bench)
    results.interrupt = interrupt.measure(bench.root, bench.env, say)
    results.environment["load_average_end"] = list(os.getloadavg())
    add_rows(results, bench.series, bench.counts, bench.unavailable, bench.scale)
    add_start_rows(results, bench.series, STARTS)
    add_targets(results, bench.scale)
    results.notes = [*NOTES, *(f"unexpected: {s}" for s in bench.surprises)]
    results.series = bench.series
    return results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=workspace.REPO / "build" / "bench.json",
        help="where the JSON goes (default: build/bench.json)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one round, flagship x5, no --jobs 1 or presswork.toml rows",
    )
    parser.add_argument("--repeat", type=int, default=0, help="rounds (default 3, quick 1)")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="copies of the chapters in the scaled project (default 20, quick 5)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--scale-inputs",
        action="store_true",
        help="instead: lint and HTML-build synthetic large inputs (10,000 references, 5,000 "
        "notes, lists 200 deep, ~8 MB), each also at a tenth of the size (about 10 minutes)",
    )
    parser.add_argument(
        "--stem",
        action="store_true",
        help="instead: the STEM paper's PDF with and without its math (target <= 2x, a minute)",
    )
    args = parser.parse_args(argv)
    if args.stem and args.out == workspace.REPO / "build" / "bench.json":
        args.out = workspace.REPO / "build" / "bench-stem.json"
    if args.scale_inputs and args.out == workspace.REPO / "build" / "bench.json":
        args.out = workspace.REPO / "build" / "bench-scale-inputs.json"
    return args


def run_scale_inputs(args: argparse.Namespace, root: Path) -> int:
    """`--scale-inputs`: the synthetic large inputs only, a table and the JSON."""
    env = environment(root, snapshot_source(root))
    data = scale_inputs.measure(root / "scale-inputs", env, say)
    data["environment"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        **git_state(),
    }
    print(scale_inputs.table(data))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out}")
    return 0


def run_stem(args: argparse.Namespace, root: Path) -> int:
    """`--stem`: what math costs a PDF, a line and the JSON."""
    data = stem.measure(root, environment(root, snapshot_source(root)), say)
    print(stem.table(data))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and the profile, write the JSON."""
    args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="presswork-bench-"))
    if args.stem:
        try:
            return run_stem(args, root)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    if args.scale_inputs:
        try:
            return run_scale_inputs(args, root)
        finally:
            if args.keep:
                say(f"scratch folder kept: {root}")
            else:
                shutil.rmtree(root, ignore_errors=True)
    try:
        bench = make_bench(args, root, snapshot_source(root))
        results = measure_all(bench)
    finally:
        if args.keep:
            say(f"scratch folder kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(table(results))
    print()
    print(profile_text(results.profile))
    for note in results.notes:
        print(f"note: {note}")
    stops = ", ".join(f"{p['delay_s']:g}: {p['exit_s']:.2f}" for p in results.interrupt["points"])
    print(f"Ctrl-C during a cold build (s into the build: s to exit): {stops}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results.to_dict(), indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
