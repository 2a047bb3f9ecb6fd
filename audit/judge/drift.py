"""Drift between an English source passage and the English back-translation of its German.

``compare`` gathers the signals; ``score`` turns them into one drift number with the
weights of ``[drift.weights]`` in ``data/thresholds.toml``
(fitted on the DEMETR development data by ``mt-audit eval drift --tune``).

Two kinds of signal:

* graded ones, which move a little with any change of meaning: 1 - chrF, 1 - BLEU, TER,
  1 - sentence-embedding cosine, 1 - token recall / precision (BERTScore-style greedy
  matching of contextual token vectors), 1 - the worst-matched content word on each
  side and the share of content words left unaligned, word-order damage, length difference, and
  the shares of content words with no counterpart on the other side;
* evidence that names the words involved and rarely fires on a good translation:
  numbers, negation, names, gendered pronouns, words left in German, broken phrases
  ("the of": a word lost), a word turned into its WordNet antonym ("big" / "small"), an
  adjective or adverb added ("the crowded stadiums"), a word dropped ("severe flooding" /
  "flooding").
"""
from __future__ import annotations

import math
import re
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache

from ..text.lexicon import negations, negative_affixes
from ..text.numbers import WORDS as NUMBER_WORDS
from ..text.numbers import unmatched_numbers
from ..resources import load_data
from .metrics import surface_scores
from .wordnet import antonym_pairs, is_common_word, is_modifier, is_unambiguous, relatives, synonyms_and_broader

_TOKEN = re.compile(r"\w+(?:['’]\w+)?")
_STEM = 5
# difflib similarity from which two names count as spellings of one (replacements of one
# name by another in DEMETR's named-entity perturbations all stay below 0.5).
NAME_VARIANT_SIMILARITY = 0.6
# ... and from which a word left out or added is taken for a misspelt or inflected form of
# a word on the other side ("selections" / "election": 0.89), not a word of its own
# ("season" / "session": 0.77).
WORD_VARIANT_SIMILARITY = 0.8
# The drift signals as features (``features``): graded ones move a little with any change,
# evidence names the words involved.
GRADED = ("chrf", "bleu", "ter", "embedding", "token_recall", "token_precision", "worst_match_source",
          "worst_match_back", "unaligned_source", "unaligned_back", "order", "length", "omission", "addition",
          "omission_weighted", "addition_weighted")
EVIDENCE = ("numbers", "negation", "polarity_flip", "names_missing", "names_added", "names_replaced", "gender",
            "untranslated", "broken", "antonym", "added_modifier", "dropped_word")
SIGNALS = GRADED + EVIDENCE


def _words() -> dict:
    return load_data("drift_words")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


_DOTTED = re.compile(r"\b(?:[A-Z]\.){2,}")


def _undotted(text: str) -> str:
    """Dotted initials as one word: "U.S." -> "US", "U.N." -> "UN"."""
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)


def _stem(word: str) -> str:
    return word.lower().replace(".", "")[:_STEM]


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    return frozenset(_words()["function_words"])


def content_words(text: str) -> list[str]:
    stop = _function_words()
    return [t for t in _tokens(text) if t.lower() not in stop and len(t) > 2 and not t.isdigit()]


@lru_cache(maxsize=1)
def _opposable_function_words() -> frozenset[str]:
    return frozenset(_words()["opposable_function_words"])


def _antonym_candidates(text: str) -> list[str]:
    """Content words and the function words that have opposites ("more" / "less")."""
    opposable = _opposable_function_words()
    return content_words(text) + [t for t in _tokens(text) if t.lower() in opposable]


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    return frozenset(_words()["titles"])


def names(text: str) -> list[str]:
    """Capitalised words not at a sentence start, and acronyms: a cheap stand-in for named
    entities that works on any English text.  At a sentence start a capitalised word is a
    name when English has no common word of that spelling ("Parly said", not "Comets may").
    A title before a name ("Queen Elizabeth") is left out: it is not part of the name."""
    stop, titles = _function_words(), _titles()
    out = []
    plain = _undotted(text)
    matches = list(_TOKEN.finditer(plain))
    for index, match in enumerate(matches):
        word = match.group()
        # what precedes the word, closing quotes and brackets aside ("Why?” Nobody")
        before = plain[:match.start()].rstrip().rstrip("”’»)").rstrip()
        sentence_start = not before or before[-1] in ".!?:\"“‘(" or before.endswith("—")
        following = matches[index + 1].group() if index + 1 < len(matches) else ""
        if word.lower() in titles and following[:1].isupper():
            continue
        if word.isupper() and len(word) > 1 and not word.isdigit():
            out.append(word)
        elif word[0].isupper() and word.lower() not in stop and (not sentence_start or not is_common_word(word)):
            out.append(word)
    return out


