"""Editorial checks: positive and negative cases, and the demo article's findings."""
from __future__ import annotations

import pytest

from audit.checks import run_checks
from audit.document import BOILERPLATE, Document, Paragraph
from audit.text.ingest import ingest
from audit.text.segment import segment_document

from conftest import DEMO


def doc_of(text: str) -> Document:
    doc = Document(path="t.txt", name="t", text=text)
    doc.paragraphs = [Paragraph(index=0, start=0, end=len(text))]
    segment_document(doc)
    return doc


def findings(text: str, check: str, glossary=None):
    return [f for f in run_checks(doc_of(text), glossary, (check,))]


def test_units_with_number_get_metric_suggestion():
    [f] = findings("Die Front liegt 500 Meilen weiter westlich.", "units")
    assert f.text == "500 Meilen" and f.suggestion == "rund 800 Kilometer"
    assert f.severity == "minor" and f.confidence >= 0.9  # house style, not a change of meaning


def test_units_severity_is_house_style():
    [f] = findings("Die Front liegt 500 Meilen weiter westlich.", "units", {"units": {"severity": "major"}})
    assert f.severity == "major"


@pytest.mark.parametrize("text", [
    "Der Ort liegt rund 60 Meilen (97 Kilometer) von der Küste entfernt.",
    "Der Sturm brachte Böen von 70 bis 75 Meilen pro Stunde (120 km/h).",
    "Es fielen 8 Zoll (20 Zentimeter) Neuschnee.",
    "Das Gerät hat einen 13-Zoll-Bildschirm.",
    "Das neue Tablet hat ein Display mit 11 Zoll Diagonale.",
    "Die Maschine flog in einer Flughöhe von 35.000 Fuß.",
    "Der Verein zahlte 40 Millionen Pfund für den Stürmer.",
    "Die Tickets kosten 30 Pfund Sterling.",
])
def test_units_converted_customary_or_money_is_not_flagged(text):
    assert findings(text, "units") == []


def test_units_conversion_must_be_close():
    # 60 miles are 97 km: a figure far from it beside the unit is no conversion
    [f] = findings("Der Ort liegt rund 60 Meilen (12 Kilometer vom Fluss) entfernt.", "units")
    assert f.text == "60 Meilen"


def test_units_first_figure_of_a_range_is_no_conversion():
    [f] = findings("Es gab Böen von 70-75 Meilen pro Stunde.", "units")
    assert f.text == "75 Meilen pro Stunde" and f.suggestion == "rund 120 km/h"


def test_units_vague_quantity():
    [f] = findings("Die Frontlinien liegen Tausende von Meilen weiter westlich.", "units")
    assert f.text == "Tausende von Meilen" and f.suggestion == "Tausende Kilometer"


@pytest.mark.parametrize("text", [
    "Das war ein Meilenstein für die Regierung.",
    "Sie gingen zu Fuß nach Hause.",
    "Der Zoll kontrolliert die Container.",
    "Das kostet zehn britische Pfund.",
    "Die Schiffe fuhren 20 Seemeilen vor der Küste.",
])
def test_units_negative(text):
    assert findings(text, "units") == []


def test_one_measure_in_two_units_is_one_finding_with_their_sum_converted():
    [f] = findings("Ich bin 5 Fuß 6 Zoll groß und trage Größe M.", "units")
    assert f.text == "5 Fuß 6 Zoll" and f.suggestion == "rund 1,7 Meter"
    [f] = findings("Das Paket wog 3 Pfund und 4 Unzen.", "units")
    assert f.text == "3 Pfund und 4 Unzen" and f.suggestion == "rund 1,5 Kilogramm"
    # two measures side by side stay two
    assert len(findings("Er lief 5 Meilen, dann 300 Yards.", "units")) == 2


def test_units_fahrenheit_and_pounds():
    got = {f.text: f.suggestion for f in findings("Es war 100 Grad Fahrenheit heiß. Er trug 40 Pfund Gepäck.", "units")}
    assert got == {"100 Grad Fahrenheit": "rund 38 Grad Celsius", "40 Pfund": "rund 18 Kilogramm"}


def test_loaded_term():
    [f] = findings("Es war das dritte Jahr eines Blitzkrieges, sagte er.", "terms")
    assert f.text == "Blitzkrieges" and f.severity == "major" and "Überraschungsangriff" in f.suggestion


def test_loaded_term_negative():
    assert findings("Der Angriff kam schnell und überraschend.", "terms") == []


