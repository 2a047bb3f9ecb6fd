"""Sentence segmentation: pysbd's rules plus what German news copy needs.

pysbd does the heavy lifting; the repairs below are data-driven (abbreviations and
month names in ``data/segmentation.toml``) and cover the traps of news copy:
ordinal dates ("am 2. Oktober"), a quotation followed by ", sagte X.", a
parenthesised sentence, abbreviations, and a missing space after a full stop
("steht.„All dies").
"""
from __future__ import annotations

import os
import re
from functools import lru_cache

import pysbd

from ..resources import load_data

_OPENERS = "„‚«»\"“(["
# A full stop glued to the next sentence: a word of 3+ lowercase letters, a sentence
# mark, then an opening quote or a capitalised word.  "z.B." and "ForeignPolicy.com"
# do not match.
_GLUED = re.compile(r"(?<=[a-zäöüß]{3}[.!?])(?=[„\"“»]?[A-ZÄÖÜ][a-zäöüß])")
_TERMINAL = re.compile(r"[.!?…:;][\"'“”»«)\]*]*$")
_ORDINAL_END = re.compile(r"(?:^|\s)\d{1,2}\.$")
# The rest of a sentence: a comma or closing bracket, a dash before a lowercase word
# ("– sagte er"), or a lowercase word.  A dash before a capital opens dialogue.
_SPEECH_CONTINUATION = re.compile(r"^[,;:)\]]|^[–—-]\s*[a-zäöüß]|^[a-zäöüß]")
# A straight quote followed by a space at the start of a piece closes the previous one.
_LEADING_CLOSER = re.compile(r'(?:"|“(?![A-ZÄÖÜa-zäöüß]))(?=\s|$)')


