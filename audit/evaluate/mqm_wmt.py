"""Real machine-translation errors: expert MQM annotations of English→German MT output
(``DIR/mqm-wmt23``: ``SYSTEM__DOC.de.txt`` with ``SYSTEM__DOC.en.txt``, one paragraph per
line, and ``gold.jsonl``, one row per German line with its error spans and the published
QE metrics' scores as ``anchors``).

Every file pair is audited exactly as ``mt-audit check SYS__DOC.de.txt --source
SYS__DOC.en.txt`` does; each line then counts as flagged major (any major finding on it)
or flagged at all.  Positives are the lines with a major accuracy error, negatives the
lines without any error.  Reported: recall at the false-flag rate the product actually
has, the anchors' recall at that same rate, operating points of the findings'
confidence, figures by domain, system and error category, and span agreement.

Fitting (``--tune``) uses passages, not lines: a passage is positive when its German
overlaps a major accuracy error span, negative when its line has no error or it is a
passage of the professional translations (``--professional``); the rest
(lines whose only major error is an omission, marked on the English side without
offsets, or passages beside an error) is left out of the fit but counted in the figures.
"""
from __future__ import annotations

import bisect
import json
import os
from collections import defaultdict
from pathlib import Path

from ..document import MAJOR
from ..errors import InputError

FOLDER = "mqm-wmt23"
ANCHORS = ("MetricX-23-QE-src", "XCOMET-QE-Ensemble-src", "CometKiwi-src", "CometKiwi-XXL-src", "GEMBA-MQM-src")
REQUIRED = {"file", "line", "major_accuracy", "no_error", "errors", "source_errors", "system", "domain"}


def data_folder(directory: str | Path) -> Path:
    root = Path(directory)
    return root if (root / "gold.jsonl").is_file() else root / FOLDER


def gold_rows(directory: str | Path) -> list[dict]:
    path = data_folder(directory) / "gold.jsonl"
    if not path.is_file():
        raise InputError(f"The MQM gold file {path} does not exist.")
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f"Line {number} of {path} is not JSON.") from None
            if not isinstance(row, dict) or REQUIRED - set(row):
                raise InputError(f"Line {number} of {path} lacks the field(s) "
                                 f"{', '.join(sorted(REQUIRED - set(row if isinstance(row, dict) else {})))}.")
            rows.append(row)
    if not rows:
        raise InputError(f"The MQM gold file {path} holds no rows.")
    return rows


def is_major_accuracy(error: dict) -> bool:
    return error.get("severity") == "major" and str(error.get("category", "")).startswith("accuracy")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for k, ch in enumerate(text):
        if ch == "\n":
            starts.append(k + 1)
    return starts


def audit_file(auditor, folder: Path, name: str, rows: list[dict]) -> list[dict]:
    """Audit one file pair; per gold row: its findings and passages in line coordinates."""
    german = folder / name
    source = german.with_name(name[: -len(".de.txt")] + ".en.txt")
    doc = auditor.audit(german, source if source.is_file() else None)
    starts = _line_starts(doc.text)
    by_line = {int(r["line"]): {"findings": [], "passages": []} for r in rows}

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    for f in doc.findings:
        line = line_of(f.start)
        if line in by_line:
            base = starts[line - 1]
            by_line[line]["findings"].append({
                "check": f.check, "severity": f.severity, "category": f.category, "confidence": f.confidence,
                "start": f.start - base, "end": min(f.end, starts[line] - 1 if line < len(starts) else f.end) - base,
                "accepted": f.accepted})
    by_id = {s.id: s for s in doc.segments}
    for bead in doc.alignments:
        segs = [by_id[i] for i in bead.german]
        if not segs or "qe_features" not in segs[0].signals:
            continue
        line = line_of(segs[0].start)
        if line in by_line:
            base = starts[line - 1]
            by_line[line]["passages"].append({"start": segs[0].start - base, "end": segs[-1].end - base,
                                              "german": doc.text[segs[0].start:segs[-1].end],
                                              "source": _bead_source(doc, bead),
                                              "features": segs[0].signals["qe_features"],
                                              "score": segs[0].signals.get("qe"),
                                              "words": {k: [[w[0], w[1] - base, w[2] - base, w[3]] for w in v]
                                                        for k, v in segs[0].signals.get("qe_words", {}).items()
                                                        if k != "unrendered"}})
    # the scores a judge of meaning gave each paragraph in this audit (``--qe``), on its own scale
    judged: dict[int, dict[str, float]] = {}
    for seg in doc.segments:
        scores = (seg.signals.get("judges") or {}).get("scores")
        if scores:
            judged.setdefault(line_of(seg.start), {}).update(scores)
    english = source.read_text(encoding="utf-8").split("\n") if source.is_file() else []
    out = []
    for r in rows:
        number = int(r["line"])
        record = {"source_words": len(english[number - 1].split()) if number <= len(english) else 0}
        record |= {k: r[k] for k in ("file", "line", "system", "domain", "doc", "set", "major_accuracy", "no_error",
                                    "categories", "errors", "source_errors", "anchors") if k in r}
        record["_folder"] = str(folder)
        record.update(by_line[int(r["line"])])
        if number in judged:
            record["judged"] = judged[number]
        out.append(record)
    return out


