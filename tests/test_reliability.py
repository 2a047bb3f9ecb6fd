"""What a demanding user and a security reviewer try: nothing the user gave is ever
replaced, no report is broken or half-written, every failure has its own exit code and
one sentence."""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
import xml.etree.ElementTree as ET

import pytest

from conftest import DEMO, ROOT

GERMAN = "Die Regierung hat am Montag neue Hilfen beschlossen. Sie gelten ab Juli für alle Familien.\n"


def mt_audit(*args, env=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "audit", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=300, **kwargs)


def article(tmp_path, text=GERMAN, name="story.de.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- nothing the user gave is replaced -----------------------------------------------

@pytest.mark.parametrize("target", ["german", "source"])
def test_write_ignore_never_replaces_an_input(tmp_path, target):
    german = article(tmp_path)
    source = tmp_path / "story.en.txt"
    source.write_text("The government approved new aid on Monday. It applies to all families from July.\n")
    victim = german if target == "german" else source
    before = victim.read_bytes()
    result = mt_audit("check", german, "--source", source, "--backend", "none", "--out", tmp_path / "out",
                      "--write-ignore", victim)
    assert result.returncode == 2 and "is the input file" in result.stderr
    assert victim.read_bytes() == before
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_a_report_never_replaces_the_source(tmp_path):
    german = article(tmp_path)
    source = tmp_path / "story.html"
    source.write_text("<html><body><article><p>The government approved new aid on Monday. "
                      "It applies to all families from July.</p></article></body></html>", encoding="utf-8")
    before = source.read_bytes()
    result = mt_audit("check", german, "--source", source, "--backend", "none", "--out", tmp_path,
                      "--format", "html,json")
    assert result.returncode == 2 and "is the input file" in result.stderr
    assert source.read_bytes() == before and not (tmp_path / "story.json").exists()


@pytest.mark.parametrize("option", ["--config", "--glossary", "--ignore"])
def test_a_report_never_replaces_a_settings_file(tmp_path, option):
    german = article(tmp_path)
    settings = tmp_path / "story.json"
    settings.write_text('{"schema": "mt-audit-accepted/1", "accepted": []}\n' if option == "--ignore" else "\n")
    before = settings.read_bytes()
    result = mt_audit("check", german, "--backend", "none", "--out", tmp_path, "--format", "json", option, settings)
    assert result.returncode == 2 and settings.read_bytes() == before


def test_batch_never_replaces_an_input(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    article(folder, name="a.de.txt")
    source = folder / "a.en.md"
    source.write_text("The government approved new aid on Monday.\n")
    # corpus.jsonl is written to --out; here --out holds an input of that name
    (folder / "corpus.jsonl").write_text("keep\n")
    result = mt_audit("batch", folder / "a.de.txt", folder / "corpus.jsonl", "--source-dir", folder,
                      "--backend", "none", "--out", folder, "--format", "json")
    assert result.returncode == 2 and (folder / "corpus.jsonl").read_text() == "keep\n"


# --- broken output -----------------------------------------------------------------------

def test_control_characters_never_break_the_xml_or_json(tmp_path):
    german = article(tmp_path, "Die Regierung\x0c hat \x0bam Montag\x1b[31m neue Hilfen beschlossen.\n")
    result = mt_audit("check", german, "--backend", "none", "--out", tmp_path / "out", "--format", "json,junit")
    assert result.returncode in (0, 1), result.stderr
    ET.parse(tmp_path / "out" / "story.junit.xml")
    json.loads((tmp_path / "out" / "story.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_configuration_with_a_number_that_is_not_finite_is_refused(tmp_path, value):
    config = tmp_path / "c.toml"
    config.write_text(f"[drift]\nmajor = {value}\n")
    result = mt_audit("check", article(tmp_path), "--backend", "none", "--config", config, "--out", tmp_path / "o")
    assert result.returncode == 2 and "finite" in result.stderr and not (tmp_path / "o").exists()


def test_a_report_set_is_written_all_or_nothing(tmp_path):
    german = article(tmp_path)
    out = tmp_path / "out"
    (out / "story.json").mkdir(parents=True)  # a folder where the JSON report goes
    result = mt_audit("check", german, "--backend", "none", "--out", out, "--format", "html,json")
    assert result.returncode == 2 and "is a folder" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["story.json"]


def test_write_set_leaves_nothing_when_a_file_fails(tmp_path):
    from audit.report import write_set

    blocked = tmp_path / "blocked"
    blocked.mkdir()
    with pytest.raises(OSError):
        write_set({tmp_path / "a.html": "a", blocked: "b"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked"]


def test_reports_respect_the_umask_and_keep_an_existing_mode(tmp_path):
    from audit.report import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.json", "{}")
        existing = tmp_path / "old.json"
        existing.write_text("x")
        existing.chmod(0o640)
        write_atomic(existing, "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640


def test_sigterm_leaves_no_temporary_file(tmp_path):
    code = ("import signal, os, sys\n"
            "from audit.apps.cli import _on_sigterm, _Terminated\n"
            "from audit.report import write_atomic\n"
            "signal.signal(signal.SIGTERM, _on_sigterm)\n"
            "class Slow(str):\n"
            "    pass\n"
            "import audit.report as r\n"
            "original = r._temporary\n"
            "def slow(path, text, made):\n"
            "    tmp = original(path, text, made)\n"
            "    os.kill(os.getpid(), signal.SIGTERM)\n"
            "    return tmp\n"
            "r._temporary = slow\n"
            "try:\n"
            f"    write_atomic(__import__('pathlib').Path({str(tmp_path / 'r.html')!r}), 'x' * 1000)\n"
            "except _Terminated:\n"
            "    sys.exit(143)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60)
    assert result.returncode == 143
    assert list(tmp_path.iterdir()) == []


# --- exit codes ----------------------------------------------------------------------

def test_ctrl_c_exits_130_without_click_abort(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "import time, audit.apps.cli as c\n"
                                "c.main.add_command(__import__('click').command('sleep')(lambda: (print('ready', "
                                "flush=True), time.sleep(30))))\n"
                                "c.run()", "sleep"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True,
                               # as a terminal starts it: a test run in the background inherits SIGINT ignored
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.stdout.readline() == "ready\n"  # the command runs, however long the imports took
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130 and "mt-audit: interrupted" in err and "Aborted" not in err + out


@pytest.mark.parametrize("glossary, words", [
    ("names = 5\n", "must be a table"),
    ("[terms]\n[[terms.term]]\npattern = '('\nseverity = 'major'\nwhy = 'x'\nalternatives = []\n", "does not compile"),
    ("[terms]\n[[terms.term]]\npattern = 'x'\nseverity = 'critical'\nwhy = 'x'\nalternatives = []\n", "\"major\" or"),
    ("[terms]\n[[terms.term]]\npattern = 'x'\n", "lacks the field"),
    ("[boilerplate]\n[[boilerplate.rule]]\nkind = 'x'\npattern = '(a+)+$'\n", "would not finish"),
    ("[nonsense]\nx = 1\n", "unknown section"),
    # alternation that overlaps itself: exponential on one long compound
    ("[[terms.term]]\npattern = '(\\w|\\w\\w)+[.!]'\nseverity = 'major'\nwhy = 'x'\nalternatives = []\n", "backtracks"),
    ("[[calques.calque]]\npattern = '(a|aa)+$'\nenglish = 'x'\nsuggestion = 'y'\n", "backtracks"),
    ("[[calques.calque]]\npattern = 'in (x)'\nenglish = 'x'\nsuggestion = 'y'\nreplacements = ['\\2']\n",
     "names a group"),
    ("[[terms.term]]\npattern = 'x'\nseverity = 'major'\nwhy = 'x'\nalternatives = []\nforms = { x = 'y' }\n",
     "list of strings"),
    ("[[terms.term]]\npattern = ''\nseverity = 'major'\nwhy = 'x'\nalternatives = []\n", "matches an empty text"),
    ("[[terms.term]]\npattern = 'x*'\nseverity = 'major'\nwhy = 'x'\nalternatives = []\n", "matches an empty text"),
])
def test_a_bad_glossary_is_one_sentence_and_exit_2(tmp_path, glossary, words):
    path = tmp_path / "g.toml"
    path.write_text(glossary, encoding="utf-8")
    result = mt_audit("check", article(tmp_path), "--backend", "none", "--glossary", path, "--out", tmp_path / "o")
    assert result.returncode == 2 and words in result.stderr and "g.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_config_is_exit_2(tmp_path):
    for text, words in (('[gate]\nfail_on = "bogus"\n', "gate.fail_on"), ("x = 1\n".encode("utf-16"), "UTF-8")):
        path = tmp_path / "c.toml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        result = mt_audit("check", article(tmp_path), "--backend", "none", "--config", path, "--out", tmp_path / "o")
        assert result.returncode == 2 and words in result.stderr, result.stderr


@pytest.mark.parametrize("pattern", [r"(.*e){12}Q", r"(\w|\w\w)+Q"])
def test_a_backtracking_pattern_finishes_on_the_demo(tmp_path, pattern):
    """Patterns the probes let through (or shipped data gone wrong) still end: the engine
    needs no backtracking for them, or the budget stops the match with one sentence."""
    from audit.checks.glossary import validate

    text = DEMO.read_text(encoding="utf-8") + "\n" + "Donaudampfschifffahrtsgesellschaftskapitänsmützen" * 2 + "\n"
    german = tmp_path / "long.de.txt"
    german.write_text(text, encoding="utf-8")
    glossary = tmp_path / "g.toml"
    glossary.write_text(f"[[terms.term]]\npattern = '{pattern}'\nseverity = 'major'\nwhy = 'x'\nalternatives = []\n",
                        encoding="utf-8")
    try:
        validate(__import__("tomllib").loads(glossary.read_text(encoding="utf-8")), glossary)
    except Exception:
        return  # refused when read: fine
    started = time.monotonic()
    result = mt_audit("check", german, "--backend", "none", "--glossary", glossary, "--out", tmp_path / "o")
    assert time.monotonic() - started < 60 and result.returncode in (0, 1, 2) and "Traceback" not in result.stderr


def test_the_match_budget_stops_a_pattern_with_one_sentence(monkeypatch):
    from audit.checks import patterns
    from audit.errors import ConfigError

    monkeypatch.setattr(patterns, "BUDGET_SECONDS", 0.2)
    slow = patterns.DataPattern(r"(\w|\w\w)+[.!]", "terms")
    started = time.monotonic()
    with pytest.raises(ConfigError, match="backtracks"):
        slow.finditer("a" * 80)
    assert time.monotonic() - started < 5
    with pytest.raises(ConfigError):  # the budget is spent for the rest of the document
        slow.search("a" * 80)


def test_the_shipped_patterns_pass_the_glossary_checks():
    from audit.checks.glossary import SECTIONS, validate
    from audit.resources import load_data

    validate({section: load_data(section) for section in SECTIONS}, "shipped data")


def test_cache_rows_of_the_wrong_shape_are_set_aside(tmp_path):
    from audit.translate.cache import TranslationCache

    cache = TranslationCache(tmp_path)
    with cache.conn:
        cache.conn.execute("INSERT INTO translations (key, value) VALUES (?, ?)", ("k", json.dumps([1, 2])))
    assert cache.get_many(["k"]) == {} and cache.warning and "moved" in cache.warning


# --- input handling --------------------------------------------------------------------

def test_an_html_source_is_extracted_like_the_german(tmp_path):
    from audit.pipeline import AuditSettings, Auditor

    source = tmp_path / "s.en.html"
    source.write_text("<!DOCTYPE html><html><head><script>var x = 'not the article';</script></head><body>"
                      "<article><p>The government approved new aid on Monday.</p><p>It applies to all families "
                      "from July.</p></article></body></html>", encoding="utf-8")
    doc = Auditor(AuditSettings(backend="none", use_cache=False)).audit(article(tmp_path), source)
    texts = " ".join(s.text for s in doc.source_segments)
    assert "approved new aid" in texts and "<" not in texts and "var x" not in texts


def test_html_input_has_no_markdown_escapes(tmp_path):
    from audit.text.ingest import ingest

    path = tmp_path / "a.html"
    path.write_text("<html><body><article><p>Lehrer*innen und Erzieher_innen sagten [sic], die Schulen seien "
                    "geschlossen worden, und zwar am Montag.</p></article></body></html>", encoding="utf-8")
    text = ingest(path).text
    assert "Lehrer*innen" in text and "Erzieher_innen" in text and "[sic]" in text and "\\" not in text


def test_latin_1_text_is_read_as_latin_1(tmp_path):
    from audit.text.ingest import read_text

    path = tmp_path / "l.txt"
    path.write_bytes("Der Koch Lefèvre servierte à la carte eine Crème brûlée im Café Müller.\n".encode("latin-1"))
    text, encoding, warnings = read_text(path)
    assert "Lefèvre" in text and "brûlée" in text and encoding in ("cp1252", "latin-1", "iso8859-15")
    assert any(encoding in w for w in warnings)


def test_devices_and_pipes_are_refused(tmp_path):
    result = mt_audit("check", "/dev/zero", "--backend", "none", "--out", tmp_path)
    assert result.returncode == 2 and "not a regular file" in result.stderr
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = mt_audit("check", fifo, "--backend", "none", "--out", tmp_path)
    assert result.returncode == 2 and "not a regular file" in result.stderr


def test_markdown_is_parsed(tmp_path):
    from audit.pipeline import AuditSettings, Auditor

    md = article(tmp_path, "# Hilfen beschlossen\n\nDie Regierung hat **neue** [Hilfen](https://example.org) "
                           "beschlossen.\n\n```\nBlitzkrieg im Code\n```\n\n| Spalte | Wert |\n|---|---|\n"
                           "| Blitzkrieg | 1 |\n\nSie gelten ab Juli.\n", name="m.de.md")
    doc = Auditor(AuditSettings(backend="none", use_cache=False)).audit(md)
    assert "Blitzkrieg" not in doc.text and "**" not in doc.text and "https" not in doc.text
    assert "Die Regierung hat neue Hilfen beschlossen." in doc.text
    assert not [f for f in doc.findings if f.check == "terms"]


def test_github_annotations_count_cr_only_lines(tmp_path):
    german = article(tmp_path, "Erster Absatz ohne Befund hier.\rZweiter Absatz.\rDas ist ein Blitzkrieg.\r")
    result = mt_audit("check", german, "--backend", "none", "--out", tmp_path / "o", "--format", "github")
    line = next(l for l in result.stdout.splitlines() if "Blitzkrieg" in l)
    assert "line=3" in line


def test_terminal_output_holds_no_control_sequences(tmp_path):
    german = article(tmp_path, "Das ist ein Blitzkrieg\x1b]0;owned\x07 und\x1b[2J mehr.\n")
    result = mt_audit("check", german, "--backend", "none", "--out", tmp_path / "o")
    assert "\x1b]" not in result.stdout + result.stderr and "\x1b[2J" not in result.stdout + result.stderr


def test_an_article_of_boilerplate_only_is_exit_2_unless_allowed(tmp_path):
    german = article(tmp_path, "Meine news\nZum Autor\nMax Muster ist Reporter.\n")
    result = mt_audit("check", german, "--backend", "none", "--out", tmp_path / "o")
    assert result.returncode == 2 and "no article text" in result.stderr
    assert mt_audit("check", german, "--backend", "none", "--out", tmp_path / "o", "--allow-empty").returncode == 0


def test_a_source_that_is_not_english_is_named(tmp_path):
    from audit.pipeline import AuditSettings, Auditor

    source = tmp_path / "s.txt"
    source.write_text("Die Regierung hat am Montag neue Hilfen beschlossen. Sie gelten ab Juli für alle.\n")
    doc = Auditor(AuditSettings(backend="none", use_cache=False)).audit(article(tmp_path), source)
    assert any("does not read as English" in w for w in doc.warnings)


def test_batch_names_a_missing_input_and_writes_no_empty_corpus(tmp_path):
    result = mt_audit("batch", tmp_path / "missing.de.txt", "--backend", "none", "--out", tmp_path / "o")
    assert result.returncode == 2 and "does not exist" in result.stderr and not (tmp_path / "o").exists()
    good = article(tmp_path, name="good.de.txt")
    result = mt_audit("batch", good, tmp_path / "missing.de.txt", "--backend", "none", "--out", tmp_path / "o")
    assert result.returncode == 2 and "missing.de.txt" in result.stderr
    assert "1 could not be audited" in " ".join(result.stdout.split())
    assert (tmp_path / "o" / "corpus.jsonl").read_text(encoding="utf-8").strip()


def test_bidi_controls_are_flagged_and_shown_harmless(tmp_path):
    german = article(tmp_path, "Die Regierung hat \u202eneue Hilfen\u202c beschlossen.\n")
    result = mt_audit("check", german, "--backend", "none", "--out", tmp_path / "o", "--format", "html,json")
    report = json.loads((tmp_path / "o" / "story.json").read_text(encoding="utf-8"))
    bidi = [f for f in report["findings"] if "bidirectional" in f["message"]]
    assert bidi and all(f["severity"] == "major" for f in bidi) and result.returncode == 1
    page = (tmp_path / "o" / "story.html").read_text(encoding="utf-8")
    assert "\u202e" not in page and "[U+202E]" in page


def test_html_rendering_is_linear_in_findings():
    from audit.document import Document, Finding, Paragraph, Segment
    from audit.report import html

    text = "Ein Satz steht hier. " * 3000
    doc = Document(path="x.txt", name="x", text=text)
    doc.paragraphs = [Paragraph(index=0, start=0, end=len(text))]
    doc.segments = [Segment(id=f"s{i}", paragraph=0, kind="body", start=21 * i, end=21 * i + 20,
                            text=text[21 * i:21 * i + 20]) for i in range(3000)]
    doc.findings = [Finding(segment_id=f"s{i}", start=21 * i, end=21 * i + 4, category="typography",
                            severity="minor", check="typography", message="m", text="Ein ") for i in range(3000)]
    from audit.pipeline import AuditSettings, Auditor

    settings = Auditor(AuditSettings(backend="none", use_cache=False)).settings_record(doc)
    calls = 0
    original = Segment.__getattribute__

    def counting(self, name):
        nonlocal calls
        if name == "start":
            calls += 1
        return original(self, name)

    Segment.__getattribute__ = counting
    try:
        html.render(doc, settings, True)
    finally:
        Segment.__getattribute__ = original
    assert calls < 100 * len(doc.segments)  # a quadratic loop reads `start` millions of times


@pytest.mark.slow
@pytest.mark.parametrize("columns", ["40", "60", "80", "97", "120"])
def test_no_line_of_output_starts_a_workflow_command(tmp_path, columns):
    """Article text wrapped by the terminal summary must never put '::' at a line's start."""
    german = tmp_path / "inject.de.txt"
    title = " ".join(["Wort"] * 12) + " ::error::PWNED ::add-mask::x"
    german.write_text(f"{title}\n\nDie Armee legte 500 Meilen zurück ::warning file=x::y und ::error::z.\n",
                      encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "audit", "check", str(german), "--backend", "none",
                             "--out", str(tmp_path / "o"), "--format", "json"], capture_output=True, text=True,
                            cwd=ROOT, env={**os.environ, "COLUMNS": columns, "TERM": "dumb"}, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    assert "PWNED" in result.stdout + result.stderr
    for line in (result.stdout + result.stderr).splitlines():
        assert not line.lstrip().startswith("::"), line


@pytest.mark.parametrize("option", ["--config", "--glossary", "--ignore"])
@pytest.mark.parametrize("kind", ["device", "fifo", "huge", "deep"])
def test_auxiliary_files_follow_the_input_rules(tmp_path, option, kind):
    """/dev/zero, a pipe nobody writes, a file past the size limit and nesting past the
    parser's depth: one sentence and exit 2, quickly, never a read until memory runs out."""
    if kind == "device":
        path = Path("/dev/zero")
        if not path.exists():
            pytest.skip("no /dev/zero on this system")
    elif kind == "fifo":
        path = tmp_path / "pipe.toml"
        os.mkfifo(path)
    elif kind == "huge":
        path = tmp_path / "huge.toml"
        with path.open("wb") as handle:
            handle.truncate(17 * 1024 * 1024)
    else:
        path = tmp_path / "deep.json"
        deep = "x = " + "[" * 5000 + "]" * 5000 + "\n" if option != "--ignore" else \
            '{"accepted": ' + "[" * 100000 + "]" * 100000 + "}"
        path.write_text(deep, encoding="utf-8")
    result = mt_audit("check", article(tmp_path), "--backend", "none", option, path, "--out", tmp_path / "o")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("mt-audit: error:") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


def test_a_baseline_of_an_unknown_schema_is_refused(tmp_path):
    path = tmp_path / "accepted.json"
    path.write_text('{"schema": "mt-audit-accepted/9", "accepted": []}', encoding="utf-8")
    result = mt_audit("check", article(tmp_path), "--backend", "none", "--ignore", path, "--out", tmp_path / "o")
    assert result.returncode == 2 and "mt-audit-accepted/9" in result.stderr


class _Stop(BaseException):
    pass


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("phase", ["write", "rename"])
def test_a_signal_at_any_step_leaves_the_old_set_or_the_new_one(tmp_path, monkeypatch, signum, phase):
    """A set of reports (HTML, JSON, JUnit, SARIF) replacing an older set; the signal arrives
    after each temporary file is written, or after each rename: afterwards the folder holds
    the whole old set or the whole new set, no temporary file, and the signal still ends
    the run."""
    from audit import report

    names = ["story.html", "story.json", "story.junit.xml", "mt-audit.sarif"]
    real_replace, real_temporary = os.replace, report._temporary

    def raise_stop(number, frame):
        raise _Stop()

    previous = signal.signal(signum, raise_stop)
    try:
        for step in range(len(names)):
            for name in names:
                (tmp_path / name).write_text("old", encoding="utf-8")
            calls = {"n": 0}

            def counted(*args, _real=real_replace if phase == "rename" else real_temporary):
                result = _real(*args)
                if calls["n"] == step:
                    signal.raise_signal(signum)
                calls["n"] += 1
                return result

            if phase == "rename":
                monkeypatch.setattr(report.os, "replace", counted)
            else:
                monkeypatch.setattr(report, "_temporary", counted)
            with pytest.raises(_Stop):
                report.write_set({tmp_path / name: "new" for name in names})
            monkeypatch.undo()
            contents = {(tmp_path / name).read_text(encoding="utf-8") for name in names}
            assert contents == ({"old"} if phase == "write" else {"new"}), (step, contents)
            assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    finally:
        signal.signal(signum, previous)


@pytest.mark.slow
@pytest.mark.parametrize("damage", [b"", b"PK\x03\x04 truncated", b"not a zip at all"])
def test_a_damaged_language_identifier_cache_is_rebuilt(tmp_path, damage):
    from audit.translate.cache import CACHE_ENV

    cache = tmp_path / "cache"
    env = {CACHE_ENV: str(cache)}
    first = mt_audit("check", article(tmp_path), "--backend", "none", "--out", tmp_path / "o", env=env)
    assert first.returncode in (0, 1), first.stderr
    (unpacked,) = cache.glob("py3langid-*.npz")
    unpacked.write_bytes(damage)
    second = mt_audit("check", article(tmp_path), "--backend", "none", "--out", tmp_path / "o", env=env)
    assert second.returncode == first.returncode, second.stderr
    assert second.stderr.count("was damaged; it was removed and rebuilt") == 1
    third = mt_audit("check", article(tmp_path), "--backend", "none", "--out", tmp_path / "o", env=env)
    assert third.returncode == first.returncode and "damaged" not in third.stderr


def test_corrupt_translation_caches_do_not_pile_up(tmp_path):
    from audit.translate.cache import TranslationCache

    for _ in range(3):
        (tmp_path / "translations.sqlite").write_bytes(b"not a database" * 100)
        for suffix in ("-wal", "-shm"):
            (tmp_path / f"translations.sqlite{suffix}").write_bytes(b"x")
        TranslationCache(tmp_path)
        time.sleep(1.1)  # a new timestamp for the next copy
    copies = sorted(p.name for p in tmp_path.glob("translations.sqlite.corrupt-*"))
    assert len({name.split("-wal")[0].split("-shm")[0] for name in copies}) == 1, copies


def test_an_eof_error_inside_a_command_is_an_internal_error_not_an_interrupt():
    result = subprocess.run([sys.executable, "-c", "import audit.apps.cli as c, click\n"
                             "def boom():\n    raise EOFError('truncated')\n"
                             "c.main.add_command(click.command('boom')(boom))\nc.run()", "boom"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 4 and "internal error" in result.stderr and "interrupted" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("command", ["check", "batch"])
def test_reports_inside_the_input_folder_are_never_read_as_inputs(tmp_path, command):
    folder = tmp_path / "articles"
    folder.mkdir()
    article(folder)
    for run in range(2):
        result = mt_audit(command, folder, "--backend", "none", "--out", folder / "reports", "--format", "html,json")
        assert result.returncode in (0, 1), (run, result.stderr)
    assert sorted(p.name for p in (folder / "reports").iterdir() if p.suffix == ".html") == ["story.html"]
    # reports written beside the articles are skipped too, and one named on its own is refused
    (folder / "reports" / "story.html").replace(folder / "old.html")
    again = mt_audit("check", folder, "--backend", "none", "--out", tmp_path / "elsewhere", "--format", "json")
    assert again.returncode in (0, 1) and not (tmp_path / "elsewhere" / "old.json").exists(), again.stderr
    named = mt_audit("check", folder / "old.html", "--backend", "none", "--out", tmp_path / "o2")
    assert named.returncode == 2 and "report mt-audit wrote" in named.stderr


@pytest.mark.slow
@pytest.mark.parametrize("jobs,signum,code", [("2", signal.SIGTERM, 143), ("4", signal.SIGTERM, 143),
                                              ("4", signal.SIGINT, 130), ("4", signal.SIGTERM, 143)])
def test_sigterm_stops_a_batch_and_its_workers_within_seconds(tmp_path, jobs, signum, code):
    """The workers hold long documents when SIGTERM (or Ctrl-C) arrives: the parent stops them
    instead of waiting for their documents, exits 143 (130), prints no traceback from the pool's
    threads, and no worker is left behind."""
    folder = tmp_path / "long"
    folder.mkdir()
    sentence = "Die Regierung hat am Montag neue Maßnahmen gegen steigende Preise beschlossen. "
    for number in range(8):  # about 20 s of work for two workers on two cores
        (folder / f"d{number}.de.txt").write_text(sentence * 12000 + "\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "audit", "batch", str(folder), "--backend", "none", "--jobs", jobs,
                                "--no-cache", "--out", str(tmp_path / "out")], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=signum == signal.SIGINT,
                               # as a terminal has it (a suite run in the background inherits it ignored)
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # the signal comes once the workers are at work, however long the start took
    deadline = time.monotonic() + 90
    while len(_children(process.pid)) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)
    assert process.poll() is None, "the batch finished before the signal; make the documents longer"
    children = _children(process.pid)
    if signum == signal.SIGINT:  # Ctrl-C reaches the whole process group, as a terminal sends it
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signum)
    started = time.monotonic()
    _, err = process.communicate(timeout=60)
    assert process.returncode == code and time.monotonic() - started < 5, (process.returncode, err)
    assert "Traceback" not in err and "Exception in thread" not in err, err
    time.sleep(0.5)
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists() and _state(pid) != "Z"]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "gone"


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1, 0.2])
def test_a_signal_while_the_process_exits_prints_no_traceback(tmp_path, delay):
    """SIGTERM right after the command's work, while the interpreter shuts down."""
    process = subprocess.Popen([sys.executable, "-c", "import audit.apps.cli as c, click\n"
                                "c.main.add_command(click.command('quick')(lambda: print('done', flush=True)))\n"
                                "c.run()", "quick"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout.readline().strip() == "done"
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode in (0, 143, -15) and "Traceback" not in err
