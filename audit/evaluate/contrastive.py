"""Model-free source-vs-German checks measured on contrastive sets.

Each set (``DIR/contrastive/<set>/``) has line-aligned English sources, correct German
and German with a negation or a clause removed.  A line counts as flagged when
``crosscheck.check_pair`` raises any issue for it, exactly as ``mt-audit check --source``
would for an aligned passage: recall on the incorrect German, false alarms on the
correct German.
"""
from __future__ import annotations

from ..config import load_config
from ..judge.sourcechecks import check_pair
from .data import contrastive_dataset, contrastive_sets


def _flags(batch: dict, config: dict) -> dict:
    out = {"flag_correct": [], "flag_incorrect": []}
    for source, correct, incorrect in zip(batch["source"], batch["correct"], batch["incorrect"]):
        out["flag_correct"].append(bool(check_pair(source, correct, config)))
        out["flag_incorrect"].append(bool(check_pair(source, incorrect, config)))
    return out


def eval_contrastive(directory, config: dict | None = None) -> dict:
    config = config or load_config()
    figures = {}
    for name, folder in contrastive_sets(directory):
        dataset = contrastive_dataset(folder).map(_flags, batched=True, batch_size=256,
                                                  fn_kwargs={"config": config}, load_from_cache_file=False,
                                                  keep_in_memory=True)
        n = len(dataset)
        figures[name] = {"recall": round(sum(dataset["flag_incorrect"]) / n, 4) if n else 0.0,
                         "false_alarm_rate": round(sum(dataset["flag_correct"]) / n, 4) if n else 0.0,
                         "pairs": n}
    return figures
