"""Sentence alignment (n:m) of translated sentences against the other side.

A Bleualign-style dynamic programme in a band around the diagonal (time linear in
document length): side A comes already translated into the language of side B, and every
candidate bead (n:m up to six sentences in all, 1:0, 0:1) costs one minus the similarity
of its two sides (the mean of chrF and an IDF-weighted word F-score, so that names,
numbers and rare words decide with no word list), corrected for length and shared
anchors, weighted by the bead's length.  Leaving a sentence unaligned costs a share of
the way from the document's typical matched pair to its typical unrelated pair, so an
added or dropped sentence stays 1:0 / 0:1 in any language pair and quality of
translation.  A second pass moves a short sentence at a bead boundary to the neighbour
that holds more of its words, and keeps a clause that ends in ";" or ":" with the rest of
its sentence.  German aligned with English directly (no model) mixes in the similarity of
multilingual sentence vectors where the caller has them (``crosslingual``).  Parameters and
their measurements: ``AlignParams`` and docs/measurements.md.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from sacrebleu.metrics.helpers import extract_all_char_ngrams

from .document import Alignment, Document
from .lexicon import is_noise

# n:m with up to MAX_BEAD sentences in all (the development gold has links up to 1:5 and
# 2:5; every size added up to six raised strict F1 there), plus the two skips.
MAX_BEAD = 6
BEADS = tuple(sorted(((a, b) for a in range(1, MAX_BEAD) for b in range(1, MAX_BEAD) if a + b <= MAX_BEAD),
                     key=lambda bead: (sum(bead), bead))) + ((1, 0), (0, 1))
CHAR_ORDER = 6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-ZÄÖÜ][\w-]{2,}")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class AlignParams:
    """Weights of the bead cost, chosen on the development alignment set
    (``mt-audit eval alignment``)."""

    merge_penalty: float = 0.05
    # Leaving a sentence unaligned is cheaper than a 1:1 bead whose cost per character is
    # past this share of the way from the document's typical matched pair to its typical
    # unrelated pair: self-calibrating, since similarity runs high between two English
    # texts, lower between OCR'd and machine-translated French, and low between German
    # and English without a model.  None: ``skip_ratio`` times the typical matched cost.
    unrelated_share: float | None = 1.3
    # The same for German against English without a model (``model_free``).  There matched
    # and unrelated pairs cost nearly alike, so any share puts the threshold close to a
    # typical match and good translations lose sentences (a split sentence's second half,
    # a short question): None keeps the ``skip_ratio`` rule, which leaves a sentence out
    # only past twice the typical matched cost.
    unrelated_share_model_free: float | None = None
    # The same for German against English compared through multilingual sentence vectors
    # (``crosslingual``): there an unrelated pair costs clearly more than a match, and the
    # share rule holds again.
    unrelated_share_embedded: float | None = 1.3
    skip_ratio: float = 1.0
    # chrF's beta in the bead similarity: 1 makes an extra sentence on either side of a
    # bead cost alike (recall-weighted chrF, beta 2, hardly sees a sentence added on the
    # translated side, so a merge would absorb it instead of leaving it unaligned).
    chrf_beta: float = 1.0
    length_weight: float = 0.3
    anchor_weight: float = 0.1
    min_band: int = 12
    band_ratio: float = 0.08
    # Share of the word-level similarity in a bead's similarity (the rest is chrF).
    word_weight: float = 0.5
    # Boundary refinement after the search: a sentence at the boundary of two beads moves
    # to the neighbouring bead when that bead's other side holds this much more of its
    # (IDF-weighted) words than its own bead's other side does; None turns it off.
    move_margin: float | None = 0.2
    # A bead that ends inside an open parenthesis costs this multiple of the cost of
    # leaving a median-length sentence unaligned (any value from 1 up aligns the same).
    parenthesis_penalty: float = 1.0
    # A segment at a bead boundary right after a clause ending in ";" crosses it unless its
    # own bead's other side holds more of its words by this much; None keeps such a
    # boundary to the ordinary ``move_margin`` and leaves unaligned segments as they are.
    semicolon_margin: float | None = 0.1
    # Share of the sentence-vector similarity in a bead's similarity, where the caller
    # passes vectors (German against English without a model; the rest is the surface
    # similarity above).
    embedding_weight: float = 0.2


@dataclass
class _Side:
    ngrams: list[list[Counter]]
    chars: list[int]
    anchors: list[Counter]
    words: list[Counter]


def _prepare(sentences: list[str]) -> _Side:
    ngrams, chars, anchors, words = [], [], [], []
    for text in sentences:
        ngrams.append(extract_all_char_ngrams(text, CHAR_ORDER, include_whitespace=False))
        chars.append(len(text.replace(" ", "")))
        anchors.append(Counter(_NUMBER.findall(text)) + Counter(m.lower() for m in _NAME.findall(text)))
        words.append(Counter(w.lower() for w in _WORD.findall(text)))
    return _Side(ngrams, chars, anchors, words)


def inverse_document_frequency(*sides: _Side) -> dict[str, float]:
    """log(1 + sentences / sentences containing the word), over every sentence of both
    sides (smoothed, so that in a two-sentence document a shared word still counts)."""
    counts = Counter(word for side in sides for words in side.words for word in words)
    total = sum(len(side.words) for side in sides)
    return {word: math.log(1 + total / count) for word, count in counts.items()}


def idf_mass(words: Counter, idf: dict[str, float]) -> float:
    """The summed IDF weight of a text's words."""
    return sum(idf[w] * c for w, c in words.items())


