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
    """``text`` as checks read it, and where each of its characters was in the original."""

    text: str
    positions: tuple[int, ...] | None  # positions[i]: offset in the original of text[i]; None: unchanged
    length: int  # of the original
    ends: tuple[int, ...] | None = None  # ends[i]: where the original of text[i] ends

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
        return self.ends[offset - 1] if self.ends is not None else self.positions[offset - 1] + 1


# Letters of other scripts that look like Latin ones (Unicode's confusables, the common ones):
# inside a word that is otherwise Latin they read as the Latin letter ("Blitzkrіeg" with a
# Cyrillic і is "Blitzkrieg" to a reader, not to a search).
CONFUSABLE_LATIN = dict(zip(
    "аеорсухіјѕԁһԛԝАВЕКМНОРСТХІЈЅУΑΒΕΖΗΙΚΜΝΟΡΤΥΧαεικνορτυχ",
    "aeopcyxijsdhqwABEKMHOPCTXIJSYABEZHIKMNOPTYXaeiknoptux"))
_WORDISH = re.compile(r"\w+")


def _mixed_script(word: str) -> bool:
    return any(ch in CONFUSABLE_LATIN for ch in word) and any("a" <= ch.lower() <= "z" or ch in "äöüÄÖÜß"
                                                               for ch in word)


def mixed_script_words(text: str) -> list[tuple[int, int]]:
    """Spans of the words of ``text`` that mix Latin letters with look-alike letters of
    another script."""
    return [m.span() for m in _WORDISH.finditer(text) if _mixed_script(m.group(0))]


def _folded_char(cluster: str, latin_word: bool) -> str:
    """One base character and its combining marks as checks read them: composed (NFC),
    fullwidth forms and ligatures as the letters they stand for (NFKC for those only), a
    look-alike of a Latin letter in a Latin word as that letter."""
    first = cluster[0]
    if "\uff01" <= first <= "\uff5e" or "\ufb00" <= first <= "\ufb06":
        return unicodedata.normalize("NFKC", cluster)
    if latin_word and first in CONFUSABLE_LATIN:
        return CONFUSABLE_LATIN[first] + cluster[1:]
    return unicodedata.normalize("NFC", cluster)


def _plain(text: str) -> bool:
    return (INVISIBLE.search(text) is None and unicodedata.is_normalized("NFC", text)
            and not any("\uff01" <= ch <= "\uff5e" or "\ufb00" <= ch <= "\ufb06" for ch in text)
            and not mixed_script_words(text))


def fold(text: str) -> Folded:
    """``text`` as checks and models read it — invisible characters removed, composed (NFC),
    fullwidth letters and ligatures as plain letters, look-alike letters of another script
    inside a Latin word as Latin — and the way back to its offsets."""
    if text.isascii() or _plain(text):
        return Folded(text, None, len(text))
    latin = [False] * len(text)
    for a, b in mixed_script_words(text):
        latin[a:b] = [True] * (b - a)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        if INVISIBLE.fullmatch(text[i]):
            i += 1
            continue
        j = i + 1
        while j < n and unicodedata.category(text[j]).startswith("M") and not INVISIBLE.fullmatch(text[j]):
            j += 1
        for ch in _folded_char(text[i:j], latin[i]):
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return Folded("".join(out), tuple(starts), len(text), tuple(ends))


def describe(ch: str) -> str:
    """'U+00AD SOFT HYPHEN'."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'FORMAT CHARACTER')}"
