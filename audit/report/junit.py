"""JUnit XML: one test case per audited passage; a flagged passage fails with its reasons."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..document import Document

# Characters XML 1.0 does not allow (most C0 controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _suite(doc: Document) -> tuple[ET.Element, int, int]:
    suite = ET.Element("testsuite", name=xml_text(f"mt-audit.{doc.name}"))
    failures = 0
    cases = 0
    by_segment: dict[str, list] = {}
    for f in doc.findings:
        if not f.accepted:
            by_segment.setdefault(f.segment_id, []).append(f)
    for seg in doc.segments:
        if not seg.is_prose:
            continue
        cases += 1
        case = ET.SubElement(suite, "testcase", classname=xml_text(f"mt-audit.{doc.name}"),
                             name=xml_text(f"{seg.id} {seg.text[:60]}"))
        found = by_segment.get(seg.id, [])
        if found:
            failures += 1
            failure = ET.SubElement(case, "failure", type=found[0].category,
                                    message=xml_text("; ".join(f"[{f.severity}] {f.message}" for f in found)))
            failure.text = xml_text("\n".join(
                f"{f.severity} {f.category} ({f.check}) at {f.start}-{f.end}: {f.message}"
                f"{' -> ' + f.suggestion if f.suggestion else ''}" for f in found))
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    return suite, cases, failures


def render_all(docs: list[Document], settings: dict) -> str:
    """One JUnit file with a test suite per document."""
    suites = [_suite(doc) for doc in docs]
    root = ET.Element("testsuites", tests=str(sum(s[1] for s in suites)), failures=str(sum(s[2] for s in suites)))
    for suite, _, _ in suites:
        root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(doc: Document, settings: dict, passed: bool) -> str:
    return render_all([doc], settings)
