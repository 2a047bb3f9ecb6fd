"""Measures that see errors rather than paragraph length, computed from audit records.

A paragraph with more words holds more errors, so recall over paragraphs mostly measures
length (the English source's length alone ranks major-accuracy paragraphs above error-free
ones at AUC 0.76-0.87).  Every English paragraph of ``mqm-wmt23`` has twelve systems'
German; the measures here compare Germans *of the same English paragraph*, or count
findings against a budget on professional translations:

* **within-source AUC**: over the pairs (German with a major accuracy error, error-free
  German) of the same English paragraph, the share that the paragraph's risk ranks right
  (ties count half);
* **gate recall**: the share of major-accuracy paragraphs with a major finding, with
  thresholds that keep major findings on professional translations within the budget of 0.3
  per 1000 words; **review recall**: with any finding, findings of any severity within 2 per
  1000 words (a judge's thresholds are fitted to half of each on the domains they are fitted
  on, ``calibration.FIT_SHARE``; the published metrics alone, the harness's check, to the
  whole);
* recall at 5% and 10% false flags on error-free paragraphs, by the risk.

A configuration is the model-free judgement alone, or with one or two quality-estimation
judges whose published scores are replayed (``--qe-replay``): their verdicts come from the
same ``Calibration.verdict`` an audit uses, fitted on two domains and measured on the third.
Everything runs from records (``eval mqm --records`` / ``--from-records``), in seconds.
"""
from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from ..document import MAJOR
from ..errors import InputError
from ..judge import calibration as cal

LEFT_OUT = "{} left out"
POOLED = "held out, pooled"
ALL = "fitted and measured on all"


def model_free_risk(record: dict) -> float:
    """A paragraph's risk without a model (``calibration.model_free_risk``)."""
    meaning = max((p["score"] for p in record.get("passages", []) if p.get("score") is not None), default=0.0)
    return cal.model_free_risk(((f["severity"], f["confidence"]) for f in record["findings"] if not f["accepted"]),
                               meaning)


def within_source_auc(rows: list[tuple[dict, float]]) -> tuple[float, int]:
    """(share of same-source pairs ranked right, number of pairs) over (record, risk)."""
    groups: dict[tuple, list[tuple[dict, float]]] = defaultdict(list)
    for record, risk in rows:
        groups[(record.get("doc"), record.get("line"))].append((record, risk))
    right = pairs = 0.0
    for members in groups.values():
        bad = [risk for r, risk in members if r["major_accuracy"]]
        good = [risk for r, risk in members if r["no_error"]]
        for b in bad:
            for g in good:
                pairs += 1
                right += 1.0 if b > g else 0.5 if b == g else 0.0
    return (round(right / pairs, 4) if pairs else 0.0), int(pairs)


def recall_at_false_flags(rows: list[tuple[dict, float]], rate: float) -> float:
    """Recall of "risk above the threshold" with at most ``rate`` of the error-free
    paragraphs above it (ties at the threshold not flagged)."""
    bad = [risk for r, risk in rows if r["major_accuracy"]]
    good = sorted((risk for r, risk in rows if r["no_error"]), reverse=True)
    if not bad or not good:
        return 0.0
    k = int(rate * len(good))
    threshold = good[k] if k < len(good) else float("-inf")
    return round(sum(b > threshold for b in bad) / len(bad), 4)


def scores_of(record: dict, judges: tuple[str, ...]) -> dict[str, float] | None:
    """The judges' scores of a record on their own scales: those a judge gave in the audit that
    wrote the records (``eval mqm --qe``) where there are any, else the published ones
    (replay); None where the record has neither (the judge did not run there)."""
    anchors = record.get("anchors") or {}
    live = record.get("judged") or {}
    out = {}
    for name in judges:
        if name in live:
            out[name] = float(live[name])
            continue
        value = anchors.get(cal.SCALES[name][3])
        if value is None:
            return None
        out[name] = cal.from_published(name, float(value))
    return out


def model_free_findings(record: dict, judged: bool) -> list[dict]:
    """The model-free findings an audit keeps on a paragraph: where a judge ran, it reads the
    meaning, and the model-free reading of meaning (``REPLACED_BY_JUDGES``) gives way to it."""
    from ..judge.findings import REPLACED_BY_JUDGES

    return [f for f in record["findings"] if not f["accepted"] and not f["check"].startswith("judge.")
            and not (judged and f["check"] in REPLACED_BY_JUDGES)]


