"""GitLab Code Quality report: a JSON array of issues, one per open finding.

Fields as GitLab documents them: ``description``, ``check_name``, ``fingerprint``
(unique per issue, stable across edits elsewhere in the file and the same wherever the
command ran), ``severity`` (mt-audit's major and minor map to GitLab's ``major`` and
``minor``) and ``location`` with ``path`` (relative to the repository's root) and
``positions`` (line and column where the finding starts and ends; ``lines.begin`` where
only the line is known).  Accepted findings are left out: the widget shows what is open.
A file whose back-translation was skipped gets one ``info`` issue that says so
(``check_name`` ``mt-audit/back-translation-skipped``): drift was not scored there.
"""
from __future__ import annotations

import hashlib
import json

from ..document import MAJOR, Document
from .locate import base_dir, fingerprints, regions, report_path

SEVERITIES = ("info", "minor", "major", "critical", "blocker")


def document_issues(doc: Document, base=None) -> list[dict]:
    base = base or base_dir(None, [doc.path])
    path = report_path(doc.path, base)
    open_findings = [f for f in doc.findings if not f.accepted]
    placed = regions(doc, open_findings)
    prints = fingerprints(doc, open_findings, base=base)
    issues = []
    if doc.translation.skipped:
        issues.append({
            "type": "issue",
            "description": f"Back-translation skipped: {doc.translation.skipped_reason} Drift was not scored in "
                           f"this file; only the checks that need no model ran.",
            "check_name": "mt-audit/back-translation-skipped",
            "categories": ["Bug Risk"],
            "fingerprint": hashlib.sha256(f"{path}\0back-translation-skipped".encode()).hexdigest(),
            "severity": "info",
            "location": {"path": path, "lines": {"begin": 1}},
        })
    for f in open_findings:
        region = placed.get(id(f))
        if region is not None and region.start_column is not None:
            location = {"path": path, "positions": {
                "begin": {"line": region.start_line, "column": region.start_column},
                "end": {"line": region.end_line, "column": region.end_column}}}
        else:
            location = {"path": path, "lines": {"begin": region.start_line if region else 1}}
        issues.append({
            "type": "issue",
            "description": f.with_suggestion(),
            "check_name": f"mt-audit/{f.check}",
            "categories": ["Style"] if f.severity != MAJOR else ["Bug Risk"],
            "fingerprint": prints[id(f)],
            "severity": "major" if f.severity == MAJOR else "minor",
            "location": location,
        })
    return issues


def render_all(docs: list[Document], settings: dict) -> str:
    base = base_dir(settings.get("base_dir"), [doc.path for doc in docs])
    return json.dumps([issue for doc in docs for issue in document_issues(doc, base)], ensure_ascii=False,
                      indent=2) + "\n"


def render(doc: Document, settings: dict, passed: bool) -> str:
    return render_all([doc], settings)
