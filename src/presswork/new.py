"""`presswork new DIR`: a manuscript project from the bundled template, ready to build."""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from pathlib import Path

from presswork import __version__
from presswork.errors import InputError

TEMPLATE = Path(__file__).parent / "templates" / "new-project"
# Other starters: folders whose files replace or add to the default template's.
TEMPLATES = {"default": None, "article": Path(__file__).parent / "templates" / "article"}
# Files that start with a dot are stored as "dot-NAME", so that packaging and git keep them.
_DOT = "dot-"


VENDOR = "vendor"  # the folder of a new project that holds a copy of presswork, if needed


def presswork_requirement() -> str:
    """A pip requirement for the running presswork that the new project's CI can install.

    Installed from git: that repository at that commit. Installed from an index: its version.
    Installed from a folder or a file on this machine (a checkout, editable): neither exists
    on a CI runner, so the project gets this presswork as a wheel in vendor/ (write_vendored).
    """
    from importlib import metadata

    from presswork.wheel import wheel_name

    try:
        direct = json.loads(metadata.distribution("presswork").read_text("direct_url.json") or "0")
    except (metadata.PackageNotFoundError, ValueError):
        direct = None
    if isinstance(direct, dict) and isinstance(direct.get("url"), str):
        url, vcs = direct["url"], direct.get("vcs_info")
        if isinstance(vcs, dict) and vcs.get("vcs") == "git":
            url = f"git+{url}@{vcs['commit_id']}" if vcs.get("commit_id") else f"git+{url}"
            return f"presswork @ {url}"
        if not url.startswith("file:"):
            return f"presswork @ {url}"  # an archive on a server
        return f"./{VENDOR}/{wheel_name()}"
    return f"presswork=={__version__}"


def slug(text: str) -> str:
    """A file-name stem for the outputs: lower case, ASCII letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "manuscript"


def _substitutions(title: str, author: str, name: str) -> dict[str, str]:
    # A JSON string is also a valid YAML, TOML and Python string literal.
    return {
        '"__PRESSWORK_SPEC__"': json.dumps(presswork_requirement()),
        '"__NAME__"': json.dumps(name),
        "__NAME__": name,
        "__TITLE__": json.dumps(title, ensure_ascii=False),
        "__TITLE_TEXT__": title,
        "__AUTHOR__": json.dumps(author, ensure_ascii=False),
        "__DATE__": datetime.date.today().isoformat(),
    }


def create(
    directory: Path | str,
    title: str | None = None,
    author: str | None = None,
    template: str = "default",
) -> Path:
    """Copy the template into `directory` (new or empty); raises InputError otherwise."""
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError("already exists and is not an empty directory; choose a new one", target)
    name = slug(target.resolve().name)
    title = title or target.resolve().name.replace("-", " ").replace("_", " ").strip().capitalize()
    title = title or "Untitled manuscript"
    values = _substitutions(title, author or "Your Name", name)
    requirement = json.loads(values['"__PRESSWORK_SPEC__"'])
    # One pass, longest placeholder first: a value is never searched for another placeholder.
    placeholders = re.compile("|".join(map(re.escape, sorted(values, key=len, reverse=True))))
    overlay = TEMPLATES[template]
    files = {p.relative_to(TEMPLATE): p for p in TEMPLATE.rglob("*")}
    if overlay is not None:
        files.update({p.relative_to(overlay): p for p in overlay.rglob("*")})
    for relative, source in sorted(files.items()):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        parts = relative.parts
        destination = target.joinpath(
            *("." + p[len(_DOT) :] if p.startswith(_DOT) else p for p in parts)
        )
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = placeholders.sub(lambda m: values[m.group()], source.read_text(encoding="utf-8"))
        destination.write_text(text, encoding="utf-8", newline="\n")
    if requirement.startswith(f"./{VENDOR}/"):
        from presswork.wheel import write_wheel

        write_wheel(target / VENDOR)
    return target


def add_new_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", help="the new project's directory (must not exist, or be empty)")
    parser.add_argument("--title", help="the manuscript's title (default: from the directory name)")
    parser.add_argument("--author", help="the author's name (default: a placeholder)")
    parser.add_argument(
        "--template",
        choices=sorted(TEMPLATES),
        default="default",
        help="the starter: default (prose, notes, citations) or article (STEM: math, "
        "a numbered equation, a figure, a table and cross-references to them)",
    )


def run_new_command(args: argparse.Namespace) -> int:
    """Make the project and say what to do next."""
    target = create(args.dir, args.title, args.author, args.template)
    print(
        f"created {target}: a manuscript project (manuscript/, references/, presswork.toml, "
        f"noxfile.py, .github/workflows/)\nnext: cd {target} && presswork build",
        file=sys.stderr,
    )
    return 0
