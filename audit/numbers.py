"""Numbers in English and German text, normalised so they can be compared.

"11,000" (English) and "11.000" (German) are both 11000; "1.6 million" and
"1,6 Millionen" are both 1600000; a year stays a year.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SCALES = {
    "en": {"thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
           "trillion": 1e12, "mn": 1e6, "bn": 1e9},
    "de": {"tausend": 1e3, "million": 1e6, "millionen": 1e6, "mio.": 1e6, "mio": 1e6, "milliarde": 1e9,
           "milliarden": 1e9, "mrd.": 1e9, "mrd": 1e9, "billion": 1e12, "billionen": 1e12},
}
_NUM = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\w])"
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
    return out


def number_values(text: str, language: str) -> list[float]:
    return sorted(n.value for n in find_numbers(text, language))
