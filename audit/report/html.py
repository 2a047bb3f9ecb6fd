"""The HTML drift report: one self-contained file (Jinja2, autoescaped).

The report's body (``report_body.html.j2``), style and script (``static/``) are also what
``mt-audit serve`` shows in its page: ``render(..., fragment=True)`` gives the body alone.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from importlib.resources import files

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from ..document import BOILERPLATE, MAJOR, MINOR, SEVERITY_RANK, Document, Finding, Segment
from ..baseline import occurrence_ids
from .json_report import summary


@dataclass
class Piece:
    text: str
    findings: list[int]
    severity: str | None


def _pieces(seg: Segment, findings: list[tuple[int, Finding]]) -> list[Piece]:
    """The segment's text cut at finding boundaries, each piece with its findings."""
    cuts = {0, len(seg.text)}
    spans = []
    for index, f in findings:
        a, b = max(f.start, seg.start) - seg.start, min(f.end, seg.end) - seg.start
        if a < b and not (a == 0 and b == len(seg.text) and f.check.startswith("drift")):
            spans.append((a, b, index, f))
            cuts.update((a, b))
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:]):
        covering = [(i, f) for x, y, i, f in spans if x <= a and b <= y]
        severity = max((f.severity for _, f in covering), key=SEVERITY_RANK.get, default=None)
        out.append(Piece(seg.text[a:b], [i for i, _ in covering], severity))
    return out


_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _neutralised(value):
    """Every value shown: bidirectional controls from the article are shown as their code
    ("[U+202E]") instead of reordering the report around them."""
    if isinstance(value, Markup):  # the report's own style and script
        return value
    if isinstance(value, str):
        return _BIDI.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", value)
    return value


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """One environment per process: the template is compiled once, not per document."""
    env = Environment(loader=PackageLoader("audit.report", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, finalize=_neutralised)
    return env


@lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """A file of ``audit/report/static`` (the report's style and script)."""
    return files("audit.report").joinpath("static", name).read_text(encoding="utf-8")


# At most this many findings in the report's "fix first" list (the rest are counted).
FIX_FIRST_LIMIT = 25


def render(doc: Document, settings: dict, passed: bool, interactive: bool = False, fragment: bool = False) -> str:
    """The report as one HTML file, or (``fragment``) its body alone; ``interactive`` adds
    an Accept button to every open finding (the page of ``mt-audit serve``)."""
    by_segment = _findings_by_segment(doc)
    source_by_id = {s.id: s for s in doc.source_segments}
    rows = []
    shown_sources: set[str] = set()
    for seg in doc.segments:
        found = by_segment.get(seg.id, [])
        open_found = [f for _, f in found if not f.accepted]
        sources = [source_by_id[i] for i in seg.source_ids if i not in shown_sources]
        shown_sources.update(seg.source_ids)
        rows.append({
            "seg": seg,
            "pieces": _pieces(seg, found),
            "findings": [(i, f) for i, f in found if f.segment_id == seg.id],
            "severity": max((f.severity for f in open_found), key=SEVERITY_RANK.get, default="none"),
            "categories": sorted({f.category for f in open_found}),
            "severities": sorted({f.severity for f in open_found}),
            "source": " ".join(s.text for s in sources),
            "boilerplate": seg.kind == BOILERPLATE,
        })
    info = summary(doc, passed, settings["fail_on"])
    severity_by_segment = {row["seg"].id: row["severity"] for row in rows}
    chart = _chart(doc, severity_by_segment)
    # major findings first, then minor, each in the order of the text (the sort is stable)
    open_findings = [(i, f) for i, f in enumerate(doc.findings) if not f.accepted]
    fix_first = sorted(open_findings, key=lambda item: -SEVERITY_RANK[item[1].severity])
    template = _environment().get_template("report_body.html.j2" if fragment else "report.html.j2")
    ids = occurrence_ids(doc.findings)
    return template.render(doc=doc, rows=rows, settings=settings, summary=info, chart=chart,
                           passed=passed, categories=sorted(Counter(f.category for f in doc.findings)),
                           severities=(MAJOR, MINOR), has_source=bool(doc.source_segments),
                           has_bt=not doc.translation.skipped, interactive=interactive, fragment=fragment,
                           finding_ids=[ids[id(f)] for f in doc.findings],
                           fix_first=fix_first[:FIX_FIRST_LIMIT], fix_first_more=max(0, len(fix_first) - FIX_FIRST_LIMIT),
                           css=Markup(static_text("report.css")), js=Markup(static_text("report.js")))


def page_html(**values) -> str:
    """The editor's page of ``mt-audit serve`` (``page.html.j2``)."""
    return _environment().get_template("page.html.j2").render(**values)


def _findings_by_segment(doc: Document) -> dict[str, list[tuple[int, Finding]]]:
    """(index, finding) for each segment the finding overlaps or belongs to, found by
    bisection over the segments' starts (linear in segments and findings)."""
    segments = sorted(doc.segments, key=lambda s: s.start)
    starts = [s.start for s in segments]
    by_segment: dict[str, list[tuple[int, Finding]]] = {}
    for index, f in enumerate(doc.findings):
        ids = set()
        low = max(0, bisect_right(starts, f.start) - 1)
        for seg in segments[low:bisect_left(starts, max(f.end, f.start + 1))]:
            if seg.start < f.end and f.start < seg.end:
                ids.add(seg.id)
        ids.add(f.segment_id)
        for seg_id in ids:
            by_segment.setdefault(seg_id, []).append((index, f))
    return by_segment


def _chart(doc: Document, severity_by_segment: dict[str, str]) -> dict:
    """Bars along the article: drift per passage, or weighted finding counts without drift;
    each bar coloured by its passage's most severe open finding."""
    prose = [s for s in doc.segments if s.is_prose]
    use_drift = any(s.drift is not None for s in prose)
    weight = {MAJOR: 1.0, MINOR: 0.4}
    starts = [s.start for s in prose]
    counted = [0.0] * len(prose)
    for f in doc.findings:
        at = bisect_right(starts, f.start) - 1
        if not f.accepted and at >= 0 and f.start < prose[at].end:
            counted[at] += weight[f.severity]
    values = [(seg.id, (seg.drift or 0.0) if use_drift else counted[i]) for i, seg in enumerate(prose)]
    top = max([v for _, v in values] + [1.0])
    width = max(1, len(values))
    bars = [{"id": sid, "x": i, "h": round(80 * v / top, 2), "value": round(v, 3),
             "severity": severity_by_segment.get(sid, "none")} for i, (sid, v) in enumerate(values)]
    return {"bars": bars, "width": width, "label": "drift per passage" if use_drift else
            "findings per passage (major = 1, minor = 0.4)"}
