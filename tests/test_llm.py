"""The LLM judge against a real HTTP server on loopback that speaks the OpenAI chat API and
answers with GEMBA-MQM answers written for these tests (well-formed, malformed, empty, slow,
429, 500)."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from audit.errors import EXIT_MODEL_UNAVAILABLE, JudgeUnavailable
from audit.judge import calibration as cal
from audit.judge.findings import place
from audit.judge.llm import LLMJudge, parse, prompt

ANSWER = ("Critical:\nno-error\nMajor:\naccuracy/mistranslation - \"vorgezogen\" - 'postponed' means put off\n"
          "Minor:\nfluency/punctuation - \"März .\" - a space before the full stop\n")


class Endpoint:
    """A chat-completions server whose answer to each request ``answer(body, count)`` gives:
    (status, content or None, extra headers)."""

    def __init__(self, answer):
        self.answer, self.requests = answer, []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests.append((self.path, dict(self.headers), body))
                status, content, headers = endpoint.answer(body, len(endpoint.requests))
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}],
                                      "usage": {"prompt_tokens": 100, "completion_tokens": 20}}).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    made = []

    def make(answer):
        made.append(Endpoint(answer))
        return made[-1]

    yield make
    for e in made:
        e.close()


PAIR = ("The council postponed the vote until March.", "Der Rat hat die Abstimmung auf März . vorgezogen.")


def test_parse_reads_severities_categories_spans_and_reasons():
    a = parse(ANSWER)
    assert a.score == 6.0
    assert [(e.severity, e.category, e.span) for e in a.errors] == [
        ("major", "accuracy/mistranslation", "vorgezogen"), ("minor", "fluency/punctuation", "März .")]
    assert a.errors[0].reason == "'postponed' means put off"
    assert parse("Critical:\nno-error\nMajor:\nno-error\nMinor:\nno-error\n").score == 0.0
    assert parse("The translation looks fine to me.") is None and parse("") is None
    # German quotes, a bullet, no reason; the penalty stops at 25
    assert parse("Major:\n- accuracy/omission - „den Rat“").errors[0].span == "den Rat"
    assert parse("Critical:\n" + "accuracy/mistranslation - \"x\"\n" * 3).score == 25.0


def test_spans_are_placed_exactly_or_after_folding():
    german = "Der Rat hat die  Abstimmung auf „März“ vorgezogen."
    assert place(german, "vorgezogen") == (german.index("vorgezogen"), german.index("vorgezogen") + 10)
    a, b = place(german, "die abstimmung")
    assert german[a:b] == "die  Abstimmung"
    a, b = place(german, '"März"')
    assert german[a:b] == "„März“"
    assert place(german, "Bürgermeister") is None


def test_words_that_stand_twice_are_counted_and_the_finding_says_so(endpoint, tmp_path, monkeypatch):
    from audit.judge.findings import occurrences
    from audit.pipeline import Auditor, AuditSettings

    german = "Die Stadt stimmte zu, der Rat vertagte sich, und der Rat ging."
    assert occurrences(german, "der Rat") == [(22, 29), (49, 56)]
    assert len(occurrences(german, "vertagte")) == 1 and occurrences(german, "Bus") == []
    assert len(occurrences(german, "DER RAT")) == 2  # after folding case, as the words are placed
    monkeypatch.setattr(cal, "load", lambda path=None: _strict())
    answer = "Critical:\nno-error\nMajor:\naccuracy/mistranslation - \"der Rat\" - the mayor, not the council\n"
    server = endpoint(lambda body, n: (200, answer, {}))
    (tmp_path / "a.de.txt").write_text(german + "\n", encoding="utf-8")
    (tmp_path / "a.en.txt").write_text("The city agreed, the council adjourned, and the mayor left.\n",
                                        encoding="utf-8")
    settings = AuditSettings(backend="none", quiet=True, llm_url=server.url, llm_model="m", cache_dir=str(tmp_path))
    doc = Auditor(settings).audit(tmp_path / "a.de.txt", tmp_path / "a.en.txt")
    [finding] = [f for f in doc.findings if f.check == "judge.llm"]
    assert finding.text == "der Rat" and finding.start == german.index("der Rat")
    assert "stands 2 times" in finding.message


def test_eval_spans_places_annotated_spans_as_an_llm_quotes_them(tmp_path):
    from click.testing import CliRunner

    from audit.apps.cli import main

    folder = tmp_path / "mqm-wmt23"
    folder.mkdir()
    german = "Die Abstimmung wurde vorgezogen, sagte der Rat, und der Rat ging."
    (folder / "S__d.de.txt").write_text(german + "\n", encoding="utf-8")
    errors = [{"category": "accuracy/mistranslation", "severity": "major", "start": german.index("vorgezogen"),
               "end": german.index("vorgezogen") + 10, "span": "vorgezogen"},
              {"category": "accuracy/mistranslation", "severity": "minor", "start": german.rindex("der Rat"),
               "end": german.rindex("der Rat") + 7, "span": "der Rat"}]
    (folder / "gold.jsonl").write_text(json.dumps({"file": "S__d.de.txt", "line": 1, "errors": errors}) + "\n",
                                       encoding="utf-8")
    out = tmp_path / "spans.json"
    result = CliRunner().invoke(main, ["eval", "spans", str(tmp_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())["as they stand"]
    # "vorgezogen" lands on its words; the second "der Rat" on the first, which the finding says
    assert figures["spans"] == 2 and figures["exactly"] == 0.5 and figures["elsewhere (said)"] == 0.5
    assert json.loads(out.read_text())["lower case"]["standing more than once"] == 0.5


def test_the_judge_asks_with_the_prompt_and_reads_the_answer(endpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_LLM_KEY", "secret-key")
    server = endpoint(lambda body, n: (200, ANSWER, {}))
    judge = LLMJudge(server.url, "tiny-llm", cache_dir=str(tmp_path))
    [assessment] = judge.assess([PAIR])
    assert assessment.score == 6.0 and assessment.errors[0].span == "vorgezogen"
    path, headers, body = server.requests[0]
    assert path == "/v1/chat/completions" and headers["Authorization"] == "Bearer secret-key"
    assert body["model"] == "tiny-llm" and body["temperature"] == 0
    assert body["messages"] == prompt(*PAIR) and PAIR[1] in body["messages"][-1]["content"]
    assert judge.cost() == {"requests": 1, "answers_from_cache": 0, "tokens_sent": 100, "tokens_received": 20}
    # a second run costs nothing: the answer comes from the cache
    again = LLMJudge(server.url, "tiny-llm", cache_dir=str(tmp_path))
    assert again.assess([PAIR])[0].score == 6.0 and len(server.requests) == 1
    assert again.cost()["answers_from_cache"] == 1


def test_429_and_500_are_retried_with_back_off(endpoint, tmp_path):
    server = endpoint(lambda body, n: (429, None, {"Retry-After": "0"}) if n == 1 else
                      (500, None, {}) if n == 2 else (200, ANSWER, {}))
    judge = LLMJudge(server.url, "m", cache_dir=str(tmp_path), backoff_s=0.01)
    assert judge.assess([PAIR])[0].score == 6.0 and len(server.requests) == 3


def test_an_endpoint_that_keeps_failing_or_answers_nonsense_is_one_sentence(endpoint, tmp_path):
    failing = endpoint(lambda body, n: (500, None, {}))
    judge = LLMJudge(failing.url, "m", cache_dir=str(tmp_path), retries=2, backoff_s=0.01)
    with pytest.raises(JudgeUnavailable, match="kept failing") as err:
        judge.assess([PAIR])
    assert "\n" not in str(err.value) and len(failing.requests) == 3
    chatty = endpoint(lambda body, n: (200, "I think this translation is quite good!", {}))
    with pytest.raises(JudgeUnavailable, match="GEMBA-MQM"):
        LLMJudge(chatty.url, "m", cache_dir=str(tmp_path)).assess([PAIR])
    empty = endpoint(lambda body, n: (200, "", {}))
    with pytest.raises(JudgeUnavailable):
        LLMJudge(empty.url, "m", cache_dir=str(tmp_path)).assess([PAIR])
    refused = endpoint(lambda body, n: (401, None, {}))
    with pytest.raises(JudgeUnavailable, match="refused"):
        LLMJudge(refused.url, "m", cache_dir=str(tmp_path)).assess([PAIR])


def test_a_slow_endpoint_times_out(endpoint, tmp_path):
    import time

    slow = endpoint(lambda body, n: (time.sleep(2), (200, ANSWER, {}))[1])
    judge = LLMJudge(slow.url, "m", cache_dir=str(tmp_path), timeout_s=1, retries=0)
    with pytest.raises(JudgeUnavailable):
        judge.assess([PAIR])


def test_nothing_is_sent_without_a_url(tmp_path, monkeypatch):
    """An audit without --llm-url opens no connection at all."""
    from audit.pipeline import Auditor, AuditSettings

    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    (tmp_path / "a.de.txt").write_text(PAIR[1] + "\n", encoding="utf-8")
    (tmp_path / "a.en.txt").write_text(PAIR[0] + "\n", encoding="utf-8")
    doc = Auditor(AuditSettings(backend="none", quiet=True, use_cache=False)).audit(tmp_path / "a.de.txt",
                                                                                   tmp_path / "a.en.txt")
    assert not any(f.check.startswith("judge.") for f in doc.findings)


def _strict():
    m = cal.Metric("GEMBA-MQM", "error", 0.0, 25.0, centre=0.0, spread=1.0)
    return cal.Calibration(metrics={m.name: m}, rules={(m.name,): cal.Rule((m.name,), major=5.0, minor=1.0)})


def test_an_audit_with_the_llm_judge_reports_its_spans_at_their_words(endpoint, tmp_path, monkeypatch):
    from audit.pipeline import Auditor, AuditSettings

    monkeypatch.setattr(cal, "load", lambda path=None: _strict())
    server = endpoint(lambda body, n: (200, ANSWER, {}))
    (tmp_path / "a.de.txt").write_text(PAIR[1] + "\n", encoding="utf-8")
    (tmp_path / "a.en.txt").write_text(PAIR[0] + "\n", encoding="utf-8")
    settings = AuditSettings(backend="none", quiet=True, llm_url=server.url, llm_model="m", cache_dir=str(tmp_path))
    auditor = Auditor(settings)
    doc = auditor.audit(tmp_path / "a.de.txt", tmp_path / "a.en.txt")
    spans = [f for f in doc.findings if f.check == "judge.llm"]
    assert sorted((f.text, f.severity, f.category) for f in spans) == [("März .", "minor", "fluency"),
                                                                       ("vorgezogen", "major", "mistranslation")]
    major = next(f for f in spans if f.severity == "major")
    assert "put off" in major.message and "GEMBA-MQM (m) error 6.0 of 25" in major.message
    record = {j["judge"]: j for j in auditor.settings_record(doc)["judges"]}
    assert record["llm"]["ran"] and record["llm"]["revision"].startswith("gemba-mqm")
    assert record["llm"]["cost"]["tokens_sent"] == 100 and "secret" not in json.dumps(record)


def test_an_unreachable_endpoint_skips_the_judge_or_exits_3(tmp_path):
    from click.testing import CliRunner

    from audit.apps.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    (tmp_path / "a.de.txt").write_text(PAIR[1] + "\n", encoding="utf-8")
    (tmp_path / "a.en.txt").write_text(PAIR[0] + "\n", encoding="utf-8")
    args = ["check", str(tmp_path / "a.de.txt"), "--source", str(tmp_path / "a.en.txt"), "--backend", "none",
            "--llm-url", f"http://127.0.0.1:{port}/v1", "--llm-model", "m", "--llm-timeout", "2",
            "--out", str(tmp_path / "out"), "--format", "json", "-q", "--no-cache"]
    import audit.judge.llm as llm

    llm.BACKOFF_S = 0.01
    try:
        required = CliRunner().invoke(main, [*args, "--require-model"])
        assert required.exit_code == 3 and "could not be reached" in required.output, required.output
        skipped = CliRunner().invoke(main, args)
        assert skipped.exit_code in (0, 1), skipped.output
        report = json.loads((tmp_path / "out" / "a.json").read_text())
        assert any("llm did not run" in w for w in report["document"]["warnings"])
    finally:
        llm.BACKOFF_S = 1.0
    no_model = CliRunner().invoke(main, ["check", str(tmp_path / "a.de.txt"), "--llm-url", "http://127.0.0.1:1/v1"])
    assert no_model.exit_code == 2 and "--llm-model" in no_model.output


def test_the_endpoint_can_come_from_the_configuration_file(endpoint, tmp_path, monkeypatch):
    from audit.pipeline import Auditor, AuditSettings

    monkeypatch.setattr(cal, "load", lambda path=None: _strict())
    server = endpoint(lambda body, n: (200, ANSWER, {}))
    config = tmp_path / "house.toml"
    config.write_text(f'[llm]\nurl = "{server.url}"\nmodel = "house-llm"\nconcurrency = 2\n', encoding="utf-8")
    (tmp_path / "a.de.txt").write_text(PAIR[1] + "\n", encoding="utf-8")
    (tmp_path / "a.en.txt").write_text(PAIR[0] + "\n", encoding="utf-8")
    auditor = Auditor(AuditSettings(backend="none", quiet=True, config_path=str(config), cache_dir=str(tmp_path)))
    doc = auditor.audit(tmp_path / "a.de.txt", tmp_path / "a.en.txt")
    assert any(f.check == "judge.llm" for f in doc.findings)
    assert server.requests[0][2]["model"] == "house-llm" and auditor.settings.llm_concurrency == 2


def test_eval_spans_asks_an_endpoint_records_its_answers_and_measures_them_again(endpoint, tmp_path):
    from click.testing import CliRunner

    from audit.apps.cli import main

    folder = tmp_path / "mqm-wmt23"
    folder.mkdir()
    german = ["Der Rat hat die Abstimmung auf März vorgezogen.", "Die Stadt stimmte zu, und der Rat ging."]
    (folder / "S__d.de.txt").write_text("\n".join(german) + "\n", encoding="utf-8")
    (folder / "S__d.en.txt").write_text("The council postponed the vote until March.\n"
                                        "The city agreed, and the mayor left.\n", encoding="utf-8")
    rows = [{"file": "S__d.de.txt", "line": 1, "errors": [
                {"category": "accuracy/mistranslation", "severity": "major", "start": german[0].index("vorgezogen"),
                 "end": german[0].index("vorgezogen") + 10, "span": "vorgezogen"}]},
            {"file": "S__d.de.txt", "line": 2, "errors": [
                {"category": "accuracy/mistranslation", "severity": "major", "start": german[1].index("der Rat"),
                 "end": german[1].index("der Rat") + 7, "span": "der Rat"}]}]
    (folder / "gold.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    answers = {
        german[0]: "Major:\naccuracy/mistranslation - \"VORGEZOGEN\" - 'postponed' means put off\n"
                   "Minor:\nfluency/grammar - \"auf den März\" - no article\n",
        german[1]: "Major:\naccuracy/mistranslation - \"der Rat\" - the mayor, not the council\n",
    }
    server = endpoint(lambda body, n: (200, next(a for g, a in answers.items()
                                                 if g in body["messages"][-1]["content"]), {}))
    recorded, out = tmp_path / "answers.jsonl", tmp_path / "spans.json"
    result = CliRunner().invoke(main, ["eval", "spans", str(tmp_path), "--llm-url", server.url, "--llm-model", "m",
                                       "--record", str(recorded), "--json", str(out)])
    assert result.exit_code == 0, result.output
    own = json.loads(out.read_text())["own answers"]["m"]
    # three spans: one placed after folding case, one where quoted, one not in the German (said)
    assert own["lines"] == 2 and own["GEMBA-MQM answers"] == 1.0 and own["spans"] == 3
    assert own["once, after folding"] == pytest.approx(1 / 3, abs=1e-3)
    assert own["once, where quoted"] == pytest.approx(1 / 3, abs=1e-3)
    assert own["not in the German (said)"] == pytest.approx(1 / 3, abs=1e-3)
    assert own["placed on an annotated error"] == 1.0 and own["annotated majors covered"] == 1.0
    assert [json.loads(x)["answer"] for x in recorded.read_text().splitlines()] == [answers[g] for g in german]
    # the recorded answers measure the same without an endpoint
    asked = len(server.requests)
    again = CliRunner().invoke(main, ["eval", "spans", str(tmp_path), "--answers", str(recorded), "--json", str(out)])
    assert again.exit_code == 0, again.output
    assert json.loads(out.read_text())["own answers"]["m"] == own and len(server.requests) == asked
    both = CliRunner().invoke(main, ["eval", "spans", str(tmp_path), "--answers", str(recorded), "--record",
                                     str(recorded)])
    assert both.exit_code == 2 and "overwrite" in both.output
    failing = endpoint(lambda body, n: (401, "", {}))
    refused = CliRunner().invoke(main, ["eval", "spans", str(tmp_path), "--llm-url", failing.url, "--llm-model",
                                        "other"])
    assert refused.exit_code == EXIT_MODEL_UNAVAILABLE and "refused" in refused.output
    assert "Traceback" not in refused.output
