"""Figures in English and German text, read with their kind so that the two sides compare.

A *mention* is one figure as a text writes it: "11,000" / "11.000", "1.6 million" /
"1,6 Millionen", "$2.5bn" / "2,5 Milliarden Dollar", "five" / "fünf", "672" /
"sechshundertzweiundsiebzig", "4th" / "vierten", "1880s" / "1880er", "5:30pm" /
"17.30 Uhr", "85 miles" / "137 Kilometer".  Each mention carries the *readings* it may
stand for: a value, a time of day, or a measured quantity in SI units (compared within a
tolerance, since translators round a conversion).  Where a text's own conventions leave
a figure open ("5.352" in English copy, "10.50" in German) every reading is kept.

A mention is *strict* when a faithful translation must keep it (digits, number words,
times, decades) and *soft* when it may stand for a figure without being one ("beide" for
two, "fünfmonatige", "erste", a month name).  ``unmatched`` pairs the strict mentions of
one text with the mentions of the other (a maximum bipartite matching on shared
readings), so each figure of the other side is used once.  A number word the other side
keeps verbatim ("Fox and Seven", "Three Mile Island") is a name, not a figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from text_to_num import text2num

# Readings: ("n", value), ("t", hour, minute), ("q", quantity, value in SI units, half the
# place of the figure's last digit in SI units, the unit's size in SI units).
Reading = tuple

SCALES = {
    "en": {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "mn": 1e6, "bn": 1e9,
           "tn": 1e12},
    "de": {"tausend": 1e3, "tsd": 1e3, "million": 1e6, "millionen": 1e6, "mio": 1e6, "milliarde": 1e9,
           "milliarden": 1e9, "mrd": 1e9, "billion": 1e12, "billionen": 1e12},
}
# Scales written as one letter after a currency sign ("$300m", "£5k"); without the sign
# an "m" is also metres ("100m").
_CURRENCY_SCALES = {"k": 1e3, "m": 1e6}
# Number words counted like digits (style guides spell out small numbers), used by other
# modules to recognise them.  "one" / "ein" are articles and pronouns far more often.
WORDS = {
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
           "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
           "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
           "hundred": 100, "thousand": 1000, "dozen": 12},
    "de": {"zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8,
           "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "zwanzig": 20, "dreißig": 30, "vierzig": 40,
           "fünfzig": 50, "hundert": 100, "tausend": 1000, "dutzend": 12},
}
_EN_UNIT_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                  "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
                  "eighty ninety hundred thousand million billion trillion").split()
_EN_ORDINALS = {"fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
                "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
                "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
                "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "hundredth": 100, "thousandth": 1000}
# Words that may stand for a number without being one: a figure of the other side is not
# missing when one of these says it, and none of them is demanded of the other side
# ("Milliarden Jahre" for "a billion years", "beide" for two).
SOFT = {
    "en": {"hundreds": 100, "thousands": 1e3, "millions": 1e6, "billions": 1e9, "both": 2, "twice": 2, "pair": 2, "couple": 2, "twin": 2, "twins": 2, "double": 2, "dozen": 12,
           "first": 1, "second": 2, "third": 3, "half": 0.5},
    "de": {"hunderte": 100, "hunderten": 100, "tausende": 1e3, "tausenden": 1e3, "millionen": 1e6,
           "milliarden": 1e9, "beide": 2, "beiden": 2, "beider": 2, "beides": 2, "zweier": 2, "zweimal": 2, "doppelt": 2,
           "doppelte": 2, "doppelten": 2, "paar": 2, "zwilling": 2, "zwillinge": 2, "dutzend": 12,
           "hälfte": 0.5, "halb": 0.5, "halbe": 0.5, "halben": 0.5, "drittel": 3, "viertel": 4, "fünftel": 5,
           "zehntel": 10, "dreimal": 3, "viermal": 4},
}
_MONTHS = {
    "en": ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"],
    "de": ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "dezember"],
}
_DE_MORPHS = ("zweihundert|hundert|tausend|zwanzig|dreißig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig|"
              "dreizehn|vierzehn|fünfzehn|sechzehn|siebzehn|achtzehn|neunzehn|zwölf|zehn|elf|eins|ein|zwei|"
              "zwo|drei|vier|fünf|sechs|sieben|acht|neun|und")
_DE_NUMBER_WORD = re.compile(rf"(?:{_DE_MORPHS})+", re.IGNORECASE)
_DE_ORDINAL_IRREGULAR = {"erst": 1, "dritt": 3, "siebt": 7, "acht": 8}
# "achte", "achten" are also forms of the verb "achten" (to heed): never demanded.
_DE_ORDINAL_AMBIGUOUS = {"acht"}
_LETTERS = "A-Za-zÄÖÜäöüß"
_AND_A_HALF = re.compile(r"\s+and\s+a\s+half\b", re.IGNORECASE)
_WORD = re.compile(rf"[{_LETTERS}]+")
# Digits: thousands grouped by comma, full stop, (thin) space, or ungrouped, with decimals.
_DIGITS = r"\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_DIGITS_RE = re.compile(rf"(?<![\w,:/])(?<![\d.]\.)(?:{_DIGITS})")
# A figure joined to letters by a hyphen is part of a name ("COVID-19", "F-35", "G-20").
_NAME_PART = re.compile(r"[A-Za-z]-$")
# A number of a list at the start of a line ("1.Build ...", "2) Rest ...", "(3) ..."): it
# counts the items, and a translation may number them otherwise or not at all.
_ENUMERATOR_BEFORE = re.compile(r"[ \t]*[(\[]?")
_ENUMERATOR_AFTER = re.compile(r"[.)\]](?!\d)")
_BEFORE_OK = re.compile(r"(?<![\w.,:/])")
TOLERANCE = 0.15


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    kind: str  # number, ordinal, decade, time, date, measure, word
    value: float
    readings: frozenset
    strict: bool = True
    system: str | None = None  # "metric" or "imperial" for a figure with a unit of measure


def parse_number(raw: str, language: str) -> float | None:
    """Value of a digit string written in ``language``'s conventions (None when they
    cannot read it: "1.000.000" in English)."""
    s = raw.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    thousands, decimal = (",", ".") if language == "en" else (".", ",")
    if re.fullmatch(rf"\d{{1,3}}(?:\{thousands}\d{{3}})+(?:\{decimal}\d+)?", s):
        s = s.replace(thousands, "")
    elif re.fullmatch(rf"\d{{1,3}}(?:\{decimal}\d{{3}})+", s) and s.count(decimal) > 1:
        return None
    s = s.replace(decimal, ".")
    try:
        return float(s)
    except ValueError:
        return None


def _readings_of_digits(raw: str, language: str) -> list[float]:
    """Every value the digit string may have, the text's own convention first: copy
    written by speakers of other languages mixes them ("5.352 pesos", "2,5 %")."""
    values = []
    for lang in (language, "de" if language == "en" else "en"):
        value = parse_number(raw, lang)
        if value is not None and round(value, 6) not in values:
            values.append(round(value, 6))
    return values


def _n(value: float) -> Reading:
    return ("n", round(value, 6))


def _years(two_digits: int) -> list[Reading]:
    return [_n(two_digits), _n(1900 + two_digits), _n(2000 + two_digits)]


class _Reader:
    """Collects the mentions of one text; a span read by an earlier pass is not read again."""

    def __init__(self, text: str, language: str):
        self.text, self.language = text, language
        self.mentions: list[Mention] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.taken)

    def add(self, start: int, end: int, kind: str, value: float, readings, strict: bool = True,
            system: str | None = None) -> None:
        self.mentions.append(Mention(start, end, self.text[start:end], kind, round(value, 6),
                                     frozenset(readings), strict, system))
        self.taken.append((start, end))


def find_mentions(text: str, language: str) -> list[Mention]:
    """The figures of ``text`` (``language`` "en" or "de"), in text order."""
    return list(_mentions(text, language))


@lru_cache(maxsize=4096)
def _mentions(text: str, language: str) -> tuple[Mention, ...]:
    # one text is compared with several others (German, back-translation, source): read once
    reader = _Reader(text, language)
    for step in (_times, _dates, _decades, _digit_numbers, _word_numbers, _soft_words, _units, _centuries):
        step(reader)
    return tuple(sorted(reader.mentions, key=lambda m: (m.start, m.end)))


# --- times of day -------------------------------------------------------------------

_EN_TIME_AMPM = re.compile(r"(?<![\w.,:])(\d{1,2})(?:[:.](\d{2}))?\s*([AaPp])(?:\.\s?[Mm]\.|[Mm]\b)")
_CLOCK = re.compile(r"(?<![\w.,:])(\d{1,2}):(\d{2})(?![\d:])(?:\s*(?:o'clock|Uhr|h)\b)?")
_EN_OCLOCK = re.compile(r"(?<![\w.,:])(\d{1,2})\s*o'clock\b")
_DE_UHR = re.compile(r"(?<![\w.,:])(\d{1,2})(?:[.:](\d{2}))?\s*\.?\s*Uhr\b"
                     r"(?:\s+(morgens|früh|vormittags|mittags|nachmittags|abends|nachts))?")


def _time_readings(hour: int, minute: int) -> list[Reading]:
    return [("t", hour % 24, minute)] if hour <= 24 and minute < 60 else []


def _times(r: _Reader) -> None:
    if r.language == "en":
        for m in _EN_TIME_AMPM.finditer(r.text):
            hour, minute = int(m.group(1)), int(m.group(2) or 0)
            if m.group(3).lower() == "p" and hour < 12:
                hour += 12
            elif m.group(3).lower() == "a" and hour == 12:
                hour = 0
            readings = _time_readings(hour, minute)
            if readings and r.free(*m.span()):
                r.add(m.start(), m.end(), "time", hour + minute / 100, readings)
        for m in _EN_OCLOCK.finditer(r.text):
            hour = int(m.group(1))
            readings = _time_readings(hour, 0) + _time_readings(hour + 12, 0)
            if readings and r.free(*m.span()):
                r.add(m.start(), m.end(), "time", hour, readings)
    else:
        for m in _DE_UHR.finditer(r.text):
            hour, minute = int(m.group(1)), int(m.group(2) or 0)
            readings = _time_readings(hour, minute)
            if m.group(3) in ("nachmittags", "abends", "nachts") and hour < 12:
                readings += _time_readings(hour + 12, minute)
            if readings and r.free(*m.span()):
                r.add(m.start(), m.end(), "time", hour + minute / 100, readings + [_n(hour)])
    for m in _CLOCK.finditer(r.text):
        hour, minute = int(m.group(1)), int(m.group(2))
        readings = _time_readings(hour, minute)
        if readings and r.free(*m.span()):
            r.add(m.start(), m.end(), "time", hour + minute / 100, readings)


# --- dates written with digits only ---------------------------------------------------

_SLASH_DATE = re.compile(r"(?<![\w./])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\w/])")
_DOT_DATE = re.compile(r"(?<![\w.,])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?![\d])")


# a month of a year: "1998-06" (ISO, also with its day: "1998-06-30"; a month written
# without its zero would be a season, "2010-11") and "06/1998"
_ISO_DATE = re.compile(r"(?<![\w./-])(1\d{3}|20\d{2})-(0\d|1[0-2](?=-\d))(?:-(\d{1,2}))?(?![\w/-])")
_MONTH_YEAR = re.compile(r"(?<![\w./])(\d{1,2})/(1\d{3}|20\d{2})(?![\w/])")


# a season across two years: "2010-11", "2010/11", "2010–11"
_SEASON = re.compile(r"(?<![\w./-])(1\d{3}|20\d{2})[-/–](\d{2})(?![\w/-])")


def _month_dates(r: _Reader) -> None:
    for m in _SEASON.finditer(r.text):
        first, second = int(m.group(1)), int(m.group(2))
        if second != (first + 1) % 100 or not r.free(*m.span()):
            continue
        r.add(m.start(1), m.end(1), "date", first, [_n(first)])
        r.add(m.start(2), m.end(2), "date", second, [_n(second), _n(first + 1)])
    for pattern, month_group in ((_ISO_DATE, 2), (_MONTH_YEAR, 1)):
        for m in pattern.finditer(r.text):
            if not 1 <= int(m.group(month_group)) <= 12 or not r.free(*m.span()):
                continue
            if m.lastindex == 3 and m.group(3) and not 1 <= int(m.group(3)) <= 31:
                continue
            for group in range(1, (m.lastindex or 0) + 1):
                if m.group(group):
                    value = int(m.group(group))
                    r.add(m.start(group), m.end(group), "date", value, [_n(value)])


def _dates(r: _Reader) -> None:
    _month_dates(r)
    patterns = [_SLASH_DATE] + ([_DOT_DATE] if r.language == "de" else [])
    for pattern in patterns:
        for m in pattern.finditer(r.text):
            day, month = int(m.group(1)), int(m.group(2))
            if pattern is _DOT_DATE and not (1 <= day <= 31 and 1 <= month <= 12):
                continue
            if not r.free(*m.span()) or day > 12 and month > 12:
                continue
            for group in (1, 2):
                r.add(m.start(group), m.end(group), "date", int(m.group(group)), [_n(int(m.group(group)))])
            if m.group(3):
                year = int(m.group(3))
                readings = _years(year) if len(m.group(3)) == 2 else [_n(year)]
                r.add(m.start(3), m.end(3), "date", year, readings)


# --- decades --------------------------------------------------------------------------

_EN_DECADE = re.compile(r"(?<![\w.,])['’]?(\d{4}|\d{2})['’]?s\b")
_DE_DECADE = re.compile(r"(?<![\w.,])(\d{4}|\d{2})er(?:n|-?Jahren?\w*|\b)")
_DE_DECADE_WORD = re.compile(r"\b(zwanziger|dreißiger|vierziger|fünfziger|sechziger|siebziger|achtziger|"
                             r"neunziger)(?:n|-?Jahren?\w*|\b)", re.IGNORECASE)
_DE_TENS = {"zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60, "siebzig": 70,
            "achtzig": 80, "neunzig": 90}


def _decade_readings(value: int) -> list[Reading]:
    if value >= 100:
        return [_n(value), _n(value % 100)]
    return _years(value)


def _decades(r: _Reader) -> None:
    pattern = _EN_DECADE if r.language == "en" else _DE_DECADE
    for m in pattern.finditer(r.text):
        value = int(m.group(1))
        if value % 10 == 0 and r.free(*m.span()):
            r.add(m.start(), m.end(), "decade", value, _decade_readings(value))
    if r.language == "de":
        for m in _DE_DECADE_WORD.finditer(r.text):
            value = _DE_TENS[m.group(1).lower()[:-2]]
            if r.free(*m.span()):
                r.add(m.start(), m.end(), "decade", value, _decade_readings(value))


# --- digits, with scale, unit or ordinal suffix ---------------------------------------

@lru_cache(maxsize=None)
def _patterns(language: str) -> dict:
    from ..resources import load_data

    units = load_data("units")
    side = "english" if language == "en" else "german"
    measures = []  # (regex after the figure, (quantity, si factor, si offset, system))
    for unit in units.get("unit", []):
        pattern = unit.get(side if language == "en" else "pattern")
        if pattern and "quantity" in unit:
            measures.append((pattern, (unit["quantity"], unit["si"], unit.get("si_offset", 0.0), "imperial")))
    for unit in units.get("metric", []):
        measures.append((unit[side], (unit["quantity"], unit["si"], 0.0, "metric")))
    measures.sort(key=lambda m: -len(m[0]))  # "square miles" before "miles"
    scale_words = "|".join(sorted((re.escape(w) for w in SCALES[language]), key=len, reverse=True))
    return {
        "scale": re.compile(rf"\s*-?\s*({scale_words})(?:(?<=mio|mrd|tsd|Mio|Mrd|Tsd)\.)?(?![{_LETTERS}])",
                            re.IGNORECASE),
        "currency_scale": re.compile(r"(k|m)\b"),
        "measures": [(re.compile(rf"\s*-?\s*(?:{p})(?![{_LETTERS}²])"), unit) for p, unit in measures],
        "ordinal": re.compile(r"(?:st|nd|rd|th)\b") if language == "en" else re.compile(r"\.(?=\s)"),
        "tolerance": units.get("tolerance", TOLERANCE),
    }


def _digit_numbers(r: _Reader) -> None:
    p = _patterns(r.language)
    text = r.text
    for m in _DIGITS_RE.finditer(text):
        start, end = m.span()
        if not r.free(start, end):
            continue
        values = _readings_of_digits(m.group(0), r.language)
        if not values:
            continue
        currency = re.search(r"[$£€¥]\s?$", text[max(0, start - 3):start]) is not None
        kind, readings, value = "number", [_n(v) for v in values], values[0]
        scale = p["scale"].match(text, end)
        cur_scale = p["currency_scale"].match(text, end) if currency else None
        if scale:
            factor = SCALES[r.language][scale.group(1).lower().rstrip(".")]
            values = [v * factor for v in values]
            value, readings, end = values[0], [_n(v) for v in values], scale.end()
        elif cur_scale:
            factor = _CURRENCY_SCALES[cur_scale.group(1)]
            values = [v * factor for v in values]
            value, readings, end = values[0], [_n(v) for v in values], cur_scale.end()
        elif r.language == "en" and re.match(r"m\b", text[end:end + 2]) and not currency:
            readings.append(_n(value * 1e6))  # "2.5m people" (million) or "100m" (metres)
        if kind == "number" and r.language == "en" and p["ordinal"].match(text, end):
            kind, end = "ordinal", p["ordinal"].match(text, end).end()
        if r.language == "de":
            # a German "10.50" may be a time of day, and any hour a figure of "5 p.m." / "17 Uhr"
            hm = re.fullmatch(r"(\d{1,2})[.:](\d{2})", m.group(0))
            if hm:
                readings += _time_readings(int(hm.group(1)), int(hm.group(2)))
            elif value == int(value) and 0 <= value <= 24:
                readings += _time_readings(int(value), 0)
        enumerator = len(m.group(0)) <= 2 and _ENUMERATOR_AFTER.match(text, m.end()) is not None \
            and _ENUMERATOR_BEFORE.fullmatch(text, text.rfind("\n", 0, start) + 1, start) is not None
        r.add(start, end, kind, value, readings,
              strict=not enumerator and not _NAME_PART.search(text[max(0, start - 2):start]))


# --- centuries -----------------------------------------------------------------------

_CENTURY = re.compile(r"\.?\s*(?:century|centuries|Jahrhunderts?|Jh\.)", re.IGNORECASE)


def _centuries(r: _Reader) -> None:
    """"the 19th century" / "das 19. Jahrhundert" / "the 1800s" also read as the century."""
    for index, mention in enumerate(r.mentions):
        extra = []
        if mention.kind in ("ordinal", "number", "word") and _CENTURY.match(r.text, mention.end):
            extra.append(("c", mention.value))
        if mention.kind == "decade" and mention.value >= 1000 and mention.value % 100 == 0:
            extra.append(("c", mention.value // 100 + 1))
        if extra:
            r.mentions[index] = replace(mention, readings=mention.readings | set(extra))


# --- units of measure -------------------------------------------------------------------

_RANGE = re.compile(r"\s*(?:-|–|—|to|bis|and|und|or|oder)\s*")
_UNIT_READY = ("number", "word")


def _place(value: float) -> float:
    """The place of a figure's last significant digit: 140 -> 10, 2.5 -> 0.1, 5 -> 1."""
    if value != int(value):
        decimals = len(f"{value:.6f}".rstrip("0").split(".")[1])
        return 10.0 ** -decimals
    place, whole = 1.0, int(abs(value))
    while whole and whole % 10 == 0:
        whole //= 10
        place *= 10
    return place


