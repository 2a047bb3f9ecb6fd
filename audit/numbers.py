"""Numbers in English and German text, normalised so they can be compared.

"11,000" (English) and "11.000" (German) are both 11000; "1.6 million" and
"1,6 Millionen" are both 1600000; a year stays a year.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

SCALES = {
    "en": {"thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
           "trillion": 1e12, "mn": 1e6, "bn": 1e9},
    "de": {"tausend": 1e3, "tsd.": 1e3, "tsd": 1e3, "million": 1e6, "millionen": 1e6, "mio.": 1e6, "mio": 1e6, "milliarde": 1e9,
           "milliarden": 1e9, "mrd.": 1e9, "mrd": 1e9, "billion": 1e12, "billionen": 1e12},
}
# Number words that news copy writes out (German and English style guides spell out
# small numbers): counted like digits so that "elf Morde" matches "11 murders".  "one" /
# "ein" are left out: they are articles and pronouns far more often than numbers.
WORDS = {
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
           "hundred": 100, "thousand": 1000, "dozen": 12},
    "de": {"zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8,
           "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "zwanzig": 20, "dreißig": 30, "vierzig": 40,
           "fünfzig": 50, "hundert": 100, "tausend": 1000, "dutzend": 12},
}
_NUM = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?:(?=['’]?s\b)|(?![\w]))"
                  r"(?:\s*(%|prozent|percent|[a-zäöü]+\.?))?", re.IGNORECASE)


@dataclass(frozen=True)
class Number:
    value: float
    start: int
    end: int
    text: str


def parse_number(raw: str, language: str) -> float | None:
    """Value of a digit string written in ``language``'s conventions."""
    s = raw.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    thousands, decimal = (",", ".") if language == "en" else (".", ",")
    if re.fullmatch(rf"\d{{1,3}}(?:\{thousands}\d{{3}})+(?:\{decimal}\d+)?", s):
        s = s.replace(thousands, "")
    elif re.fullmatch(rf"\d{{1,3}}(?:\{decimal}\d{{3}})+", s) and s.count(decimal) > 1:
        return None  # "1.000.000" in English conventions: not a number we can read
    s = s.replace(decimal, ".")
    try:
        return float(s)
    except ValueError:
        return None


def find_numbers(text: str, language: str) -> list[Number]:
    out = []
    scales = SCALES[language]
    for match in _NUM.finditer(text):
        value = parse_number(match.group(1), language)
        if value is None:
            continue
        end = match.end(1)
        word = (match.group(2) or "").lower()
        if word in scales:
            value *= scales[word]
            end = match.end(2)
        out.append(Number(value=round(value, 6), start=match.start(1), end=end, text=text[match.start(1):end]))
    words = WORDS[language]
    pattern = _word_pattern(language)
    taken = [(n.start, n.end) for n in out]
    for match in pattern.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue  # "1.6 thousand": the word is the scale of a digit number
        if match.group(1).lower() in ("hundred", "thousand", "hundert", "tausend") and \
                re.search(r"\b(?:a|one|ein|eine|einer|einem)\s+$", text[:match.start()], re.IGNORECASE) is None:
            continue  # "hundreds of", "Tausende von": a quantity, not a number
        out.append(Number(value=float(words[match.group(1).lower()]), start=match.start(), end=match.end(),
                          text=match.group(0)))
    out.sort(key=lambda n: n.start)
    return out


@lru_cache(maxsize=None)
def _word_pattern(language: str) -> re.Pattern:
    words = WORDS[language]
    return re.compile(r"(?<![\w-])(%s)(?![\w-])" % "|".join(sorted(words, key=len, reverse=True)), re.IGNORECASE)


def number_values(text: str, language: str) -> list[float]:
    return sorted(n.value for n in find_numbers(text, language))


def format_number(value: float) -> str:
    """A number for a message: "11,000", "1.6", and years and other small integers
    without a separator ("1959", not "1,959")."""
    if value != int(value):
        return f"{value:,}"
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.0f}"
