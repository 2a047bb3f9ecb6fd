"""Ingest and segmentation: structure, kinds, boilerplate, the traps of news copy."""
from __future__ import annotations

import pytest

from audit.document import BOILERPLATE
from audit.errors import InputError
from audit.ingest import ingest
from audit.segment import segment_document, segmenter

from conftest import DEMO

# The demo article segmented by hand: (kind, how the unit starts, how it ends), in order.
DEMO_UNITS = [
    ('headline', 'Kim Jong-un füttert Russland m', ' klaren Ziel'),
    ('teaser', 'Die veralteten Artilleriegesch', ' Asien sein.'),
    ('teaser', 'Es gibt handfeste Beweise für ', 'an Russland.'),
    ('teaser', 'Sie bedrohen Kiews Erfolg im U', 'raine-Krieg.'),
    ('teaser', 'Was genau Nordkorea davon hat,', 'ouveränität.'),
    ('boilerplate', 'Dieser Artikel liegt erstmals ', 'eign Policy.'),
    ('body', 'Hochrangige ukrainische Vertei', 'zu besiegen.'),
    ('body', 'Generalleutnant Kyrylo Budanov', 'lich liegen.'),
    ('body', 'US-Außenminister Antony Blinke', 'aben sollte.'),
    ('body', 'Und US-Verteidigungsminister L', 'n zu halten.'),
    ('headline', 'Nordkorea hilft Russland im Uk', 'iele Beweise'),
    ('body', 'Die seit zwei Jahren offensich', 'h verstärkt.'),
    ('body', 'Es gibt zahlreiche öffentlich ', 'aden wurden.'),
    ('body', 'Analysten des US-Außenminister', 'nsportieren.'),
    ('body', 'Budanov hat festgestellt, dass', 'chtbar sind.'),
    ('body', 'Während die Schätzungen über d', 'efekt waren.'),
    ('headline', 'Die Munition aus Nordkorea ist', 'ie Russland?'),
    ('body', 'Das wirft einige Fragen auf: W', 'eführt wird?'),
    ('body', 'Und was genau hat Nordkorea vo', 'rken könnte?'),
    ('body', 'Mit anderen Worten: Werden die', 'spüren sein?'),
    ('body', 'Die Granaten, die Nordkorea Ru', 'ellt wurde).'),
    ('body', 'Experten, die eine Reihe von M', 'elerfassung.'),
    ('boilerplate', 'Meine news', 'Meine news'),
    ('quote', '„Dies ist keine hochwertige Mu', 'n Nordkorea.'),
    ('body', 'Ohne sie wäre die russische Ka', 'r, sagte er.'),
    ('quote', '„Sie müssten mit viel geringer', 'iepen hinzu.'),
    ('headline', 'Ukrainische Militärführer sind', 'nds Engpässe'),
    ('body', 'Aus diesem Grund sind die ukra', 'alität sind.'),
    ('body', 'Russland hat versucht, seine e', 'e benötigen.'),
    ('quote', 'Vor allem im vergangenen Jahr,', 'len Frieden.'),
    ('body', 'Kofman schätzt, dass die Liefe', 'n, sagte er.'),
    ('body', 'Dieser Vorteil war besonders b', 'alten haben.'),
    ('body', 'Am 2. Oktober zwangen die russ', 'fnen könnte.'),
    ('headline', 'Russland hat keine Details pre', 'affen-Deals?'),
    ('body', 'Die andere große Frage ist, wa', 'en Nationen.'),
    ('body', 'Ein offensichtlicher Gewinn fü', 'em Frühjahr.'),
    ('body', 'Die Einstellung dieses Überwac', 'nken sollen.'),
    ('body', 'Ein weiterer bedeutender Erfol', 'a darstellt.'),
    ('body', 'Einige Experten glauben, dass ', 'einlich ist.'),
    ('body', 'Doch die formalisierte Militär', 'h verstärkt.'),
    ('body', 'Diese informelle Gruppierung h', 'gewirkt hat.'),
    ('body', 'Russland soll Berichten zufolg', 'r zu stören.'),
    ('headline', 'Russland könnte Nordkorea mit ', ' Nachrichten'),
    ('body', 'Potenziell noch besorgniserreg', 'uszustatten.'),
    ('body', 'Dies bereitet dem Weißen Haus ', 'pakt Sorgen.'),
    ('body', 'Die Regierung ist besonders be', 'ie versorgt.'),
    ('body', '(Tatsächlich scheinen die weni', 'fe zu sein.)'),
    ('body', 'Seitdem die Intensivierung des', 'Technologie.'),
    ('quote', '„Was hat Nordkorea davon? Wir ', ' Van Diepen.'),
    ('quote', '„Es gibt keine echten, soliden', 'ormationen“.'),
    ('body', 'Die Frage ist kompliziert, den', 'noch größer.'),
    ('body', 'Im Gegensatz zu China, das ebe', 'schrittlich.'),
    ('quote', '„Nordkorea könnte von allen mö', ' Van Diepen.'),
    ('headline', 'Nordkorea strebt nach internat', 'te mit Putin'),
    ('body', 'Eine große Befürchtung ist, da', 'zten Jahren.'),
    ('body', 'Seit dem Ende der bilateralen ', 'mson Center.'),
    ('body', 'Dies wurde noch deutlicher in ', 'ungen steht.'),
    ('quote', '„All dies geschah mitten in di', ', sagte Lee.'),
    ('body', 'Und es gibt noch etwas anderes', 'Legitimität.'),
    ('body', 'Eine der wenig beachteten Klau', ' entwickelt.'),
    ('body', 'Die engere Beziehung zu Russla', 'uszuspielen.'),
    ('body', 'China dominiert den Handel Nor', ' eingedämmt.'),
    ('body', 'Engere Beziehungen zu und Unte', 'litik geben.'),
    ('headline', 'China weiß nicht, wie es mit d', 'f Nordkorea?'),
    ('quote', '„Zumindest kurzfristig ist es ', ', sagte Lee.'),
    ('body', 'Das Problem ist, dass China im', 'gieren muss.'),
    ('body', 'Chinas wirtschaftliche Dominan', 'er Hand hat.'),
    ('body', 'Diese neue Machtdynamik könnte', ', sagte Lee.'),
    ('quote', '„Ich denke, China ist zwiegesp', ', sagte sie.'),
    ('boilerplate', 'Zum Autor', 'Zum Autor'),
    ('boilerplate', 'Keith Johnson ist Reporter bei', 'und Energie.'),
    ('boilerplate', 'X: @KFJ_FP', 'X: @KFJ_FP'),
    ('boilerplate', 'Wir testen zurzeit maschinelle', 'ersetzungen.'),
    ('boilerplate', 'Dieser Artikel wurde aus dem E', 'e übersetzt.'),
    ('boilerplate', 'Dieser Artikel war zuerst am 3', 'r Verfügung.'),
]


