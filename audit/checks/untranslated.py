"""Untranslated English inside German sentences, found with a language
identifier (py3langid) over word windows; names and accepted anglicisms
(``data/anglicisms.toml``) are left out."""
from __future__ import annotations

import re

from ..document import MAJOR, MINOR, Finding
from ..segment import detect_language
from . import finding, german_prose

NAME = "untranslated"
DATA = "anglicisms"
CONFIDENCE = 0.6  # English words are also borrowed on purpose

WINDOW = 4
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß'’-]+")
_GERMAN_LETTERS = re.compile(r"[äöüßÄÖÜ]")


def run(doc, data) -> list[Finding]:
    accepted = {w.lower() for w in data.get("words", [])}
    out = []
    for seg in doc.segments:
        if seg.is_prose and seg.language == "en":
            out.append(finding(seg, 0, len(seg.text), category="untranslated", severity=MAJOR, check=NAME,
                               confidence=0.9, message="This passage is English, not German: it was left untranslated.",
                               suggestion="translate the passage"))
    for seg in german_prose(doc):
        words = list(_WORD.finditer(seg.text))
        english = [False] * len(words)
        for i in range(max(0, len(words) - WINDOW + 1)):
            window = words[i:i + WINDOW]
            text = seg.text[window[0].start():window[-1].end()]
            if _GERMAN_LETTERS.search(text):
                continue
            lang, prob = detect_language(text)
            if lang == "en" and prob >= 0.98:
                for k in range(i, i + WINDOW):
                    english[k] = True
        for run_start, run_end in _runs(english):
            run = words[run_start:run_end]
            candidates = [w.group() for w in run]
            content = [w for w in candidates if w.lower() not in accepted and not w[0].isupper()]
            if len(content) < 2:
                continue  # names (capitalised) and accepted anglicisms
            a, b = run[0].start(), run[-1].end()
            out.append(finding(seg, a, b, category="untranslated", severity=MINOR, check=NAME,
                               message=f"'{seg.text[a:b]}' looks like untranslated English.",
                               suggestion="translate, or mark as a quotation if intended"))
    return out


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    return runs