def _measure(mention: Mention, unit: tuple) -> list[Reading]:
    """Readings of a figure in a unit: its value in SI units, and half the place of its
    last digit there (a translator's "zwei Meter" for "eight-foot" is a rounding)."""
    quantity, si, offset, _ = unit
    return [("q", quantity, round(x[1] * si + offset, 6), _place(x[1]) * si / 2, si)
            for x in mention.readings if x[0] == "n"]


def _units(r: _Reader) -> None:
    """A figure followed by a unit of measure ("85 miles", "15-foot", "fünf Meter") also
    reads as that quantity; the first figure of a range takes the unit of the second
    ("80-85mph", "12 bis 15 Zoll")."""
    measures = _patterns(r.language)["measures"]
    mentions = sorted(r.mentions, key=lambda m: m.start)
    units: list[tuple | None] = []
    for index, mention in enumerate(mentions):
        unit = None
        if mention.kind in _UNIT_READY:
            for pattern, measure in measures:
                after = pattern.match(r.text, mention.end)
                if after:
                    unit = measure
                    mentions[index] = replace(mention, end=after.end(), text=r.text[mention.start:after.end()],
                                              kind="measure", readings=mention.readings | set(_measure(mention, unit)),
                                              system=unit[3])
                    break
        units.append(unit)
    for index in range(len(mentions) - 1):
        first, second = mentions[index], mentions[index + 1]
        if units[index] is None and units[index + 1] is not None and first.kind in _UNIT_READY \
                and _RANGE.fullmatch(r.text[first.end:second.start]):
            mentions[index] = replace(first, readings=first.readings | set(_measure(first, units[index + 1])))
    r.mentions = mentions


