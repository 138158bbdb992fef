"""CI that tells the truth: no green where a warning still holds or a checker did not run."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from presswork.cli import main

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    """A tiny project citing a key its references lack: a warning, an error under --strict."""
    root = tmp_path / "paper"
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text("title: A Small Paper\nlang: en-US\n")
    (root / "manuscript" / "01-body.md").write_text(
        "# Start\n\nAs shown [@doe2020, 4] and [@nobody1999].\n"
    )
    (root / "references" / "refs.bib").write_text(
        "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Title},\n"
        "  journal = {Journal},\n  year = {2020}\n}\n"
    )
    return root


def build(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["build", str(root), "-f", "html", "-s", "apa", *args])
    return code, capsys.readouterr().err


def test_strict_fails_an_up_to_date_build_whose_warnings_still_hold(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = build(paper, capsys)
    assert code == 0
    warning = "manuscript/01-body.md:3:29: citation '@nobody1999' is not in the references"
    assert warning in err

    manifest = json.loads((paper / "build" / "manifest.json").read_text())
    (entry,) = manifest["outputs"]
    assert entry["warnings"][0]["message"] == "citation '@nobody1999' is not in the references"

    code, err = build(paper, capsys)  # nothing changed: the warning is shown again
    assert code == 0
    assert "0 built, 1 up to date" in err
    assert warning in err

    code, err = build(paper, capsys, "--strict")
    assert code == 2
    assert f"presswork: error: {warning}" in err
    assert "up to date" not in err

    # Fixed, the warning is gone for good: the rebuilt entry holds none.
    body = paper / "manuscript" / "01-body.md"
    body.write_text(body.read_text().replace(" and [@nobody1999]", ""))
    assert build(paper, capsys, "--strict")[0] == 0
    code, err = build(paper, capsys, "--strict")
    assert code == 0
    assert "0 built, 1 up to date" in err
    assert "warning" not in err


def test_output_cut_short_ends_quietly() -> None:
    # `presswork styles | head -1`: the reader leaves after one line of thousands.
    command = [sys.executable, "-m", "presswork", "styles"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        err = process.stderr.read().decode()
        code = process.wait(timeout=120)
    assert first.startswith(b"2d-materials\t")
    assert err == ""  # no BrokenPipeError traceback, no "Exception ignored"
    assert code == 141  # what a shell reports for a writer whose reader left


LINT_CORPUS = ROOT / "tests" / "lint" / "corpus" / "flagship"  # a project with findings


@pytest.mark.parametrize(
    "args",
    [
        ["rules"],
        ["rules", "--format", "markdown"],
        ["lint", "--format", "json", str(LINT_CORPUS)],
        ["lint", "--format", "sarif", str(LINT_CORPUS)],
        ["lint", "--format", "github", str(LINT_CORPUS)],
        ["lint", str(LINT_CORPUS)],
    ],
    ids=["rules", "rules-markdown", "lint-json", "lint-sarif", "lint-github", "lint-text"],
)
def test_a_reader_gone_before_the_first_byte_ends_quietly(args: list[str]) -> None:
    # `presswork lint --format json | head -c 0`: the read end is closed before the child
    # (still starting Python) writes, so its first write fails, however short the output.
    command = [sys.executable, "-m", "presswork", *args]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        err = process.stderr.read().decode()
        code = process.wait(timeout=120)
    assert err == ""
    assert code == 141


def test_build_dir_naming_a_file_is_one_line_error(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (paper / "presswork.toml").write_text('build-dir = "out"\n')
    (paper / "out").write_text("not a folder")
    code, err = build(paper, capsys)
    assert code == 2
    assert err == (
        "presswork: error: presswork.toml: setting 'build-dir': 'out' is a file, not a folder; "
        "name a folder (it is made if missing)\n"
    )
    assert (paper / "out").read_text() == "not a folder"


def _normal(name: str) -> str:
    """A distribution name as PEP 503 compares them: PyYAML, pyyaml and py_yaml are one."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> tuple[set[str], set[str]]:
    """The distributions pyproject.toml requires, and those of the `check` extra."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(text)["project"]

    def names(requirements: list[str]) -> set[str]:
        return {_normal(re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0]) for r in requirements}

    return names(project["dependencies"]), names(project["optional-dependencies"]["check"])


def _undeclared(source: str, where: str, allowed: set[str]) -> list[str]:
    """The third-party modules a file imports (at any depth, absolute imports) that no
    allowed distribution provides, by the installed distributions' own top-level names."""
    provided = metadata.packages_distributions()
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top == "presswork":
                continue
            # Not installed here (tomli on Python 3.11+): its import name is its name.
            dists = {_normal(d) for d in provided.get(top, [top])}
            if not dists & allowed:
                found = ", ".join(sorted(dists))
                problems.append(f"{where}:{node.lineno}: '{top}' ({found}) is not declared")
    return problems


def test_every_import_of_the_package_is_a_declared_dependency() -> None:
    required, check_extra = _declared()
    problems = []
    for source in sorted((ROOT / "src" / "presswork").rglob("*.py")):
        if "templates" in source.parts:
            continue  # files copied into new projects, not imported by presswork
        # presswork check's validators come with the `check` extra; nothing else may use them.
        allowed = required | (check_extra if "check" in source.parts else set())
        where = str(source.relative_to(ROOT))
        problems += _undeclared(source.read_text(encoding="utf-8"), where, allowed)
    assert problems == []
    # The walk sees imports inside functions, and a module no declared distribution gives.
    assert _undeclared("def f():\n    import pypdf\n", "x.py", required) == [
        "x.py:2: 'pypdf' (pypdf) is not declared"
    ]
    assert _undeclared("import lxml.etree\n", "x.py", required - {"lxml"}) == [
        "x.py:1: 'lxml' (lxml) is not declared"
    ]
    assert _undeclared("from yaml import safe_load\n", "x.py", required) == []
    assert _undeclared("import requests\n", "x.py", required) == [
        "x.py:1: 'requests' (requests) is not declared"
    ]
