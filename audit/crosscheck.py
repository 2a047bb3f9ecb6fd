"""Source-vs-German checks that need no MT model: negation, numbers, omission.

They compare the English source passage with the German passage aligned to it:
fewer negations in the German than in the source, fewer words negated by an affix
("uncertain" / "unsicher", lexicon in ``data/negation.toml``), a source number the
German does not have (said another way counts: "beiden" for two, a converted imperial
figure; ``numbers.unmatched_numbers``), a German passage much shorter than its source
(a dropped clause).  More negations in the German than in the source is left to the drift score: measured on
human translations (`mt-audit eval contrastive`), it fired on 18% of correct pairs.
Thresholds are in ``[source_checks]`` of ``data/thresholds.toml``.
"""
from __future__ import annotations

from dataclasses import dataclass

from .lexicon import negations, negative_affixes, quote_words
from .numbers import format_number, unmatched_numbers


@dataclass(frozen=True)
class Issue:
    category: str
    severity: str
    message: str
    suggestion: str


def check_pair(source: str, german: str, config: dict) -> list[Issue]:
    """Issues of one (English source, German) pair."""
    cfg = config["source_checks"]
    out = []
    neg_src = [m.group(0) for m in negations(source, "en")]
    neg_de = [m.group(0) for m in negations(german, "de")]
    if len(neg_src) > len(neg_de):
        german_side = f"only {quote_words(neg_de)}" if neg_de else "no negation"
        out.append(Issue("negation", "major",
                         f"The source says {quote_words(neg_src)}, the German has {german_side}.",
                         "check whether the statement was turned around"))
    # A word negated by its affix ("uncertain") needs a German counterpart ("unsicher",
    # "arbeitslos", "Nicht-…"), or a German negation word beyond those the source has
    # ("nicht sicher").
    affix_src, affix_de = negative_affixes(source, "en"), negative_affixes(german, "de")
    if len(affix_src) > len(affix_de) + max(0, len(neg_de) - len(neg_src)):
        german_side = f"only {quote_words(affix_de)}" if affix_de else "none"
        out.append(Issue("negation", "major",
                         f"The source has the negated word{'s' if len(affix_src) > 1 else ''} "
                         f"{quote_words(affix_src)}; of such words (un-, -los, nicht-) the German has {german_side}.",
                         "check whether an 'un-' or '-los' was lost and the meaning turned around"))
    missing = unmatched_numbers(source, "en", german, "de")
    if missing:
        out.append(Issue("number", "major",
                         f"The source has {', '.join(format_number(v) for v in missing)}; the German passage does not.",
                         "check the figures against the source"))
    if len(source) >= cfg["omission_min_source_chars"]:
        ratio = len(german) / len(source)
        if ratio < cfg["omission_length_ratio"]:
            out.append(Issue("omission", "major" if ratio < cfg["omission_length_ratio_major"] else "minor",
                             f"The German is {ratio:.0%} of the source's length: a clause may be missing.",
                             "check the passage against the source for a dropped clause"))
    return out
