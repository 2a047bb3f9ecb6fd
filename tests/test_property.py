"""Random Unicode through ingest, segmentation, the checks and every report format: no
exception, every report parses, segments are the text they claim, offsets in range."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
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
