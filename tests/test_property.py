"""Random Unicode through ingest, segmentation, the checks and every report format: no
exception, every report parses, segments are the text they claim, offsets in range."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from audit.errors import InputError
from audit.pipeline import AuditSettings, Auditor
from audit.report import github, html, json_report, junit

SPECIAL = ["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x1b]0;x\x07", "\x7f", "\x85", "\u200b", "\u200d", "\u2028",
           "\u202e", "\u2066", "\ufeff", "\U0001f600", "\U00010348", "\r", "\n", "\r\n", "\t", "„", "“", "ß",
           "Blitzkrieg", "500 Meilen", "Kim Jong-un", " ", ". ", "12.000", "x" * 300]

fragments = st.one_of(st.sampled_from(SPECIAL),
                      st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
texts = st.lists(fragments, min_size=1, max_size=40).map("".join)

AUDITOR = Auditor(AuditSettings(backend="none", use_cache=False, allow_empty=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
@example(text="12.000\u2028\x94")  # a line separator in a quoted span
def test_random_text_never_breaks_a_report(tmp_path, text):
    path = tmp_path / "random.de.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        doc = AUDITOR.audit(path)
    except InputError:
        return  # empty, binary or no text: one sentence, handled by the command line
    n = len(doc.text)
    last = 0
    for seg in sorted(doc.segments, key=lambda s: s.start):
        assert 0 <= seg.start <= seg.end <= n and doc.text[seg.start:seg.end] == seg.text
        assert seg.start >= last
        last = seg.end
    covered = [False] * n
    for seg in doc.segments:
        for i in range(seg.start, seg.end):
            covered[i] = True
    for para in doc.paragraphs:
        for i in range(para.start, para.end):
            assert covered[i] or not doc.text[i].isalnum(), (para, doc.text[i])
    for f in doc.findings:
        assert 0 <= f.start <= f.end <= n
    record = AUDITOR.settings_record(doc)
    json.loads(json_report.render(doc, record, True))
    ET.fromstring(junit.render(doc, record, True).split("\n", 1)[1])
    page = html.render(doc, record, True)
    assert "\u202e" not in page
    for line in github.render(doc, record, True).splitlines():
        assert line.startswith("::") and "\x1b" not in line


# Invisible characters a CMS or a copy-paste leaves inside words.
INVISIBLE_CHARS = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\u2063"]
# (the words, the check that must still find them) with a glossary term and a name from the
# test glossary below, and shipped data (a unit, a loaded term)
HIDDEN = [("Donnerschlagoffensive", "terms"), ("Selensky", "names"), ("Meilen", "units"),
          ("Blitzkrieg", "terms")]
GLOSSARY_AUDITOR: list = []


def _glossary_auditor(tmp_path_factory):
    if not GLOSSARY_AUDITOR:
        path = tmp_path_factory.mktemp("glossary") / "house.toml"
        path.write_text('[[terms.term]]\npattern = "Donnerschlagoffensive[n]?"\nseverity = "major"\n'
                        'why = "a house term"\nalternatives = ["Großangriff"]\n\n'
                        '[[names.name]]\ngerman = "Selenskyj"\nenglish = ["Selensky"]\n', encoding="utf-8")
        GLOSSARY_AUDITOR.append(Auditor(AuditSettings(backend="none", use_cache=False, glossary_path=str(path))))
    return GLOSSARY_AUDITOR[0]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hidden=st.sampled_from(HIDDEN), data=st.data())
def test_invisible_characters_hide_no_term_or_name(tmp_path_factory, hidden, data):
    """Invisible characters anywhere inside a glossary term, a name or a unit: the check
    still finds the word, at its place in the text as given, and the invisible characters
    are a finding of their own."""
    word, check = hidden
    cuts = data.draw(st.lists(st.tuples(st.integers(1, len(word) - 1), st.sampled_from(INVISIBLE_CHARS)),
                              min_size=1, max_size=4))
    hidden_word = word
    for at, ch in sorted(cuts, reverse=True):
        hidden_word = hidden_word[:at] + ch + hidden_word[at:]
    number = "500 " if check == "units" else ""
    text = f"Am Montag sprach die Regierung über {number}{hidden_word} und ihre Folgen.\n"
    auditor = _glossary_auditor(tmp_path_factory)
    doc = auditor.load_text(text, "hidden.de.txt", input_format="txt")
    auditor.translate([doc])
    auditor.finish(doc)
    start = text.index(hidden_word)
    found = [f for f in doc.findings if f.check == check and f.start <= start + 1 and f.end >= start + len(hidden_word) - 1]
    assert found, [(f.check, f.text) for f in doc.findings]
    assert all(doc.text[f.start:f.end].replace("\u00ad", "") for f in found)
    assert any(f.check == "typography" and doc.text[f.start:f.end].strip("".join(INVISIBLE_CHARS)) == ""
               for f in doc.findings)


def test_every_format_character_is_folded():
    import sys
    import unicodedata

    from audit.text.invisible import INVISIBLE, fold

    missing = [f"U+{c:04X}" for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"
               and not INVISIBLE.fullmatch(chr(c))]
    assert not missing
    view = fold("a\u00adb\u200b\u200bc")
    assert view.text == "abc" and (view.start(1), view.end(2), view.end(3), view.start(3)) == (2, 3, 6, 6)
    assert fold("plain").positions is None