_PHRASE_TOKEN = re.compile(r"[\w'’-]+|[.,;:!?]")


@lru_cache(maxsize=1)
def _broken_phrase_words() -> tuple[frozenset[str], frozenset[str]]:
    words = _words()
    return frozenset(words["determiners"]), frozenset(words["not_after_determiner"])


def broken_phrases(text: str) -> list[str]:
    """Word pairs fluent English never has: a determiner followed by a preposition,
    conjunction, auxiliary, another determiner or punctuation ("the of", "a that")."""
    determiners, not_after = _broken_phrase_words()
    tokens = _PHRASE_TOKEN.findall(text)
    # "A." and "an A road" are initials and letters: a capital A is not taken for the article,
    # nor a capitalised word for a follower.
    return [f"{a} {b}" if b[0].isalnum() else a + b
            for a, b in zip(tokens, tokens[1:])
            if a.lower() in determiners and a != "A" and b in not_after]


@lru_cache(maxsize=1)
def _degree_words() -> frozenset[str]:
    return frozenset(_words()["degree_words"])


def added_modifiers(source: str, back: str) -> list[str]:
    """Adjectives and adverbs the back-translation inserts between words that follow each
    other in the source ("in the stadiums" / "in the crowded stadiums", "have been
    affected" / "have been relatively affected").  Not counted: a word whose stem the
    source has anywhere, a capitalised word inside the sentence (a name), words of degree
    and time ("particularly", "already"), a negation (a signal of its own), a word spelt
    almost like a source word ("selections" / "election"), a word WordNet
    relates to a source word (a synonym, similar to it: "important" for "decisive", or a
    word it is a kind of: "maximize" for "increase"), and the adjective of a measure ("5
    days long", "3 years old"), which English needs where German does without."""
    return _inserted_words(source, back, is_modifier)


def dropped_words(source: str, back: str) -> list[str]:
    """Words of the source the back-translation leaves out, its neighbours kept ("severe
    flooding" / "flooding", "in contact with" / "in with", "Trump wrote on Twitter" /
    "Trump on Twitter"), on the terms of ``added_modifiers``: only words WordNet has as one
    part of speech count (``wordnet.is_unambiguous``), since the part of speech of a source
    word is not seen here ("race collective" rendered "racing community" is a noun)."""
    return _inserted_words(back, source, is_unambiguous)


def _inserted_words(text: str, longer: str, counts) -> list[str]:
    """Words of ``longer`` inserted into ``text`` for which ``counts`` holds (see
    ``added_modifiers``)."""
    base, extended = _tokens(text), _tokens(longer)
    base_stems, extended_stems = [_stem(w) for w in base], [_stem(w) for w in extended]
    stop, degree = _function_words(), _degree_words()
    related = frozenset().union(*(relatives(w) for w in base))
    present, lowered = set(base_stems), {w.lower() for w in base}
    numbers = NUMBER_WORDS["en"]
    inserted = []
    matcher = SequenceMatcher(None, base_stems, extended_stems, autojunk=False)
    for op, _, _, start, end in matcher.get_opcodes():
        if op != "insert":
            continue
        for j in range(start, end):
            word, lower = extended[j], extended[j].lower()
            if lower in stop or lower in degree or (word[0].isupper() and j > 0) or word.isdigit() \
                    or extended_stems[j] in present:
                continue
            if j >= 2 and (extended[j - 2].isdigit() or extended[j - 2].lower() in numbers):
                continue
            if counts(lower) and not synonyms_and_broader(lower) & related and not negations(lower, "en") \
                    and not any(_spelling_variants(lower, other, WORD_VARIANT_SIMILARITY) for other in lowered):
                inserted.append(word)
    return inserted


_NON_LATIN = re.compile(r"[^\W\d_a-zA-Z\u00C0-\u024F]")


def foreign_words(source: str, back: str, original: str) -> list[str]:
    """Words of the back-translation that are not English and not in the source: words of
    another script (the model copied them through), and words of the original text that
    English does not use ("Haushalt" left in the back-translation of German copy)."""
    from wordfreq import zipf_frequency

    original_words = {t.lower() for t in _tokens(original)}
    source_words = {t.lower() for t in _tokens(source)}
    out = []
    for token in _tokens(back):
        lower = token.lower()
        if lower in source_words or token.isdigit():
            continue
        if _NON_LATIN.search(token) or (len(token) > 3 and lower in original_words
                                        and zipf_frequency(lower, "en") < 2.0):
            out.append(token)
    return sorted(set(out))


