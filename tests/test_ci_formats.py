"""CI integrations: SARIF, GitLab Code Quality, several files in one call, the pre-commit
hook, the GitHub Action's audit step, and the core install without any model library."""
from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from audit.checks.catalog import CATALOG

from conftest import DEMO, ROOT
from test_cli import mt_audit

SARIF_SCHEMA = ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"  # vendored, see NOTICE.md

GERMAN = ("Die Armee rückte 40 Meilen vor. Ein Sprecher sagte, der Blitzkrieg sei vorbei.\n\n"
          "Am Montag gab es keine neuen Angriffe. Die Regierung \"bestätigte\" das.\n")
ENGLISH = ("The army advanced 40 miles. A spokesman said the blitz was over.\n\n"
           "There were no new attacks on Monday. The government confirmed it.\n")


def _sarif_schema() -> dict:
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


@pytest.mark.slow
def test_sarif_fingerprints_survive_edits_and_accepted_findings_are_suppressed(tmp_path):
    schema = _sarif_schema()
    article = tmp_path / "a.de.txt"
    article.write_text(GERMAN, encoding="utf-8")
    baseline = tmp_path / "accepted.json"
    first = mt_audit("check", article, "--backend", "none", "--format", "sarif", "--out", tmp_path / "r1",
                     "--write-ignore", baseline)
    assert first.returncode == 0, first.stderr
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


@pytest.mark.slow
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
        begin = issue["location"]["positions"]["begin"] if "positions" in issue["location"] else \
            {"line": issue["location"]["lines"]["begin"]}
        assert isinstance(begin["line"], int) and begin["line"] >= 1
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    blitz = next(i for i in issues if i["check_name"] == "mt-audit/terms")
    assert blitz["severity"] == "major" and blitz["location"]["positions"]["begin"] == {"line": 1, "column": 57}
    markdown = next(i for i in issues if i["location"]["path"] == "two.de.md" and i["severity"] != "info")
    assert markdown["location"]["positions"]["begin"] == {"line": 3, "column": 25}


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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
    # the hint names what works for this installation (not an index package that does not exist)
    assert "[marian]" in report["translation"]["skipped_reason"] and "mt-audit[" not in \
        report["translation"]["skipped_reason"]
    required = subprocess.run([venv / "bin" / "mt-audit", "check", DEMO, "--out", tmp_path / "r",
                               "--require-model"], capture_output=True, text=True, timeout=300)
    assert required.returncode == 3 and "pip install 'PATH[marian]', PATH being your clone" in required.stderr


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


# A newsroom repository with its copy in a subfolder: the same words in three formats, each
# loaded word twice, so that every occurrence must be placed at its own line and column.
_TXT = "Die Armee rückte 40 Meilen vor.\nDer Blitzkrieg sei vorbei, sagte er. Der Blitzkrieg ende nie.\n"
_MD = ("# Lage an der Front\n\nDie **Armee** rückte 40 Meilen vor, und\nder *Blitz*krieg sei vorbei, sagte er.\n\n"
       "```\nBlitzkrieg im Beispielcode\n```\n\nDer Blitzkrieg ende nie.\n")
_HTML = ("<!doctype html><html><head><title>Lage an der Front</title><script>var Blitzkrieg = 1;</script>"
         "</head><body><article><h1>Lage an der Front</h1>\n<p>Die Armee r&uuml;ckte 40 Meilen vor.</p>\n"
         "<p>Der Blitzkrieg sei vorbei, sagte er.\nDer <b>Blitzkrieg</b> ende nie.</p></article></body></html>\n")


@pytest.fixture
def newsroom(tmp_path):
    repo = tmp_path / "newsroom"
    (repo / "copy").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for name, text in (("a.de.txt", _TXT), ("b.de.md", _MD), ("c.de.html", _HTML)):
        (repo / "copy" / name).write_text(text, encoding="utf-8")
    return repo


