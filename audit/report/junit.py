"""JUnit XML as CI test tabs read it: one suite per file, one test case per finding.

A finding that fails the gate (at or above ``--fail-on``, not accepted) is a case with a
``<failure>``; a finding below the gate is a passing case with its message in
``system-out``; an accepted one is ``<skipped>``.  A file without findings has one passing
case.  Cases carry ``file`` and ``line`` and are named by the finding's check and words
(and which occurrence of them it is), so an edit elsewhere does not rename them.  A file
whose back-translation was skipped says so in its suite's properties and ``system-out``.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..document import SEVERITY_RANK, Document
from .locate import base_dir, regions, report_path

# Characters XML 1.0 does not allow (most C0 controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _fails_gate(finding, fail_on: str) -> bool:
    return (not finding.accepted and fail_on in SEVERITY_RANK
            and SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[fail_on])


def _suite(doc: Document, fail_on: str, base) -> tuple[ET.Element, int, int]:
    path = report_path(doc.path, base)
    suite = ET.Element("testsuite", name=xml_text(f"mt-audit {path}"), file=xml_text(path))
    properties = ET.SubElement(suite, "properties")
    info = doc.translation
    for name, value in (("fail_on", fail_on), ("back_translation", "skipped" if info.skipped else "done"),
                        ("backend", "none" if info.skipped else info.backend),
                        ("model", "" if info.skipped else info.model or "")):
        ET.SubElement(properties, "property", name=name, value=xml_text(str(value)))
    if info.skipped:
        ET.SubElement(properties, "property", name="skipped_reason", value=xml_text(info.skipped_reason or ""))
    placed = regions(doc, doc.findings)
    failures = cases = 0
    seen: dict[str, int] = {}
    for f in sorted(doc.findings, key=lambda f: (f.start, f.end, f.check)):
        words = " ".join(f.text.split())
        base_name = f"{f.check}: {words[:80]}"
        seen[base_name] = seen.get(base_name, 0) + 1
        name = base_name if seen[base_name] == 1 else f"{base_name} ({seen[base_name]})"
        region = placed.get(id(f))
        line = region.start_line if region else None
        attributes = {"classname": xml_text(f"mt-audit.{f.check}"), "name": xml_text(name), "file": xml_text(path)}
        if line is not None:
            attributes["line"] = str(line)
        case = ET.SubElement(suite, "testcase", **attributes)
        cases += 1
        where = f"{path}:{line}:{region.start_column or 1}" if region else path
        detail = xml_text(f"{where}: {f.severity} {f.category} ({f.check}): {f.with_suggestion()}")
        if f.accepted:
            ET.SubElement(case, "skipped", message="accepted in the baseline of accepted findings").text = detail
        elif _fails_gate(f, fail_on):
            failures += 1
            failure = ET.SubElement(case, "failure", type=f"{f.severity}/{f.category}", message=xml_text(f.message))
            failure.text = detail
        else:
            ET.SubElement(case, "system-out").text = detail
    if not doc.findings:
        ET.SubElement(suite, "testcase", classname="mt-audit", name="no findings", file=xml_text(path))
        cases += 1
    if info.skipped:
        ET.SubElement(suite, "system-out").text = xml_text(
            f"Back-translation skipped: {info.skipped_reason} Drift was not scored in this file.")
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(1 for f in doc.findings if f.accepted)))
    return suite, cases, failures


def render_all(docs: list[Document], settings: dict) -> str:
    """One JUnit file with a test suite per document."""
    base = base_dir(settings.get("base_dir"), [doc.path for doc in docs])
    suites = [_suite(doc, settings.get("fail_on") or "major", base) for doc in docs]
    root = ET.Element("testsuites", name="mt-audit", tests=str(sum(s[1] for s in suites)),
                      failures=str(sum(s[2] for s in suites)))
    for suite, _, _ in suites:
        root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(doc: Document, settings: dict, passed: bool) -> str:
    return render_all([doc], settings)
