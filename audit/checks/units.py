"""Imperial units left in German copy, with the metric conversion as suggestion."""
from __future__ import annotations

import re

from ..document import MAJOR, MINOR, Finding
from ..numbers import parse_number
from . import finding, german_prose

NAME = "units"
DATA = "units"

_NUMBER_BEFORE = r"(?P<num>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?:\s|\u00a0)*(?P<scale>Millionen|Million|Tausend)?\s*"


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


def run(doc, data) -> list[Finding]:
    out = []
    vague = data.get("vague", {}).get("pattern")
    for unit in data.get("unit", []):
        word = re.compile(rf"(?<![\wÄÖÜäöüß-])(?:{unit['pattern']})(?![\wÄÖÜäöüß])")
        with_number = re.compile(_NUMBER_BEFORE + rf"(?:{unit['pattern']})$")
        with_vague = re.compile(rf"(?:{vague})\s*(?:{unit['pattern']})$") if vague else None
        unless = re.compile(unit["unless"]) if unit.get("unless") else None
        for seg in german_prose(doc):
            for match in word.finditer(seg.text):
                if unless and any(u.start() <= match.start() < u.end() for u in unless.finditer(seg.text)):
                    continue
                start, end = match.span()
                before = seg.text[max(0, start - 40):end]
                suggestion = f"in {unit['metric']} umrechnen"
                severity = MINOR
                num = with_number.search(before)
                vag = with_vague.search(before) if with_vague else None
                if num:
                    start = end - (len(before) - num.start())
                    value = parse_number(num.group("num"), "de")
                    if value is not None:
                        metric = value * unit["factor"] + unit.get("offset", 0.0)
                        scale = f" {num.group('scale')}" if num.group("scale") else ""
                        suggestion = f"rund {_round_nicely(metric)}{scale} {unit['metric']}"
                    severity = MAJOR
                elif vag:
                    start = end - (len(before) - vag.start())
                    suggestion = f"{vag.group(1)} {unit['metric']}"
                    severity = MAJOR
                elif unit.get("needs_quantity"):
                    continue
                out.append(finding(
                    seg, start, end, category="locale convention", severity=severity, check=NAME,
                    message=f"'{match.group()}' is an imperial unit; German readers expect {unit['metric']}.",
                    suggestion=suggestion))
    return out
