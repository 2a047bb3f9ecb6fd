"""German typography: quotation marks, a missing space between sentences,
doubled spaces, a space before punctuation; invisible bidirectional control characters,
which can make text display in another order than it is read (major); and other invisible
characters (soft hyphens, zero-width spaces and joiners), which hide a word from search
and from every check that compares words (minor)."""
from __future__ import annotations

import re

from ..document import MAJOR, MINOR, Finding
from ..text.invisible import BIDI_CONTROL, CONFUSABLE_LATIN, INVISIBLE, describe, fold, mixed_script_words
from . import finding, german_prose

NAME = "typography"
DATA = None
CONFIDENCE = 0.9  # the typographic rules are mechanical

_RULES = [
    (re.compile(r"(?<=[a-zäöüß]{2}[.!?])[„\"“»]?[A-ZÄÖÜ]"),
     "no space between two sentences", lambda text, m: " " + m.group(0), "insert a space"),
    (re.compile(r"(?<=\S) {2,}(?=\S)"), "doubled space", lambda text, m: " ", "one space"),
    (re.compile(r"(?<=[\wäöüß]) +(?=[,.;:!?](?:\s|$))"), "space before punctuation", lambda text, m: "",
     "remove the space"),
    (re.compile(r"”"), "English closing quotation mark", lambda text, m: "“", "German quotes: „…“"),
    (re.compile(r"(?:^|(?<=[\s(]))“(?=\w)"), "English opening quotation mark", lambda text, m: "„",
     "German quotes: „…“"),
    (re.compile(r"(?:^|(?<=[\s(]))\"(?=\w)[^\"]*\""), "straight quotation marks",
     lambda text, m: "„" + m.group(0)[1:-1] + "“", "German quotes: „…“"),
]


def run(doc, data) -> list[Finding]:
    out = []
    for seg in german_prose(doc):
        for pattern, what, fix, hint in _RULES:
            for match in pattern.finditer(seg.text):
                a, b = match.span()
                if what == "no space between two sentences":
                    a -= 1  # include the full stop in the span
                    suggestion = seg.text[a] + fix(seg.text, match)
                else:
                    suggestion = fix(seg.text, match)
                if what == "English opening quotation mark" and seg.text[:a].count("„") > seg.text[:a].count("“"):
                    continue
                out.append(finding(seg, a, b, category="typography", severity=MINOR, check=NAME,
                                   message=f"{what[0].upper()}{what[1:]} in '{_context(seg.text, a, b)}'.",
                                   suggestion=f"{hint}: '{suggestion}'" if suggestion.strip() else hint,
                                   replacements=[suggestion]))
    for seg in doc.segments:
        if seg.is_prose:
            out.extend(_invisible(seg))
            out.extend(_mixed_scripts(seg))
    # A missing space can also fall between two segments: "steht.„All dies" is split by
    # the segmenter, so look at the seams too.
    segs = list(german_prose(doc))
    for left, right in zip(segs, segs[1:]):
        gap = doc.text[left.end:right.start]
        if len(gap) >= 2 and set(gap) == {" "}:
            out.append(finding(left, len(left.text), len(left.text) + len(gap), category="typography",
                               severity=MINOR, check=NAME,
                               message=f"Doubled space in '{_tail(left.text)}{gap}{_head(right.text)}'.",
                               suggestion="one space", replacements=[" "]))
        if left.end == right.start and re.search(r"[a-zäöüß]{2}[.!?]$", left.text) and re.match(r"[„\"“»]?[A-ZÄÖÜ]", right.text):
            out.append(finding(left, len(left.text) - 1, len(left.text), category="typography", severity=MINOR,
                               check=NAME,
                               message=f"No space between two sentences in "
                                       f"'{_tail(left.text)}{_head(right.text)}'.",
                               suggestion=f"insert a space: '{left.text[-1]} {right.text[0]}'",
                               replacements=[left.text[-1] + " "]))
    return out


_PICTOGRAPH = None


