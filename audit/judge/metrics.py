"""Surface metrics of a back-translation against its source: sacrebleu chrF, BLEU and TER
at sentence level, and their signatures for the reports."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _metrics():
    from sacrebleu.metrics import BLEU, CHRF, TER

    metrics = CHRF(), BLEU(effective_order=True), TER()
    for metric in metrics:
        # A signature records the number of references, known only after one scoring.
        metric.corpus_score(["a"], [["a"]])
    return metrics


def surface_scores(hypothesis: str, reference: str) -> dict[str, float]:
    chrf, bleu, ter = _metrics()
    return {
        "chrf": round(chrf.sentence_score(hypothesis, [reference]).score, 2),
        "bleu": round(bleu.sentence_score(hypothesis, [reference]).score, 2),
        "ter": round(ter.sentence_score(hypothesis, [reference]).score, 2),
    }


def metric_signatures() -> dict[str, str]:
    chrf, bleu, ter = _metrics()
    return {"chrf": str(chrf.get_signature()), "bleu": str(bleu.get_signature()), "ter": str(ter.get_signature())}