# Characters given to pysbd at once (see ``Segmenter.spans``).
WINDOW = 2000
# Where a long paragraph may be cut for pysbd: a word of 3+ lowercase letters, a sentence
# mark, whitespace, then an opening quote or a capital (no abbreviation ends like that).
_WINDOW_BREAK = re.compile(r"(?<=[a-zäöüß]{3}[.!?])\s+(?=[„\"“»]?[A-ZÄÖÜ])")


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` as consecutive spans of at most two windows each, cut after a
    sentence end where there is one, else at a space, else anywhere."""
    out, pos = [], start
    while end - pos > 2 * WINDOW:
        limit = pos + 2 * WINDOW
        found = _WINDOW_BREAK.search(text, pos + WINDOW, limit)
        if found:
            cut = found.end()
        else:
            space = max(text.rfind(" ", pos + WINDOW, limit), text.rfind("\n", pos + WINDOW, limit))
            cut = space + 1 if space > pos else limit
        out.append((pos, cut))
        pos = cut
    out.append((pos, end))
    return out


class _SpanningSegmenter(pysbd.Segmenter):
    """pysbd with its sentence spans found by ``str.find`` from the previous sentence on.
    pysbd compiles a regular expression per sentence and searches the whole text from its
    start for each one, which is quadratic in a long text and thrashes the ``re`` cache;
    the spans are the same (a sentence, the whitespace after it, the first occurrence
    that ends past the previous one)."""

    def sentences_with_char_spans(self, sentences):
        from pysbd.utils import TextSpan

        text = self.original_text
        spans, prior_start, prior_end = [], 0, 0
        for sentence in sentences:
            if not sentence:
                continue
            at = text.find(sentence, prior_start)
            while at != -1:
                end = at + len(sentence)
                while end < len(text) and text[end].isspace():
                    end += 1
                if end > prior_end:
                    spans.append(TextSpan(text[at:end], at, end))
                    prior_start, prior_end = at, end
                    break
                at = text.find(sentence, at + 1)
        return spans


class Segmenter:
    """Split text into sentences; returns character spans into the text."""

    def __init__(self, language: str = "de"):
        self.language = language
        data = load_data("segmentation")
        self.abbreviations = tuple(data["abbreviations"].get(language, []))
        self.months = tuple(data["months"].get(language, []))
        words = data.get("not_abbreviations", {}).get(language, [])
        self._word_end = (re.compile(r"(?<![\w.])(?:%s)\.(?=\s+[„\"“»]?[A-ZÄÖÜ])" % "|".join(map(re.escape, words)))
                          if words else None)
        self._pysbd = _SpanningSegmenter(language=language, clean=False, char_span=True)

    def spans(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Sentence spans (absolute offsets, whitespace trimmed) of ``text[start:end]``.

        pysbd's abbreviation pass is quadratic in the length of what it is given, so a long
        paragraph is given to it in windows of a few thousand characters, cut where one
        sentence plainly ends and the next begins; a "sentence" longer than two windows (no
        such end in it) is cut at a space."""
        end = len(text) if end is None else end
        if end - start > 2 * WINDOW:
            return [span for a, b in _windows(text, start, end) for span in self._spans(text, a, b)]
        return self._spans(text, start, end)

    def _spans(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        chunk = text[start:end]
        if not chunk.strip():
            return []
        raw = []
        for piece in self._pysbd.segment(chunk):
            raw.extend(_trimmed(chunk, piece.start, piece.end))
        if not raw:
            raw = _trimmed(chunk, 0, len(chunk))
        raw = self._cover(chunk, raw)
        raw = self._reattach_closers(chunk, raw)
        raw = self._split_glued(chunk, raw)
        raw = self._split_words(chunk, raw)
        raw = self._merge(chunk, raw)
        return [(start + a, start + b) for a, b in raw]

    @staticmethod
    def _cover(chunk: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Make the spans contiguous so no character is lost between them."""
        out: list[tuple[int, int]] = []
        pos = 0
        for a, b in sorted(spans):
            a = max(a, pos)
            if b <= a:
                continue
            gap = chunk[pos:a]
            if gap.strip():
                if out:
                    out[-1] = (out[-1][0], a)
                else:
                    a = pos
            out.append((a, b))
            pos = b
        tail = chunk[pos:]
        if tail.strip():
            if out:
                out[-1] = (out[-1][0], len(chunk.rstrip()))
            else:
                out.append(_trimmed(chunk, pos, len(chunk))[0])
        return [span for a, b in out for span in _trimmed(chunk, a, b)]

    @staticmethod
    def _reattach_closers(chunk: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """A closing quote that the library put at the start of the next sentence goes
        back to the sentence it closes."""
        out: list[tuple[int, int]] = []
        for a, b in spans:
            closer = _LEADING_CLOSER.match(chunk, a)
            if out and closer:
                out[-1] = (out[-1][0], closer.end())
                rest = _trimmed(chunk, closer.end(), b)
                out.extend(rest)
                continue
            out.append((a, b))
        return out

    @staticmethod
    def _cut(chunk: str, spans: list[tuple[int, int]], pattern: re.Pattern | None, at_end: bool
             ) -> list[tuple[int, int]]:
        if pattern is None:
            return spans
        out = []
        for a, b in spans:
            cuts = [m.end() if at_end else m.start() for m in pattern.finditer(chunk, a, b)]
            bounds = [a, *(c for c in cuts if a < c < b), b]
            for x, y in zip(bounds, bounds[1:]):
                out.extend(_trimmed(chunk, x, y))
        return out

    @classmethod
    def _split_glued(cls, chunk: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return cls._cut(chunk, spans, _GLUED, at_end=False)

    def _split_words(self, chunk: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Split after words the library mistakes for abbreviations ("mag." for "Mag.")."""
        return self._cut(chunk, spans, self._word_end, at_end=True)

    def _merge(self, chunk: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for a, b in spans:
            if out and self._continues(chunk[out[-1][0]:out[-1][1]], chunk[a:b], chunk[out[-1][1]:a]):
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
        return out

    def _continues(self, previous: str, current: str, between: str = " ") -> bool:
        """Whether ``current`` is not a sentence of its own but the rest of ``previous``."""
        prev = previous.rstrip()
        if _SPEECH_CONTINUATION.match(current):
            return True
        if prev.count("(") > prev.count(")"):
            return True
        if _ORDINAL_END.search(prev) and current.startswith(self.months):
            return True
        if not _TERMINAL.search(prev) and "\n" not in between:
            return True  # "Am | 23. und | 24. Mai …": a piece with no sentence mark goes on
        if re.search(r"\d\.$", prev) and re.match(r"\d", current):
            return True  # "3. 10. 2024"
        return any(prev.endswith(" " + abbr) or prev == abbr for abbr in self.abbreviations)


def _trimmed(text: str, a: int, b: int) -> list[tuple[int, int]]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return [(a, b)] if b > a else []


@lru_cache(maxsize=None)
def segmenter(language: str = "de") -> Segmenter:
    return Segmenter(language)


# A quoted span, German („…“), English (“…”, "…") or French-style (»…«, «…»); an
# unclosed quotation runs to the end of the sentence.
_QUOTED = re.compile(r'„[^“”"]*[“”"]?|“[^”]*”?|"[^"]*"?|»[^«]*«?|«[^»]*»?')


def _is_quote(sentence: str) -> bool:
    """A sentence that is (mostly) direct speech: a quoted span of five or more words."""
    return any(len(m.group().split()) >= 5 for m in _QUOTED.finditer(sentence))


# A lowercase word at least this common in German (Zipf scale) and this much more common in
# German than in English is a German word ("und" 7.4 / 3.9, "nicht" 7.0 / 2.9; not "die",
# "im", "hat" or "in", which English uses).
GERMAN_ZIPF = 5.0
GERMAN_OVER_ENGLISH = 2.5
@lru_cache(maxsize=65536)
def is_german_word(word: str) -> bool:
    """A common German word that English does not use (by wordfreq's frequencies)."""
    if not word.islower():
        return False  # a name or an acronym ("MIT") says nothing about the language
    from wordfreq import zipf_frequency

    german = zipf_frequency(word, "de")
    return german >= GERMAN_ZIPF and german - zipf_frequency(word, "en") >= GERMAN_OVER_ENGLISH


def detect_language(text: str) -> tuple[str, float]:
    """Language of a paragraph with py3langid, restricted to the languages that matter."""
    lang, prob = _identifier().classify(text)
    return lang, float(prob)


def detect_languages(texts: list[str], chunk: int = 4096) -> list[tuple[str, float]]:
    """``detect_language`` for many short texts at once (the word windows of the
    untranslated check): each text's byte n-grams are counted by py3langid's own automaton
    as in ``classify``, and the naive-Bayes scores of all texts are one matrix product
    instead of one small product per text.  The answers are ``classify``'s (tested)."""
    import numpy as np
    from py3langid.langid import visit_counts

    identifier = _identifier()
    out: list[tuple[str, float]] = []
    table, prior = identifier.nb_ptc, identifier.nb_pc
    for begin in range(0, len(texts), chunk):
        part = texts[begin:begin + chunk]
        rows, features, counts, lengths = [], [], [], []
        for row, text in enumerate(part):
            data = identifier._encode(text)
            lengths.append(len(data) or 1)
            visits = visit_counts(identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, data)
            if visits:
                rows.extend([row] * len(visits))
                features.extend(visits.keys())
                counts.extend(visits.values())
        scores = np.zeros((len(part), table.shape[1]), dtype=np.float32)  # no feature: uniform
        if rows:
            # sum of log(1 + count) * the feature's row of the table, per text
            row_ids = np.asarray(rows)
            terms = np.log1p(np.asarray(counts, dtype=np.float32))[:, None] * table[np.asarray(features)]
            starts = np.flatnonzero(np.r_[True, row_ids[1:] != row_ids[:-1]])
            scores[row_ids[starts]] = np.add.reduceat(terms, starts, axis=0) + prior
        scores *= (1.0 / np.sqrt(np.asarray(lengths, dtype=np.float32)))[:, None]
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
        for first, dupe in identifier._alias_pairs:
            scores[:, first] += scores[:, dupe]
            scores[:, dupe] = 0.0
        best = scores.argmax(axis=1)
        out.extend((identifier.nb_classes[i], float(scores[row, i])) for row, i in enumerate(best))
    return out


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import LanguageIdentifier

    ptc, pc, classes, nextmove, row, output = _langid_model()
    identifier = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)
    identifier.set_languages(["de", "en", "fr", "es", "it", "nl"])
    return identifier


def _langid_model() -> tuple:
    """py3langid's model as its loader returns it.  The package ships it LZMA-compressed,
    which takes about a second to unpack in every process (every `mt-audit check`, every
    worker of `batch`); it is unpacked once into the cache folder and read from there."""
    from array import array
    from importlib.metadata import version

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    from ..translate.cache import default_cache_dir, discard_damaged

    packed = MODEL_DIR / MODEL_FILE
    info = packed.stat()
    unpacked = default_cache_dir() / f"py3langid-{version('py3langid')}-{info.st_size}-{int(info.st_mtime)}.npz"
    try:
        with np.load(unpacked, allow_pickle=False) as data:
            tables = []
            for name in ("nextmove", "row"):
                table = array(str(data[f"{name}_type"]))
                table.frombytes(memoryview(data[name]))
                tables.append(table)
            return (data["ptc"], data["pc"], data["classes"].tolist(), tables[0], tables[1],
                    data["output"].tolist())
    except FileNotFoundError:
        pass  # not unpacked yet
    except Exception:  # truncated, empty, not an npz: a cache, so rebuilt
        discard_damaged(unpacked, "language-identifier model")
    ptc, pc, classes, nextmove, row, output = load_model(packed)
    try:
        unpacked.parent.mkdir(parents=True, exist_ok=True)
        temporary = unpacked.with_name(f".{unpacked.name}.{os.getpid()}.tmp.npz")
        np.savez(temporary, ptc=ptc, pc=pc, classes=np.array(classes), output=np.array(output),
                 nextmove=np.frombuffer(nextmove, dtype=np.uint8), nextmove_type=nextmove.typecode,
                 row=np.frombuffer(row, dtype=np.uint8), row_type=row.typecode)
        os.replace(temporary, unpacked)
    except OSError:
        pass  # a read-only cache folder: unpacked again next time
    return ptc, pc, classes, nextmove, row, output


def segment_document(doc) -> None:
    """Fill ``doc.segments`` from ``doc.paragraphs``: sentences with kinds and language."""
    from ..document import BODY, BOILERPLATE, HEADLINE, QUOTE, Segment

    german = segmenter("de")
    english = segmenter("en")
    segments = []
    for para in doc.paragraphs:
        content = doc.text[para.start:para.end]
        if para.kind != BOILERPLATE and len(content.split()) >= 6:
            lang, prob = detect_language(content)
            if lang == "en" and prob >= 0.9:
                para.language = "en"
        if para.kind == HEADLINE:
            spans = _trimmed(doc.text, para.start, para.end)
        else:
            seg = english if para.language == "en" else german
            spans = seg.spans(doc.text, para.start, para.end)
        for a, b in spans:
            text = doc.text[a:b]
            kind = para.kind
            if kind == BODY and _is_quote(text):
                kind = QUOTE
            segments.append(Segment(id=f"s{len(segments) + 1}", paragraph=para.index, kind=kind,
                                    start=a, end=b, text=text, language=para.language))
    doc.segments = segments
    if any(p.language == "en" for p in doc.paragraphs):
        count = sum(1 for p in doc.paragraphs if p.language == "en")
        doc.warnings.append(f"{count} paragraph(s) are in English, not German: they look untranslated.")
    prose = [s for s in segments if s.is_prose]
    if prose and sum(len(s.text) for s in prose if s.language == "en") > 0.6 * sum(len(s.text) for s in prose):
        doc.warnings.append("Most of the input is English, not German: was the source given as the "
                            "German file?")


def segment_source(text: str) -> list:
    """English source sentences (no kinds: the source is compared, not audited); separators
    and other lines with no word or number ("* * *") are not sentences and are left out."""
    from ..document import SourceSegment
    from .lexicon import is_noise

    english = segmenter("en")
    out = []
    for a, b in paragraphs(text):
        line = text[a:b]
        marker = re.match(r"^\s*(?:#{1,6}\s+|>\s?|[-*•]\s+)", line)
        a += marker.end() if marker else 0
        for x, y in english.spans(text, a, b):
            if is_noise(text[x:y]):
                continue
            out.append(SourceSegment(id=f"e{len(out) + 1}", start=x, end=y, text=text[x:y]))
    return out


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Line-based paragraph spans, trimmed, with list and heading markers kept."""
    spans = []
    for match in re.finditer(r"[^\r\n]+", text):
        a, b = match.span()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
    return spans
