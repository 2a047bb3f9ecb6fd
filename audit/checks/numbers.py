"""Numbers and dates in German conventions; with a source, every source number
must appear (normalised) in the German.

German writes 1,6 Millionen, 11.000 and 3. Oktober 2024; English formats left in
the German ("1.6 million", "11,000", "October 3, 2024", "5 billion") are flagged.
"""
from __future__ import annotations

import re
from collections import Counter

from ..document import MAJOR, MINOR, Finding
from ..numbers import find_numbers
from . import finding, german_prose

NAME = "numbers"
DATA = None

_ENGLISH_FORMATS = [
    (re.compile(r"(?<![\d.,])\d+\.\d+\s+(Millionen|Milliarden|Million|Milliarde|Prozent)\b"),
     "decimal point where German writes a decimal comma", lambda m: m.group(0).replace(".", ",", 1)),
    (re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])(?!\s*(Prozent|%))"),
     "English thousands separator (a comma); German uses a full stop or a thin space",
     lambda m: m.group(0).replace(",", ".")),
    (re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
                r"Januar|Februar|März|April|Mai|Juni|Juli|August|Oktober|Dezember)\s+(\d{1,2}),\s+(\d{4})\b"),
     "English date order (month day, year)", lambda m: f"{m.group(2)}. {m.group(1)} {m.group(3)}"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"), "US date with slashes", lambda m: "TT.MM.JJJJ"),
    (re.compile(r"\b\d+(st|nd|rd|th)\b"), "English ordinal suffix", lambda m: m.group(0)[:-2] + "."),
    (re.compile(r"\b\d+(?:[.,]\d+)?\s+(million|billion|thousand)\b"), "English number word",
     lambda m: m.group(0)),
]


def run(doc, data) -> list[Finding]:
    out = []
    for seg in german_prose(doc):
        for pattern, why, fix in _ENGLISH_FORMATS:
            for match in pattern.finditer(seg.text):
                out.append(finding(seg, match.start(), match.end(), category="locale convention",
                                   severity=MINOR, check=NAME,
                                   message=f"'{match.group(0)}': {why}.", suggestion=fix(match)))
    out.extend(_source_numbers(doc))
    return out


def _source_numbers(doc) -> list[Finding]:
    """Every number of the source must appear, normalised, in the German."""
    if not doc.source_segments:
        return []
    german = Counter()
    for seg in german_prose(doc):
        german.update(n.value for n in find_numbers(seg.text, "de"))
    by_source = {}
    for seg in german_prose(doc):
        for sid in seg.source_ids:
            by_source.setdefault(sid, seg)
    out = []
    seen = Counter()
    for src in doc.source_segments:
        for number in find_numbers(src.text, "en"):
            seen[number.value] += 1
            if seen[number.value] <= german[number.value]:
                continue
            seg = by_source.get(src.id) or next(german_prose(doc), None)
            if seg is None:
                continue
            out.append(finding(seg, 0, len(seg.text), category="number", severity=MAJOR, check=NAME,
                               message=f"The source has '{number.text}' ({src.id}); the German has no "
                                       f"matching number.",
                               suggestion=f"check the figure '{number.text}' is translated"))
    return out
