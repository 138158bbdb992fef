"""`presswork new`: a project from the template that builds and lints clean at once."""

from __future__ import annotations

import argparse
import ast
import base64
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import presswork
import presswork.new
from helpers import pdf_text
from presswork import __version__
from presswork.errors import InputError
from presswork.new import add_new_arguments, create, run_new_command


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_new_arguments(parser)
    return parser.parse_args(argv)


def test_new_project_has_every_file(tmp_path: Path) -> None:
    root = create(tmp_path / "my-paper", title='On "Type": a Study')
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == [
        ".github/workflows/manuscript.yml",
        ".gitignore",
        "README.md",
        "manuscript/01-introduction.md",
        "manuscript/metadata.yaml",
        "noxfile.py",
        "presswork.toml",
        "references/references.bib",
        f"vendor/presswork-{__version__}-py3-none-any.whl",
    ]
    metadata = yaml.safe_load((root / "manuscript" / "metadata.yaml").read_text("utf-8"))
    assert metadata["title"] == 'On "Type": a Study'
    assert 'name = "my-paper"' in (root / "presswork.toml").read_text("utf-8")
    assert "build/" in (root / ".gitignore").read_text("utf-8").splitlines()
    noxfile = (root / "noxfile.py").read_text("utf-8")
    ast.parse(noxfile)
    assert "__" + "PRESSWORK_SPEC__" not in noxfile
    # The tests run from a checkout (editable install): the project gets a copy of it.
    assert '"./vendor/presswork-' in noxfile
    workflow = yaml.safe_load((root / ".github/workflows/manuscript.yml").read_text("utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = {step.get("uses", "").split("@")[0] for step in steps}
    assert {"github/codeql-action/upload-sarif", "actions/upload-artifact"} <= uses
    assert any("nox -s build" in step.get("run", "") for step in steps)
    assert not list(root.rglob("*__*__*")), "a placeholder was left in a file name"
    for path in root.rglob("*"):
        if path.is_file() and path.suffix != ".whl":
            text = path.read_text("utf-8")
            assert "__TITLE" not in text and "__NAME__" not in text, path


def test_default_title_comes_from_the_directory(tmp_path: Path) -> None:
    root = create(tmp_path / "soviet_decisions-1968")
    metadata = yaml.safe_load((root / "manuscript" / "metadata.yaml").read_text("utf-8"))
    assert metadata["title"] == "Soviet decisions 1968"


def test_refuses_a_non_empty_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.md").write_text("mine")
    with pytest.raises(InputError, match="not an empty directory") as caught:
        run_new_command(_args(str(tmp_path / "taken")))
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)
    assert (tmp_path / "taken" / "notes.md").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    assert run_new_command(_args(str(tmp_path / "empty"), "--title", "T")) == 0
    assert "created" in capsys.readouterr().err


def test_the_template_lints_clean(tmp_path: Path) -> None:
    lint = pytest.importorskip("presswork.lint", reason="the linter is not installed")
    from presswork.project import load

    findings = lint.run_lint(load(create(tmp_path / "paper")))
    assert [str(f.to_dict()) for f in findings] == []


@pytest.mark.slow
def test_a_new_project_builds_at_once(tmp_path: Path) -> None:
    from presswork.build import build

    root = create(tmp_path / "first-paper", title="Literate Manuscripts")
    report = build(root, format_names=["html", "pdf"], style_names=["apa"], jobs=2)
    assert {o.status for o in report.outcomes} == {"built"} and not report.warnings
    text = " ".join(pdf_text(root / "build" / "apa" / "first-paper.pdf").split())
    assert "Literate Manuscripts" in text
    assert "(Knuth, 1984, p. 97)" in text and "(Bringhurst, 2004; Knuth, 1984)" in text
    assert "Knuth, D. E. (1984). Literate programming." in text  # the bibliography
    html = (root / "build" / "apa" / "first-paper.html").read_text("utf-8")
    assert "Literate Manuscripts" in html and "Knuth, 1984" in html


def test_the_project_installs_the_presswork_that_made_it(tmp_path: Path) -> None:
    """From a checkout, the noxfile's requirement is a wheel of this very presswork."""
    root = create(tmp_path / "paper")
    source = (root / "noxfile.py").read_text("utf-8")
    requirement = next(
        ast.literal_eval(node.value.args[1])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PRESSWORK"
    )
    wheel = root / requirement
    assert wheel.is_file()
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = f"presswork-{__version__}.dist-info"
        record = archive.read(f"{info}/RECORD").decode().splitlines()
        for line in record:  # every file listed with its true hash and size, as pip checks
            name, digest, size = line.rsplit(",", 2)
            if name == f"{info}/RECORD":
                continue
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == f"sha256={expected.decode()}" and int(size) == len(data), name
        assert len(record) == len(names)
        assert "Tag: py3-none-any" in archive.read(f"{info}/WHEEL").decode()
        assert "presswork.cli:main" in archive.read(f"{info}/entry_points.txt").decode()
        assert "Requires-Dist: weasyprint" in archive.read(f"{info}/METADATA").decode()
    package = Path(presswork.__file__).parent
    shipped = {n for n in names if n.startswith("presswork/")}
    assert f"presswork/{Path(presswork.new.__file__).name}" in shipped
    assert "presswork/assets/print.css" in shipped
    assert len(shipped) == sum(
        1 for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    # The wheel's code runs: imported from the wheel itself, ahead of the checkout.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import presswork.cli as c; "
        "assert c.__file__.startswith(sys.argv[1]), c.__file__; "
        "sys.exit(c.main(['rules']))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(wheel)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("footnote/undefined")
    assert create(tmp_path / "again").joinpath(requirement).read_bytes() == wheel.read_bytes()


def _noxfile_requirement(root: Path) -> str:
    source = (root / "noxfile.py").read_text("utf-8")
    return next(
        ast.literal_eval(node.value.args[1])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PRESSWORK"
    )


def test_the_project_install_command_resolves_offline(tmp_path: Path) -> None:
    """What the noxfile's session.install runs, resolved by uv (nox's installer) offline,
    from the project's directory as in its CI: the requirement names a file that is there,
    and every dependency it declares resolves (against the packages this environment has)."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (nox[uv] brings it)")
    root = create(tmp_path / "paper")
    requirement = _noxfile_requirement(root)

    def dry_run() -> subprocess.CompletedProcess[str]:
        command = [uv, "pip", "install", "--dry-run", "--offline", "--python", sys.executable]
        return subprocess.run(
            [*command, requirement], cwd=root, capture_output=True, text=True, timeout=120
        )

    resolved = dry_run()
    assert resolved.returncode == 0, resolved.stderr
    assert f"+ presswork @ {(root / requirement).resolve().as_uri()}" in resolved.stderr
    # The README says how to change it.
    readme = (root / "README.md").read_text("utf-8")
    assert "## Which presswork" in readme and "PRESSWORK_SPEC" in readme
    # Without the committed wheel, nothing would install: the check can fail.
    (root / requirement).unlink()
    assert dry_run().returncode != 0


def test_installed_from_git_or_an_index_it_pins_that(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    from presswork import new

    class Dist:
        def __init__(self, direct: str | None) -> None:
            self.direct = direct

        def read_text(self, name: str) -> str | None:
            return self.direct

    git = '{"url": "https://example.org/presswork.git", "vcs_info": {"vcs": "git", '
    git += '"commit_id": "abc123"}}'
    monkeypatch.setattr(metadata, "distribution", lambda name: Dist(git))
    assert new.presswork_requirement() == (
        "presswork @ git+https://example.org/presswork.git@abc123"
    )
    monkeypatch.setattr(metadata, "distribution", lambda name: Dist(None))
    assert new.presswork_requirement() == f"presswork=={__version__}"


def test_article_template_is_a_stem_starter_that_builds_with_its_math(tmp_path: Path) -> None:
    from presswork.build import build

    root = create(tmp_path / "paper", title="Damping", template="article")
    assert (root / "figures" / "decay.svg").is_file()
    assert (root / "noxfile.py").is_file()  # the default template's other files come along
    chapter = (root / "manuscript" / "01-introduction.md").read_text("utf-8")
    for mark in (
        "{#eq:energy}",
        "{#fig:decay}",
        "{#tbl:regimes}",
        "@eq:energy",
        "\\begin{pmatrix}",
    ):
        assert mark in chapter
    build(root, format_names=["html", "pdf"], style_names=["apa"], jobs=1)
    html = (root / "build" / "apa" / "paper.html").read_text("utf-8")
    assert html.count("<math ") >= 8 and "<mtable>" in html
    text = pdf_text(root / "build" / "apa" / "paper.pdf")
    assert "A damped oscillator of mass" in text
    assert "\\frac" not in text and "\\zeta" not in text and "$" not in text
    # The cross-references resolve (xref): numbered, capitalised at a sentence's start.
    # the number is tied to its prefix; a justified line's wide spaces extract as several
    text = re.sub(r"[ \xa0]+", " ", text)
    assert "Fig. 1 shows" in text and "Figure 1:" in text and "eq. 1" in text
    assert "Table 1:" in text and "(1)" in text and "?" not in text.split("References")[0]


def test_template_choice_on_the_command_line(tmp_path: Path) -> None:
    assert _args(str(tmp_path / "x")).template == "default"
    assert run_new_command(_args(str(tmp_path / "x"), "--template", "article")) == 0
    assert (tmp_path / "x" / "figures" / "decay.svg").is_file()
    with pytest.raises(SystemExit):
        _args(str(tmp_path / "y"), "--template", "nosuch")
