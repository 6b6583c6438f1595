"""`qualitycheck crawl`: one command from a site's start URL to the lint-site report, via Scrapy.

Polite by default: robots.txt obeyed, two requests at a time per domain, a
download delay, a page cap. Everything fetched goes into a WARC so the crawl
can be re-checked later with `qualitycheck lint-site crawl.warc.gz`.
"""

from __future__ import annotations

from pathlib import Path
from ..sources import url_host

HTML_TYPES = (b"text/html", b"application/xhtml")


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
            self.allowed_domains = [self.host]
            # Same host only; compared by hostname because LinkExtractor's allow_domains also
            # compares the port.
            self.links = LinkExtractor(unique=True, deny_extensions=_SKIP_EXTENSIONS)

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
                if url_host(link.url) == self.host:
                    yield response.follow(link.url, callback=self.parse)

    return SiteSpider


# Not pages: skip them so a crawl does not fetch documents and media.
_SKIP_EXTENSIONS = [
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "rar", "7z", "gz", "jpg", "jpeg", "png", "gif",
    "bmp", "svg", "webp", "ico", "mp3", "mp4", "avi", "wmv", "flv", "mov", "css", "js", "json", "xml", "txt", "wps",
    "ofd", "apk", "exe",
]


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
) -> dict | None:
    """Crawl one site and write report.html, summary.json, findings.* and crawl.warc.gz to out_dir."""
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
        "USER_AGENT": user_agent,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        "HTTPERROR_ALLOW_ALL": False,
        "DEPTH_PRIORITY": 1,  # breadth first: columns before deep archives
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "ITEM_PIPELINES": {"qualitycheck.integrations.scrapy.QualityCheckPipeline": 800},
        "EXTENSIONS": {"qualitycheck.integrations.scrapy.QualityCheckExtension": 500},
        "DOWNLOADER_MIDDLEWARES": {"qualitycheck.integrations.scrapy.DeadLinkMiddleware": 50},
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

    return json.loads(summary_path.read_text(encoding="utf-8"))
