"""Flag: turn the judges' signals into findings with severity and reason.

Thresholds come from the configuration (``data/thresholds.toml``); each
finding names the signal that raised it and quotes the words involved.
"""
from __future__ import annotations

import re

from .sourcechecks import check_pair
from .structure import structural_findings
from ..document import BOILERPLATE, MAJOR, MINOR, Document, Finding
from ..text.lexicon import quote_words
from ..text.numbers import format_number


def _issue_span(doc: Document, segs, issue) -> dict | None:
    """The document span of the first word an issue names (its spans are offsets into the
    passage's German, its segments joined by a space); None: the issue is the passage's."""
    starts, at = [], 0
    for seg in segs:
        starts.append(at)
        at += len(seg.text) + 1
    for a, b in issue.spans:
        index = max(i for i, s in enumerate(starts) if s <= a)
        seg = segs[index]
        start = seg.start + a - starts[index]
        end = seg.start + min(b - starts[index], len(seg.text))
        if end > start:
            return dict(segment_id=seg.id, start=start, end=end, text=doc.text[start:end])
    return None


# From this many German passages in a row with no source sentence, the source covers only
# part of the German (an English original of the first paragraphs): one finding says so.
UNCOVERED_RUN = 3


def _uncovered_findings(doc: Document, spans: list[dict]) -> list[Finding]:
    """German passages no source sentence corresponds to: one minor finding each, and one for
    a run of ``UNCOVERED_RUN`` or more passages in a row (the source covers only part of the
    text), naming where the run starts and ends."""
    runs: list[list[dict]] = []
    by_start = {s.start: k for k, s in enumerate(doc.segments)}
    for span in sorted(spans, key=lambda s: s["start"]):
        index = by_start.get(span["start"])
        if runs and index is not None and _adjacent(doc, runs[-1][-1], index):
            runs[-1].append(span)
        else:
            runs.append([span])
    out = []
    for run in runs:
        if len(run) < UNCOVERED_RUN:
            out += [Finding(**span, category="addition", severity=MINOR, check="drift.alignment",
                            message="No sentence of the source corresponds to this passage.",
                            suggestion="check the passage is in the source", confidence=0.5) for span in run]
            continue
        first, last = run[0], run[-1]
        where = "to the end of the text" if last["end"] >= len(doc.text.rstrip()) else f"to '{_short(last['text'], 40)}'"
        out.append(Finding(segment_id=first["segment_id"], start=first["start"], end=first["end"], text=first["text"],
                           category="addition", severity=MINOR, check="drift.alignment",
                           message=f"The source covers only part of the German: from here {where} ({len(run)} "
                                   f"passages) no sentence of the source corresponds.",
                           suggestion="give the whole source, or check that these passages belong to the story",
                           confidence=0.5))
    return out


def _adjacent(doc: Document, previous: dict, index: int) -> bool:
    """Whether segment ``index`` follows the passage ``previous`` with only non-prose between."""
    for seg in doc.segments[:index][::-1]:
        if seg.end <= previous["end"]:
            return True
        if seg.is_prose:
            return False
    return True


