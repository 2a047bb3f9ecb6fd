"""Defects found trying mt-audit as a hostile user, an editor and a newcomer would."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from audit.apps.cli import main
from audit.pipeline import Auditor, AuditSettings


@pytest.mark.parametrize("command", ["segmentation", "alignment", "drift", "contrastive", "mqm", "precision", "all"])
def test_an_evaluation_of_a_missing_folder_says_so(tmp_path, command):
    result = CliRunner().invoke(main, ["eval", command, str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in result.output and "contrastive" not in result.output.lower().replace(command, "")


def _audit(tmp_path, text: str, name: str = "a.de.txt"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return Auditor(AuditSettings(backend="none", quiet=True, use_cache=False)).audit(tmp_path / name)


def test_a_typography_excerpt_is_never_cut_inside_a_word(tmp_path):
    doc = _audit(tmp_path, "Das Projekt wird verschoben, sagte Schmidt-Hohenstein.  Die Kommission widersprach "
                           "am Dienstag deutlich.\n")
    [doubled] = [f for f in doc.findings if f.check == "typography" and "Doubled space" in f.message]
    excerpt = doubled.message.split("'")[1]
    at = doc.text.index(excerpt)
    end = at + len(excerpt)
    assert at == 0 or doc.text[at - 1].isspace(), excerpt  # starts at a word's start
    assert end == len(doc.text) or doc.text[end].isspace(), excerpt  # ends at a word's end
    assert "Schmidt-Hohenstein." in excerpt


def test_the_joiner_inside_an_emoji_is_no_invisible_character(tmp_path):
    doc = _audit(tmp_path, "Die Familie 👨\u200d👩\u200d👧 und die Flagge 🏴\U000e0067\U000e0062\U000e0073\U000e0063"
                           "\U000e0074\U000e007f grüßen. Ein Wort mit Null\u200bbreite bleibt ein Fund.\n")
    invisible = [f for f in doc.findings if f.check == "typography" and "Invisible" in f.message]
    assert len(invisible) == 1 and "Null" in invisible[0].message
    # a joiner between letters is still found
    doc = _audit(tmp_path, "Der Blitz\u200dkrieg war kurz.\n", "b.de.txt")
    assert [f for f in doc.findings if f.check == "typography" and "Invisible" in f.message]


def test_every_report_says_which_judges_and_resources_ran(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("MT_AUDIT_CROSSLINGUAL", "none")
    from audit.align import crosslingual

    crosslingual.encoder.cache_clear()
    german = tmp_path / "a.de.txt"
    german.write_text("Der Rat hat am Montag eine neue Brücke beschlossen.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(german), "--backend", "none", "--out", str(tmp_path / "out"),
                                       "--format", "html,json"])
    crosslingual.encoder.cache_clear()
    assert "judges: model-free" in result.output and "missing: sentence encoder" in result.output
    report = json.loads((tmp_path / "out" / "a.json").read_text())
    [model_free] = report["settings"]["judges"]
    assert model_free["ran"] and model_free["resources"]["sentence encoder"] is False
    html = (tmp_path / "out" / "a.html").read_text()
    assert "without the sentence encoder" in html
    # no back-translation ran: the settings row names no chrF signature
    signature = html.split('id="signature">')[1].split("<")[0]
    assert "chrF" not in signature and "nrefs" not in signature


@pytest.mark.parametrize("front", ['---\ntitle: "Kim schickt Munition"\nauthor: Agentur\ntags: [Nordkorea]\n---\n',
                                   '+++\ntitle = "Kim schickt Munition"\nauthor = "Agentur"\n+++\n'])
def test_markdown_front_matter_is_no_prose(tmp_path, front):
    doc = _audit(tmp_path, front + "\n# Munition für Russland\n\nDer Blitzkrieg begann im Mai.\n", "a.de.md")
    assert "title" not in doc.text and "author" not in doc.text and "Munition für Russland" in doc.text
    [term] = [f for f in doc.findings if f.check == "terms"]
    # the finding is placed on its line in the file, below the front matter
    from audit.report.locate import regions

    where = regions(doc, [term])[id(term)]
    assert where is not None and where.start_line == front.count("\n") + 4 and where.snippet == "Blitzkrieg"


@pytest.mark.parametrize("command", ["check", "batch"])
def test_the_input_folder_may_be_the_output_folder(tmp_path, command):
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "a.de.txt").write_text("Der Rat hat am Montag eine neue Brücke beschlossen.\n", encoding="utf-8")
    for _ in range(2):  # the second run finds the first run's reports beside the article
        result = CliRunner().invoke(main, [command, str(folder), "--backend", "none", "--out", str(folder),
                                           "--format", "html,json", "-q"])
        assert result.exit_code == 0, result.output
    assert (folder / "a.html").is_file() and (folder / "a.json").is_file()
    assert (folder / "a.de.txt").read_text(encoding="utf-8").startswith("Der Rat")


def test_a_file_name_that_is_not_utf8_gets_every_report(tmp_path):
    import json
    import os

    folder = os.fsencode(str(tmp_path))
    name = folder + b"/M\xfcnchen.de.txt"  # Latin-1 bytes in the name
    with open(name, "wb") as handle:
        handle.write("Der Blitzkrieg begann im Mai.\n".encode("utf-8"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", os.fsdecode(name), "--backend", "none", "--out", str(out),
                                       "--format", "html,json,junit,sarif,gitlab", "-q"])
    assert result.exit_code == 1, result.output  # the loaded term fails the gate; no internal error
    # the reports are named as the file is (its bytes kept); inside them the name is readable UTF-8
    reports = {p.name for p in out.iterdir()}
    assert {"M\udcfcnchen.html", "M\udcfcnchen.json", "mt-audit.sarif", "mt-audit.gitlab.json"} <= reports
    report = json.loads((out / "M\udcfcnchen.json").read_text(encoding="utf-8"))
    assert report["document"]["path"].endswith("M\ufffdnchen.de.txt")
    sarif = json.loads((out / "mt-audit.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"]


@pytest.mark.parametrize("hidden", ["Endlo\u0308sung", "Endl\u043esung".replace("\u043e", "ö") + "",
                                    "Blitzkr\u0456eg", "Bl\u0456tzkrieg", "\uff22\uff4c\uff49\uff54\uff5a\uff4b\uff52\uff49\uff45\uff47"])
def test_unicode_does_not_hide_a_loaded_term(tmp_path, hidden):
    doc = _audit(tmp_path, f"Die Armee plante einen {hidden} gegen den Nachbarn.\n")
    [term] = [f for f in doc.findings if f.check == "terms"]
    # at the words as written; its text (what an accepted finding is keyed on) as read
    assert doc.text[term.start:term.end] == hidden and term.text in ("Blitzkrieg", "Endlösung")
    if any(ch in hidden for ch in "\u0456"):
        [mixed] = [f for f in doc.findings if f.check == "typography" and "look-alikes" in f.message]
        assert mixed.replacements == ["Blitzkrieg"] and "CYRILLIC" in mixed.message


def test_a_cyrillic_word_is_no_mixed_script_word(tmp_path):
    doc = _audit(tmp_path, "Der Kreml nennt die Stadt Москва, nicht Moskau.\n")
    assert not [f for f in doc.findings if "look-alikes" in f.message]


@pytest.mark.parametrize("host", ["127.0.0.1", "no-such-host.invalid"])
def test_serve_on_a_busy_port_or_an_impossible_host_is_one_sentence(host):
    import socket
    import subprocess
    import sys

    pytest.importorskip("uvicorn")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "audit", "serve", "--backend", "none", "--host", host,
                               "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "cannot listen" in done.stderr and "the page is at" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_byte_order_mark_before_latin1_and_mixed_lines_are_read_line_by_line(tmp_path):
    latin = "Der Künstler sagte: Größe zählt.".encode("latin-1")
    utf8 = "Die Künstlerin widersprach.".encode("utf-8")
    for name, data in (("bom.de.txt", b"\xef\xbb\xbf" + latin + b"\n" + utf8 + b"\n"),
                       ("mixed.de.txt", utf8 + b"\n" + latin + b"\n")):
        (tmp_path / name).write_bytes(data)
        result = CliRunner().invoke(main, ["check", str(tmp_path / name), "--backend", "none", "--format", "json",
                                           "--out", str(tmp_path / "out"), "-q"])
        assert result.exit_code in (0, 1), result.output
        import json

        report = json.loads((tmp_path / "out" / (name[:-len(".de.txt")] + ".json")).read_text(encoding="utf-8"))
        doc = Auditor(AuditSettings(backend="none", quiet=True, use_cache=False)).load(tmp_path / name)
        assert "Künstler sagte" in doc.text and "Künstlerin" in doc.text and "Ã" not in doc.text
        warning = next(w for w in report["document"]["warnings"] if "not UTF-8" in w)
        assert ("Line 1 " if name == "bom.de.txt" else "Line 2 ") in warning and "Windows-1252" in warning


def test_a_source_of_part_of_the_text_is_said_once(tmp_path):
    german = ("Der Rat hat am Montag eine neue Brücke beschlossen.\n"
              "Die Arbeiten sollen im Frühjahr beginnen.\n"
              "Die Opposition kritisierte die Kosten scharf.\n"
              "Der Bürgermeister verteidigte das Projekt am Abend.\n"
              "Eine Bürgerinitiative kündigte Widerstand an.\n"
              "Das Land will einen Teil der Kosten tragen.\n")
    (tmp_path / "a.de.txt").write_text(german, encoding="utf-8")
    (tmp_path / "a.en.txt").write_text("On Monday the council approved a new bridge.\n"
                                       "Work is to begin in the spring.\n", encoding="utf-8")
    doc = Auditor(AuditSettings(backend="none", quiet=True, use_cache=False)).audit(tmp_path / "a.de.txt",
                                                                                   tmp_path / "a.en.txt")
    uncovered = [f for f in doc.findings if f.check == "drift.alignment"]
    assert len(uncovered) == 1, [f.message for f in uncovered]
    assert "covers only part" in uncovered[0].message and "to the end of the text" in uncovered[0].message
    assert uncovered[0].start >= german.index("Die Opposition")  # where the source stops


def test_connections_that_never_finish_their_headers_starve_nothing_and_are_closed(monkeypatch):
    """64 and more connections that send half a request: a real request is still answered (or
    refused with the JSON error), and the half-open ones are closed after the header timeout."""
    import json
    import socket
    import time
    import urllib.request

    pytest.importorskip("uvicorn")
    from audit.apps import serve
    from conftest import running_server

    monkeypatch.setattr(serve, "HEADER_TIMEOUT_S", 1.0)
    service = serve.Service(AuditSettings(backend="none", quiet=True), None)
    idle = []
    with running_server(config=serve.server_config(service, "127.0.0.1", 0)) as port:
        try:
            for _ in range(70):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never the blank line
                idle.append(s)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=10) as response:
                assert response.status == 200 and json.loads(response.read())["status"] == "ok"
            time.sleep(2.0)
            closed = 0
            for s in idle:
                s.settimeout(2)
                try:
                    closed += s.recv(1) == b""
                except (ConnectionResetError, socket.timeout):
                    closed += 1
            assert closed == len(idle)
        finally:
            for s in idle:
                s.close()


def test_more_requests_than_the_limit_get_the_json_error():
    import asyncio

    from audit.apps.serve import LimitedRequests

    async def slow(scope, receive, send):
        await asyncio.sleep(0.2)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = LimitedRequests(slow, 2)
    answers = []

    async def call():
        sent = []

        async def send(message):
            sent.append(message)

        await app({"type": "http"}, None, send)
        answers.append(sent[0]["status"])
        if sent[0]["status"] == 503:
            assert b"try again" in sent[1]["body"] and (b"content-type", b"application/json") in sent[0]["headers"]

    async def main():
        await asyncio.gather(*(call() for _ in range(3)))

    asyncio.run(main())
    assert sorted(answers) == [200, 200, 503]