def _bead_source(doc, bead) -> str:
    """The source text of an alignment bead (its English sentences, first to last)."""
    by_id = {s.id: s for s in doc.source_segments}
    sources = [by_id[i] for i in bead.source if i in by_id]
    return (doc.source_text or "")[sources[0].start:sources[-1].end] if sources else ""


def _audit_chunk(args) -> list[dict]:
    settings, items = args
    from ..pipeline import Auditor

    auditor = Auditor(settings)
    out = []
    for folder, name, rows in items:
        out.extend(audit_file(auditor, folder, name, rows))
    return out


def _audit_items(items: list[tuple[Path, str, list[dict]]], settings, workers: int | None) -> list[dict]:
    """Audit the file pairs ``items`` ((folder, German file name, gold rows)) in ``workers``
    processes; one record per gold row, in the order of the items."""
    if not items:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(items)))
    if workers == 1:
        records = _audit_chunk((settings, items))
        for r in records:
            del r["_folder"]
        return records
    import multiprocessing

    from ..apps.corpus import init_worker

    chunks = [(settings, items[k::workers]) for k in range(workers)]
    # the workers are forked from the command, whose SIGTERM handler they must not keep:
    # the pool ends them with SIGTERM once the work is done
    with multiprocessing.get_context("fork").Pool(workers, initializer=init_worker) as pool:
        parts = pool.map(_audit_chunk, chunks)
    order = {(str(folder), name): k for k, (folder, name, _) in enumerate(items)}
    records = [r for part in parts for r in part]
    return sorted(records, key=lambda r: (order[(r.pop("_folder"), r["file"])], int(r["line"])))


def audit_all(directory: str | Path, settings, workers: int | None = None, limit: int | None = None) -> list[dict]:
    """Audit every file pair of the gold file (the first ``limit`` files), in ``workers``
    processes; one record per gold row."""
    folder = data_folder(directory)
    rows = gold_rows(directory)
    by_file: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_file[r["file"]].append(r)
    missing = [name for name in by_file if not (folder / name).is_file()]
    if missing:
        raise InputError(f"The MQM file {folder / missing[0]} named in gold.jsonl does not exist.")
    items = sorted(by_file.items())[:limit] if limit else sorted(by_file.items())
    return _audit_items([(folder, name, rows) for name, rows in items], settings, workers)


