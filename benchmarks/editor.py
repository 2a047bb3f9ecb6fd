"""The editor's page on a long story: a 10,000-word German text (generated here, with a
loaded term, an imperial unit and an English number format every few paragraphs) checked
model-free through mt-audit serve, as the page and an integrator ask for it.

Printed: the seconds of ``POST /api/check`` (UTF-16 offsets) for the first check and for a
re-check after a one-word edit, and, where Chromium is installed (``make browser``), the
seconds from pressing Check to every finding underlined in the text, and of re-drawing the
underlines after a keystroke (the page does that on every input).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = 10_000
_WORDS = ("die Regierung hat am Montag neue Maßnahmen gegen steigende Preise beschlossen und Experten "
          "erwarten dass der Winter teuer wird weil die Lieferungen aus dem Ausland stocken").split()
_FINDINGS = ("Der Blitzkrieg der Händler blieb aus.", "Die Kolonne legte 300 Meilen zurück.",
             "Es kamen 11,000 Menschen.", "Am Ende des Tages zählte nur der Preis.")


def story(words: int = WORDS, seed: int = 11) -> str:
    rng = random.Random(seed)
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            sentence = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 16)))
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        if len(paragraphs) % 3 == 0:
            sentences.append(rng.choice(_FINDINGS))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return "Ein langer Bericht über die Preise\n\n" + "\n\n".join(paragraphs) + "\n"


def api_seconds(text: str) -> dict:
    from fastapi.testclient import TestClient

    from audit.pipeline import AuditSettings
    from audit.apps.serve import Service, create_app

    service = Service(AuditSettings(backend="none", quiet=True, use_cache=False))
    api = TestClient(create_app(service), base_url="http://localhost")
    api.post("/api/check", json={"german": "Der Rat tagte am Montag in der Stadt."})  # imports, data
    out = {}
    for label, body in (("check", text), ("recheck_after_one_edit", text.replace("Preise", "Kosten", 1))):
        started = time.perf_counter()
        answer = api.post("/api/check", json={"german": body, "offset_unit": "utf16"})
        out[label] = round(time.perf_counter() - started, 2)
        out["findings"] = len(answer.json()["findings"])
    return out


def page_seconds(text: str) -> dict | None:
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    from playwright.sync_api import expect, sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import running_server  # the tests' uvicorn-in-a-thread

    from audit.pipeline import AuditSettings
    from audit.apps.serve import Service, create_app

    with tempfile.TemporaryDirectory() as tmp:
        service = Service(AuditSettings(backend="none", quiet=True, use_cache=False), Path(tmp) / "accepted.json")
        with running_server(create_app(service)) as port, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/")
            page.fill("#german", text)
            started = time.perf_counter()
            page.click("#check")
            expect(page.locator("#status")).to_contain_text("the gate", timeout=600_000)
            expect(page.locator("#german-backdrop mark").first).to_be_attached()
            check = time.perf_counter() - started
            marks = page.locator("#german-backdrop mark").count()
            page.focus("#german")
            page.keyboard.press("Control+End")
            started = time.perf_counter()
            for _ in range(20):
                page.keyboard.type("x")
            typing = (time.perf_counter() - started) / 20
            browser.close()
    return {"check_to_underlines": round(check, 2), "underlines": marks, "keystroke": round(typing, 3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument("--words", type=int, default=WORDS)
    args = parser.parse_args(argv)
    text = story(args.words)
    figures = {"words": len(text.split()), "api": api_seconds(text), "page": page_seconds(text)}
    api = figures["api"]
    print(f"{figures['words']} words, {api['findings']} findings: /api/check {api['check']:.2f} s, "
          f"after a one-word edit {api['recheck_after_one_edit']:.2f} s")
    if figures["page"]:
        page = figures["page"]
        print(f"the page: Check to {page['underlines']} underlines {page['check_to_underlines']:.2f} s, "
              f"a keystroke with its re-drawn underlines {page['keystroke'] * 1000:.0f} ms")
    else:
        print("the page: not measured (no Chromium; make browser installs it)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