def drift_findings(doc: Document, config: dict) -> list[Finding]:
    out: list[Finding] = []
    uncovered: list[dict] = []
    by_id = {s.id: s for s in doc.segments}
    source_by_id = {s.id: s for s in doc.source_segments}
    drift_cfg, rf_cfg = config["drift"], config["reference_free"]
    for bead in doc.alignments:
        segs = [by_id[i] for i in bead.german]
        if not segs or segs[0].kind == BOILERPLATE:
            continue
        first, last = segs[0], segs[-1]
        sig = first.signals
        span = dict(segment_id=first.id, start=first.start, end=last.end,
                    text=doc.text[first.start:last.end])
        source_text = " ".join(source_by_id[i].text for i in bead.source)
        if bead.source:
            german_text = " ".join(seg.text for seg in segs)
            for issue in check_pair(source_text, german_text, config):
                # one finding per issue, at the first word it names (the message names them all);
                # its replacements are for that word, so a finding on the passage has none
                words = _issue_span(doc, segs, issue)
                out.append(Finding(**(words or span), category=issue.category, severity=issue.severity,
                                   check=f"source.{issue.category}", message=issue.message,
                                   suggestion=issue.suggestion, confidence=issue.confidence,
                                   replacements=list(issue.replacements) if words else []))
            out.extend(meaning_findings(doc, segs, config))
            drift = sig.get("drift")
            if drift is not None and drift >= drift_cfg["minor"]:
                severity = MAJOR if drift >= drift_cfg["major"] else MINOR
                category, reason = drift_reason(sig)
                out.append(Finding(**span, category=category, severity=severity, check="drift.score",
                                   message=f"Drift {drift:.2f}: {reason} (back-translation "
                                           f"'{_short(_back(segs))}' vs source '{_short(source_text)}').",
                                   suggestion="compare the passage with the source",
                                   confidence=drift_confidence(drift, drift_cfg)))
        elif not bead.source and doc.source_segments:
            uncovered.append(span)
        else:
            confidence = sig.get("confidence")
            # Without a source nothing says what the passage should mean: a model unsure of
            # it is a reason to look, never a certain error (minor).
            if confidence is not None and confidence < rf_cfg["confidence_minor"]:
                out.append(Finding(**span, category="mistranslation", severity=MINOR,
                                   check="drift.confidence",
                                   message=f"The back-translation model is unsure of this passage (confidence "
                                           f"{confidence:.2f}): '{_short(first.back_translation)}'.",
                                   suggestion="read the passage against the source", confidence=0.4))
            if "bt_negations" in sig and bool(sig["german_negations"]) != bool(sig["bt_negations"]):
                out.append(Finding(**span, category="negation", severity=MINOR, check="drift.negation",
                                   message="The German and its back-translation disagree on negation.",
                                   suggestion="check whether the statement was turned around", confidence=0.4))
            if sig.get("bt_broken_phrases"):
                out.append(Finding(**span, category="omission", severity=MINOR, check="drift.broken",
                                   message=f"The back-translation {_breaks_off(sig['bt_broken_phrases'])} "
                                           f"('{_short(first.back_translation)}').",
                                   suggestion="read the sentence for a missing word", confidence=0.5))
    # Aligned through back-translations, a source sentence left over was dropped; aligned
    # German against English without a model, it may be one the surface could not pair.
    compared = any(seg.back_translation for seg in doc.prose_segments)
    for src_id, seg in _unaligned_source(doc, by_id):
        if seg is not None and not _merged_into_neighbour(doc, src_id, by_id, source_by_id):
            src = source_by_id[src_id]
            out.append(Finding(segment_id=seg.id, start=seg.start, end=seg.end, text=seg.text,
                               category="omission", severity=MAJOR if compared else MINOR, check="drift.alignment",
                               message=f"The source sentence {src_id} has no counterpart in the German: "
                                       f"'{_short(src.text)}'.",
                               suggestion="check whether the sentence was dropped",
                               confidence=0.7 if compared else 0.4))
    return out + _uncovered_findings(doc, uncovered) + structural_findings(doc)


