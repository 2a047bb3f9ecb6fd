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

from sacrebleu.metrics.helpers import extract_all_char_ngrams

from ..document import Alignment, Document
from ..text.lexicon import is_noise

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
    # share rule holds again (1.0 aligns best, 1.6 finds more MT errors, neither holds on
    # both: docs/measurements.md).
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


class _Surface:
    """The character n-gram, word and anchor counts of both sides as sparse matrices (a row
    per sentence, one column per n-gram, word or anchor), so that thousands of candidate
    beads are scored in a few sparse operations instead of one at a time: a run of
    sentences is the sum of its rows, and what two runs share is the element-wise minimum
    of their rows.  ``surface`` is chrF as sacrebleu computes it from character n-gram
    statistics (the mean precision and recall over the orders both sides have) mixed with
    the F-score of the words both sides share, each weighted by its IDF; ``anchors`` is
    the share of numbers and names both sides hold."""

    # beads scored in one go: bounds the memory of the shared-count matrix of a long document
    CHUNK = 4096

    def __init__(self, side_a: _Side, side_b: _Side, idf: dict[str, float]):
        import numpy as np
        from scipy import sparse

        self.np, self.sparse = np, sparse
        # one vocabulary per sum: character n-grams of each order, words, anchors
        vocabularies: list[dict[str, int]] = [{} for _ in range(CHAR_ORDER + 2)]
        built = []
        for side in (side_a, side_b):
            rows: list[int] = []
            slots: list[int] = []
            ids: list[int] = []
            counts: list[int] = []
            for row, (ngrams, words, anchors) in enumerate(zip(side.ngrams, side.words, side.anchors)):
                for slot, counter in enumerate((*ngrams, words, anchors)):
                    vocabulary = vocabularies[slot]
                    ids += [vocabulary.setdefault(key, len(vocabulary)) for key in counter]
                    counts += counter.values()
                    rows += [row] * len(counter)
                    slots += [slot] * len(counter)
            built.append((len(side.words), rows, slots, ids, counts))
        offsets = np.concatenate([[0], np.cumsum([len(v) for v in vocabularies])])
        size = int(offsets[-1])
        self.matrices = [sparse.csr_matrix((np.array(counts, dtype=np.float64),
                                            (rows, offsets[np.array(slots, dtype=np.int64)] + np.array(ids, dtype=np.int64))),
                                           shape=(n, size))
                         for n, rows, slots, ids, counts in built]
        weights = np.ones(size)
        weights[offsets[CHAR_ORDER]:offsets[CHAR_ORDER + 1]] = [idf[word] for word in vocabularies[CHAR_ORDER]]
        column_slots = np.repeat(np.arange(CHAR_ORDER + 2), np.diff(offsets))
        self.project = sparse.csr_matrix((weights, (np.arange(size), column_slots)), shape=(size, CHAR_ORDER + 2))
        # only what both sides of the document hold can be shared
        self.shared_columns = np.nonzero((self.matrices[0].getnnz(axis=0) > 0)
                                         & (self.matrices[1].getnnz(axis=0) > 0))[0]
        self.shared_project = self.project[self.shared_columns]

    def _runs(self, side: int, starts, counts) -> tuple:
        """The summed rows of the distinct runs of sentences among (``starts[k]``,
        ``counts[k]``), and for each k the row of its run."""
        np, sparse = self.np, self.sparse
        keys = np.asarray(starts, dtype=np.int64) * (1 << 20) + np.asarray(counts, dtype=np.int64)
        unique, which = np.unique(keys, return_inverse=True)
        first, lengths = unique >> 20, unique & ((1 << 20) - 1)
        rows = np.repeat(np.arange(len(lengths)), lengths)
        cols = np.repeat(first, lengths) + (np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths))
        pick = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                                 shape=(len(lengths), self.matrices[side].shape[0]))
        return (pick @ self.matrices[side]).tocsr(), which

    def score(self, i, j, da, db, beta: float, word_weight: float) -> tuple:
        """(surface similarity, anchor overlap or NaN where neither side has an anchor) of
        the beads (i, j, da, db), given as arrays, with ``da`` and ``db`` at least 1."""
        np = self.np
        runs_a, which_a = self._runs(0, i, da)
        runs_b, which_b = self._runs(1, j, db)
        total_a = np.asarray((runs_a @ self.project).todense())[which_a]
        total_b = np.asarray((runs_b @ self.project).todense())[which_b]
        runs_a, runs_b = runs_a[:, self.shared_columns], runs_b[:, self.shared_columns]
        project = self.shared_project
        shared = np.zeros((len(which_a), CHAR_ORDER + 2))
        for lo in range(0, len(which_a), self.CHUNK):
            part = slice(lo, lo + self.CHUNK)
            shared[part] = (runs_a[which_a[part]].minimum(runs_b[which_b[part]]) @ project).todense()
        return self._combine(shared, total_a, total_b, beta, word_weight)

    def _combine(self, shared, total_a, total_b, beta: float, word_weight: float) -> tuple:
        np = self.np
        match, grams_a, grams_b = shared[:, :CHAR_ORDER], total_a[:, :CHAR_ORDER], total_b[:, :CHAR_ORDER]
        valid = (grams_a > 0) & (grams_b > 0)
        count = valid.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(valid, match / np.where(valid, grams_a, 1), 0.0).sum(axis=1) / np.maximum(count, 1)
            r = np.where(valid, match / np.where(valid, grams_b, 1), 0.0).sum(axis=1) / np.maximum(count, 1)
            b2 = beta * beta
            chrf = np.where((count > 0) & (p + r > 0), (1 + b2) * p * r / (b2 * p + r), 0.0)
            mass = total_a[:, CHAR_ORDER] + total_b[:, CHAR_ORDER]
            words = np.where(mass > 0, 2 * shared[:, CHAR_ORDER] / np.where(mass > 0, mass, 1), 0.0)
            anchors_a, anchors_b, both = total_a[:, -1], total_b[:, -1], shared[:, -1]
            union = anchors_a + anchors_b - both
            overlap = np.where(union > 0, both / np.where(union > 0, union, 1), np.nan)
        return (1 - word_weight) * chrf + word_weight * words, overlap


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
    surface = _Surface(side_a, side_b, idf)
    np = surface.np
    embedded = _Embedded(vectors, n, m) if vectors is not None and params.embedding_weight else None
    chars_a = np.concatenate([[0], np.cumsum(side_a.chars)])
    chars_b = np.concatenate([[0], np.cumsum(side_b.chars)])

    def similarities(i, j, da, db):
        """Similarity and anchor overlap (NaN: no anchor on either side) of beads given as
        arrays, both sides non-empty."""
        similarity, overlap = surface.score(i, j, da, db, params.chrf_beta, params.word_weight)
        if embedded is not None:
            similarity = (1 - params.embedding_weight) * similarity \
                + params.embedding_weight * embedded.similarities(i, j, da, db)
        return similarity, overlap

    scored: dict[tuple[int, int, int, int], float] = {}

    def unit_costs(beads: list[tuple[int, int, int, int]]) -> list[float]:
        """The cost per character of each bead (i, j, da, db), each bead scored once."""
        todo = list(dict.fromkeys(bead for bead in beads if bead not in scored))
        if todo:
            scored.update(zip(todo, _unit_costs(*(np.array(x, dtype=np.int64) for x in zip(*todo))).tolist()))
        return [scored[bead] for bead in beads]

    def _unit_costs(i, j, da, db):
        similarity, overlap = similarities(i, j, da, db)
        # Length agreement relative to each side's total (as Gale & Church): translated
        # text runs longer or shorter overall, so compare shares, not raw counts.
        ca, cb = chars_a[i + da] - chars_a[i], (chars_b[j + db] - chars_b[j]) * scale
        la, lb = ca / total_a, cb / total_a
        length = np.abs(la - lb) / np.maximum(np.maximum(la, lb), 1e-9)
        anchor = np.where(np.isnan(overlap), 0.5, 1 - overlap)
        return (1 - similarity) + params.length_weight * length \
            + params.anchor_weight * (anchor - 0.5) + params.merge_penalty * (da + db - 2)

    def diagonal(i: int) -> range:
        centre = i * m / n
        return range(max(0, int(centre - band)), min(m, int(centre + band) + 1) + 1)

    # every bead between two cells of the band, scored at once with the 1:1 beads of the band
    cells = [(i, j) for i in range(n + 1) for j in diagonal(i)]
    in_band = set(cells)
    candidates = [(i, j, da, db) for i, j in cells for da, db in BEADS
                  if da and db and (i + da, j + db) in in_band]
    nearby = [(i, j, 1, 1) for i in range(n) for j in diagonal(i) if j < m]
    unit_costs(candidates + nearby)
    closest = [math.inf] * n
    for (i, *_), cost in zip(nearby, unit_costs(nearby)):
        closest[i] = min(closest[i], cost)
    typical = sorted(cost if cost < math.inf else 1.0 for cost in closest)
    matched = typical[len(typical) // 2]
    if params.unrelated_share is None:
        skip_cost = params.skip_ratio * matched
    else:
        # Where a sentence pair stops being a translation: a share of the way from the
        # document's typical matched pair to its typical unrelated pair (a sentence and one
        # half the document away).  Aligning a 1:1 bead costs its unit cost times half its
        # length, skipping both sentences the skip cost times their length.
        far = sorted(unit_costs([(i, j, 1, 1) for i, j in enumerate(half_away(n, m))])) if m > 1 else [1.0]
        unrelated = max(far[len(far) // 2], matched)
        skip_cost = (matched + params.unrelated_share * (unrelated - matched)) / 2

    costs: dict[tuple[int, int, int, int], float] = {}
    if candidates:
        i, j, da, db = (np.array(x, dtype=np.int64) for x in zip(*candidates))
        length = (chars_a[i + da] - chars_a[i]) + (chars_b[j + db] - chars_b[j]) * scale
        costs = dict(zip(candidates, (np.array(unit_costs(candidates)) * length / 2).tolist()))

    def bead_cost(i: int, j: int, da: int, db: int) -> float:
        if da == 0 or db == 0:
            return skip_cost * (int(chars_a[i + da] - chars_a[i]) + int(chars_b[j + db] - chars_b[j]) * scale)
        return costs[(i, j, da, db)]

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
    path = []
    i, j = n, m
    while (i, j) != (0, 0):
        da, db = back[(i, j)]
        i, j = i - da, j - db
        path.append((list(range(i, i + da)), list(range(j, j + db))))
    path.reverse()
    if params.move_margin is not None:
        path = _refine_boundaries(path, side_a, side_b, idf, params.move_margin, goes_on, params.semicolon_margin)
    linked = [(ia[0], ib[0], len(ia), len(ib)) for ia, ib in path if ia and ib]
    scores = iter(similarities(*zip(*linked))[0].tolist() if linked else [])
    return [(ia, ib, next(scores) if ia and ib else 0.0) for ia, ib in path]


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
        if m > 1:
            far = 1 - self._cosines(np.arange(n), np.array(half_away(n, m)), np.ones(n, int), np.ones(n, int))
            self.unrelated = max(float(np.median(far)), 1e-6)
        else:
            self.unrelated = 1.0

    def _cosines(self, i, j, da, db):
        np = self.np
        x = self.sums[0][i + da] - self.sums[0][i]
        y = self.sums[1][j + db] - self.sums[1][j]
        norms = np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)
        dots = np.einsum("ij,ij->i", x, y)
        return np.where(norms > 0, dots / np.where(norms > 0, norms, 1), 0.0)

    def similarities(self, i, j, da, db):
        """The similarity of each bead (arrays of start and length on either side)."""
        np = self.np
        distance = 1 - self._cosines(*(np.asarray(v, dtype=np.int64) for v in (i, j, da, db)))
        return np.maximum(0.0, 1 - distance / self.unrelated)


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
