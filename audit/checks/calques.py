"""Calques and false friends of English-to-German MT: low severity, with a suggestion."""
from __future__ import annotations

from ..document import MINOR, Finding
from .patterns import DataPattern
from . import finding, german_prose

NAME = "calques"
DATA = "calques"
CONFIDENCE = 0.5  # a calque is a matter of style, often accepted


def run(doc, data) -> list[Finding]:
    out = []
    for entry in data.get("calque", []):
        pattern = DataPattern(entry["pattern"], "calques", ignorecase=True)
        for seg in german_prose(doc):
            for match in pattern.finditer(seg.text):
                out.append(finding(seg, match.start(), match.end(), category="fluency",
                                   severity=entry.get("severity", MINOR), check=NAME,
                                   message=f"'{match.group(0)}' reads like a calque of English "
                                           f"'{entry['english']}'.",
                                   suggestion=entry["suggestion"],
                                   replacements=_replacements(match, entry)))
    return out


def _replacements(match, entry) -> list[str]:
    """The entry's replacements for this match (``\\1`` is the pattern's first group; a
    glossary's references are checked when it loads), with the case of the match's first
    letter."""
    out = []
    for template in entry.get("replacements", []):
        text = match.expand(template)
        if text and match.group(0)[:1].isupper() and text[:1].islower():
            text = text[0].upper() + text[1:]
        out.append(text)
    return out