def outcome(record: dict, judges: tuple[str, ...], calibration: cal.Calibration | None) -> dict:
    """What the product does with one paragraph: its major and minor findings (model-free
    and judged) and its risk."""
    scores = scores_of(record, judges) if judges and calibration is not None else None
    findings = model_free_findings(record, scores is not None)
    majors = sum(f["severity"] == MAJOR for f in findings)
    count = len(findings)
    risk = model_free_risk(record)
    if scores is not None:
        verdict = calibration.verdict(scores, risk)
        risk = verdict.risk
        if verdict.severity is not None:
            count += 1
            majors += verdict.severity == MAJOR
    return {"record": record, "major": majors > 0, "any": count > 0, "majors": majors, "findings": count,
            "risk": risk}


def figures(lines: list[dict], professional: list[dict]) -> dict:
    """The measures over outcomes of MQM lines and of professional lines."""
    rows = [(o["record"], o["risk"]) for o in lines]
    bad = [o for o in lines if o["record"]["major_accuracy"]]
    good = [o for o in lines if o["record"]["no_error"]]
    words = sum(o["record"]["words"] for o in professional)
    auc, pairs = within_source_auc(rows)

    def share(group, key):
        return round(sum(o[key] for o in group) / len(group), 4) if group else 0.0

    def per_1000(key):
        return round(1000 * sum(o[key] for o in professional) / words, 3) if words else None

    return {"within-source AUC": auc, "pairs": pairs,
            "gate recall": share(bad, "major"), "review recall": share(bad, "any"),
            "major false flags": share(good, "major"), "any false flags": share(good, "any"),
            "recall@5%": recall_at_false_flags(rows, 0.05), "recall@10%": recall_at_false_flags(rows, 0.10),
            "professional major/1000": per_1000("majors"), "professional all/1000": per_1000("findings"),
            "professional words": words}


# --- calibration ---------------------------------------------------------------------------

def reserved(professional: list[dict]) -> tuple[float, float]:
    """Major findings and findings of any severity per 1000 words that the model-free checks
    raise on ``professional`` where a judge runs beside them: what is left of the budgets is
    the judges'."""
    words = sum(r["words"] for r in professional)
    if not words:
        return 0.0, 0.0
    kept = [model_free_findings(r, True) for r in professional]
    return (1000 * sum(f["severity"] == MAJOR for fs in kept for f in fs) / words,
            1000 * sum(len(fs) for fs in kept) / words)


# the weights of the model-free risk tried beside the judges' z-scores
MODEL_FREE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)


def fit_calibration(judges: tuple[str, ...], lines: list[dict], professional: list[dict], fitted_on: str,
                    major_per_1000: float = cal.MAJOR_PER_1000 * cal.FIT_SHARE,
                    all_per_1000: float = cal.ALL_PER_1000 * cal.FIT_SHARE,
                    beside_model_free: bool = True) -> cal.Calibration:
    """The judges' calibration fitted on ``lines`` and ``professional``: each judge's robust
    scale on the error-free MQM lines; the weight of the model-free risk that ranks the MQM
    lines best within source (``beside_model_free``; else none); and thresholds on the risk
    that keep the professional lines that have the judges' scores within what the model-free
    checks leave of the budgets there."""
    out = cal.Calibration()
    for name in judges:
        # the scale of good translations: error-free machine translation
        good = [s[name] for s in (scores_of(r, (name,)) for r in lines if r["no_error"]) if s]
        if not good:
            raise InputError(f"No published {name} scores to calibrate on ({fitted_on}).")
        out.metrics[name] = cal.fit_metric(cal.template(name), good, fitted_on)
    scored = [(r, s) for r, s in ((r, scores_of(r, judges)) for r in professional) if s]
    if not scored:
        raise InputError(f"No professional translations with published {' + '.join(judges)} scores "
                         f"to calibrate on ({fitted_on}).")
    major_taken, all_taken = reserved([r for r, _ in scored]) if beside_model_free else (0.0, 0.0)
    major_per_1000 = max(0.0, major_per_1000 - major_taken)
    all_per_1000 = max(major_per_1000, all_per_1000 - all_taken)

    def risks(weight, rows):
        probe = cal.Calibration(out.metrics, {tuple(sorted(judges)): cal.Rule(tuple(sorted(judges)), 0.0, 0.0, weight)})
        return [(r, probe.verdict(s, model_free_risk(r)).risk) for r, s in rows]

    weight = 0.0
    if beside_model_free:
        machine = [(r, s) for r, s in ((r, scores_of(r, judges)) for r in lines) if s]
        weight = max(MODEL_FREE_WEIGHTS, key=lambda w: (within_source_auc(risks(w, machine))[0], -w))
    rule = cal.fit_rule(judges, [v for _, v in risks(weight, scored)], sum(r["words"] for r, _ in scored),
                        major_per_1000, all_per_1000, weight, fitted_on)
    out.rules[rule.names] = rule
    return out


