"""Sentence alignment measured against the Text+Berg gold links."""
from __future__ import annotations

import json
from pathlib import Path

from ..align.aligner import AlignParams, align_sentences, model_free
from ..align.crosslingual import encoder, sentence_vectors
from ..errors import InputError
from .scoring import prf


def score_links(predicted: list[tuple[tuple[int, ...], tuple[int, ...]]],
                gold: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> dict[str, dict[str, float]]:
    """Strict (the exact link) and lax (any overlap on both sides) P/R/F1, as in the
    Bleualign evaluation; links with an empty side are not counted."""
    predicted = [p for p in predicted if p[0] and p[1]]
    gold = [g for g in gold if g[0] and g[1]]
    gold_set = set(gold)
    strict = sum(1 for p in predicted if p in gold_set)

    def overlaps(a, b) -> bool:
        return bool(set(a[0]) & set(b[0])) and bool(set(a[1]) & set(b[1]))

    lax_precision = sum(1 for p in predicted if any(overlaps(p, g) for g in gold))
    lax_recall = sum(1 for g in gold if any(overlaps(p, g) for p in predicted))
    return {"strict": prf(strict, strict, len(predicted), len(gold)),
            "lax": prf(lax_precision, lax_recall, len(predicted), len(gold))}


def _keyed(links):
    """Links of several documents as one list: the document number folded into both sides."""
    return [(tuple((n, i) for i in a), tuple((n, j) for j in b)) for n, a, b in links]


def _score(documents, params: AlignParams | None, embedded: bool = False) -> dict:
    predicted, gold = [], []
    for number, (translated, target, links) in enumerate(documents):
        vectors = sentence_vectors(translated, target) if embedded else None
        beads = align_sentences(translated, target, params, vectors=vectors)
        predicted += [(number, tuple(a), tuple(b)) for a, b, _ in beads]
        gold += [(number, tuple(a), tuple(b)) for a, b in links]
    return score_links(_keyed(predicted), _keyed(gold))


def textberg_documents(directory: str | Path) -> list:
    path = Path(directory) / "alignment" / "textberg.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [(list(map(str, doc["source_translated"])), list(map(str, doc["target"])),
                 [(tuple(map(int, a)), tuple(map(int, b))) for a, b in doc["gold"]])
                for doc in data["documents"]]
    except FileNotFoundError:
        raise InputError(f"The alignment gold file {path} does not exist.") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InputError(f"The alignment gold file {path} is not in the expected format.") from None


def eval_alignment(directory: str | Path, params: AlignParams | None = None, news: bool = True) -> dict:
    """Strict and lax P/R/F1 on Text+Berg and, where ``DIR/precision`` exists, on the news
    set built from it (per year, model-free and translated paths), with seconds taken.  With
    the multilingual encoder installed the model-free path is measured with it (as audits
    run) and again on surface forms alone ("model-free surface")."""
    import time

    from .news_alignment import news_documents

    figures = {}
    start = time.perf_counter()
    figures["textberg"] = {**_score(textberg_documents(directory), params),
                           "seconds": round(time.perf_counter() - start, 1)}
    if news and (Path(directory) / "precision").is_dir():
        for name, documents in news_documents(directory).items():
            paths = [("model-free", "german", encoder() is not None), ("translated", "stand_in", False)]
            if paths[0][2]:
                paths.insert(1, ("model-free surface", "german", False))
            for path, side, embedded in paths:
                start = time.perf_counter()
                chosen = model_free(params or AlignParams(), embedded) if side == "german" else params
                scored = _score([(d[side], d["english"], d["gold"]) for d in documents], chosen, embedded)
                figures[f"news {name} {path}"] = {**scored, "seconds": round(time.perf_counter() - start, 1)}
    return figures
