"""Reports: JSON schema and determinism, JUnit, GitHub annotations, escaping."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from audit.pipeline import AuditSettings, Auditor
from audit.report import github, html, json_report, junit
from audit.report.json_report import SCHEMA_FILE

from conftest import DEMO

XSS = ('Der Sprecher sagte <script>alert(1)</script> und ging.\n'
       'Dann kam <img src=x onerror=alert(1)> in 500 Meilen Entfernung an.\n'
       'Am Ende stand "><svg onload=alert(1)> im Text des Blitzkrieges.\n')


def audit(path, **kw):
    auditor = Auditor(AuditSettings(backend="none", quiet=True, **kw))
    doc = auditor.audit(path)
    return doc, auditor.settings_record(doc), auditor.passed(doc)


@pytest.fixture(scope="module")
def demo_report():
    return audit(DEMO)


def test_json_report_validates_against_schema(demo_report):
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    report = json.loads(json_report.render(*demo_report))
    jsonschema.validate(report, schema)
    assert report["schema"] == "mt-audit/1"
    assert report["document"]["machine_translated"] is True
    for f in report["findings"]:
        segment = next(s for s in report["segments"] if s["id"] == f["segment_id"])
        assert segment["kind"] != "boilerplate"


def test_json_report_is_byte_identical_across_runs(demo_report):
    assert json_report.render(*demo_report) == json_report.render(*audit(DEMO))


def test_finding_offsets_point_at_their_text(demo_report):
    doc = demo_report[0]
    for f in doc.findings:
        assert doc.text[f.start:f.end] == f.text or f.check.startswith("drift") or f.text == ""


def test_junit_one_case_per_finding_and_failures_only_for_the_gate(demo_report):
    doc = demo_report[0]
    root = ET.fromstring(junit.render(*demo_report))
    cases = root.findall(".//testcase")
    assert len(cases) == len(doc.findings)
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == sum(1 for f in doc.findings if f.severity == "major")
    assert any("Blitzkrieg" in c.find("failure").get("message") for c in failed)
    assert all(c.get("file") and int(c.get("line")) >= 1 for c in cases)
    assert len({c.get("name") for c in cases}) == len(cases)


def test_github_annotations_have_file_and_line(demo_report):
    lines = github.render(*demo_report).splitlines()
    assert lines[0].startswith("::notice file=") and "skipped" in lines[0]  # no model ran
    lines = lines[1:]
    assert lines and all(line.startswith(("::error file=", "::warning file=")) for line in lines)
    blitz = next(line for line in lines if "Blitzkrieg" in line)
    assert ",line=18," in blitz and blitz.startswith("::error")


def test_html_report_is_self_contained(demo_report):
    page = html.render(*demo_report)
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert "<link" not in page and "src=" not in page
    assert 'id="skipped-banner"' in page and "Wir testen zurzeit maschinelle Übersetzungen." in page


@pytest.mark.parametrize("renderer", [json_report.render, html.render, junit.render, github.render])
def test_injected_markup_renders_as_text(tmp_path, renderer):
    path = tmp_path / "xss.txt"
    path.write_text(XSS, encoding="utf-8")
    out = renderer(*audit(path))
    if renderer is html.render:
        assert "<script>alert" not in out and "<img src=x" not in out and "<svg onload" not in out
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    elif renderer is junit.render:
        ET.fromstring(out)
        assert "<img src=x" not in out
    elif renderer is json_report.render:
        assert "<script>alert(1)</script>" in json.loads(out)["segments"][0]["text"]
