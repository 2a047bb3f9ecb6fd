"""Evaluation data, read from local files with ``datasets`` (no network).

The folder layout is that of ``../shared/eval``; a held-out half with the same layout
is measured by pointing the commands at it.
"""
from __future__ import annotations

import logging
from pathlib import Path

from ..errors import InputError


def _quiet() -> None:
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    logging.getLogger("datasets").setLevel(logging.ERROR)


def _require(path: Path, what: str) -> Path:
    if not path.is_file():
        raise InputError(f"The {what} file {path} does not exist.")
    return path


def read_lines(path: Path) -> list[str]:
    """The lines of a text file, through the ``datasets`` text loader."""
    from datasets import load_dataset

    _quiet()
    dataset = load_dataset("text", data_files=str(_require(path, "evaluation")), split="train")
    return list(dataset["text"])


def contrastive_sets(directory: str | Path) -> list[tuple[str, Path]]:
    """(name, folder) of every contrastive set under DIR/contrastive, sorted by name."""
    root = Path(directory) / "contrastive"
    sets = sorted((p.name, p) for p in root.glob("*") if (p / "src.en").is_file())
    if not sets:
        raise InputError(f"No contrastive sets (folders with src.en) under {root}.")
    return sets


def contrastive_dataset(folder: Path):
    """One contrastive set as a ``datasets.Dataset`` with columns source, correct, incorrect."""
    from datasets import Dataset

    columns = {name: read_lines(folder / file) for name, file in
               (("source", "src.en"), ("correct", "tgt.correct.de"), ("incorrect", "tgt.incorrect.de"))}
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise InputError(f"The files of the contrastive set {folder} are not line-aligned.")
    return Dataset.from_dict(columns)


def drift_dataset(directory: str | Path):
    """DEMETR rows (DIR/drift/demetr-de.jsonl) as a ``datasets.Dataset``."""
    from datasets import load_dataset

    _quiet()
    path = _require(Path(directory) / "drift" / "demetr-de.jsonl", "drift")
    try:
        dataset = load_dataset("json", data_files=str(path), split="train")
    except Exception as err:  # datasets raises several types for malformed JSON
        raise InputError(f"The drift file {path} is not JSON lines ({type(err).__name__}).") from None
    missing = {"eng_sent", "mt_sent", "pert_sent", "severity"} - set(dataset.column_names)
    if missing:
        raise InputError(f"The drift file {path} lacks the field(s) {', '.join(sorted(missing))}.")
    return dataset


def mqm_dataset(directory: str | Path):
    """MQM segment rows (DIR/mqm/mqm_ted_ende.seglevel.tsv) as a ``datasets.Dataset``."""
    from datasets import load_dataset

    _quiet()
    path = _require(Path(directory) / "mqm" / "mqm_ted_ende.seglevel.tsv", "MQM")
    try:
        dataset = load_dataset("csv", data_files=str(path), delimiter="\t", split="train",
                               keep_default_na=False)
    except Exception as err:  # datasets and pandas raise several types for malformed files
        raise InputError(f"The MQM file {path} is not tab-separated ({type(err).__name__}).") from None
    missing = {"source_en", "target_de", "major_accuracy", "mqm_penalty"} - set(dataset.column_names)
    if missing:
        raise InputError(f"The MQM file {path} lacks the column(s) {', '.join(sorted(missing))}.")
    return dataset
