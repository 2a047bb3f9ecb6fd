"""Every check mt-audit can report, described once.

The code-scanning rules of the SARIF report, ``mt-audit checks`` and the documentation
test all read this table, so a check cannot exist without a description an editor can
act on.  ``severity`` is the check's usual severity; a finding may state another (a
loaded term's own severity, a changed figure that is major where a dropped one is
minor) and the severity policy keeps a finding major only where it is nearly always
right.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DOCS = "docs/checks.md"  # in mt-audit's repository: one section per check


@dataclass(frozen=True)
class CheckInfo:
    id: str
    summary: str      # one line: what it flags
    why: str          # why an editor should care, and how to tune it
    severity: str     # usual severity: major or minor
    needs: str        # what it needs to run: "German", "source" or "model"
    heading: str = ""  # its section's heading in DOCS, where that is not the id in backticks

    @property
    def docs(self) -> str:
        """The link to the check's section in ``DOCS`` (the anchor GitHub gives a heading)."""
        return f"{DOCS}#{heading_anchor(self.heading or f'`{self.id}`')}"


def heading_anchor(heading: str) -> str:
    """The anchor GitHub and most Markdown renderers give a heading: lower case, punctuation
    dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


_MODEL_ONLY = "`drift.confidence`, `drift.negation`, `drift.broken`"

CATALOG: tuple[CheckInfo, ...] = (
    CheckInfo("units", "Imperial or US units left in German copy, with the metric value as suggestion.",
              "German readers think in metric units; a figure left in miles, feet or Fahrenheit is "
              "unreadable to them or silently wrong when the number was kept but the unit translated. "
              "A metric value given beside it, customary uses (Zoll for screens) and Pfund as money "
              "are not flagged; tune with [units] in a --glossary file.", "minor", "German"),
    CheckInfo("terms", "Loaded or historically charged terms, with why they matter and alternatives.",
              "Words such as 'Blitzkrieg' or 'Endlösung' carry a history the English did not mean; "
              "each term says why and what to write instead. Add house terms with [terms] in a "
              "--glossary file.", "major", "German"),
    CheckInfo("names", "A name spelt two ways in one article, or an English transliteration of a name "
                       "German writes otherwise.",
              "Readers and search engines treat two spellings as two people; German agencies use "
              "German transliterations (Selenskyj, not Zelensky). Extend with [names] in a --glossary "
              "file.", "minor", "German"),
    CheckInfo("numbers", "English number and date formats in German copy (1.6 million, 11,000, October 3).",
              "A decimal point and a thousands separator swap meaning between English and German: "
              "'1.600' is sixteen hundred to a German reader.", "minor", "German"),
    CheckInfo("untranslated", "English left untranslated inside German sentences.",
              "Machine translation passes through what it does not understand; names and accepted "
              "anglicisms are left out. Accept more anglicisms with [anglicisms] in a --glossary "
              "file.", "minor", "German"),
    CheckInfo("typography", "German typography: quotation marks, spaces around punctuation, and invisible "
                            "characters (bidirectional controls, soft hyphens, zero-width characters).",
              "Wrong quotation marks and doubled spaces are slips a copy desk fixes; a bidirectional "
              "control character can make text display in another order than it is read, so it is "
              "major; a soft hyphen or zero-width character splits a word for search and spelling "
              "checks.", "minor", "German"),
    CheckInfo("calques", "Calques and false friends of English-to-German translation.",
              "'Sinn machen' or 'realisieren' for 'realise' are tell-tale signs of translated copy; a "
              "matter of style, with a suggestion.", "minor", "German"),
    CheckInfo("source.number", "A figure of the English source that the German passage changes or drops.",
              "Numbers are what readers quote; a changed figure is almost always an error (major), a "
              "figure the German leaves out may be a rounding or an omission (minor). Figures written "
              "another way (words, ordinals, clock times, converted units) count as kept.", "major",
              "source"),
    CheckInfo("source.negation", "A statement the English makes and the German turns around (or the reverse).",
              "A lost 'not' inverts the news. Negation is said in many ways (kein, ohne, weder … noch, "
              "un- words), so without a model the finding is a reason to look, minor.", "minor", "source"),
    CheckInfo("source.omission", "Much of the English source passage has no counterpart in the German.",
              "A sentence half translated loses facts the reader never learns are missing.", "minor",
              "source"),
    CheckInfo("source.meaning", "A German passage whose words and sentence meaning do not match its English "
                                "source (model-free quality estimate).",
              "Mistranslated words, dropped clauses and additions change what the reader is told. The "
              "finding points at the German words that render nothing of the source and names the source "
              "words the German does not render; its confidence is the fitted probability of a major "
              "accuracy error. Thresholds and weights are in [qe] of the configuration.", "minor", "source"),
    CheckInfo("source.untranslated", "Words of the English source left standing in the German.",
              "A source-language fragment is a passage the reader cannot read or a sign the system gave "
              "up; a run of such words is major. Words German uses (anglicisms, audit/data/anglicisms.toml "
              "and crosslingual.toml) are not flagged.", "minor", "source"),
    CheckInfo("source.carried", "An @-mention, URL, e-mail address, speaker or anonymisation tag, or hashtag "
                                "of the source missing from the German.",
              "These are carried over as they stand, whatever the language; one the German lacks is a "
              "dropped piece of the source (who speaks, who is addressed, where a link points). A hashtag "
              "may be translated, so only a missing one counts, minor.", "major", "source"),
    CheckInfo("source.repetition", "A run of words the German says twice where its source repeats nothing "
                                   "of that length.",
              "Machine translation sometimes loops and says a phrase again; the second occurrence is an "
              "addition the source does not have.", "major", "source"),
    CheckInfo("judge.meaning", "A quality-estimation model (--qe) judges the paragraph's meaning to differ "
                               "from its source.",
              "MetricX, CometKiwi or XCOMET reads the English and the German together and scores the "
              "paragraph; the finding names the model, its score and what it means, at the sentence the "
              "model singles out (at the words XCOMET marks, where it runs). "
              "Thresholds come from audit/data/judges.toml (fitted to 0.3 major and 2 findings in all "
              "per 1000 words of professional translation).", "major", "model"),
    CheckInfo("judge.llm", "An error an LLM judge (--llm-url) names in the German, with its MQM category "
                           "and a reason.",
              "The LLM is asked the GEMBA-MQM way for error spans; each is reported at its words. An error "
              "it calls major or critical is as severe as the paragraph's calibrated verdict (the "
              "GEMBA-MQM thresholds of audit/data/judges.toml, joined with a QE model where one runs).",
              "major", "model"),
    CheckInfo("drift.score", "The back-translation says something other than the English source.",
              "The drift score combines the signals listed in docs/checks.md (chrF, embeddings, "
              "numbers, negation, names, antonyms, omitted and added words) in one fitted model; its "
              "thresholds are in [drift] of the configuration.", "major", "model"),
    CheckInfo("drift.alignment", "A German passage with no source sentence, or a source sentence with no "
                                 "German counterpart.",
              "An added sentence may be an editor's note or an invention; a dropped sentence is missing "
              "news.", "major", "source"),
    CheckInfo("drift.confidence", "Without a source: the translation model is unsure of the passage.",
              "Low model confidence marks garbled or ambiguous German worth a second read.", "minor", "model",
              _MODEL_ONLY),
    CheckInfo("drift.negation", "Without a source: the German and its back-translation disagree on negation.",
              "The model may have read the sentence the other way round; worth a look.", "minor", "model",
              _MODEL_ONLY),
    CheckInfo("drift.broken", "Without a source: the back-translation breaks off or leaves a gap.",
              "A gap in the back-translation often points at a missing word in the German.", "minor", "model",
              _MODEL_ONLY),
)

BY_ID = {info.id: info for info in CATALOG}


def info(check: str) -> CheckInfo:
    """The catalogue entry of ``check``; an unknown check gets a plain entry."""
    return BY_ID.get(check) or CheckInfo(check, check, "", "minor", "German")
