"""Source-vs-German checks that need no MT model: negation, figures, omission.

They compare the English source passage with the German passage aligned to it.  Each
issue says how sure it is (``confidence``) and is major only where it is close to
certain (the severity policy in docs/usage.md):

* negation: every negation word of the source needs one in the German (words that
  negate nothing, "whether or not", "No 10", "no doubt", are not counted; data in
  ``data/negation.toml``).  Translators also negate with an affix ("unmöglich" for
  "couldn't") or with a word that says "not" with its meaning ("fehlen", "statt",
  "verweigern"), and paraphrase freely, so a negation the German lacks is minor, and none
  where such a word may say it: on good translations a missing negation word is a
  paraphrase far more often than a flip.  It is the drift score, with a model, that tells
  them apart.  A source word negated by its affix ("uncertain") with no German negated
  word or spare negation word for it is flagged where the German holds a word that says
  its base (by the dictionary: "sicher", whose "unsicher" is a word, and the message names
  it) or where nothing in the German negates;
* figures, read with their kind on both sides (``numbers``): a source figure the German
  says differently ("2011" / "2001", "37 %" / "38 %") is major; one the German does not
  have is minor (translators drop redundant figures);
* a German passage much shorter than its source (a dropped clause), by the length ratio.

Thresholds are in ``[source_checks]`` of ``data/thresholds.toml``.  More negations in the
German than in the source is left to the drift score: measured on human translations
(`mt-audit eval contrastive`), it fired on 18% of correct pairs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.lexicon import (affix_bases, cognate, english_base, lexical_negation_matches, negations,
                            negative_affix_matches, negative_affixes, quote_words, unnegated_words)
from ..text.numbers import unmatched


@dataclass(frozen=True)
class Issue:
    category: str
    severity: str
    message: str
    suggestion: str
    confidence: float = 0.5
    # The German words it is about, as offsets into the German passage (none: the passage)
    spans: tuple[tuple[int, int], ...] = ()
    replacements: tuple[str, ...] = ()  # for the first of those words


def check_pair(source: str, german: str, config: dict) -> list[Issue]:
    """Issues of one (English source, German) pair."""
    return negation_issues(source, german) + number_issues(source, german) + omission_issues(source, german, config)


def negation_issues(source: str, german: str, evidence: bool = True) -> list[Issue]:
    """The negation the German lacks.  With ``evidence`` (findings), only where nothing in
    the German may carry it: a deficit that the German's other negating words ("fehlen",
    "statt"; adjectives and adverbs negated by an affix, "erfolglos", "unmöglich") cover is a
    paraphrase, and a source word negated by its affix counts only where the German holds a
    word that says its base ("sicher" for "uncertain") or nothing in the German negates.
    Without it, any disagreement (the meaning model's feature, as fitted)."""
    source_negations = negations(source, "en")
    source_words = [m.group(0) for m in source_negations]
    source_affixed = negative_affixes(source, "en")
    german_words = [m.group(0) for m in negations(german, "de")]
    affixed_matches = negative_affix_matches(german, "de")
    german_affixed = [m.group(0) for m in affixed_matches]
    lexical = lexical_negation_matches(german, "de")
    # German words negated by an affix beyond those translating the source's own
    # ("unmöglich" for "couldn't"), and words that say "not" with their meaning
    # ("fehlen", "statt"), may carry a source negation: they make a missing one uncertain.
    spare_affixed = affixed_matches[len(source_affixed):]
    carriers = [m.group(0) for m in spare_affixed + lexical]
    deficit = len(source_words) - len(german_words)
    if deficit > 0 and not german_words and not carriers:
        return [Issue("negation", "minor",
                      f"The source says {quote_words(source_words)}; the German has no negation at all.",
                      "check whether the statement was turned around", 0.6)]
    # What may say a lost "not" by itself: a word that says it with its meaning, or an
    # adjective or adverb negated by its affix ("unmöglich", "erfolglos"); not a noun whose
    # affix is part of a name for a thing ("Unfall", "Immobilien", "Arbeitslosengeld"); a
    # word that says "not" only about where a source negation stands (the two languages keep
    # a sentence's order of clauses), not a "stattdessen" three clauses away.
    covering = _covering(source_negations, len(source), spare_affixed, lexical, len(german))
    if deficit > 0 and not (evidence and len(covering) >= deficit):
        german_side = f"only {quote_words(german_words)}" if german_words else "no negation word"
        if carriers:
            german_side += f" (but {quote_words(carriers)})"
        return [Issue("negation", "minor",
                      f"The source negates {len(source_words)} times ({quote_words(source_words)}); the German "
                      f"has {german_side}.",
                      "check that every negated clause of the source is negated in the German", 0.4)]
    spare_words = max(0, len(german_words) - len(source_words))
    if deficit <= 0 and len(source_affixed) > len(german_affixed) + spare_words:
        bases = affix_bases(german, source_affixed)
        nothing = not german_words and not german_affixed and not carriers
        if evidence:
            bases = _rendering_bases(german, bases, source_affixed)
            if not bases and not nothing:
                return []
        where = (f" ({quote_words(bases)}: 'un' + {bases[0]!r} is a word)" if bases else
                 " (nothing in it negates)" if nothing else "")
        return [Issue("negation", "minor",
                      f"The source has the negated word{'s' if len(source_affixed) > 1 else ''} "
                      f"{quote_words(source_affixed)}; the German has no negated word for it{where}.",
                      "check whether an 'un-' or a 'nicht' was lost and the meaning turned around",
                      0.4 if bases or nothing else 0.3, _word_spans(german, bases))]
    return []


# How far (as a share of the passage's length) a German word that may say "not" may stand
# from the place of a source negation to carry it.
CARRIER_WINDOW = 0.15


def _covering(source_negations: list[re.Match], source_length: int, spare_affixed: list[re.Match],
              lexical: list[re.Match], german_length: int) -> list[str]:
    """The German words that may carry a lost source negation: spare adjectives and adverbs
    negated by an affix ("unmöglich" for "could not", "erfolglos" for "with no luck", which
    may move in the sentence as adverbs do), and words that say "not" with their meaning
    ("statt", "fehlen") standing within ``CARRIER_WINDOW`` of a source negation's place."""
    places = [m.start() / max(1, source_length) for m in source_negations]
    affixed = [m.group(0) for m in spare_affixed
               if m.group(0)[:1].islower() and not m.group(0).lower().startswith("nichts")]
    return affixed + [m.group(0) for m in lexical
                      if any(abs(m.start() / max(1, german_length) - at) <= CARRIER_WINDOW for at in places)]


def _rendering_bases(german: str, bases: list[str], english_negated: list[str]) -> list[str]:
    """The German words that say what the English negated word says without its negation
    ("sicher" or "offiziellen" for "uncertain", "unofficial"; not "bezahlt" for "incorrect",
    though "unbezahlt" is a word), by the dictionary; of ``bases`` (the words an "un-" may
    have been cut from) those it does not know, and all where no dictionary is installed."""
    from .bilingual import dictionary

    ding = dictionary()
    if ding is None:
        return bases
    from .modelfree import german_function_words

    pairs = [(word, english_base(word)) for word in english_negated]
    function_words = german_function_words()
    out = []
    for word in unnegated_words(german):  # not "unsicher", not "nicht sicher"
        lower = word.lower()
        if lower in function_words or lower.startswith("nicht"):
            continue
        inner = lower.rfind("un", 1)
        if inner > 0 and any(ding.renders(lower[inner + 2:], base) for _, base in pairs):
            continue  # negated inside a compound ("kontextunabhängig")
        # the German word says the base ("sicher": "certain"), or its "un" form says the
        # negated word ("unkorrekt": "incorrect")
        if any(ding.renders(word, base) or cognate(word, base) or ding.renders("un" + word.lower(), negated_word)
               for negated_word, base in pairs):
            out.append(word)
    return out + [b for b in bases if b not in out and not ding.translations(b)]


def _word_spans(german: str, words: list[str]) -> tuple[tuple[int, int], ...]:
    """The first place of each of ``words`` in ``german`` (whole words)."""
    spans = []
    for word in words:
        found = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", german)
        if found:
            spans.append(found.span())
    return tuple(sorted(set(spans)))


_DIGITS = re.compile(r"\d[\d.,\u202f\u00a0]*\d|\d")


def _figure_replacements(missing, left_over) -> tuple[str, ...]:
    """The German figure with the source's value, written as the German writes it ("4,5
    Millionen" for "3.5 million": "3,5 Millionen"), where one figure of digits was changed
    into one other of the same kind; none otherwise."""
    if len(missing) != 1 or len(left_over) != 1 or missing[0].kind != left_over[0].kind or missing[0].kind != "number":
        return ()
    german = left_over[0]
    digits = list(_DIGITS.finditer(german.text))
    if len(digits) != 1:
        return ()
    from ..text.numbers import parse_number

    written = parse_number(digits[0].group(0), "de")
    if not written:
        return ()
    value = missing[0].value / (german.value / written)  # the German's scale word stays
    if abs(value - round(value, 2)) > 1e-9 or value <= 0:
        return ()
    if value == int(value):
        text = f"{int(value):,}".replace(",", ".") if "." in digits[0].group(0) or value >= 10_000 else str(int(value))
    else:
        text = f"{value:.2f}".rstrip("0").replace(".", ",")
    return (german.text[:digits[0].start()] + text + german.text[digits[0].end():],)


def number_issues(source: str, german: str) -> list[Issue]:
    missing, left_over = unmatched(source, "en", german, "de")
    if not missing:
        return []
    said = quote_words(m.text for m in missing)
    if left_over:
        return [Issue("number", "major",
                      f"The source has {said}; the German has {quote_words(m.text for m in left_over)} instead.",
                      "check the figures against the source", 0.8, tuple((m.start, m.end) for m in left_over),
                      _figure_replacements(missing, left_over))]
    return [Issue("number", "minor", f"The source has {said}; the German passage does not.",
                  "check whether the figure was dropped or said another way", 0.5)]


def omission_issues(source: str, german: str, config: dict) -> list[Issue]:
    cfg = config["source_checks"]
    if len(source) < cfg["omission_min_source_chars"]:
        return []
    ratio = len(german) / len(source)
    if ratio >= cfg["omission_length_ratio"]:
        return []
    major = ratio < cfg["omission_length_ratio_major"]
    return [Issue("omission", "major" if major else "minor",
                  f"The German is {ratio:.0%} of the source's length: a clause may be missing.",
                  "check the passage against the source for a dropped clause", 0.7 if major else 0.4)]
