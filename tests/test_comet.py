"""The COMET judge (`--qe comet`): unbabel-comet in an environment of its own, run by a worker
process, on tiny random CometKiwi and XCOMET checkpoints built here by comet itself; what is
said when that environment, or a checkpoint, is missing; XCOMET's error spans as findings at
their words."""
from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from audit.apps.cli import main
from audit.document import Document, Segment
from audit.errors import EXIT_MODEL_UNAVAILABLE
from audit.judge import JudgeUnavailable, open_judge
from audit.judge import calibration as cal
from audit.judge.comet import metric_of
from audit.judge.findings import JudgedParagraph, span_findings
from audit.judge.llm import LLMError

PAIRS = [("The council passed the budget on Tuesday.", "Der Rat hat am Dienstag den Haushalt beschlossen."),
         ("Many roads stayed closed after the storm.", "Nach dem Sturm blieben viele Straßen gesperrt."),
         ("Gas prices rose again in the autumn.", "Die Gaspreise sind im Herbst wieder gestiegen."),
         ("The mayor did not comment.", "Der Bürgermeister äußerte sich nicht.")]


def _strict(metric: str) -> cal.Calibration:
    """A calibration under which every score of a tiny random model is a major finding."""
    return cal.Calibration(metrics={metric: cal.Metric(metric, "quality", 0.0, 1.0, centre=-0.99, spread=0.01)},
                           rules={(metric,): cal.Rule((metric,), major=1.0, minor=0.5)})


def test_the_checkpoint_names_the_calibration_it_takes():
    assert metric_of("Unbabel/wmt22-cometkiwi-da") == "CometKiwi"
    assert metric_of("Unbabel/wmt23-cometkiwi-da-xxl") == "CometKiwi-XXL"
    assert metric_of("Unbabel/XCOMET-XL") == "XCOMET-QE"
    assert metric_of("/models/my-kiwi") == "CometKiwi"


def test_no_comet_environment_is_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_COMET_PYTHON", str(tmp_path / "nowhere" / "python"))
    with pytest.raises(JudgeUnavailable) as err:
        open_judge("comet", "Unbabel/wmt22-cometkiwi-da")
    assert "not an executable file" in str(err.value) and "\n" not in str(err.value)
    # mt-audit's own Python cannot import comet: the worker says so in one sentence
    monkeypatch.setenv("MT_AUDIT_COMET_PYTHON", sys.executable)
    with pytest.raises(JudgeUnavailable) as err:
        open_judge("comet", "Unbabel/wmt22-cometkiwi-da")
    assert "cannot import unbabel-comet" in str(err.value) and "\n" not in str(err.value)


