"""Invisible characters: format characters (Unicode category Cf) that change nothing a
reader sees but break every comparison of words, "Blitz\\u00adkrieg" (a soft hyphen) or
"Mei\\u200blen" (a zero-width space).

Checks match on text with them folded out (``fold``), and map what they find back to
offsets into the text as given (``Folded.start``, ``Folded.end``); the typography check reports them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Every format character (category Cf) of Unicode 15: soft hyphen, Arabic and Syriac
# marks, the Mongolian vowel separator, zero-width space, joiners and directional marks,
# bidirectional embeddings, overrides and isolates, word joiner and invisible operators,
# the byte-order mark, interlinear annotation controls, and the tag characters.
INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]+")
# The bidirectional controls among them: they reorder what is displayed.
BIDI_CONTROL = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Folded:
    """``text`` without invisible characters, and where each of its characters was."""

    text: str
    positions: tuple[int, ...] | None  # positions[i]: offset in the original of text[i]; None: unchanged
    length: int  # of the original

    def start(self, offset: int) -> int:
        """The original offset of a span starting at ``offset`` of the folded text."""
        if self.positions is None:
            return offset
        if offset >= len(self.positions):  # at or past the end (a seam after the text)
            return self.length + offset - len(self.positions)
        return self.positions[max(offset, 0)]

    def end(self, offset: int) -> int:
        """The original offset of a span ending (exclusively) at ``offset`` of the folded text."""
        if self.positions is None:
            return offset
        if offset > len(self.positions):
            return self.length + offset - len(self.positions)
        if offset <= 0:
            return self.positions[0] if self.positions else 0
        return self.positions[offset - 1] + 1


def fold(text: str) -> Folded:
    """``text`` with its invisible characters removed, and the way back to its offsets."""
    if INVISIBLE.search(text) is None:
        return Folded(text, None, len(text))
    positions = [i for i, ch in enumerate(text) if not INVISIBLE.fullmatch(ch)]
    return Folded("".join(text[i] for i in positions), tuple(positions), len(text))


def describe(ch: str) -> str:
    """'U+00AD SOFT HYPHEN'."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'FORMAT CHARACTER')}"