def _domains(lines: list[dict]) -> list[str]:
    return sorted({r["domain"] for r in lines})


def _professional_rows(professional: dict[str, list[dict]]) -> list[dict]:
    return [r for rows in professional.values() for r in rows]


def held_out(lines: list[dict], professional: dict[str, list[dict]], judges: tuple[str, ...],
             share: float = cal.FIT_SHARE) -> dict:
    """One configuration fitted on all domains but one and measured on that one, for every
    domain; the held-out outcomes pooled; and fitted and measured on all.  The thresholds are
    fitted to ``share`` of the budgets."""
    budgets = {"major_per_1000": cal.MAJOR_PER_1000 * share, "all_per_1000": cal.ALL_PER_1000 * share}
    pro = _professional_rows(professional)
    folds, pooled_lines, pooled_pro = {}, [], []
    for domain in _domains(lines):
        train = [r for r in lines if r["domain"] != domain]
        test = [r for r in lines if r["domain"] == domain]
        pro_train = [r for r in pro if r["domain"] != domain and r["domain"] in {t["domain"] for t in train}]
        pro_test = [r for r in pro if r["domain"] == domain]
        try:
            calibration = (fit_calibration(judges, train, pro_train, f"all domains but {domain}", **budgets)
                           if judges else None)
        except InputError:
            continue  # nothing to calibrate on without this domain
        out_lines = [outcome(r, judges, calibration) for r in test]
        out_pro = [outcome(r, judges, calibration) for r in pro_test]
        folds[LEFT_OUT.format(domain)] = figures(out_lines, out_pro)
        pooled_lines += out_lines
        pooled_pro += out_pro
    if pooled_lines:
        folds[POOLED] = figures(pooled_lines, pooled_pro)
    domains = set(_domains(lines))
    in_domain = [r for r in pro if r["domain"] in domains]
    calibration = fit_calibration(judges, lines, in_domain, "all domains", **budgets) if judges else None
    folds[ALL] = figures([outcome(r, judges, calibration) for r in lines],
                         [outcome(r, judges, calibration) for r in in_domain])
    return {"folds": folds, "by_category": _by_category(pooled_lines), "by_system": _by_system(pooled_lines)}


def _by_category(outcomes: list[dict]) -> dict:
    from .mqm_wmt import is_major_accuracy

    groups: dict[str, list[dict]] = defaultdict(list)
    for o in outcomes:
        r = o["record"]
        for kind in {e["category"] for e in [*r["errors"], *r["source_errors"]] if is_major_accuracy(e)}:
            groups[kind].append(o)
    return {kind: {"paragraphs": len(group), "gate recall": round(sum(o["major"] for o in group) / len(group), 4),
                   "review recall": round(sum(o["any"] for o in group) / len(group), 4)}
            for kind, group in sorted(groups.items())}


def _by_system(outcomes: list[dict]) -> dict:
    groups: dict[str, list[dict]] = defaultdict(list)
    for o in outcomes:
        groups[o["record"]["system"]].append(o)
    out = {}
    for system, group in sorted(groups.items()):
        bad = [o for o in group if o["record"]["major_accuracy"]]
        good = [o for o in group if o["record"]["no_error"]]
        out[system] = {"gate recall": round(sum(o["major"] for o in bad) / len(bad), 4) if bad else 0.0,
                       "review recall": round(sum(o["any"] for o in bad) / len(bad), 4) if bad else 0.0,
                       "major false flags": round(sum(o["major"] for o in good) / len(good), 4) if good else 0.0}
    return out


def anchors_check(lines: list[dict], professional: dict[str, list[dict]]) -> dict:
    """Each published metric alone, as the harness sees it: within-source AUC and gate and
    review recall with thresholds at the budgets on the professional lines of the same
    domains (no model-free findings), fitted and measured on all; and source length."""
    domains = set(_domains(lines))
    pro = [r for r in _professional_rows(professional) if r["domain"] in domains]
    out = {}
    for name in cal.SCALES:
        if not any(scores_of(r, (name,)) for r in lines):
            continue
        try:
            # at the whole budgets: the harness reproduces the published metrics' own figures
            calibration = fit_calibration((name,), lines, pro, "all domains", cal.MAJOR_PER_1000,
                                          cal.ALL_PER_1000, beside_model_free=False)
        except InputError:
            calibration = None
        scored = [(r, s) for r, s in ((r, scores_of(r, (name,))) for r in lines) if s]
        verdicts = [(r, calibration.verdict(s) if calibration else None) for r, s in scored]
        rows = [(r, v.risk if v else cal.template(name).error(s[name])) for (r, s), (_, v) in zip(scored, verdicts)]
        bad = [v for r, v in verdicts if r["major_accuracy"]]
        auc, pairs = within_source_auc(rows)
        out[name] = {"within-source AUC": auc, "pairs": pairs,
                     "gate recall": round(sum(v.severity == MAJOR for v in bad) / len(bad), 4)
                     if calibration and bad else None,
                     "review recall": round(sum(v.severity is not None for v in bad) / len(bad), 4)
                     if calibration and bad else None,
                     "recall@5%": recall_at_false_flags(rows, 0.05)}
    length = [(r, float(r.get("source_words", 0))) for r in lines]
    out["source length"] = {"within-source AUC": within_source_auc(length)[0]}
    return out


