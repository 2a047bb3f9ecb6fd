"""Drift measured on DEMETR (German-source subset), and the weights fitted on it.

Each row has a human English reference (``eng_sent``, the source here), a
meaning-preserving English MT (``mt_sent``) and that MT with one perturbation
(``pert_sent``), graded critical / major / minor.  The MT and the perturbed MT play
the back-translation.  Rows whose perturbation did not apply (``pert_check`` false,
or a perturbed sentence equal to the MT) and the ``base`` rows are left out.

* pairwise accuracy: drift(source, perturbed) > drift(source, MT), per severity;
* flag recall: the share of perturbed rows above the threshold that flags at most 5%
  of the (distinct) MT rows, per severity.
"""
from __future__ import annotations

import math

from ..config import load_config
from ..drift import compare, features, score_features
from .data import drift_dataset

SEVERITIES = ("critical", "major", "minor")
FALSE_FLAG_RATE = 0.05


def _signals(batch: dict, embedder) -> dict:
    """``datasets.map`` over a batch: drift signals of (source, MT) and (source, perturbed)."""
    out = {"mt": [], "pert": []}
    if embedder is not None:
        embedder.encode(batch["eng_sent"] + batch["mt_sent"] + batch["pert_sent"])
    for src, mt, pert, german in zip(batch["eng_sent"], batch["mt_sent"], batch["pert_sent"], batch["src_sent"]):
        for key, hyp in (("mt", mt), ("pert", pert)):
            encoded = tuple(embedder.encode([src, hyp])) if embedder is not None else None
            out[key].append(features(compare(src, hyp, german, encoded, embedder)))
    return out


def drift_features(directory, embedder=None) -> list[dict]:
    """Rows with the features of their MT and perturbed pair."""
    dataset = drift_dataset(directory)
    if "src_sent" not in dataset.column_names:
        dataset = dataset.add_column("src_sent", [""] * len(dataset))
    dataset = dataset.filter(lambda row: row["severity"] in SEVERITIES and row.get("pert_check", True) is not False
                             and row["pert_sent"] != row["mt_sent"])
    # An explicit fingerprint: datasets would otherwise try to hash the embedding model.
    dataset = dataset.map(_signals, batched=True, batch_size=64, fn_kwargs={"embedder": embedder},
                          load_from_cache_file=False, keep_in_memory=True,
                          new_fingerprint=f"drift-signals-{dataset._fingerprint}-{embedder is not None}")
    return [{"id": r.get("id"), "severity": r["severity"], "name": r.get("pert_name", ""),
             "mt": {k: v for k, v in r["mt"].items() if v is not None},
             "pert": {k: v for k, v in r["pert"].items() if v is not None}} for r in dataset]


