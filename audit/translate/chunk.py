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
