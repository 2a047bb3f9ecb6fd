"""The judges of meaning: MetricX through transformers on a tiny random checkpoint built here,
the calibration as data, the findings an audit gets from a judge, and the length-controlled
measures that replay published scores."""
from __future__ import annotations

import json
import tomllib

import pytest
from click.testing import CliRunner

from audit.apps.cli import main
from audit.errors import EXIT_MODEL_UNAVAILABLE
from audit.evaluate import measures
from audit.judge import JudgeUnavailable, open_judge
from audit.judge import calibration as cal
from audit.judge.metricx import model_input, version_of

PAIRS = [("The army sent new weapons to the front.", "Die Armee schickte neue Waffen an die Front."),
         ("Experts said no details.", "Experten nannten keine Einzelheiten."),
         ("The minister denied the report on Monday.", "Der Minister bestritt den Bericht am Montag."),
         ("China bought oil and food despite the sanctions.", "China kaufte trotz der Sanktionen Öl und Lebensmittel.")]


# --- MetricX ----------------------------------------------------------------------------------

def test_metricx_scores_batched_as_one_at_a_time(tiny_metricx):
    import torch

    from audit.judge.metricx import SCORE_TOKEN

    judge = open_judge("metricx", str(tiny_metricx), batch_size=3, precision="fp32")
    alone = open_judge("metricx", str(tiny_metricx), batch_size=1, precision="fp32")
    batched = judge.score(PAIRS)
    assert len(batched) == len(PAIRS) and all(0.0 <= v <= 25.0 for v in batched)
    assert batched == pytest.approx(alone.score(PAIRS), abs=1e-3)
    # the one row of the output layer read is the full model's logit at the score entry
    ids = torch.tensor([judge.encode(PAIRS[:1])[0]])
    full = judge.model(input_ids=ids, decoder_input_ids=torch.zeros((1, 1), dtype=torch.long)).logits
    assert batched[0] == pytest.approx(float(full[0, 0, SCORE_TOKEN].detach().clamp(0, 25)), abs=1e-3)
    # bfloat16 (what runs where the CPU has it) stays close to float32
    half = open_judge("metricx", str(tiny_metricx), batch_size=3, precision="bf16")
    assert half.score(PAIRS) == pytest.approx(batched, abs=0.1)
    # the score depends on the pair: another German gives another score
    assert judge.score([(PAIRS[0][0], "Völlig etwas anderes steht hier.")]) != batched[:1]


def test_metricx_input_follows_the_checkpoint_version(tiny_metricx):
    assert version_of("google/metricx-24-hybrid-large-v2p6") == 24
    assert version_of("google/metricx-23-qe-xl-v2p0") == 23
    assert model_input("S", "G", 23) == "candidate: G source: S"
    assert model_input("S", "G", 24) == "source: S candidate: G"
    judge = open_judge("metricx", str(tiny_metricx))
    ids = judge.encode([PAIRS[0]])[0]
    assert ids and ids[-1] != judge.tokenizer.eos_token_id  # MetricX drops the end-of-sequence token


def test_a_missing_checkpoint_is_one_sentence(tmp_path, monkeypatch):
    with pytest.raises(JudgeUnavailable) as err:
        open_judge("metricx", str(tmp_path / "nowhere"))
    assert "not a folder" in str(err.value) and "\n" not in str(err.value)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(JudgeUnavailable) as err:
        open_judge("metricx", "google/metricx-23-qe-large-v2p0")
    assert "HF_HUB_OFFLINE" in str(err.value) and "--qe-model" in str(err.value)


