"""The build: targets (format x style) with content keys, parallel rendering, atomic writes.

One parse of the manuscript per build, one citeproc pass per style, every format of a style
made from that one result, and nothing redone whose inputs did not change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from presswork import (
    __version__,
    assets,
    buildtrust,
    confine,
    formats,
    identifiers,
    metafiles,
    pandoc,
    sanitize,
    styles,
    workers,
)
from presswork import project as project_mod
from presswork.errors import BuildError, InputError, PressworkError
from presswork.formats.document import StyleDocument
from presswork.project import Project
from presswork.reproducible import source_date_epoch
from presswork.settings import DEFAULT_STYLES, effective_cite_styles, output_fingerprint

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Target:
    style: styles.Style
    format: formats.Format
    path: Path  # relative to the build directory
    key: str  # hash of every input the output depends on


@dataclass
class Outcome:
    target: Target
    status: str  # "built", "unchanged" or "failed"
    seconds: float = 0.0
    error: str = ""


@dataclass
class BuildReport:
    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


Reporter = Callable[[str, dict[str, Any]], None]


def _quiet(event: str, data: dict[str, Any]) -> None:
    """The default reporter says nothing."""


def _version(dist: str) -> str:
    try:
        return importlib_metadata.version(dist)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def tool_versions() -> dict[str, str]:
    # The pypandoc-binary release pins the pandoc binary, so its version stands for pandoc's
    # without starting a process.
    return {
        "presswork": __version__,
        "pypandoc-binary": _version("pypandoc-binary"),
        "weasyprint": _version("weasyprint"),
        "babel": _version("babel"),  # CLDR's dates in words (presswork.i18n)
    }


def _common_key(proj: Project, epoch: int) -> str:
    digest = hashlib.sha256()
    parts: list[str] = [
        json.dumps(tool_versions(), sort_keys=True),
        assets.fingerprint(),
        output_fingerprint(proj.settings),
        str(epoch),
        proj.name,
    ]
    files = [proj.metadata_file, *proj.chapters, *proj.reference_files]
    for source in files:
        if source is not None:
            parts += [source.path, source.text]
    parts += identifiers.key_parts(proj)  # manuscript/citation-tags.tsv, if any
    # `css:` and `cover-image:` files (InputError here, before build/ is touched)
    parts += metafiles.key_parts(proj.metadata_files)
    # Images are embedded in the outputs, so their bytes are inputs too.
    texts = [s.text for s in (proj.metadata_file, *proj.chapters) if s is not None]
    for path in sanitize.referenced_files(texts, proj.root):
        relative = path.relative_to(proj.root.resolve()).as_posix()
        try:  # regular files inside the project only, as embed_image reads them
            data = confine.read_bytes(path, proj.root)
        except OSError:
            data = b""  # refused later by the sanitizer, with its reason
        parts += [relative, hashlib.sha256(data).hexdigest()]
    for part in parts:
        # surrogateescape: a file name that is not UTF-8 is still a key, not a crash
        digest.update(hashlib.sha256(part.encode("utf-8", "surrogateescape")).digest())
    return digest.hexdigest()


def plan(
    proj: Project,
    format_names: list[str],
    style_names: list[str],
    epoch: int,
    settings_file: str | None = None,
) -> list[Target]:
    """The targets; `settings_file` names the file the styles come from (untrusted), None
    when the user named them (`--style`, which may name a .csl file outside the project)."""
    common = _common_key(proj, epoch)
    chosen_formats = [formats.get(name) for name in format_names]
    targets = []
    names: dict[str, tuple[str, str]] = {}  # folder key -> (name as given, folder)
    for style_name in style_names:
        style = styles.resolve(style_name, proj.root, proj.settings.styles_dir, settings_file)
        # A dependent style's file and its parent's: both change the output.
        style_hash = hashlib.sha256()
        for source in style.sources or (style.path,):
            style_hash.update(hashlib.sha256(source.read_bytes()).digest())
        if not style.name or style.name.startswith(".") or "\x00" in style.name:
            raise InputError(f"style '{style_name}' has no usable output folder name")
        # Folders that differ only in case or Unicode normalisation are one folder on macOS
        # and Windows: the second style would silently overwrite the first's outputs.
        folded = _folder_key(style.name)
        if folded == _folder_key(MANIFEST):
            raise InputError(
                f"style '{style_name}' would write {proj.settings.build_dir}/{style.name}/, "
                f"the build's own {MANIFEST}: rename the file"
            )
        if folded in names:
            if names[folded] == (style_name, style.name):
                continue  # the same style named twice: build it once
            alike = " (folder names equal but for case or Unicode normalisation)"
            raise InputError(
                f"styles '{names[folded][0]}' and '{style_name}' would both write "
                f"{proj.settings.build_dir}/{style.name}/"
                f"{alike if names[folded][1] != style.name else ''}: rename one of the files"
            )
        names[folded] = (style_name, style.name)
        for fmt in chosen_formats:
            key = f"{common}|{style_hash.hexdigest()}|{fmt.name}"
            key = hashlib.sha256(key.encode()).hexdigest()
            path = Path(style.name) / f"{proj.name}.{fmt.extension}"
            targets.append(Target(style, fmt, path, key))
    return targets


def _folder_key(name: str) -> str:
    """What a case-insensitive, normalising file system (APFS, NTFS) sees of a folder name."""
    return unicodedata.normalize("NFC", name).casefold()


# ---- the manifest and atomic writes --------------------------------------------------------


MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_ENTRY_PATH = re.compile(r"[^/\x00\\]+/[^/\x00\\]+\Z")


def read_manifest(build_dir: Path) -> dict[str, dict[str, Any]]:
    """The manifest's entries; a corrupt, hostile or linked manifest counts as none.

    An earlier run's build/ is untrusted too: only entries of the right shape, naming a
    file one folder down (style/name.ext), are kept; nothing is ever deleted from them.
    """
    try:
        data = json.loads(confine.read_bytes(build_dir / MANIFEST, build_dir, MAX_MANIFEST_BYTES))
        outputs = data.get("outputs", [])
        return {
            entry["path"]: entry
            for entry in outputs
            if isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and _ENTRY_PATH.match(entry["path"])
            and ".." not in entry["path"].split("/")
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}


# Kept here too: tests and older callers import it from the build module.
write_atomic = confine.write_atomic


def write_manifest(build_dir: Path, entries: dict[str, dict[str, Any]]) -> None:
    body = {
        "generator": f"presswork {__version__}",
        "tools": tool_versions(),
        "outputs": [entries[path] for path in sorted(entries)],
    }
    text = json.dumps(body, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_atomic(build_dir / MANIFEST, text.encode("utf-8"))


_TEMPORARY = re.compile(r"\..+\.[0-9]+\.tmp\Z")


def remove_stale_temporaries(build_dir: Path) -> None:
    """Temp files of a killed build; under the lock, no other build is writing any."""
    # os.walk does not follow symlinked folders: nothing outside build/ is ever removed.
    for folder, _, names in os.walk(build_dir):
        for name in names:
            if _TEMPORARY.match(name):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))


# ---- rendering -----------------------------------------------------------------------------


def _bibliography_title(style: styles.Style, lang: str) -> str:
    from presswork.i18n import term

    title = style.title.lower()
    if "mla" in title or "modern language" in title:
        return term("works-cited", lang)
    return term("bibliography" if style.uses_notes else "references", lang)


def _markdown(proj: Project) -> str:
    """The whole manuscript as pandoc reads it: the metadata as front matter, then chapters."""
    parts = []
    # pandoc's --metadata-file semantics: the file is the first block, the chapters' own
    # blocks override it. An empty file (or only comments) adds nothing, not a stray rule.
    blocks = proj.metadata_sources.blocks
    meta_empty = bool(blocks) and blocks[0].path == getattr(proj.metadata_file, "path", None)
    meta_empty = meta_empty and not blocks[0].data
    if proj.metadata_file is not None and not meta_empty:
        # The file may carry its own YAML document markers; the front matter adds them anyway.
        body = re.sub(r"\A(?:---[ \t]*\n)?", "", proj.metadata_file.text.rstrip())
        body = re.sub(r"\n(?:---|\.\.\.)\Z", "", body)
        parts.append(f"---\n{body}\n...\n")
    parts += [chapter.text for chapter in proj.chapters]
    return "\n\n".join(parts) + "\n"


RESOLVED_BIB = ".bibliography.bib"  # in build/, only while pandoc reads it


def _bibliographies(proj: Project) -> list[str]:
    """The files pandoc reads: the project's, or one resolved .bib for all BibTeX files."""
    from presswork.bibinput import resolved_bibtex

    files = [source.path for source in proj.reference_files]
    bib = [(s.path, s.text) for s in proj.reference_files if s.path.lower().endswith(".bib")]
    text = resolved_bibtex(bib)
    if text is None:
        return files
    target = proj.build_dir / RESOLVED_BIB
    write_atomic(target, text.encode("utf-8"))
    return [str(target.resolve()), *(path for path in files if not path.lower().endswith(".bib"))]