class _Packed:
    """The n-gram and word counts of both sides as sorted id and count arrays, so that
    chrF and the word score of a bead are array intersections, not dictionary walks (the
    search scores thousands of beads per document).  ``chrf`` is chrF as sacrebleu computes
    it from character n-gram statistics (the mean precision and recall over the orders both
    sides have); ``word_similarity`` is the F-score of the words both share, each weighted
    by its IDF."""

    def __init__(self, side_a: _Side, side_b: _Side, idf: dict[str, float]):
        import numpy as np

        self.np = np
        grams: dict[tuple[int, str], int] = {}
        orders: list[int] = []
        words: dict[str, int] = {}
        weights: list[float] = []
        anchors: dict[str, int] = {}

        def pack(items, ids: dict, on_new) -> tuple:
            keys, counts = [], []
            for key, count in items:
                index = ids.get(key)
                if index is None:
                    index = ids[key] = len(ids)
                    on_new(key)
                keys.append(index)
                counts.append(count)
            keys_array = np.array(keys, dtype=np.int64)
            order = np.argsort(keys_array, kind="stable")
            return keys_array[order], np.array(counts, dtype=np.float64)[order]

        self.sentences = []
        for side in (side_a, side_b):
            packed_side = []
            for ngrams, counted, anchored in zip(side.ngrams, side.words, side.anchors):
                gram_ids, gram_counts = pack((((order, g), c) for order, counter in enumerate(ngrams)
                                              for g, c in counter.items()), grams, lambda key: orders.append(key[0]))
                word_ids, word_counts = pack(counted.items(), words, lambda key: weights.append(idf[key]))
                anchor_ids, anchor_counts = pack(anchored.items(), anchors, lambda key: None)
                packed_side.append((gram_ids, gram_counts, word_ids, word_counts, anchor_ids, anchor_counts))
            self.sentences.append(packed_side)
        self.orders = np.array(orders, dtype=np.int64)
        self.idf = np.array(weights, dtype=np.float64)
        self.span = lru_cache(maxsize=None)(self._span)

    def _span(self, side: int, start: int, count: int) -> tuple:
        """(gram ids, gram counts, n-grams per order, word ids, word counts, IDF mass,
        anchor ids, anchor counts, anchors) of a run of sentences."""
        np = self.np
        parts = self.sentences[side][start:start + count]
        if len(parts) == 1:
            gram_ids, gram_counts, word_ids, word_counts, anchor_ids, anchor_counts = parts[0]
        else:
            gram_ids, gram_counts = self._merge([p[0] for p in parts], [p[1] for p in parts])
            word_ids, word_counts = self._merge([p[2] for p in parts], [p[3] for p in parts])
            anchor_ids, anchor_counts = self._merge([p[4] for p in parts], [p[5] for p in parts])
        per_order = np.bincount(self.orders[gram_ids], weights=gram_counts, minlength=CHAR_ORDER)
        mass = float(np.dot(self.idf[word_ids], word_counts))
        return (gram_ids, gram_counts, per_order, word_ids, word_counts, mass, anchor_ids, anchor_counts,
                float(anchor_counts.sum()))

    def _common(self, ids_a, ids_b) -> tuple:
        """Positions in ``ids_a`` and ``ids_b`` (sorted, unique) of the ids both hold."""
        np = self.np
        if not len(ids_a) or not len(ids_b):
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        at = np.searchsorted(ids_b, ids_a)
        at[at == len(ids_b)] = 0
        hit = ids_b[at] == ids_a
        return np.nonzero(hit)[0], at[hit]

    def anchor_overlap(self, a: tuple, b: tuple) -> float | None:
        """Shared numbers and names over all of them (None when neither side has any)."""
        np = self.np
        if not (a[8] or b[8]):
            return None
        xa, xb = self._common(a[6], b[6])
        shared = float(np.minimum(a[7][xa], b[7][xb]).sum())
        return shared / (a[8] + b[8] - shared)

    def _merge(self, ids: list, counts: list) -> tuple:
        np = self.np
        unique, inverse = np.unique(np.concatenate(ids), return_inverse=True)
        return unique, np.bincount(inverse, weights=np.concatenate(counts), minlength=len(unique))

    def chrf(self, a: tuple, b: tuple, beta: float) -> float:
        np = self.np
        xa, xb = self._common(a[0], b[0])
        match = np.bincount(self.orders[a[0][xa]], weights=np.minimum(a[1][xa], b[1][xb]), minlength=CHAR_ORDER)
        valid = (a[2] > 0) & (b[2] > 0)
        count = int(valid.sum())
        if not count:
            return 0.0
        p = float(np.add.reduce(match[valid] / a[2][valid])) / count
        r = float(np.add.reduce(match[valid] / b[2][valid])) / count
        if p + r == 0:
            return 0.0
        b2 = beta * beta
        return (1 + b2) * p * r / (b2 * p + r)

    def word_similarity(self, a: tuple, b: tuple) -> float:
        np = self.np
        weight = a[5] + b[5]
        if weight == 0:
            return 0.0
        xa, xb = self._common(a[3], b[3])
        return 2 * float(np.dot(self.idf[a[3][xa]], np.minimum(a[4][xa], b[4][xb]))) / weight


