"""Structural evidence a translation can be checked on without a model, at its words.

* **Carried verbatim**: what no translation changes — @-mentions, URLs, e-mail addresses,
  bracketed speaker and anonymisation tags ("[PERSON8]", "(SPEAKER 2)", known by the start of
  their label and their number, in any case, spacing or bracket, since a translation may write
  "(Person 8)" or translate the label: "[PROJEKT8]") and hashtags (which a translator
  may translate, so only their number must match) — is compared between each German
  paragraph and the source sentences aligned to it; one the German lacks is a dropped piece of
  the source, reported at the German sentence that renders the source sentence holding it.
* **Repetition**: a run of words the German paragraph says twice where its source repeats no
  run of that length is a loop of the machine translation (an addition), reported at the
  second occurrence.

Both compare a paragraph with its own source, so that a tag or a phrase moved between the
sentences of a paragraph is no finding.
"""
from __future__ import annotations

import re
from collections import Counter

from ..document import MAJOR, MINOR, Document, Finding

# Verbatim tokens by kind; the order is the order of the message.
_PATTERNS = {
    "URL": re.compile(r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.I),
    "e-mail address": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "@-mention": re.compile(r"(?<![\w@.])@\w{2,}"),
    # a label of capitals and a number, as transcripts and anonymised text write speakers
    "tag": re.compile(r"[\[(][A-Z]{4,}[A-Z_ ]*\d+[\])]"),
}
# A tag as a translation may write it: any case, spaces inside, either bracket ("(Person 7)",
# "( PERSON7)", "[PERSON7]" all render "(PERSON7)").
_LENIENT_TAG = re.compile(r"[\[(]\s*([^\W\d_][^\W\d]*?)[\s_-]*(\d+)\s*[\])]")
_HASHTAG = re.compile(r"(?<![\w#&])#\w*[^\W\d_]\w*")
_WORD = re.compile(r"\w+")
# The shortest run of words that counts as repeated, and the share of it that must be
# letters (so that a repeated list of figures or a refrain of names is left alone).
REPEAT_WORDS = 4
REPEAT_MIN_CHARS = 16


def verbatim(text: str, lenient: bool = False) -> list[tuple[str, str, int]]:
    """(kind, token, offset) of every verbatim token of ``text``; ``lenient``: tags as a
    translation may write them."""
    out = []
    taken: list[tuple[int, int]] = []
    patterns = {**_PATTERNS, "tag": _LENIENT_TAG} if lenient else _PATTERNS
    for kind, pattern in patterns.items():
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # the mention inside an e-mail address, the path inside a URL
            taken.append((m.start(), m.end()))
            out.append((kind, m.group(0).rstrip(".,;:!?"), m.start()))
    return out


def _key(kind: str, token: str) -> str:
    if kind == "tag":
        # an anonymisation tag's label may be translated ("[PROJECT8]" / "[PROJEKT8]"): the
        # start of its label and its number name it
        label = re.search(r"[^\W\d_]+", token)
        number = re.search(r"\d+", token)
        return f"{label.group(0)[:2].lower() if label else ''}{number.group(0) if number else ''}"
    return token.lower()


def missing_verbatim(source: str, german: str) -> list[tuple[str, str]]:
    """(kind, token) of the source's verbatim tokens that the German lacks (each as often as
    the source has it more often), and the hashtags the German has fewer of."""
    have = Counter(_key(k, t) for k, t, _ in verbatim(german, lenient=True))
    out = []
    for kind, token, _ in verbatim(source):
        key = _key(kind, token)
        if have[key] > 0:
            have[key] -= 1
        else:
            out.append((kind, token))
    tags_source = _HASHTAG.findall(source)
    tags_german = {t.lower() for t in _HASHTAG.findall(german)}
    if len(_HASHTAG.findall(german)) < len(tags_source):
        lost = [t for t in tags_source if t.lower() not in tags_german]
        out += [("hashtag", t) for t in lost[:len(tags_source) - len(_HASHTAG.findall(german))]]
    return out


def repeated_run(text: str) -> tuple[int, int] | None:
    """The character span of the second occurrence of the longest run of at least
    ``REPEAT_WORDS`` words that ``text`` says twice (not overlapping), or None."""
    words = [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
    best = None
    for n in range(REPEAT_WORDS, len(words) // 2 + 1):
        seen: dict[tuple, int] = {}
        found = None
        for i in range(len(words) - n + 1):
            gram = tuple(w for w, _, _ in words[i:i + n])
            if gram in seen and seen[gram] + n <= i:
                found = (words[i][1], words[i + n - 1][2])
                break
            seen.setdefault(gram, i)
        if found is None:
            break
        a, b = found
        if sum(ch.isalpha() for ch in text[a:b]) >= REPEAT_MIN_CHARS:
            best = found
    return best


def _repeats(text: str, words: int) -> bool:
    """Whether ``text`` says some run of ``words`` words twice."""
    tokens = [m.group(0).lower() for m in _WORD.finditer(text)]
    seen = set()
    for i in range(len(tokens) - words + 1):
        gram = tuple(tokens[i:i + words])
        if gram in seen:
            return True
        seen.add(gram)
    return False


def structural_findings(doc: Document) -> list[Finding]:
    """The findings of both checks on a document with its source."""
    from .findings import paragraphs

    if doc.source_text is None:
        return []
    out: list[Finding] = []
    for unit in paragraphs(doc):
        german = doc.text[unit.german[0].start:unit.german[-1].end]
        for kind, token in missing_verbatim(unit.source, german):
            passage = next((p for p in unit.passages if token in p.source), unit.passages[0])
            a, b = passage.german[0].start, passage.german[-1].end
            out.append(Finding(segment_id=passage.german[0].id, start=a, end=b, text=doc.text[a:b],
                               category="omission", severity=MAJOR if kind != "hashtag" else MINOR,
                               check="source.carried",
                               message=f"The source's {kind} '{token}' is missing from the German.",
                               suggestion=f"carry '{token}' over as it stands" if kind != "hashtag"
                               else f"carry the hashtag '{token}' over (translated or as it stands)",
                               confidence=0.8 if kind != "hashtag" else 0.5))
        run = repeated_run(german)
        if run is not None and not _repeats(unit.source, REPEAT_WORDS - 1):
            a, b = unit.german[0].start + run[0], unit.german[0].start + run[1]
            seg = doc.segment_at(a) or unit.german[0]
            out.append(Finding(segment_id=seg.id, start=a, end=b, text=doc.text[a:b], category="addition",
                               severity=MAJOR, check="source.repetition",
                               message=f"The German says '{doc.text[a:b]}' twice in this paragraph; its source "
                                       "repeats nothing of that length.",
                               suggestion="delete the repetition", confidence=0.8))
    return out
