"""Meaning across the two languages without a translation model: quality estimation of a
German passage against its English source.

Three kinds of evidence, each of which reads something the others do not:

* **words** (``audit/judge/bilingual.py``): which English content words of the source no German
  word renders (a dictionary translation, the same word, or a cognate: an omission or a
  mistranslation), and which German content words render nothing of the source (an
  addition or a mistranslation).  These name the words, so a finding points at them;
* **English left standing**: source words that reappear unchanged in the German although
  German does not use them (a source-language fragment);
* **sentence vectors** of Google's multilingual Universal Sentence Encoder v3
  (``audit/align/crosslingual.py``, shared with the aligner, so the alignment's encoding is
  reused): it sees gross drift and omission, not a lost negation or a changed figure (the
  source checks of ``crosscheck`` do).

``features`` gathers them per aligned passage; ``score`` is the probability of a small
logistic model over them with non-negative weights (``[qe]`` in ``data/thresholds.toml``),
fitted on expert MQM annotations of real machine translation by ``mt-audit eval mqm
--tune``.  Each optional resource that is missing (the dictionary, the encoder) leaves its
features at the value of a perfect match, so it lowers recall, never precision.
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np

from ..resources import load_data

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# Words at least this long that are this similar are taken for cognates ("Information" /
# "information", "Kamera" / "camera", "Konferenz" / "conference").
COGNATE_LENGTH = 5
COGNATE_SIMILARITY = 0.75
# English in capitals left standing counts from a run of this many words.
SHOUTED_RUN = 2
# A German word is an English word left standing when English uses it this much more than
# German (wordfreq Zipf frequencies), and it is a word English uses at all.
ENGLISH_OVER_GERMAN = 1.2
ENGLISH_ZIPF = 3.0
# A German word the dictionary lacks counts as unknown when German usage is rarer than this
# (wordfreq Zipf frequency; 2 is about once in ten million words).
UNKNOWN_ZIPF = 1.5
# The features the model is fitted on: those that raised the held-out AUC in the ablation of
# `mt-audit eval mqm --ablation` (docs/measurements.md); the others are computed and reported.
# A changed figure and a lost negation are left to the findings of their own (source.number,
# source.negation), so that this score says what the words and the sentence vectors say.
FITTED = ("source_unrendered_words", "german_unknown", "untranslated", "untranslated_run", "use", "longer")
# The features ``score`` weighs (``[qe.weights]``); missing ones count as 0.
FEATURES = ("source_unrendered", "german_unmatched", "source_unrendered_words", "german_unmatched_words", "german_unknown",
            "untranslated", "untranslated_run", "use", "shorter", "longer", "numbers", "negation")


NO_DICTIONARY = ("No German-English dictionary is installed (apt-get install trans-de-en, or "
                 "MT_AUDIT_DICTIONARY=FILE): the German was compared with its source without word evidence.")


@dataclass
class Word:
    text: str
    start: int   # offsets into the passage's text
    end: int
    weight: float


@dataclass
class Reading:
    """What the cross-lingual comparison of one passage found."""

    features: dict[str, float] = field(default_factory=dict)
    unrendered: list[Word] = field(default_factory=list)    # source words no German word renders
    unmatched: list[Word] = field(default_factory=list)     # German words that render nothing of the source
    untranslated: list[Word] = field(default_factory=list)  # German words that are English left standing
    dictionary: bool = False                                 # whether the word evidence was available


@lru_cache(maxsize=1)
def _words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    data = load_data("crosslingual")
    english = frozenset(load_data("drift_words")["function_words"]) | frozenset(load_data("negation")["en"])
    borrowed = frozenset(data["borrowed"]) | frozenset(w.lower() for w in load_data("anglicisms")["words"])
    return frozenset(data["german_function_words"]), english, borrowed


def english_function_words() -> frozenset[str]:
    return _words()[1]


def german_function_words() -> frozenset[str]:
    return _words()[0]


@lru_cache(maxsize=100_000)
def _zipf(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, language)


def _weight(word: str, language: str) -> float:
    """How much a word says: 8 minus its Zipf frequency, at least 0.5 (an IDF without a corpus)."""
    return max(0.5, 8.0 - _zipf(word.lower(), language))


def _cognate(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    if min(len(a), len(b)) < COGNATE_LENGTH or abs(len(a) - len(b)) > 4:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= COGNATE_SIMILARITY


def _is_english_left(word: str, source_words: set[str], borrowed: frozenset[str], lexicon=None) -> bool:
    lower = word.lower()
    if lower not in source_words or lower in borrowed or len(lower) < 2:
        return False
    english, german = _zipf(lower, "en"), _zipf(lower, "de")
    if english < ENGLISH_ZIPF or english - german < ENGLISH_OVER_GERMAN:
        return False
    # a German adjective with its ending ("separate" of "separat") is German, whatever its
    # frequency.  (The word itself is not looked up: the dictionary's nouns are capitalised in
    # German, and "talk" in lower case is English, not "Talk".)
    return lexicon is None or not any(stem in lexicon for stem in _adjective_stems(lower))


def _adjective_stems(word: str) -> list[str]:
    """The stems a German adjective ending may have been added to ("separate" -> "separat")."""
    return [word[: -len(e)] for e in ("em", "en", "er", "es", "e") if word.endswith(e) and len(word) - len(e) >= 4]


_LOOK_UP = object()


def lexical(source: str, german: str, lexicon=_LOOK_UP) -> Reading:
    """The word evidence of one passage (``Reading`` without the sentence-vector features);
    ``lexicon`` is the dictionary (``bilingual.dictionary()``, looked up when not given) or
    None."""
    from .bilingual import dictionary, english_keys

    german_stop, english_stop, borrowed = _words()
    reading = Reading()
    source_tokens = list(_TOKEN.finditer(source))
    german_tokens = list(_TOKEN.finditer(german))
    # Source words that are names (capitalised inside the sentence) are the names check's
    # business: they are matched here only to be left out of the shares.
    source_lower = {m.group().lower() for m in source_tokens}
    source_plain = {m.group().lower() for m in source_tokens if m.group()[0].islower()}
    # English left standing: a source word in lower case that German does not use, found
    # unchanged in the German in lower case (a name or a noun is capitalised in both).
    # English function words ("at the") join a run but are no evidence on their own.
    if lexicon is _LOOK_UP:
        lexicon = dictionary()
    for m in german_tokens:
        word = m.group()
        if m.start() > 0 and german[m.start() - 1] in "#@":
            continue  # a hashtag or a handle is kept as it is
        if word[0].islower() and word.lower() not in english_stop \
                and _is_english_left(word, source_plain, borrowed, lexicon):
            reading.untranslated.append(Word(word, m.start(), m.end(), _weight(word, "en")))
    reading.untranslated.extend(_shouted(german_tokens, source_lower, english_stop, borrowed))
    reading.untranslated.sort(key=lambda w: w.start)
    runs = _longest_run(german_tokens, {w.start for w in reading.untranslated})
    reading.features["untranslated"] = float(len(reading.untranslated))
    reading.features["untranslated_run"] = float(runs if runs >= 2 else 0)

    if lexicon is None:
        return reading
    reading.dictionary = True
    german_content = [m for m in german_tokens if m.group().lower() not in german_stop and len(m.group()) > 2]
    source_content = [m for m in source_tokens if m.group().lower() not in english_stop and len(m.group()) > 2]
    left = {w.start for w in reading.untranslated}
    translations = {m.start(): lexicon.translations(m.group()) for m in german_content}
    rendered_keys = set().union(*translations.values()) if translations else set()
    german_lower = {m.group().lower() for m in german_tokens}
    source_keys = set().union(*(english_keys(m.group()) for m in source_tokens))

    total = unrendered = 0.0
    for m in source_content:
        word = m.group()
        weight = _weight(word, "en")
        name = word[0].isupper() and m.start() > 0
        if english_keys(word) & rendered_keys or word.lower() in german_lower \
                or any(_cognate(word, g) for g in german_lower if len(g) >= COGNATE_LENGTH):
            total += weight
            continue
        if name:
            continue  # a name missing is the names check's finding
        total += weight
        unrendered += weight
        reading.unrendered.append(Word(word, m.start(), m.end(), weight))
    total_de = unmatched = 0.0
    unknown = 0
    for m in german_content:
        word = m.group()
        keys = translations[m.start()]
        if not keys and m.start() not in left and word.lower() not in source_lower \
                and _zipf(word.lower(), "de") < UNKNOWN_ZIPF \
                and not any(_cognate(word, s) for s in source_lower if len(s) >= COGNATE_LENGTH):
            unknown += 1  # a word neither the dictionary nor German usage knows: garbled or invented
        if not keys or m.start() in left:
            continue  # unknown to the dictionary (a name, a rare compound), or English left standing
        weight = _weight(word, "de")
        total_de += weight
        if keys & source_keys or word.lower() in source_lower \
                or any(_cognate(word, s) for s in source_lower if len(s) >= COGNATE_LENGTH):
            continue
        unmatched += weight
        reading.unmatched.append(Word(word, m.start(), m.end(), weight))
    reading.features["source_unrendered"] = round(unrendered / total, 4) if total else 0.0
    reading.features["german_unmatched"] = round(unmatched / total_de, 4) if total_de else 0.0
    reading.features["source_unrendered_words"] = math.log1p(len(reading.unrendered))
    reading.features["german_unmatched_words"] = math.log1p(len(reading.unmatched))
    reading.features["german_unknown"] = math.log1p(unknown)
    return reading


def _shouted(tokens, source_words: set[str], english_stop: frozenset[str], borrowed: frozenset[str]) -> list[Word]:
    """English left standing in capitals ("WE WANT OUR MONEY BACK"), which the lower-case
    rule cannot see: a run of at least two capitalised words of the source, English ones
    (function words may join), copied as they stand. A single capitalised word is an
    acronym or a name far more often (NATO, UPS) and is left alone."""
    out: list[Word] = []
    run: list = []
    for m in [*tokens, None]:
        word = m.group() if m is not None else ""
        lower = word.lower()
        if m is not None and word.isupper() and lower in source_words and (
                lower in english_stop or _is_english_left(word, source_words, borrowed)):
            run.append(m)
            continue
        content = [t for t in run if t.group().lower() not in english_stop]
        if len(run) >= SHOUTED_RUN and content:
            out.extend(Word(t.group(), t.start(), t.end(), _weight(t.group(), "en")) for t in content)
        run = []
    return out


def _longest_run(tokens, marked: set[int]) -> int:
    best = run = 0
    for m in tokens:
        run = run + 1 if m.start() in marked else 0
        best = max(best, run)
    return best


# --- sentence vectors -------------------------------------------------------------------

def _cosines(pairs: list[tuple[list[str], list[str]]], encode) -> list[float | None]:
    """Cosine of each (source sentences, German sentences) pair, each side the normalised
    sum of its sentences' vectors, so that every sentence is encoded once."""
    sentences = sorted({s for a, b in pairs for s in (*a, *b)})
    if not sentences:
        return [None] * len(pairs)
    matrix = encode(sentences)
    index = {s: k for k, s in enumerate(sentences)}
    out = []
    for a, b in pairs:
        va, vb = matrix[[index[s] for s in a]].sum(axis=0), matrix[[index[s] for s in b]].sum(axis=0)
        norm = float(np.linalg.norm(va) * np.linalg.norm(vb))
        out.append(float(va @ vb) / norm if norm else None)
    return out


def vector_features(pairs: list[tuple[list[str], list[str]]]) -> list[dict[str, float]]:
    """``use``: one minus the cosine of source and German, per passage (the aligner's
    encoding of each sentence, memoised, is reused)."""
    from ..align.crosslingual import encoder

    model = encoder()
    if model is None:
        return [{} for _ in pairs]
    return [{} if c is None else {"use": round(1.0 - c, 4)} for c in _cosines(pairs, model.vectors)]


def length_features(source: str, german: str) -> dict[str, float]:
    """How much shorter or longer the German is than a German translation usually is
    (German runs about a tenth longer than English in characters)."""
    if not source.strip() or not german.strip():
        return {}
    ratio = math.log(max(len(german), 1) / max(len(source), 1)) - 0.1
    return {"shorter": round(max(0.0, -ratio), 4), "longer": round(max(0.0, ratio), 4)}


def score(features: dict[str, float], config: dict) -> float:
    """The probability that the passage holds a major accuracy error."""
    cfg = config["qe"]
    margin = cfg["intercept"] + sum(w * features.get(k, 0.0) for k, w in cfg["weights"].items())
    return round(1.0 / (1.0 + math.exp(-margin)), 4)
