"""Real Scrapy crawls of a site served on 127.0.0.1: the crawl command, its WARC, and the plugin
in a user's own Scrapy project. Nothing here touches any address but loopback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_B = ROOT / "examples" / "site" / "www.demo-b.gov.cn"
AS_OF = "2025-06-30"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The failing demo site plus a link to a page that does not exist, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("site") / "www"
    shutil.copytree(DEMO_B, root)
    home = root / "index.html"
    home.write_text(home.read_text(encoding="utf-8").replace(
        '<div class="links">', '<div class="links"><a href="/zwgk/old-column.html">政务公开（旧）</a>'), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def run_cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualitycheck.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def findings(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # `source` says where the bytes came from (a URL in a crawl, file#offset in a WARC); all else must agree.
    return sorted((json.dumps({k: v for k, v in r.items() if k not in ("source", "fingerprint")},
                              ensure_ascii=False, sort_keys=True) for r in rows))


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    out = tmp_path_factory.mktemp("crawl")
    proc = run_cli("crawl", site, "--out", str(out), "--as-of", AS_OF, "--delay", "0", "--max-pages", "100", "--no-lm")
    return proc, out


def test_crawl_reports_the_site_with_dead_and_injected_links(site, crawled):
    proc, out = crawled
    assert proc.returncode == 1, proc.stderr  # the site fails
    assert "127.0.0.1: 不合格" in proc.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    [row] = summary["sites"]
    assert row["pages"] >= 13
    rows = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    # The planted link, and the site-relative links of the real article copied into the demo site.
    dead = {r["evidence"]["dead_url"]: r for r in rows if r["code"] == "QC601"}
    assert row["dead_links"] == len(dead)
    planted = dead[site + "zwgk/old-column.html"]
    assert planted["evidence"]["linked_from"] == site and planted["evidence"]["problem"] == "HTTP 404"
    assert all(r["evidence"]["linked_from"].startswith(site) for r in dead.values())
    assert any(r["code"] == "QC501" for r in rows)
    assert (out / "report.html").is_file() and (out / "findings.xlsx").is_file()
    assert (out / "notice.docx").is_file() and (out / "annex.xlsx").is_file()


def test_lint_site_on_the_crawls_warc_gives_the_same_findings(crawled, tmp_path):
    _, out = crawled
    proc = run_cli("lint-site", str(out / "crawl.warc.gz"), "--out", str(tmp_path), "--as-of", AS_OF, "--no-lm")
    assert proc.returncode == 1, proc.stderr
    assert findings(tmp_path / "findings.jsonl") == findings(out / "findings.jsonl")


PROJECT_SPIDER = '''
import json, sys
import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess

class Pages(scrapy.Spider):
    name = "pages"
    def __init__(self, start, **kw):
        super().__init__(**kw)
        self.start = start
        self.allowed_domains = ["127.0.0.1"]
    async def start(self):
        yield scrapy.Request(self.start_url)
    def start_requests(self):
        yield scrapy.Request(self.start_url)
    def parse(self, response):
        yield {"page_url": response.url, "page_html": response.text}
        for href in response.css("a::attr(href)").getall():
            try:
                request = response.follow(href, self.parse)
            except ValueError:  # a malformed link of a hostile page (w3lib 2.6 refuses a host with a space)
                continue
            yield request

def main(start, out):
    settings = {
        "ITEM_PIPELINES": {"qualitycheck.integrations.scrapy.QualityCheckPipeline": 300},
        "EXTENSIONS": {"qualitycheck.integrations.scrapy.QualityCheckExtension": 500},
        "DOWNLOADER_MIDDLEWARES": {"qualitycheck.integrations.scrapy.DeadLinkMiddleware": 50},
        "QUALITYCHECK_HTML_FIELD": "page_html", "QUALITYCHECK_URL_FIELD": "page_url",
        "QUALITYCHECK_FINDINGS_FIELD": "qc", "QUALITYCHECK_JSONL": out + "/findings.jsonl",
        "QUALITYCHECK_AS_OF": "2025-06-30", "QUALITYCHECK_LANGUAGE_MODEL": False,
        "FEEDS": {out + "/items.jsonl": {"format": "jsonlines", "fields": ["page_url", "qc"]}},
        "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": True,
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Pages)
    def dump():
        stats = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("qualitycheck/")}
        with open(out + "/stats.json", "w") as fh:
            json.dump(stats, fh)
    crawler.signals.connect(dump, signal=signals.engine_stopped)
    process.crawl(crawler, start=start)
    process.start()

main(sys.argv[1], sys.argv[2])
'''.replace("self.start = start", "self.start_url = start")


def test_plugin_in_a_users_scrapy_project(site, tmp_path):
    script = tmp_path / "run_spider.py"
    script.write_text(textwrap.dedent(PROJECT_SPIDER), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), site, str(tmp_path)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    items = [json.loads(line) for line in (tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 13
    home = next(i for i in items if i["page_url"] == site)
    assert any(f["code"] == "QC501" for f in home["qc"])  # findings attached to the item
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["qualitycheck/pages"] == len(items)
    assert stats["qualitycheck/findings/QC501"] >= 1 and stats["qualitycheck/findings/QC601"] >= 1
    lines = (tmp_path / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    assert sum(v for k, v in stats.items() if k.startswith("qualitycheck/findings/")) == len(lines)
    # The site checks ran when the spider closed.
    assert any(json.loads(line)["code"] == "QC301" for line in lines)


README_SPIDER = '''
import scrapy

class PagesSpider(scrapy.Spider):
    name = "pages"
    allowed_domains = ["127.0.0.1"]

    def __init__(self, start="", **kw):
        super().__init__(**kw)
        self.start_urls = [start]

    def parse(self, response):
        yield {"url": response.url, "html": response.text}
        for href in response.css("a::attr(href)").getall():
            if href.startswith(("javascript:", "mailto:")):
                continue
            try:
                request = response.follow(href, self.parse)
            except ValueError:  # a malformed link of a hostile page (w3lib 2.6 refuses a host with a space)
                continue
            yield request
'''


def _readme_scrapy_settings() -> str:
    """The README's settings block, exactly as a user would paste it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Crawlers: the Scrapy plugin", 1)[1]
    return section.split("```python", 1)[1].split("```", 1)[0]


