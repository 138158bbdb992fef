"""SARIF good enough for GitHub code scanning: valid 2.1.0, and every rule explained.

The schema is OASIS's SARIF 2.1.0 JSON schema (tests/data, as shipped with Microsoft's SARIF
multitool, MIT): jsonschema cannot fetch it offline. GitHub's own rules (the multitool's
`validate --rule-kind Gh`) run too when npm can install the multitool.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import jsonschema
import pytest
from test_lint_report import FINDINGS

from presswork.lint.docs import parts
from presswork.lint.registry import all_rules
from presswork.lint.report import DOCS_URL, sarif

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-2.1.0.json"
MULTITOOL = "@microsoft/sarif-multitool-linux@5.7.0"


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
    assert driver["informationUri"] == DOCS_URL and _absolute(DOCS_URL)
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
        assert entry["helpUri"].endswith("rules/#" + rule.id.replace("/", ""))
    for result in document["runs"][0]["results"]:
        assert result["message"]["text"] and result["ruleId"] in {r["id"] for r in rules}
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1


def test_the_rule_anchors_exist_in_the_rule_reference() -> None:
    reference = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text()
    for rule in all_rules():
        assert f"(#{rule.id.replace('/', '')})" in reference and f"## {rule.id}\n" in reference


@pytest.fixture(scope="module")
def multitool(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Microsoft's SARIF multitool (a .NET program, from npm) in pytest's cache; or a skip."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the SARIF multitool comes from the npm registry")
    cache = getattr(request.config, "cache", None)
    prefix = (
        cache.mkdir("sarif-multitool") if cache is not None else tmp_path_factory.mktemp("sarif")
    )
    tool = prefix / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
    if not tool.is_file():
        command = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", MULTITOOL]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        if proc.returncode != 0 or not tool.is_file():
            pytest.skip(f"npm could not install {MULTITOOL}: {proc.stderr.strip()[-300:]}")
    tool.chmod(0o755)
    return tool


def test_github_rules_of_the_sarif_multitool(multitool: Path, tmp_path: Path) -> None:
    log = tmp_path / "lint.sarif"
    log.write_text(sarif(FINDINGS, prefix="paper/"), encoding="utf-8")
    out = tmp_path / "validation.sarif"
    env = {"DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1", "HOME": str(tmp_path)}
    command = [str(multitool), "validate", "--rule-kind", "Gh;Sarif", "-o", str(out), str(log)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"]
    problems = [f"{r['ruleId']}: {r['message'].get('text', r['message'])}" for r in found]
    assert problems == []