def _project_styles(proj: Project, strict: bool) -> list[str]:
    """Without --style: the `styles` setting, else the metadata's `csl:` as pandoc would."""
    if "csl" not in proj.metadata or proj.settings.styles != DEFAULT_STYLES:
        return list(proj.settings.styles)
    name, reason = styles.metadata_style(proj.metadata["csl"], proj.root, proj.settings.styles_dir)
    if name is not None:
        return [name]
    file, line = proj.metadata_sources.where("csl") or (None, None)
    problem = PressworkError(
        f"metadata 'csl: {proj.metadata['csl']}' ignored: {reason}", file, line
    )
    if strict:
        raise InputError(problem.message, file, line)
    proj.problems.append(problem)
    return list(proj.settings.styles)


def _citeproc_metadata(proj: Project, ast: dict[str, Any], style: styles.Style) -> dict[str, str]:
    """presswork's defaults for citeproc, where the author's metadata says nothing.

    `--metadata` overrides the document, so an author's `reference-section-title` or
    `link-citations` must not be passed over; a manuscript ending with its own heading
    ("# References") gets the bibliography under it, not under a second heading.
    """
    found = {"lang": proj.lang}
    blocks = ast.get("blocks", [])
    own_heading = bool(blocks) and blocks[-1].get("t") == "Header"
    if "reference-section-title" not in proj.metadata and not own_heading:
        found["reference-section-title"] = _bibliography_title(style, proj.lang)
    if "link-citations" not in proj.metadata:
        found["link-citations"] = "true"
    return found