def professional_records(directory: str | Path, settings, workers: int | None = None,
                         limit: int | None = None) -> dict[str, list[dict]]:
    """Every set of ``DIRECTORY/precision`` (professional translations with their English
    source), audited as the product does, one record per German line: its words, findings,
    passages, its domain (from the set's ``anchors.jsonl`` where it has one, else "news") and
    the published metrics' scores where the set has them.  Empty without the folder."""
    from .precision import precision_sets

    if not (Path(directory) / "precision").is_dir():
        return {}
    items, words = [], {}
    for name, pairs in precision_sets(directory):
        folder = pairs[0][0].parent
        known = {}
        anchors = folder / "anchors.jsonl"
        if anchors.is_file():
            for line in anchors.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    known[(row["file"], int(row["line"]))] = row
        for german, source in pairs[:limit] if limit else pairs:
            if source is None:
                continue
            lines = german.read_text(encoding="utf-8").split("\n")
            rows = []
            for k, text in enumerate(lines, 1):
                if not text.strip():
                    continue
                row = known.get((german.name, k), {})
                rows.append({"file": german.name, "line": k, "set": name, "domain": row.get("domain", "news"),
                             "anchors": row.get("anchors", {}), "major_accuracy": False, "no_error": True,
                             "errors": [], "source_errors": []})
                words[(name, german.name, k)] = len(text.split())
            items.append((folder, german.name, rows))
    out: dict[str, list[dict]] = defaultdict(list)
    for r in _audit_items(items, settings, workers):
        r["words"] = words[(r["set"], r["file"], int(r["line"]))]
        out[r["set"]].append(r)
    return dict(out)


# --- figures -----------------------------------------------------------------------------

def _flags(record: dict, severity: str | None) -> bool:
    return any(not f["accepted"] and (severity is None or f["severity"] == severity) for f in record["findings"])


def _line_score(record: dict) -> float:
    """A line's score for operating points: its strongest finding's confidence (majors above
    every minor), 0 without one."""
    best = 0.0
    for f in record["findings"]:
        if not f["accepted"]:
            best = max(best, f["confidence"] + (1.0 if f["severity"] == MAJOR else 0.0))
    return best


def recall_at_rate(positive: list[float], negative: list[float], rate: float) -> float:
    """Recall of "score below threshold" (lower = worse, as the anchors) with at most
    ``rate`` of the negatives flagged: the threshold is the k-th lowest negative score,
    k = int(rate * negatives), ties at it not flagged."""
    if not positive or not negative:
        return 0.0
    ordered = sorted(negative)
    k = int(rate * len(ordered))
    threshold = ordered[k] if k < len(ordered) else float("inf")
    return round(sum(p < threshold for p in positive) / len(positive), 4)


def auc(positive: list[float], negative: list[float]) -> float:
    """Probability that a positive scores below a negative (ties half)."""
    import numpy as np

    if not positive or not negative:
        return 0.0
    neg = np.sort(np.asarray(negative, dtype=float))
    pos = np.asarray(positive, dtype=float)
    below = len(neg) - np.searchsorted(neg, pos, side="right")
    ties = np.searchsorted(neg, pos, side="right") - np.searchsorted(neg, pos, side="left")
    return round(float((below + 0.5 * ties).sum() / (len(pos) * len(neg))), 4)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def span_agreement(records: list[dict]) -> dict:
    """Of the major findings on lines with a major accuracy error: the share whose span
    overlaps an annotated error span of that line (any severity; an omission finding on a
    line whose omission is marked on the English side counts as overlapping); and of the
    annotated major accuracy spans, the share a finding (any severity) covers."""
    findings = overlapping = spans = covered = 0
    for r in records:
        if not r["major_accuracy"]:
            continue
        errors = [(e["start"], e["end"]) for e in r["errors"] if "start" in e]
        omitted = any(e.get("category") == "accuracy/omission" for e in r["source_errors"])
        for f in r["findings"]:
            if f["severity"] != MAJOR or f["accepted"]:
                continue
            findings += 1
            if any(_overlaps((f["start"], f["end"]), e) for e in errors) or (omitted and f["category"] == "omission"):
                overlapping += 1
        for e in r["errors"]:
            if "start" in e and is_major_accuracy(e):
                spans += 1
                if any(_overlaps((f["start"], f["end"]), (e["start"], e["end"])) for f in r["findings"]
                       if not f["accepted"]):
                    covered += 1
    return {"major_findings_on_error_lines": findings,
            "major_findings_overlapping_a_span": round(overlapping / findings, 4) if findings else 0.0,
            "major_accuracy_spans": spans,
            "major_spans_covered_by_a_finding": round(covered / spans, 4) if spans else 0.0}


