"""Drift measured on DEMETR, and the model fitted on it.

Every ``DIR/drift/*.jsonl`` is read (``demetr-de.jsonl``: German source sentences;
``demetr-multi.jsonl``: seven other source languages, field ``lang_tag``).  Each row has a
human English reference (``eng_sent``, the source here), a meaning-preserving English MT
(``mt_sent``) and that MT with one perturbation (``pert_sent``), graded critical / major /
minor.  The MT and the perturbed MT play the back-translation.  Rows whose perturbation
did not apply (``pert_check`` false, or a perturbed sentence equal to the MT) and the
``base`` rows are left out.  The comparison is English against English, so the source
language does not matter to the scorer, and it is the natural split to measure how the
scorer generalises: fit on some languages, measure on the one left out.

Figures (``measure``):

* pairwise accuracy per severity: drift(source, perturbed) > drift(source, MT);
* with the configuration given (nothing fitted on the rows measured): the share of the
  meaning-preserving MT rows flagged major and flagged at all, and the share of perturbed
  rows flagged major and at all, per severity;
* an oracle: the share of perturbed rows above the threshold that flags 5% of the MT rows
  of the rows measured (fitted on them, so only an upper bound).

The model (``fit``) is a logistic regression over the signals of ``drift.features`` with
non-negative weights (every signal can only raise drift), class-balanced between the
meaning-preserving MT rows and the critical perturbed rows; the major threshold flags at
most ``MAJOR_RATE`` of the MT rows it was fitted on, the minor one ``MINOR_RATE``.
``leave_one_language_out`` fits it without each language in turn and measures it on that
language: the figures that hold on text the model never saw.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
from collections import defaultdict
from pathlib import Path

from ..config import load_config
from ..judge.drift import features, score_features
from ..errors import InputError

SEVERITIES = ("critical", "major", "minor")
FALSE_FLAG_RATE = 0.05
# The thresholds: at most this share of the MT rows the model is fitted on is flagged.
# 4% (not 5%) leaves room for the variation between languages measured with
# leave_one_language_out, so that left-out languages stay within 5% on average.
MAJOR_RATE = 0.04
MINOR_RATE = 0.10
# Inverse L2 strength of the fit (on standardised features).
REGULARISATION = 1.0
# Signals computed and shown but not scored: the leave-one-language-out ablation
# (`mt-audit eval drift DIR --ablation`) found no left-out figure they raise.
UNSCORED: tuple[str, ...] = ()
_REQUIRED = {"eng_sent", "mt_sent", "pert_sent", "severity"}


# --- reading the rows -------------------------------------------------------------------

def drift_files(directory: str | Path) -> list[Path]:
    files = sorted((Path(directory) / "drift").glob("*.jsonl"))
    if not files:
        raise InputError(f"No drift files (*.jsonl) under {Path(directory) / 'drift'}.")
    return files


def drift_rows(directory: str | Path) -> list[dict]:
    """The usable rows of every drift file, with their file and language."""
    from .data import _quiet

    from datasets import load_dataset

    _quiet()
    rows = []
    for path in drift_files(directory):
        try:
            dataset = load_dataset("json", data_files=str(path), split="train")
        except Exception as err:  # datasets raises several types for malformed JSON
            raise InputError(f"The drift file {path} is not JSON lines ({type(err).__name__}).") from None
        missing = _REQUIRED - set(dataset.column_names)
        if missing:
            raise InputError(f"The drift file {path} lacks the field(s) {', '.join(sorted(missing))}.")
        default_language = path.stem.removeprefix("demetr-")
        for index, row in enumerate(dataset):
            if row["severity"] not in SEVERITIES or row.get("pert_check") is False or row["pert_sent"] == row["mt_sent"]:
                continue
            sentence = row.get("id", index)
            rows.append({"file": path.name, "lang": row.get("lang_tag") or default_language,
                         "sentence": f"{path.name}:{sentence}", "severity": row["severity"],
                         "name": row.get("pert_name") or "", "source": row["eng_sent"], "mt": row["mt_sent"],
                         "pert": row["pert_sent"], "original": row.get("src_sent") or ""})
    return rows


# --- features, computed once per text and kept in a cache --------------------------------

def _fingerprint(files: list[Path]) -> str:
    """What the features depend on: the data and the code and word lists that compute them."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    package = Path(__file__).resolve().parent.parent
    for name in ("judge/drift.py", "text/numbers.py", "text/lexicon.py", "judge/wordnet.py", "judge/embed.py",
                 "judge/signals.py"):
        digest.update((package / name).read_bytes())
    for data in sorted((package / "data").glob("*.toml")):
        if data.name != "thresholds.toml":  # the model and thresholds are not signals
            digest.update(data.read_bytes())
    digest.update(os.environ.get("MT_AUDIT_EMBEDDING_MODEL", "").encode())
    return digest.hexdigest()[:20]


