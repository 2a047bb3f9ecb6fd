"""The model-free reading of German against English: the dictionary, the word evidence,
the findings it gives, and `mt-audit eval mqm` on the WMT23 layout."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from audit.judge import bilingual, modelfree as qe
from audit.apps.cli import main
from audit.config import load_config
from audit.evaluate import mqm_wmt
from audit.pipeline import Auditor, AuditSettings


def test_dictionary_reads_ding_lines_with_inflected_forms():
    d = bilingual.dictionary()
    assert d is not None
    assert d.renders("Häuser", "house") and d.renders("Häuser", "houses")
    assert d.renders("gebaut", "built") and d.renders("baute", "build")
    assert not d.renders("Häuser", "bridge")
    # an inflection stripped, and a compound read by its head and first part
    assert d.renders("neuen", "new")
    assert d.renders("Marktgesetz", "law") and d.renders("Marktgesetz", "market")
    assert d.renders("Eisenbahnbrücke", "bridge")
    assert d.translations("Quatschzeug") == frozenset()


def test_dictionary_index_is_cached_and_rebuilt_when_damaged(tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_CACHE_DIR", str(tmp_path))
    bilingual._load.cache_clear()
    assert bilingual.dictionary() is not None
    [index] = tmp_path.glob("dictionary-*.pickle")
    index.write_bytes(b"not a pickle")
    bilingual._load.cache_clear()
    assert bilingual.dictionary().renders("Fluss", "river")
    bilingual._load.cache_clear()


def test_no_dictionary_leaves_the_word_evidence_out_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_DICTIONARY", str(tmp_path / "missing"))
    reading = qe.lexical("The council approved the bridge.", "Der Rat hat die Brücke beschlossen.")
    assert not reading.dictionary and "source_unrendered" not in reading.features
    german, source = tmp_path / "a.de.txt", tmp_path / "a.en.txt"
    german.write_text("Der Rat hat am Montag den Bau einer neuen Brücke beschlossen.\n", encoding="utf-8")
    source.write_text("On Monday the council approved the construction of a new bridge.\n", encoding="utf-8")
    doc = Auditor(AuditSettings(backend="none", quiet=True)).audit(german, source)
    assert qe.NO_DICTIONARY in doc.warnings
    monkeypatch.setenv("MT_AUDIT_DICTIONARY", "none")
    assert bilingual.dictionary() is None


def test_a_faithful_sentence_renders_every_source_word():
    reading = qe.lexical("On Monday the city council approved the construction of a new bridge.",
                         "Der Stadtrat hat am Montag den Bau einer neuen Brücke beschlossen.")
    assert [w.text for w in reading.unrendered] == []
    assert [w.text for w in reading.unmatched] == []
    assert reading.features["source_unrendered"] == 0.0


def test_a_word_turned_into_another_is_named_on_both_sides():
    source = "The dog barked loudly last week."
    german = "Die Katze hat letzte Woche laut gebellt."
    reading = qe.lexical(source, german)
    assert [w.text for w in reading.unrendered] == ["dog"]
    assert [(w.text, german[w.start:w.end]) for w in reading.unmatched] == [("Katze", "Katze")]
    assert reading.features["source_unrendered"] > 0 and reading.features["german_unmatched"] > 0


def test_english_left_standing_in_the_german_is_found_but_names_and_loanwords_are_not():
    source = "The parcel was left behind in the rain by the driver from Denver."
    german = "Das Paket wurde left behind im Regen vom Fahrer aus Denver."
    reading = qe.lexical(source, german)
    assert [w.text for w in reading.untranslated] == ["left", "behind"]
    assert reading.features["untranslated_run"] == 2.0
    clean = qe.lexical("We watched the show online.", "Wir haben die Show online gesehen.")
    assert clean.untranslated == []


def test_a_german_word_of_english_spelling_and_a_hashtag_are_not_english_left_standing():
    # "separate" is an ending of the German "separat" (the dictionary knows the stem)
    german = qe.lexical("Keep the cables separate.", "Halte die Kabel in separate Fächer.")
    assert german.untranslated == []
    tags = qe.lexical("Great hike today #friendship #success", "Tolle Wanderung heute #friendship #success")
    assert tags.untranslated == []
    # without a hash the same words are English left standing
    plain = qe.lexical("Great hike today with friendship", "Tolle Wanderung today mit friendship")
    assert [w.text for w in plain.untranslated] == ["today", "friendship"]


def test_english_left_standing_in_capitals_is_found_but_acronyms_and_german_capitals_are_not():
    shouted = qe.lexical("The delivery was late and I HATE THIS COMPANY.",
                         "Die Lieferung kam zu spät und I HATE THIS COMPANY.")
    assert [w.text for w in shouted.untranslated] == ["HATE", "COMPANY"]
    acronyms = qe.lexical("NATO and UPS signed the deal.", "NATO und UPS unterzeichneten den Vertrag.")
    assert acronyms.untranslated == []
    german = qe.lexical("WE WANT OUR MONEY BACK, they shouted.", "WIR WOLLEN UNSER GELD ZURÜCK, riefen sie.")
    assert german.untranslated == []


def _config(**qe_settings):
    config = load_config()
    config["qe"].update(qe_settings)
    return config


def _audit(tmp_path, german_text, source_text, config_text=None):
    german, source = tmp_path / "s.de.txt", tmp_path / "s.en.txt"
    german.write_text(german_text, encoding="utf-8")
    source.write_text(source_text, encoding="utf-8")
    config = None
    if config_text:
        config = tmp_path / "c.toml"
        config.write_text(config_text, encoding="utf-8")
    return Auditor(AuditSettings(backend="none", quiet=True, config_path=str(config) if config else None)).audit(
        german, source)


STRICT = "[qe]\nintercept = -6.0\nmajor = 0.6\nminor = 0.3\nmajor_findings = true\n[qe.weights]\ngerman_unmatched = 20.0\nsource_unrendered = 20.0\n"


def test_a_changed_word_is_a_finding_at_that_word_naming_the_source_word(tmp_path):
    doc = _audit(tmp_path, "Die Katze hat letzte Woche laut gebellt.\n", "The dog barked loudly last week.\n", STRICT)
    [finding] = [f for f in doc.findings if f.check == "source.meaning"]
    assert finding.text == "Katze" and doc.text[finding.start:finding.end] == "Katze"
    assert finding.severity == "major" and finding.category == "mistranslation"
    assert "'dog'" in finding.message and "'Katze'" in finding.message
    assert 0.6 <= finding.confidence <= 1.0


def test_the_shipped_meaning_score_raises_no_major_finding(tmp_path):
    """As shipped, a passage the meaning score is sure of is a minor finding: the score is no
    measure of meaning precise enough to fail a gate on (the configuration can allow it)."""
    config = STRICT.replace("major_findings = true", "major_findings = false")
    doc = _audit(tmp_path, "Die Katze hat letzte Woche laut gebellt.\n", "The dog barked loudly last week.\n", config)
    [finding] = [f for f in doc.findings if f.check == "source.meaning"]
    assert finding.severity == "minor" and finding.confidence >= 0.6
    from audit.config import load_config

    assert load_config()["qe"]["major_findings"] is False


def test_a_faithful_translation_gets_no_meaning_finding(tmp_path):
    doc = _audit(tmp_path, "Der Stadtrat hat am Montag den Bau einer neuen Brücke beschlossen.\n",
                 "On Monday the city council approved the construction of a new bridge.\n", STRICT)
    assert [f for f in doc.findings if f.check in ("source.meaning", "source.untranslated")] == []


def test_english_left_standing_is_a_finding_at_its_words(tmp_path):
    doc = _audit(tmp_path, "Das Paket wurde einfach left behind at the door im Regen.\n",
                 "The parcel was simply left behind at the door in the rain.\n")
    [finding] = [f for f in doc.findings if f.check == "source.untranslated"]
    assert finding.text == "left behind at the door" and finding.severity == "major"
    assert finding.category == "untranslated"


def test_the_shipped_model_scores_in_range_and_weights_are_non_negative():
    config = load_config()
    assert all(w >= 0 for w in config["qe"]["weights"].values())
    assert set(config["qe"]["weights"]) <= set(qe.FEATURES)
    assert 0 < config["qe"]["minor"] <= config["qe"]["major"] < 1
    assert qe.score({}, config) < config["qe"]["minor"]


# --- the evaluation ----------------------------------------------------------------------

def test_recall_at_rate_and_auc_follow_their_definitions():
    positives, negatives = [0.1, 0.2, 0.9], [0.3, 0.5, 0.7, 0.8, 1.0]
    # 20% of 5 negatives: threshold at the second lowest (0.5), strictly below it flagged
    assert mqm_wmt.recall_at_rate(positives, negatives, 0.2) == round(2 / 3, 4)
    assert mqm_wmt.recall_at_rate(positives, negatives, 0.0) == round(2 / 3, 4)
    assert mqm_wmt.auc([0.0], [1.0]) == 1.0 and mqm_wmt.auc([1.0], [0.0]) == 0.0
    assert mqm_wmt.auc([0.5], [0.5]) == 0.5


def _wmt_folder(root):
    """Two systems' German of two short documents, one with a word turned around, in the
    layout of mqm-wmt23, with gold rows and anchors."""
    folder = root / "mqm-wmt23"
    folder.mkdir(parents=True)
    docs = {
        "d1": ["The dog barked loudly last week.", "On Monday the council approved a new bridge."],
        "d2": ["The cat slept last week.", "Work is to begin in the spring."],
    }
    german = {
        ("good", "d1"): ["Der Hund hat letzte Woche laut gebellt.", "Am Montag hat der Rat eine neue Brücke beschlossen."],
        ("good", "d2"): ["Die Katze hat letzte Woche geschlafen.", "Die Arbeiten sollen im Frühjahr beginnen."],
        ("bad", "d1"): ["Die Katze hat letzte Woche laut gebellt.", "Am Montag hat der Rat eine neue Brücke beschlossen."],
        ("bad", "d2"): ["Die Katze hat letzte Woche geschlafen.", "Die Arbeiten sollen im Regen beginnen."],
    }
    rows = []
    for (system, doc), lines in german.items():
        name = f"{system}__{doc}"
        (folder / f"{name}.de.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (folder / f"{name}.en.txt").write_text("\n".join(docs[doc]) + "\n", encoding="utf-8")
        for number, line in enumerate(lines, 1):
            errors = []
            for word in ("Katze", "Regen"):
                if system == "bad" and word in line and not (doc == "d2" and word == "Katze"):
                    errors.append({"category": "accuracy/mistranslation", "severity": "major",
                                   "start": line.index(word), "end": line.index(word) + len(word), "span": word})
            rows.append({"file": f"{name}.de.txt", "line": number, "system": system, "doc": doc,
                         "domain": "news" if doc == "d1" else "reviews", "major_accuracy": bool(errors),
                         "no_error": not errors, "categories": [], "errors": errors, "source_errors": [],
                         "anchors": {"MetricX-23-QE-src": -5.0 if errors else -1.0, "CometKiwi-src": 0.5}})
    (folder / "gold.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return root


def test_eval_mqm_audits_the_wmt_layout_and_compares_with_the_anchors(tmp_path):
    root = _wmt_folder(tmp_path / "eval")
    config = tmp_path / "c.toml"
    config.write_text(STRICT, encoding="utf-8")
    out, records, tuned = tmp_path / "mqm.json", tmp_path / "records.json", tmp_path / "tuned.toml"
    result = CliRunner().invoke(main, ["eval", "mqm", str(root), "--json", str(out), "--config", str(config),
                                       "--workers", "1", "--records", str(records), "--tune", str(tuned)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())["wmt23"]
    overall = figures["all"]
    assert overall["major_accuracy_lines"] == 2 and overall["error_free_lines"] == 6
    assert overall["major"]["recall"] == 1.0 and overall["major"]["false_flag_rate"] == 0.0
    # the anchor separates the lines perfectly too, at the same (zero) false-flag rate
    assert overall["major"]["anchors_at_same_rate"]["MetricX-23-QE-src"] == 1.0
    assert overall["span_agreement"]["major_findings_overlapping_a_span"] == 1.0
    assert overall["span_agreement"]["major_spans_covered_by_a_finding"] == 1.0
    assert set(figures["by_domain"]) == {"news", "reviews"} and set(figures["by_system"]) == {"good", "bad"}
    assert figures["by_category"]["accuracy/mistranslation"]["major"] == 1.0
    assert len(json.loads(records.read_text())["lines"]) == 8
    fitted = load_config(tuned)
    assert all(w >= 0 for w in fitted["qe"]["weights"].values())


def test_eval_mqm_with_workers_ends_without_a_traceback(tmp_path):
    """The pool ends its forked workers with SIGTERM once the work is done: they leave
    quietly instead of raising the command's own SIGTERM handling."""
    import os
    import subprocess
    import sys

    root = _wmt_folder(tmp_path / "eval")
    config = tmp_path / "c.toml"
    config.write_text(STRICT, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "audit", "eval", "mqm", str(root), "--config", str(config),
                           "--workers", "2"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MT_AUDIT_CROSSLINGUAL": "none"})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "_Terminated" not in done.stderr, done.stderr


def test_eval_mqm_without_data_is_one_sentence(tmp_path):
    result = CliRunner().invoke(main, ["eval", "mqm", str(tmp_path)])
    assert result.exit_code == 2 and "no MQM data" in result.output
    (tmp_path / "mqm-wmt23").mkdir()
    (tmp_path / "mqm-wmt23" / "gold.jsonl").write_text('{"file": "x.de.txt"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "mqm", str(tmp_path)])
    assert result.exit_code == 2 and "lacks the field" in result.output


def _record(line, errors, passages):
    return {"file": "s__d.de.txt", "line": line, "system": "s", "domain": "news", "major_accuracy": bool(errors),
            "no_error": not errors, "errors": errors, "passages": passages}


def test_the_fit_takes_professional_passages_for_negatives():
    """A feature that is as high on good professional translations as on errors is worth
    less when the professional passages are negatives too."""
    import random

    rng = random.Random(7)
    records = []
    for k in range(60):
        error = k % 2 == 0
        span = [{"category": "accuracy/mistranslation", "severity": "major", "start": 0, "end": 5}] if error else []
        # both features are higher on errors; "longer" is also high on free human renderings
        features = {"use": rng.uniform(0.4, 0.9) if error else rng.uniform(0.0, 0.5),
                    "longer": rng.uniform(0.4, 0.9) if error else rng.uniform(0.0, 0.5)}
        records.append(_record(k + 1, span, [{"start": 0, "end": 20, "features": features}]))
    professional = {"words": 10_000, "passages": [{"use": rng.uniform(0.0, 0.5), "longer": rng.uniform(0.4, 0.9)}
                                                   for _ in range(60)]}
    features = ("use", "longer")
    alone = mqm_wmt.fit(records, features)
    beside = mqm_wmt.fit(records, features, professional)
    ratio = lambda model: model["weights"].get("longer", 0.0) / model["weights"]["use"]
    assert ratio(beside) < ratio(alone)
    # and the professional budget bounds the thresholds: at most 0.15 major per 1000 words
    config = {"qe": beside}
    flagged = sum(qe.score(f, config) >= beside["major"] for f in professional["passages"])
    assert flagged <= 1