def _mt_rows(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        key = row["id"] if row["id"] is not None else repr(sorted(row["mt"].items()))
        if key not in seen:
            seen.add(key)
            out.append(row["mt"])
    return out


def threshold_at(values: list[float], rate: float = FALSE_FLAG_RATE) -> float:
    """The lowest threshold t such that at most ``rate`` of ``values`` are above t."""
    ordered = sorted(values, reverse=True)
    allowed = math.floor(rate * len(ordered))
    return ordered[allowed] if allowed < len(ordered) else -math.inf


def measure(rows: list[dict], config: dict) -> dict:
    def drift(feats):
        return score_features(feats, config)

    mt_scores = [drift(m) for m in _mt_rows(rows)]
    threshold = threshold_at(mt_scores)
    pairwise, recall = {}, {}
    for severity in SEVERITIES:
        chosen = [r for r in rows if r["severity"] == severity]
        if not chosen:
            continue
        pairwise[severity] = round(sum(drift(r["pert"]) > drift(r["mt"]) for r in chosen) / len(chosen), 4)
        recall[severity] = round(sum(drift(r["pert"]) > threshold for r in chosen) / len(chosen), 4)
    return {"pairwise_accuracy": pairwise, "flag_recall_at_5pct_false_flags": recall,
            "threshold": round(threshold, 4),
            "false_flag_rate": round(sum(s > threshold for s in mt_scores) / len(mt_scores), 4),
            "config_major_false_flag_rate": round(
                sum(s >= config["drift"]["major"] for s in mt_scores) / len(mt_scores), 4),
            "rows": len(rows), "mt_rows": len(mt_scores)}


def fit(rows: list[dict], max_evidence_false_flags: float = 0.02) -> dict:
    """Weights and thresholds fitted on the rows of ``drift_features``.

    Weights: a logistic regression without intercept on feature differences
    (perturbed minus MT) of critical and major rows, i.e. a linear score that ranks the
    perturbed sentence above its MT.  Evidence: each signal's level that at most
    ``max_evidence_false_flags`` of the MT rows pass, kept (greedily) where a fixed
    weight past it raises critical recall.  Thresholds: ``major`` flags at most 5% of
    the MT rows, ``minor`` at most 10%.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    names = sorted({k for r in rows for side in ("mt", "pert") for k in r[side]})
    train = [r for r in rows if r["severity"] in ("critical", "major")]

    def vector(feats):
        return np.array([feats.get(k, 0.0) for k in names])

    diffs = np.array([vector(r["pert"]) - vector(r["mt"]) for r in train])
    scale = np.abs(diffs).mean(axis=0) + 1e-9
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=10_000)
    model.fit(np.vstack([diffs / scale, -diffs / scale]), [1] * len(diffs) + [0] * len(diffs))
    coefficients = model.coef_[0] / scale
    norm = float(np.abs(coefficients).sum()) or 1.0
    weights = {k: round(float(c) / norm, 5) for k, c in zip(names, coefficients)}
    mt_rows = _mt_rows(rows)
    config = load_config()
    config["drift"]["weights"] = weights
    config["drift"]["evidence"] = {}
    base = [score_features(m, config) for m in mt_rows]
    lift = round(max(base) - min(base) + 0.01, 4)
    critical = [r for r in rows if r["severity"] == "critical"] or train

    def critical_recall(evidence: dict) -> float:
        config["drift"]["evidence"] = evidence
        threshold = threshold_at([score_features(m, config) for m in mt_rows])
        return sum(score_features(r["pert"], config) > threshold for r in critical) / len(critical)

    # Evidence levels: the value that at most max_evidence_false_flags of the MT rows pass.
    levels = {k: threshold_at([m.get(k, 0.0) for m in mt_rows], max_evidence_false_flags) for k in names}

    def rule(kind: str) -> dict:
        return {"above": round(levels[kind], 4), "weight": lift}

    evidence: dict = {}
    best = critical_recall(evidence)
    while True:  # greedy: add the evidence that raises critical recall most
        trials = {k: critical_recall({**evidence, k: rule(k)}) for k in names if k not in evidence}
        if not trials:
            break
        kind, recall = max(trials.items(), key=lambda kv: (kv[1], kv[0]))
        if recall <= best + 0.005:
            break
        evidence[kind] = rule(kind)
        best = recall
    config["drift"]["evidence"] = evidence
    scores = [score_features(m, config) for m in mt_rows]
    major = threshold_at(scores, FALSE_FLAG_RATE)
    minor = threshold_at(scores, 2 * FALSE_FLAG_RATE)
    # The flags use ">=": the thresholds sit just above the last MT row they leave alone.
    return {"weights": weights, "evidence": evidence,
            "major": round(major + 1e-4, 4), "minor": round(minor + 1e-4, 4)}


def tuned_toml(tuned: dict, directory) -> str:
    """The ``[drift]`` section of a configuration file with the fitted values."""
    lines = [f"# Fitted by `mt-audit eval drift {directory} --tune FILE` (DEMETR development rows).",
             "[drift]",
             "# A passage whose drift is at or above these is flagged (major: at most 5% of the",
             "# meaning-preserving MT rows of the development data; minor: at most 10%).",
             f"major = {tuned['major']}", f"minor = {tuned['minor']}", "",
             "# drift = sum of weight * signal (signals oriented so that larger means more drift)",
             "[drift.weights]"]
    lines += [f"{k} = {v}" for k, v in sorted(tuned["weights"].items())]
    lines += ["", "# plus `weight` for each signal above its evidence level (`above`)", "[drift.evidence]"]
    lines += [f'{k} = {{ above = {v["above"]}, weight = {v["weight"]} }}' for k, v in sorted(tuned["evidence"].items())]
    return "\n".join(lines) + "\n"
