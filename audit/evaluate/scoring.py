"""Precision / recall / F1 shared by the evaluations."""
from __future__ import annotations


def prf(precision_hits: int, recall_hits: int, predicted: int, gold: int) -> dict[str, float]:
    """P/R/F1 where a hit may count differently for precision and recall (lax scoring)."""
    precision = precision_hits / predicted if predicted else 0.0
    recall = recall_hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