def align_sentences(translated_a: list[str], b: list[str], params: AlignParams | None = None,
                    goes_on: tuple[list[str], list[str]] | None = None, vectors=None
                    ) -> list[tuple[list[int], list[int], float]]:
    """Monotone n:m alignment; returns beads as (indices in A, indices in B, similarity of the bead).

    ``vectors``: unit-length sentence vectors of both sides (numpy arrays, a row per
    sentence), mixed into the bead similarity at ``params.embedding_weight``.

    ``goes_on`` gives, per side and segment, the mark across which the segment's sentence
    goes on into the next segment (";" or ":", "" where it ends); by default the
    segment's last character (``continuation``).

    Noise segments (``is_noise``) are aligned to nothing and kept out of the search, so
    that a link around one ("the ridge" / debris / "is reached quickly") stays one bead,
    unless the noise closes a parenthesis the segment before it opened ("( n° 57 du rôle
    des sherpas de l' H ." / "C ) ."): then it is the end of that segment."""
    keep_a, keep_b = _searched(translated_a), _searched(b)
    if goes_on is None:
        goes_on = ([continuation(t) for t in translated_a], [continuation(t) for t in b])
    kept_goes_on = ([goes_on[0][i] for i in keep_a], [goes_on[1][j] for j in keep_b])
    kept_vectors = None if vectors is None else (vectors[0][keep_a], vectors[1][keep_b])
    beads = [([keep_a[i] for i in ia], [keep_b[j] for j in ib], score)
             for ia, ib, score in _align([translated_a[i] for i in keep_a], [b[j] for j in keep_b], params,
                                         kept_goes_on, kept_vectors)]
    noise = [([i], [], 0.0) for i in sorted(set(range(len(translated_a))) - set(keep_a))] \
        + [([], [j], 0.0) for j in sorted(set(range(len(b))) - set(keep_b))]
    for bead in noise:
        side = 0 if bead[0] else 1
        index = bead[side][0]
        at = next((k for k, other in enumerate(beads) if other[side] and other[side][0] > index), len(beads))
        beads.insert(at, bead)
    return beads


def _searched(sentences: list[str]) -> list[int]:
    """Indices of the segments the search aligns: all but noise that ends no parenthesis."""
    inside = parenthesis_boundaries(sentences)
    return [i for i, s in enumerate(sentences) if not is_noise(s) or inside[i]]