def _render_style(
    proj: Project,
    ast: dict[str, Any],
    style: styles.Style,
    targets: list[Target],
    epoch: int,
    pool: Executor | None,
    report: BuildReport,
    reporter: Reporter,
    bibliographies: list[str],
) -> dict[Target, bytes]:
    cited, warnings = pandoc.citeproc(
        ast, style.path, bibliographies, proj.root, _citeproc_metadata(proj, ast, style)
    )
    report.warnings.extend(f"{style.name}: {w}" for w in warnings)
    doc = StyleDocument(
        root=proj.root,
        name=proj.name,
        style_name=style.name,
        style_title=style.title,
        uses_notes=style.uses_notes,
        ast=cited,
        lang=proj.lang,
        source_date_epoch=epoch,
        pool=pool,
        settings={
            "pdf_variant": proj.settings.pdf_variant,
            "url": proj.settings.url,
            "pdf_url": proj.settings.pdf_url,
            "cite_styles": effective_cite_styles(proj.settings),
            "styles_dir": proj.settings.styles_dir,
            "metadata_files": proj.metadata_files,
        },
        references=proj.references,
    )
    results: dict[Target, bytes] = {}
    for target in targets:
        reporter("start", {"target": target})
        started = time.perf_counter()
        try:
            results[target] = target.format.render(doc)
        except PressworkError as exc:
            report.outcomes.append(
                Outcome(target, "failed", time.perf_counter() - started, str(exc))
            )
            reporter("failed", {"target": target, "error": str(exc)})
            continue
        seconds = time.perf_counter() - started
        report.outcomes.append(Outcome(target, "built", seconds))
        reporter("built", {"target": target, "seconds": seconds})
    return results


