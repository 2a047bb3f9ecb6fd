"""Word lists that several stages share: negation words, content words; and what counts as
text with no word at all."""
from __future__ import annotations

import re
from functools import lru_cache

from .resources import load_data

_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+(?:n't)?|n't")
_LETTERS_OR_DIGIT = re.compile(r"[^\W\d_]{2,}|\d")


def is_noise(text: str) -> bool:
    """True for text with no digit and no run of two letters ("* * *", "h * \"", ".:-- , .",
    "- _-"): separators, OCR debris and stray punctuation, which nothing translates."""
    return not _LETTERS_OR_DIGIT.search(text)


@lru_cache(maxsize=None)
def _negation_pattern(language: str) -> re.Pattern:
    words = load_data("negation")[language]
    parts = []
    for word in words:
        if word == "n't":
            parts.append(r"n't\b")
        elif word.endswith("*"):
            parts.append(rf"\b{re.escape(word[:-1])}\w*")
        else:
            parts.append(rf"\b{re.escape(word)}\b")
    return re.compile("|".join(parts), re.IGNORECASE)


def negations(text: str, language: str) -> list[re.Match]:
    return list(_negation_pattern(language).finditer(text))


@lru_cache(maxsize=None)
def _affix_pattern(language: str) -> re.Pattern:
    rules = load_data("negation")["affix"][language]
    letters = r"[^\W\d_]"

    def alternatives(items) -> str:
        return "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True)) or r"(?!)"

    not_negated = rf"(?:{alternatives(rules['not_negated'])})\b"
    parts = [
        rf"\b(?!(?:{alternatives(rules['not_prefixed'])})|{not_negated})(?:{alternatives(rules['prefixes'])}){letters}{{4,}}",
        rf"\b(?!{not_negated}){letters}{{3,}}?(?:{alternatives(rules['suffixes'])})"
        + (rf"{letters}*" if rules.get("suffix_inside_compounds") else r"\b"),
        rf"\b(?:{alternatives(rules['words'])}){letters}*",
    ]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def negative_affixes(text: str, language: str) -> list[str]:
    """Words negated by an affix ("uncertain", "jobless"; "unsicher", "arbeitslos")."""
    return [m.group(0) for m in _affix_pattern(language).finditer(text)]


def quote_words(words, limit: int = 4) -> str:
    """Distinct words in quotes for a message: "'not', 'never'", at most ``limit`` shown."""
    words = list(dict.fromkeys(str(w) for w in words))
    shown = ", ".join(f"'{w}'" for w in words[:limit])
    return shown + (f" and {len(words) - limit} more" if len(words) > limit else "")