def _run_everywhere(repo: Path, tmp_path: Path, only: str | None = None):
    """The same audit from the root, from the subfolder and with absolute paths (from outside
    the repository)."""
    names = ["a.de.txt", "b.de.md", "c.de.html"]
    runs = {"root": (repo, [f"copy/{n}" for n in names]), "subfolder": (repo / "copy", names),
            "absolute": (tmp_path, [str(repo / "copy" / n) for n in names])}
    out = {}
    for label, (cwd, paths) in runs.items():
        if only and label != only:
            continue
        reports = tmp_path / f"reports-{label}"
        result = mt_audit("check", *paths, "--backend", "none", "--format", "sarif,gitlab,junit,github,lines",
                          "--out", reports, "--output-file", f"junit={reports / 'all.junit.xml'}", "--quiet",
                          cwd=cwd)
        assert result.returncode == 1, result.stderr
        out[label] = (reports, result.stdout)
    return out


def test_ci_files_point_at_the_same_words_wherever_the_command_ran(newsroom, tmp_path):
    import xml.etree.ElementTree as ET

    schema = _sarif_schema()
    runs = _run_everywhere(newsroom, tmp_path)
    texts = {f"copy/{n}": (newsroom / "copy" / n).read_text(encoding="utf-8")
             for n in ("a.de.txt", "b.de.md", "c.de.html")}
    placed, prints = {}, {}
    for label, (reports, stdout) in runs.items():
        log = json.loads((reports / "mt-audit.sarif").read_text(encoding="utf-8"))
        jsonschema.validate(log, schema)
        run = log["runs"][0]
        assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == newsroom.resolve().as_uri() + "/"
        regions = []
        for res in run["results"]:
            location = res["locations"][0]["physicalLocation"]
            assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            uri, region = location["artifactLocation"]["uri"], location["region"]
            text = texts[uri]
            lines = text.splitlines(keepends=True)
            offset = sum(len(line) for line in lines[:region["startLine"] - 1]) + region["startColumn"] - 1
            end = sum(len(line) for line in lines[:region["endLine"] - 1]) + region["endColumn"] - 1
            # start and end select the finding's words in the file itself, not in its prose
            assert text[offset:end] == region["snippet"]["text"] == text[region["charOffset"]:][:region["charLength"]]
            regions.append((uri, res["ruleId"], region["startLine"], region["startColumn"], region["endLine"],
                            region["endColumn"]))
        placed[label] = sorted(regions)
        issues = json.loads((reports / "mt-audit.gitlab.json").read_text(encoding="utf-8"))
        prints[label] = sorted(i["fingerprint"] for i in issues)
        gitlab = sorted((i["location"]["path"], i["check_name"].split("/", 1)[1], i["location"]["positions"]["begin"]["line"],
                         i["location"]["positions"]["begin"]["column"]) for i in issues if i["severity"] != "info")
        assert gitlab == sorted(r[:4] for r in regions)
        annotations = sorted(
            (props["file"], props["title"].rsplit("(", 1)[1].rstrip(")"), int(props["line"]), int(props["col"]))
            for props in (dict(p.split("=", 1) for p in line.split("::")[1].split(" ", 1)[1].split(","))
                          for line in stdout.splitlines() if line.startswith(("::error", "::warning"))))
        assert annotations == gitlab
        junit = ET.parse(reports / "all.junit.xml").getroot()
        cases = sorted((c.get("file"), c.get("classname").split(".", 1)[1], int(c.get("line")))
                       for c in junit.iter("testcase"))
        assert cases == sorted(r[:3] for r in regions)
        assert [s.get("file") for s in junit.iter("testsuite")] == ["copy/a.de.txt", "copy/b.de.md", "copy/c.de.html"]
    assert placed["root"] == placed["subfolder"] == placed["absolute"]
    assert prints["root"] == prints["subfolder"] == prints["absolute"]
    blitz = [r for r in placed["root"] if r[1] == "terms"]
    # each occurrence at its own place: the Markdown one written with markup inside it, none in
    # the code block or the page's script
    assert [(r[0], r[2]) for r in blitz] == [("copy/a.de.txt", 2), ("copy/a.de.txt", 2), ("copy/b.de.md", 4),
                                             ("copy/b.de.md", 10), ("copy/c.de.html", 3), ("copy/c.de.html", 4)]
    assert len(set(blitz)) == 6