def parenthesis_boundaries(sentences: list[str]) -> list[bool]:
    """For each k in 0..n, whether the boundary before sentence k falls inside a
    parenthesis: the last parenthesis of a sentence opens one, and the first of the next
    sentence that has any (the next or the one after) closes it, with text before it (a
    sentence that starts with ")" ends a parenthesis whose content ended with the sentence
    before).  Only the order of the marks counts, so a parenthesis that OCR or a
    translation lost elsewhere in a sentence binds nothing."""
    marks = [re.sub(r"[^()]", "", text) for text in sentences]
    inside = [False] * (len(sentences) + 1)
    for i, own in enumerate(marks):
        if not own.endswith("("):
            continue
        for k in range(i + 1, min(i + 3, len(sentences))):
            if not marks[k]:
                continue
            if marks[k].startswith(")") and not sentences[k].lstrip().startswith(")"):
                inside[i + 1:k + 1] = [True] * (k - i)
            break
    return inside


def _align(translated_a: list[str], b: list[str], params: AlignParams | None = None,
           goes_on: tuple[list[str], list[str]] | None = None, vectors=None
           ) -> list[tuple[list[int], list[int], float]]:
    params = params or AlignParams()
    n, m = len(translated_a), len(b)
    if n == 0 or m == 0:
        return [([i], [], 0.0) for i in range(n)] + [([], [j], 0.0) for j in range(m)]
    side_a, side_b = _prepare(translated_a), _prepare(b)
    total_a, total_b = max(1, sum(side_a.chars)), max(1, sum(side_b.chars))
    band = max(params.min_band, int(params.band_ratio * max(n, m)))

    scale = total_a / total_b  # B characters in A units
    idf = inverse_document_frequency(side_a, side_b)
    packed = _Packed(side_a, side_b, idf)

    embedded = _Embedded(vectors, n, m) if vectors is not None and params.embedding_weight else None

    @lru_cache(maxsize=None)
    def similarity(i: int, j: int, da: int, db: int) -> float:
        if not (da and db):
            return 0.0
        a, b_ = packed.span(0, i, da), packed.span(1, j, db)
        surface = (1 - params.word_weight) * packed.chrf(a, b_, params.chrf_beta) \
            + params.word_weight * packed.word_similarity(a, b_)
        if embedded is None:
            return surface
        return (1 - params.embedding_weight) * surface + params.embedding_weight * embedded.similarity(i, j, da, db)

    def chars(i: int, j: int, da: int, db: int) -> tuple[int, float]:
        """Characters of the bead's two sides, B counted in A units."""
        return sum(side_a.chars[i:i + da]), sum(side_b.chars[j:j + db]) * scale

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
        overlap = packed.anchor_overlap(packed.span(0, i, da), packed.span(1, j, db))
        anchor = 1 - overlap if overlap is not None else 0.5
        return (1 - similarity(i, j, da, db)) + params.length_weight * length \
            + params.anchor_weight * (anchor - 0.5) + params.merge_penalty * (da + db - 2)

    def diagonal(i: int) -> range:
        centre = i * m / n
        return range(max(0, int(centre - band)), min(m, int(centre + band) + 1) + 1)

    typical = sorted(min((unit_cost(i, j, 1, 1) for j in diagonal(i) if j < m), default=1.0) for i in range(n))
    matched = typical[len(typical) // 2]
    if params.unrelated_share is None:
        skip_cost = params.skip_ratio * matched
    else:
        # Where a sentence pair stops being a translation: a share of the way from the
        # document's typical matched pair to its typical unrelated pair (a sentence and one
        # half the document away).  Aligning a 1:1 bead costs its unit cost times half its
        # length, skipping both sentences the skip cost times their length.
        far = sorted(unit_cost(i, j, 1, 1) for i, j in enumerate(half_away(n, m))) if m > 1 else [1.0]
        unrelated = max(far[len(far) // 2], matched)
        skip_cost = (matched + params.unrelated_share * (unrelated - matched)) / 2
    inside_a, inside_b = parenthesis_boundaries(translated_a), parenthesis_boundaries(b)
    split_parenthesis = params.parenthesis_penalty * skip_cost * sorted(side_a.chars)[n // 2]

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
                if da and db and (inside_a[i] or inside_b[j]):
                    value += split_parenthesis
                if value < top:
                    top, arg = value, (da, db)
            if arg is not None:
                best[(i, j)] = top
                back[(i, j)] = arg
    if (n, m) not in best:  # the band was too narrow for a very uneven pair: widen it
        wider = AlignParams(**{**params.__dict__, "min_band": max(n, m)})
        return _align(translated_a, b, wider, goes_on, vectors)
    beads = []
    i, j = n, m
    while (i, j) != (0, 0):
        da, db = back[(i, j)]
        i, j = i - da, j - db
        beads.append((list(range(i, i + da)), list(range(j, j + db)), similarity(i, j, da, db)))
    beads.reverse()
    if params.move_margin is not None:
        refined = _refine_boundaries([(ia, ib) for ia, ib, _ in beads], side_a, side_b, idf, params.move_margin,
                                     goes_on, params.semicolon_margin)
        beads = [(ia, ib, similarity(ia[0], ib[0], len(ia), len(ib)) if ia and ib else 0.0) for ia, ib in refined]
    return beads


def half_away(n: int, m: int) -> list[int]:
    """For each of n sentences of side A, the sentence of side B (of m) one half the
    document away from its place on the diagonal: a typical unrelated partner."""
    return [(int(i * m / n) + m // 2) % m for i in range(n)]


class _Embedded:
    """Bead similarity from sentence vectors: a run of sentences is the normalised sum of
    its vectors, and the cosine distance of a bead is measured against the document's
    typical distance between unrelated sentences (each against one half the document
    away), as Vecalign normalises its costs, so that 1 is an unrelated pair and the scale
    holds for any encoder and language pair."""

    def __init__(self, vectors, n: int, m: int):
        import numpy as np

        self.np = np
        a, b = (np.asarray(v, dtype=np.float64) for v in vectors)
        self.sums = tuple(np.vstack([np.zeros((1, v.shape[1])), np.cumsum(v, axis=0)]) for v in (a, b))
        far = [1 - self._cos(self._span(0, i, 1), self._span(1, j, 1))
               for i, j in enumerate(half_away(n, m))] if m > 1 else [1.0]
        self.unrelated = max(float(np.median(far)), 1e-6)

    def _span(self, side: int, start: int, count: int):
        return self.sums[side][start + count] - self.sums[side][start]

    def _cos(self, x, y) -> float:
        norm = float(self.np.linalg.norm(x) * self.np.linalg.norm(y))
        return float(x @ y) / norm if norm else 0.0

    def similarity(self, i: int, j: int, da: int, db: int) -> float:
        distance = 1 - self._cos(self._span(0, i, da), self._span(1, j, db))
        return max(0.0, 1 - distance / self.unrelated)


def containment(words: Counter, other: Counter, idf: dict[str, float]) -> float:
    """The IDF-weighted share of ``words`` that ``other`` also has."""
    total = idf_mass(words, idf)
    if not total:
        return 0.0
    return sum(idf[w] * min(c, other[w]) for w, c in words.items() if w in other) / total


def continuation(text: str) -> str:
    """The mark across which a segment's sentence goes on into the next segment: ";" after
    a clause, ":" before what it introduces, "" where the sentence ends."""
    return {";": ";", "\uff1b": ";", ":": ":", "\uff1a": ":"}.get(text.rstrip()[-1:], "")


def _refine_boundaries(beads: list[tuple[list[int], list[int]]], side_a: _Side, side_b: _Side,
                       idf: dict[str, float], margin: float,
                       goes_on: tuple[list[str], list[str]] | None = None,
                       clause_margin: float | None = None) -> list[tuple[list[int], list[int]]]:
    """Move a sentence at the boundary of two neighbouring beads into the other bead when
    that bead's other side holds more of its words (by ``margin``) than its own bead's
    other side does.  The search weighs a bead by its length, so a short sentence ("1.
    Kangchenjunga.", a heading, a fragment cut off by a sentence splitter) hardly changes
    the total whichever neighbour it joins; its own words decide here.  A sentence left
    unaligned is not drawn into a neighbour by its words (that lost more gold links than it
    won), only by its punctuation (``_join_continued``).

    With ``clause_margin``, a boundary right after a clause ending in ";" (``goes_on``,
    per side) is a cut inside a sentence: a segment crosses it unless its own bead holds
    more of its words by ``clause_margin`` ("tentes, cordes, vivres, etc. ;" / "peine
    perdue ." goes with its sentence even with no word in common)."""
    beads = [(list(a), list(b)) for a, b in beads]
    use_clauses = clause_margin is not None and goes_on is not None

    def words(side: _Side, indices: list[int]) -> Counter:
        return sum((side.words[i] for i in indices), Counter())

    def gain(side: _Side, sentence: int, to: Counter, home: Counter) -> float:
        return containment(side.words[sentence], to, idf) - containment(side.words[sentence], home, idf)

    for _ in range(len(beads)):
        moved = False
        for k in range(len(beads) - 1):
            (ax, bx), (ay, by) = beads[k], beads[k + 1]
            if not (ax and bx and ay and by):
                continue
            for own, own_next, other, other_next, side, other_side, index in ((bx, by, ax, ay, side_b, side_a, 1),
                                                                             (ax, ay, bx, by, side_a, side_b, 0)):
                here, there = words(other_side, other), words(other_side, other_next)
                needed = -clause_margin if use_clauses and goes_on[index][own[-1]] == ";" else margin
                if len(own) > 1 and gain(side, own[-1], there, here) > needed:
                    own_next.insert(0, own.pop())
                    moved = True
                elif len(own_next) > 1 and gain(side, own_next[0], here, there) > needed:
                    own.append(own_next.pop(0))
                    moved = True
        if not moved:
            break
    return _join_continued(beads, goes_on) if use_clauses else beads


def _join_continued(beads: list[tuple[list[int], list[int]]], goes_on: tuple[list[str], list[str]]
                    ) -> list[tuple[list[int], list[int]]]:
    """A segment left unaligned whose sentence goes on into the next segment (``goes_on``)
    joins the bead that starts with that segment; failing that, one whose sentence came
    from the segment before joins the bead that ends with it.  A clause or a lead-in cut
    off by the sentence splitter is part of its sentence, not text added or dropped."""
    home: tuple[dict[int, int], dict[int, int]] = ({}, {})
    for k, bead in enumerate(beads):
        for side in (0, 1):
            for segment in bead[side]:
                home[side][segment] = k

    def aligned(k: int | None) -> bool:
        return k is not None and bool(beads[k][0] and beads[k][1])

    joined: dict[int, tuple[int, int, int]] = {}  # unaligned bead -> (target bead, side, segment)
    for k, (a, b) in enumerate(beads):
        if a and b:
            continue
        side, segment = (0, a[0]) if a else (1, b[0])
        after, before = home[side].get(segment + 1), home[side].get(segment - 1)
        if goes_on[side][segment] and aligned(after):
            joined[k] = (after, side, segment)
        elif segment and goes_on[side][segment - 1] and aligned(before):
            joined[k] = (before, side, segment)
    for target, side, segment in joined.values():
        own = beads[target][side]
        if segment < own[0]:
            own.insert(0, segment)
        else:
            own.append(segment)
    return [bead for k, bead in enumerate(beads) if k not in joined]


def model_free(params: AlignParams, embedded: bool = False) -> AlignParams:
    """The parameters for aligning German with English directly (no back-translation),
    with or without multilingual sentence vectors."""
    from dataclasses import replace

    return replace(params, unrelated_share=params.unrelated_share_embedded if embedded
                   else params.unrelated_share_model_free)


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
    vectors = None
    if not any(s.back_translation for s in prose):
        from .crosslingual import sentence_vectors

        vectors = sentence_vectors(translated, source)
        params = model_free(params or AlignParams(), embedded=vectors is not None)
    # A sentence goes on across ";" or ":" only inside one paragraph: a list item or a lead-in
    # on a line of its own is a unit, and one with no counterpart must stay unaligned.
    german_goes_on = [continuation(s.text) if k + 1 < len(prose) and prose[k + 1].paragraph == s.paragraph else ""
                      for k, s in enumerate(prose)]
    source_text = doc.source_text or ""
    source_goes_on = [continuation(s.text) if k + 1 < len(doc.source_segments)
                      and not re.search(r"[\r\n]", source_text[s.end:doc.source_segments[k + 1].start]) else ""
                      for k, s in enumerate(doc.source_segments)]
    for ia, ib, score in align_sentences(translated, source, params, (german_goes_on, source_goes_on), vectors):
        german_ids = [prose[i].id for i in ia]
        source_ids = [doc.source_segments[j].id for j in ib]
        doc.alignments.append(Alignment(german=german_ids, source=source_ids, score=round(score, 4)))
        for i in ia:
            prose[i].source_ids = source_ids
