"""Findings on good professional translations (``DIR/precision/<set>/<doc>.{de,en}.txt``).

Every German document is audited with its English source exactly as ``mt-audit check
DOC.de.txt --source DOC.en.txt`` does, with the configuration given (the shipped one by
default) and no model unless one is asked for.  These are translations an editor would
publish, so nearly every finding is a false alarm: the figure that matters is findings per
1000 German words, above all major ones (the gate fails on those).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..document import MAJOR, MINOR
from ..errors import InputError


def precision_sets(directory: str | Path) -> list[tuple[str, list[tuple[Path, Path | None]]]]:
    """(set name, [(German file, English source or None)]) for every set, sorted."""
    root = Path(directory) / "precision"
    sets = []
    for folder in sorted(p for p in root.glob("*") if p.is_dir()):
        pairs = []
        for german in sorted(folder.glob("*.de.txt")):
            source = german.with_name(german.name[: -len(".de.txt")] + ".en.txt")
            pairs.append((german, source if source.is_file() else None))
        if pairs:
            sets.append((folder.name, pairs))
    if not sets:
        raise InputError(f"No precision sets (folders with NAME.de.txt) under {root}.")
    return sets


def _figures(words: int, documents: int, counts: Counter) -> dict:
    per_1000 = (lambda n: round(1000 * n / words, 3)) if words else (lambda n: 0.0)
    checks = sorted({check for check, _ in counts})
    major = sum(n for (_, sev), n in counts.items() if sev == MAJOR)
    return {
        "documents": documents,
        "words": words,
        "major": major,
        "findings": sum(counts.values()),
        "major_per_1000": per_1000(major),
        "all_per_1000": per_1000(sum(counts.values())),
        "by_check": {check: {"major": counts[(check, MAJOR)], "minor": counts[(check, MINOR)],
                             "per_1000": per_1000(counts[(check, MAJOR)] + counts[(check, MINOR)])}
                     for check in checks},
    }


def eval_precision(directory: str | Path, auditor) -> dict:
    """Findings per 1000 German words, per set and over all sets, and every major finding."""
    figures: dict = {}
    total_counts: Counter = Counter()
    total_words = total_docs = 0
    majors = []
    for name, pairs in precision_sets(directory):
        counts: Counter = Counter()
        words = 0
        for german, source in pairs:
            doc = auditor.audit(german, source)
            words += len(doc.text.split())
            for f in doc.findings:
                counts[(f.check, f.severity)] += 1
                if f.severity == MAJOR:
                    majors.append({"set": name, "document": german.name, "check": f.check, "text": f.text,
                                   "message": f.message})
        figures[name] = _figures(words, len(pairs), counts)
        total_counts.update(counts)
        total_words += words
        total_docs += len(pairs)
    figures["all"] = _figures(total_words, total_docs, total_counts)
    figures["major_findings"] = majors
    return figures