def figures(records: list[dict]) -> dict:
    """Line-level figures of the product and of the anchors at the same false-flag rates."""
    positives = [r for r in records if r["major_accuracy"]]
    negatives = [r for r in records if r["no_error"]]
    out: dict = {"lines": len(records), "major_accuracy_lines": len(positives), "error_free_lines": len(negatives)}
    for name, severity in (("major", MAJOR), ("any", None)):
        false_rate = sum(_flags(r, severity) for r in negatives) / len(negatives) if negatives else 0.0
        recall = sum(_flags(r, severity) for r in positives) / len(positives) if positives else 0.0
        anchors = {}
        for metric in ANCHORS:
            pos = [r["anchors"][metric] for r in positives if r.get("anchors", {}).get(metric) is not None]
            neg = [r["anchors"][metric] for r in negatives if r.get("anchors", {}).get(metric) is not None]
            if pos and neg:
                anchors[metric] = recall_at_rate(pos, neg, false_rate)
        out[name] = {"recall": round(recall, 4), "false_flag_rate": round(false_rate, 4), "anchors_at_same_rate": anchors}
    # operating points of the product's own line score (findings' confidence)
    pos = [-_line_score(r) for r in positives]
    neg = [-_line_score(r) for r in negatives]
    out["auc"] = auc(pos, neg)
    out["anchors_auc"] = {m: auc([r["anchors"][m] for r in positives if r.get("anchors", {}).get(m) is not None],
                                 [r["anchors"][m] for r in negatives if r.get("anchors", {}).get(m) is not None])
                          for m in ANCHORS}
    out["recall_at"] = {f"{rate:.0%}": recall_at_rate(pos, neg, rate) for rate in (0.05, 0.10, 0.20)}
    out["span_agreement"] = span_agreement(records)
    return out


def by_category(records: list[dict]) -> dict:
    """Recall of major findings and of any finding on the lines holding each kind of major
    accuracy error."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        kinds = {e["category"] for e in r["errors"] if is_major_accuracy(e)}
        kinds |= {e["category"] for e in r["source_errors"] if is_major_accuracy(e)}
        for kind in kinds:
            groups[kind].append(r)
    return {kind: {"lines": len(rows), "major": round(sum(_flags(r, MAJOR) for r in rows) / len(rows), 4),
                   "any": round(sum(_flags(r, None) for r in rows) / len(rows), 4)}
            for kind, rows in sorted(groups.items())}


def by_check(records: list[dict]) -> dict:
    """Per check: the share of error-free lines and of major-accuracy lines it flags."""
    positives = [r for r in records if r["major_accuracy"]]
    negatives = [r for r in records if r["no_error"]]
    checks = sorted({f["check"] for r in records for f in r["findings"]})

    def share(rows, check, severity=None):
        return round(sum(any(f["check"] == check and (severity is None or f["severity"] == severity)
                             for f in r["findings"]) for r in rows) / len(rows), 4) if rows else 0.0

    return {check: {"major on errors": share(positives, check, MAJOR), "major on error-free": share(negatives, check, MAJOR),
                    "any on errors": share(positives, check), "any on error-free": share(negatives, check)}
            for check in checks}


def grouped(records: list[dict], key: str) -> dict:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        groups[str(r[key])].append(r)
    return {name: _flat(figures(rows)) for name, rows in sorted(groups.items())}


def _flat(f: dict) -> dict:
    return {"major R": f["major"]["recall"], "major FP": f["major"]["false_flag_rate"],
            "any R": f["any"]["recall"], "any FP": f["any"]["false_flag_rate"],
            "AUC": f["auc"], "span": f["span_agreement"]["major_findings_overlapping_a_span"]}


RECORDS_FORMAT = 2


def audit_records(directory: str | Path, settings, workers: int | None = None, limit: int | None = None) -> dict:
    """What every measure is computed from: the MQM lines and the professional translations'
    lines of ``directory``, each audited once, with findings, passage features and the
    published metrics' scores."""
    return {"format": RECORDS_FORMAT, "lines": audit_all(directory, settings, workers, limit),
            "professional": professional_records(directory, settings, workers, limit)}


