"""Signals per aligned unit: sacrebleu chrF / BLEU / TER of the back-translation
against the aligned source, number and negation agreement, model confidence,
length ratio, and a weighted drift score.

Without a source the signals are reference-free: model confidence and the
consistency of numbers and negation between the German and its own
back-translation.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

from .document import Document
from .lexicon import negations
from .numbers import number_values


@lru_cache(maxsize=1)
def _metrics():
    from sacrebleu.metrics import BLEU, CHRF, TER

    metrics = CHRF(), BLEU(effective_order=True), TER()
    for metric in metrics:
        # A signature records the number of references, known only after one scoring.
        metric.corpus_score(["a"], [["a"]])
    return metrics


def surface_scores(hypothesis: str, reference: str) -> dict[str, float]:
    chrf, bleu, ter = _metrics()
    return {
        "chrf": round(chrf.sentence_score(hypothesis, [reference]).score, 2),
        "bleu": round(bleu.sentence_score(hypothesis, [reference]).score, 2),
        "ter": round(ter.sentence_score(hypothesis, [reference]).score, 2),
    }


def metric_signatures() -> dict[str, str]:
    chrf, bleu, ter = _metrics()
    return {"chrf": str(chrf.get_signature()), "bleu": str(bleu.get_signature()), "ter": str(ter.get_signature())}


def missing_numbers(reference: list[float], candidate: list[float]) -> list[float]:
    return sorted((Counter(reference) - Counter(candidate)).elements())


def compute_signals(doc: Document, config: dict) -> None:
    """Attach signals and a drift score to every German prose segment."""
    by_id = {s.id: s for s in doc.segments}
    source_by_id = {s.id: s for s in doc.source_segments}
    weights = config["drift"]
    doc.reference_free = not doc.source_segments
    for bead in doc.alignments:
        segs = [by_id[i] for i in bead.german]
        if not segs:
            continue
        german = " ".join(s.text for s in segs)
        bt_parts = [s.back_translation for s in segs if s.back_translation is not None]
        bt = " ".join(bt_parts) if len(bt_parts) == len(segs) else None
        confs = [s.bt_confidence for s in segs if s.bt_confidence is not None]
        signals: dict = {}
        if confs:
            signals["confidence"] = round(min(confs), 4)
        german_numbers = number_values(german, "de")
        signals["german_negations"] = len(negations(german, "de"))
        if bt is not None:
            bt_numbers = number_values(bt, "en")
            signals["bt_negations"] = len(negations(bt, "en"))
            signals["bt_numbers_missing"] = missing_numbers(german_numbers, bt_numbers)
        source = " ".join(source_by_id[i].text for i in bead.source)
        if bead.source:
            source_numbers = number_values(source, "en")
            signals["source_negations"] = len(negations(source, "en"))
            signals["german_numbers_missing"] = missing_numbers(source_numbers, german_numbers)
            signals["source_numbers"] = len(source_numbers)
            if bt is not None:
                signals.update(surface_scores(bt, source))
                signals["length_ratio"] = round(len(bt) / max(1, len(source)), 3)
            signals["drift"] = drift_score(signals, weights)
        for seg in segs:
            seg.signals = signals
            seg.drift = signals.get("drift")


def drift_score(signals: dict, weights: dict) -> float:
    """Weighted evidence that the meaning changed (0 = same meaning)."""
    score = 0.0
    if "chrf" in signals:
        score += weights["chrf_weight"] * (1 - signals["chrf"] / 100)
        score += weights["ter_weight"] * min(signals["ter"], 100) / 100
    if signals.get("source_numbers"):
        score += weights["number_weight"] * len(signals["german_numbers_missing"]) / signals["source_numbers"]
    if bool(signals.get("source_negations")) != bool(signals.get("german_negations")):
        score += weights["negation_weight"]
    if "confidence" in signals:
        score += weights["confidence_weight"] * (1 - signals["confidence"])
    return round(score, 4)
