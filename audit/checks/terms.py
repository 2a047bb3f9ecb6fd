"""Loaded or historically charged terms, with why they matter and alternatives."""
from __future__ import annotations

from ..document import Finding
from ..patterns import DataPattern
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
                    replacements=_forms(match.group(), term)))
    return out


def _forms(word: str, term: dict) -> list[str]:
    """The replacements the term's data gives for the form as written, capitalised as it is
    (none for a compound or a form the data does not list: the editor rewrites it)."""
    forms = term.get("forms", {}).get(word.lower(), [])
    return [f[0].upper() + f[1:] if word[:1].isupper() else f for f in forms]
