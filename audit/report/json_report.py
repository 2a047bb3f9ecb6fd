"""The JSON report: schema ``mt-audit/1`` (``mt-audit.schema.json`` beside this file).

Deterministic: keys sorted, no timestamps, so identical input and settings give
byte-identical output.
"""
from __future__ import annotations

import bisect
import json
from collections import Counter
from pathlib import Path

from ..checks.catalog import info
from ..document import KINDS, MAJOR, MINOR, Document, Finding
from ..baseline import occurrence_ids, story_id
from .locate import file_text, regions

SCHEMA_ID = "mt-audit/1"
SCHEMA_FILE = Path(__file__).with_name("mt-audit.schema.json")


class _Units:
    """Offsets and columns of ``text`` in code points, or in UTF-16 code units: a character
    beyond the Basic Multilingual Plane (an emoji) is two of those."""

    def __init__(self, text: str, unit: str):
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if unit == "utf16" else []

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self.astral, offset) if self.astral else offset


def locations(doc: Document, findings: list[Finding], unit: str = "code_point") -> dict[int, dict | None]:
    """Each finding's place in the text the user gave (the file, or the text sent to the
    API: Markdown and HTML as written), by ``id()``: offset and length, and line and column
    (1-based) of its start and end, in ``unit``; None where it cannot be placed exactly."""
    source = file_text(doc)
    text = "\ufeff" * source.shift + source.text
    units = _Units(text, unit)
    out: dict[int, dict | None] = {}
    for key, region in regions(doc, findings).items():
        if region is None or region.offset is None:
            out[key] = None
            continue
        start, end = region.offset, region.offset + region.length
        line_start = source.starts[region.start_line - 1] + source.shift
        end_line_start = source.starts[region.end_line - 1] + source.shift
        out[key] = {"offset": units(start), "length": units(end) - units(start),
                    "line": region.start_line, "column": units(start) - units(line_start) + 1,
                    "end_line": region.end_line, "end_column": units(end) - units(end_line_start) + 1}
    return out


def rule(f: Finding) -> dict:
    check = info(f.check)
    return {"id": f.check, "description": check.summary, "docs": check.docs,
            "category": {"id": f.category.replace(" ", "_"), "name": f.category}}


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


def to_dict(doc: Document, settings: dict, passed: bool, offset_unit: str = "code_point") -> dict:
    """The report as a dict; ``offset_unit`` is the unit of the findings' ``location``."""
    translation = doc.translation
    places = locations(doc, doc.findings, offset_unit)
    ids = occurrence_ids(doc.findings)
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
            "offset_unit": offset_unit,
            "story": story_id(doc),
        },
        "translation": {
            "backend": translation.backend,
            "model": translation.model,
            "revision": translation.revision,
            "skipped": translation.skipped,
            "skipped_reason": translation.skipped_reason,
            "translated": translation.translated,
            "from_cache": translation.from_cache,
            "truncated": translation.truncated,
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
                "id": ids[id(f)],
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
                "rule": rule(f),
                "replacements": f.replacements,
                "location": places[id(f)],
            }
            for f in doc.findings
        ],
        "summary": summary(doc, passed, settings["fail_on"]),
    }


def render(doc: Document, settings: dict, passed: bool) -> str:
    return json.dumps(to_dict(doc, settings, passed), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