# --- number words -------------------------------------------------------------------

@lru_cache(maxsize=1)
def _en_word_sequence() -> re.Pattern:
    word = "|".join(sorted(_EN_UNIT_WORDS, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:(?:a|one)\s+(?=(?:hundred|thousand|million|billion|trillion)\b))?"
                      rf"(?:{word})(?:(?:\s+and\s+|\s+|-)(?:{word}))*(?![\w])", re.IGNORECASE)


def _word_numbers(r: _Reader) -> None:
    if r.language == "en":
        _en_words(r)
    else:
        _de_words(r)


def _en_words(r: _Reader) -> None:
    scale = _patterns("en")["scale"]
    for m in _en_word_sequence().finditer(r.text):
        words = re.split(r"[\s-]+", m.group(0).lower())
        if words in (["one"], ["zero"]) or words[0] in ("hundred", "thousand", "million", "billion", "trillion"):
            continue  # an article or pronoun; a bare "thousand" is no figure
        if words[0] == "a":
            words[0] = "one"
        try:
            value = float(text2num(" ".join(w for w in words if w != "and"), "en"))
        except ValueError:  # "between two and three": figures side by side
            for part in re.finditer(r"[a-z]+", m.group(0), re.IGNORECASE):
                single = WORDS["en"].get(part.group(0).lower())
                if single and r.free(m.start() + part.start(), m.start() + part.end()):
                    r.add(m.start() + part.start(), m.start() + part.end(), "word", single, [_n(single)])
            continue
        end = m.end()
        after = scale.match(r.text, end)
        if after and after.group(1).lower() in ("million", "billion", "trillion"):
            value *= SCALES["en"][after.group(1).lower()]
            end = after.end()
        if r.free(m.start(), end):
            r.add(m.start(), end, "word", value, [_n(value)])
    for m in _WORD.finditer(r.text):
        value = _EN_ORDINALS.get(m.group(0).lower())
        if value and r.free(*m.span()):
            r.add(m.start(), m.end(), "ordinal", value, [_n(value)])
        fold = re.fullmatch(r"([a-z]+)fold", m.group(0).lower())
        if fold and fold.group(1) in WORDS["en"] and r.free(*m.span()):
            value = WORDS["en"][fold.group(1)]
            r.add(m.start(), m.end(), "word", value, [_n(value)])
    # "two and a half", "3 and a half"
    for index, mention in enumerate(r.mentions):
        tail = _AND_A_HALF.match(r.text, mention.end)
        if tail and mention.kind in ("number", "word"):
            r.mentions[index] = Mention(mention.start, tail.end(), r.text[mention.start:tail.end()], mention.kind,
                                        mention.value + 0.5, mention.readings | {_n(mention.value + 0.5)})
            r.taken.append((mention.start, tail.end()))


