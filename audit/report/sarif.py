"""SARIF 2.1.0 for code scanning: one run, the checks as rules, one result per finding.

Results point into the file the user gave (see ``locate``), by a URI relative to the
repository's root (``%SRCROOT%``, given in ``originalUriBaseIds``; a file outside it by
its absolute file URI), carry a partial fingerprint made from the finding's baseline key
so that code scanning follows a finding across edits, and accepted findings
(``--ignore``) are reported as suppressed.  Columns and character offsets count Unicode
code points (``columnKind``).  A run whose back-translation was skipped says so in a
tool execution notification and in the run's properties.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..checks.catalog import CATALOG, info
from ..document import MAJOR, Document
from .locate import base_dir, fingerprints, regions, repo_path

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "mtAuditFinding/v1"
SRCROOT = "%SRCROOT%"


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


def artifact_location(path: str, base: Path) -> dict:
    """The file as SARIF names it: relative to the repository's root, else by its file URI."""
    inside = repo_path(path, base)
    if inside is not None:
        return {"uri": quote(inside), "uriBaseId": SRCROOT}
    return {"uri": Path(path).absolute().as_uri()}


def document_results(doc: Document, rule_index: dict[str, int], artifact: int, baseline: str | None,
                     base: Path) -> list[dict]:
    placed = regions(doc, doc.findings)
    prints = fingerprints(doc, doc.findings, with_path=False)
    results = []
    for f in doc.findings:
        location: dict = {"artifactLocation": {**artifact_location(doc.path, base), "index": artifact}}
        region = placed.get(id(f))
        if region is not None:
            location["region"] = {key: value for key, value in (
                ("startLine", region.start_line), ("startColumn", region.start_column),
                ("endLine", region.end_line), ("endColumn", region.end_column),
                ("charOffset", region.offset), ("charLength", region.length)) if value is not None}
            location["region"]["snippet"] = {"text": region.snippet if region.snippet is not None else f.text}
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
    base = base_dir(settings.get("base_dir"), [doc.path for doc in docs])
    artifacts, results = [], []
    for number, doc in enumerate(docs):
        artifacts.append({"location": artifact_location(doc.path, base), "encoding": doc.encoding,
                          "sourceLanguage": {"txt": "plaintext", "md": "markdown", "html": "html"}.get(doc.format,
                                                                                                      doc.format)})
        results += document_results(doc, rule_index, number, settings.get("accepted_findings"), base)
    skipped = [doc for doc in docs if doc.translation.skipped]
    translated = [doc for doc in docs if not doc.translation.skipped]
    notifications = [{"level": "warning", "descriptor": {"id": "back-translation-skipped"},
                      "message": {"text": f"Back-translation skipped ({len(skipped)} of {len(docs)} files): "
                                          f"{skipped[0].translation.skipped_reason} Drift was not scored; only "
                                          f"the checks that need no model ran."}}] if skipped else []
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mt-audit", "version": __version__, "semanticVersion": __version__,
                                "rules": [_rule(c) for c in checks]}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "artifacts": artifacts,
            "results": results,
            "properties": {"backend": translated[0].translation.backend if translated else "none",
                           "model": translated[0].translation.model if translated else None,
                           "backTranslation": "skipped" if not translated else "partial" if skipped else "done",
                           "skippedReason": skipped[0].translation.skipped_reason if skipped else None,
                           "failOn": settings.get("fail_on")},
        }],
    }
    return json.dumps(log, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def render(doc: Document, settings: dict, passed: bool) -> str:
    return render_all([doc], settings)
