"""`qualitycheck crawl`: one command from a site's start URL to the lint-site report, via Scrapy.

Polite by default: robots.txt obeyed, two requests at a time per domain, a
download delay, a page cap. Everything fetched goes into a WARC so the crawl
can be re-checked later with `qualitycheck lint-site crawl.warc.gz`.
"""

from __future__ import annotations

from pathlib import Path
from ..sources import url_host
from .crawl_limits import (HTML_TYPES, OFF_SITE, PAGE_BUDGET, ROBOTS, SKIP_EXTENSIONS, TOO_BIG, TOO_DEEP,
                           TOO_MANY_REDIRECTS, URL_TOO_LONG)


def make_spider_class():
    import scrapy
    from scrapy.linkextractors import LinkExtractor

    class SiteSpider(scrapy.Spider):
        """Follows the links of one host, yields each HTML page as an item for the pipeline."""

        name = "qualitycheck-site"
        custom_settings: dict = {}

        def __init__(self, start_url: str, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.start_url = start_url
            self.host = url_host(start_url)
            self.netloc = site_netloc(start_url)
            self.allowed_domains = [self.host]
            # Same host only; compared by hostname because LinkExtractor's allow_domains also
            # compares the port.
            self.links = LinkExtractor(unique=True, deny_extensions=SKIP_EXTENSIONS)

        async def start(self):
            yield scrapy.Request(self.start_url, callback=self.parse)

        def start_requests(self):  # Scrapy < 2.13
            yield scrapy.Request(self.start_url, callback=self.parse)

        def parse(self, response):
            ctype = response.headers.get(b"Content-Type", b"").lower()
            if ctype and not any(t in ctype for t in HTML_TYPES):
                return
            yield {"url": response.url, "html": response.body}
            for link in self.links.extract_links(response):
                if site_netloc(link.url) == self.netloc:
                    try:
                        request = response.follow(link.url, callback=self.parse)
                    except ValueError:  # a link Scrapy cannot request (w3lib 2.6: a host with a space)
                        continue
                    yield request

    return SiteSpider


def site_netloc(url: str) -> str:
    """Host and port (the port only when it is not the scheme's default): two sites on one host
    but different ports are different sites."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return f"{host}:{port}" if port and port != default else host


class SameSiteMiddleware:
    """Downloader middleware: a redirect may not take the crawl to another host or port (Scrapy's
    offsite check compares host names only)."""

    def __init__(self) -> None:
        self.spider = None

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        mw = cls()
        crawler.signals.connect(mw._opened, signal=signals.spider_opened)
        return mw

    def _opened(self, spider):
        self.spider = spider

    def process_request(self, request, spider=None):
        from scrapy.exceptions import IgnoreRequest

        spider = spider or self.spider
        netloc = getattr(spider, "netloc", None)
        if netloc and not request.url.endswith("/robots.txt") and site_netloc(request.url) != netloc:
            spider.crawler.stats.inc_value("qualitycheck/limits/off_site")
            raise IgnoreRequest(OFF_SITE)
        return None


def crawl(
    start_url: str,
    out_dir: str | Path,
    *,
    max_pages: int = 200,
    as_of: str | None = None,
    config_path: str | None = None,
    delay: float = 0.5,
    concurrency: int = 2,
    obey_robots: bool = True,
    language_model: bool = True,
    log_level: str = "WARNING",
    user_agent: str = "qualitycheck/0.1 (government website self-check)",
    max_page_mb: float = 10.0,
    max_depth: int = 12,
) -> dict | None:
    """Crawl one site and write report.html, summary.json, findings.* and crawl.warc.gz to out_dir.

    The summary gets ``crawl_limits``: which of the crawl's limits stopped it or kept pages out."""
    from scrapy.crawler import CrawlerProcess

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    settings = {
        "ROBOTSTXT_OBEY": obey_robots,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_REQUESTS": max(concurrency, 2),
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_TIMEOUT": 30,
        "RETRY_TIMES": 1,
        "CLOSESPIDER_PAGECOUNT": max_pages,
        "DOWNLOAD_MAXSIZE": int(max_page_mb * 1024 * 1024),  # a 100 MB page or a gzip bomb stops here
        "DOWNLOAD_WARNSIZE": 0,
        "DEPTH_LIMIT": max_depth,  # calendar traps: "next month" links for ever
        "REDIRECT_MAX_TIMES": 10,
        "URLLENGTH_LIMIT": 2000,
        "USER_AGENT": user_agent,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        "HTTPERROR_ALLOW_ALL": False,
        "DEPTH_PRIORITY": 1,  # breadth first: columns before deep archives
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "ITEM_PIPELINES": {"qualitycheck.integrations.scrapy.QualityCheckPipeline": 800},
        "EXTENSIONS": {"qualitycheck.integrations.scrapy.QualityCheckExtension": 500},
        "DOWNLOADER_MIDDLEWARES": {"qualitycheck.integrations.scrapy.DeadLinkMiddleware": 50,
                                   "qualitycheck.integrations.crawl.SameSiteMiddleware": 60},
        "QUALITYCHECK_REPORT_DIR": str(out),
        "QUALITYCHECK_WARC": str(out / "crawl.warc.gz"),
        "QUALITYCHECK_FINDINGS_FIELD": None,
        "QUALITYCHECK_LANGUAGE_MODEL": language_model,
    }
    if as_of:
        settings["QUALITYCHECK_AS_OF"] = as_of
    if config_path:
        settings["QUALITYCHECK_CONFIG"] = config_path
    settings["LOG_INSTALL_ROOT_HANDLER"] = log_level != "WARNING"
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(make_spider_class())
    process.crawl(crawler, start_url=start_url)
    process.start()
    state = getattr(crawler, "_qualitycheck_state", None)
    summary_path = out / "summary.json"
    if state is None or not summary_path.exists():
        return None
    import json

    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["crawl_limits"] = crawl_limits(crawler.stats.get_stats())
    return summary


def crawl_limits(stats: dict) -> dict[str, int]:
    """The limits a Scrapy crawl hit, from its stats, in the words of `crawl --sites`' crawl.json."""
    found: dict[str, int] = {}
    if stats.get("finish_reason") == "closespider_pagecount":
        found[PAGE_BUDGET] = 1
    for key, label in (("robotstxt/forbidden", ROBOTS), ("qualitycheck/limits/too_big", TOO_BIG),
                       ("qualitycheck/limits/redirects", TOO_MANY_REDIRECTS),
                       ("urllength/request_ignored_count", URL_TOO_LONG),
                       ("depth/request_ignored_count", TOO_DEEP), ("qualitycheck/limits/off_site", OFF_SITE)):
        if stats.get(key):
            found[label] = int(stats[key])
    return found