def test_comet_scores_batched_as_one_at_a_time(comet_env, tiny_cometkiwi, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_COMET_PYTHON", comet_env)
    judge = open_judge("comet", str(tiny_cometkiwi), batch_size=3)
    alone = open_judge("comet", str(tiny_cometkiwi), batch_size=1)
    try:
        assert judge.metric == "CometKiwi" and judge.revision.startswith("local-") and not judge.names_spans
        batched = judge.score(PAIRS)
        assert len(batched) == len(PAIRS) and all(0.0 <= v <= 1.0 for v in batched)
        assert batched == pytest.approx(alone.score(PAIRS), abs=1e-3)
        assert judge.score([]) == []
        # a pair longer than the encoder reads at once (512 tokens) is said to be so
        long = (" ".join([PAIRS[0][0]] * 60), " ".join([PAIRS[0][1]] * 60))
        assert judge.fits([PAIRS[0], long]) == [True, False]
    finally:
        judge.close()
        alone.close()
    with pytest.raises(JudgeUnavailable):  # a closed judge's worker has ended
        judge.score(PAIRS[:1])


@pytest.mark.slow
def test_a_missing_comet_checkpoint_is_one_sentence(comet_env, tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_COMET_PYTHON", comet_env)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(JudgeUnavailable) as err:
        open_judge("comet", "Unbabel/wmt22-cometkiwi-da")
    message = str(err.value)
    assert "HF_HUB_OFFLINE" in message and "licence" in message and "--qe-model" in message and "\n" not in message
    (tmp_path / "empty").mkdir()
    with pytest.raises(JudgeUnavailable) as err:
        open_judge("comet", str(tmp_path / "empty"))
    assert "checkpoints/model.ckpt" in str(err.value)


@pytest.mark.slow
def test_check_with_comet_names_the_judge_or_exits_3(comet_env, tiny_cometkiwi, tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_COMET_PYTHON", comet_env)
    german, source = tmp_path / "a.de.txt", tmp_path / "a.en.txt"
    german.write_text("\n".join(g for _, g in PAIRS) + "\n", encoding="utf-8")
    source.write_text("\n".join(s for s, _ in PAIRS) + "\n", encoding="utf-8")
    args = ["check", str(german), "--source", str(source), "--backend", "none", "--qe", "comet",
            "--out", str(tmp_path / "out"), "--format", "json", "-q"]
    done = CliRunner().invoke(main, [*args, "--qe-model", str(tiny_cometkiwi)])
    assert done.exit_code in (0, 1), done.output
    report = json.loads((tmp_path / "out" / "a.json").read_text())
    judges = {j["judge"]: j for j in report["settings"]["judges"]}
    assert judges["comet"]["ran"] and judges["comet"]["calibrated_as"] == "CometKiwi"
    required = CliRunner().invoke(main, [*args, "--qe-model", str(tmp_path / "nowhere"), "--require-model"])
    assert required.exit_code == EXIT_MODEL_UNAVAILABLE and "nowhere" in required.output
    assert "Traceback" not in required.output


def test_xcomet_spans_are_findings_at_their_words_and_cached(comet_env, tiny_xcomet, tmp_path, monkeypatch):
    from audit.judge import comet
    from audit.pipeline import Auditor, AuditSettings

    monkeypatch.setenv("MT_AUDIT_COMET_PYTHON", comet_env)
    monkeypatch.setattr(cal, "load", lambda path=None: _strict("XCOMET-QE"))
    german, source = tmp_path / "a.de.txt", tmp_path / "a.en.txt"
    german.write_text("\n".join(g for _, g in PAIRS) + "\n", encoding="utf-8")
    source.write_text("\n".join(s for s, _ in PAIRS) + "\n", encoding="utf-8")
    settings = AuditSettings(backend="none", qe="comet", qe_model=str(tiny_xcomet), cache_dir=str(tmp_path / "c"),
                             quiet=True)
    auditor = Auditor(settings)
    doc = auditor.audit(german, source)
    judge = auditor.judges[0]
    assert judge.metric == "XCOMET-QE" and judge.names_spans
    judged = [f for f in doc.findings if f.check == "judge.meaning"]
    assert judged and all("XCOMET-QE" in f.message for f in judged)
    at_words = [f for f in judged if "marks these words" in f.message]
    # at whole words, each once, though the tiny model's spans cut words into pieces
    assert at_words and all(f.text == f.text.strip() and not doc.text[f.start - 1].isalnum()
                            and not doc.text[f.end].isalnum() for f in at_words)
    assert len({(f.start, f.end) for f in at_words}) == len(at_words)
    # a second audit asks the worker nothing: XCOMET's answers, spans and all, are cached
    calls = []
    original = comet.Comet.assess_raw
    monkeypatch.setattr(comet.Comet, "assess_raw", lambda self, pairs: calls.append(pairs) or original(self, pairs))
    again = Auditor(settings).audit(german, source)
    assert calls == [] and [f.message for f in again.findings] == [f.message for f in doc.findings]


class _XComet:
    kind, metric = "comet", "XCOMET-QE"


def _paragraph(text: str):
    segment = Segment(id="s1", paragraph=0, kind="sentence", start=0, end=len(text), text=text)
    doc = Document(path="x.de.txt", name="x", text=text, segments=[segment])
    return doc, JudgedParagraph(index=0, german=[segment], source="", passages=[])


def test_a_span_given_with_its_place_is_marked_there():
    text = "Die Bank zahlt, und die Bank wartet."
    doc, unit = _paragraph(text)
    second = text.rindex("die Bank")
    [there] = span_findings(doc, unit, [LLMError("major", "error span", "die Bank", "confidence 0.80",
                                                 (second, second + len("die Bank")))],
                            "major", "XCOMET-QE 0.20 of 1", _XComet())
    assert (there.start, there.end) == (second, second + len("die Bank")) and there.check == "judge.meaning"
    assert "XCOMET marks these words as a major error (confidence 0.80)" in there.message
    # pieces of one word, named apart: the whole word, once, as severe as its worst piece
    word = text.index("wartet")
    pieces = [LLMError("minor", "error span", "wa", "", (word, word + 2)),
              LLMError("critical", "error span", "rte", "", (word + 2, word + 5))]
    [whole] = span_findings(doc, unit, pieces, "major", "d", _XComet())
    assert whole.text == "wartet" and whole.severity == "major"


@pytest.mark.slow
def test_eval_mqm_keeps_comets_own_scores_and_calibrates_on_them(comet_env, tiny_cometkiwi, tmp_path, monkeypatch):
    """`eval mqm --qe comet` audits with the user's COMET checkpoint and fits its calibration on
    that checkpoint's scores, not on the published CometKiwi ones."""
    from tests.test_judge import eval_with_a_live_judge

    monkeypatch.setenv("MT_AUDIT_COMET_PYTHON", comet_env)
    saved, live, metric = eval_with_a_live_judge(tmp_path, "comet", tiny_cometkiwi, "CometKiwi",
                                                 "--qe-replay", "CometKiwi")
    assert len(live) == len(saved["lines"]) and all(0 <= v <= 1 for v in live)
    # the centre is on the live scores' error scale (minus the quality of the random model)
    assert abs(metric["centre"] + sorted(live)[len(live) // 2]) < 0.05


@pytest.mark.slow
def test_two_judges_are_joined_and_each_named(comet_env, tiny_cometkiwi, tiny_metricx, tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_COMET_PYTHON", comet_env)
    german, source = tmp_path / "a.de.txt", tmp_path / "a.en.txt"
    german.write_text("\n".join(g for _, g in PAIRS) + "\n", encoding="utf-8")
    source.write_text("\n".join(s for s, _ in PAIRS) + "\n", encoding="utf-8")
    args = ["check", str(german), "--source", str(source), "--backend", "none", "--qe", "metricx", "--qe", "comet",
            "--out", str(tmp_path / "out"), "--format", "json", "-q"]
    done = CliRunner().invoke(main, [*args, "--qe-model", f"metricx={tiny_metricx}",
                                     "--qe-model", f"comet={tiny_cometkiwi}"])
    assert done.exit_code in (0, 1), done.output
    report = json.loads((tmp_path / "out" / "a.json").read_text())
    judges = {j["judge"]: j for j in report["settings"]["judges"]}
    assert judges["metricx"]["ran"] and judges["comet"]["ran"]
    assert judges["metricx"]["model"] == str(tiny_metricx) and judges["comet"]["model"] == str(tiny_cometkiwi)
    joined = [s["signals"]["judges"] for s in report["segments"] if "judges" in s.get("signals", {})]
    assert joined and all(set(j["scores"]) == {"MetricX-23-QE", "CometKiwi"} for j in joined)
