"""Ingest and segmentation: structure, kinds, boilerplate, the traps of news copy."""
from __future__ import annotations

import json

import pytest

from audit.document import BOILERPLATE
from audit.errors import InputError
from audit.text.ingest import ingest
from audit.text.segment import segment_document, segmenter

from conftest import DEMO

# The demo article segmented by hand, one unit per line with its kind.
DEMO_GOLD = DEMO.with_name("nordkorea-munition.de.gold.jsonl")
DEMO_UNITS = [json.loads(line) for line in DEMO_GOLD.read_text(encoding="utf-8").splitlines()]


def _doc(path):
    doc = ingest(path)
    segment_document(doc)
    return doc


def _doc_of(tmp_path, name: str, content: str | bytes):
    """Ingest and segment ``content`` written to ``tmp_path / name`` (bytes as they are)."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return _doc(path)


def test_demo_article_segmented_as_by_hand():
    doc = _doc(DEMO)
    got = [{"kind": s.kind, "text": s.text} for s in doc.segments]
    assert len(DEMO_UNITS) == 75
    assert got == DEMO_UNITS


def test_demo_metadata_and_boilerplate():
    doc = _doc(DEMO)
    assert doc.machine_translated is True
    assert doc.mt_evidence == "Wir testen zurzeit maschinelle Übersetzungen."
    assert doc.title.startswith("Kim Jong-un füttert Russland")
    boiler = [s.text for s in doc.segments if s.kind == BOILERPLATE]
    assert "Meine news" in boiler
    assert "Zum Autor" in boiler
    assert "X: @KFJ_FP" in boiler
    assert any(t.startswith("Keith Johnson ist Reporter") for t in boiler)
    assert any("zuerst veröffentlicht" in t for t in boiler)


def test_offsets_point_into_the_text():
    doc = _doc(DEMO)
    for seg in doc.segments:
        assert doc.text[seg.start:seg.end] == seg.text


def _covered(doc) -> str:
    """Every non-space character outside segments (list and heading markers allowed)."""
    covered = [False] * len(doc.text)
    for seg in doc.segments:
        for i in range(seg.start, seg.end):
            covered[i] = True
    return "".join(ch for ch, c in zip(doc.text, covered) if not c and not ch.isspace() and ch not in "-*#>•")


def test_segments_cover_every_character_of_the_demo():
    assert _covered(_doc(DEMO)) == ""


@pytest.mark.parametrize("text, expected", [
    ("Er kam am 2. Oktober nach Berlin. Dann ging er.", ["Er kam am 2. Oktober nach Berlin.", "Dann ging er."]),
    ("Der Artikel erschien am 3. Oktober 2024 in New York. Er wurde oft gelesen.",
     ["Der Artikel erschien am 3. Oktober 2024 in New York.", "Er wurde oft gelesen."]),
    ("„Wir wissen es nicht. Niemand weiß es“, sagte Van Diepen. Danach schwieg er.",
     ["„Wir wissen es nicht. Niemand weiß es“, sagte Van Diepen.", "Danach schwieg er."]),
    ("„Wer kommt?“, fragte er. Niemand antwortete.", ["„Wer kommt?“, fragte er.", "Niemand antwortete."]),
    ("Das ist klar (das war es schon immer. Oder nicht?) und bleibt so. Ende.",
     ["Das ist klar (das war es schon immer. Oder nicht?) und bleibt so.", "Ende."]),
    ("Das Land steht.„All dies geschah im Juni“, sagte Lee.",
     ["Das Land steht.", "„All dies geschah im Juni“, sagte Lee."]),
    ('Das ist nicht ideal." Er ging.', ['Das ist nicht ideal."', "Er ging."]),
    ("Er sagte: „Ich will gehen.“ Dann ging er.", ["Er sagte: „Ich will gehen.“", "Dann ging er."]),
    ("Am 23. und 24. Mai feierte der Klub. Dann kam der Herbst.",
     ["Am 23. und 24. Mai feierte der Klub.", "Dann kam der Herbst."]),
    ("Wie alt sie auch sein mag. Deutschland ist weit.", ["Wie alt sie auch sein mag.", "Deutschland ist weit."]),
    ("Das ist gut. - Kirill, warum?", ["Das ist gut.", "- Kirill, warum?"]),
    ("Wir sehen – sagte er. – das Ende.", ["Wir sehen – sagte er. – das Ende."]),
    ("Das gilt z. B. für Dr. Müller, u. a. für Nr. 5 und Gen. Schmidt. Gut.",
     ["Das gilt z. B. für Dr. Müller, u. a. für Nr. 5 und Gen. Schmidt.", "Gut."]),
])
def test_german_segmentation_traps(text, expected):
    spans = segmenter("de").spans(text)
    assert [text[a:b] for a, b in spans] == expected


def test_english_uses_english_rules():
    text = "Mr. Smith met Gen. Austin in the U.S. on Monday. They talked."
    assert [text[a:b] for a, b in segmenter("en").spans(text)] == [
        "Mr. Smith met Gen. Austin in the U.S. on Monday.", "They talked."]


def test_text_without_punctuation(tmp_path):
    doc = _doc_of(tmp_path, "flat.txt", "Russland erhält Munition aus Nordkorea und setzt sie an der Front ein")
    assert len(doc.segments) == 1 and _covered(doc) == ""


def test_one_100kb_line(tmp_path):
    sentence = "Die Lieferungen aus Nordkorea haben Russland im Kampf gehalten, sagte er. "
    doc = _doc_of(tmp_path, "long.txt", sentence * (100_000 // len(sentence)))
    assert len(doc.segments) > 1000 and _covered(doc) == ""


def test_only_boilerplate_has_no_prose(tmp_path):
    doc = _doc_of(tmp_path, "boiler.txt", "Meine news\nZum Autor\nMax Muster ist Reporter.\nX: @max_muster\n")
    assert all(s.kind == BOILERPLATE for s in doc.segments)


def test_mixed_english_paragraph_is_marked_untranslated(tmp_path):
    doc = _doc_of(tmp_path, "mixed.txt",
                  "Russland hat keine Details preisgegeben, sagte der Sprecher am Montag in Moskau.\n"
                  "The Russians have not really said that they have given them anything at all, he said.\n")
    assert [s.language for s in doc.segments] == ["de", "en"]
    assert any("English" in w for w in doc.warnings)


def test_html_drops_scripts_and_styles(tmp_path):
    doc = _doc_of(
        tmp_path, "page.html",
        "<html><head><title>T</title><script>alert('x')</script><style>p{color:red}</style></head><body>"
        "<nav>Startseite</nav><article><h1>Nordkorea liefert Munition an Russland</h1>"
        "<p>Die veralteten Artilleriegeschosse aus Pjöngjang haben Russland im Kampf gehalten. "
        "Experten sagen, dass mindestens 11.000 Container eingetroffen sind.</p>"
        "<p>Die Lieferungen überbrücken Russlands Engpässe, sagte ein Analyst am Montag in Washington.</p>"
        "</article><script>document.write('evil')</script></body></html>")
    assert doc.format == "html"
    assert "alert" not in doc.text and "evil" not in doc.text and "color:red" not in doc.text
    assert doc.segments[0].kind == "headline"
    assert any("11.000 Container" in s.text for s in doc.segments)


def test_markdown_headings_and_quotes(tmp_path):
    doc = _doc_of(tmp_path, "a.md",
                  "# Nordkorea liefert Munition\n\nDie Geschosse sind alt. Sie helfen trotzdem.\n\n"
                  "## Was Kim davon hat\n\n> „Wir wissen es einfach nicht, was er davon hat“, sagte Van Diepen.\n")
    assert [s.kind for s in doc.segments] == ["headline", "body", "body", "headline", "quote"]
    assert doc.segments[0].text == "Nordkorea liefert Munition"


def test_zero_width_control_characters_and_crlf(tmp_path):
    doc = _doc_of(tmp_path, "odd.txt",
                  "Titel der Meldung hier\r\nDie Mu\u200bnition ist alt.\x07 Sie hilft trotzdem.\r\n".encode())
    assert [s.text for s in doc.segments][1:] == ["Die Mu\u200bnition ist alt.", "\x07 Sie hilft trotzdem."]
    assert _covered(doc) == ""


def test_mojibake_is_repaired(tmp_path):
    doc = _doc_of(tmp_path, "moji.txt", "Die Munition aus PjÃ¶ngjang ist alt. Sie hilft Russland trotzdem.")
    assert "Pjöngjang" in doc.text
    assert any("mojibake" in w for w in doc.warnings)


def test_latin1_file_is_decoded(tmp_path):
    doc = _doc_of(tmp_path, "latin1.txt",
                  "Die Munition aus Pjöngjang ist nicht sehr gut, sagte er. Größere Bedrohungen drohen.".encode("cp1252"))
    assert "Pjöngjang" in doc.text and doc.encoding != "utf-8"


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    (b"", "is empty"),
    (b"\x00\x01\x02\x03binary\x00" * 100, "binary"),
])
def test_bad_input_raises_one_sentence(tmp_path, content, message):
    path = tmp_path / "in.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        ingest(path)


def test_directory_is_refused(tmp_path):
    with pytest.raises(InputError, match="directory"):
        ingest(tmp_path)


def test_batched_language_identification_answers_as_one_by_one():
    from audit.text.segment import detect_language, detect_languages

    words = ("Die Regierung hat am Montag the new rules for the market bekannt gegeben und "
             "said it would not change its mind, sagte ein Sprecher. HELLO WORLD 2024 ... ÄÖÜ").split()
    texts = [" ".join(words[i:i + 4]) for i in range(len(words) - 3)] + ["", "123", "..."]
    batched = detect_languages(texts, chunk=7)  # several chunks
    for text, (lang, prob) in zip(texts, batched):
        expected = detect_language(text)
        assert lang == expected[0] and prob == pytest.approx(expected[1], abs=1e-5), text


def test_language_model_is_unpacked_once_and_a_damaged_copy_is_replaced(tmp_path, monkeypatch):
    from audit.text import segment

    monkeypatch.setenv("MT_AUDIT_CACHE_DIR", str(tmp_path / "fresh"))
    first = segment._langid_model()
    unpacked = list((tmp_path / "fresh").glob("py3langid-*.npz"))
    assert len(unpacked) == 1
    again = segment._langid_model()
    assert list(again[3]) == list(first[3]) and again[2] == first[2] and again[5] == first[5]
    unpacked[0].write_bytes(b"not a model")
    repaired = segment._langid_model()
    assert repaired[2] == first[2] and unpacked[0].stat().st_size > 1000


def test_a_long_paragraph_is_split_like_its_sentences_and_no_segment_is_huge():
    """pysbd is given a long paragraph in windows: the sentences are the same as those of
    the paragraph read sentence by sentence, abbreviations included, and a paragraph with
    no sentence end is still cut into segments of bounded length."""
    from audit.text.segment import WINDOW, segmenter

    sentences = ["Der Minister, Dr. Müller, sprach am 3. Oktober z. B. über die Preise.",
                 "Die Regierung hat neue Maßnahmen beschlossen.", "„Wir handeln“, sagte er.",
                 "Experten erwarten bis 2025 ca. 12 Mio. Euro Kosten."]
    text = " ".join(sentences[i % len(sentences)] for i in range(400))
    assert len(text) > 4 * WINDOW
    spans = segmenter("de").spans(text)
    got = [text[a:b] for a, b in spans]
    assert got == [sentences[i % len(sentences)] for i in range(400)]
    words = " ".join(["wort"] * 5000)
    spans = segmenter("de").spans(words)
    assert "".join(words[a:b] for a, b in spans).replace(" ", "") == words.replace(" ", "")
    assert max(b - a for a, b in spans) <= 2 * WINDOW


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_text(encoding):
    from audit.text.ingest import decode_text

    text = "Die Straße führt über 500 Meilen nach Köln.\n\nDer Minister sagte, die Armee sei bereit.\n"
    decoded, found, warnings = decode_text(text.encode(encoding), "input file x.de.txt")
    assert decoded == text and found == encoding and "not UTF-8" in warnings[0]
    with pytest.raises(InputError, match="binary"):
        decode_text(bytes(range(256)) * 4, "input file x.bin")
