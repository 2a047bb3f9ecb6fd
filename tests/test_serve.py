"""mt-audit serve: the JSON API and the page's endpoints, through FastAPI's test client."""
from __future__ import annotations

import json
import re
import threading
import time

import jsonschema
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from audit.pipeline import AuditSettings  # noqa: E402
from audit.report.json_report import SCHEMA_FILE  # noqa: E402
from audit.apps.serve import Service, create_app  # noqa: E402

from conftest import DEMO, ROOT, running_server  # noqa: E402

GERMAN = ("Der Minister sagte am Montag, die Armee habe 500 Meilen zurückgelegt.\n\n"
          "Die Regierung lieferte im Sommer neue Waffen an die Front.\n\n"
          "Experten erwarten keine weiteren Lieferungen.\n")
SOURCE = ("The minister said on Monday that the army had covered 500 miles.\n\n"
          "The government delivered new weapons to the front in the summer.\n\n"
          "Experts expect no further deliveries.\n")


def client(baseline=None, max_bytes=None, service_options=None, **settings) -> tuple[Service, TestClient]:
    settings = {"backend": "none", "quiet": True, **settings}
    service = Service(AuditSettings(**settings), baseline, **({"max_bytes": max_bytes} if max_bytes else {}),
                      **(service_options or {}))
    return service, TestClient(create_app(service), raise_server_exceptions=False, base_url="http://localhost:8765")


def wait(api: TestClient, job: str) -> dict:
    for _ in range(600):
        state = api.get(f"/ui/jobs/{job}").json()
        if state["state"] in ("done", "error"):
            return state
        time.sleep(0.05)
    raise AssertionError("the page's audit did not finish")


@pytest.fixture(scope="module")
def demo():
    return DEMO.read_text(encoding="utf-8")


def test_check_returns_the_json_report_with_the_gate(demo):
    _, api = client()
    response = api.post("/api/check", json={"german": demo})
    assert response.status_code == 200
    report = response.json()
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert report["summary"]["by_severity"]["major"] >= 1
    assert response.headers["x-mt-audit-gate"] == "failed" and report["summary"]["gate"]["passed"] is False
    assert any(f["category"] == "terminology" for f in report["findings"])
    # the same text accepted by key passes
    keys = [f["key"] for f in report["findings"] if f["severity"] == "major"]
    again = api.post("/api/check", json={"german": demo, "accepted": keys})
    assert again.headers["x-mt-audit-gate"] == "passed" and again.json()["summary"]["accepted"] == len(keys)


def test_check_with_a_source_and_html_format():
    _, api = client()
    response = api.post("/api/check", json={"german": GERMAN, "source": SOURCE, "format": "html",
                                            "name": "../../etc/passwd.de.txt"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "script-src 'unsafe-inline'" in response.headers["content-security-policy"]
    assert response.headers["content-disposition"] == \
        "attachment; filename=\"passwd.html\"; filename*=UTF-8''passwd.html"
    assert "English source" in response.text and "Fix first" in response.text
    report = api.post("/api/check", json={"german": GERMAN, "source": SOURCE}).json()
    assert report["document"]["source_path"] == "source.en.txt" and report["source_segments"]


def test_health_and_openapi_are_local():
    _, api = client()
    health = api.get("/api/health").json()
    assert health["status"] == "ok" and health["backend"] == "none"
    spec = api.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/api/check", "/api/health"}
    assert "german" in json.dumps(spec["components"])
    assert api.get("/docs").status_code == 404  # no page that loads scripts from a CDN


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"german": ""}, 422, "german"),
    ({"german": "   \n "}, 422, "empty"),
    ({"source": "only a source"}, 422, "german"),
    ({"german": "Text", "format": "pdf"}, 422, "format"),
    ({"german": "Text", "unknown": 1}, 422, "unknown"),
    ({"german": "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11" * 20}, 422, "binary"),
    ({"german": "Meine news\nZum Autor\nMax Muster ist Reporter.\n"}, 422, "no article text"),
])
def test_invalid_requests_get_one_json_sentence(body, status, words):
    _, api = client()
    response = api.post("/api/check", json=body)
    assert response.status_code == status
    message = response.json()["error"]
    assert words in message and message.endswith(".") and "\n" not in message and "Traceback" not in message