def _de_cardinal(word: str) -> float | None:
    lower = word.lower()
    if not _DE_NUMBER_WORD.fullmatch(lower) or lower in ("ein", "eins", "und"):
        return None
    try:
        return float(text2num(lower, "de"))
    except ValueError:
        return None


def _de_ordinal(word: str) -> float | None:
    lower = word.lower()
    stem = re.sub(r"(?:e|en|er|es|em)$", "", lower)
    if stem == lower:
        return None
    if stem in _DE_ORDINAL_IRREGULAR:
        return float(_DE_ORDINAL_IRREGULAR[stem])
    for ending in ("st", "t"):
        if stem.endswith(ending) and (value := _de_cardinal(stem[: -len(ending)])) is not None:
            return value
    return None


def _de_prefix(word: str) -> tuple[float, bool] | None:
    """The number a compound starts with ("fünfmonatige", "Dreijährige",
    "hundertprozentig") and whether it is a figure for sure: a multiple ("zehnfach",
    "dreimal") is; another compound may be a word of its own ("Achtung", "Dreieck")."""
    lower = word.lower()
    match = _DE_NUMBER_WORD.match(lower)
    while match and len(lower) - match.end() >= 3:
        value = _de_cardinal(lower[: match.end()])
        if value is not None:
            return value, lower[match.end():].startswith(("fach", "mal"))
        match = _DE_NUMBER_WORD.match(lower[: match.end() - 1])
    return None


