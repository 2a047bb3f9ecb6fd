"""Numbers in English and German text, normalised so they can be compared.

"11,000" (English) and "11.000" (German) are both 11000; "1.6 million" and
"1,6 Millionen" are both 1600000; a year stays a year.
"""
from __future__ import annotations

import re
from collections import Counter
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
_AND_A_HALF = re.compile(r"\s+and\s+a\s+half\b", re.IGNORECASE)
# Words that may stand for a number without being one ("both" / "beide" for two): a
# number the other side has is not missing when one of these says it.
SOFT = {"en": {"both": 2, "twice": 2, "pair": 2, "twin": 2, "twins": 2},
        "de": {"beide": 2, "beiden": 2, "beider": 2, "beides": 2, "zweier": 2, "zweimal": 2, "paar": 2}}
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
    multiple, half = _compound_patterns(language)
    for found, value_of in ((multiple, lambda m: float(words[m.group(1).lower()])),
                            (half, lambda m: 1.5 if m.group(1) is None else words[m.group(1).lower()] + 0.5)):
        for match in found.finditer(text):
            if not any(n.start <= match.start() < n.end for n in out):
                out.append(Number(value=value_of(match), start=match.start(), end=match.end(), text=match.group(0)))
    if language == "en":  # "two and a half", "1 and a half"
        for index, number in enumerate(out):
            tail = _AND_A_HALF.match(text, number.end)
            if tail:
                out[index] = Number(value=number.value + 0.5, start=number.start, end=tail.end(),
                                    text=text[number.start:tail.end()])
    out.sort(key=lambda n: n.start)
    return out


@lru_cache(maxsize=None)
def _compound_patterns(language: str) -> tuple[re.Pattern, re.Pattern]:
    """Multiples written as one word ("zehnfachen", "tenfold") and, in German, a number
    and a half as one word ("zweieinhalb", "eineinhalb", "anderthalb")."""
    words = _word_alternatives(language)
    if language == "de":
        return (re.compile(rf"(?<![\w-])({words})fach\w*", re.IGNORECASE),
                re.compile(rf"(?<![\w-])(?:eineinhalb|anderthalb|({words})einhalb)\w*", re.IGNORECASE))
    return (re.compile(rf"(?<![\w-])({words})fold\b", re.IGNORECASE), re.compile(r"(?!x)x"))


def unmatched_numbers(reference: str, reference_language: str, candidate: str, candidate_language: str
                      ) -> list[float]:
    """The numbers of ``reference`` that ``candidate`` lacks (as a multiset).  Not missing:
    a two where the candidate says "both" / "beide" (``SOFT``), and a figure with an
    imperial unit ("120 feet") where the candidate has a number within 15% of its metric
    conversion ("40 Meter": the translator converted it)."""
    remaining = Counter(number_values(candidate, candidate_language))
    soft_words = SOFT[candidate_language]
    soft = {soft_words[w.lower()] for w in re.findall(r"\w+", candidate) if w.lower() in soft_words}
    missing = []
    for number in find_numbers(reference, reference_language):
        if remaining[number.value] > 0:
            remaining[number.value] -= 1
        elif number.value not in soft and not _converted_in(number, reference, reference_language, remaining):
            missing.append(number.value)
    return sorted(missing)


def _converted_in(number: Number, text: str, language: str, candidates: Counter) -> bool:
    if language != "en":
        return False
    for unit in _english_units():
        if unit["pattern"].match(text, number.end):
            converted = number.value * unit["factor"] + unit.get("offset", 0.0)
            return any(abs(value - converted) <= 0.15 * abs(converted) for value in candidates.elements())
    return False


@lru_cache(maxsize=1)
def _english_units() -> list[dict]:
    from .resources import load_data

    return [{**unit, "pattern": re.compile(rf"\s*-?\s*(?:{unit['english']})\b")}
            for unit in load_data("units")["unit"] if "english" in unit]


@lru_cache(maxsize=None)
def _word_pattern(language: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-])({_word_alternatives(language)})(?![\w-])", re.IGNORECASE)


def _word_alternatives(language: str) -> str:
    """The number words of ``language`` as a regular-expression alternation, longest first."""
    return "|".join(sorted(WORDS[language], key=len, reverse=True))


def number_values(text: str, language: str) -> list[float]:
    return sorted(n.value for n in find_numbers(text, language))


def format_number(value: float) -> str:
    """A number for a message: "11,000", "1.6", and years and other small integers
    without a separator ("1959", not "1,959")."""
    if value != int(value):
        return f"{value:,}"
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.0f}"
