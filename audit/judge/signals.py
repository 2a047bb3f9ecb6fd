"""Signals per aligned unit: sacrebleu chrF / BLEU / TER of the back-translation
against the aligned source, number and negation agreement, model confidence,
length ratio, and a weighted drift score.

Without a source the signals are reference-free: model confidence and the
consistency of numbers and negation between the German and its own
back-translation.
"""
from __future__ import annotations

from ..document import Document
from ..text.invisible import fold
from ..text.lexicon import negations
from ..text.numbers import number_values, unmatched_numbers


def compute_signals(doc: Document, config: dict) -> None:
    """Attach signals and a drift score to every German prose segment.

    With a source, drift compares the back-translation with the aligned source passage
    (``drift.compare`` / ``drift.score``).  Without one, a reference-free drift score is
    built from what is there: model confidence, numbers and negation that the German
    and its own back-translation disagree on, and broken phrases in the back-translation.
    """
    from . import drift
    from .embed import embedder

    by_id = {s.id: s for s in doc.segments}
    source_by_id = {s.id: s for s in doc.source_segments}
    doc.reference_free = not doc.source_segments
    units = []
    for bead in doc.alignments:
        segs = [by_id[i] for i in bead.german]
        if not segs:
            continue
        german = " ".join(s.text for s in segs)
        bt_parts = [s.back_translation for s in segs if s.back_translation is not None]
        bt = " ".join(bt_parts) if bt_parts and len(bt_parts) == len(segs) else None
        source = " ".join(source_by_id[i].text for i in bead.source)
        units.append((segs, german, bt, source))
    model = embedder() if any(bt and source for _, _, bt, source in units) else None
    if model is not None:
        model.encode([t for _, _, bt, source in units if bt and source for t in (bt, source)])
    for segs, german, bt, source in units:
        confs = [s.bt_confidence for s in segs if s.bt_confidence is not None]
        signals: dict = {"german_negations": len(negations(german, "de"))}
        if confs:
            signals["confidence"] = round(min(confs), 4)
        if bt is not None:
            signals["bt_negations"] = len(negations(bt, "en"))
            signals["bt_numbers_missing"] = unmatched_numbers(german, "de", bt, "en")
            signals["german_numbers_missing_in_bt"] = unmatched_numbers(bt, "en", german, "de")
            signals["bt_broken_phrases"] = drift.broken_phrases(bt)
        if source:
            signals["source_negations"] = len(negations(source, "en"))
            signals["german_numbers_missing"] = unmatched_numbers(source, "en", german, "de")
            signals["source_numbers"] = len(number_values(source, "en"))
            if bt is not None:
                encoded = tuple(model.encode([source, bt])) if model is not None else None
                signals.update(drift.compare(source, bt, german, encoded, model))
                signals["drift"] = drift.score(signals, config)
        elif bt is not None:
            signals["drift"] = reference_free_score(signals, config)
        for seg in segs:
            seg.signals = signals
            seg.drift = signals.get("drift")
    crosslingual_units(doc, units, config)


def crosslingual_units(doc: Document, units: list, config: dict) -> None:
    """Model-free quality estimation of each passage against its source (``audit/judge/modelfree.py``):
    the features, the words they name (offsets into ``doc.text`` and ``doc.source_text``)
    and the score, in ``qe`` / ``qe_features`` / ``qe_words`` of the passage's signals.
    Passages that were back-translated are judged through their back-translation instead."""
    from . import modelfree
    from .sourcechecks import negation_issues, number_issues

    by_id = {s.id: s for s in doc.source_segments}
    bead_sources = {a.german[0]: a.source for a in doc.alignments if a.german}
    todo = []
    for segs, _, bt, _ in units:
        sources = [by_id[i] for i in bead_sources.get(segs[0].id, [])]
        if bt is not None or not sources:
            continue
        todo.append((segs, sources))
    if not todo:
        return
    from .bilingual import dictionary

    lexicon = dictionary()
    if lexicon is None:
        doc.warnings.append(modelfree.NO_DICTIONARY)
    vectors = modelfree.vector_features([([fold(s.text).text for s in sources], [fold(s.text).text for s in segs])
                                  for segs, sources in todo])
    for (segs, sources), vector in zip(todo, vectors):
        start, end = segs[0].start, segs[-1].end
        source_start, source_end = sources[0].start, sources[-1].end
        german = fold(doc.text[start:end])  # no invisible character splits a word
        source = (doc.source_text or "")[source_start:source_end]
        reading = modelfree.lexical(source, german.text, lexicon)
        features = {**reading.features, **vector, **modelfree.length_features(source, german.text)}
        features["numbers"] = float(any(i.severity == "major" for i in number_issues(source, german.text)))
        features["negation"] = float(bool(negation_issues(source, german.text, evidence=False)))
        words = {"unrendered": [[w.text, w.start + source_start, w.end + source_start, round(w.weight, 2)]
                                for w in reading.unrendered],
                 "unmatched": [[w.text, german.start(w.start) + start, german.end(w.end) + start, round(w.weight, 2)]
                               for w in reading.unmatched],
                 "untranslated": [[w.text, german.start(w.start) + start, german.end(w.end) + start,
                                   round(w.weight, 2)] for w in reading.untranslated]}
        signals = {"qe_features": {k: round(v, 4) for k, v in sorted(features.items())}, "qe_words": words}
        if config.get("qe", {}).get("weights"):
            signals["qe"] = modelfree.score(features, config)
        for seg in segs:
            seg.signals.update(signals)


def reference_free_score(signals: dict, config: dict) -> float:
    """Drift without a source (0 = nothing suspicious): low model confidence, the German
    and its back-translation disagreeing on numbers or negation, and a back-translation
    with a broken phrase ("the of": a word lost in the German)."""
    weights = config["reference_free"]
    score = weights["confidence_weight"] * (1 - signals.get("confidence", 1.0))
    if signals.get("bt_numbers_missing") or signals.get("german_numbers_missing_in_bt"):
        score += weights["number_weight"]
    if bool(signals.get("german_negations")) != bool(signals.get("bt_negations")):
        score += weights["negation_weight"]
    if signals.get("bt_broken_phrases"):
        score += weights["broken_weight"]
    return round(score, 4)