_DE_HALF = re.compile(r"(\w+?)(?:ein)?halb\w*")


def _de_words(r: _Reader) -> None:
    scale = _patterns("de")["scale"]
    for m in _WORD.finditer(r.text):
        if not r.free(*m.span()):
            continue
        word = m.group(0)
        value = _de_cardinal(word)
        if value is not None:
            end = m.end()
            after = scale.match(r.text, end)
            if after and after.group(1).lower() not in ("tausend", "tsd"):
                value *= SCALES["de"][after.group(1).lower().rstrip(".")]
                end = after.end()
            r.add(m.start(), end, "word", value, [_n(value)])
            continue
        half = _DE_HALF.fullmatch(word.lower())
        if half:
            value = 1.0 if half.group(1) in ("ein", "ander") else _de_cardinal(half.group(1))
            if value is not None:
                r.add(m.start(), m.end(), "word", value + 0.5, [_n(value + 0.5)])
                continue
        ordinal = _de_ordinal(word)
        if ordinal is not None:
            ambiguous = re.sub(r"(?:e|en|er|es|em)$", "", word.lower()) in _DE_ORDINAL_AMBIGUOUS
            r.add(m.start(), m.end(), "ordinal", ordinal, [_n(ordinal)], strict=ordinal > 3 and not ambiguous)
            continue
        prefix = _de_prefix(word)
        if prefix is not None:
            r.add(m.start(), m.end(), "word", prefix[0], [_n(prefix[0])], strict=prefix[1])
    for m in re.finditer(r"\b(?:eine[rm]?|einer)\s+(Million|Milliarde|Billion)\b", r.text):
        if r.free(*m.span()):
            value = SCALES["de"][m.group(1).lower()]
            r.add(m.start(), m.end(), "word", value, [_n(value)])


