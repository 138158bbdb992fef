"""SARIF good enough for GitHub code scanning: valid 2.1.0, and every rule explained.

The schema is OASIS's SARIF 2.1.0 JSON schema (tests/data, as shipped with Microsoft's SARIF
multitool, MIT): jsonschema cannot fetch it offline. GitHub's own rules (the multitool's
`validate --rule-kind Gh`) run when PRESSWORK_SARIF_MULTITOOL names the multitool's binary
(.ci/run installs it from npm and sets it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import jsonschema
import pytest
from test_lint_report import FINDINGS

from presswork.cli import main
from presswork.lint import Finding, Severity
from presswork.lint.docs import parts, rules_markdown
from presswork.lint.registry import all_rules
from presswork.lint.report import sarif

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "sarif-2.1.0.json"
URLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]


@pytest.fixture(scope="module")
def document() -> dict:  # type: ignore[type-arg]
    return json.loads(sarif(FINDINGS, prefix="paper/"))


def test_valid_against_the_sarif_2_1_0_schema(document: dict) -> None:  # type: ignore[type-arg]
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    broken = json.loads(json.dumps(document))
    broken["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = 5
    assert list(validator.iter_errors(broken))  # the schema does check what it is given


def _absolute(uri: str) -> bool:
    parsed = urlparse(uri)
    return parsed.scheme == "https" and bool(parsed.netloc)


def test_every_rule_has_what_code_scanning_shows(document: dict) -> None:  # type: ignore[type-arg]
    # GitHub's documented requirements (docs.github.com, "SARIF support for code scanning"):
    # a rule's shortDescription, fullDescription, help (text, markdown) and helpUri;
    # the driver's name, version and informationUri; results with a ruleId, a message
    # and a physical location relative to the repository, lines from 1.
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "presswork" and driver["version"]
    # The addresses are pyproject.toml's [project.urls], not copies in the code.
    assert driver["informationUri"] == URLS["Documentation"] and _absolute(URLS["Documentation"])
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [rule.id for rule in all_rules()]
    for rule, entry in zip(all_rules(), rules, strict=True):
        summary, _explanation, bad, good = parts(rule)
        assert entry["shortDescription"]["text"] == summary
        assert entry["fullDescription"]["text"].startswith(summary)
        assert bad.splitlines()[0] in entry["help"]["text"]
        assert good.splitlines()[-1] in entry["help"]["markdown"]
        assert "Bad:" in entry["help"]["markdown"] and "Good:" in entry["help"]["markdown"]
        assert _absolute(entry["helpUri"])
        assert entry["helpUri"] == URLS["Lint rules"] + "#" + rule.id.replace("/", "")
    for result in document["runs"][0]["results"]:
        assert result["message"]["text"] and result["ruleId"] in {r["id"] for r in rules}
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["region"]["startLine"] >= 1


def _mkdocs_anchor(heading: str) -> str:
    """The id Python-Markdown's toc extension (mkdocs' default) gives a heading."""
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def test_every_help_uri_anchor_exists_in_the_generated_rule_reference(
    document: dict,  # type: ignore[type-arg]
) -> None:
    generated = rules_markdown()
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == generated  # the published page is this one
    anchors = {_mkdocs_anchor(line[3:]) for line in generated.splitlines() if line[:3] == "## "}
    assert _mkdocs_anchor("footnote/undefined") == "footnoteundefined"
    page = URLS["Lint rules"]
    for entry in document["runs"][0]["tool"]["driver"]["rules"]:
        address, _, anchor = entry["helpUri"].partition("#")
        assert address == page and anchor in anchors, entry["helpUri"]
    # page: the docs/rules.md page as mkdocs publishes it (use_directory_urls)
    assert page == URLS["Documentation"] + "rules/"
    assert "  - Lint rules: rules.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_artifact_uris_are_relative_and_encoded(tmp_path: Path) -> None:
    base = tmp_path / "dépôt avec espaces"
    name = "manuscript/chapitre été 1.md"
    finding = Finding("date/weekday", Severity.WARNING, name, 3, 1, "wrong day", None)
    run = json.loads(sarif([finding], prefix="paper #2/", base=base))["runs"][0]
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == base.as_uri() + "/" and "%20" in root and "%C3%A9" in root
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {
        "uri": "paper%20%232/manuscript/chapitre%20%C3%A9t%C3%A9%201.md",
        "uriBaseId": "%SRCROOT%",
    }
    # Resolved against its base, the URI names the file again (the `#` is no fragment).
    resolved = urlparse(urljoin(root, location["uri"]))
    assert resolved.scheme == "file" and not resolved.fragment
    assert Path(unquote(resolved.path)) == base / "paper #2" / name


def test_the_lint_command_bases_its_uris_where_it_ran(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paper = _paper_with_a_finding(tmp_path / "repo" / "my paper")
    monkeypatch.chdir(tmp_path / "repo")
    main(["lint", "my paper", "--format", "sarif"])
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "repo").as_uri() + "/"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"my%20paper/manuscript/01-%C3%A9t%C3%A9.md"}
    # Run from elsewhere, the project's own directory is the base: no `../` in a URI.
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    main(["lint", str(paper), "--format", "sarif"])
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == paper.as_uri() + "/"
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "manuscript/01-%C3%A9t%C3%A9.md"


def _paper_with_a_finding(root: Path) -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "metadata.yaml").write_text("title: Paper\nlang: en-US\n")
    (root / "manuscript" / "01-été.md").write_text("# Start\n\nA note.[^gone]\n", "utf-8")
    return root


@pytest.fixture(scope="module")
def multitool() -> Path:
    """Microsoft's SARIF multitool (a .NET program from npm), as PRESSWORK_SARIF_MULTITOOL names
    it; a skip without it (CI sets it: .ci/run)."""
    named = os.environ.get("PRESSWORK_SARIF_MULTITOOL")
    if not named:
        pytest.skip("PRESSWORK_SARIF_MULTITOOL is not set (npm: @microsoft/sarif-multitool)")
    tool = Path(named)
    assert tool.is_file() and os.access(tool, os.X_OK), f"{tool}: not an executable file"
    return tool


def _validate(multitool: Path, log: Path, tmp_path: Path) -> list[str]:
    """The multitool's findings on a log, by GitHub's rules (Gh) and SARIF's own."""
    out = tmp_path / (log.stem + ".validation.sarif")
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1", "HOME": str(tmp_path)}
    command = [str(multitool), "validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning"]
    command += ["--log", "ForceOverwrite", "-o", str(out), str(log)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    # Its exit code is 0 whatever it finds (without --rich-return-code): the log says.
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"]
    return [f"{r['ruleId']}: {r['message'].get('arguments', r['message'])}" for r in found]


def test_github_rules_of_the_sarif_multitool(
    multitool: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paper = _paper_with_a_finding(tmp_path / "my paper")
    assert main(["lint", str(paper), "--format", "sarif", "-o", str(tmp_path / "lint.sarif")]) == 1
    log = json.loads((tmp_path / "lint.sarif").read_text(encoding="utf-8"))
    assert log["runs"][0]["results"]  # a real finding, at a path with a space and an é
    assert _validate(multitool, tmp_path / "lint.sarif", tmp_path) == []

    # The check can fail (GitHub's rules did run): a rule without help, a result without
    # a location.
    del log["runs"][0]["tool"]["driver"]["rules"][0]["help"]
    del log["runs"][0]["results"][0]["locations"]
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps(log), encoding="utf-8")
    problems = _validate(multitool, broken, tmp_path)
    assert {problem.split(":")[0] for problem in problems} >= {"GH1015", "GH2012"}, problems


def test_without_addresses_in_the_metadata_no_link_is_made_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # presswork run from a bare source tree: no installed metadata, so no [project.urls].
    from presswork.lint import report

    monkeypatch.setattr(report, "project_urls", dict)
    driver = json.loads(sarif(FINDINGS))["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    for rule in driver["rules"]:
        assert "helpUri" not in rule and "rule reference](" not in rule["help"]["markdown"]
        assert rule["help"]["markdown"].endswith("~~~\n")


def test_metadata_older_than_the_urls_falls_back_to_the_checkout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An editable install made before [project.urls] existed: its metadata has none.
    from importlib import metadata

    from presswork.lint import report

    class Old(dict):  # type: ignore[type-arg]
        def get_all(self, name: str) -> None:
            return None

    monkeypatch.setattr(metadata, "metadata", lambda name: Old())
    report.project_urls.cache_clear()
    try:
        assert report.project_urls() == URLS
    finally:
        report.project_urls.cache_clear()
