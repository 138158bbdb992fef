"""The `presswork refs` subcommand: `presswork refs fetch [DIR] [--refresh|--offline]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO

from presswork.identifiers import fetch as fetch_mod
from presswork.identifiers import frozen
from presswork.identifiers.keys import FROZEN_NAME, Cited, aliases, cited, frozen_display
from presswork.identifiers.syntax import Identifier


def add_refs_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="refs_command", required=True, metavar="ACTION")
    p = sub.add_parser(
        "fetch", help=f"resolve the identifiers cited (@doi:, @pmid:...) into {FROZEN_NAME}"
    )
    p.add_argument("dir", nargs="?", default=".", help="project directory (default: .)")
    p.add_argument("--refresh", action="store_true", help="fetch again what is already frozen")
    p.add_argument(
        "--offline", action="store_true", help="connect to nothing: report what is missing"
    )
    p.add_argument("--jobs", "-j", type=int, default=4, help="requests at a time (default: 4)")
    p.add_argument("--retries", type=int, default=3, help="retries per identifier (default: 3)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per request (default: 20)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only failures")
    # Hidden: the seconds before the first retry (the tests make it small).
    p.add_argument("--backoff", type=float, default=1.0, help=argparse.SUPPRESS)


def _where(one: Cited) -> str:
    return f"{one.file}:{one.line}:{one.column}"


def run_refs_command(args: argparse.Namespace, stream: IO[str] | None = None) -> int:
    from presswork import project as project_mod

    out = stream if stream is not None else sys.stderr
    proj = project_mod.load(Path(args.dir))
    path = proj.root / proj.settings.references_dir / FROZEN_NAME
    display = frozen_display(proj)
    entries = frozen.read(path, proj.root, display)
    # Any reference file may define an identifier's key by hand: that one is not fetched.
    by_hand = {ref.id for ref in proj.references if ref.file != display}
    first: dict[str, Cited] = {}
    invalid: list[Cited] = []
    for one in cited(proj, aliases(proj)):
        if one.ident.problem is not None:
            invalid.append(one)
        elif one.ident.key not in first and one.ident.key not in by_hand:
            first[one.ident.key] = one
    for one in invalid:
        print(f"{_where(one)}: invalid identifier '@{one.written}': {one.ident.problem}", file=out)
    todo = [one.ident for key, one in first.items() if args.refresh or key not in entries]
    if args.offline:
        missing = [key for key in first if key not in entries]
        for key in missing:
            print(f"{_where(first[key])}: '{key}' is not in {display}", file=out)
        print(f"{len(first)} identifier(s) cited, {len(missing)} not fetched", file=out)
        return 1 if missing or invalid else 0
    result = _fetch(todo, args, out)
    entries.update(result.fetched)
    if result.fetched or not path.exists():
        frozen.write(path, entries)
    for key in sorted(result.failed, key=lambda k: _where(first[k])):
        print(f"{_where(first[key])}: '{key}': {result.failed[key]}", file=out)
    kept = len(first) - len(todo)
    print(
        f"{len(result.fetched)} fetched, {kept} already in {display}, "
        f"{len(result.failed)} failed, {len(invalid)} invalid",
        file=out,
    )
    return 1 if result.failed or invalid else 0


def _fetch(todo: list[Identifier], args: argparse.Namespace, out: IO[str]) -> fetch_mod.Result:
    options = fetch_mod.Options(
        jobs=args.jobs, retries=args.retries, timeout=args.timeout, backoff=args.backoff
    )
    if not todo:
        return fetch_mod.Result()
    from presswork.progress import live_wanted

    if args.quiet or not live_wanted(out):
        return fetch_mod.fetch_all(todo, options)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (
        TextColumn("fetching"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=Console(file=out), transient=True) as bar:
        task = bar.add_task("", total=len(todo))

        def done(ident: Identifier, error: str | None) -> None:
            bar.update(task, advance=1, description=ident.key)

        return fetch_mod.fetch_all(todo, options, done)