def _soft_words(r: _Reader) -> None:
    soft, months = SOFT[r.language], _MONTHS[r.language]
    for m in _WORD.finditer(r.text):
        lower = m.group(0).lower()
        if not r.free(*m.span()):
            continue
        if lower in soft and not (r.language == "de" and m.group(0) == "paar"):  # "ein paar": a few
            r.add(m.start(), m.end(), "word", soft[lower], [_n(soft[lower])], strict=False)
        elif lower in months and (lower != "may" or m.group(0) == "May"):
            index = months.index(lower) + 1
            r.add(m.start(), m.end(), "word", index, [_n(index)], strict=False)
        elif r.language == "de" and m.start() > 0 and r.text[m.start() - 1] == "-":
            value = _de_cardinal(m.group(0))  # "Colston-Vier": the end of a compound
            if value is not None:
                r.add(m.start(), m.end(), "word", value, [_n(value)], strict=False)
        elif r.language == "de" and (value := _de_compound_number(lower)) is not None:
            r.add(m.start(), m.end(), "word", value, [_n(value)], strict=False)


# German says a small figure inside a word: "einteilig" (1-piece), "dreitägig" (3-day),
# "Drittanbieter" (3rd-party), "Zweitwohnung"; and "one" as an article or pronoun
# ("einer der Lüfter" for "1 of the fans").  Such a word may carry a figure of the other
# side; none is demanded.
_DE_ONE = {"ein", "eine", "einer", "eines", "einem", "einen", "eins"}
_DE_ONE_COMPOUND = re.compile(r"ein(?:teilig|malig|fach|jährig|tägig|stündig|wöchig|monatig|seitig|spurig|"
                              r"stöckig|sitzig|zimmer|zig)\w*")
