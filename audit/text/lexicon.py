"""Word lists that several stages share: negation words, content words; and what counts as
text with no word at all."""
from __future__ import annotations

import re
from functools import lru_cache

from ..resources import load_data

_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+(?:n't)?|n't")
_LETTERS_OR_DIGIT = re.compile(r"[^\W\d_]{2,}|\d")


def is_noise(text: str) -> bool:
    """True for text with no digit and no run of two letters ("* * *", "h * \"", ".:-- , .",
    "- _-"): separators, OCR debris and stray punctuation, which nothing translates."""
    return not _LETTERS_OR_DIGIT.search(text)


def _word_alternation(words: list[str]) -> str:
    """Whole words of a data list as a regular expression; a trailing * matches any ending."""
    parts = []
    for word in words:
        if word == "n't":
            parts.append(r"n['’]t\b")  # typographic apostrophes as well ("didn’t")
        elif word.endswith("*"):
            parts.append(rf"\b{re.escape(word[:-1])}\w*")
        else:
            parts.append(rf"\b{re.escape(word)}\b")
    return "|".join(parts)


@lru_cache(maxsize=None)
def _negation_pattern(language: str) -> re.Pattern:
    return re.compile(_word_alternation(load_data("negation")[language]), re.IGNORECASE)


@lru_cache(maxsize=None)
def _not_negating_pattern(language: str) -> re.Pattern:
    patterns = load_data("negation")["not_negating"][language]
    # each pattern's "inert" group gets its own name so that the alternation compiles
    named = [p.replace("(?P<inert>", f"(?P<inert{i}>") for i, p in enumerate(patterns)]
    return re.compile("|".join(f"(?:{p})" for p in named), re.IGNORECASE)


_REPEAT_GAP = re.compile(r"[\s,.;:!?…–—-]{1,4}")


def negations(text: str, language: str) -> list[re.Match]:
    """The negation words of ``text`` that negate a statement, not those inside a
    construction that negates nothing ("whether or not", "No 10", "no doubt").  Both
    members of a correlative pair count, on both sides: "neither ... nor" as "weder ...
    noch" (or "nicht ... und nicht")."""
    inert = [_inert_span(m) for m in _not_negating_pattern(language).finditer(text)]
    out: list[re.Match] = []
    for match in _negation_pattern(language).finditer(text):
        if any(a <= match.start() < b for a, b in inert):
            continue
        if out and out[-1].group(0).lower() == match.group(0).lower() \
                and _REPEAT_GAP.fullmatch(text[out[-1].end():match.start()]):
            continue  # said twice in a row, as speech does ("no, no problem"): one negation
        out.append(match)
    if language == "de":
        weder = [m.start() for m in out if m.group(0).lower() == "weder"]
        if weder:
            out += [m for m in re.finditer(r"\bnoch\b", text, re.IGNORECASE) if m.start() > weder[0]]
            out.sort(key=lambda m: m.start())
    return out


def _inert_span(match: re.Match) -> tuple[int, int]:
    """The part of a not-negating construction that is inert: its group "inert" where
    it has one ("whether ... or not": only "or not"), else all of it."""
    for name in match.re.groupindex:
        if name.startswith("inert") and match.start(name) >= 0:
            return match.span(name)
    return match.span()


@lru_cache(maxsize=None)
def _lexical_pattern(language: str) -> re.Pattern:
    return re.compile(_word_alternation(load_data("negation")["lexical"][language]), re.IGNORECASE)


def lexical_negation_matches(text: str, language: str) -> list[re.Match]:
    """Words that say "not" with their meaning ("fehlen", "verweigern", "statt"; "lack",
    "refuse", "instead"), with where each stands: they may carry a negation of the other side."""
    return list(_lexical_pattern(language).finditer(text))


def affix_bases(text: str, english_negated: list[str] = ()) -> list[str]:
    """German words that an "un-" may have been cut from: their "un" form is a common
    German word ("sicher" / "unsicher", "Klarheit" / "Unklarheit"; ``[affix_base]``), or
    they are the international word an English negated word was made from
    ("deklarierten" for "undeclared", "autorisierten" for "unauthorised")."""
    rules = load_data("negation")["affix_base"]
    prefix, floor, excluded = rules["prefix"], rules["min_zipf"], set(rules["not_bases"])
    stems = [_cognate_key(b) for b in (english_base(w) for w in english_negated) if len(b) >= 5]
    out = []
    for word in unnegated_words(text):
        lower = word.lower()
        if lower in excluded:
            continue
        key = _cognate_key(lower)
        if _zipf(prefix + lower) >= floor or any(_cognate(stem, key) for stem in stems):
            out.append(word)
    return out


def unnegated_words(text: str) -> list[str]:
    """The German words of ``text`` (four letters or more) that are not negated already:
    not "un"-words (``[affix_base] prefix``) and not right after a negation word ("nicht
    bemerkt" says "unbemerkt" already) -- the words an "un-" may have been cut from."""
    prefix = load_data("negation")["affix_base"]["prefix"]
    negated = {m.end() for m in negations(text, "de")}
    return [m.group(0) for m in re.finditer(r"[^\W\d_]{4,}", text)
            if not m.group(0).lower().startswith(prefix) and not any(0 < m.start() - end <= 2 for end in negated)]


def english_base(word: str) -> str:
    """"undeclared" -> "declared", "irreversible" -> "reversible", "flightless" -> "flight"."""
    lower = word.lower()
    for suffix in ("lessness", "lessly", "less"):
        if lower.endswith(suffix):
            return lower[: -len(suffix)]
    for prefix in ("non-", "non", "un", "in", "im", "il", "ir"):
        if lower.startswith(prefix):
            return lower[len(prefix):]
    return lower


def _cognate_key(word: str) -> str:
    """A spelling that English and German forms of an international word share
    ("declared" / "deklariert" -> "deklar…", "authorised" / "autorisiert" -> "autoris…")."""
    key = word.lower()
    for old, new in (("th", "t"), ("ph", "f"), ("c", "k"), ("z", "s"), ("y", "i"), ("ä", "a"), ("ö", "o"),
                     ("ü", "u"), ("ß", "ss")):
        key = key.replace(old, new)
    return key


def cognate(german: str, english: str) -> bool:
    """Whether two words are one international word ("deklarierten" / "declared")."""
    return _cognate(_cognate_key(german), _cognate_key(english))


def _cognate(a: str, b: str) -> bool:
    """Two keys share their first six letters, or five letters when one of them is that short."""
    n = min(6, len(a), len(b))
    return n >= 5 and a[:n] == b[:n]


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "de")