DEEP_AST_LIMIT = 50_000


@contextlib.contextmanager
def deep_documents(where: str | None = None) -> Iterator[None]:
    """Let Python follow deep ASTs: lists nested 200 deep are about 1,000 levels of JSON.

    Past the limit, one clear error instead of a RecursionError traceback.
    """
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, DEEP_AST_LIMIT))
    try:
        yield
    except RecursionError:
        raise InputError(
            "the manuscript nests too deeply (lists, quotes or notes inside each other); "
            "flatten the deepest structure",
            where,
        ) from None
    finally:
        sys.setrecursionlimit(previous)


def build(
    root: Path | str = ".",
    format_names: list[str] | None = None,
    style_names: list[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    strict: bool = False,
    reporter: Reporter = _quiet,
) -> BuildReport:
    """Build the project's outputs; raises InputError before touching build/ if input is bad."""
    with deep_documents(_manuscript_dir(Path(root))), workers.stop_signals():
        return _build(root, format_names, style_names, jobs, force, strict, reporter)


def _manuscript_dir(root: Path) -> str:
    """The manuscript folder as settings name it, for an error about the whole manuscript."""
    from presswork import settings as settings_mod

    try:
        return settings_mod.load(root).manuscript_dir
    except PressworkError:
        return "manuscript"  # the settings' own error is raised by the build itself


def _build(
    root: Path | str,
    format_names: list[str] | None,
    style_names: list[str] | None,
    jobs: int | None,
    force: bool,
    strict: bool,
    reporter: Reporter,
) -> BuildReport:
    pandoc.resume()  # a build in the same process after an interrupted one (pandoc.version)
    proj = project_mod.load(Path(root))
    format_names = format_names or list(proj.settings.formats)
    # Styles the user named may be anywhere; the project's must be inside it.
    settings_file = None if style_names else (proj.settings.source or "presswork.toml")
    style_names = style_names or _project_styles(proj, strict)
    jobs = max(1, jobs or os.cpu_count() or 1)
    epoch = source_date_epoch(proj.root, proj.metadata)
    targets = plan(proj, format_names, style_names, epoch, settings_file)
    report = BuildReport()

    # A build folder that is a symlink (or under one), or not a folder: refused before any write.
    confine.build_folder(proj.root, proj.settings.build_dir)
    with workers.locked(proj.build_dir):
        for style_dir in sorted({target.path.parent for target in targets}):
            shown = f"{proj.settings.build_dir}/{style_dir.as_posix()}"
            confine.safe_dir(proj.build_dir / style_dir, proj.build_dir, shown, create=False)
        remove_stale_temporaries(proj.build_dir)
        # Only what this presswork wrote here counts as built: a planted output or manifest
        # (committed to build/, or a cache restored) is dropped, in memory only.
        stamps = buildtrust.read_stamps(proj.build_dir)
        manifest = buildtrust.trusted_entries(
            proj.build_dir, read_manifest(proj.build_dir), stamps, MANIFEST
        )
        todo = []
        kept: list[dict[str, Any]] = []  # warnings stored with the up-to-date targets
        for target in targets:
            entry = manifest.get(target.path.as_posix())
            current = proj.build_dir / target.path
            if (
                not force
                and entry is not None
                and entry.get("key") == target.key
                and current.is_file()
                and not current.is_symlink()  # an earlier output is never a link out of build/
                and current.stat().st_size == entry.get("size")
            ):
                report.outcomes.append(Outcome(target, "unchanged"))
                reporter("unchanged", {"target": target})
                kept += [w for w in _warnings(entry) if w not in kept]
            else:
                todo.append(target)
        if not todo:
            # Up to date is not clean: the warnings of the build that made these still hold.
            _replay(kept, strict, report, reporter)
            return report

        from presswork.guards import check_manuscript  # lazy: no-change builds skip the lint

        footnote_problems = check_manuscript(proj)  # before pandoc: it may refuse the input
        if any(target.format.name == "pdf" for target in todo):
            from presswork.lint.glyphs import build_problems  # characters the PDF cannot print

            footnote_problems += build_problems(proj)
        pandoc.set_timeout(proj.settings.pandoc_timeout)
        try:
            ast = pandoc.parse_markdown(_markdown(proj), proj.root)
        except pandoc.TimedOut as exc:  # the input's doing: exit 2, with what to look for
            raise InputError(
                f"{exc.message} reading the manuscript; pandoc stalls on some Markdown "
                "(deeply nested brackets, unclosed fenced divs): `presswork lint` finds some"
            ) from None
        # Before citeproc: `@fig:x` is a link with a number, never a citation.
        # Lazy, as the guard above: a no-change build needs none of these.
        from presswork import crossref
        from presswork.citations import check_citations, check_cited_limit
        from presswork.i18n import mark_directions

        crossref_problems = crossref.apply(proj, ast)
        # `@DOI:10.1/X` and aliases -> the frozen entry's id; a missing one is a warning.
        identifier_problems = identifiers.resolve_ast(proj, ast)
        check_cited_limit(proj, ast, list({t.style.name: t.style for t in todo}.values()))
        problems = (
            proj.problems
            + check_citations(proj, ast)
            + identifier_problems
            + footnote_problems
            + crossref_problems
            + proj.metadata_files.warnings
        )
        if proj.title_missing:  # pandoc builds without one; the outputs show no title
            where = proj.metadata_file.path if proj.metadata_file else proj.chapters[0].path
            problems.append(PressworkError("the metadata has no 'title'", where))
        # Every format renders from the sanitized AST: nothing outside the project, no script.
        ast, removed = sanitize.sanitize(ast, proj.root)
        ast = mark_directions(ast, proj.lang)  # dir="rtl" on Arabic or Hebrew spans and divs
        # The project read the metadata's bibliography files (inside the project) and passes
        # them by name; pandoc would look for them from the project root only.
        ast.get("meta", {}).pop("bibliography", None)
        metafiles.strip(ast.get("meta", {}))  # read by presswork, put in by the formats
        metadata = [proj.metadata_file] if proj.metadata_file is not None else []
        metadata += proj.chapters  # YAML blocks of the chapters are metadata too
        problems += sanitize.as_errors(removed, proj.chapters, metadata)
        for problem in problems:
            if strict:
                raise InputError(problem.message, problem.file, problem.line, problem.column)
            report.warnings.append(str(problem))
            reporter("warning", {"message": str(problem)})

        by_style = _schedule(todo)
        pdf_count = sum(1 for t in todo if t.format.name == "pdf")
        pool, stop = workers.process_pool(jobs) if pdf_count > 1 and jobs > 1 else (None, None)
        # With a pool, style threads mostly wait (for pandoc or a PDF worker): one per style
        # keeps pandoc busy while the workers lay out PDFs; the pool caps the CPU work.
        threads = len(by_style) if pool is not None else min(jobs, len(by_style))
        bibliographies = _bibliographies(proj)
        tasks = [
            (proj, ast, group[0].style, group, epoch, pool, report, reporter, bibliographies)
            for group in by_style.values()
        ]
        results: dict[Target, bytes] = {}
        try:
            for future in workers.in_threads(_render_style, tasks, threads):
                results.update(future.result())
        except BaseException:  # Ctrl-C: stop the work in flight; the threads are not awaited
            workers.stop_all(stop)
            raise
        finally:
            # On Ctrl-C too: a worker still starting must find the stop event alive (it exits
            # at once); this waits for it, up to about a second while the fork server starts.
            if pool is not None:
                pool.shutdown(cancel_futures=True)
            with contextlib.suppress(FileNotFoundError):
                (proj.build_dir / RESOLVED_BIB).unlink()

        stored = [_stored(p) for p in problems]
        with workers.interrupts_deferred():
            _commit(proj.build_dir, todo, results, manifest, stamps, stored, report.warnings)
        # Styles not rebuilt keep their own warnings (the manuscript's are found again above).
        _replay([w for w in kept if not w.get("strict")], False, report, reporter)
    if report.failed:
        first = report.failed[0]
        raise BuildError(
            f"{len(report.failed)} target(s) failed; first: {first.target.path}: {first.error}"
        )
    return report


def _warnings(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The warnings an entry stored; anything else in their place is not a warning."""
    found = entry.get("warnings")
    return [w for w in found if isinstance(w, dict)] if isinstance(found, list) else []


def _stored(problem: PressworkError) -> dict[str, Any]:
    """A manuscript warning as the manifest keeps it; `strict` ones fail a --strict build."""
    where = {"file": str(problem.file) if problem.file is not None else None}
    where |= {"line": problem.line, "column": problem.column}
    return {"message": problem.message, **where, "strict": True}


def _replay(
    kept: list[dict[str, Any]], strict: bool, report: BuildReport, reporter: Reporter
) -> None:
    """Show stored warnings again; under --strict the manuscript's fail the build (exit 2)."""
    for warning in kept:
        problem = PressworkError(
            str(warning.get("message", "")),
            warning.get("file"),
            warning.get("line"),
            warning.get("column"),
        )
        if strict and warning.get("strict"):
            raise InputError(problem.message, problem.file, problem.line, problem.column)
        if str(problem) not in report.warnings:
            report.warnings.append(str(problem))
            reporter("warning", {"message": str(problem)})


def _commit(
    build_dir: Path,
    todo: list[Target],
    results: dict[Target, bytes],
    manifest: dict[str, Any],
    stamps: dict[str, buildtrust.Stamp],
    problems: list[dict[str, Any]],
    style_warnings: list[str],
) -> None:
    """Write the outputs and the manifest so that, killed at any moment, every entry is true.

    Each entry keeps the warnings its output was built with, shown again while it is current.
    Nothing rendered, nothing written: a failed build leaves build/ as it found it.
    """
    written = [target for target in todo if target in results]
    if not written:
        return
    # First forget the entries about to change: a kill between two renames leaves no stale sha.
    if any(target.path.as_posix() in manifest for target in written):
        for target in written:
            manifest.pop(target.path.as_posix(), None)
        _save_manifest(build_dir, manifest, stamps)
    for target in written:
        data = results[target]
        confine.safe_dir(build_dir / target.path.parent, build_dir, target.path.parent.as_posix())
        write_atomic(build_dir / target.path, data)
        buildtrust.record(build_dir, stamps, target.path.as_posix())
        manifest[target.path.as_posix()] = {
            "path": target.path.as_posix(),
            "style": target.style.name,
            "format": target.format.name,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "key": target.key,
        }
        prefix = f"{target.style.name}: "
        warnings = list(problems) + [
            {"message": w, "strict": False} for w in style_warnings if w.startswith(prefix)
        ]
        if warnings:
            manifest[target.path.as_posix()]["warnings"] = warnings
    _save_manifest(build_dir, manifest, stamps)


def _save_manifest(
    build_dir: Path, manifest: dict[str, Any], stamps: dict[str, buildtrust.Stamp]
) -> None:
    """The manifest, then the stamps of it and of the outputs it lists (and of nothing else).

    Killed between the two, the manifest's stamp is wrong: the next build trusts no entry and
    rebuilds everything, which is slow but never wrong.
    """
    write_manifest(build_dir, manifest)
    buildtrust.record(build_dir, stamps, MANIFEST)
    keep = {MANIFEST, *manifest}
    for name in [name for name in stamps if name not in keep]:
        del stamps[name]
    buildtrust.write_stamps(build_dir, stamps)


def _schedule(todo: list[Target]) -> dict[str, list[Target]]:
    """Targets grouped by style, the critical path first.

    Notes styles first (their PDFs take about twice as long), and within a style the PDF
    first, so the process pool starts at once and pandoc's work fills the gaps.
    """
    ordered = sorted(
        todo, key=lambda t: (not t.style.uses_notes, t.format.name != "pdf")
    )  # sorted() is stable: the user's style order breaks ties
    groups: dict[str, list[Target]] = {}
    for target in ordered:
        groups.setdefault(target.style.name, []).append(target)
    return groups
