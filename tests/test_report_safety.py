"""What a hacked site writes stays inert in the inspector's reports.

A copy of the failing demo site gets payloads in its titles, links, column names and
footers (script tags, event handlers, attribute and </script> breakouts, javascript:,
data: and vbscript: URLs with the usual obfuscations, SVG, CSS). lint-site runs on it;
report.html and province.html are opened in real headless Chromium and every link is
clicked: no payload may run. The writers' own rules (links only for http(s) after the
browser's normalisation, a CSP, atomic files, one failing writer never stopping the others)
are tested beside it.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

from qualitycheck.config import Config
from qualitycheck.report.safe import CSP, link_html, safe_href
from qualitycheck.batch import lint_site

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "site" / "www.demo-b.gov.cn"

# Each payload, if it ran, sets document.title to PWNED (or a window flag): the browser test looks for both.
RUN = "document.title='PWNED';window.__pwned=1"
TEXT_PAYLOADS = [
    f"<script>{RUN}</script>", f"<img src=x onerror=\"{RUN}\">", f"<svg onload=\"{RUN}\"></svg>",
    f"\"'><script>{RUN}</script>", f"</script><script>{RUN}</script>", f"'onmouseover='{RUN}' x='",
    f"<style>body{{background:url(javascript:{RUN})}}</style>", f"<iframe srcdoc=\"<script>{RUN}</script>\">",
    f"<a href=\"javascript:{RUN}\">点我</a>", f"<details open ontoggle=\"{RUN}\">",
]
URL_PAYLOADS = [
    f"javascript:{RUN}", f"JaVaScRiPt:{RUN}", f"java&#9;script:{RUN}", f"java&#x0A;script:{RUN}",
    f"&#106;avascript:{RUN}", f" javascript:{RUN}", f"\x01javascript:{RUN}", f"data:text/html,<script>{RUN}</script>",
    "vbscript:msgbox(1)", f"javascript&colon;{RUN}",
]


def _attr(value: str) -> str:
    """A payload as it would sit in the hacked page's attribute: the page's own entity encoding kept."""
    return value.replace('"', "&quot;")


def hostile_site(dest: Path) -> Path:
    """The failing demo site with payloads spliced into every page's title, nav, body links and footer."""
    site = dest / "www.demo-b.gov.cn"
    shutil.copytree(DEMO, site)
    for i, page in enumerate(sorted(site.rglob("*.html"))):
        text = page.read_text(encoding="utf-8")
        payload = html.escape(TEXT_PAYLOADS[i % len(TEXT_PAYLOADS)])
        url = _attr(URL_PAYLOADS[i % len(URL_PAYLOADS)])
        text = text.replace("</title>", f"{payload}</title>", 1)
        text = text.replace("<ul class=\"nav\">",
                            f"<ul class=\"nav\"><li><a href=\"{url}\">通知公告{payload}</a></li>", 1)
        text = text.replace("<div class=\"footer\">",
                            f"<div class=\"footer\"><p>网站标识码{payload}</p>"
                            f"<a href=\"{url}\">澳门葡京娱乐注册{payload}</a>", 1)
        text = text.replace("</body>", f"<p><a href=\"{url}\">365bet体育{payload}</a></p></body>", 1)
        page.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    from qualitycheck.report.notice import write_notice

    root = tmp_path_factory.mktemp("hostile")
    out = root / "out"
    summary = lint_site(hostile_site(root / "pages"), out, config=Config.default().with_overrides(
        typo={"language_model": False}), warm=False)
    write_notice(out, summary)
    return out


@pytest.mark.parametrize("url", URL_PAYLOADS)
def test_no_script_url_becomes_a_link(url):
    assert safe_href(url) is None
    assert "<a" not in link_html(url)


@pytest.mark.parametrize("url", ["http://www.demo-b.gov.cn/tzgg/", "HTTPS://Example.gov.cn/a?b=1&copy=2",
                                 "\thttp://www.demo-b.gov.cn/"])
