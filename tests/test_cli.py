"""The command line: exit codes, bad input, atomic reports, the input left untouched."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from audit.report.json_report import SCHEMA_FILE

from conftest import DEMO, ROOT


def mt_audit(*args, cwd=None, env=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "audit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=full_env, timeout=300)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_help_documents_every_option_and_exit_code():
    result = mt_audit("check", "--help")
    assert result.returncode == 0
    for option in ("--source", "--out", "--format", "--fail-on", "--model", "--backend", "--require-model",
                   "--glossary", "--ignore", "--write-ignore"):
        assert option in result.stdout
    for code in ("0 ", "1 ", "2 ", "3 "):
        assert f"\n    {code}" in result.stdout


def test_demo_without_model_writes_reports_and_says_translation_was_skipped(tmp_path):
    before = _sha(DEMO)
    result = mt_audit("check", DEMO, "--out", tmp_path, "--fail-on", "major")
    assert result.returncode == 1, result.stderr  # the demo has major findings
    assert "Back-translation skipped" in result.stderr + result.stdout
    report = json.loads((tmp_path / "nordkorea-munition.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert report["translation"]["skipped"] is True
    assert "Helsinki-NLP/opus-mt-de-en" in report["translation"]["skipped_reason"]
    html = (tmp_path / "nordkorea-munition.html").read_text(encoding="utf-8")
    assert "Back-translation was skipped" in html
    assert _sha(DEMO) == before


def test_fail_on_never_passes(tmp_path):
    assert mt_audit("check", DEMO, "--out", tmp_path, "--fail-on", "never").returncode == 0


def test_require_model_exits_3_with_one_sentence(tmp_path):
    result = mt_audit("check", DEMO, "--out", tmp_path, "--require-model")
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "Helsinki-NLP/opus-mt-de-en" in result.stderr
    assert not list(tmp_path.iterdir())


def test_require_model_with_a_broken_model_directory(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    result = mt_audit("check", DEMO, "--out", tmp_path / "out", "--model", model, "--require-model")
    assert result.returncode == 3 and "missing" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("make_input, message", [
    (lambda d: d / "missing.txt", "does not exist"),
    (lambda d: _write(d / "empty.txt", b""), "is empty"),
    (lambda d: d, "directory"),
    (lambda d: _write(d / "blob.bin", bytes(range(256)) * 40), "binary"),
])
def test_bad_input_exits_2_with_one_sentence(tmp_path, make_input, message):
    path = make_input(tmp_path)
    result = mt_audit("check", path, "--out", tmp_path / "out", "--backend", "none")
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_bad_usage_exits_2(tmp_path):
    assert mt_audit("check", DEMO, "--format", "pdf", "--out", tmp_path).returncode == 2
    assert mt_audit("check", DEMO, "--fail-on", "sometimes").returncode == 2


def test_invalid_config_exits_2(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[drift]\nmajor = 'high'\n")
    result = mt_audit("check", DEMO, "--config", config, "--out", tmp_path / "o", "--backend", "none")
    assert result.returncode == 2 and "drift.major" in result.stderr


def test_non_utf8_input_is_decoded(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(DEMO.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    result = mt_audit("check", path, "--out", tmp_path / "o", "--backend", "none", "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "o" / "latin1.json").read_text(encoding="utf-8"))
    assert any("decoded as" in w for w in report["document"]["warnings"])


def test_english_given_as_german_warns(tmp_path):
    path = tmp_path / "english.txt"
    path.write_text("North Korea sends ammunition to Russia\nThe old shells from Pyongyang have kept Russia in "
                    "the fight, and they could be the currency of even bigger threats in Asia.\n"
                    "Officials in Kyiv and Washington agree that the deliveries are a major threat.\n", encoding="utf-8")
    result = mt_audit("check", path, "--out", tmp_path / "o", "--backend", "none", "--fail-on", "never")
    report = json.loads((tmp_path / "o" / "english.json").read_text(encoding="utf-8"))
    assert any("Most of the input is English" in w for w in report["document"]["warnings"])


@pytest.mark.slow
def test_five_megabyte_input_finishes(tmp_path):
    text = DEMO.read_text(encoding="utf-8")
    path = tmp_path / "big.txt"
    path.write_text((text + "\n") * (5_000_000 // len(text.encode())), encoding="utf-8")
    result = mt_audit("check", path, "--out", tmp_path / "o", "--backend", "none", "--fail-on", "never",
                      "--format", "json", "--quiet")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "big.json").stat().st_size > 0


def test_accepted_findings_baseline(tmp_path):
    baseline = tmp_path / "accepted.json"
    first = mt_audit("check", DEMO, "--out", tmp_path / "a", "--backend", "none", "--write-ignore", baseline,
                     "--accept-scope", "everywhere")
    assert first.returncode == 0 and baseline.exists()  # writing the baseline accepts what was found
    edited = tmp_path / "edited.txt"
    edited.write_text("Ein neuer erster Absatz steht hier.\n" + DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    second = mt_audit("check", edited, "--out", tmp_path / "b", "--backend", "none", "--ignore", baseline)
    assert second.returncode == 0, second.stdout + second.stderr
    report = json.loads((tmp_path / "b" / "edited.json").read_text(encoding="utf-8"))
    assert report["findings"] and all(f["accepted"] for f in report["findings"])


def test_a_baseline_accepts_in_its_scope(tmp_path):
    from audit.pipeline import AuditSettings, Auditor

    story = tmp_path / "story.de.txt"
    story.write_text("Der Blitzkrieg begann am Montag.\n\nDie Truppen legten 500 Meilen zurück.\n", encoding="utf-8")
    baseline = tmp_path / "accepted.json"
    written = mt_audit("check", story, "--out", tmp_path / "a", "--backend", "none", "--write-ignore", baseline)
    assert written.returncode == 0
    entries = json.loads(baseline.read_text(encoding="utf-8"))["accepted"]
    assert {e["scope"] for e in entries} == {"story"} and {e["story"] for e in entries} == {"story"}
    # the story edited: a second "Blitzkrieg" is accepted too; the same words in another story are not
    story.write_text("Ein neuer Absatz.\n\nDer Blitzkrieg begann am Montag.\n\nDie Truppen legten 500 Meilen "
                     "zurück. Der Blitzkrieg endete.\n", encoding="utf-8")
    other = tmp_path / "other.de.txt"
    other.write_text(story.read_text(encoding="utf-8"), encoding="utf-8")
    auditor = Auditor(AuditSettings(backend="none", quiet=True, ignore_path=str(baseline)))
    mine, theirs = auditor.audit(story), auditor.audit(other)
    assert mine.findings and all(f.accepted for f in mine.findings) and auditor.passed(mine)
    assert not any(f.accepted for f in theirs.findings) and not auditor.passed(theirs)
    # this occurrence only: the second "Blitzkrieg" of the story is still flagged
    mt_audit("check", tmp_path / "story.de.txt", "--out", tmp_path / "b", "--backend", "none", "--write-ignore",
             baseline, "--accept-scope", "occurrence")
    story.write_text(story.read_text(encoding="utf-8") + "\nDer Blitzkrieg ist vorbei.\n", encoding="utf-8")
    again = Auditor(AuditSettings(backend="none", quiet=True, ignore_path=str(baseline))).audit(story)
    terms = [f for f in again.findings if f.check == "terms"]
    assert [f.accepted for f in terms] == [True, True, False]


def test_a_baseline_without_scopes_still_accepts_everywhere(tmp_path):
    from audit.pipeline import AuditSettings, Auditor

    baseline = tmp_path / "old.json"
    baseline.write_text(json.dumps({"schema": "mt-audit-accepted/1", "accepted": [
        {"key": "terms:blitzkrieg", "check": "terms", "text": "Blitzkrieg", "message": "x"}]}), encoding="utf-8")
    story = tmp_path / "any.de.txt"
    story.write_text("Der Blitzkrieg begann am Montag.\n", encoding="utf-8")
    doc = Auditor(AuditSettings(backend="none", quiet=True, ignore_path=str(baseline))).audit(story)
    assert [f.accepted for f in doc.findings if f.check == "terms"] == [True]
    baseline.write_text(json.dumps({"schema": "mt-audit-accepted/1", "accepted": [
        {"key": "terms:blitzkrieg", "scope": "somewhere"}]}), encoding="utf-8")
    bad = mt_audit("check", story, "--out", tmp_path / "o", "--backend", "none", "--ignore", baseline)
    assert bad.returncode == 2 and "scopes are occurrence, story, everywhere" in bad.stderr


def test_report_never_overwrites_the_input(tmp_path):
    path = tmp_path / "a.html"
    path.write_text("<html><body><article><p>Die Munition ist alt. Sie hilft Russland trotzdem sehr, "
                    "sagen die Fachleute in Kiew.</p></article></body></html>", encoding="utf-8")
    before = _sha(path)
    result = mt_audit("check", path, "--out", tmp_path, "--backend", "none", "--format", "html")
    assert result.returncode == 2 and _sha(path) == before and "is the input file" in result.stderr


@pytest.mark.slow
def test_with_source_and_tiny_model(tiny_model, tmp_path):
    source = tmp_path / "source.en.txt"
    source.write_text("North Korea feeds Russia ammunition for the Ukraine war with a clear goal\n"
                      "Analysts say at least 11,000 containers arrived. It is not good ammunition.\n", encoding="utf-8")
    german = tmp_path / "de.txt"
    german.write_text("Kim Jong-un füttert Russland mit Munition für den Ukraine-Krieg – mit einem klaren Ziel\n"
                      "Analysten sagen, dass mindestens 1.000 Container eingetroffen sind. Es ist gute Munition.\n",
                      encoding="utf-8")
    result = mt_audit("check", german, "--source", source, "--model", tiny_model, "--out", tmp_path / "o",
                      "--format", "html,json,junit", "--beam", "1")
    assert result.returncode == 1, result.stderr
    report = json.loads((tmp_path / "o" / "de.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    checks = {(f["check"], f["category"]) for f in report["findings"]}
    assert ("source.number", "number") in checks
    assert all(s["back_translation"] for s in report["segments"])
    assert any(s["drift"] is not None for s in report["segments"])
    assert (tmp_path / "o" / "de.junit.xml").exists()


@pytest.mark.slow
def test_batch_audits_a_corpus_and_writes_one_jsonl(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.de.txt").write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "b.de.txt").write_text("Russland hat keine Details preisgegeben.\n\nDie Munition ist alt.\n",
                                     encoding="utf-8")
    (corpus / "b.en.txt").write_text("Russia has not given any details.\n\nThe ammunition is old.\n",
                                     encoding="utf-8")
    (corpus / "c.txt").write_bytes(b"\x00\x01binary")
    before = {p.name: _sha(p) for p in corpus.iterdir()}
    out = tmp_path / "out"
    result = mt_audit("batch", corpus, "--source-dir", corpus, "--backend", "none", "--out", out)
    assert result.returncode == 2, result.stderr  # c.txt is binary: the worst outcome wins
    assert "c.txt is binary" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.html", "a.json", "b.html", "b.json", "corpus.jsonl"]
    lines = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {line["document"] for line in lines} == {"a", "b"}
    assert sum(1 for line in lines if line["document"] == "a") == 75
    assert json.loads((out / "b.json").read_text())["document"]["path"].endswith("b.de.txt")
    assert {p.name: _sha(p) for p in corpus.iterdir()} == before  # inputs untouched


@pytest.mark.slow
def test_batch_with_a_model_translates_all_documents_together(tiny_model, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in (("a", "Die Munition ist alt. Russland erhält Granaten."), ("b", "Kim profitiert.")):
        (corpus / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = mt_audit("batch", corpus, "--model", tiny_model, "--backend", "ctranslate2", "--out", out,
                      "--format", "json", "--fail-on", "never",
                      env={"MT_AUDIT_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3 and all(line["back_translation"] for line in lines)
    report = json.loads((out / "a.json").read_text())
    assert report["translation"]["backend"] == "ctranslate2"
    again = mt_audit("batch", corpus, "--model", tiny_model, "--backend", "ctranslate2", "--out", out,
                     "--format", "json", "--fail-on", "never", env={"MT_AUDIT_CACHE_DIR": str(tmp_path / "cache")})
    assert "3 taken from the cache" in " ".join(again.stdout.split())


def test_a_check_can_be_switched_off_in_the_configuration(tmp_path):
    config = tmp_path / "house.toml"
    config.write_text('[checks]\ndisabled = ["terms", "calques"]\n', encoding="utf-8")
    result = mt_audit("check", DEMO, "--backend", "none", "--format", "json", "--out", tmp_path, "--config", config)
    assert result.returncode == 0, result.stderr          # the demo's only major is a loaded term
    report = json.loads((tmp_path / "nordkorea-munition.json").read_text(encoding="utf-8"))
    assert report["findings"] and not {f["check"] for f in report["findings"]} & {"terms", "calques"}
    config.write_text('[checks]\ndisabled = ["blitz"]\n', encoding="utf-8")
    bad = mt_audit("check", DEMO, "--backend", "none", "--out", tmp_path, "--config", config)
    assert bad.returncode == 2 and "'blitz', which is no check" in bad.stderr


@pytest.mark.slow
def test_batch_workers_forked_from_the_warmed_server_write_what_one_process_writes(tiny_model, tmp_path):
    """With a model, the workers that finish the documents are forked from a server that
    loaded the scoring models while the model translated: same files as one process."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    articles = {"rat": ("Der Rat tagte am Montag in Bonn. Er beschloss 12 neue Schulen.\n",
                        "The council met in Bonn on Monday. It approved 12 new schools.\n"),
                "wetter": ("Am Dienstag regnete es in Hamburg. Die Elbe stieg um 40 Zentimeter.\n",
                           "It rained in Hamburg on Tuesday. The Elbe rose by 40 centimetres.\n"),
                "bahn": ("Die Bahn meldete 300 Verspätungen.\n", None)}
    for name, (german, english) in articles.items():
        (corpus / f"{name}.de.txt").write_text(german, encoding="utf-8")
        if english:
            (corpus / f"{name}.en.txt").write_text(english, encoding="utf-8")
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        result = mt_audit("batch", corpus, "--source-dir", corpus, "--backend", "marian", "--model", tiny_model,
                          "--jobs", jobs, "--out", out, "--format", "html,json", "--fail-on", "never", "--quiet",
                          env={"MT_AUDIT_CACHE_DIR": str(tmp_path / f"cache{jobs}")})
        assert result.returncode == 0, result.stderr[-3000:]
        outputs[jobs] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert len(outputs[1]) == 3 * 2 + 1 and outputs[1] == outputs[2]
    lines = [json.loads(line) for line in outputs[2]["corpus.jsonl"].decode().splitlines()]
    assert any(line["back_translation"] and line["drift"] for line in lines)


@pytest.mark.slow
def test_batch_workers_write_what_one_process_writes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = DEMO.read_text(encoding="utf-8")
    for n in range(4):
        (corpus / f"a{n}.de.txt").write_text(text.replace("Russland", f"Russland{n}" if n else "Russland"),
                                             encoding="utf-8")
    (corpus / "broken.de.txt").write_bytes(b"\x00\x01" * 50)
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        result = mt_audit("batch", corpus, "--backend", "none", "--jobs", jobs, "--out", out, "--format",
                          "html,json,junit,sarif", "--fail-on", "never", "--quiet")
        assert result.returncode == 2 and "broken.de.txt" in result.stderr  # the bad file, reported by name
        outputs[jobs] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert len(outputs[1]) == 4 * 3 + 2 and outputs[1] == outputs[2]