def _scrapy_project(where: Path, extra_settings: str = "") -> Path:
    package = where / "userproject"
    (package / "spiders").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "spiders" / "__init__.py").write_text("", encoding="utf-8")
    (package / "spiders" / "pages.py").write_text(README_SPIDER, encoding="utf-8")
    settings = ('BOT_NAME = "userproject"\nSPIDER_MODULES = ["userproject.spiders"]\n'
                'TELNETCONSOLE_ENABLED = False\nLOG_LEVEL = "WARNING"\n'
                + _readme_scrapy_settings() + "\nQUALITYCHECK_LANGUAGE_MODEL = False\n" + extra_settings)
    (package / "settings.py").write_text(settings, encoding="utf-8")
    (where / "scrapy.cfg").write_text("[settings]\ndefault = userproject.settings\n", encoding="utf-8")
    return where


def _scrapy_crawl(project: Path, site: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", "pages", "-a", f"start={site}"],
                          cwd=project, capture_output=True, text=True, timeout=300)


def test_readme_scrapy_settings_write_the_reports(site, tmp_path):
    project = _scrapy_project(tmp_path)
    proc = _scrapy_crawl(project, site)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    report = project / "report"
    for name in ("report.html", "findings.xlsx", "summary.json", "findings.jsonl"):
        assert (report / name).is_file(), name
    # QUALITYCHECK_JSONL outside the report folder gets the same findings.
    assert (project / "findings.jsonl").read_bytes() == (report / "findings.jsonl").read_bytes()
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert [s["verdict"] for s in summary["sites"]] == ["不合格"]
    assert (project / "crawl.warc.gz").stat().st_size > 0


def test_scrapy_report_that_cannot_be_written_stops_the_crawl_loudly(site, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    project = _scrapy_project(tmp_path, f'QUALITYCHECK_REPORT_DIR = {str(blocker / "report")!r}\n')
    proc = _scrapy_crawl(project, site)
    assert proc.returncode != 0
    assert "无法创建报告目录" in proc.stderr
    assert not (project / "findings.jsonl").exists()
