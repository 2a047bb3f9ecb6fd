"""Names: one spelling per document, and German transliterations.

Consistency: a hyphenated form ("Kim Jong-un") and the same words spaced
("Kim Jong Un") are variants of one name; every occurrence of the rarer
variant is flagged with the other's count and first position.
Transliteration: English spellings of names German news writes differently,
from ``data/names.toml``.
"""
from __future__ import annotations

import re
from collections import defaultdict

from ..document import MAJOR, MINOR, Finding
from . import finding, german_prose

NAME = "names"
DATA = "names"
CONFIDENCE = 0.7  # a name may be quoted in its English form on purpose

_HYPHENATED = re.compile(r"(?<![\w-])([A-ZÄÖÜ][\wäöüß]*)((?:-[A-Za-zÄÖÜäöüß][\wäöüß]*)+)(?![\w-])")
_WORD = re.compile(r"(?<![\w-])[\wäöüßÄÖÜ]+(?![\w-])")
_CAPITALISED_BEFORE = re.compile(r"([A-ZÄÖÜ][\wäöüß]+)\s+$")


def run(doc, data) -> list[Finding]:
    return _consistency(doc) + _transliterations(doc, data)


def _consistency(doc) -> list[Finding]:
    segs = list(german_prose(doc))
    variants: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for seg in segs:
        for match in _HYPHENATED.finditer(seg.text):
            parts = match.group(0).split("-")
            variants[" ".join(p.lower() for p in parts)][match.group(0)].append((seg, match.start(), match.end()))
    lengths = {len(key.split()) for key in variants}
    for seg in segs:
        words = list(_WORD.finditer(seg.text))
        for n in lengths:
            for i in range(len(words) - n + 1):
                run = words[i:i + n]
                if any(not seg.text[a.end():b.start()].isspace() for a, b in zip(run, run[1:])):
                    continue
                key = " ".join(w.group().lower() for w in run)
                if key in variants:
                    a, b = run[0].start(), run[-1].end()
                    variants[key][seg.text[a:b]].append((seg, a, b))
    out = []
    for forms in variants.values():
        unique = {form: sorted(set((s.id, a, b) for s, a, b in hits), key=lambda h: (int(h[0][1:]), h[1]))
                  for form, hits in forms.items()}
        if len(unique) < 2:
            continue
        segments = {s.id: s for hits in forms.values() for s, _, _ in hits}
        ranked = sorted(unique.items(), key=lambda kv: (-len(kv[1]), int(kv[1][0][0][1:]), kv[1][0][1]))
        main_form, main_hits = ranked[0]
        for form, hits in ranked[1:]:
            for seg_id, a, b in hits:
                seg = segments[seg_id]
                a, label = _with_given_name(seg.text, a, form)
                main_label = _label(segments[main_hits[0][0]].text, main_hits[0][1], main_form)
                out.append(finding(
                    seg, a, b, category="consistency", severity=MINOR, check=NAME,
                    message=(f"'{label}' is spelled '{main_label}' elsewhere ({len(main_hits)}×, first in "
                             f"{main_hits[0][0]}); pick one spelling."),
                    suggestion=main_label, replacements=[main_label]))
    return out


def _with_given_name(text: str, start: int, form: str) -> tuple[int, str]:
    """Include a capitalised word before the variant ("Kim" of "Kim Jong Un") in the span."""
    before = _CAPITALISED_BEFORE.search(text[:start])
    if before and len(form.split()) + len(form.split("-")) <= 5:
        return before.start(1), text[before.start(1):start] + form
    return start, form


def _label(text: str, start: int, form: str) -> str:
    return _with_given_name(text, start, form)[1]


def _transliterations(doc, data) -> list[Finding]:
    out = []
    by_spelling: dict[str, dict] = {}
    for entry in data.get("name", []):
        for spelling in entry["english"]:
            by_spelling.setdefault(spelling, entry)
    if not by_spelling:
        return out
    # one pass over the text for all names; longer spellings first, so that a name is
    # matched whole ("Budanova", not "Budanov" and an "a")
    spellings = "|".join(re.escape(s) for s in sorted(by_spelling, key=lambda s: (-len(s), s)))
    pattern = re.compile(rf"(?<![\w-])({spellings})(s|')?(?![\w])")
    for seg in german_prose(doc):
        for match in pattern.finditer(seg.text):
            entry = by_spelling[match.group(1)]
            out.append(finding(
                seg, match.start(1), match.end(1), category="named entity", severity=MAJOR
                if entry.get("severity") == "major" else MINOR, check=NAME,
                message=f"'{match.group(1)}' is the English transliteration; German news writes "
                        f"'{entry['german']}'.",
                suggestion=entry["german"] + (match.group(2) or ""), replacements=[entry["german"]]))
    return out