def test_check_with_a_missing_judge_says_so_or_exits_3(tmp_path):
    german, source = tmp_path / "a.de.txt", tmp_path / "a.en.txt"
    german.write_text("\n".join(g for _, g in PAIRS) + "\n", encoding="utf-8")
    source.write_text("\n".join(s for s, _ in PAIRS) + "\n", encoding="utf-8")
    args = ["check", str(german), "--source", str(source), "--backend", "none", "--qe", "metricx",
            "--qe-model", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"), "--format", "json", "-q"]
    required = CliRunner().invoke(main, [*args, "--require-model"])
    assert required.exit_code == EXIT_MODEL_UNAVAILABLE and "nowhere" in required.output
    assert "Traceback" not in required.output
    done = CliRunner().invoke(main, args)
    assert done.exit_code in (0, 1), done.output
    report = json.loads((tmp_path / "out" / "a.json").read_text())
    judges = {j["judge"]: j for j in report["settings"]["judges"]}
    assert judges["model-free"]["ran"] and not judges["metricx"]["ran"] and "nowhere" in judges["metricx"]["reason"]
    assert any("metricx did not run" in w for w in report["document"]["warnings"])


def test_two_judges_asked_one_missing_the_other_runs_and_each_is_named(tiny_metricx, tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_COMET_PYTHON", str(tmp_path / "no-python"))
    german, source = tmp_path / "a.de.txt", tmp_path / "a.en.txt"
    german.write_text("\n".join(g for _, g in PAIRS) + "\n", encoding="utf-8")
    source.write_text("\n".join(s for s, _ in PAIRS) + "\n", encoding="utf-8")
    args = ["check", str(german), "--source", str(source), "--backend", "none", "--qe", "metricx", "--qe", "comet",
            "--out", str(tmp_path / "out"), "--format", "json", "-q"]
    done = CliRunner().invoke(main, [*args, "--qe-model", f"metricx={tiny_metricx}"])
    assert done.exit_code in (0, 1), done.output
    report = json.loads((tmp_path / "out" / "a.json").read_text())
    judges = {j["judge"]: j for j in report["settings"]["judges"]}
    assert judges["metricx"]["ran"] and not judges["comet"]["ran"] and "no-python" in judges["comet"]["reason"]
    # a checkpoint without its judge's name is ambiguous with two judges: one sentence, exit 2
    ambiguous = CliRunner().invoke(main, [*args, "--qe-model", str(tiny_metricx)])
    assert ambiguous.exit_code == 2 and "KIND=ID" in ambiguous.output and "Traceback" not in ambiguous.output
    one = ["check", str(german), "--source", str(source), "--backend", "none", "--qe", "metricx",
           "--out", str(tmp_path / "out"), "--format", "json", "-q"]
    stray = CliRunner().invoke(main, [*one, "--qe-model", f"comet={tiny_metricx}"])
    assert stray.exit_code == 2 and "does not ask for" in stray.output


def _strict(metric: str = "MetricX-23-QE") -> cal.Calibration:
    """A calibration under which the tiny random model's scores (about 2.5) are major."""
    return cal.Calibration(metrics={metric: cal.Metric(metric, "error", 0.0, 25.0, centre=0.5, spread=1.0)},
                           rules={(metric,): cal.Rule((metric,), major=1.0, minor=0.5)})


def test_a_judged_audit_flags_at_the_sentence_and_caches(tiny_metricx, tmp_path, monkeypatch):
    from audit.judge import metricx
    from audit.pipeline import Auditor, AuditSettings

    monkeypatch.setattr(cal, "load", lambda path=None: _strict())
    german, source = tmp_path / "a.de.txt", tmp_path / "a.en.txt"
    german.write_text(" ".join(g for _, g in PAIRS[:2]) + "\n" + PAIRS[2][1] + "\n", encoding="utf-8")
    source.write_text(" ".join(s for s, _ in PAIRS[:2]) + "\n" + PAIRS[2][0] + "\n", encoding="utf-8")
    settings = AuditSettings(backend="none", qe="metricx", qe_model=str(tiny_metricx), cache_dir=str(tmp_path / "c"),
                             quiet=True)
    doc = Auditor(settings).audit(german, source)
    judged = [f for f in doc.findings if f.check == "judge.meaning"]
    assert len(judged) == 2 and all(f.severity == "major" for f in judged)
    assert all("MetricX-23 error" in f.message and "of 25" in f.message for f in judged)
    # the finding points at one sentence of a paragraph of two, not at the paragraph
    first = judged[0]
    assert first.text in (PAIRS[0][1], PAIRS[1][1])
    assert not any(f.check == "source.meaning" for f in doc.findings)
    # a second audit scores nothing again
    calls = []
    original = metricx.MetricX.score
    monkeypatch.setattr(metricx.MetricX, "score", lambda self, pairs: calls.append(pairs) or original(self, pairs))
    again = Auditor(settings).audit(german, source)
    assert calls == [] and [f.message for f in again.findings] == [f.message for f in doc.findings]


def test_a_paragraph_longer_than_the_model_reads_is_scored_by_its_passages(tiny_metricx, tmp_path, monkeypatch):
    from audit.pipeline import Auditor, AuditSettings

    monkeypatch.setattr(cal, "load", lambda path=None: _strict())
    german, source = tmp_path / "a.de.txt", tmp_path / "a.en.txt"
    german.write_text(" ".join(g for _, g in PAIRS[:2]) + "\n", encoding="utf-8")
    source.write_text(" ".join(s for s, _ in PAIRS[:2]) + "\n", encoding="utf-8")
    auditor = Auditor(AuditSettings(backend="none", qe="metricx", qe_model=str(tiny_metricx), use_cache=False,
                                    quiet=True))
    auditor.open_model()
    [judge] = auditor.judges
    whole = (" ".join(s for s, _ in PAIRS[:2]), " ".join(g for _, g in PAIRS[:2]))
    lengths = [len(ids) for ids in judge.encode([whole, *PAIRS[:2]])]
    # the model reads each sentence at once but not the two together
    judge.max_input_length = max(lengths[1:])
    assert judge.fits([whole, *PAIRS[:2]]) == [False, True, True]
    doc = auditor.audit(german, source)
    signals = doc.segments[0].signals["judges"]
    assert signals["parts"] == 2
    assert signals["scores"]["MetricX-23-QE"] == pytest.approx(max(judge.score(PAIRS[:2])), abs=1e-3)
    [finding] = [f for f in doc.findings if f.check == "judge.meaning"]
    assert "the worst of 2 parts" in finding.message
    # read at once where it fits
    judge.max_input_length = lengths[0]
    again = auditor.audit(german, source)
    assert "parts" not in again.segments[0].signals["judges"]


def test_a_judge_without_the_source_says_so(tiny_metricx, tmp_path):
    from audit.pipeline import Auditor, AuditSettings

    german = tmp_path / "a.de.txt"
    german.write_text(PAIRS[0][1] + "\n", encoding="utf-8")
    doc = Auditor(AuditSettings(backend="none", qe="metricx", qe_model=str(tiny_metricx), use_cache=False,
                                quiet=True)).audit(german)
    assert not any(f.check == "judge.meaning" for f in doc.findings)
    assert any("needs the English source" in w for w in doc.warnings)


# --- calibration ------------------------------------------------------------------------------

def test_budget_threshold_keeps_findings_within_the_budget():
    errors = [9.0, 7.0, 5.0, 3.0, 1.0]
    # 2000 words at 1 per 1000: two paragraphs may be flagged
    threshold = cal.budget_threshold(errors, 2000, 1.0)
    assert sum(e >= threshold for e in errors) == 2 and 5.0 < threshold < 5.0001
    assert sum(e >= cal.budget_threshold(errors, 100, 1.0) for e in errors) == 0


def test_verdict_by_one_judge_and_by_two_joined_and_with_model_free_evidence():
    metricx = cal.Metric("MetricX-23-QE", "error", 0, 25, centre=1.0, spread=1.0)
    kiwi = cal.Metric("CometKiwi", "quality", 0, 1, centre=-0.85, spread=0.05)
    both = ("CometKiwi", "MetricX-23-QE")
    calibration = cal.Calibration(metrics={m.name: m for m in (metricx, kiwi)},
                                  rules={("MetricX-23-QE",): cal.Rule(("MetricX-23-QE",), major=6.5, minor=3.0,
                                                                      model_free_weight=1.0),
                                         both: cal.Rule(both, major=4.5, minor=2.0)})
    assert calibration.verdict({"MetricX-23-QE": 9.0}).severity == "major"  # z 8
    assert calibration.verdict({"MetricX-23-QE": 5.0}).severity == "minor"  # z 4
    # a major model-free finding on the paragraph (risk 1 + 1 + its confidence) tips it over
    assert calibration.verdict({"MetricX-23-QE": 5.0}, cal.model_free_risk([("major", 0.9)])).severity == "major"
    joined = calibration.verdict({"MetricX-23-QE": 5.0, "CometKiwi": 0.55})  # z 4 and 6: mean 5
    assert joined.severity == "major" and joined.risk == pytest.approx(5.0)
    with pytest.raises(Exception, match="together"):
        calibration.verdict({"CometKiwi": 0.9, "XCOMET-QE": 0.5})


def test_the_shipped_calibration_loads_and_names_where_it_came_from():
    shipped = cal.load()
    metric = shipped.metric("MetricX-23-QE")
    assert metric.orientation == "error" and metric.fitted_on and metric.spread > 0
    rule = shipped.rule(("MetricX-23-QE",))
    assert rule.minor <= rule.major and rule.fitted_on and rule.model_free_weight >= 0
    assert shipped.rule(("MetricX-23-QE", "CometKiwi")).names == ("CometKiwi", "MetricX-23-QE")
    # two QE judges and the LLM together (--qe metricx --qe comet --llm-url ...)
    assert shipped.rule(("MetricX-23-QE", "GEMBA-MQM", "CometKiwi")).fitted_on


def test_a_broken_calibration_is_one_sentence(tmp_path):
    from audit.errors import ConfigError

    bad = tmp_path / "j.toml"
    bad.write_text('[metric."X"]\norientation = "sideways"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="orientation"):
        cal.load(str(bad))


# --- measures -------------------------------------------------------------------------------

def _line(doc, system, bad, metricx, findings=(), domain="social"):
    return {"doc": doc, "line": 1, "system": system, "domain": domain, "major_accuracy": bad, "no_error": not bad,
            "errors": [{"category": "accuracy/mistranslation", "severity": "major"}] if bad else [],
            "source_errors": [], "findings": list(findings), "passages": [], "source_words": 10,
            "anchors": {"MetricX-23-QE-src": -metricx}}


def test_within_source_auc_compares_germans_of_the_same_source_only():
    # across sources the error line scores lower than an error-free line of another source;
    # within each source it scores higher: the measure must say 1.0
    lines = [_line("a", "s1", True, 3.0), _line("a", "s2", False, 1.0),
             _line("b", "s1", True, 9.0), _line("b", "s2", False, 5.0)]
    rows = [(r, -r["anchors"]["MetricX-23-QE-src"]) for r in lines]
    assert measures.within_source_auc(rows) == (1.0, 2)
    tied = [(r, 0.0) for r in lines]
    assert measures.within_source_auc(tied) == (0.5, 2)


def test_replayed_judge_is_fitted_on_the_other_domains_and_counted_on_professional_text():
    lines, professional = [], []
    for k, domain in enumerate(("social", "speech", "user_review") * 4):
        lines += [_line(f"d{k}", "s1", True, 9.0, domain=domain), _line(f"d{k}", "s2", False, 1.0, domain=domain)]
        professional.append({"domain": domain, "words": 1000, "findings": [], "anchors": {"MetricX-23-QE-src": -1.5}})
    measured = measures.measure(lines, {"pro": professional}, ("MetricX-23-QE",),
                                calibration_path=None)
    run = measured["configurations"]["model-free + MetricX-23-QE"]["folds"]
    assert run["held out, pooled"]["within-source AUC"] == 1.0
    assert run["held out, pooled"]["gate recall"] == 1.0
    assert run["held out, pooled"]["professional major/1000"] == 0.0
    assert measured["configurations"]["model-free"]["folds"]["held out, pooled"]["gate recall"] == 0.0
    assert measured["last_line"].startswith("MQM within_source_auc=")
    assert "professional_major_per_1000=" in measured["last_line"]


def test_three_judges_replayed_are_measured_and_calibrated_together():
    lines, professional = [], []
    for k, domain in enumerate(("social", "speech", "user_review") * 4):
        for system, bad, metricx, kiwi, gemba in (("s1", True, 9.0, 0.5, 10.0), ("s2", False, 1.0, 0.85, 0.0)):
            row = _line(f"d{k}", system, bad, metricx, domain=domain)
            row["anchors"].update({"CometKiwi-src": kiwi, "GEMBA-MQM-src": -gemba})
            lines.append(row)
        professional.append({"domain": domain, "words": 1000, "findings": [],
                             "anchors": {"MetricX-23-QE-src": -1.5, "CometKiwi-src": 0.8, "GEMBA-MQM-src": -1.0}})
    three = ("MetricX-23-QE", "CometKiwi", "GEMBA-MQM")
    measured = measures.measure(lines, {"pro": professional}, three)
    run = measured["configurations"]["model-free + MetricX-23-QE + CometKiwi + GEMBA-MQM"]["folds"]
    assert run["held out, pooled"]["within-source AUC"] == 1.0
    fitted = tomllib.loads(measures.calibrate(lines, {"pro": professional}))
    assert "CometKiwi+GEMBA-MQM+MetricX-23-QE" in fitted["verdict"]


def test_a_smaller_share_of_the_budgets_fits_stricter_thresholds():
    """--fit-share: thresholds fitted to a smaller share of the budgets flag fewer professional
    paragraphs (here 10 of 1000 words each: 2 per 1000 words allow 20, a quarter of it 5)."""
    lines, professional = [], []
    for k, domain in enumerate(("social", "speech", "user_review") * 4):
        lines += [_line(f"d{k}", "s1", True, 9.0, domain=domain), _line(f"d{k}", "s2", False, 1.0, domain=domain)]
    for k in range(40):
        professional.append({"domain": ("social", "speech", "user_review")[k % 3], "words": 250, "findings": [],
                             "anchors": {"MetricX-23-QE-src": -(1.0 + k / 10)}})
    fitted = {share: tomllib.loads(measures.calibrate(lines, {"pro": professional}, share))
              for share in (1.0, 0.25)}
    loose, strict = (fitted[s]["verdict"]["MetricX-23-QE"] for s in (1.0, 0.25))
    assert strict["minor"] > loose["minor"] and strict["major"] >= loose["major"]
    assert "0.25 of the budgets" in measures.calibrate(lines, {"pro": professional}, 0.25)


def _with_professional(root, published):
    """The MQM folder of test_qe with professional translations of both its domains beside it,
    their published MetricX scores ``published(line)``."""
    from tests.test_qe import _wmt_folder

    root = _wmt_folder(root)
    pro = root / "precision" / "pro"
    pro.mkdir(parents=True)
    anchors = []
    for doc, domain in (("p1", "news"), ("p2", "reviews")):
        (pro / f"{doc}.en.txt").write_text("The dog slept in the garden.\nIt rained on Monday.\n", encoding="utf-8")
        (pro / f"{doc}.de.txt").write_text("Der Hund schlief im Garten.\nAm Montag regnete es.\n", encoding="utf-8")
        anchors += [{"file": f"{doc}.de.txt", "line": k, "domain": domain,
                     "anchors": {"MetricX-23-QE-src": published(k)}} for k in (1, 2)]
    (pro / "anchors.jsonl").write_text("".join(json.dumps(a) + "\n" for a in anchors), encoding="utf-8")
    return root


def test_eval_mqm_refits_from_records_with_a_replayed_judge(tmp_path):
    from tests.test_qe import STRICT

    root = _with_professional(tmp_path / "eval", lambda k: -1.0 - k / 10)
    config = tmp_path / "c.toml"
    config.write_text(STRICT, encoding="utf-8")
    records = tmp_path / "records.json"
    first = CliRunner().invoke(main, ["eval", "mqm", str(root), "--config", str(config), "--workers", "1",
                                      "--records", str(records)])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(main, ["eval", "mqm", str(tmp_path / "elsewhere"), "--from-records", str(records),
                                      "--qe-replay", "MetricX-23-QE"])
    assert again.exit_code == 0, again.output
    saved = json.loads(records.read_text())
    assert len(saved["professional"]["pro"]) == 4 and saved["professional"]["pro"][0]["words"] == 5
    assert "model-free + MetricX-23-QE: fitted on the other domains" in again.output
    last = again.output.strip().splitlines()[-1]
    assert last.startswith("MQM within_source_auc=") and "gate_recall=" in last
    unknown = CliRunner().invoke(main, ["eval", "mqm", str(root), "--from-records", str(records),
                                        "--qe-replay", "BLEU"])
    assert unknown.exit_code == 2 and "BLEU" in unknown.output
    broken = tmp_path / "broken.json"
    broken.write_text("[]", encoding="utf-8")
    refused = CliRunner().invoke(main, ["eval", "mqm", str(root), "--from-records", str(broken)])
    assert refused.exit_code == 2 and "audit again" in refused.output


def test_batch_loads_the_judge_once_for_the_corpus(tiny_metricx, tmp_path, monkeypatch):
    """With a judge, the documents are finished in the process that loaded it: one model load
    for the corpus, whatever --jobs says."""
    from audit.judge import metricx

    monkeypatch.setattr(cal, "load", lambda path=None: _strict())
    loads = []
    original = metricx.MetricX.__init__
    monkeypatch.setattr(metricx.MetricX, "__init__", lambda self, *a, **k: loads.append(1) or original(self, *a, **k))
    folder = tmp_path / "in"
    folder.mkdir()
    for k, (source, german) in enumerate(PAIRS[:3]):
        (folder / f"d{k}.de.txt").write_text(german + "\n", encoding="utf-8")
        (folder / f"d{k}.en.txt").write_text(source + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(folder), "--source-dir", str(folder), "--backend", "none",
                                       "--qe", "metricx", "--qe-model", str(tiny_metricx), "--jobs", "2",
                                       "--out", str(tmp_path / "out"), "--format", "json", "-q"])
    assert result.exit_code in (0, 1), result.output
    assert loads == [1]
    reports = [json.loads(p.read_text()) for p in sorted((tmp_path / "out").glob("d*.json"))]
    assert len(reports) == 3 and all(any(f["check"] == "judge.meaning" for f in r["findings"]) for r in reports)


def eval_with_a_live_judge(tmp_path, kind: str, model, metric: str, *refit: str) -> tuple[dict, list, dict]:
    """`eval mqm --qe KIND --qe-model MODEL --records` on a small folder of the evaluation
    layout, then a refit from those records (``refit``: its further options): the records,
    the judge's own scores of the MQM lines, and the calibration fitted for ``metric``."""
    from tests.test_qe import STRICT

    root = _with_professional(tmp_path / "eval", lambda k: -1.0)
    config = tmp_path / "c.toml"
    config.write_text(STRICT, encoding="utf-8")
    records, fitted = tmp_path / "records.json", tmp_path / "judges.toml"
    result = CliRunner().invoke(main, ["eval", "mqm", str(root), "--config", str(config), "--workers", "1",
                                       "--qe", kind, "--qe-model", str(model), "--records", str(records)])
    assert result.exit_code == 0, result.output
    saved = json.loads(records.read_text())
    live = [r["judged"][metric] for r in saved["lines"] if "judged" in r]
    again = CliRunner().invoke(main, ["eval", "mqm", str(root), "--from-records", str(records), *refit,
                                      "--calibrate", str(fitted)])
    assert again.exit_code == 0, again.output
    return saved, live, tomllib.loads(fitted.read_text())["metric"][metric]


def test_eval_mqm_keeps_a_live_judges_scores_and_calibrates_on_them(tiny_metricx, tmp_path):
    """With --qe the evaluation audits with the judge and keeps its scores: calibration then fits
    the user's checkpoint, not the published scores of another."""
    saved, live, metric = eval_with_a_live_judge(tmp_path, "metricx", tiny_metricx, "MetricX-23-QE")
    assert len(live) == len(saved["lines"]) and all(0 <= v <= 25 for v in live)
    assert all("judged" in r for r in saved["professional"]["pro"])
    # the findings the judge raised in that audit are not counted as model-free findings
    assert all(not f["check"].startswith("judge.") for f in measures.model_free_findings(saved["lines"][0], True))
    # the centre is the live scores' (about 2.5 for the random model), not the published 1.0
    assert abs(metric["centre"] - sorted(live)[len(live) // 2]) < 0.5


def test_check_takes_a_calibration_of_ones_own(tiny_metricx, tmp_path):
    german, source = tmp_path / "a.de.txt", tmp_path / "a.en.txt"
    german.write_text(PAIRS[0][1] + "\n", encoding="utf-8")
    source.write_text(PAIRS[0][0] + "\n", encoding="utf-8")
    own = tmp_path / "own.toml"
    own.write_text('[metric."MetricX-23-QE"]\norientation = "error"\nlow = 0.0\nhigh = 25.0\ncentre = 0.5\n'
                   'spread = 1.0\n\n[verdict."MetricX-23-QE"]\nmajor = 1.0\nminor = 0.5\n', encoding="utf-8")
    args = ["check", str(german), "--source", str(source), "--backend", "none", "--qe", "metricx", "--qe-model",
            str(tiny_metricx), "--out", str(tmp_path / "out"), "--format", "json", "-q", "--no-cache"]
    done = CliRunner().invoke(main, [*args, "--judge-calibration", str(own)])
    assert done.exit_code == 1, done.output  # the random model's 2.5 is major under this calibration
    report = json.loads((tmp_path / "out" / "a.json").read_text())
    assert any(f["check"] == "judge.meaning" and f["severity"] == "major" for f in report["findings"])
    assert {j["judge"]: j for j in report["settings"]["judges"]}["metricx"]["calibration"] == "own.toml"
    bad = tmp_path / "bad.toml"
    bad.write_text("[metric.x]\norientation = 3\n", encoding="utf-8")
    refused = CliRunner().invoke(main, [*args, "--judge-calibration", str(bad)])
    assert refused.exit_code == 2 and "orientation" in refused.output and "Traceback" not in refused.output