_DE_STEMS = {"zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
             "zehn": 10, "zwölf": 12, "erst": 1, "zweit": 2, "dritt": 3, "viert": 4, "fünft": 5, "sechst": 6,
             "siebt": 7, "neunt": 9, "zehnt": 10}
_DE_STEM = re.compile(rf"({'|'.join(sorted(_DE_STEMS, key=len, reverse=True))})[a-zäöüß]{{3,}}")


def _de_compound_number(lower: str) -> float | None:
    if lower in _DE_ONE or _DE_ONE_COMPOUND.fullmatch(lower):
        return 1
    stem = _DE_STEM.fullmatch(lower)
    return _DE_STEMS[stem.group(1)] if stem else None


# --- comparing two texts ----------------------------------------------------------------

def _shares_reading(a: Mention, b: Mention, tolerance: float) -> bool:
    """Two mentions may say the same figure: a value, a time of day, or a quantity in
    another unit within the conversion tolerance or the rounding the written figure shows."""
    if a.readings & b.readings:
        return True
    for x in a.readings:
        if x[0] != "q":
            continue
        for y in b.readings:
            if y[0] == "q" and x[1] == y[1] and x[4] != y[4]:
                # a conversion into another unit ("85 miles" / "137 km"); in one unit the
                # values must agree ("491 miles" / "475 miles" is a changed figure)
                slack = max(tolerance * max(abs(x[2]), abs(y[2])), x[3], y[3], 1e-9)
                if abs(x[2] - y[2]) <= slack:
                    return True
    return False