def test_name_inconsistency():
    got = findings("Kim Jong-un besuchte Moskau. Später reiste Kim Jong Un nach Peking. Kim Jong-un kam zurück.", "names")
    [f] = [f for f in got if f.category == "consistency"]
    assert f.text == "Kim Jong Un" and f.suggestion == "Kim Jong-un" and "2×" in f.message


def test_name_spelled_one_way_is_fine():
    got = findings("Kim Jong-un besuchte Moskau. Später reiste Kim Jong-un nach Peking.", "names")
    assert [f for f in got if f.category == "consistency"] == []


def test_transliteration():
    got = findings("Generalleutnant Kyrylo Budanov sagte, Zelenskys Plan sei gut.", "names")
    assert {(f.text, f.suggestion) for f in got} == {("Budanov", "Budanow"), ("Zelensky", "Selenskyjs")}


def test_glossary_overrides_house_style():
    glossary = {"names": {"name": [{"english": ["Kyiv"], "german": "Kyjiw"}]}}
    [f] = findings("Die Regierung in Kyiv widersprach.", "names", glossary)
    assert f.suggestion == "Kyjiw"


def test_english_number_formats():
    got = {f.text: f.suggestion for f in findings(
        "Es kamen 11,000 Container und 1.6 Millionen Geschosse am October 3, 2024 an.", "numbers")}
    assert got["11,000"] == "11.000"
    assert got["1.6 Millionen"] == "1,6 Millionen"
    assert got["October 3, 2024"] == "3. October 2024"


def test_german_number_formats_pass():
    assert findings("Es kamen 11.000 Container und 1,6 Millionen Geschosse am 3. Oktober 2024 an.", "numbers") == []


def test_untranslated_fragment():
    got = findings("Der Sprecher sagte, the situation is very difficult for everyone, und ging.", "untranslated")
    assert got and "the situation is very difficult" in got[0].text


def test_untranslated_ignores_names_and_anglicisms():
    text = "Michael Kofman ist Senior Fellow im Programm, das eine ad-hoc-antiwestliche „No Limits“-Freundschaft sieht."
    assert findings(text, "untranslated") == []


def test_typography():
    got = {f.message.split(" in ")[0] for f in findings(
        'Er sagte “Nein” und ging.  Dann kam er ,trotzdem . Das Land steht.„All dies geschah“, sagte Lee.',
        "typography")}
    assert {"English closing quotation mark", "English opening quotation mark", "Doubled space",
            "Space before punctuation", "No space between two sentences"} <= got


def test_typography_negative():
    assert findings("„Das ist gut“, sagte er. Die Seite ForeignPolicy.com berichtet z.B. darüber.", "typography") == []


def test_calques():
    got = findings("Das macht Sinn. Er realisierte den Fehler.", "calques")
    assert [f.text for f in got] == ["macht Sinn", "realisierte"] and all(f.severity == "minor" for f in got)


def test_demo_article_findings_without_a_model():
    doc = ingest(DEMO)
    segment_document(doc)
    found = run_checks(doc)
    texts = {(f.check, f.text) for f in found}
    assert ("units", "Tausende von Meilen") in texts
    assert ("terms", "Blitzkrieges") in texts
    assert ("names", "Kim Jong Un") in texts
    assert ("names", "Budanov") in texts
    assert any(f.check == "typography" and "steht." in f.message and "„All" in f.message for f in found)
    boiler = [s for s in doc.segments if s.kind == BOILERPLATE]
    for f in found:
        assert not any(s.start <= f.start < s.end for s in boiler), f


def test_replacements_are_concrete_and_in_the_form_written():
    [year] = findings("In 2019 stieg der Umsatz deutlich.", "calques")
    assert year.replacements == ["Im Jahr 2019", "2019"]
    [term] = findings("Die Taktik des Blitzkrieges scheiterte.", "terms")
    assert term.replacements[0] == "schnellen Vorstoßes"
    [compound] = findings("Die Blitzkriegstaktik scheiterte.", "terms")
    assert compound.replacements == []  # a compound is the editor's to rewrite
    [number] = findings("Es kamen 11,000 Menschen.", "numbers")
    assert number.replacements == ["11.000"]
    [scale] = findings("Die Kosten: 2.5 billion Euro.", "numbers")
    assert scale.replacements == ["2,5 Milliarden"]
    [date] = findings("Am 10/11/2024 begann es.", "numbers")
    assert date.replacements == []  # day and month cannot be told apart
    [start] = findings("Blitzkriege sind selten.", "terms")
    assert start.replacements[0] == "Überraschungsangriffe"
    [name] = findings("Laut Budanov ist die Lage ernst.", "names")
    assert name.replacements == ["Budanow"]
