"""The HTML report in a real browser: headless Chromium driven by Playwright.

In CI (CI=true) a missing browser fails the test instead of skipping it.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from audit.pipeline import AuditSettings, Auditor
from audit.report import html

from conftest import DEMO, ROOT

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"


def _browser_or_skip():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (run `make browser`); CI needs the browser test.")
        pytest.skip("Chromium is not installed (run `make browser`).")
    from playwright.sync_api import sync_playwright

    return sync_playwright


def _report(path: Path, out: Path) -> Path:
    auditor = Auditor(AuditSettings(backend="none", quiet=True))
    doc = auditor.audit(path)
    page = out / f"{doc.name}.html"
    page.write_text(html.render(doc, auditor.settings_record(doc), auditor.passed(doc)), encoding="utf-8")
    return page


def _launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"])


def test_demo_report_counts_filters_and_navigation(tmp_path):
    sync_playwright = _browser_or_skip()
    report = _report(DEMO, tmp_path)
    dialogs = []
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(report.as_uri())
        assert page.inner_text("#verdict") == "FAILED"
        majors = int(page.inner_text("#count-major b"))
        minors = int(page.inner_text("#count-minor b"))
        assert majors >= 1 and minors >= 3
        assert page.locator("li.finding[data-severity=major]").count() == majors
        assert "Wir testen zurzeit" in page.inner_text("#machine-translated")
        assert page.is_visible("#skipped-banner")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "demo-report.png"), full_page=False)
        if os.environ.get("MT_AUDIT_UPDATE_SCREENSHOT"):
            # the README's screenshot: `MT_AUDIT_UPDATE_SCREENSHOT=1 make test` refreshes it
            page.screenshot(path=str(ROOT / "docs" / "report.png"), full_page=False)

        major_rows = page.locator("tr.seg[data-severities='major']")
        assert major_rows.count() > 0 and major_rows.first.is_visible()
        page.click("#filter-major")
        assert all(not major_rows.nth(i).is_visible() for i in range(major_rows.count()))
        page.click("#filter-major")
        assert major_rows.first.is_visible()

        page.click("#filter-clean")
        clean_rows = page.locator("tr.seg:not(.flagged)")
        assert all(not clean_rows.nth(i).is_visible() for i in range(min(5, clean_rows.count())))

        page.keyboard.press("n")
        first = page.locator("tr.current").get_attribute("id")
        page.keyboard.press("n")
        assert page.locator("tr.current").get_attribute("id") != first
        assert page.locator("svg rect.bar").count() == sum(1 for _ in page.locator("tr.seg:not(.boilerplate)").all())
        browser.close()
    assert dialogs == []


def test_injected_markup_stays_text_in_the_browser(tmp_path):
    sync_playwright = _browser_or_skip()
    path = tmp_path / "xss.txt"
    path.write_text('Er sagte <script>alert(1)</script> und ging weg.\n'
                    'Dann kam <img src=x onerror=alert(1)> in 500 Meilen an.\n'
                    'Am Ende stand "><svg onload=alert(1)> im Text.\n', encoding="utf-8")
    report = _report(path, tmp_path)
    dialogs = []
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(report.as_uri())
        page.wait_for_timeout(300)
        assert page.locator("main img").count() == 0
        assert page.locator("main svg[onload]").count() == 0 and page.locator("[onerror]").count() == 0
        assert page.locator("script").count() == 1  # the report's own
        assert "<script>alert(1)</script>" in page.inner_text("#segments")
        browser.close()
    assert dialogs == []
