"""Segmentation measured: boundary precision / recall / F1 and kind accuracy.

Two kinds of gold:

* an article segmented by hand (``<article>.gold.jsonl`` beside it, one unit per
  line: ``{"kind": ..., "text": ...}``), audited exactly as ``mt-audit check`` reads it;
* German news sentences from the contrastive sets (``DIR/contrastive/*/tgt.correct.de``,
  WMT news test sentences), joined into paragraphs and split again.  Only lines that
  are one sentence by a conservative test independent of the segmenter (a sentence
  mark at the end, no sentence mark followed by a capitalised word inside) are used,
  so every line end is a gold boundary and nothing else is.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import InputError
from .data import contrastive_sets, read_lines
from .scoring import prf

# Inside a line: a sentence mark after a word, optional closing quote/bracket, space,
# then an opening quote or a capital: a possible second sentence, so the line is left
# out.  A full stop after a day number ("am 2. Oktober") is an ordinal, not an end.
_INNER_END = re.compile(r"[.!?…][\"“”»«')\]*]*\s*[„\"“»«(\[*]*[A-ZÄÖÜ0-9]")
_MONTHS = ("Januar", "Jänner", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember")
_ORDINAL_DATE = re.compile(r"\b\d{1,2}\. (?=(?:%s)\b)" % "|".join(_MONTHS))
_FINAL_END = re.compile(r"[.!?…][\"“”»«')\]]*$")
PARAGRAPH_LINES = 5


def single_sentence(line: str) -> bool:
    line = line.strip()
    inner = _ORDINAL_DATE.sub("", line)
    return bool(line) and bool(_FINAL_END.search(line)) and not _INNER_END.search(inner)


def boundary_counts(gold: list[tuple[int, int]], predicted: list[tuple[int, int]]) -> tuple[int, int, int]:
    """(hits, predicted, gold) over the sentence boundaries of one text: the end offsets
    of all its units but the last."""
    def ends(spans):
        return {b for _, b in sorted(spans)[:-1]}

    g, p = ends(gold), ends(predicted)
    return len(g & p), len(p), len(g)


def boundary_scores(texts: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]) -> dict[str, float]:
    """Boundary P/R/F1 summed over (gold spans, predicted spans) of several texts."""
    hits = predicted = gold = 0
    for g, p in texts:
        h, np_, ng = boundary_counts(g, p)
        hits, predicted, gold = hits + h, predicted + np_, gold + ng
    return prf(hits, hits, predicted, gold)


def gold_spans(text: str, units: list[dict], gold_path: Path) -> list[tuple[int, int, str]]:
    """Locate each gold unit in ``text``, in order."""
    spans, pos = [], 0
    for number, unit in enumerate(units, 1):
        at = text.find(unit["text"], pos)
        if at < 0:
            raise InputError(f"Unit {number} of {gold_path} does not occur in the article in order.")
        spans.append((at, at + len(unit["text"]), unit["kind"]))
        pos = at + len(unit["text"])
    return spans


def eval_article(article: str | Path) -> dict:
    from ..text.ingest import ingest
    from ..text.segment import segment_document

    article = Path(article)
    gold_path = article.with_name(article.name.rsplit(".", 1)[0] + ".gold.jsonl")
    try:
        units = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError:
        raise InputError(f"The hand segmentation {gold_path} does not exist.") from None
    except json.JSONDecodeError:
        raise InputError(f"The hand segmentation {gold_path} is not JSON lines.") from None
    doc = ingest(article)
    segment_document(doc)
    gold = gold_spans(doc.text, units, gold_path)
    predicted = {(s.start, s.end): s.kind for s in doc.segments}
    figures = boundary_scores([([(a, b) for a, b, _ in gold], list(predicted))])
    figures["kind_accuracy"] = round(sum(predicted.get((a, b)) == k for a, b, k in gold) / len(gold), 4)
    figures["units"] = len(gold)
    return figures


def eval_news_text(directory: str | Path) -> dict:
    from ..text.segment import segmenter

    lines: list[str] = []
    seen = set()
    total = 0
    for _, folder in contrastive_sets(directory):
        for line in read_lines(folder / "tgt.correct.de"):
            total += 1
            line = line.strip()
            if line not in seen and single_sentence(line):
                seen.add(line)
                lines.append(line)
    german = segmenter("de")
    texts = []
    for number in range(0, len(lines), PARAGRAPH_LINES):
        group = lines[number:number + PARAGRAPH_LINES]
        pos, spans = 0, []
        for line in group:
            spans.append((pos, pos + len(line)))
            pos += len(line) + 1
        texts.append((spans, german.spans(" ".join(group))))
    figures = boundary_scores(texts)
    figures["sentences"] = len(lines)
    figures["lines_read"] = total
    return figures


def eval_segmentation(directory: str | Path, articles: list[str | Path]) -> dict:
    figures = {Path(a).name: eval_article(a) for a in articles}
    figures["news-text"] = eval_news_text(directory)
    return figures
