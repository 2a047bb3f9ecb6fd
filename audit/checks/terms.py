"""Loaded or historically charged terms, with why they matter and alternatives."""
from __future__ import annotations

from ..document import Finding
from .patterns import DataPattern
from . import finding, german_prose

NAME = "terms"
DATA = "terms"
CONFIDENCE = 0.8  # the terms are loaded in German whatever the context


def run(doc, data) -> list[Finding]:
    out = []
    for term in data.get("term", []):
        pattern = DataPattern(rf"(?<![\wÄÖÜäöüß])(?:{term['pattern']})(?![\wÄÖÜäöüß])", "terms",
                              ignorecase=True)
        for seg in german_prose(doc):
            for match in pattern.finditer(seg.text):
                out.append(finding(
                    seg, match.start(), match.end(), category="terminology", severity=term["severity"],
                    check=NAME, message=f"'{match.group()}': {term['why']}.",
                    suggestion=" / ".join(term.get("alternatives", [])),
                    replacements=_forms(match.group(), term, at_start=not seg.text[:match.start()].strip())))
    return out


def _forms(word: str, term: dict, at_start: bool) -> list[str]:
    """The replacements the term's data gives for the form as written (none for a compound
    or a form the data does not list: the editor rewrites it), capitalised at a sentence's
    start."""
    forms = term.get("forms", {}).get(word.lower(), [])
    return [f[0].upper() + f[1:] if at_start else f for f in forms]
