"""Model-free source-vs-German checks against expert MQM annotations.

``DIR/mqm/mqm_ted_ende.seglevel.tsv`` has one row per system and segment of English→German
TED talk translations (14 systems, the human reference among them) with its MQM penalty
and whether a rater marked a major accuracy error.  A segment counts as flagged when
``crosscheck.check_pair`` raises any issue for it, exactly as ``mt-audit check --source``
would for an aligned passage: the share flagged among segments with a major accuracy
error, and among segments the raters found no error in (false flags), per check.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..config import load_config
from ..judge.sourcechecks import check_pair
from ..errors import InputError
from .data import mqm_dataset


def _checks(batch: dict, config: dict) -> dict:
    return {"checks": [sorted({issue.category for issue in check_pair(source, german, config)})
                       for source, german in zip(batch["source_en"], batch["target_de"])]}


def eval_mqm(directory: str | Path, config: dict | None = None) -> dict:
    from datasets import List, Value

    config = config or load_config()
    dataset = mqm_dataset(directory)
    # the column's type given, not inferred: a first batch with no issue at all is typed null
    features = dataset.features.copy()
    features["checks"] = List(Value("string"))
    dataset = dataset.map(_checks, batched=True, batch_size=256, fn_kwargs={"config": config}, features=features,
                          load_from_cache_file=False, keep_in_memory=True)
    try:
        major = [row["checks"] for row in dataset if int(row["major_accuracy"]) == 1]
        clean = [row["checks"] for row in dataset if float(row["mqm_penalty"]) == 0]
    except (TypeError, ValueError):
        raise InputError("The MQM file has a major_accuracy or mqm_penalty that is not a number.") from None

    def rate(rows: list[list[str]]) -> float:
        return round(sum(bool(r) for r in rows) / len(rows), 4) if rows else 0.0

    by_check = Counter(check for row in clean for check in row)
    return {"major_accuracy_error": {"segments": len(major), "flag_rate": rate(major)},
            "no_error": {"segments": len(clean), "flag_rate": rate(clean)},
            "no_error_by_check": {check: round(count / len(clean), 4) for check, count in sorted(by_check.items())}
            if clean else {}}