def load_records(path: str | Path) -> dict:
    """Records written by ``eval mqm --records``, or one error sentence."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"The records file {file} cannot be read ({err.strerror}).") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"The records file {file} is not JSON.") from None
    if not isinstance(data, dict) or data.get("format") != RECORDS_FORMAT or not isinstance(data.get("lines"), list):
        raise InputError(f"The records file {file} was not written by this version's `eval mqm --records`; "
                         "audit again to write it.")
    return data


def professional_passages_of(professional: dict[str, list[dict]], name: str) -> dict | None:
    """The passage features of one professional set's records, as ``fit`` takes them."""
    rows = professional.get(name)
    if not rows:
        return None
    return {"set": name, "words": sum(r["words"] for r in rows),
            "passages": [p["features"] for r in rows for p in r["passages"]],
            "texts": [{"german": p.get("german", ""), "source": p.get("source", "")} for r in rows for p in r["passages"]]}


def eval_mqm_wmt(records: list[dict]) -> dict:
    return {"all": figures(records), "by_domain": grouped(records, "domain"), "by_system": grouped(records, "system"),
            "by_category": by_category(records), "by_check": by_check(records)}


# --- fitting -----------------------------------------------------------------------------

# Shares of the error-free lines of the fitting part that the fitted thresholds flag: major
# below the 5% target, so that it holds on text of other domains; minor leaves room for the
# other checks within the 20% of error-free lines that any finding may flag.
MAJOR_RATE = 0.03
MINOR_RATE = 0.10
# ... and the most findings per 1000 German words they may raise on professional translations
# (a set of the precision corpus, `--professional`): these paraphrase more freely than
# machine translation does, and a gate that fails good copy gets switched off.  Major gets half
# the 0.3 per 1000 words the product allows, so that text of another year stays within it
# (with the full 0.3 on generaltest2022, generaltest2023 got 0.55); minor gets 0.3 of the 2
# findings in all per 1000 words for the same reason (with 0.5 on generaltest2022,
# generaltest2023 got twice as many).
MAJOR_PER_1000 = 0.15
MINOR_PER_1000 = 0.3
# The shipped minor threshold is bounded on every professional set at once (pooled), at half
# that share: posts, reviews and transcripts paraphrase more freely than news, and a bound
# fitted on news alone gave 0.64 meaning findings per 1000 words on them.
# `professional_budget` shows it, each set left out.
POOLED_MINOR_PER_1000 = 0.15
REGULARISATION = 1.0


def passage_rows(records: list[dict]) -> list[tuple[int, int | None, dict]]:
    """(record index, label, features) per passage: 1 when it overlaps a major accuracy
    error span, 0 when its line has no error, None otherwise (left out of the fit)."""
    out = []
    for index, r in enumerate(records):
        spans = [(e["start"], e["end"]) for e in r["errors"] if "start" in e and is_major_accuracy(e)]
        for p in r["passages"]:
            if r["no_error"]:
                label = 0
            elif any(_overlaps((p["start"], p["end"]), s) for s in spans):
                label = 1
            else:
                label = None
            out.append((index, label, p["features"]))
    return out


def professional_passages(directory: str | Path, settings, name: str) -> dict:
    """The passage features of one set of the precision corpus (professional translations
    with their English source), audited as the product does: {"words", "scores": [features]}."""
    from ..pipeline import Auditor
    from .precision import precision_sets

    sets = dict(precision_sets(directory))
    if name not in sets:
        raise InputError(f"The precision corpus has no set {name!r}; it has {', '.join(sorted(sets))}.")
    auditor = Auditor(settings)
    words, passages, texts = 0, [], []
    for german, source in sets[name]:
        doc = auditor.audit(german, source)
        words += len(doc.text.split())
        by_id = {s.id: s for s in doc.segments}
        for bead in doc.alignments:
            segs = [by_id[i] for i in bead.german]
            if segs and "qe_features" in segs[0].signals:
                passages.append(segs[0].signals["qe_features"])
                texts.append({"german": doc.text[segs[0].start:segs[-1].end], "source": _bead_source(doc, bead)})
    return {"set": name, "words": words, "passages": passages, "texts": texts}


