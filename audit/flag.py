"""Flag: turn signals and check results into findings with severity and reason.

Thresholds come from the configuration (``data/thresholds.toml``); each
finding names the signal that raised it and quotes the words involved.
"""
from __future__ import annotations

import json
from pathlib import Path

from .crosscheck import check_pair
from .document import BOILERPLATE, MAJOR, MINOR, SEVERITY_RANK, Document, Finding
from .errors import ConfigError
from .lexicon import quote_words
from .numbers import format_number


def drift_findings(doc: Document, config: dict) -> list[Finding]:
    out: list[Finding] = []
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
                out.append(Finding(**span, category=issue.category, severity=issue.severity,
                                   check=f"source.{issue.category}", message=issue.message,
                                   suggestion=issue.suggestion, confidence=issue.confidence))
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
            out.append(Finding(**span, category="addition", severity=MINOR, check="drift.alignment",
                               message="No sentence of the source corresponds to this passage.",
                               suggestion="check the passage is in the source", confidence=0.5))
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
    for src_id in _unaligned_source(doc):
        seg = next((s for s in doc.prose_segments), None)
        if seg is not None:
            src = source_by_id[src_id]
            out.append(Finding(segment_id=seg.id, start=seg.start, end=seg.end, text=seg.text,
                               category="omission", severity=MAJOR if compared else MINOR, check="drift.alignment",
                               message=f"The source sentence {src_id} has no counterpart in the German: "
                                       f"'{_short(src.text)}'.",
                               suggestion="check whether the sentence was dropped",
                               confidence=0.7 if compared else 0.4))
    return out


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


def _unaligned_source(doc: Document) -> list[str]:
    return [sid for bead in doc.alignments if not bead.german for sid in bead.source]


def _short(text: str | None, limit: int = 80) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.start, -SEVERITY_RANK[f.severity], f.check, f.end, f.message))


def load_baseline(path: str | Path) -> set[str]:
    """Accepted findings: a JSON file written by --write-ignore."""
    return set(load_baseline_entries(path))


def load_baseline_entries(path: str | Path) -> dict[str, dict]:
    """The entries of a baseline file by key."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {entry["key"]: entry for entry in data["accepted"]}
    except FileNotFoundError:
        raise ConfigError(f"The accepted-findings file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise ConfigError(f"The accepted-findings file {path} is not a baseline written by "
                          "--write-ignore.") from None


def baseline_json(findings: list[Finding]) -> str:
    entries: dict[str, dict] = {}
    for f in findings:
        entries.setdefault(f.key(), {"key": f.key(), "check": f.check, "text": f.text, "message": f.message})
    return baseline_text(entries.values())


def baseline_text(entries) -> str:
    """A baseline file's content: the entries ({"key", "check", "text", "message"}) by key."""
    return json.dumps({"schema": "mt-audit-accepted/1", "accepted": sorted(entries, key=lambda e: e["key"])},
                      ensure_ascii=False, indent=2) + "\n"


def gate(findings: list[Finding], fail_on: str) -> bool:
    """True when the gate passes: no unaccepted finding at or above ``fail_on``."""
    if fail_on == "never":
        return True
    floor = SEVERITY_RANK[fail_on]
    return not any(SEVERITY_RANK[f.severity] >= floor and not f.accepted for f in findings)


__all__ = ["drift_findings", "sort_findings", "load_baseline", "load_baseline_entries", "baseline_json", "baseline_text",
           "gate", "MINOR"]