def meaning_findings(doc: Document, segs, config: dict) -> list[Finding]:
    """Findings of the model-free reading of a passage against its source (``audit/judge/modelfree.py``):
    English left standing in the German, and a passage whose words and sentence vectors say
    that its meaning drifted.  Each points at the German words concerned and names the
    source words that are not rendered."""
    sig = segs[0].signals
    words = sig.get("qe_words")
    if not words:
        return []
    cfg = config["qe"]
    out: list[Finding] = []
    left = words.get("untranslated", [])
    if len(left) >= cfg["untranslated_min_words"]:
        runs = _runs(left, doc.text)
        longest = max(runs, key=len)
        major = len(longest) >= cfg["untranslated_major_run"]
        a, b = longest[0][1], longest[-1][2]
        out.append(Finding(segment_id=_segment_at(segs, a).id, start=a, end=b,
                           text=doc.text[a:b], category="untranslated", severity=MAJOR if major else MINOR,
                           check="source.untranslated",
                           message=f"{quote_words(w[0] for w in left)} stand{'s' if len(left) == 1 else ''} in the "
                                   f"German as in the English source: left untranslated.",
                           suggestion="translate the words", confidence=0.85 if major else 0.5))
    score = sig.get("qe")
    if score is None or score < cfg["minor"]:
        return out
    unrendered, unmatched = words.get("unrendered", []), words.get("unmatched", [])
    features = sig.get("qe_features", {})
    major = bool(cfg.get("major_findings", True)) and score >= cfg["major"] and bool(unrendered or unmatched)
    if features.get("shorter", 0) > features.get("longer", 0) and unrendered and not unmatched:
        category = "omission"
    elif unmatched and not unrendered:
        category = "addition"
    else:
        category = "mistranslation"
    # the German words that render nothing of the source, the most telling first; else the passage
    strongest = sorted(unmatched, key=lambda w: (-w[3], w[1]))[:cfg["words_named"]]
    if strongest:
        a, b = min(w[1] for w in strongest), max(w[2] for w in strongest)
        if b - a > cfg["span_max_chars"]:
            a, b = strongest[0][1], strongest[0][2]
    else:
        a, b = segs[0].start, segs[-1].end
    parts = []
    if unrendered:
        parts.append(f"the source words {quote_words(w[0] for w in sorted(unrendered, key=lambda w: -w[3])[:cfg['words_named']])} "
                     f"have no counterpart in the German")
    if unmatched:
        parts.append(f"{quote_words(w[0] for w in strongest)} render{'s' if len(strongest) == 1 else ''} nothing "
                     f"of the source")
    if not parts:
        parts.append("the German and the source read differently (multilingual sentence vectors)")
    sure = "likely" if major else "possibly"
    message = f"Meaning {sure} changed ({score:.0%} sure): " + "; ".join(parts) + "."
    out.append(Finding(segment_id=_segment_at(segs, a).id, start=a, end=b, text=doc.text[a:b], category=category,
                       severity=MAJOR if major else MINOR, check="source.meaning", message=message,
                       suggestion="compare the passage with the source and render the words named",
                       confidence=round(score, 3)))
    return out


def _segment_at(segs, offset: int):
    """The segment of the passage that holds ``offset`` (its first where none does)."""
    return next((s for s in segs if s.start <= offset < s.end), segs[0])


def _runs(words: list, text: str) -> list[list]:
    """Words separated only by spaces, punctuation and English function words ("left behind
    at the door"), as runs."""
    from .modelfree import english_function_words

    bridges = english_function_words()
    runs: list[list] = []
    for w in sorted(words, key=lambda w: w[1]):
        gap = text[runs[-1][-1][2]:w[1]] if runs else ""
        if runs and all(part.lower() in bridges for part in re.findall(r"\w+", gap)):
            runs[-1].append(w)
        else:
            runs.append([w])
    return runs


def drift_confidence(drift: float, cfg: dict) -> float:
    """How likely a passage with this drift score changed meaning: the drift score is the
    probability of the fitted model (``[drift]``), classes weighted equally."""
    return round(drift, 3)


def _breaks_off(phrases: list[str]) -> str:
    return f"breaks off at {quote_words(phrases)}: a word is probably missing or garbled in the German"


