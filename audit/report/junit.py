"""JUnit XML: one test case per audited passage; a flagged passage fails with its reasons."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..document import Document


def render(doc: Document, settings: dict, passed: bool) -> str:
    suite = ET.Element("testsuite", name=f"mt-audit.{doc.name}")
    failures = 0
    cases = 0
    for seg in doc.segments:
        if not seg.is_prose:
            continue
        cases += 1
        case = ET.SubElement(suite, "testcase", classname=f"mt-audit.{doc.name}", name=f"{seg.id} {seg.text[:60]}")
        found = [f for f in doc.findings if f.segment_id == seg.id and not f.accepted]
        if found:
            failures += 1
            failure = ET.SubElement(case, "failure", type=found[0].category,
                                    message="; ".join(f"[{f.severity}] {f.message}" for f in found))
            failure.text = "\n".join(f"{f.severity} {f.category} ({f.check}) at {f.start}-{f.end}: {f.message}"
                                     f"{' -> ' + f.suggestion if f.suggestion else ''}" for f in found)
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    root = ET.Element("testsuites", tests=str(cases), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
