"""A second alignment set whose gold is known by construction: professional news translations
(``DIR/precision/<set>/<doc>.{de,en}.txt``, line *i* of one file translating line *i* of the
other) with the German edited the way translation and editing change structure.

Both sides are split into sentences by mt-audit's own segmenter.  Where a line has as many
German as English sentences they are linked 1:1; otherwise which sentence translates which
is not known, and the line stays one unit on each side, linked 1:1.  Then, seeded and reproducible, the German sentence sequence is edited at the
rates of ``EDIT_RATES``: two neighbouring sentences merged into one, a sentence split in
two at a clause (a comma or semicolon near its middle), a sentence dropped, a sentence of
another document added, a short heading added above a paragraph.  The gold follows from
the edits (a merged sentence carries both links, a split one's pieces share theirs, an
added sentence or heading has none, a dropped sentence's English has none).

Two paths, as audits run: **model-free**, the German sentences against the English (what
an audit without a model aligns), and **translated**, an English stand-in for the
back-translation against the English: each German sentence's English counterpart, lightly
perturbed (words dropped and neighbours swapped, as a back-translation paraphrases), with
the same edits applied.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from .precision import precision_sets

# Share of sentences each edit is applied to (the rest are left as the translator wrote them).
EDIT_RATES = {"merge": 0.05, "split": 0.05, "drop": 0.02, "add": 0.02, "heading": 0.1}
SEED = 2026


@dataclass
class Unit:
    text: str          # the German sentence (model-free path)
    stand_in: str      # an English stand-in for its back-translation (translated path)
    links: frozenset   # indices of the English sentences it translates (empty: added text)


def _sentences(line: str, language: str) -> list[str]:
    from ..text.segment import segmenter

    return [line[a:b] for a, b in segmenter(language).spans(line)] or ([line.strip()] if line.strip() else [])


def _perturbed(text: str, rng: random.Random) -> str:
    """A back-translation-like paraphrase of ``text``: about one word in ten dropped, and
    one pair of neighbouring words swapped in longer sentences."""
    words = text.split()
    kept = [w for w in words if rng.random() > 0.1 or len(words) < 4] or words
    if len(kept) > 6:
        k = rng.randrange(len(kept) - 1)
        kept[k], kept[k + 1] = kept[k + 1], kept[k]
    return " ".join(kept)


def _split_at_clause(text: str) -> tuple[str, str] | None:
    marks = [m.end() for m in re.finditer(r"[,;]\s", text)]
    if not marks:
        return None
    middle = len(text) / 2
    cut = min(marks, key=lambda k: abs(k - middle))
    left, right = text[:cut].strip(), text[cut:].strip()
    return (left, right) if len(left) > 15 and len(right) > 15 else None


def _document(german_lines: list[str], english_lines: list[str], rng: random.Random,
              foreign: list[tuple[str, str]]) -> tuple[list[Unit], list[str]]:
    """The edited German units of one document and its English sentences; ``foreign``
    holds (German, English) lines of other documents, for added sentences and headings
    (the English one is the added text's stand-in on the translated path)."""
    units: list[Unit] = []
    english: list[str] = []
    for de_line, en_line in zip(german_lines, english_lines):
        de, en = _sentences(de_line, "de"), _sentences(en_line, "en")
        if not de or not en:
            continue
        first = len(english)
        english += en
        if len(de) != len(en):
            # which sentence translates which is not known inside the line: the line is
            # one unit on each side, and the link between them is exact
            de, en = [de_line.strip()], [en_line.strip()]
            english[first:] = en
        units += [Unit(d, _perturbed(e, rng), frozenset([first + k])) for k, (d, e) in enumerate(zip(de, en))]
    edited: list[Unit] = []
    paragraph_start = True
    k = 0
    while k < len(units):
        unit = units[k]
        roll = rng.random()
        if paragraph_start and rng.random() < EDIT_RATES["heading"] and foreign:
            de_line, en_line = rng.choice(foreign)
            edited.append(Unit(" ".join(de_line.split()[:5]).rstrip(".,;:"),
                               " ".join(en_line.split()[:5]).rstrip(".,;:"), frozenset()))
        paragraph_start = False
        if roll < EDIT_RATES["merge"] and k + 1 < len(units):
            nxt = units[k + 1]
            edited.append(Unit(f"{unit.text} {nxt.text}", f"{unit.stand_in} {nxt.stand_in}", unit.links | nxt.links))
            k += 2
            continue
        roll -= EDIT_RATES["merge"]
        if roll < EDIT_RATES["split"]:
            parts, stand_parts = _split_at_clause(unit.text), _split_at_clause(unit.stand_in)
            if parts and stand_parts:
                edited += [Unit(parts[0], stand_parts[0], unit.links), Unit(parts[1], stand_parts[1], unit.links)]
                k += 1
                continue
        roll -= EDIT_RATES["split"]
        if roll < EDIT_RATES["drop"]:
            k += 1
            continue
        roll -= EDIT_RATES["drop"]
        edited.append(unit)
        if roll < EDIT_RATES["add"] and foreign:
            de_line, en_line = rng.choice(foreign)
            edited.append(Unit(de_line.strip(), _perturbed(en_line.strip(), rng), frozenset()))
        k += 1
    return edited, english


def _gold(units: list[Unit]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Links: the German units that share English sentences, and those sentences."""
    links: list[tuple[list[int], set[int]]] = []
    for index, unit in enumerate(units):
        if not unit.links:
            continue
        if links and links[-1][1] & unit.links:
            links[-1][0].append(index)
            links[-1][1].update(unit.links)
        else:
            links.append(([index], set(unit.links)))
    return [(tuple(a), tuple(sorted(b))) for a, b in links]


def news_documents(directory: str | Path, seed: int = SEED) -> dict[str, list[dict]]:
    """Per precision set: documents with ``german``, ``stand_in``, ``english`` and ``gold``."""
    out: dict[str, list[dict]] = {}
    for name, pairs in precision_sets(directory):
        rng = random.Random(f"{seed}:{name}")
        lines = {german: (german.read_text(encoding="utf-8").splitlines(), source.read_text(encoding="utf-8").splitlines())
                 for german, source in pairs if source is not None}
        documents = []
        for german, (german_lines, english_lines) in lines.items():
            # added sentences and headings come from the other documents of the set
            foreign = [(de, en) for other, (de_rows, en_rows) in lines.items() if other != german
                       for de, en in zip(de_rows[:3], en_rows[:3]) if de.strip() and en.strip()]
            units, english = _document(german_lines, english_lines, rng, foreign)
            documents.append({"name": german.name, "german": [u.text for u in units],
                              "stand_in": [u.stand_in for u in units], "english": english, "gold": _gold(units)})
        out[name] = documents
    return out