def drift_reason(sig: dict) -> tuple[str, str]:
    """MQM-style category and a one-line reason quoting the words behind a drift score."""
    neg_src, neg_bt = sig.get("negations_source", []), sig.get("negations_back", [])
    if len(neg_src) != len(neg_bt):
        if len(neg_src) > len(neg_bt):
            return "negation", f"the source says {quote_words(neg_src)}, the back-translation has " \
                               f"{quote_words(neg_bt) if neg_bt else 'no negation'}"
        return "negation", f"the back-translation says {quote_words(neg_bt)}, the source has " \
                           f"{quote_words(neg_src) if neg_src else 'no negation'}"
    if sig.get("numbers_missing") or sig.get("numbers_added"):
        parts = []
        if sig.get("numbers_missing"):
            parts.append(f"source numbers {quote_words(format_number(v) for v in sig['numbers_missing'])} are not in the "
                         f"back-translation")
        if sig.get("numbers_added"):
            parts.append(f"the back-translation has {quote_words(format_number(v) for v in sig['numbers_added'])}")
        return "number", "; ".join(parts)
    if sig.get("gender_changed"):
        return "mistranslation", "he/she (or his/her) differs between source and back-translation"
    if sig.get("antonyms"):
        pairs = sig["antonyms"][:3]
        return "mistranslation", "the back-translation says " + "; ".join(
            f"'{back}' where the source says '{source}'" for source, back in pairs) + " (opposites in WordNet)"
    if sig.get("names_missing"):
        text = f"the source names {quote_words(sig['names_missing'])}, the back-translation does not"
        if sig.get("names_added"):
            text += f" (it has {quote_words(sig['names_added'])})"
        return "named entity", text
    if sig.get("untranslated_words"):
        return "mistranslation", f"{quote_words(sig['untranslated_words'])} came back untranslated: the model " \
                                 f"did not recognise the German word"
    # a word dropped or an adjective or adverb added (evidence on its own) is named first
    dropped, inserted = sig.get("dropped_words", []), sig.get("added_modifiers", [])
    omitted = dropped + [w for w in sig.get("omitted_words", []) if w not in dropped]
    added = inserted + [w for w in sig.get("added_words", []) if w not in inserted]
    if sig.get("broken_phrases"):
        text = f"the back-translation {_breaks_off(sig['broken_phrases'])} here"
        if omitted:
            text += f" (source words with no counterpart: {quote_words(omitted)})"
        return "omission", text
    if dropped or (omitted and not inserted and sig.get("omission", 0) >= sig.get("addition", 0)):
        return "omission", f"source words with no counterpart: {quote_words(omitted)}"
    if added:
        return "addition", f"back-translation words with no counterpart in the source: {quote_words(added)}"
    return "mistranslation", f"the back-translation reads differently from the source (chrF " \
                             f"{sig.get('chrf', 0):.0f}, embedding similarity {sig.get('embedding', 0):.2f})"


def _back(segs) -> str:
    return " ".join(s.back_translation or "" for s in segs)


def _unaligned_source(doc: Document, by_id: dict) -> list[tuple[str, object]]:
    """Each source sentence left unaligned, with the German sentence where it would have
    been rendered: the last of the bead before it (the first of the bead after it at the
    start of the text), in the order of the alignment."""
    out, waiting, before = [], [], None
    for bead in doc.alignments:
        if not bead.german:
            if before is None:
                waiting.extend(bead.source)  # placed at the first German sentence that follows
            else:
                out.extend((sid, before) for sid in bead.source)
            continue
        if before is None:
            out.extend((sid, by_id[bead.german[0]]) for sid in waiting)
            waiting = []
        before = by_id[bead.german[-1]]
    first = next(iter(doc.prose_segments), None)  # no German sentence aligned at all
    return out + [(sid, first) for sid in waiting]


# A source sentence left unaligned whose words the German sentence beside it renders (at
# most this share of its informative weight unrendered, by the dictionary) was merged into
# that sentence by the translator ("It's very small. I got the belt ..." / "Sehr klein … Ich
# habe den Gürtel ..."), not dropped.
MERGED_UNRENDERED = 0.34


def _merged_into_neighbour(doc: Document, src_id: str, by_id: dict, source_by_id: dict) -> bool:
    from .bilingual import dictionary
    from .modelfree import lexical

    lexicon = dictionary()
    if lexicon is None:
        return False
    beads = doc.alignments
    at = next((i for i, b in enumerate(beads) if src_id in b.source and not b.german), None)
    if at is None:
        return False
    neighbours = []
    for step in (-1, 1):
        j = at + step
        while 0 <= j < len(beads) and not beads[j].german:
            j += step
        if 0 <= j < len(beads):
            neighbours.append(" ".join(by_id[i].text for i in beads[j].german))
    # contractions read as their parts ("It’s" as "It", "don't" as "do not")
    source = re.sub(r"n[’']t\b", " not", source_by_id[src_id].text)
    source = re.sub(r"[’'](?:s|re|ll|ve|d|m)\b", "", source)
    for german in neighbours:
        reading = lexical(source, german, lexicon)
        if reading.dictionary and reading.features.get("source_unrendered", 1.0) <= MERGED_UNRENDERED \
                and _has_content(source):
            return True
    return False


def _has_content(source: str) -> bool:
    """Whether the sentence has a word that says something (a sentence of function words
    only, "And so it is.", says nothing of where it went)."""
    from .modelfree import english_function_words

    stop = english_function_words()
    return any(len(w) > 2 and w.lower() not in stop for w in re.findall(r"[^\W\d_]+", source))


def _short(text: str | None, limit: int = 80) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["drift_findings", "meaning_findings", "drift_reason", "drift_confidence"]
