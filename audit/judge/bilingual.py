"""A German-English dictionary for reading meaning across the two languages without a
translation model: which English words of a source sentence a German sentence renders,
and which German words render nothing of the source.

The dictionary is Ding's (``trans-de-en``, TU Chemnitz, GPL-2+, about 200,000 entries with
inflected forms on both sides), which Debian ships as ``/usr/share/trans/de-en``
(``apt-get install trans-de-en``; ``make install`` does it where apt is available).  Another
copy of the file is named with ``MT_AUDIT_DICTIONARY``; ``MT_AUDIT_DICTIONARY=none`` turns
it off.  Without it the checks that need it are left out and the audit says so once.

A Ding line is ``German :: English``; both sides hold the same number of sub-entries
separated by `` | `` (a headword, then its inflected forms and phrases), each a list of
synonyms separated by ``;``.  Every German word of a sub-entry is mapped to the content
words of the matching English sub-entry.  A German word the dictionary lacks is looked up
by its inflection stripped ("großen" -> "groß") and, for a compound, by its longest known
head ("Lieferkettengesetz" -> "gesetz"), and its first part where that is known too.

The parsed index is kept in the cache folder (``MT_AUDIT_CACHE_DIR``), rebuilt when the
dictionary file changes.
"""
from __future__ import annotations

import logging
import os
import pickle
import re
import stat
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_PATHS = (Path("/usr/share/trans/de-en"),)
ENV = "MT_AUDIT_DICTIONARY"
INDEX_VERSION = 2
# The largest dictionary file read (Ding is 25 MB).
MAX_DICTIONARY_BYTES = 256 * 1024 * 1024
# German compounds are split only into parts of at least this many letters ("Rat", "Amt").
MIN_PART = 3

_ANNOTATION = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|<[^>]*>")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# English words a dictionary sense carries beside its content ("to go", "sb.", "sth.").
_ENGLISH_SKIP = frozenset("""a an the to of and or in on at by for with from as be is are was were sb sth
sb's sth's one's oneself someone something somebody""".split())
_GERMAN_ENDINGS = ("ern", "en", "em", "er", "es", "e", "n", "s")


def english_key(word: str) -> str:
    """The form an English word is compared in: lower case, a plural or third-person "s",
    a possessive, a past "ed" and an "ing" taken off (``"reviews"`` and ``"reviewed"`` ->
    ``"review"``), so that the inflected forms of one word meet."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3].rstrip("e")[:7]
    if len(w) > 4 and w.endswith("ied"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith("ed"):
        return w[:-2].rstrip("e")[:7]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w.rstrip("e")[:7] if len(w) > 4 else w


@lru_cache(maxsize=200_000)
def english_keys(word: str) -> frozenset[str]:
    """``english_key`` of the word and of its lemma (simplemma), so that irregular forms meet
    too ("went" / "go", "children" / "child")."""
    try:
        import simplemma
    except ImportError:  # without the crosslingual extra: regular inflections only
        return frozenset({english_key(word)})
    lemma = simplemma.lemmatize(word.lower(), lang="en")
    return frozenset({english_key(word), english_key(lemma)})


class Dictionary:
    """German word (lower case) -> the English words (``english_key`` forms) it translates to."""

    def __init__(self, entries: dict[str, tuple[int, ...]], english: list[str], path: str):
        self.entries = entries
        self.english = english
        self.path = path

    def __contains__(self, german: str) -> bool:
        return german.lower() in self.entries

    def renders(self, german: str, english: str) -> bool:
        """Whether the dictionary gives ``english`` (in any inflected form) for ``german``."""
        return bool(english_keys(english) & self.translations(german))

    def translations(self, german: str) -> frozenset[str]:
        """English keys of a German word: its own entry, else its inflection stripped, else
        its compound parts' (the head, and the first part where it is known)."""
        return _translations(self, german.lower())


@lru_cache(maxsize=200_000)
def _translations(dictionary: Dictionary, word: str) -> frozenset[str]:
    ids = dictionary.entries.get(word)
    if ids is None:
        ids = _uninflected(dictionary, word)
    if ids is None and len(word) >= 2 * MIN_PART + 1:
        ids = _compound(dictionary, word)
    return frozenset(dictionary.english[i] for i in ids) if ids else frozenset()