def in_emoji_sequence(text: str, a: int, b: int) -> bool:
    """Whether the invisible characters ``text[a:b]`` belong to an emoji: zero-width joiners
    between two pictographs (a family, a profession) or the tag characters of a subdivision
    flag after its black flag."""
    global _PICTOGRAPH
    if _PICTOGRAPH is None:
        import regex

        _PICTOGRAPH = regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F]")
    run = text[a:b]
    before = text[a - 1] if a > 0 else ""
    after = text[b] if b < len(text) else ""
    if set(run) == {"\u200d"}:
        return bool(before and after and _PICTOGRAPH.match(before) and _PICTOGRAPH.match(after))
    if all("\U000e0020" <= ch <= "\U000e007f" for ch in run) and run.endswith("\U000e007f"):
        return before == "\U0001f3f4"
    return False


def _tail(text: str, chars: int = 12) -> str:
    """The end of ``text`` for a message: about ``chars`` characters, from a word's start."""
    if len(text) <= chars:
        return text
    start = len(text) - chars
    while start > 0 and not text[start - 1].isspace() and len(text) - start < 3 * chars:
        start -= 1
    return text[start:]


def _head(text: str, chars: int = 12) -> str:
    """The start of ``text`` for a message: about ``chars`` characters, to a word's end."""
    end = min(len(text), chars)
    while end < len(text) and not text[end].isspace() and end < 3 * chars:
        end += 1
    return text[:end]


def _mixed_scripts(seg) -> list[Finding]:
    """A word that mixes Latin letters with look-alikes of another script ("Blitzkrіeg" with a
    Cyrillic і): the reader sees one word, search, spelling checks and this audit's word
    lists another, whether by accident (a keyboard layout) or to hide the word."""
    out = []
    for a, b in mixed_script_words(seg.text):
        word = seg.text[a:b]
        others = sorted({ch for ch in word if ch in CONFUSABLE_LATIN})
        out.append(finding(seg, a, b, category="typography", severity=MINOR, check=NAME, confidence=0.9,
                           message=f"'{word}' mixes Latin letters with look-alikes of another script "
                                   f"({', '.join(describe(ch) for ch in others)}): readers see '{fold(word).text}', "
                                   f"search and spelling checks do not.",
                           suggestion=f"type it in Latin letters: '{fold(word).text}'",
                           replacements=[fold(word).text]))
    return out


def _invisible(seg) -> list[Finding]:
    """One finding per bidirectional control, one per run of other invisible characters."""
    out = []
    for match in INVISIBLE.finditer(seg.text):
        if in_emoji_sequence(seg.text, match.start(), match.end()):
            continue  # the joiner of "👨‍👩‍👧", the tags of a flag: part of what the reader sees
        run = match.group(0)
        for bidi in BIDI_CONTROL.finditer(run):
            a = match.start() + bidi.start()
            out.append(finding(seg, a, a + 1, category="typography", severity=MAJOR, check=NAME, confidence=0.95,
                               message=f"An invisible bidirectional control character ({describe(bidi.group(0))}) "
                                       f"changes the order in which the text around it is displayed.",
                               suggestion="remove the character", replacements=[""]))
        others = sorted({ch for ch in run if not BIDI_CONTROL.match(ch)})
        if others:
            a, b = match.span()
            word = re.search(r"\S*$", seg.text[:a]).group(0) + "…" + re.match(r"\S*", seg.text[b:]).group(0)
            names = ", ".join(describe(ch) for ch in others)
            out.append(finding(seg, a, b, category="typography", severity=MINOR, check=NAME,
                               message=f"Invisible character{'s' if len(run) > 1 else ''} ({names}) in '{word}': "
                                       f"a reader does not see it, but search and spelling checks read two words.",
                               suggestion="remove the character" + ("s" if len(run) > 1 else ""),
                               # the bidirectional controls of the run have findings of their own
                               replacements=["".join(ch for ch in run if BIDI_CONTROL.match(ch))]))
    return out


def _context(text: str, a: int, b: int) -> str:
    return text[max(0, a - 12):min(len(text), b + 12)]
