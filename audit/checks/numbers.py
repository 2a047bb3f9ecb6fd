"""Numbers and dates in German conventions.

German writes 1,6 Millionen, 11.000 and 3. Oktober 2024; English formats left in
the German ("1.6 million", "11,000", "October 3, 2024", "5 billion") are flagged.
Source numbers missing from the German are checked per aligned passage, by
``crosscheck.check_pair`` (finding ``source.number``).
"""
from __future__ import annotations

import re

from ..document import MINOR, Finding
from . import finding, german_prose

NAME = "numbers"
DATA = None
CONFIDENCE = 0.8  # an English number format in German copy is almost always a slip

_ENGLISH_FORMATS = [
    (re.compile(r"(?<![\d.,])\d+\.\d+\s+(Millionen|Milliarden|Million|Milliarde|Prozent)\b"),
     "decimal point where German writes a decimal comma", lambda m: m.group(0).replace(".", ",", 1)),
    (re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])(?!\s*(Prozent|%))"),
     "English thousands separator (a comma); German uses a full stop or a thin space",
     lambda m: m.group(0).replace(",", ".")),
    (re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
                r"Januar|Februar|März|April|Mai|Juni|Juli|August|Oktober|Dezember)\s+(\d{1,2}),\s+(\d{4})\b"),
     "English date order (month day, year)", lambda m: f"{m.group(2)}. {m.group(1)} {m.group(3)}"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"), "US date with slashes", None),
    (re.compile(r"\b\d+(st|nd|rd|th)\b"), "English ordinal suffix", lambda m: m.group(0)[:-2] + "."),
    (re.compile(r"\b\d+(?:[.,]\d+)?\s+(million|billion|thousand)\b"), "English number word",
     lambda m: _scale_word(m)),
]


_SCALES = {"million": ("Million", "Millionen"), "billion": ("Milliarde", "Milliarden"),
           "thousand": ("Tausend", "Tausend")}


def _scale_word(match) -> str:
    """ "2.5 billion" in German: "2,5 Milliarden" ("1 million": "1 Million")."""
    number, word = match.group(0).rsplit(None, 1)
    one, many = _SCALES[word]
    return f"{number.replace('.', ',')} {one if number == '1' else many}"


def _fix(match, fix) -> dict:
    """The suggestion and replacement of a format that has one fix; a US date's day and month
    cannot be told apart."""
    if fix is None:
        return {"suggestion": "TT.MM.JJJJ"}
    fixed = fix(match)
    return {"suggestion": fixed, "replacements": [fixed]}


def run(doc, data) -> list[Finding]:
    out = []
    for seg in german_prose(doc):
        for pattern, why, fix in _ENGLISH_FORMATS:
            for match in pattern.finditer(seg.text):
                out.append(finding(seg, match.start(), match.end(), category="locale convention",
                                   severity=MINOR, check=NAME,
                                   message=f"'{match.group(0)}': {why}.", **_fix(match, fix)))
    return out
