"""Where the LLM judge's error spans land in the German, measured on expert error spans.

An LLM asked the GEMBA-MQM way quotes the German words of each error; the judge finds them
in the paragraph (``judge.findings.occurrences``) and reports the error at those words.  The
published GEMBA-MQM answers have no spans, so the words come from the expert annotators
of ``DIR/mqm-wmt23`` (each error's span and its character offsets in the German line): each
is written into a GEMBA-MQM answer line as an LLM writes it, parsed by the judge's parser
(``judge.llm.parse``) and placed.  Three ways of quoting: the words as they stand; with
typographic quotes and dashes written plainly (as models often do); and lower-cased.

A span counts as placed *exactly* when it lands on the annotated characters, *elsewhere*
when it lands on the same words at another place of the paragraph (words that stand more
than once: the finding says so), *not placed* when the judge reports the error at the
paragraph because the words are not there as quoted.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..errors import InputError

_PLAIN = str.maketrans({"„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "–": "-", "—": "-"})
QUOTINGS = {
    "as they stand": lambda span: span,
    "plain quotes and dashes": lambda span: span.translate(_PLAIN),
    "lower case": lambda span: span.lower(),
}


def span_placement(directory: str | Path) -> dict:
    """Per way of quoting: spans, shares placed exactly / elsewhere / not placed, and among
    the words that stand more than once in their paragraph, the share the finding reports
    as such."""
    from ..judge.findings import occurrences
    from ..judge.llm import parse

    root = Path(directory) / "mqm-wmt23"
    gold = root / "gold.jsonl"
    if not gold.is_file():
        raise InputError(f"No MQM annotations at {gold}.")
    lines: dict[str, list[str]] = {}
    counts = {name: Counter() for name in QUOTINGS}
    with gold.open(encoding="utf-8") as handle:
        for row_text in handle:
            row = json.loads(row_text)
            errors = [e for e in row.get("errors", []) if str(e.get("span", "")).strip()]
            if not errors:
                continue
            if row["file"] not in lines:
                path = root / row["file"]
                if not path.is_file():
                    raise InputError(f"The MQM annotations name {row['file']}, which is not in {root}.")
                lines[row["file"]] = path.read_text(encoding="utf-8").split("\n")
            german = lines[row["file"]][row["line"] - 1]
            for e in errors:
                if german[e["start"]:e["end"]] != e["span"]:
                    continue  # offsets that do not fit the file: not a placement question
                # the annotated words without the spaces an annotator's selection may hold
                lead = len(e["span"]) - len(e["span"].lstrip())
                words = (e["start"] + lead, e["start"] + lead + len(e["span"].strip()))
                category = e["category"].rstrip("!")  # the raters' "Non-translation!" is GEMBA's "non-translation"
                for name, quote in QUOTINGS.items():
                    answer = f"Major:\n{category} - \"{quote(e['span'].strip())}\" - a reason\n"
                    assessment = parse(answer)
                    quoted = assessment.errors[0].span if assessment and assessment.errors else ""
                    found = occurrences(german, quoted)
                    placed = found[0] if found else None
                    c = counts[name]
                    c["spans"] += 1
                    if placed is None:
                        c["not placed"] += 1
                    elif placed == words:
                        c["exactly"] += 1
                    elif german[placed[0]:placed[1]].casefold() == e["span"].strip().casefold():
                        c["elsewhere"] += 1
                    else:
                        c["other words"] += 1
                    if len(found) > 1:
                        c["standing more than once"] += 1
    out = {}
    for name, c in counts.items():
        n = c["spans"]
        share = (lambda k: round(c[k] / n, 4)) if n else (lambda k: 0.0)
        out[name] = {"spans": n, "exactly": share("exactly"), "elsewhere (said)": share("elsewhere"),
                     "other words": share("other words"), "not placed (said)": share("not placed"),
                     "standing more than once": share("standing more than once")}
    return out