def _doc(path):
    doc = ingest(path)
    segment_document(doc)
    return doc


def test_demo_article_segmented_as_by_hand():
    doc = _doc(DEMO)
    got = [(s.kind, s.text[:30], s.text[-12:]) for s in doc.segments]
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
    path = tmp_path / "flat.txt"
    path.write_text("Russland erhält Munition aus Nordkorea und setzt sie an der Front ein", encoding="utf-8")
    doc = _doc(path)
    assert len(doc.segments) == 1 and _covered(doc) == ""


def test_one_100kb_line(tmp_path):
    sentence = "Die Lieferungen aus Nordkorea haben Russland im Kampf gehalten, sagte er. "
    path = tmp_path / "long.txt"
    path.write_text(sentence * (100_000 // len(sentence)), encoding="utf-8")
    doc = _doc(path)
    assert len(doc.segments) > 1000 and _covered(doc) == ""


def test_only_boilerplate_warns(tmp_path):
    path = tmp_path / "boiler.txt"
    path.write_text("Meine news\nZum Autor\nMax Muster ist Reporter.\nX: @max_muster\n", encoding="utf-8")
    doc = _doc(path)
    assert all(s.kind == BOILERPLATE for s in doc.segments)
    assert any("only boilerplate" in w for w in doc.warnings)


def test_mixed_english_paragraph_is_marked_untranslated(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_text("Russland hat keine Details preisgegeben, sagte der Sprecher am Montag in Moskau.\n"
                    "The Russians have not really said that they have given them anything at all, he said.\n",
                    encoding="utf-8")
    doc = _doc(path)
    assert [s.language for s in doc.segments] == ["de", "en"]
    assert any("English" in w for w in doc.warnings)


def test_html_drops_scripts_and_styles(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>T</title><script>alert('x')</script><style>p{color:red}</style></head><body>"
        "<nav>Startseite</nav><article><h1>Nordkorea liefert Munition an Russland</h1>"
        "<p>Die veralteten Artilleriegeschosse aus Pjöngjang haben Russland im Kampf gehalten. "
        "Experten sagen, dass mindestens 11.000 Container eingetroffen sind.</p>"
        "<p>Die Lieferungen überbrücken Russlands Engpässe, sagte ein Analyst am Montag in Washington.</p>"
        "</article><script>document.write('evil')</script></body></html>", encoding="utf-8")
    doc = _doc(path)
    assert doc.format == "html"
    assert "alert" not in doc.text and "evil" not in doc.text and "color:red" not in doc.text
    assert doc.segments[0].kind == "headline"
    assert any("11.000 Container" in s.text for s in doc.segments)


def test_markdown_headings_and_quotes(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# Nordkorea liefert Munition\n\nDie Geschosse sind alt. Sie helfen trotzdem.\n\n"
                    "## Was Kim davon hat\n\n> „Wir wissen es einfach nicht, was er davon hat“, sagte Van Diepen.\n",
                    encoding="utf-8")
    doc = _doc(path)
    assert [s.kind for s in doc.segments] == ["headline", "body", "body", "headline", "quote"]
    assert doc.segments[0].text == "Nordkorea liefert Munition"


def test_zero_width_control_characters_and_crlf(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes("Titel der Meldung hier\r\nDie Mu\u200bnition ist alt.\x07 Sie hilft trotzdem.\r\n".encode())
    doc = _doc(path)
    assert [s.text for s in doc.segments][1:] == ["Die Mu\u200bnition ist alt.", "\x07 Sie hilft trotzdem."]
    assert _covered(doc) == ""


def test_mojibake_is_repaired(tmp_path):
    path = tmp_path / "moji.txt"
    path.write_text("Die Munition aus PjÃ¶ngjang ist alt. Sie hilft Russland trotzdem.", encoding="utf-8")
    doc = _doc(path)
    assert "Pjöngjang" in doc.text
    assert any("mojibake" in w for w in doc.warnings)


def test_latin1_file_is_decoded(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Die Munition aus Pjöngjang ist nicht sehr gut, sagte er. Größere Bedrohungen drohen.".encode("cp1252"))
    doc = _doc(path)
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