def professional_budget(professional: dict[str, list[dict]], per_1000: float = POOLED_MINOR_PER_1000) -> dict:
    """The meaning score's threshold at ``per_1000`` findings per 1000 words of professional
    translation, fitted on all sets pooled and, for each set, on the others with the set left
    out: the threshold and the findings per 1000 words it gives on the set left out (the
    passage scores as audited)."""
    scored = {name: ([p["score"] for r in rows for p in r["passages"] if p.get("score") is not None],
                     sum(r["words"] for r in rows)) for name, rows in professional.items() if rows}

    def fitted(names: list[str]) -> float:
        return _budget_threshold([x for n in names for x in scored[n][0]], sum(scored[n][1] for n in names), per_1000)

    out = {"all, pooled": {"threshold": fitted(list(scored)), "per_1000": None}}
    for name, (scores, words) in scored.items():
        others = [n for n in scored if n != name]
        if not others:
            continue
        threshold = fitted(others)
        out[f"{name} left out"] = {"threshold": threshold,
                                   "per_1000": round(1000 * sum(x >= threshold for x in scores) / words, 3) if words else 0.0}
    return out


def _budget_threshold(scores: list[float], words: int, per_1000: float) -> float:
    """The lowest threshold at which at most ``per_1000`` findings per 1000 words are raised."""
    ordered = sorted(scores, reverse=True)
    allowed = int(per_1000 * words / 1000)
    if allowed >= len(ordered):
        return 0.0
    return round(min(0.9999, ordered[allowed] + 1e-4), 4)


def fit(records: list[dict], features: tuple[str, ...] | None = None, professional: dict | None = None) -> dict:
    """The ``[qe]`` model fitted on ``records``: a logistic regression telling passages
    that overlap a major accuracy error from passages of error-free lines (and of the
    professional translations ``professional``, when given), the classes
    weighted equally, on standardised features with an L2 penalty and non-negative weights
    (a feature that grows with a change of meaning may raise the score or be left out,
    never lower it), returned for the raw features; and the thresholds at which the line
    score (its passages' highest) flags ``MAJOR_RATE`` / ``MINOR_RATE`` of error-free lines."""
    import numpy as np

    from ..judge.modelfree import FITTED
    from .logistic import fit_non_negative

    names = list(features or FITTED)
    rows = [(i, y, f) for i, y, f in passage_rows(records) if y is not None]
    if not rows or not any(y for _, y, _ in rows) or all(y for _, y, _ in rows):
        raise InputError("The MQM records hold no passages of both kinds (error and error-free) to fit on.")
    samples = [f for _, _, f in rows]
    labels = [y for _, y, _ in rows]
    if professional:
        # free but faithful renderings: the professional passages are negatives too, each as
        # much as an error-free MT passage, so that what marks a paraphrase weighs less
        samples += professional["passages"]
        labels += [0] * len(professional["passages"])
    x = np.array([[f.get(k, 0.0) for k in names] for f in samples], dtype=float)
    y = np.array(labels, dtype=float)
    raw, intercept = fit_non_negative(x, y, REGULARISATION)
    model = {"intercept": round(intercept, 5),
             "weights": {k: round(v, 5) for k, v in zip(names, raw) if round(v, 5) != 0.0}}
    lines = line_scores(records, model)
    scores = sorted(lines.get(i, 0.0) for i, r in enumerate(records) if r["no_error"])
    model["major"] = _threshold(scores, MAJOR_RATE)
    model["minor"] = _threshold(scores, MINOR_RATE)
    if professional and professional["passages"]:
        from ..judge.modelfree import score

        config = {"qe": model}
        good = [score(f, config) for f in professional["passages"]]
        model["major"] = max(model["major"], _budget_threshold(good, professional["words"], MAJOR_PER_1000))
        model["minor"] = max(model["minor"], _budget_threshold(good, professional["words"], MINOR_PER_1000))
    model["minor"] = min(model["minor"], model["major"])
    return model


def _threshold(ordered: list[float], rate: float) -> float:
    """Just above the score of the error-free line at 1 - ``rate``: flags use ">=" and at
    most ``rate`` of these lines reach it."""
    if not ordered:
        return 1.0
    k = min(len(ordered) - 1, int((1 - rate) * len(ordered)))
    return round(min(0.9999, ordered[k] + 1e-4), 4)


