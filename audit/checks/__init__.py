"""Editorial checks: cheap, deterministic, each explaining itself in one line.

Each check is a module with ``NAME``, ``DATA`` (the data file in ``audit/data``
it reads, or None), ``CONFIDENCE`` (how often its findings are right, unless a finding
says otherwise) and ``run(doc, data) -> list[Finding]``.  A new check is a new
module plus a line in ``CHECKS`` and its data file.  ``--glossary FILE`` merges a
house-style TOML file over the shipped data (see ``merge_glossary``).
"""
from __future__ import annotations

import copy
import dataclasses
from importlib import import_module
from typing import Any, Iterator

from ..document import Document, Finding, Segment
from ..text.invisible import fold
from ..resources import load_data

CHECKS = ("units", "terms", "names", "numbers", "untranslated", "typography", "calques")


def german_prose(doc: Document) -> Iterator[Segment]:
    """The segments checks look at: German prose, never boilerplate, with invisible
    characters folded out of their text (a soft hyphen hides no term from a check)."""
    cached = doc.__dict__.get("_german_prose")
    if cached is None or cached[0] is not doc.segments:  # folded once per document, not per check
        cached = (doc.segments, [folded(seg) for seg in doc.segments if seg.is_prose and seg.language == "de"])
        doc.__dict__["_german_prose"] = cached
    yield from cached[1]


def folded(seg: Segment) -> Segment:
    """``seg`` itself, or a copy whose text has no invisible characters; ``finding`` maps
    offsets into the copy back to the text as given."""
    view = fold(seg.text)
    if view.positions is None:
        return seg
    copy_ = dataclasses.replace(seg, text=view.text)
    copy_.folded = view  # type: ignore[attr-defined]
    return copy_


def finding(seg: Segment, start: int, end: int, **fields: Any) -> Finding:
    """A finding at ``seg.text[start:end]`` with absolute offsets into the document's text
    (through the folding of ``seg``'s invisible characters, when it was folded)."""
    fields.setdefault("confidence", _confidence(fields.get("check")))
    view = getattr(seg, "folded", None)
    a, b = (view.start(start), view.end(end)) if view is not None else (start, end)
    return Finding(segment_id=seg.id, start=seg.start + a, end=seg.start + max(a, b),
                   text=seg.text[start:end], **fields)


def _confidence(check: str | None) -> float:
    if check in CHECKS:
        return getattr(import_module(f"{__name__}.{check}"), "CONFIDENCE", 0.5)
    return 0.5


def merge_glossary(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """House style over shipped data: lists of tables are merged by their first key
    (an entry with the same key replaces the shipped one, others are added);
    plain lists are extended; scalars replaced."""
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        old = merged.get(key)
        if isinstance(value, list) and isinstance(old, list) and value and isinstance(value[0], dict):
            ident = next(iter(value[0]))
            index = {_hashable(entry.get(ident)): i for i, entry in enumerate(old) if isinstance(entry, dict)}
            for entry in value:
                if _hashable(entry.get(ident)) in index:
                    old[index[_hashable(entry.get(ident))]] = entry
                else:
                    old.append(entry)
        elif isinstance(value, list) and isinstance(old, list):
            old.extend(v for v in value if v not in old)
        elif isinstance(value, dict) and isinstance(old, dict):
            merged[key] = merge_glossary(old, value)
        else:
            merged[key] = value
    return merged


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def run_checks(doc: Document, glossary: dict[str, Any] | None = None,
               enabled: tuple[str, ...] = CHECKS) -> list[Finding]:
    glossary = glossary or {}
    findings: list[Finding] = []
    for name in enabled:
        module = import_module(f"{__name__}.{name}")
        data = load_data(module.DATA) if module.DATA else {}
        if name in glossary:
            data = merge_glossary(data, glossary[name])
        findings.extend(module.run(doc, data))
    doc.__dict__.pop("_german_prose", None)
    return findings
