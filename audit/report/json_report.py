"""The JSON report: schema ``mt-audit/1`` (``mt-audit.schema.json`` beside this file).

Deterministic: keys sorted, no timestamps, so identical input and settings give
byte-identical output.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..document import KINDS, MAJOR, MINOR, Document

SCHEMA_ID = "mt-audit/1"
SCHEMA_FILE = Path(__file__).with_name("mt-audit.schema.json")


def summary(doc: Document, passed: bool, fail_on: str) -> dict:
    open_findings = [f for f in doc.findings if not f.accepted]
    drifts = [s.drift for s in doc.segments if s.drift is not None]
    return {
        "segments": len(doc.segments),
        "audited_segments": sum(1 for s in doc.segments if s.is_prose),
        "findings": len(doc.findings),
        "accepted": sum(1 for f in doc.findings if f.accepted),
        "by_severity": {sev: sum(1 for f in open_findings if f.severity == sev) for sev in (MAJOR, MINOR)},
        "by_category": dict(sorted(Counter(f.category for f in open_findings).items())),
        "by_kind": {kind: sum(1 for s in doc.segments if s.kind == kind) for kind in KINDS},
        "mean_drift": round(sum(drifts) / len(drifts), 4) if drifts else None,
        "gate": {"fail_on": fail_on, "passed": passed},
    }


def to_dict(doc: Document, settings: dict, passed: bool) -> dict:
    info = doc.translation
    return {
        "schema": SCHEMA_ID,
        "document": {
            "name": doc.name,
            "path": doc.path,
            "format": doc.format,
            "encoding": doc.encoding,
            "title": doc.title,
            "characters": len(doc.text),
            "machine_translated": doc.machine_translated,
            "machine_translated_evidence": doc.mt_evidence,
            "source_path": doc.source_path,
            "reference_free": doc.reference_free,
            "warnings": doc.warnings,
        },
        "translation": {
            "backend": info.backend,
            "model": info.model,
            "revision": info.revision,
            "skipped": info.skipped,
            "skipped_reason": info.skipped_reason,
            "translated": info.translated,
            "from_cache": info.from_cache,
            "truncated": info.truncated,
        },
        "settings": settings,
        "segments": [
            {
                "id": s.id,
                "paragraph": s.paragraph,
                "kind": s.kind,
                "language": s.language,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "back_translation": s.back_translation,
                "bt_logprob": s.bt_logprob,
                "bt_confidence": s.bt_confidence,
                "source_ids": s.source_ids,
                "drift": s.drift,
                "signals": s.signals,
            }
            for s in doc.segments
        ],
        "source_segments": [{"id": s.id, "start": s.start, "end": s.end, "text": s.text}
                            for s in doc.source_segments],
        "alignments": [{"german": a.german, "source": a.source, "score": a.score} for a in doc.alignments],
        "findings": [
            {
                "segment_id": f.segment_id,
                "start": f.start,
                "end": f.end,
                "text": f.text,
                "category": f.category,
                "severity": f.severity,
                "check": f.check,
                "message": f.message,
                "suggestion": f.suggestion,
                "accepted": f.accepted,
                "confidence": f.confidence,
                "key": f.key(),
            }
            for f in doc.findings
        ],
        "summary": summary(doc, passed, settings["fail_on"]),
    }


def render(doc: Document, settings: dict, passed: bool) -> str:
    return json.dumps(to_dict(doc, settings, passed), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