def _cache_dir() -> Path:
    from ..translate.cache import default_cache_dir

    return Path(default_cache_dir()) / "drift-features"


_EMBEDDER = None


def _pair_features(pairs: list[tuple[str, str, str]]) -> list[dict]:
    """Features of (source, back-translation, original) pairs; the embedder is loaded once per process."""
    global _EMBEDDER
    from ..judge.drift import compare
    from ..judge.embed import embedder

    if _EMBEDDER is None:
        _EMBEDDER = embedder() or False
    model = _EMBEDDER or None
    if model is not None:
        model.encode([t for source, back, _ in pairs for t in (source, back)])
    out = []
    for source, back, original in pairs:
        encoded = tuple(model.encode([source, back])) if model is not None else None
        out.append(features(compare(source, back, original, encoded, model)))
    return out


def drift_features(directory: str | Path, workers: int | None = None, use_cache: bool = True) -> list[dict]:
    """The rows of ``drift_rows`` with the features of their MT (``mt``) and perturbed
    (``pert``) pair.  The MT pair of a sentence is computed once; the result is cached
    under the mt-audit cache folder, keyed by the data and the code."""
    files = drift_files(directory)
    cache = _cache_dir() / f"{_fingerprint(files)}.json.gz"
    if use_cache and cache.is_file():
        try:
            with gzip.open(cache, "rt", encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError, EOFError):
            pass  # a damaged cache is computed again
    rows = drift_rows(directory)
    pairs: dict[tuple[str, str, str], int] = {}
    for row in rows:
        for side in ("mt", "pert"):
            pairs.setdefault((row["source"], row[side], row["original"]), len(pairs))
    todo = list(pairs)
    chunks = [todo[i:i + 256] for i in range(0, len(todo), 256)]
    workers = workers or min(2, os.cpu_count() or 1)
    if workers > 1 and len(chunks) > 1:
        from multiprocessing import get_context

        from ..apps.corpus import init_worker

        with get_context("spawn").Pool(workers, initializer=init_worker) as pool:
            computed = [f for part in pool.map(_pair_features, chunks) for f in part]
    else:
        computed = [f for chunk in chunks for f in _pair_features(chunk)]
    out = [{"file": row["file"], "lang": row["lang"], "sentence": row["sentence"], "severity": row["severity"],
            "name": row["name"], "mt": computed[pairs[(row["source"], row["mt"], row["original"])]],
            "pert": computed[pairs[(row["source"], row["pert"], row["original"])]]} for row in rows]
    if use_cache:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache.with_suffix(f".{os.getpid()}.tmp")
            with gzip.open(temporary, "wt", encoding="utf-8") as handle:
                json.dump(out, handle)
            os.replace(temporary, cache)
        except OSError:
            pass  # the cache is an optimisation
    return out


# --- measuring ------------------------------------------------------------------------

