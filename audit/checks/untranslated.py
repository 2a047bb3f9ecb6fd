"""Untranslated English inside German sentences, found with a language
identifier (py3langid) over word windows; names and accepted anglicisms
(``data/anglicisms.toml``) are left out.  A window with a German letter (ä, ö, ü, ß) or
two common German words English does not use ("und", "nicht", "sich": far more frequent
in German than in English, by wordfreq) is German and is not asked about."""
from __future__ import annotations

import re

from ..document import MAJOR, MINOR, Finding
from ..text.segment import detect_languages, is_german_word
from . import finding, german_prose

NAME = "untranslated"
DATA = "anglicisms"
CONFIDENCE = 0.6  # English words are also borrowed on purpose

WINDOW = 4
# A window with this many common German words English does not use is German: not asked
# about.  (One is not enough: "sagte the situation is" is where an English run begins.)
GERMAN_WORDS = 2
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
    # every window of every segment, classified in one batch
    segments = [(seg, list(_WORD.finditer(seg.text))) for seg in german_prose(doc)]
    windows: list[tuple[int, int]] = []  # (segment, first word)
    texts: list[str] = []
    for number, (seg, words) in enumerate(segments):
        for i in range(max(0, len(words) - WINDOW + 1)):
            text = seg.text[words[i].start():words[i + WINDOW - 1].end()]
            if not _GERMAN_LETTERS.search(text) \
                    and sum(is_german_word(w.group()) for w in words[i:i + WINDOW]) < GERMAN_WORDS:
                windows.append((number, i))
                texts.append(text)
    english_at: dict[int, list[bool]] = {}
    for (number, i), (lang, prob) in zip(windows, detect_languages(texts)):
        if lang == "en" and prob >= 0.98:
            flags = english_at.setdefault(number, [False] * len(segments[number][1]))
            for k in range(i, i + WINDOW):
                flags[k] = True
    for number, english in sorted(english_at.items()):
        seg, words = segments[number]
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