def configurations(replay: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """The configurations measured: model-free alone, and the replayed judges (each alone
    and, when two or more are replayed, together)."""
    out = [("model-free", ())]
    for name in replay:
        out.append((f"model-free + {name}", (name,)))
    if len(replay) > 1:
        out.append((f"model-free + {' + '.join(replay)}", tuple(replay)))
    return out


def measure(lines: list[dict], professional: dict[str, list[dict]], replay: tuple[str, ...] = (),
            calibration_path=None, share: float = cal.FIT_SHARE) -> dict:
    """Every configuration held out by domain, the anchors' own figures, and the shipped
    configuration (the shipped calibration, or ``calibration_path``) on all lines: the last
    line for scripts."""
    if not lines:
        raise InputError("The records hold no MQM lines to measure on.")
    shipped_calibration = cal.load(str(calibration_path) if calibration_path else None) if replay else None
    if shipped_calibration is not None:
        for name in replay:
            shipped_calibration.metric(name)
    runs, notes = {}, []
    for name, judges in configurations(tuple(replay)):
        try:
            runs[name] = held_out(lines, professional, judges, share)
        except InputError as err:
            notes.append(f"{name}: not fitted ({err})")
    pro = _professional_rows(professional)
    shipped = figures([outcome(r, tuple(replay), shipped_calibration) for r in lines],
                      [outcome(r, tuple(replay), shipped_calibration) for r in pro])
    last = ("MQM " + " ".join(f"{key}={value}" for key, value in (
        ("within_source_auc", shipped["within-source AUC"]), ("gate_recall", shipped["gate recall"]),
        ("review_recall", shipped["review recall"]), ("recall_5", shipped["recall@5%"]),
        ("professional_major_per_1000", shipped["professional major/1000"]),
        ("professional_all_per_1000", shipped["professional all/1000"]))))
    return {"configurations": runs, "anchors": anchors_check(lines, professional), "shipped": shipped,
            "judges": list(replay), "notes": notes, "last_line": last}


def calibrate(lines: list[dict], professional: dict[str, list[dict]], share: float = cal.FIT_SHARE) -> str:
    """The calibration of every published metric the records have, and of every pair and
    three of them, fitted on all lines to ``share`` of the budgets, as the TOML of
    ``audit/data/judges.toml``."""
    domains = set(_domains(lines))
    pro = [r for r in _professional_rows(professional) if r["domain"] in domains]
    names = tuple(n for n in cal.SCALES if any(scores_of(r, (n,)) for r in lines)
                  and any(scores_of(r, (n,)) for r in pro))
    if not names:
        raise InputError("The records hold no published scores on both MQM and professional lines to calibrate on.")
    fitted = cal.Calibration()
    for judges in [(n,) for n in names] + list(combinations(names, 2)) + list(combinations(names, 3)):
        one = fit_calibration(judges, lines, pro, "all domains", cal.MAJOR_PER_1000 * share, cal.ALL_PER_1000 * share)
        fitted.metrics.update(one.metrics)
        fitted.rules.update(one.rules)
    header = ("Calibration of the quality-estimation judges, fitted by `mt-audit eval mqm DIR --calibrate FILE`\n"
              f"on the published scores of the MQM lines ({', '.join(sorted(domains))}) and of the professional\n"
              f"translations of the same domains: major at most {cal.MAJOR_PER_1000 * share:g} and all findings at most "
              f"{cal.ALL_PER_1000 * share:g} per 1000 words of\n"
              f"professional translation ({share:g} of the budgets: a margin for other registers), less what the\n"
              "model-free checks raise there beside a judge. [metric]:\n"
              "median and 1.4826 x MAD of the error-oriented score (higher = worse; a quality score negated) on\n"
              "error-free machine translation. [verdict]: a paragraph's risk is the mean of its judges' robust\n"
              "z-scores plus model_free_weight times its model-free risk (the weight that ranks the MQM lines\n"
              "best within source), major / minor from these thresholds on it.")
    return cal.to_toml(fitted, header)
