"""CI integrations: SARIF, GitLab Code Quality, several files in one call, the pre-commit
hook, the GitHub Action's audit step, and the core install without any model library."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from audit.catalog import CATALOG

from conftest import DEMO, ROOT, SHARED
from test_cli import mt_audit

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"

GERMAN = ("Die Armee rückte 40 Meilen vor. Ein Sprecher sagte, der Blitzkrieg sei vorbei.\n\n"
          "Am Montag gab es keine neuen Angriffe. Die Regierung \"bestätigte\" das.\n")
ENGLISH = ("The army advanced 40 miles. A spokesman said the blitz was over.\n\n"
           "There were no new attacks on Monday. The government confirmed it.\n")


def _sarif_schema() -> dict:
    if not SARIF_SCHEMA.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{SARIF_SCHEMA} is missing")
        pytest.skip("the SARIF schema is not available here")
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture
def two_articles(tmp_path):
    (tmp_path / "one.de.txt").write_text(GERMAN, encoding="utf-8")
    (tmp_path / "one.en.txt").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "two.de.md").write_text("# Lage\n\nDie **Truppen** rückten 12 Meilen vor.\n", encoding="utf-8")
    return tmp_path


def test_sarif_is_valid_and_points_into_the_files(two_articles):
    schema = _sarif_schema()
    out = two_articles / "reports"
    result = mt_audit("check", "one.de.txt", "two.de.md", "--backend", "none", "--format", "sarif,json",
                      "--out", out, cwd=two_articles)
    assert result.returncode == 1, result.stderr
    log = json.loads((out / "mt-audit.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert set(rules) >= {check.id for check in CATALOG}
    assert [a["location"]["uri"] for a in run["artifacts"]] == ["one.de.txt", "two.de.md"]
    texts = {"one.de.txt": GERMAN, "two.de.md": (two_articles / "two.de.md").read_text(encoding="utf-8")}
    seen = set()
    for res in run["results"]:
        assert rules[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning")
        location = res["locations"][0]["physicalLocation"]
        uri, region = location["artifactLocation"]["uri"], location["region"]
        text = texts[uri]
        # The offsets select the flagged words in the file the user gave (columnKind: code points).
        snippet = text[region["charOffset"]:region["charOffset"] + region["charLength"]]
        assert snippet == region["snippet"]["text"]
        lines = text.splitlines(keepends=True)
        assert lines[region["startLine"] - 1][region["startColumn"] - 1:].startswith(snippet.split("\n")[0])
        seen.add((uri, res["ruleId"], res["level"]))
    assert ("one.de.txt", "terms", "error") in seen        # Blitzkrieg
    assert ("one.de.txt", "units", "warning") in seen
    assert ("two.de.md", "units", "warning") in seen       # found in the Markdown file itself
    assert ("one.de.txt", "source.negation", "warning") not in seen  # 'keine' keeps the 'no'


def test_sarif_fingerprints_survive_edits_and_accepted_findings_are_suppressed(tmp_path):
    schema = _sarif_schema()
    article = tmp_path / "a.de.txt"
    article.write_text(GERMAN, encoding="utf-8")
    baseline = tmp_path / "accepted.json"
    first = mt_audit("check", article, "--backend", "none", "--format", "sarif", "--out", tmp_path / "r1",
                     "--write-ignore", baseline)
    assert first.returncode == 1
    article.write_text("Ein neuer Absatz ganz oben.\n\n" + GERMAN, encoding="utf-8")
    second = mt_audit("check", article, "--backend", "none", "--format", "sarif", "--out", tmp_path / "r2",
                      "--ignore", baseline)
    assert second.returncode == 0, second.stderr
    before = json.loads((tmp_path / "r1" / "mt-audit.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    log = json.loads((tmp_path / "r2" / "mt-audit.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(log, schema)
    after = log["runs"][0]["results"]
    assert sorted(r["partialFingerprints"]["mtAuditFinding/v1"] for r in before) == \
        sorted(r["partialFingerprints"]["mtAuditFinding/v1"] for r in after)
    assert all(r["suppressions"][0]["kind"] == "external" for r in after)
    moved = {r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after}
    assert moved["terms"] == 3


def test_gitlab_code_quality_has_the_documented_fields(two_articles):
    out = two_articles / "reports"
    result = mt_audit("check", "one.de.txt", "two.de.md", "--backend", "none", "--format", "gitlab",
                      "--out", out, cwd=two_articles)
    assert result.returncode == 1
    issues = json.loads((out / "mt-audit.gitlab.json").read_text(encoding="utf-8"))
    assert issues and isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert issue["check_name"].startswith("mt-audit/")
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] in ("one.de.txt", "two.de.md")
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    blitz = next(i for i in issues if i["check_name"] == "mt-audit/terms")
    assert blitz["severity"] == "major" and blitz["location"]["lines"]["begin"] == 1
    markdown = next(i for i in issues if i["location"]["path"] == "two.de.md")
    assert markdown["location"]["lines"]["begin"] == 3


def test_several_files_find_their_sources_and_share_one_junit(two_articles):
    out = two_articles / "reports"
    result = mt_audit("check", "one.de.txt", "two.de.md", "--backend", "none", "--format", "json,junit",
                      "--out", out, "--output-file", f"junit={out / 'all.junit.xml'}", "--fail-on", "never",
                      cwd=two_articles)
    assert result.returncode == 0, result.stderr
    one = json.loads((out / "one.json").read_text(encoding="utf-8"))
    two = json.loads((out / "two.json").read_text(encoding="utf-8"))
    assert one["document"]["source_path"] == "one.en.txt" and two["document"]["source_path"] is None
    junit = (out / "all.junit.xml").read_text(encoding="utf-8")
    assert junit.count("<testsuite ") == 2 and not list(out.glob("one.junit.xml"))


def test_several_files_exit_with_the_worst(two_articles):
    result = mt_audit("check", "two.de.md", "one.de.txt", "--backend", "none", "--format", "terminal",
                      cwd=two_articles)
    assert result.returncode == 1                     # two passes, one fails
    assert not (two_articles / "reports").exists()    # terminal writes no file


@pytest.mark.parametrize("args, message", [
    (["one.de.txt", "two.de.md", "--source", "one.en.txt"], "--source names the English original of one"),
    (["one.de.txt", "--output-file", "html=x.html"], "FORMAT=PATH"),
    (["one.de.txt", "--format", "json", "--output-file", "sarif=x.sarif"], "not among the --format"),
    (["one.de.txt", "missing.de.txt"], "missing.de.txt does not exist"),
])
def test_bad_multi_file_usage_is_one_sentence(two_articles, args, message):
    result = mt_audit("check", *args, "--backend", "none", cwd=two_articles)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_the_action_audit_step_runs_and_reports_its_exit_code(two_articles, tmp_path):
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "audit")
    outputs = tmp_path / "github_output"
    env = {**os.environ, "PATHS": "one.de.txt two.de.md", "FAIL_ON": "major", "FORMATS": "github,sarif",
           "BACKEND": "none", "OUT": "out", "ARGS": "--quiet", "GITHUB_OUTPUT": str(outputs),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=two_articles, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "::error file=one.de.txt,line=1" in result.stdout
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written == {"exit-code": "1", "sarif-file": "out/mt-audit.sarif"}
    assert {"paths", "fail-on", "format", "upload-sarif"} <= set(action["inputs"])


@pytest.mark.slow
def test_the_core_installs_without_model_libraries_and_audits_the_demo(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(ROOT)],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-2000:]
    for library in ("torch", "transformers", "ctranslate2", "sentence_transformers"):
        probe = subprocess.run([python, "-c", f"import {library}"], capture_output=True, timeout=60)
        assert probe.returncode != 0, f"the core install brought {library}"
    audit = subprocess.run([venv / "bin" / "mt-audit", "check", DEMO, "--out", tmp_path / "r", "--format", "json"],
                           capture_output=True, text=True, timeout=300)
    assert audit.returncode == 1, audit.stderr
    report = json.loads((tmp_path / "r" / "nordkorea-munition.json").read_text(encoding="utf-8"))
    assert "mt-audit[marian]" in report["translation"]["skipped_reason"]
    required = subprocess.run([venv / "bin" / "mt-audit", "check", DEMO, "--out", tmp_path / "r",
                               "--require-model"], capture_output=True, text=True, timeout=300)
    assert required.returncode == 3 and "pip install 'mt-audit[marian]'" in required.stderr


@pytest.mark.slow
def test_pre_commit_hook_runs_on_german_copy(tmp_path):
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        pytest.fail("pre-commit is not installed (it is in the test extra)")
    repo = tmp_path / "newsroom"
    repo.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    (repo / "good.de.txt").write_text("Die Regierung hat am Montag neue Hilfen beschlossen.\n", encoding="utf-8")
    (repo / "bad.de.txt").write_text(GERMAN, encoding="utf-8")
    (repo / "notes.txt").write_text("Der Blitzkrieg ist hier nur eine Notiz.\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)

    def hook(*files):
        return subprocess.run([pre_commit, "try-repo", str(ROOT), "mt-audit", "--files", *files], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=900)

    good = hook("good.de.txt", "notes.txt")
    assert good.returncode == 0, good.stdout[-3000:] + good.stderr[-3000:]
    bad = hook("good.de.txt", "bad.de.txt")
    assert bad.returncode == 1 and "Blitzkrieg" in bad.stdout, bad.stdout[-3000:]
    assert not (repo / "reports").exists()
