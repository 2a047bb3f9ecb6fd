"""A judged document: every German paragraph scored against the English it renders, and the
paragraphs whose verdict is major or minor as findings at the sentence the score singles out.

A paragraph's English is the source sentences that the alignment pairs with its German
sentences.  Where a paragraph is flagged, each of its aligned passages is scored as well
and the finding points at the worst one (at the German words the model-free reading names
there, when it names any); the message gives the model, its score and what that score means
for an editor.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..document import MAJOR, Document, Finding
from ..text.lexicon import quote_words
from .calibration import Calibration, model_free_risk

# Model-free findings that a judge's verdict replaces where it runs: the model-free reading
# of a passage's meaning (dictionary words, sentence vectors) ranks errors far below a
# quality-estimation model once length is held fixed (docs/measurements.md); the checks that
# name something precise (a figure, a negation, English left standing) stay.
REPLACED_BY_JUDGES = frozenset({"source.meaning"})
MEANING = {MAJOR: "probably a wrong meaning: compare with the source before publishing",
           "minor": "possibly a wrong or awkward rendering: worth a look"}


@dataclass
class Passage:
    german: list  # segments
    source: str


@dataclass
class JudgedParagraph:
    index: int
    german: list  # the paragraph's prose segments
    source: str
    passages: list[Passage] = field(default_factory=list)


def paragraphs(doc: Document) -> list[JudgedParagraph]:
    """Each German paragraph with prose and the source text its sentences are aligned to."""
    by_source = {s.id: s for s in doc.source_segments}
    order = {s.id: k for k, s in enumerate(doc.source_segments)}
    by_id = {s.id: s for s in doc.segments}
    out: dict[int, JudgedParagraph] = {}
    for bead in doc.alignments:
        segs = [by_id[i] for i in bead.german if i in by_id and by_id[i].is_prose]
        sources = sorted((by_source[i] for i in bead.source if i in by_source), key=lambda s: order[s.id])
        if not segs or not sources:
            continue
        text = " ".join(s.text for s in sources)
        paragraph = out.setdefault(segs[0].paragraph, JudgedParagraph(segs[0].paragraph, [], ""))
        paragraph.german.extend(segs)
        paragraph.passages.append(Passage(segs, text))
    for paragraph in out.values():
        paragraph.german.sort(key=lambda s: s.start)
        paragraph.passages.sort(key=lambda p: p.german[0].start)
        seen, texts = set(), []
        for p in paragraph.passages:
            if p.source not in seen:
                seen.add(p.source)
                texts.append(p.source)
        paragraph.source = " ".join(texts)
    return [out[k] for k in sorted(out)]


def german_text(doc: Document, segs) -> str:
    return doc.text[segs[0].start:segs[-1].end]


def paragraph_model_free_risk(doc: Document, unit: JudgedParagraph, findings: list[Finding]) -> float:
    """The model-free risk of a paragraph: its strongest model-free finding, and its
    passages' model-free meaning score (as ``calibration.model_free_risk``)."""
    paragraph = doc.paragraphs[unit.index] if unit.index < len(doc.paragraphs) else None
    a, b = (paragraph.start, paragraph.end) if paragraph else (unit.german[0].start, unit.german[-1].end)
    inside = [(f.severity, f.confidence) for f in findings if a <= f.start < b]
    meaning = max((s.signals["qe"] for s in unit.german if s.signals.get("qe") is not None), default=0.0)
    return model_free_risk(inside, meaning)


def judge_document(doc: Document, judges: list, calibration: Calibration, score,
                   model_free: list[Finding] = ()) -> list[Finding]:
    """Findings of ``judges`` on ``doc`` (``score(judge, pairs)`` returns their scores, through
    the cache), weighing in the model-free findings ``model_free`` as the calibration says.
    Each paragraph's scores and risk are kept in its first segment's signals."""
    units = paragraphs(doc)
    if not units or not judges:
        return []
    pairs = [(u.source, german_text(doc, u.german)) for u in units]
    scores = {j.metric: score(j, pairs) for j in judges}
    out = []
    for k, unit in enumerate(units):
        values = {name: s[k] for name, s in scores.items()}
        verdict = calibration.verdict(values, paragraph_model_free_risk(doc, unit, list(model_free)))
        unit.german[0].signals["judges"] = {"scores": values, "risk": round(verdict.risk, 4),
                                            "severity": verdict.severity}
        if verdict.severity is None:
            continue
        a, b, named = _pointed(doc, unit, judges, score)
        described = " and ".join(calibration.metric(j.metric).describe(values[j.metric]).replace(
            j.metric, getattr(j, "label", j.metric), 1) for j in judges)
        out.append(Finding(
            segment_id=doc.segment_at(a).id if doc.segment_at(a) else unit.german[0].id, start=a, end=b,
            text=doc.text[a:b], category="mistranslation", severity=verdict.severity, check="judge.meaning",
            message=f"{described}: {MEANING[verdict.severity]}"
                    + (f"; {quote_words(named)} render{'s' if len(named) == 1 else ''} nothing of the source."
                       if named else "."),
            suggestion="compare the sentence with the source and correct what it renders wrongly",
            confidence=0.8 if verdict.severity == MAJOR else 0.5))
    return out


def _pointed(doc: Document, unit: JudgedParagraph, judges: list, score) -> tuple[int, int, list[str]]:
    """The span a paragraph's finding points at: its worst passage (scored alone where it
    has several), and the German words there that the model-free reading finds no source
    words for."""
    worst = unit.passages[0]
    if len(unit.passages) > 1:
        pairs = [(p.source, german_text(doc, p.german)) for p in unit.passages]
        per_judge = [score(j, pairs) for j in judges]
        # every judge's score turned so that higher is worse, summed over the judges by rank
        ranks = [0.0] * len(pairs)
        for j, values in zip(judges, per_judge):
            turned = [v if j_orientation(j) == "error" else -v for v in values]
            for rank, index in enumerate(sorted(range(len(pairs)), key=lambda i: turned[i])):
                ranks[index] += rank
        worst = unit.passages[max(range(len(pairs)), key=lambda i: (ranks[i], -i))]
    a, b = worst.german[0].start, worst.german[-1].end
    words = worst.german[0].signals.get("qe_words", {}).get("unmatched", [])
    inside = sorted((w for w in words if a <= w[1] and w[2] <= b), key=lambda w: (-w[3], w[1]))[:3]
    return a, b, [w[0] for w in inside]


def j_orientation(judge) -> str:
    from .calibration import SCALES

    return SCALES.get(judge.metric, ("error",))[0]
