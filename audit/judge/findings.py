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
from ..errors import JudgeUnavailable
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
    The judges' combined verdict ranks and sets the severity; where a judge names error spans
    (the LLM), the findings are at those words, else at the sentence the scores single out.
    Each paragraph's scores and risk are kept in its first segment's signals."""
    units = paragraphs(doc)
    if not units or not judges:
        return []
    pairs = [(u.source, german_text(doc, u.german)) for u in units]
    assessed, scores, parts = {}, {}, {}
    for j in judges:
        try:
            if getattr(j, "names_spans", False):
                assessed[j.metric] = j.assess(pairs)
                scores[j.metric] = [a.score if a else None for a in assessed[j.metric]]
            else:
                scores[j.metric] = list(score(j, pairs))
                if hasattr(j, "fits"):
                    parts[j.metric] = _score_overlong(doc, units, pairs, j, score, scores[j.metric])
        except JudgeUnavailable as err:
            err.judge = j  # the judge that failed, which the audit goes on without
            raise
    out = []
    for k, unit in enumerate(units):
        values = {name: s[k] for name, s in scores.items() if s[k] is not None}
        if not values:
            continue
        verdict = calibration.verdict(values, paragraph_model_free_risk(doc, unit, list(model_free)))
        split = max((p.get(k, 1) for p in parts.values()), default=1)
        unit.german[0].signals["judges"] = {"scores": values, "risk": round(verdict.risk, 4),
                                            "severity": verdict.severity, **({"parts": split} if split > 1 else {})}
        if verdict.severity is None:
            continue
        ran = [j for j in judges if j.metric in values]
        described = " and ".join(calibration.metric(j.metric).describe(values[j.metric]).replace(
            j.metric, getattr(j, "label", j.metric), 1) for j in ran)
        spans = [f for j in ran if j.metric in assessed and assessed[j.metric][k] is not None
                 for f in span_findings(doc, unit, assessed[j.metric][k].errors, verdict.severity, described, j)]
        if spans:
            out.extend(spans)
            continue
        a, b, named = _pointed(doc, unit, ran, score)
        out.append(Finding(
            segment_id=doc.segment_at(a).id if doc.segment_at(a) else unit.german[0].id, start=a, end=b,
            text=doc.text[a:b], category="mistranslation", severity=verdict.severity, check="judge.meaning",
            message=f"{described}"
                    + (f" (the worst of {split} parts: the paragraph is longer than the model reads at once)"
                       if split > 1 else "")
                    + f": {MEANING[verdict.severity]}"
                    + (f"; {quote_words(named)} render{'s' if len(named) == 1 else ''} nothing of the source."
                       if named else "."),
            suggestion="compare the sentence with the source and correct what it renders wrongly",
            confidence=0.8 if verdict.severity == MAJOR else 0.5))
    return out


# MQM categories as the findings name them
_CATEGORIES = {"accuracy/mistranslation": "mistranslation", "accuracy/addition": "addition",
               "accuracy/omission": "omission", "accuracy/untranslated text": "untranslated",
               "non-translation": "untranslated", "terminology": "terminology", "error span": "mistranslation"}


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` case-folded, quotes and dashes unified and runs of space made one, with the
    offset in ``text`` of each character kept."""
    out, where = [], []
    for k, ch in enumerate(text):
        c = {"„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "–": "-", "—": "-"}.get(ch, ch)
        if c.isspace():
            if out and out[-1] == " ":
                continue
            c = " "
        for folded in c.casefold():
            out.append(folded)
            where.append(k)
    return "".join(out), where


def occurrences(german: str, span: str) -> list[tuple[int, int]]:
    """Every place the words ``span`` stand in ``german`` (overlapping ones too): exactly,
    else after folding case, quotes and spaces; none where they are not there."""
    span = span.strip()
    if not span:
        return []
    if span in german:
        text, wanted, where = german, span, None
    else:
        text, where = _normalised(german)
        wanted = _normalised(span)[0].strip()
        if not wanted:
            return []
    out, at = [], text.find(wanted)
    while at >= 0:
        end = at + len(wanted)
        out.append((at, end) if where is None else (where[at], where[end - 1] + 1))
        at = text.find(wanted, at + 1)
    return out


def place(german: str, span: str) -> tuple[int, int] | None:
    """Where the words ``span`` first stand in ``german`` (``occurrences``); None where they
    are not there."""
    found = occurrences(german, span)
    return found[0] if found else None


def span_findings(doc: Document, unit: JudgedParagraph, errors: list, verdict: str, described: str,
                  judge=None) -> list[Finding]:
    """A judge's error spans (the LLM's, XCOMET's) as findings at their words (an error whose
    words are not in the German stays at the paragraph, and says so).  An error the judge
    calls major or critical is as severe as the paragraph's calibrated verdict; one it calls
    minor is minor.  A span the judge gives with its place is marked there, widened to whole words.
    """
    llm = judge is None or judge.kind == "llm"
    who = "the LLM" if llm else judge.metric.split("-")[0]
    a0, b0 = unit.german[0].start, unit.german[-1].end
    german = doc.text[a0:b0]
    out = []
    seen = set()
    if not llm:  # the most severe first, where pieces of one word are named apart
        errors = sorted(errors, key=lambda e: ("critical", "major", "minor").index(e.severity)
                        if e.severity in ("critical", "major", "minor") else 3)
    for e in errors:
        if e.category.startswith("source"):
            continue  # a problem of the source, not of the translation
        given = _words_at(german, e.place)
        found = [given] if given else occurrences(german, e.span)
        if given:
            if given in seen:
                continue  # pieces of one word named apart are one finding
            seen.add(given)
        placed = found[0] if found else None
        a, b = (a0 + placed[0], a0 + placed[1]) if placed else (a0, b0)
        severity = verdict if e.severity in ("critical", "major") else "minor"
        where = "" if placed or not e.span else f" (its words '{e.span}' are not in the German as quoted)"
        if len(found) > 1:
            where = f" ('{e.span}' stands {len(found)} times in the paragraph; marked where it first stands)"
        reason = f": {e.reason.rstrip('.')}" if e.reason else ""
        message = (f"{e.category} ({e.severity} for the LLM; {described}){reason}{where}." if llm else
                   f"{described} ({MEANING[verdict].split(':')[0]}); {who} marks these words as a {e.severity} "
                   f"error{f' ({e.reason})' if e.reason else ''}{where}.")
        out.append(Finding(
            segment_id=(doc.segment_at(a) or unit.german[0]).id, start=a, end=b, text=doc.text[a:b],
            category=_CATEGORIES.get(e.category, e.category.split("/")[0] or "mistranslation"),
            severity=severity, check="judge.llm" if llm else "judge.meaning",
            message=message, suggestion="compare the words with the source",
            confidence=0.8 if severity == MAJOR else 0.5))
    return out


def _score_overlong(doc: Document, units: list[JudgedParagraph], pairs: list[tuple[str, str]], judge, score,
                    values: list) -> dict[int, int]:
    """Paragraphs longer than ``judge`` reads at once (it would cut the end of the input,
    the source's with MetricX-23 and COMET) are scored by their passages instead, each
    within reach, and take the worst passage's score: ``values`` is changed in place.
    Returns the paragraphs so scored, with how many parts."""
    overlong = [k for k, ok in enumerate(judge.fits(pairs)) if not ok and len(units[k].passages) > 1]
    if not overlong:
        return {}
    asked = [(k, (p.source, german_text(doc, p.german))) for k in overlong for p in units[k].passages]
    got = score(judge, [pair for _, pair in asked])
    worse = max if j_orientation(judge) == "error" else min
    by_unit: dict[int, list[float]] = {}
    for (k, _), value in zip(asked, got):
        if value is not None:
            by_unit.setdefault(k, []).append(value)
    for k, found in by_unit.items():
        values[k] = worse(found)
    return {k: len(units[k].passages) for k in by_unit}


def _words_at(german: str, place: tuple[int, int] | None) -> tuple[int, int] | None:
    """The whole words of ``german`` that the characters ``place`` touch (a model's span may
    cut a word into pieces), or None where the place is not in the German."""
    if not place or not (0 <= place[0] < place[1] <= len(german)):
        return None
    a, b = place
    while a < b and german[a].isspace():
        a += 1
    while b > a and german[b - 1].isspace():
        b -= 1
    if a == b:
        return None
    while a > 0 and german[a - 1].isalnum():
        a -= 1
    while b < len(german) and german[b].isalnum():
        b += 1
    return a, b


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
            turned = [float("-inf") if v is None else v if j_orientation(j) == "error" else -v for v in values]
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
