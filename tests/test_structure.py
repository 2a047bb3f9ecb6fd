"""Structural checks of a German paragraph against its source: what is carried over as it
stands, and a phrase the German says twice."""
from __future__ import annotations

from audit.judge.structure import missing_verbatim, repeated_run
from audit.pipeline import Auditor, AuditSettings


def test_verbatim_tokens_the_german_lacks():
    source = "@stadtwerke [PERSON4] says the plan is at https://example.org/plan.pdf, write to info@example.org."
    german = "[PERSON4] sagt, der Plan steht unter https://example.org/plan.pdf, schreiben Sie an info@example.org."
    assert missing_verbatim(source, german) == [("@-mention", "@stadtwerke")]
    # a hashtag may be translated: only a missing one counts
    assert missing_verbatim("Great day #climate #energy", "Toller Tag #Klima #Energie") == []
    assert missing_verbatim("Great day #climate #energy", "Toller Tag #Klima") == [("hashtag", "#climate")]
    # the mention inside an e-mail address is no mention of its own
    assert missing_verbatim("Mail max@example.org", "Mail an max@example.org") == []


def test_a_repeated_run_of_words_is_found_at_its_second_occurrence():
    text = "Die Regierung hat die Steuern erhöht, die Steuern erhöht und die Steuern erhöht."
    assert repeated_run(text) is None  # three words only
    text = "Wir haben den neuen Vertrag unterschrieben, den neuen Vertrag unterschrieben und gefeiert."
    a, b = repeated_run(text)
    assert text[a:b] == "den neuen Vertrag unterschrieben" and a > text.index("den neuen")
    assert repeated_run("Der Rat hat am Montag eine neue Brücke über den Fluss beschlossen.") is None


def _audit(tmp_path, german: str, source: str):
    (tmp_path / "a.de.txt").write_text(german, encoding="utf-8")
    (tmp_path / "a.en.txt").write_text(source, encoding="utf-8")
    return Auditor(AuditSettings(backend="none", quiet=True, use_cache=False)).audit(tmp_path / "a.de.txt",
                                                                                    tmp_path / "a.en.txt")


def test_an_audit_reports_a_dropped_speaker_tag_and_a_loop(tmp_path):
    doc = _audit(tmp_path,
                 "Wir müssen das Budget bis Freitag fertig haben.\n"
                 "Wir haben den neuen Vertrag unterschrieben, den neuen Vertrag unterschrieben und gefeiert.\n",
                 "[PERSON8] We must finish the budget by Friday.\n"
                 "We signed the new contract and celebrated.\n")
    carried = [f for f in doc.findings if f.check == "source.carried"]
    assert len(carried) == 1 and "[PERSON8]" in carried[0].message and carried[0].severity == "major"
    assert carried[0].text.startswith("Wir müssen")
    [loop] = [f for f in doc.findings if f.check == "source.repetition"]
    assert loop.text == "den neuen Vertrag unterschrieben" and loop.severity == "major"


def test_a_faithful_paragraph_has_no_structural_finding(tmp_path):
    doc = _audit(tmp_path, "[PERSON8] Wir müssen das Budget bis Freitag fertig haben, sagt @kasse.\n",
                 "[PERSON8] We must finish the budget by Friday, says @kasse.\n")
    assert not [f for f in doc.findings if f.check in ("source.carried", "source.repetition")]
