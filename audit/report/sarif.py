"""SARIF 2.1.0 for code scanning: one run, the checks as rules, one result per finding.

Results point into the file the user gave (see ``locate``), carry a partial fingerprint
made from the finding's baseline key so that code scanning follows a finding across
edits, and accepted findings (``--ignore``) are reported as suppressed.  Columns and
character offsets count Unicode code points (``columnKind``).
"""
from __future__ import annotations

import json
from pathlib import Path, PurePath

from .. import __version__
from ..catalog import CATALOG, info
from ..document import MAJOR, Document
from .locate import fingerprints, regions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "mtAuditFinding/v1"


def _level(severity: str) -> str:
    return "error" if severity == MAJOR else "warning"


def _rule(check) -> dict:
    return {
        "id": check.id,
        "name": "".join(part.capitalize() for part in check.id.replace(".", " ").split()),
        "shortDescription": {"text": check.summary},
        "fullDescription": {"text": f"{check.summary} {check.why}".strip()},
        "help": {"text": check.why or check.summary},
        "defaultConfiguration": {"level": _level(check.severity)},
        "properties": {"tags": ["translation", "mt-audit", check.needs]},
    }


def uri(path: str) -> str:
    """A relative path as a relative URI reference; an absolute one as a file URI."""
    pure = PurePath(path)
    if pure.is_absolute():
        return Path(path).as_uri()
    from urllib.parse import quote

    return quote(pure.as_posix())


def document_results(doc: Document, rule_index: dict[str, int], artifact: int, baseline: str | None) -> list[dict]:
    placed = regions(doc, doc.findings)
    prints = fingerprints(doc, doc.findings, with_path=False)
    results = []
    for f in doc.findings:
        location: dict = {"artifactLocation": {"uri": uri(doc.path), "index": artifact}}
        region = placed.get(id(f))
        if region is not None:
            location["region"] = {key: value for key, value in (
                ("startLine", region.start_line), ("startColumn", region.start_column),
                ("endLine", region.end_line), ("endColumn", region.end_column),
                ("charOffset", region.offset), ("charLength", region.length)) if value is not None}
            location["region"]["snippet"] = {"text": f.text}
        message = f.with_suggestion()
        result = {
            "ruleId": f.check,
            "level": _level(f.severity),
            "message": {"text": message},
            "locations": [{"physicalLocation": location}],
            "partialFingerprints": {FINGERPRINT: prints[id(f)]},
            "properties": {"category": f.category, "severity": f.severity, "confidence": f.confidence},
        }
        if f.check in rule_index:
            result["ruleIndex"] = rule_index[f.check]
        if f.accepted:
            result["suppressions"] = [{"kind": "external", "status": "accepted",
                                       "justification": f"Accepted in {baseline or 'the baseline'}."}]
        results.append(result)
    return results


def render_all(docs: list[Document], settings: dict) -> str:
    """One SARIF log with one run over every document."""
    checks = list(CATALOG) + [info(c) for c in sorted({f.check for d in docs for f in d.findings})
                              if c not in {r.id for r in CATALOG}]
    rule_index = {check.id: n for n, check in enumerate(checks)}
    artifacts, results = [], []
    for number, doc in enumerate(docs):
        artifacts.append({"location": {"uri": uri(doc.path)}, "encoding": doc.encoding,
                          "sourceLanguage": {"txt": "plaintext", "md": "markdown", "html": "html"}.get(doc.format,
                                                                                                      doc.format)})
        results += document_results(doc, rule_index, number, settings.get("accepted_findings"))
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mt-audit", "version": __version__, "semanticVersion": __version__,
                                "rules": [_rule(c) for c in checks]}},
            "columnKind": "unicodeCodePoints",
            "artifacts": artifacts,
            "results": results,
            "properties": {"backend": settings.get("backend"), "model": settings.get("model"),
                           "failOn": settings.get("fail_on")},
        }],
    }
    return json.dumps(log, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def render(doc: Document, settings: dict, passed: bool) -> str:
    return render_all([doc], settings)
