"""Imperial units left in German copy, with the metric conversion as suggestion.

Not flagged: a unit whose metric value the German already gives beside it ("85 Meilen
(137 Kilometer)", within the conversion tolerance of ``data/units.toml``), a customary
use ("15-Zoll-Bildschirm", "Flughöhe von 30.000 Fuß"), and a word that is no unit there
("Pfund Sterling", "Millionen Pfund", or "Pfund" where the English source pays in "£").
How severe an unconverted unit is, is house style (``severity`` in the data, minor by
default: the meaning is right, the unit is not what German readers use).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import MAJOR, MINOR, Finding
from ..text.numbers import find_mentions, parse_number
from .patterns import DataPattern
from . import finding, german_prose

NAME = "units"
DATA = "units"
CONFIDENCE = 0.95  # an imperial unit is one; converting it is house style

_NUMBER_BEFORE = r"(?P<num>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?:\s|\u00a0)*(?P<scale>Millionen|Million|Tausend)?\s*-?\s*"
_LETTER = r"\wÄÖÜäöüß"


def _round_nicely(value: float) -> str:
    """Two significant figures, German formatting: 804.7 -> "800", 1.609 -> "1,6"."""
    if value == 0:
        return "0"
    from math import floor, log10

    digits = 2 - int(floor(log10(abs(value)))) - 1
    rounded = round(value, digits)
    if rounded == int(rounded):
        return f"{int(rounded):,}".replace(",", ".")
    return f"{rounded:.{max(digits, 0)}f}".replace(".", ",")


def _metric_beside(seg_text: str, start: int, value: float | None, unit: dict, tolerance: float) -> bool:
    """True when the sentence gives the figure in metric as well ("85 Meilen (137 km)")."""
    if value is None or "quantity" not in unit:
        return False
    wanted = value * unit["si"] + unit.get("si_offset", 0.0)
    for mention in find_mentions(seg_text, "de"):
        if mention.system != "metric":
            continue
        for reading in mention.readings:
            if reading[0] == "q" and reading[1] == unit["quantity"] and \
                    abs(reading[2] - wanted) <= tolerance * max(abs(wanted), 1e-9):
                return True
    return False


def _source_by_segment(doc) -> dict[str, str]:
    """The English source text aligned to each German segment (empty without a source)."""
    source = {s.id: s.text for s in doc.source_segments}
    out = {}
    for bead in doc.alignments:
        text = " ".join(source[i] for i in bead.source if i in source)
        for seg_id in bead.german:
            out[seg_id] = text
    return out


def run(doc, data) -> list[Finding]:
    out = []
    vague = data.get("vague", {}).get("pattern")
    default = MAJOR if data.get("severity", MINOR) == MAJOR else MINOR
    tolerance = data.get("tolerance", 0.15)
    sources = _source_by_segment(doc)
    hits: list[_Hit] = []
    for unit in data.get("unit", []):
        word = DataPattern(rf"(?<![{_LETTER}-])(?:{unit['pattern']})(?![{_LETTER}])", "units")
        with_number = DataPattern(_NUMBER_BEFORE + rf"(?:{unit['pattern']})$", "units")
        with_vague = DataPattern(rf"(?:{vague})\s*(?:{unit['pattern']})$", "units") if vague else None
        unless = DataPattern(unit["unless"], "units") if unit.get("unless") else None
        customary = DataPattern(unit["customary"], "units") if unit.get("customary") else None
        money = unit.get("money_sign")
        for seg in german_prose(doc):
            if customary and customary.search(seg.text):
                continue
            if money and money in sources.get(seg.id, ""):
                continue
            for match in word.finditer(seg.text):
                if unless and any(u.start() <= match.start() < u.end() for u in unless.finditer(seg.text)):
                    continue
                start, end = match.span()
                if seg.text[start - 1:start] == "-" and re.search(r"\d-$", seg.text[:start]) is None:
                    continue  # inside a compound ("15-Zoll-Bildschirm" is customary; "Fuß-" a word part)
                before = seg.text[max(0, start - 40):end]
                suggestion = f"in {unit['metric']} umrechnen"
                replacements: list[str] = []  # without a figure, the editor converts
                num = with_number.search(before)
                vag = with_vague.search(before) if with_vague else None
                if num:
                    start = end - (len(before) - num.start())
                    value = parse_number(num.group("num"), "de")
                    if value is not None and num.group("scale"):
                        value *= {"Tausend": 1e3}.get(num.group("scale"), 1e6)
                    if _metric_beside(seg.text, start, value, unit, tolerance):
                        continue
                    if value is not None:
                        metric = value * unit["factor"] + unit.get("offset", 0.0)
                        suggestion = f"rund {_round_nicely(metric)} {unit['metric']}"
                        replacements = [suggestion]
                elif vag:
                    start = end - (len(before) - vag.start())
                    suggestion = f"{vag.group(1)} {unit['metric']}"
                    replacements = [suggestion]
                elif unit.get("needs_quantity"):
                    continue
                hits.append(_Hit(seg, start, end, unit, value if num else None, match.group(), suggestion,
                                 replacements))
    out = []
    for hit in _joined(hits):
        out.append(finding(
            hit.seg, hit.start, hit.end, category="locale convention", severity=default, check=NAME,
            message=f"'{hit.word}' is an imperial unit; German readers expect {hit.unit['metric']}.",
            suggestion=hit.suggestion, replacements=hit.replacements))
    return out


@dataclass
class _Hit:
    seg: object
    start: int
    end: int
    unit: dict
    value: float | None
    word: str
    suggestion: str
    replacements: list[str]


_JOINT = re.compile(r"\s*(?:und\s+)?")


def _joined(hits: list[_Hit]) -> list[_Hit]:
    """One measure written in two units ("5 Fuß 6 Zoll", "3 Pfund 4 Unzen") as one hit, with
    the sum converted into the larger unit's metric one."""
    out: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.seg.start, h.start)):
        last = out[-1] if out else None
        if last is not None and last.seg is hit.seg and last.value is not None and hit.value is not None \
                and last.unit.get("quantity") == hit.unit.get("quantity") is not None \
                and last.unit["si"] > hit.unit["si"] and "offset" not in last.unit \
                and _JOINT.fullmatch(hit.seg.text[last.end:hit.start]):
            total = (last.value * last.unit["si"] + hit.value * hit.unit["si"]) / last.unit["si"]
            suggestion = f"rund {_round_nicely(total * last.unit['factor'])} {last.unit['metric']}"
            out[-1] = _Hit(hit.seg, last.start, hit.end, last.unit, total, hit.seg.text[last.start:hit.end],
                           suggestion, [suggestion])
            continue
        out.append(hit)
    return out