def _mt_rows(rows: list[dict]) -> list[dict]:
    """One meaning-preserving MT row per sentence."""
    seen: dict[str, dict] = {}
    for row in rows:
        seen.setdefault(row["sentence"], row["mt"])
    return list(seen.values())


def threshold_at(values: list[float], rate: float) -> float:
    """The lowest threshold t such that at most ``rate`` of ``values`` are above t."""
    ordered = sorted(values, reverse=True)
    allowed = math.floor(rate * len(ordered))
    return ordered[allowed] if allowed < len(ordered) else -math.inf


def _share(flags) -> float:
    flags = list(flags)
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def measure(rows: list[dict], config: dict) -> dict:
    """Pairwise accuracy, flags with the thresholds of ``config``, and the oracle recall."""
    cfg = config["drift"]
    mt_scores = {row["sentence"]: score_features(row["mt"], config) for row in rows}
    pert_scores = [score_features(row["pert"], config) for row in rows]
    oracle = threshold_at(list(mt_scores.values()), FALSE_FLAG_RATE)
    figures: dict = {"pairwise_accuracy": {}, "flag_recall_at_5pct_false_flags": {},
                     "shipped": {"false_major_rate": _share(s >= cfg["major"] for s in mt_scores.values()),
                                 "false_flag_rate": _share(s >= cfg["minor"] for s in mt_scores.values()),
                                 "recall_major": {}, "recall_any": {}},
                     "rows": len(rows), "mt_rows": len(mt_scores)}
    for severity in SEVERITIES:
        chosen = [(row, score) for row, score in zip(rows, pert_scores) if row["severity"] == severity]
        if not chosen:
            continue
        figures["pairwise_accuracy"][severity] = _share(s > mt_scores[r["sentence"]] for r, s in chosen)
        figures["flag_recall_at_5pct_false_flags"][severity] = _share(s > oracle for _, s in chosen)
        figures["shipped"]["recall_major"][severity] = _share(s >= cfg["major"] for _, s in chosen)
        figures["shipped"]["recall_any"][severity] = _share(s >= cfg["minor"] for _, s in chosen)
    return figures


def _grouped(rows: list[dict], key: str) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return dict(sorted(groups.items()))


def measure_all(rows: list[dict], config: dict) -> dict:
    """``measure`` over all rows, and by file, language and perturbation."""
    figures = measure(rows, config)
    figures["by_file"] = {name: measure(part, config) for name, part in _grouped(rows, "file").items()}
    figures["by_language"] = {name: measure(part, config) for name, part in _grouped(rows, "lang").items()}
    figures["by_perturbation"] = {}
    for name, part in _grouped(rows, "name").items():
        one = measure(part, config)
        severity = part[0]["severity"]
        figures["by_perturbation"][name] = {
            "severity": severity, "rows": one["rows"],
            "pairwise_accuracy": one["pairwise_accuracy"].get(severity),
            "recall_major": one["shipped"]["recall_major"].get(severity),
            "recall_any": one["shipped"]["recall_any"].get(severity)}
    return figures


# --- fitting ---------------------------------------------------------------------------

def _signal_names(rows: list[dict], unscored: tuple[str, ...]) -> list[str]:
    return sorted({k for r in rows for side in ("mt", "pert") for k in r[side]} - set(unscored))