def test_malformed_json_too_large_and_unknown_paths():
    _, api = client(max_bytes=10_000)
    bad = api.post("/api/check", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 422 and bad.json() == {"error": "The request body is not valid JSON."}
    big = api.post("/api/check", json={"german": "Wort " * 5000})
    assert big.status_code == 413 and "limit" in big.json()["error"]
    assert api.get("/nothing/here").status_code == 404 and "error" in api.get("/nothing/here").json()
    assert api.get("/api/check").status_code == 405


def test_static_files_come_from_a_fixed_list():
    _, api = client()
    assert api.get("/static/page.js").status_code == 200
    for path in ("/static/..%2Fserve.py", "/static/report.html.j2", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml"):
        assert api.get(path).status_code == 404


def test_page_has_a_strict_policy_and_a_token(demo):
    service, api = client()
    page = api.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert service.token in page.text
    assert "http://" not in page.text.replace("http://localhost", "") and "https://" not in page.text


def test_page_requests_need_the_token_and_the_same_origin(demo, tmp_path):
    baseline = tmp_path / "accepted.json"
    service, api = client(baseline)
    entry = {"key": "terminology:blitzkrieges", "check": "terminology", "text": "Blitzkrieges", "message": "m"}
    assert api.post("/ui/accept", json=entry).status_code == 403
    assert api.post("/ui/jobs", json={"german": demo}).status_code == 403
    forged = api.post("/ui/accept", json=entry, headers={"x-mt-audit-token": service.token,
                                                          "origin": "https://evil.example"})
    assert forged.status_code == 403 and not baseline.exists()
    wrong = api.post("/ui/accept", json=entry, headers={"x-mt-audit-token": "guess"})
    assert wrong.status_code == 403 and not baseline.exists()


def test_accept_writes_the_baseline_and_the_next_check_passes(demo, tmp_path):
    baseline = tmp_path / "accepted.json"
    service, api = client(baseline)
    token = {"x-mt-audit-token": service.token}
    job = api.post("/ui/jobs", json={"german": demo}, headers=token)
    assert job.status_code == 202
    first = wait(api, job.json()["job"])
    assert first["state"] == "done" and first["result"]["passed"] is False
    fragment = first["result"]["fragment"]
    assert 'class="accept"' in fragment and "<html" not in fragment and "<script" not in fragment
    report = first["result"]["report"]
    story = report["document"]["story"]
    assert story.startswith("text:")  # a pasted text is known by its headline
    majors = [f for f in report["findings"] if f["severity"] == "major"]
    entries = [{**{k: f[k] for k in ("key", "check", "text", "message")}, "scope": "story", "story": story}
               for f in majors]
    for entry in entries:
        answer = api.post("/ui/accept", json=entry, headers={**token, "origin": "http://localhost:8765"})
        assert answer.json() == {"stored": "baseline", "baseline": "accepted.json"}
    stored = json.loads(baseline.read_text(encoding="utf-8"))
    assert stored["schema"] == "mt-audit-accepted/1" and {e["key"] for e in stored["accepted"]} == {f["key"] for f in majors}
    second = wait(api, api.post("/ui/jobs", json={"german": demo}, headers=token).json()["job"])
    assert second["result"]["passed"] is True
    # the CLI reads what the page wrote
    from audit.baseline import load_baseline

    assert load_baseline(baseline).stories == {(f["key"], story) for f in majors}
    # a new server starts from the same baseline; another story with the same words is not accepted
    _, api2 = client(baseline)
    assert api2.post("/api/check", json={"german": demo}).headers["x-mt-audit-gate"] == "passed"
    other = "Ein anderer Titel\n\n" + demo.split("\n", 1)[1]
    assert api2.post("/api/check", json={"german": other}).headers["x-mt-audit-gate"] == "failed"
    # undo: the accept is taken back out of the file
    for entry in entries:
        assert api.post("/ui/unaccept", json=entry, headers=token).json()["stored"] == "baseline"
    assert json.loads(baseline.read_text(encoding="utf-8"))["accepted"] == []
    third = wait(api, api.post("/ui/jobs", json={"german": demo}, headers=token).json()["job"])
    assert third["result"]["passed"] is False


def test_the_api_accepts_in_a_scope(demo):
    _, api = client()
    report = api.post("/api/check", json={"german": demo, "name": "story.de.txt"}).json()
    assert report["document"]["story"] == "story"
    majors = [f for f in report["findings"] if f["severity"] == "major"]
    here = [{"key": f["key"], "scope": "occurrence", "occurrence": f["id"]} for f in majors]
    again = api.post("/api/check", json={"german": demo, "name": "story.de.txt", "accepted": here})
    assert again.headers["x-mt-audit-gate"] == "passed"
    elsewhere = api.post("/api/check", json={"german": demo, "name": "other.de.txt",
                                             "accepted": [{**e, "story": "story"} for e in here]})
    assert elsewhere.headers["x-mt-audit-gate"] == "failed"
    everywhere = [{"key": f["key"], "scope": "everywhere"} for f in majors]
    assert api.post("/api/check", json={"german": demo, "name": "other.de.txt", "accepted": everywhere}) \
        .headers["x-mt-audit-gate"] == "passed"
    bad = api.post("/api/check", json={"german": demo, "accepted": [{"key": "k", "scope": "occurrence"}]})
    assert bad.status_code == 422 and "occurrence" in bad.json()["error"]


def test_a_bad_baseline_or_folder_is_one_error(tmp_path):
    from audit.errors import ConfigError

    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a baseline"):
        client(broken)
    with pytest.raises(ConfigError, match="does not exist"):
        client(tmp_path / "missing" / "accepted.json")


def test_upload_is_decoded_in_memory(tmp_path):
    service, api = client()
    data = "Die Straße führt über 500 Meilen.".encode("cp1252")
    answer = api.post("/ui/decode", content=data, headers={"x-mt-audit-token": service.token,
                                                           "x-file-name": "..%2F..%2Fartikel.de.txt"})
    body = answer.json()
    assert body["text"] == "Die Straße führt über 500 Meilen." and body["encoding"] != "utf-8"
    assert body["warnings"] and "not UTF-8" in body["warnings"][0]
    assert body["name"] == "artikel.de.txt"
    binary = api.post("/ui/decode", content=b"\x00\x01" * 100, headers={"x-mt-audit-token": service.token})
    assert binary.status_code == 422 and "binary" in binary.json()["error"]


def test_failed_page_audit_reports_its_error():
    service, api = client()
    job = api.post("/ui/jobs", json={"german": "Meine news\nZum Autor\nMax Muster ist Reporter.\n"}, headers={"x-mt-audit-token": service.token})
    state = wait(api, job.json()["job"])
    assert state["state"] == "error" and state["status"] == 422 and "no article text" in state["error"]


def test_concurrent_requests_all_get_their_own_report(demo, tmp_path):
    baseline = tmp_path / "accepted.json"
    service, api = client(baseline)
    texts = [demo, GERMAN, demo.replace("Blitzkrieges", "Vorstoßes"), GERMAN.replace("500", "700")]
    results: dict[int, dict] = {}

    def post(i):
        results[i] = api.post("/api/check", json={"german": texts[i % len(texts)]}).json()

    def accept(i):
        entry = {"key": f"check:{i}", "check": "check", "text": str(i), "message": "m", "scope": "everywhere"}
        api.post("/ui/accept", json=entry, headers={"x-mt-audit-token": service.token})

    threads = [threading.Thread(target=post, args=(i,)) for i in range(8)]
    threads += [threading.Thread(target=accept, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, report in results.items():
        expected = api.post("/api/check", json={"german": texts[i % len(texts)]}).json()
        assert report["findings"] == expected["findings"]
    stored = json.loads(baseline.read_text(encoding="utf-8"))
    assert {e["key"] for e in stored["accepted"]} == {f"check:{i}" for i in range(8)}


def test_recheck_translates_only_what_changed(tiny_model, tmp_path):
    service, api = client(backend="marian", model=str(tiny_model), cache_dir=str(tmp_path / "cache"))
    token = {"x-mt-audit-token": service.token}
    first = wait(api, api.post("/ui/jobs", json={"german": GERMAN, "source": SOURCE}, headers=token).json()["job"])
    assert first["state"] == "done", first
    result = first["result"]
    assert result["skipped"] is None and result["translated"] == 3 and result["from_cache"] == 0
    edited = GERMAN.replace("neue Waffen", "alte Waffen")
    second = wait(api, api.post("/ui/jobs", json={"german": edited, "source": SOURCE}, headers=token).json()["job"])
    assert second["result"]["translated"] == 1 and second["result"]["from_cache"] == 2
    assert api.get("/api/health").json()["model_loaded"] is True


def test_serve_command_refuses_a_bad_baseline(tmp_path):
    import subprocess
    import sys

    broken = tmp_path / "broken.json"
    broken.write_text("[]", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "audit", "serve", "--backend", "none", "--ignore", str(broken),
                             "--port", "1"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2 and "not a baseline" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("host", ["evil.example:8765", "evil.example", "localhost.evil.example:8765", "", "[::1"])
def test_a_foreign_host_is_refused_on_every_route(demo, tmp_path, host):
    """DNS rebinding: a foreign page whose name resolves to this machine sends its own Host."""
    baseline = tmp_path / "accepted.json"
    service, api = client(baseline)
    headers = {"host": host, "origin": f"http://{host}", "x-mt-audit-token": service.token}
    entry = {"key": "terms:blitzkrieges", "check": "terms", "text": "Blitzkrieges", "message": "m"}
    for method, path, body in [("GET", "/", None), ("GET", "/api/health", None), ("GET", "/openapi.json", None),
                               ("POST", "/api/check", {"german": demo}), ("POST", "/ui/accept", entry),
                               ("POST", "/ui/jobs", {"german": demo}), ("GET", "/static/page.js", None)]:
        answer = api.request(method, path, json=body, headers=headers)
        assert answer.status_code == 421, (path, answer.status_code)
        assert "host" in answer.json()["error"] and service.token not in answer.text
    assert not baseline.exists()


@pytest.mark.parametrize("host", ["localhost:8765", "127.0.0.1:8765", "[::1]:8765", "192.168.10.4:8765",
                                  "LOCALHOST", "editor.newsroom.example:8765"])
def test_local_names_ip_addresses_and_allowed_hosts_are_answered(host):
    _, api = client(service_options={"allowed_hosts": frozenset({"Editor.Newsroom.example"})})
    assert api.get("/api/health", headers={"host": host}).status_code == 200


@pytest.mark.parametrize(("name", "fallback", "encoded"), [
    ('x"; filename=evil.bat; x=".de.txt', 'x__ filename=evil.bat_ x=_.html', "x%22%3B%20filename%3Devil.bat%3B%20x%3D%22.html"),
    ("Łódź – Bericht.de.txt", "__d_ _ Bericht.html", "%C5%81%C3%B3d%C5%BA%20%E2%80%93%20Bericht.html"),
])
def test_the_html_download_name_cannot_inject_a_header_field(name, fallback, encoded):
    _, api = client()
    answer = api.post("/api/check", json={"german": GERMAN, "format": "html", "name": name})
    assert answer.status_code == 200
    header = answer.headers["content-disposition"]
    assert header == f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    # one quoted fallback with nothing that could end it, then the exact name percent-encoded
    assert re.fullmatch(r"attachment; filename=\"[ -!#-\[\]-~]*\"; filename\*=UTF-8''[A-Za-z0-9%._~-]*", header)


def test_a_body_that_is_not_utf8_gets_one_sentence():
    _, api = client()
    answer = api.post("/api/check", content=b'{"german": "\xff\xfe Text"}', headers={"content-type": "application/json"})
    assert answer.status_code == 400 and answer.json() == {"error": "The request body cannot be read: send JSON in UTF-8."}


def test_an_audit_past_the_time_limit_is_stopped():
    service, api = client(service_options={"max_audit_seconds": 0.0})
    answer = api.post("/api/check", json={"german": GERMAN})
    assert answer.status_code == 503 and "longer than the limit" in answer.json()["error"]
    job = api.post("/ui/jobs", json={"german": GERMAN}, headers={"x-mt-audit-token": service.token}).json()["job"]
    state = wait(api, job)
    assert state["state"] == "error" and state["status"] == 503 and service.abandoned == 2


def test_a_page_job_nobody_asks_about_is_dropped(monkeypatch):
    from audit.apps import serve

    monkeypatch.setattr(serve, "ABANDONED_JOB_SECONDS", -1.0)
    service, api = client()
    job = service.submit(serve.check_input(GERMAN, None, "a.de.txt", "a.en.txt", None, []))
    service.worker.submit(lambda: None).result()  # the job ran before it
    assert job.state == "error" and "gone" in job.error and service.abandoned == 1


def test_an_api_audit_whose_client_disconnects_is_dropped(tmp_path):
    """A real server: the client sends a large text and closes the connection at once; the
    single worker drops the audit at its next stage instead of finishing it."""
    import socket

    started = threading.Event()
    service = Service(AuditSettings(backend="none", quiet=True))
    real_audit = service.audit

    def slow_audit(request, job=None, deadline=None):
        started.set()
        time.sleep(1.0)  # the client goes meanwhile
        return real_audit(request, job, deadline)

    service.audit = slow_audit
    body = json.dumps({"german": GERMAN * 50}).encode()
    with running_server(create_app(service)) as port:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"POST /api/check HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            assert started.wait(10)
        for _ in range(100):
            if service.abandoned:
                break
            time.sleep(0.05)
    assert service.abandoned == 1


def test_serve_require_model_without_a_model_exits_3(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "audit", "serve", "--require-model", "--model",
                             str(tmp_path / "no-model"), "--port", "1"], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 3 and "Traceback" not in result.stderr and result.stderr.count("\n") == 1


# --- the API as an integrator builds on it ----------------------------------------------------

def _markdown(text: str) -> str:
    """The demo as a Markdown story: a heading, emphasis inside a word, a link, a list."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = [f"# {paragraphs[0].strip()}"]
    for n, paragraph in enumerate(paragraphs[1:]):
        words = paragraph.split(" ")
        if len(words) > 6:
            words[2] = f"**{words[2]}**"
            words[5] = f"[{words[5]}](https://example.org/{n})"
        body.append(" ".join(words))
    return "\n\n".join(body) + "\n"


def _html(text: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    escape = lambda t: t.replace("&", "&amp;").replace("<", "&lt;")  # noqa: E731
    body = "".join(f"<p>{escape(p.strip())}</p>\n" for p in paragraphs[1:])
    return (f"<!doctype html><html lang=de><head><title>x</title><style>p {{ margin: 0 }}</style></head>"
            f"<body><h1>{escape(paragraphs[0].strip())}</h1>\n{body}<script>var a = 'Blitzkrieg';</script></body></html>\n")


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


@pytest.mark.parametrize("variant", ["txt", "md", "html"])
def test_every_finding_points_into_the_text_the_client_sent(demo, variant):
    german = {"txt": demo, "md": _markdown(demo), "html": _html(demo)}[variant]
    _, api = client()
    report = api.post("/api/check", json={"german": german, "name": f"story.de.{variant}"}).json()
    assert report["document"]["format"] == variant and report["document"]["offset_unit"] == "code_point"
    findings = report["findings"]
    assert len(findings) >= 5
    for f in findings:
        where = f["location"]
        assert where is not None, f
        sent = german[where["offset"]:where["offset"] + where["length"]]
        # the words the finding names, as written (markup inside them aside)
        assert _letters(sent.replace("**", "")) == _letters(f["text"]), (sent, f["text"])
        lines = german.split("\n")
        assert lines[where["line"] - 1][where["column"] - 1:].startswith(sent.split("\n")[0])
    assert len({f["id"] for f in findings}) == len(findings)


def test_finding_ids_are_stable_under_edits_elsewhere_and_rules_link_the_docs(demo):
    _, api = client()
    before = api.post("/api/check", json={"german": demo}).json()["findings"]
    edited = "Eine neue erste Zeile steht hier.\n\n" + demo
    after = api.post("/api/check", json={"german": edited}).json()["findings"]
    by_key = lambda fs: {(f["check"], f["text"], f["id"]) for f in fs}  # noqa: E731
    assert by_key(before) <= by_key(after)
    docs = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    from audit.checks.catalog import heading_anchor

    anchors = {heading_anchor(h) for h in re.findall(r"^#+ (.+)$", docs, flags=re.M)}
    for f in before:
        rule = f["rule"]
        assert rule["id"] == f["check"] and rule["description"]
        assert rule["docs"].startswith("docs/checks.md#") and rule["docs"].split("#")[1] in anchors
        assert rule["category"]["name"] == f["category"]


def test_replacements_apply_to_the_span_as_they_stand():
    german = ("Der Blitzkrieg des Jahres begann mit einem Angriff auf die Stadt.\n\n"
              "Die Truppen legten 500 Meilen zurück , sagte der Sprecher.\n\n"
              "Am Ende des Tages zählten sie 1,200 Tote in der Region.\n")
    _, api = client()
    findings = api.post("/api/check", json={"german": german}).json()["findings"]
    applied = {}
    for f in findings:
        if f["replacements"]:
            where = f["location"]
            applied[f["check"]] = (german[:where["offset"]] + f["replacements"][0]
                                   + german[where["offset"] + where["length"]:])
    assert "Der Überraschungsangriff des Jahres" in applied["terms"]
    assert "rund 800 Kilometer zurück" in applied["units"]
    assert "Letztlich zählten" in applied["calques"]
    assert "1.200 Tote" in applied["numbers"]
    assert "zurück, sagte" in applied["typography"]


def test_offsets_in_utf16_code_units_for_javascript_editors():
    german = "Ein 🙂 Gruß vorab. 🎉🎉 Der Blitzkrieg begann am Montag.\n\nDie Truppen legten 500 Meilen zurück.\n"
    _, api = client()
    points = api.post("/api/check", json={"german": german}).json()
    units = api.post("/api/check", json={"german": german, "offset_unit": "utf16"}).json()
    assert units["document"]["offset_unit"] == "utf16"
    encoded = german.encode("utf-16-le")
    for a, b in zip(points["findings"], units["findings"]):
        assert a["id"] == b["id"]
        p, u = a["location"], b["location"]
        assert german[p["offset"]:p["offset"] + p["length"]] == \
            encoded[2 * u["offset"]:2 * (u["offset"] + u["length"])].decode("utf-16-le")
        if a["text"] == "Blitzkrieg":
            assert u["offset"] == p["offset"] + 3 and u["column"] == p["column"] + 3


def test_openapi_gives_the_report_schema_and_the_error_schema():
    _, api = client()
    spec = api.get("/openapi.json").json()
    check = spec["paths"]["/api/check"]["post"]
    report = check["responses"]["200"]["content"]["application/json"]["schema"]
    assert report["properties"]["findings"]["items"]["required"][0] == "id"
    assert "$id" not in report and "$schema" not in report
    for status in ("400", "411", "413", "421", "422", "500", "503"):
        ref = check["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert spec["components"]["schemas"][ref.split("/")[-1]]["required"] == ["error"]
    assert "offset_unit" in json.dumps(spec["components"]["schemas"])
    health = spec["paths"]["/api/health"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(api.get("/api/health").json(), health)


def test_api_errors_speak_of_fields_not_flags():
    _, api = client()
    response = api.post("/api/check", json={"german": "Meine news\nZum Autor\nMax Muster ist Reporter.\n"})
    assert response.status_code == 422 and "--" not in response.json()["error"]
    assert "German text" in response.json()["error"]


def test_cors_only_for_the_origins_given_and_only_on_the_api():
    origin = "https://cms.example.org"
    _, api = client(service_options={"cors_origins": (origin,)})
    preflight = api.options("/api/check", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == origin
    answer = api.post("/api/check", json={"german": GERMAN}, headers={"Origin": origin})
    assert answer.headers["access-control-allow-origin"] == origin
    assert "x-mt-audit-gate" in answer.headers["access-control-expose-headers"].lower()
    other = api.post("/api/check", json={"german": GERMAN}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    page = api.post("/ui/jobs", json={"german": GERMAN}, headers={"Origin": origin})
    assert "access-control-allow-origin" not in page.headers and page.status_code == 403
    _, closed = client()
    assert "access-control-allow-origin" not in closed.post("/api/check", json={"german": GERMAN},
                                                            headers={"Origin": origin}).headers


def test_the_header_and_health_say_the_same_about_the_model(tmp_path):
    service, api = client(backend="marian", model=str(tmp_path / "no-such-model"))
    for _ in range(200):
        state = api.get("/api/health").json()
        if state["model_state"] != "loading":
            break
        time.sleep(0.05)
    assert state["model_state"] == "unavailable" and state["model_loaded"] is False
    assert state["model_unavailable_reason"]
    page = api.get("/").text
    assert 'data-state="unavailable"' in page and "not available" in page
    assert "no-such-model" not in page.split('id="model-state"')[1].split("</span>")[0]
    _, off = client()
    assert off.get("/api/health").json()["model_state"] == "off" and 'data-state="off"' in off.get("/").text


def _docs_snippet() -> str:
    text = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    return re.search(r"```js\n(.*?)```", text, flags=re.S).group(1)


@pytest.mark.skipif(__import__("shutil").which("node") is None, reason="needs Node.js to run the docs' JavaScript")
@pytest.mark.parametrize("variant", ["txt", "md", "html"])
def test_the_docs_javascript_underlines_every_finding(demo, variant, tmp_path):
    import subprocess

    german = "Vorab 🙂 ein Gruß 🎉.\n\n" + demo
    german = {"txt": german, "md": _markdown(german), "html": _html(german)}[variant]
    script = tmp_path / "underline.mjs"
    service, _ = client()
    with running_server(create_app(service)) as port:
        script.write_text(_docs_snippet() + f"""
const text = {json.dumps(german)};
const marks = await mtAuditFindings("http://127.0.0.1:{port}", text, null, "{variant}");
const first = marks.find((m) => m.replacements.length);
console.log(JSON.stringify({{
  marks: marks.map((m) => [m.id, text.slice(m.from, m.to)]),
  applied: first ? [first.replacements[0], applyReplacement(text, first, first.replacements[0])] : null,
}}));
""", encoding="utf-8")
        done = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        _, api = client()
        report = api.post("/api/check", json={"german": german, "input_format": variant}).json()
    expected = {f["id"]: f["text"] for f in report["findings"] if f["location"] and not f["accepted"]}
    assert len(out["marks"]) == len(expected) >= 5
    for mark_id, underlined in out["marks"]:
        assert _letters(underlined.replace("**", "")) == _letters(expected[mark_id])
    replacement, applied = out["applied"]
    assert replacement in applied and applied != german


@pytest.mark.parametrize("origin", ["*", "cms.example.org", "https://cms.example.org/editor"])
def test_a_cors_origin_must_be_an_origin(origin):
    from click.testing import CliRunner

    from audit.apps.cli import main

    result = CliRunner().invoke(main, ["serve", "--cors-origin", origin, "--backend", "none"])
    assert result.exit_code == 2 and "is no origin" in result.output and "Traceback" not in result.output


def test_the_editor_benchmark_runs_on_a_short_story():
    from benchmarks.editor import api_seconds, story

    text = story(400)
    assert 400 <= len(text.split()) < 500 and "Meilen" in text
    figures = api_seconds(text)
    assert figures["findings"] >= 3 and figures["check"] > 0


def test_a_plain_accepted_key_is_capped_like_an_object_key():
    _, api = client()
    long_key = "terms:" + "x" * 2100
    for accepted in ([long_key], [{"key": long_key}]):
        response = api.post("/api/check", json={"german": "Der Blitzkrieg begann.", "accepted": accepted})
        assert response.status_code == 422, response.text
    ok = api.post("/api/check", json={"german": "Der Blitzkrieg begann.", "accepted": ["terms:blitzkrieg"]})
    assert ok.status_code == 200


def test_an_entry_another_process_writes_into_the_baseline_is_kept(tmp_path):
    from audit.baseline import baseline_text, load_baseline_entries

    baseline = tmp_path / "accepted.json"
    service, api = client(baseline)
    token = {"x-mt-audit-token": service.token, "origin": "http://localhost:8765"}
    first = {"key": "terms:blitzkrieg", "check": "terms", "text": "Blitzkrieg", "message": "m", "scope": "everywhere"}
    assert api.post("/ui/accept", json=first, headers=token).status_code == 200
    # another process adds an entry to the file while the server runs
    written = list(load_baseline_entries(baseline).values())
    [unit] = [f for f in api.post("/api/check", json={"german": "Sie liefen 40 Meilen."}).json()["findings"]
              if f["check"] == "units"]
    outside = {"key": unit["key"], "check": "units", "text": unit["text"], "message": "m", "scope": "everywhere"}
    baseline.write_text(baseline_text(written + [outside]), encoding="utf-8")
    second = {"key": "calques:sinn machen", "check": "calques", "text": "Sinn machen", "message": "m",
              "scope": "everywhere"}
    assert api.post("/ui/accept", json=second, headers=token).status_code == 200
    keys = {e["key"] for e in load_baseline_entries(baseline).values()}
    assert keys == {"terms:blitzkrieg", unit["key"], "calques:sinn machen"}
    # and the next audit already treats the outside entry as accepted
    report = api.post("/api/check", json={"german": "Sie liefen 40 Meilen."}).json()
    assert all(f["accepted"] for f in report["findings"] if f["check"] == "units")


def test_the_answer_comes_at_the_time_limit_even_inside_a_long_stage(monkeypatch):
    """A stage that runs past the limit (aligning and scoring a long text) does not hold the
    answer: the client hears 503 at the limit, and the audit stops at its next check."""
    service, api = client(service_options={"max_audit_seconds": 1.0})
    original = service.auditor.finish

    def slow_finish(doc, accepted=None):
        time.sleep(4)
        return original(doc, accepted)

    monkeypatch.setattr(service.auditor, "finish", slow_finish)
    started = time.monotonic()
    answer = api.post("/api/check", json={"german": GERMAN})
    took = time.monotonic() - started
    assert answer.status_code == 503 and "longer than the limit" in answer.json()["error"]
    assert took < 3.0, took
