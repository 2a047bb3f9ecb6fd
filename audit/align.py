"""Sentence alignment (n:m) of translated sentences against the other side.

A Bleualign-style dynamic programme: side A is given already translated into
the language of side B, and every candidate bead (n:m with up to five sentences on a
side and six in all, 1:0, 0:1) gets a cost: one minus the character n-gram F-score of its translated A
side against its B side (sacrebleu's chrF statistics), relative to how far each side
typically is from unrelated sentences of the other (as Vecalign normalises its cost),
corrected for length and
shared anchors (numbers, capitalised names), plus a penalty per merged sentence,
all weighted by the bead's length in characters.  A sentence left unaligned costs,
per character, ``skip_ratio`` times the document's median best 1:1 cost, so an
added or dropped sentence is left out instead of being merged into its neighbour.  The search minimises the
total cost in a band around the diagonal, so time grows linearly with document
length.  Language-agnostic: it only ever compares "A translated into B" with "B".
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from sacrebleu.metrics.helpers import extract_all_char_ngrams

from .document import Alignment, Document

# n:m with up to MAX_BEAD sentences in all (the development gold has links up to 1:5 and
# 2:5; every size added up to six raised strict F1 there), plus the two skips.
MAX_BEAD = 6
BEADS = tuple(sorted(((a, b) for a in range(1, MAX_BEAD) for b in range(1, MAX_BEAD) if a + b <= MAX_BEAD),
                     key=lambda bead: (sum(bead), bead))) + ((1, 0), (0, 1))
CHAR_ORDER = 6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-ZÄÖÜ][\w-]{2,}")


@dataclass(frozen=True)
class AlignParams:
    """Weights of the bead cost, chosen on the development alignment set
    (``mt-audit eval alignment``)."""

    merge_penalty: float = 0.05
    # Leaving a sentence unaligned costs this multiple of the document's typical 1:1
    # cost per character: self-calibrating, since similarity runs high between two
    # English texts and low between OCR'd French and machine-translated French.
    skip_ratio: float = 1.0
    length_weight: float = 0.3
    anchor_weight: float = 0.1
    min_band: int = 12
    band_ratio: float = 0.08
    # A bead's chrF distance is divided by its sides' median distance from this many
    # unrelated sentences of the other side (0: no normalisation; documents with fewer
    # than twice as many sentences plus five on a side are not normalised either).
    chance_samples: int = 9


@dataclass
class _Side:
    ngrams: list[list[Counter]]
    chars: list[int]
    anchors: list[Counter]


def _prepare(sentences: list[str]) -> _Side:
    ngrams, chars, anchors = [], [], []
    for text in sentences:
        ngrams.append(extract_all_char_ngrams(text, CHAR_ORDER, include_whitespace=False))
        chars.append(len(text.replace(" ", "")))
        anchors.append(Counter(_NUMBER.findall(text)) + Counter(m.lower() for m in _NAME.findall(text)))
    return _Side(ngrams, chars, anchors)


def _merge(counters: list[list[Counter]]) -> list[Counter]:
    if len(counters) == 1:
        return counters[0]
    return [sum((c[k] for c in counters), Counter()) for k in range(CHAR_ORDER)]


def _spans(side: _Side):
    """The merged n-gram counts and anchors of a run of sentences, computed once per run."""
    @lru_cache(maxsize=None)
    def span(i: int, count: int) -> tuple[list[Counter], Counter]:
        return _merge(side.ngrams[i:i + count]), sum(side.anchors[i:i + count], Counter())
    return span


def chrf_from_ngrams(hyp: list[Counter], ref: list[Counter], beta: float = 2.0) -> float:
    """chrF (0..1) from per-order character n-gram counts, as sacrebleu computes it."""
    precisions, recalls = [], []
    for order in range(len(ref)):
        h, r = hyp[order], ref[order]
        hyp_total, ref_total = sum(h.values()), sum(r.values())
        if hyp_total == 0 or ref_total == 0:
            continue
        match = sum(min(h[k], r[k]) for k in h.keys() & r.keys())
        precisions.append(match / hyp_total)
        recalls.append(match / ref_total)
    if not precisions:
        return 0.0
    p = sum(precisions) / len(precisions)
    r = sum(recalls) / len(recalls)
    if p + r == 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r)


def align_sentences(translated_a: list[str], b: list[str], params: AlignParams | None = None
                    ) -> list[tuple[list[int], list[int], float]]:
    """Monotone n:m alignment; returns beads as (indices in A, indices in B, chrF of the bead)."""
    params = params or AlignParams()
    n, m = len(translated_a), len(b)
    if n == 0 or m == 0:
        return [([i], [], 0.0) for i in range(n)] + [([], [j], 0.0) for j in range(m)]
    side_a, side_b = _prepare(translated_a), _prepare(b)
    total_a, total_b = max(1, sum(side_a.chars)), max(1, sum(side_b.chars))
    band = max(params.min_band, int(params.band_ratio * max(n, m)))

    span_a, span_b = _spans(side_a), _spans(side_b)
    scale = total_a / total_b  # B characters in A units

    @lru_cache(maxsize=None)
    def similarity(i: int, j: int, da: int, db: int) -> float:
        return chrf_from_ngrams(span_a(i, da)[0], span_b(j, db)[0]) if da and db else 0.0

    def chars(i: int, j: int, da: int, db: int) -> tuple[int, float]:
        """Characters of the bead's two sides, B counted in A units."""
        return sum(side_a.chars[i:i + da]), sum(side_b.chars[j:j + db]) * scale

    def far_from(centre: float, count: int) -> list[int]:
        """Up to ``chance_samples`` sentence indices spread over a side of ``count``,
        none within two sentences of ``centre``."""
        far = [k for k in range(count) if abs(k - centre) > 2]
        step = max(1, len(far) // max(1, params.chance_samples))
        return far[step // 2::step][:params.chance_samples]

    def median(values: list[float]) -> float:
        values = sorted(values)
        return values[len(values) // 2] if values else 1.0

    @lru_cache(maxsize=None)
    def chance_a(i: int, da: int) -> float:
        return median([1 - chrf_from_ngrams(span_a(i, da)[0], side_b.ngrams[k]) for k in far_from(i * m / n, m)])

    @lru_cache(maxsize=None)
    def chance_b(j: int, db: int) -> float:
        return median([1 - chrf_from_ngrams(side_a.ngrams[k], span_b(j, db)[0]) for k in far_from(j * n / m, n)])

    def chance(i: int, j: int, da: int, db: int) -> float:
        """How far the bead's sides typically are from unrelated sentences of the other side
        (as Vecalign normalises its cosine cost): longer, merged text matches more
        character n-grams by chance, and this takes that inflation back out."""
        return (chance_a(i, da) + chance_b(j, db)) / 2

    @lru_cache(maxsize=None)
    def bead_cost(i: int, j: int, da: int, db: int) -> float:
        ca, cb = chars(i, j, da, db)
        if da == 0 or db == 0:
            return skip_cost * (ca + cb)
        return unit_cost(i, j, da, db) * (ca + cb) / 2

    @lru_cache(maxsize=None)
    def unit_cost(i: int, j: int, da: int, db: int) -> float:
        """The cost of a bead per character of it."""
        ca, cb = chars(i, j, da, db)
        # Length agreement relative to each side's total (as Gale & Church): translated
        # text runs longer or shorter overall, so compare shares, not raw counts.
        la, lb = ca / total_a, cb / total_a
        length = abs(la - lb) / max(la, lb, 1e-9)
        anchors_a, anchors_b = span_a(i, da)[1], span_b(j, db)[1]
        union = sum((anchors_a | anchors_b).values())
        anchor = 1 - sum((anchors_a & anchors_b).values()) / union if union else 0.5
        distance = 1 - similarity(i, j, da, db)
        if normalise:
            distance *= typical_chance / max(chance(i, j, da, db), 1e-6)
        return distance + params.length_weight * length \
            + params.anchor_weight * (anchor - 0.5) + params.merge_penalty * (da + db - 2)

    def diagonal(i: int) -> range:
        centre = i * m / n
        return range(max(0, int(centre - band)), min(m, int(centre + band) + 1) + 1)

    # The median of a handful of samples is noise: short documents are not normalised.
    normalise = params.chance_samples > 0 and min(n, m) >= 2 * params.chance_samples + 5
    if normalise:
        typical_chance = median([chance_a(i, 1) for i in range(n)])
    typical = sorted(min((unit_cost(i, j, 1, 1) for j in diagonal(i) if j < m), default=1.0) for i in range(n))
    skip_cost = params.skip_ratio * typical[len(typical) // 2]

    best: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int]] = {}
    for i in range(n + 1):
        for j in diagonal(i):
            if (i, j) == (0, 0):
                continue
            top, arg = math.inf, None
            for da, db in BEADS:
                pi, pj = i - da, j - db
                if pi < 0 or pj < 0:
                    continue
                prev = best.get((pi, pj))
                if prev is None:
                    continue
                value = prev + bead_cost(pi, pj, da, db)
                if value < top:
                    top, arg = value, (da, db)
            if arg is not None:
                best[(i, j)] = top
                back[(i, j)] = arg
    if (n, m) not in best:  # the band was too narrow for a very uneven pair: widen it
        wider = AlignParams(**{**params.__dict__, "min_band": max(n, m)})
        return align_sentences(translated_a, b, wider)
    beads = []
    i, j = n, m
    while (i, j) != (0, 0):
        da, db = back[(i, j)]
        i, j = i - da, j - db
        beads.append((list(range(i, i + da)), list(range(j, j + db)), similarity(i, j, da, db)))
    beads.reverse()
    return beads


def align_document(doc: Document, params: AlignParams | None = None) -> None:
    """Align German prose segments with the English source sentences.

    With back-translations the German side is compared through them; without a
    model only lengths and anchors are left, which still places most sentences.
    """
    prose = [s for s in doc.prose_segments if s.language == "de"]
    if not doc.source_segments:
        doc.alignments = [Alignment(german=[s.id], source=[]) for s in prose]
        return
    translated = [s.back_translation if s.back_translation else s.text for s in prose]
    source = [s.text for s in doc.source_segments]
    for ia, ib, score in align_sentences(translated, source, params):
        german_ids = [prose[i].id for i in ia]
        source_ids = [doc.source_segments[j].id for j in ib]
        doc.alignments.append(Alignment(german=german_ids, source=source_ids, score=round(score, 4)))
        for i in ia:
            prose[i].source_ids = source_ids