def _uninflected(dictionary: Dictionary, word: str) -> tuple[int, ...] | None:
    for ending in _GERMAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            ids = dictionary.entries.get(word[: -len(ending)])
            if ids is not None:
                return ids
    return None


def _compound(dictionary: Dictionary, word: str) -> tuple[int, ...] | None:
    entries = dictionary.entries
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        head = word[cut:]
        ids = entries.get(head) or _uninflected(dictionary, head)
        if not ids:
            continue
        first = word[:cut]
        # linking elements: "Arbeit-s-markt", "Sonne-n-schein"
        for candidate in (first, first[:-1] if first[-1:] in "sn" else None, first[:-2] if first.endswith("en") else None):
            if candidate and len(candidate) >= 3 and candidate in entries:
                return ids + entries[candidate]
        return ids
    return None


def parse(lines) -> tuple[dict[str, tuple[int, ...]], list[str]]:
    """The index of Ding lines: German words -> English key ids, and the English keys."""
    vocabulary: dict[str, int] = {}
    mapping: dict[str, set[int]] = {}
    for line in lines:
        if line.startswith("#") or " :: " not in line:
            continue
        german, english = line.rstrip("\n").split(" :: ", 1)
        german_parts, english_parts = german.split(" | "), english.split(" | ")
        if len(german_parts) != len(english_parts):
            german_parts, english_parts = german_parts[:1], english_parts[:1]
        for de, en in zip(german_parts, english_parts):
            targets = set()
            for sense in _ANNOTATION.sub(" ", en).split(";"):
                words = [w for w in _WORD.findall(sense) if w.lower() not in _ENGLISH_SKIP]
                if 0 < len(words) <= 3:
                    targets.update(vocabulary.setdefault(k, len(vocabulary)) for w in words for k in english_keys(w))
            if not targets:
                continue
            for synonym in _ANNOTATION.sub(" ", de).split(";"):
                words = [w.lower() for w in _WORD.findall(synonym)]
                # single words and the content of short phrases ("sich verlassen auf")
                if len(words) == 1 or (len(words) <= 3 and words):
                    for w in words:
                        if len(w) > 2 or len(words) == 1:
                            mapping.setdefault(w, set()).update(targets)
    return {k: tuple(sorted(v)) for k, v in mapping.items()}, list(vocabulary)


def dictionary_path() -> Path | None:
    configured = os.environ.get(ENV, "")
    if configured.lower() == "none":
        return None
    if configured:
        return Path(configured)
    return next((p for p in DEFAULT_PATHS if p.is_file()), None)


def dictionary() -> Dictionary | None:
    """The dictionary, or None when it is turned off, not installed or unreadable."""
    from ..translate.cache import default_cache_dir

    path = dictionary_path()
    return None if path is None else _load(str(path), str(default_cache_dir()))


@lru_cache(maxsize=2)
def _load(name: str, cache_dir: str) -> Dictionary | None:
    from ..translate.cache import discard_damaged

    path = Path(name)
    try:
        info = path.stat()
    except OSError:
        log.warning("The German-English dictionary %s cannot be read; the checks that need it are left out.", path)
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_DICTIONARY_BYTES:
        log.warning("The German-English dictionary %s is not a regular file of at most %d MB; the checks that "
                    "need it are left out.", path, MAX_DICTIONARY_BYTES // (1024 * 1024))
        return None
    index = Path(cache_dir) / f"dictionary-{INDEX_VERSION}-{info.st_size}-{int(info.st_mtime)}.pickle"
    try:
        with index.open("rb") as handle:
            entries, english = pickle.load(handle)
        return Dictionary(entries, english, str(path))
    except FileNotFoundError:
        pass  # not built yet
    except Exception:  # damaged: a cache, so rebuilt
        discard_damaged(index, "dictionary index")
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            entries, english = parse(handle)
    except OSError:
        log.warning("The German-English dictionary %s cannot be read; the checks that need it are left out.", path)
        return None
    try:
        index.parent.mkdir(parents=True, exist_ok=True)
        temporary = index.with_name(f".{index.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump((entries, english), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, index)
    except OSError:
        pass  # a read-only cache folder: parsed again next time
    return Dictionary(entries, english, str(path))