@lru_cache(maxsize=None)
def _affix_pattern(language: str) -> re.Pattern:
    rules = load_data("negation")["affix"][language]
    letters = r"[^\W\d_]"

    def alternatives(items) -> str:
        return "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True)) or r"(?!)"

    not_negated = rf"(?:{alternatives(rules['not_negated'])})\b"
    parts = [
        rf"\b(?!(?:{alternatives(rules['not_prefixed'])})|{not_negated})(?:{alternatives(rules['prefixes'])}){letters}{{4,}}",
        rf"\b(?!{not_negated})(?P<stem>{letters}{{3,}}?)(?:{alternatives(rules['suffixes'])})"
        + (rf"(?!s){letters}*" if rules.get("suffix_inside_compounds") else r"\b"),
        rf"\b(?:{alternatives(rules['words'])}){letters}*",
    ]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def negative_affixes(text: str, language: str) -> list[str]:
    """Words negated by an affix ("uncertain", "jobless"; "unsicher", "arbeitslos").  In
    German a suffix inside a compound counts only after a word ("Arbeit-s-los",
    "hoffnungs-los"; not "Philosoph" or "geschlossen")."""
    return [m.group(0) for m in negative_affix_matches(text, language)]


def negative_affix_matches(text: str, language: str) -> list[re.Match]:
    """``negative_affixes`` with where each word stands."""
    out = []
    for m in _affix_pattern(language).finditer(text):
        stem = m.group("stem")
        if language == "de" and stem is not None and not _is_word_stem(stem.lower()):
            continue
        out.append(m)
    return out


def _is_word_stem(stem: str) -> bool:
    """True when ``stem`` (perhaps with a linking "s" or "n") is a German word."""
    candidates = {stem, stem[:-1] if stem.endswith(("s", "n")) else stem, stem[:-2] if stem.endswith("es") else stem}
    return any(len(c) >= 3 and _zipf(c) >= 2.5 for c in candidates)


def quote_words(words, limit: int = 4) -> str:
    """Distinct words in quotes for a message: "'not', 'never'", at most ``limit`` shown."""
    words = list(dict.fromkeys(str(w) for w in words))
    shown = ", ".join(f"'{w}'" for w in words[:limit])
    return shown + (f" and {len(words) - limit} more" if len(words) > limit else "")