def _expansion(acronym: str, words: list[str]) -> set[str]:
    """The words of ``words`` that spell out ``acronym`` (lower-cased; empty if none do):
    the initials of consecutive words ("UN" / "United Nations", "FBI" / "Federal Bureau
    of Investigation", function words skipped) or one long common word in lower case ("KO"
    / "knockout", "TV" / "television": at least four letters per letter of the acronym, so
    that "US" is not found in "used", nor in "University", a word of a name)."""
    letters = acronym.lower()
    if not (acronym.isupper() and 2 <= len(acronym) <= 6):
        return set()
    stop = _function_words()
    content = [w.lower() for w in words if w.lower() not in stop]
    initials = "".join(w[0] for w in content)
    at = initials.find(letters)
    if at >= 0:
        return set(content[at:at + len(letters)])
    for word in (w for w in words if w.islower() and w not in stop):
        if word[0] == letters[0] and len(word) >= 4 * len(letters):
            rest = iter(word[1:])
            if all(letter in rest for letter in letters[1:]):
                return {word}
    return set()


def _informativeness(word: str) -> float:
    """How much a word says: rare words more than common ones (8 minus its Zipf frequency
    in English, at least 0.5), the weight of an inverse document frequency without a corpus."""
    from wordfreq import zipf_frequency

    return max(0.5, 8.0 - zipf_frequency(word.lower(), "en"))


def _weighted_share(words: list[str], of: list[str]) -> float:
    total = sum(_informativeness(w) for w in of)
    return round(sum(_informativeness(w) for w in words) / total, 4) if total else 0.0


def _unrelated(words: list[str], other: list[str]) -> list[str]:
    """Words with no counterpart in ``other`` even among their WordNet relatives (synonyms,
    similar adjectives, dictionary forms): what a paraphrase cannot explain."""
    related = frozenset().union(*(relatives(w) for w in other)) if other else frozenset()
    lowered = {w.lower() for w in other}
    return [w for w in words if not relatives(w) & (related | lowered)]


def _unmatched(words: list[str], other: list[str]) -> list[str]:
    stems = {_stem(w) for w in other}
    return [w for w in words if _stem(w) not in stems]


def proper_names(words: list[str]) -> list[str]:
    """The words that are names only: acronyms, and words English has no common word for."""
    return [w for w in words if w.isupper() or not is_common_word(w)]


def _spelling_variants(a: str, b: str, similarity: float = NAME_VARIANT_SIMILARITY) -> bool:
    """Two spellings of one name ("Naples" / "Napoli", "Kiev" / "Kyiv", "Budanov" /
    "Budanow"), or with ``WORD_VARIANT_SIMILARITY`` of one word: similar enough that one
    is not a different name or word put in for the other."""
    return SequenceMatcher(None, a.lower(), b.lower()).ratio() >= similarity


def _ngram_f(a: list[str], b: list[str], n: int) -> float:
    ca = Counter(tuple(a[i:i + n]) for i in range(len(a) - n + 1))
    cb = Counter(tuple(b[i:i + n]) for i in range(len(b) - n + 1))
    total = sum(ca.values()) + sum(cb.values())
    return 2 * sum((ca & cb).values()) / total if total else 0.0


_SCOPE_TOKEN = re.compile(r"[\w'-]+|[.,;:!?()\"“”]")
# How far after a negation word its head may be ("has not been able": "able").
SCOPE_WORDS = 4


def polarity(text: str) -> tuple[set[str], set[str]]:
    """(stems of negated content words, stems of the other content words).  A negation
    word negates the first content word after it within ``SCOPE_WORDS`` words of the same
    clause ("cannot be predicted": "predicted"; "no damage": "damage"); a word negated by
    its affix ("unable") negates its base ("able").  Capitalised words inside a sentence
    are names ("Independence Hall") and negate nothing."""
    text = _straight(text)
    stop = _function_words()
    cue_ends = {match.end() for match in negations(text, "en")}
    affixed = {w.lower() for w in negative_affixes(text, "en") if not _inside_name(text, w)}
    negated, plain = set(), set()
    offset, looking = 0, 0
    for token in _SCOPE_TOKEN.findall(text):
        start = text.find(token, offset)
        offset = start + len(token)
        lower = token.lower()
        if not token[0].isalnum():
            looking = 0
            continue
        if any(start < end <= offset for end in cue_ends):
            looking = SCOPE_WORDS
            continue
        if lower in affixed:
            negated.add(_stem(_english_base(lower)))
            continue
        content = lower not in stop and len(lower) > 2 and not lower.isdigit()
        if looking and content:
            negated.add(_stem(lower))
            looking = 0
        elif content:
            plain.add(_stem(lower))
        else:
            looking = max(0, looking - 1)
    return negated, plain


