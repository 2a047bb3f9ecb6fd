"""German typography: quotation marks, a missing space between sentences,
doubled spaces, a space before punctuation; invisible bidirectional control characters,
which can make text display in another order than it is read (major); and other invisible
characters (soft hyphens, zero-width spaces and joiners), which hide a word from search
and from every check that compares words (minor)."""
from __future__ import annotations

import re

from ..document import MAJOR, MINOR, Finding
from ..text.invisible import BIDI_CONTROL, INVISIBLE, describe
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
    # A missing space can also fall between two segments: "steht.„All dies" is split by
    # the segmenter, so look at the seams too.
    segs = list(german_prose(doc))
    for left, right in zip(segs, segs[1:]):
        gap = doc.text[left.end:right.start]
        if len(gap) >= 2 and set(gap) == {" "}:
            out.append(finding(left, len(left.text), len(left.text) + len(gap), category="typography",
                               severity=MINOR, check=NAME,
                               message=f"Doubled space in '{left.text[-12:]}{gap}{right.text[:12]}'.",
                               suggestion="one space", replacements=[" "]))
        if left.end == right.start and re.search(r"[a-zäöüß]{2}[.!?]$", left.text) and re.match(r"[„\"“»]?[A-ZÄÖÜ]", right.text):
            out.append(finding(left, len(left.text) - 1, len(left.text), category="typography", severity=MINOR,
                               check=NAME,
                               message=f"No space between two sentences in "
                                       f"'{left.text[-12:]}{right.text[:12]}'.",
                               suggestion=f"insert a space: '{left.text[-1]} {right.text[0]}'",
                               replacements=[left.text[-1] + " "]))
    return out


def _invisible(seg) -> list[Finding]:
    """One finding per bidirectional control, one per run of other invisible characters."""
    out = []
    for match in INVISIBLE.finditer(seg.text):
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