def line_scores(records: list[dict], model: dict) -> dict[int, float]:
    """Record index -> the highest score of its passages under ``model``."""
    from ..judge.modelfree import score

    config = {"qe": model}
    out: dict[int, float] = {}
    for index, r in enumerate(records):
        for p in r["passages"]:
            out[index] = max(out.get(index, 0.0), score(p["features"], config))
    return out


def _held_out(train: list[dict], test: list[dict], features=None, professional=None) -> dict:
    model = fit(train, features, professional)
    scores = line_scores(test, model)
    pos = [scores.get(i, 0.0) for i, r in enumerate(test) if r["major_accuracy"]]
    neg = [scores.get(i, 0.0) for i, r in enumerate(test) if r["no_error"]]

    def share(values, threshold):
        return round(sum(v >= threshold for v in values) / len(values), 4) if values else 0.0

    anchors = {}
    rate = share(neg, model["major"])
    for metric in ("MetricX-23-QE-src", "CometKiwi-src"):
        p = [r["anchors"][metric] for r in test if r["major_accuracy"] and r.get("anchors", {}).get(metric) is not None]
        n = [r["anchors"][metric] for r in test if r["no_error"] and r.get("anchors", {}).get(metric) is not None]
        anchors[metric] = recall_at_rate(p, n, rate)
    return {"major R": share(pos, model["major"]), "major FP": rate,
            "minor R": share(pos, model["minor"]), "minor FP": share(neg, model["minor"]),
            "R@5%": recall_at_rate([-v for v in pos], [-v for v in neg], 0.05),
            "AUC": auc([-v for v in pos], [-v for v in neg]),
            "MetricX@same FP": anchors["MetricX-23-QE-src"], "CometKiwi@same FP": anchors["CometKiwi-src"]}


def cross_validate(records: list[dict], features=None, professional=None) -> dict:
    """The model fitted on one part and measured on the other: leave one domain out, and
    the systems in two halves (alternate names in sorted order), each way.  A part whose
    rest holds nothing to fit on is left out."""
    folds = []
    for domain in sorted({r["domain"] for r in records}):
        folds.append((f"domain {domain} left out", [r for r in records if r["domain"] != domain],
                      [r for r in records if r["domain"] == domain]))
    systems = sorted({r["system"] for r in records})
    first = set(systems[::2])
    a = [r for r in records if r["system"] in first]
    b = [r for r in records if r["system"] not in first]
    if a and b:
        folds += [("systems A (fit on B)", b, a), ("systems B (fit on A)", a, b)]
    out = {}
    for name, train, test in folds:
        try:
            out[name] = _held_out(train, test, features, professional)
        except InputError:
            continue
    return out


def ablation(records: list[dict]) -> dict:
    """Held-out AUC (every part left out, averaged) with each feature left out, and with
    each feature that is not fitted added."""
    from ..judge.modelfree import FEATURES, FITTED

    def mean_auc(features):
        folds = cross_validate(records, features)
        return round(sum(f["AUC"] for f in folds.values()) / len(folds), 4) if folds else 0.0

    return {"the fitted features": {"mean held-out AUC": mean_auc(FITTED)},
            **{f"without {name}": {"mean held-out AUC": mean_auc(tuple(k for k in FITTED if k != name))}
               for name in FITTED},
            **{f"with {name}": {"mean held-out AUC": mean_auc((*FITTED, name))}
               for name in FEATURES if name not in FITTED}}


def tuned_toml(model: dict, directory) -> str:
    lines = [f"# [qe] fitted by `mt-audit eval mqm {directory} --tune` on expert MQM annotations of real",
             "# machine translation (passages overlapping a major accuracy error against passages of",
             "# error-free lines and of professional translations); thresholds within the budgets on professional",
             "# translations.", "[qe]",
             f"intercept = {model['intercept']}", f"major = {model['major']}", f"minor = {model['minor']}", "",
             "[qe.weights]"]
    lines += [f"{k} = {v}" for k, v in sorted(model["weights"].items())]
    return "\n".join(lines) + "\n"