def _negation_words(text: str) -> list[str]:
    text = _straight(text)
    return [m.group(0) for m in negations(text, "en")] + [
        w for w in negative_affixes(text, "en") if not _inside_name(text, w)]


def _straight(text: str) -> str:
    """Typographic apostrophes as straight ones ("wasn’t" -> "wasn't")."""
    return text.replace("’", "'").replace("‘", "'")


def _inside_name(text: str, word: str) -> bool:
    """Whether ``word`` is written capitalised inside a sentence ("Independence Hall")."""
    at = text.find(word)
    return word[:1].isupper() and at > 0 and text[:at].rstrip()[-1:] not in ".!?:\"“'"


def _english_base(word: str) -> str:
    for suffix in ("lessly", "less"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    for prefix in ("non-", "non", "un", "in", "im", "il", "ir", "dis"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix):]
    return word


def polarity_flips(source: str, back: str) -> list[str]:
    """Content words said with a negation on one side and without one on the other ("can
    be predicted" / "cannot be predicted", "was not difficult" / "was difficult"): a
    negation moved to another word changes meaning though the count of negations stays."""
    neg_src, plain_src = polarity(source)
    neg_back, plain_back = polarity(back)
    return sorted((neg_src & plain_back - neg_back) | (neg_back & plain_src - neg_src))


def _gender(text: str) -> set[str]:
    pronouns = _words()["gendered_pronouns"]
    return {pronouns[t.lower()] for t in _tokens(text) if t.lower() in pronouns}


@lru_cache(maxsize=1)
def _gendered_nouns() -> dict[str, str]:
    return {word: gender for gender, words in _words()["gendered_nouns"].items() for word in words}


def _genders_named(text: str) -> set[str]:
    """The genders a text gives people: its gendered pronouns and nouns."""
    nouns = _gendered_nouns()
    return _gender(text) | {nouns[t.lower()] for t in _tokens(text) if t.lower() in nouns}


def gender_changed(source: str, back: str) -> bool:
    """A pronoun of a gender the other text never gives anyone ("the first woman ... his
    flight"), on either side; a text with no gendered word says nothing about gender."""
    named_source, named_back = _genders_named(source), _genders_named(back)
    if not named_source or not named_back:
        return False
    return bool(_gender(back) - named_source or _gender(source) - named_back)


