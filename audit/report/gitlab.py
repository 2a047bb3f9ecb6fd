"""GitLab Code Quality report: a JSON array of issues, one per open finding.

Fields as GitLab documents them: ``description``, ``check_name``, ``fingerprint``
(unique per issue, stable across edits elsewhere in the file), ``severity`` (mt-audit's
major and minor map to GitLab's ``major`` and ``minor``) and ``location`` with ``path``
and ``lines.begin``.  Accepted findings are left out: the widget shows what is open.
"""
from __future__ import annotations

import json
from pathlib import PurePath

from ..document import MAJOR, Document
from .locate import fingerprints, regions

SEVERITIES = ("info", "minor", "major", "critical", "blocker")


def document_issues(doc: Document) -> list[dict]:
    open_findings = [f for f in doc.findings if not f.accepted]
    placed = regions(doc, open_findings)
    prints = fingerprints(doc, open_findings)
    issues = []
    for f in open_findings:
        region = placed.get(id(f))
        lines = {"begin": region.start_line if region else 1}
        if region and region.end_line:
            lines["end"] = region.end_line
        issues.append({
            "type": "issue",
            "description": f.with_suggestion(),
            "check_name": f"mt-audit/{f.check}",
            "categories": ["Style"] if f.severity != MAJOR else ["Bug Risk"],
            "fingerprint": prints[id(f)],
            "severity": "major" if f.severity == MAJOR else "minor",
            "location": {"path": PurePath(doc.path).as_posix(), "lines": lines},
        })
    return issues


def render_all(docs: list[Document], settings: dict) -> str:
    return json.dumps([issue for doc in docs for issue in document_issues(doc)], ensure_ascii=False, indent=2) + "\n"


def render(doc: Document, settings: dict, passed: bool) -> str:
    return render_all([doc], settings)