def _verbatim(mention: Mention, candidate: str) -> bool:
    """A number word the other text keeps as it is is part of a name ("Fox and Seven")."""
    return mention.kind == "word" and re.search(rf"(?<![\w]){re.escape(mention.text)}(?![\w])", candidate) is not None


def match(reference: list[Mention], candidate: list[Mention], candidate_text: str = "",
          tolerance: float | None = None) -> tuple[list[Mention], list[Mention]]:
    """(reference mentions left unmatched, candidate mentions left unmatched), strict ones
    only, after pairing every strict reference mention it can with a candidate mention
    (Kuhn's augmenting paths: one figure of the candidate serves one of the reference)."""
    if tolerance is None:
        tolerance = _patterns("en")["tolerance"]
    wanted = _conversion_groups([m for m in reference if m.strict and not _verbatim(m, candidate_text)], tolerance)
    edges = [sorted({j for w in group for j, c in enumerate(candidate) if _shares_reading(w, c, tolerance)})
             for group in wanted]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    matched = {i for i in range(len(wanted)) if augment(i, set())}
    used = set(owner)
    return ([group[0] for i, group in enumerate(wanted) if i not in matched],
            [c for j, c in enumerate(candidate) if j not in used and c.strict])


def _conversion_groups(mentions: list[Mention], tolerance: float) -> list[list[Mention]]:
    """The mentions, with a figure and its conversion given beside it ("120 feet, or 40
    meters") as one group: a translation needs only one of them."""
    groups: list[list[Mention]] = []
    for mention in mentions:
        for group in groups:
            if mention.system and any({mention.system, other.system} == {"imperial", "metric"}
                                      and _shares_reading(mention, other, tolerance) for other in group):
                group.append(mention)
                break
        else:
            groups.append([mention])
    return groups


def unmatched(reference: str, reference_language: str, candidate: str, candidate_language: str
              ) -> tuple[list[Mention], list[Mention]]:
    """The strict figures of ``reference`` that ``candidate`` lacks, and those of
    ``candidate`` left over (a figure said differently on both sides is a changed figure)."""
    return match(find_mentions(reference, reference_language), find_mentions(candidate, candidate_language),
                 candidate)


def unmatched_numbers(reference: str, reference_language: str, candidate: str, candidate_language: str
                      ) -> list[float]:
    """The values of the figures of ``reference`` that ``candidate`` lacks, sorted."""
    missing, _ = unmatched(reference, reference_language, candidate, candidate_language)
    return sorted(m.value for m in missing)


def number_values(text: str, language: str) -> list[float]:
    return sorted(m.value for m in find_mentions(text, language) if m.strict)


def format_number(value: float) -> str:
    """A number for a message: "11,000", "1.6", and years and other small integers
    without a separator ("1959", not "1,959")."""
    if value != int(value):
        return f"{value:,}"
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.0f}"