def compare(source: str, back: str, german: str | None = None, encoded=None, embedder=None) -> dict:
    """Signals of drift between ``source`` and ``back`` (both English).  ``german`` (the
    text that was back-translated) lets words left in German be found; ``encoded`` is a
    pair of ``embed.Encoded`` for (source, back)."""
    sig: dict = surface_scores(back, source)
    src_tokens = [t.lower() for t in _tokens(source)]
    back_tokens = [t.lower() for t in _tokens(back)]
    sig["order"] = round(max(0.0, _ngram_f(src_tokens, back_tokens, 1) - _ngram_f(src_tokens, back_tokens, 2)), 4)
    sig["length"] = round(abs(math.log(max(1, len(back)) / max(1, len(source)))), 4)
    src_content, back_content = content_words(source), content_words(back)
    omitted, added = _unmatched(src_content, back_content), _unmatched(back_content, src_content)
    sig["omitted_words"], sig["added_words"] = omitted, added
    sig["omission"] = round(len(omitted) / max(1, len(src_content)), 4)
    sig["addition"] = round(len(added) / max(1, len(back_content)), 4)
    sig["omission_weighted"] = _weighted_share(_unrelated(omitted, back_content), src_content)
    sig["addition_weighted"] = _weighted_share(_unrelated(added, src_content), back_content)

    sig["numbers_missing"] = unmatched_numbers(source, "en", back, "en")
    sig["numbers_added"] = unmatched_numbers(back, "en", source, "en")
    # negation words and words negated by an affix ("not", "unharmed")
    # negation words ("not", "no", "never") and words negated by an affix ("unharmed"; not
    # in a name: "Independence Hall")
    sig["negations_source"] = _negation_words(source)
    sig["negations_back"] = _negation_words(back)
    sig["polarity_flips"] = polarity_flips(source, back)
    src_names, back_names = names(source), names(back)
    all_src, all_back = _tokens(_undotted(source)), _tokens(_undotted(back))
    # an acronym on one side spelled out on the other ("UN" / "United Nations") is one name
    spelled_in_back = {n: _expansion(n, all_back) for n in src_names}
    spelled_in_src = {n: _expansion(n, all_src) for n in back_names}
    expanded = set().union(*spelled_in_back.values(), *spelled_in_src.values())
    missing = {n for n in _unmatched(src_names, all_back) if not spelled_in_back[n] and n.lower() not in expanded}
    added = {n for n in _unmatched(back_names, all_src) if not spelled_in_src[n] and n.lower() not in expanded}
    variants = {(a, b) for a in missing for b in added if _spelling_variants(a, b)}
    sig["names_missing"] = sorted(missing - {a for a, _ in variants})
    sig["names_added"] = sorted(added - {b for _, b in variants})
    source_broken = set(broken_phrases(source))
    sig["broken_phrases"] = [p for p in broken_phrases(back) if p not in source_broken]
    sig["antonyms"] = [list(pair) for pair in antonym_pairs(_antonym_candidates(source), _antonym_candidates(back),
                                                            _stem)]
    sig["added_modifiers"] = added_modifiers(source, back)
    sig["dropped_words"] = dropped_words(source, back)
    sig["gender_changed"] = gender_changed(source, back)
    if german is not None:
        sig["untranslated_words"] = foreign_words(source, back, german)
    if encoded is not None:
        from .embed import similarity

        sig.update({k: round(v, 4) for k, v in similarity(*encoded, _function_words()).items()})
    return sig


def features(sig: dict) -> dict[str, float]:
    """The signals as numbers where larger means more drift (missing ones are absent)."""
    out: dict[str, float] = {}
    for key in ("chrf", "bleu"):
        if key in sig:
            out[key] = 1 - sig[key] / 100
    if "ter" in sig:
        out["ter"] = min(sig["ter"], 200) / 100
    for key in ("embedding", "token_recall", "token_precision", "worst_match_source", "worst_match_back"):
        if key in sig:
            out[key] = 1 - sig[key]
    for key in ("order", "length", "omission", "addition", "omission_weighted", "addition_weighted",
                "unaligned_source", "unaligned_back"):
        if key in sig:
            out[key] = sig[key]
    out["numbers"] = min(2, len(sig.get("numbers_missing", [])) + len(sig.get("numbers_added", [])))
    out["negation"] = min(2, abs(len(sig.get("negations_source", [])) - len(sig.get("negations_back", []))))
    if "polarity_flips" in sig:
        out["polarity_flip"] = min(2, len(sig["polarity_flips"]))
    # A capitalised common word of a name ("Department", "River") is often translated or
    # left out ("the provincial department"); a proper name ("Parly", "Xinjiang", "NATO")
    # is not: only those count.
    out["names_missing"] = min(2, len(proper_names(sig.get("names_missing", []))))
    out["names_added"] = min(2, len(proper_names(sig.get("names_added", []))))
    out["names_replaced"] = min(out["names_missing"], out["names_added"])
    out["gender"] = float(sig.get("gender_changed", False))
    out["broken"] = min(2, len(sig.get("broken_phrases", [])))
    if "antonyms" in sig:
        out["antonym"] = min(2, len(sig["antonyms"]))
    if "added_modifiers" in sig:
        out["added_modifier"] = min(2, len(sig["added_modifiers"]))
    if "dropped_words" in sig:
        out["dropped_word"] = min(2, len(sig["dropped_words"]))
    if "untranslated_words" in sig:
        out["untranslated"] = min(2, len(sig["untranslated_words"]))
    return out


def score(sig: dict, config: dict) -> float:
    """Drift: how likely the passage changed meaning (0-1), from a logistic model over the
    features (``[drift]`` of ``data/thresholds.toml``, fitted by ``mt-audit eval drift
    DIR --tune``)."""
    return score_features(features(sig), config)


def score_features(feats: dict[str, float], config: dict) -> float:
    cfg = config["drift"]
    z = cfg["intercept"] + sum(weight * feats.get(name, 0.0) for name, weight in cfg["weights"].items())
    return round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z)))), 4)