def test_the_lines_format_is_file_line_col(newsroom, tmp_path):
    _, stdout = _run_everywhere(newsroom, tmp_path, "subfolder")["subfolder"]
    lines = stdout.splitlines()
    assert "a.de.txt:2:5: major: " in "\n".join(lines)
    assert all(re.match(r"^\S+:\d+:\d+: (major|minor): .+ \[[\w.]+\]$", line) for line in lines if not line.startswith("::"))


def test_junit_fails_only_what_fails_the_gate(newsroom, tmp_path):
    import xml.etree.ElementTree as ET

    out = tmp_path / "r"
    result = mt_audit("check", "copy/a.de.txt", "--backend", "none", "--format", "junit", "--out", out,
                      cwd=newsroom)
    assert result.returncode == 1
    suite = ET.parse(out / "a.junit.xml").getroot().find("testsuite")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"terms: Blitzkrieg", "terms: Blitzkrieg (2)", "units: 40 Meilen"} or \
        {"terms: Blitzkrieg", "terms: Blitzkrieg (2)"} <= set(cases)
    assert cases["terms: Blitzkrieg"].find("failure") is not None
    minor = next(c for name, c in cases.items() if name.startswith("units"))
    assert minor.find("failure") is None and "Meilen" in minor.find("system-out").text
    assert suite.get("failures") == "2"
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["back_translation"] == "skipped" and "switched off" in properties["skipped_reason"]
    never = mt_audit("check", "copy/a.de.txt", "--backend", "none", "--format", "junit", "--out", out,
                     "--fail-on", "never", cwd=newsroom)
    assert never.returncode == 0
    assert ET.parse(out / "a.junit.xml").getroot().get("failures") == "0"


def test_every_ci_format_says_the_back_translation_was_skipped(newsroom, tmp_path):
    reports, stdout = _run_everywhere(newsroom, tmp_path, "root")["root"]
    run = json.loads((reports / "mt-audit.sarif").read_text(encoding="utf-8"))["runs"][0]
    notice = run["invocations"][0]["toolExecutionNotifications"][0]
    assert notice["level"] == "warning" and "not scored" in notice["message"]["text"]
    assert run["properties"]["backTranslation"] == "skipped" and run["properties"]["backend"] == "none"
    assert run["properties"]["model"] is None
    issues = json.loads((reports / "mt-audit.gitlab.json").read_text(encoding="utf-8"))
    assert sum(1 for i in issues if i["check_name"] == "mt-audit/back-translation-skipped") == 3
    assert stdout.count("::notice file=copy/") == 3


def test_the_action_runs_in_a_subfolder_repository_and_names_the_sarif_it_wrote(newsroom, tmp_path):
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "audit")
    outputs = tmp_path / "github_output"
    (newsroom / "copy" / "*.de.txt").write_text("Die Regierung tagte am Montag in Berlin.\n", encoding="utf-8")
    env = {**os.environ, "PATHS": "copy/a.de.txt copy/b.de.md copy/*.de.txt", "FAIL_ON": "major",
           "FORMATS": "github,sarif", "BACKEND": "none", "OUT": "out",
           "ARGS": "--quiet --output-file sarif=scan/mt-audit-copy.sarif", "GITHUB_OUTPUT": str(outputs),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=newsroom, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written == {"exit-code": "1", "sarif-file": "scan/mt-audit-copy.sarif"}
    run = json.loads((newsroom / written["sarif-file"]).read_text(encoding="utf-8"))["runs"][0]
    # the pattern was passed as written (a file of that name), not globbed into a.de.txt again
    assert [a["location"]["uri"] for a in run["artifacts"]] == ["copy/a.de.txt", "copy/b.de.md", "copy/%2A.de.txt"]
    terms = sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]
                   if r["ruleId"] == "terms" and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                   == "copy/b.de.md")
    assert terms == [4, 10]
    assert "4 internal error" in action["outputs"]["exit-code"]["description"]
