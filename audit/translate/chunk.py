"""Splitting over-long sentences at clause boundaries so nothing is truncated."""
from __future__ import annotations

import re
from typing import Callable

_CLAUSE_BOUNDARY = re.compile(r"(?<=[;:,–—)])\s+|\s+(?=[–—(])|(?<=[.!?])\s+")


def split_for_model(text: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    """Pieces of ``text`` of at most ``limit`` tokens each, cut at clause boundaries
    where possible, else at spaces, else by characters; joined by a space they give
    back the text (with single spaces)."""
    if count_tokens(text) <= limit:
        return [text]
    pieces = [p for p in _CLAUSE_BOUNDARY.split(text) if p]
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if count_tokens(piece) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.extend(_split_words(piece, count_tokens, limit))
            continue
        candidate = f"{current} {piece}" if current else piece
        if count_tokens(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def _split_words(text: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    words = text.split()
    if len(words) <= 1:
        # One enormous "word": cut it by characters.
        size = max(1, len(text) * limit // max(1, count_tokens(text)))
        return [text[i:i + size] for i in range(0, len(text), size)]
    chunks, current = [], []
    for word in words:
        if current and count_tokens(" ".join([*current, word])) > limit:
            chunks.append(" ".join(current))
            current = []
        if count_tokens(word) > limit:
            chunks.extend(_split_words(word, count_tokens, limit))
        else:
            current.append(word)
    if current:
        chunks.append(" ".join(current))
    return chunks


def translate_in_chunks(texts, count_tokens, max_tokens: int, translate_pieces):
    """Translate ``texts`` through ``translate_pieces`` (a list of model-sized strings to a
    list of TranslationResult): over-long texts go in clause chunks, joined back together."""
    from . import TranslationResult, clean_for_model

    pieces: list[str] = []
    owners: list[int] = []
    for index, text in enumerate(texts):
        for chunk in split_for_model(clean_for_model(text), count_tokens, max_tokens):
            pieces.append(chunk)
            owners.append(index)
    translated = translate_pieces(pieces)
    grouped: list[list] = [[] for _ in texts]
    for owner, result in zip(owners, translated):
        grouped[owner].append(result)
    return [TranslationResult(text=" ".join(p.text for p in parts if p.text), logprob=sum(p.logprob for p in parts),
                              tokens=[t for p in parts for t in p.tokens], chunks=len(parts),
                              truncated=any(p.truncated for p in parts))
            if parts else TranslationResult(text="", logprob=0.0) for parts in grouped]


class ChunkedTranslator:
    """What the model backends share: token counting through their sentencepiece
    tokenizer (``self.tokenizer.tokenize`` plus </s>) and ``translate`` through
    ``translate_in_chunks`` into their own ``_translate_pieces``."""

    tokenizer = None
    max_input_tokens = 512

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.tokenize(text)) + 1

    def translate(self, texts):
        """Translate sentences; over-long ones in clause chunks joined back together."""
        return translate_in_chunks(texts, self.count_tokens, self.max_input_tokens, self._translate_pieces)

    def _translate_pieces(self, pieces: list[str]):
        raise NotImplementedError


def length_batches(pieces: list[str], batch_size: int) -> list[list[int]]:
    """Indices of the non-blank pieces, sorted by length and cut into batches: sorting
    keeps padding (wasted compute) low inside each batch."""
    todo = sorted((i for i, text in enumerate(pieces) if text.strip()), key=lambda i: len(pieces[i]))
    size = max(1, batch_size)
    return [todo[k:k + size] for k in range(0, len(todo), size)]


def progress(batches: list, quiet: bool):
    """``batches`` with a progress bar on a terminal when there is more than one."""
    import sys

    from tqdm import tqdm

    return tqdm(batches, desc="back-translating", unit="batch",
                disable=quiet or not sys.stderr.isatty() or len(batches) < 2)