def fit(rows: list[dict], unscored: tuple[str, ...] = UNSCORED) -> dict:
    """The ``[drift]`` model fitted on ``rows``: intercept, weights, major and minor thresholds.

    A logistic regression telling the meaning-preserving MT rows (one per sentence) from
    the critical perturbed rows, the two classes weighted equally, on standardised
    features with an L2 penalty and non-negative weights (a signal may raise drift or be
    left out, never lower it: what grows with a change of meaning must not hide one).
    The weights are returned for the raw features.  Thresholds: major flags at most
    ``MAJOR_RATE`` of the MT rows, minor ``MINOR_RATE``.
    """
    import numpy as np

    from .logistic import fit_non_negative

    names = _signal_names(rows, unscored)
    mt = _mt_rows(rows)
    drifted = [r["pert"] for r in rows if r["severity"] == "critical"] or [r["pert"] for r in rows]

    def matrix(items):
        return np.array([[item.get(k, 0.0) for k in names] for item in items], dtype=float)

    x = np.vstack([matrix(mt), matrix(drifted)])
    y = np.concatenate([np.zeros(len(mt)), np.ones(len(drifted))])
    raw, intercept = fit_non_negative(x, y, REGULARISATION)
    model = {"intercept": round(intercept, 5),
             "weights": {k: round(float(v), 5) for k, v in zip(names, raw) if round(float(v), 5) != 0.0}}
    config = load_config()
    config["drift"].update(model, major=0.5, minor=0.5)
    scores = [score_features(m, config) for m in mt]
    # Flags use ">=": the thresholds sit just above the last MT row they leave alone.
    model["major"] = round(min(0.9999, threshold_at(scores, MAJOR_RATE) + 1e-4), 4)
    model["minor"] = round(min(model["major"], threshold_at(scores, MINOR_RATE) + 1e-4), 4)
    return model


def fitted_config(rows: list[dict], unscored: tuple[str, ...] = UNSCORED) -> dict:
    config = load_config()
    config["drift"].update(fit(rows, unscored))
    return config


def leave_one_language_out(rows: list[dict], unscored: tuple[str, ...] = UNSCORED) -> dict:
    """For each language: the model fitted without it, measured on it; and the average
    over the left-out languages (each language counts once)."""
    by_language = {}
    languages = sorted({r["lang"] for r in rows})
    if len(languages) < 2:
        return {}
    for language in languages:
        config = fitted_config([r for r in rows if r["lang"] != language], unscored)
        by_language[language] = measure([r for r in rows if r["lang"] == language], config)
    return {"by_language": by_language, "average": _average(list(by_language.values()))}


def _average(figures: list[dict]) -> dict:
    """The mean of each number over ``figures`` (nested dictionaries of the same shape)."""
    first = figures[0]
    out: dict = {}
    for key, value in first.items():
        if isinstance(value, dict):
            out[key] = _average([f[key] for f in figures if key in f])
        elif isinstance(value, (int, float)):
            out[key] = round(sum(f.get(key, 0) for f in figures) / len(figures), 4)
    return out


def ablation(rows: list[dict]) -> dict:
    """Left-out-language figures on critical rows with every signal scored, and with each
    one left out (the model refitted without it): a signal earns its place when leaving it
    out lowers a figure."""
    def critical(unscored):
        average = leave_one_language_out(rows, unscored).get("average", {})
        shipped = average.get("shipped", {})
        return {"pairwise": average.get("pairwise_accuracy", {}).get("critical"),
                "recall major": shipped.get("recall_major", {}).get("critical"),
                "false major": shipped.get("false_major_rate")}

    out = {"all signals": critical(UNSCORED)}
    for name in _signal_names(rows, ()):
        out[f"- {name}"] = critical(tuple(set(UNSCORED) | {name}))
    return out


def tuned_toml(tuned: dict, directory) -> str:
    """The ``[drift]`` section of a configuration file with the fitted values."""
    lines = [f"# Fitted by `mt-audit eval drift {directory} --tune FILE` (DEMETR development rows).",
             "[drift]",
             "# drift = 1 / (1 + exp(-(intercept + sum of weight * signal))): how likely the passage changed",
             "# meaning.  A passage at or above `major` / `minor` is flagged (major: at most",
             f"# {MAJOR_RATE:.0%} of the meaning-preserving MT rows fitted on; minor: {MINOR_RATE:.0%}).",
             f"major = {tuned['major']}", f"minor = {tuned['minor']}", f"intercept = {tuned['intercept']}", "",
             "[drift.weights]"]
    lines += [f"{k} = {v}" for k, v in sorted(tuned["weights"].items())]
    return "\n".join(lines) + "\n"