def test_web_urls_stay_links(url):
    href = safe_href(url)
    assert href is not None and href.lower().startswith(("http://", "https://"))
    assert "&copy=2" in href or "copy" not in url  # a query string is not entity-decoded


def test_report_links_only_web_urls_and_has_a_csp(hostile_report):
    from lxml import html as lhtml

    for name in ("report.html", "province.html"):
        page = (hostile_report / name).read_text(encoding="utf-8")
        assert CSP in html.unescape(page)
        tree = lhtml.fromstring(page)
        assert not tree.xpath("//script | //iframe | //style[contains(., 'javascript')]")
        assert not tree.xpath("//@*[starts-with(name(), 'on')]")
        for href in tree.xpath("//a/@href"):
            assert href.startswith(("#", "http://", "https://")), href
    # the payloads are there, as text: the inspector sees what the page said
    assert "365bet" in (hostile_report / "report.html").read_text(encoding="utf-8")


def test_spreadsheets_and_json_keep_payloads_as_data(hostile_report):
    import csv

    from openpyxl import load_workbook

    with (hostile_report / "findings.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            for cell in row:
                assert not cell[:1] in ("=", "+", "-", "@", "\t", "\r"), cell
    wb = load_workbook(hostile_report / "findings.xlsx", read_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for cell in row:
                if isinstance(cell, str):
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    for line in (hostile_report / "findings.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)  # every line parses: no payload broke out of its string
    json.loads((hostile_report / "summary.json").read_text(encoding="utf-8"))


def test_one_failing_writer_does_not_stop_the_others(hostile_report, tmp_path, monkeypatch):
    from qualitycheck.report import site as site_report
    from qualitycheck.report.notice import write_notice

    out = tmp_path / "out"
    shutil.copytree(hostile_report, out)
    for name in ("report.html", "findings.xlsx", "notice.docx"):
        (out / name).unlink()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary.pop("report_errors", None)

    def broken(*args, **kwargs):
        raise ValueError("坏的工作表")

    monkeypatch.setattr(site_report, "write_tables", broken)
    site_report.write_reports(out, summary)
    write_notice(out, summary)
    assert (out / "report.html").exists() and (out / "notice.docx").exists()
    assert not (out / "findings.xlsx").exists()
    assert [f["file"] for f in summary["report_errors"]] == ["findings.csv / findings.xlsx"]
    saved = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert saved["report_errors"] == summary["report_errors"]
    assert not list(out.glob(".*.partial"))


def test_lint_site_exits_2_when_a_report_cannot_be_written(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    (out / "findings.xlsx").mkdir()  # a folder where the workbook must go: the rename fails
    proc = subprocess.run([sys.executable, "-m", "qualitycheck.cli", "lint-site", str(ROOT / "examples" / "site"),
                           "--out", str(out), "--no-lm", "--as-of", "2025-06-30"], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "findings.xlsx" in proc.stderr and "Traceback" not in proc.stderr
    assert (out / "report.html").exists() and (out / "notice.docx").exists()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Real headless Chromium; only this test needs it, so the others run without a browser."""
    import importlib

    try:
        start_chromium = importlib.import_module("browser").start_chromium
    except pytest.skip.Exception as exc:
        pytest.skip(str(exc))
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.mark.parametrize("name", ["report.html", "province.html"])
def test_no_payload_runs_in_chromium_even_when_every_link_is_clicked(browser, hostile_report, name):
    from selenium.webdriver.common.by import By

    url = (hostile_report / name).as_uri()
    browser.get(url)
    title = browser.title
    assert "PWNED" not in title
    n_links = len(browser.find_elements(By.TAG_NAME, "a"))
    for i in range(n_links):
        link = browser.find_elements(By.TAG_NAME, "a")[i]
        browser.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", link)
        if browser.current_url.split("#")[0] != url:
            browser.get(url)  # an http(s) link left the report (nothing resolves here): come back
            continue
        assert browser.title == title
        assert browser.execute_script("return window.__pwned === undefined")
    assert browser.execute_script("return document.querySelectorAll('script').length") == 0
