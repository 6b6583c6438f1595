"""Scrapy plugin: check pages as they are crawled, judge the sites when the spider closes.

Enable it in a Scrapy project's settings::

    ITEM_PIPELINES = {"qualitycheck.integrations.scrapy.QualityCheckPipeline": 800}
    EXTENSIONS = {"qualitycheck.integrations.scrapy.QualityCheckExtension": 500}
    DOWNLOADER_MIDDLEWARES = {"qualitycheck.integrations.scrapy.DeadLinkMiddleware": 50}

Items need the page HTML and its URL (field names are settings). Settings:

=================================  ==================================================
QUALITYCHECK_HTML_FIELD            item field with the page HTML (default ``html``)
QUALITYCHECK_URL_FIELD             item field with the page URL (default ``url``)
QUALITYCHECK_FINDINGS_FIELD        attach findings (dicts) to the item here; ``None``: don't
QUALITYCHECK_JSONL                 write every finding as JSON Lines to this path
QUALITYCHECK_REPORT_DIR            write the lint-site reports here when the spider closes
QUALITYCHECK_WARC                  write a WARC of every response (re-check later with lint-site)
QUALITYCHECK_AS_OF                 reference date YYYY-MM-DD (default: config or today)
QUALITYCHECK_CONFIG                qualitycheck.toml to use (default: discovered)
QUALITYCHECK_LANGUAGE_MODEL        run the language-model typo engine (default True)
=================================  ==================================================

Page checks run in a worker thread, one page at a time, so the reactor keeps
serving downloads; the models load once, in that thread, when the spider opens.
Scrapy stats get ``qualitycheck/findings/<CODE>`` counters.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import QualityCheckError, os_reason
from ..runner import PageResult, SiteCollector, _init_worker, process_page, write_site_reports
from ..sources import PageSource, site_of
from .warc_out import write_fetch_error, write_response_pair

_SHARED_ATTR = "_qualitycheck_state"
logger = logging.getLogger("qualitycheck")


class _Shared:
    """One per crawler: configuration, the site collector, the findings sink, the WARC writer."""

    def __init__(self, crawler):
        from twisted.internet.defer import DeferredLock

        settings = crawler.settings
        config_path = settings.get("QUALITYCHECK_CONFIG")
        cfg = Config.load(config_path) if config_path else Config.load(search_from=Path.cwd())
        if not settings.getbool("QUALITYCHECK_LANGUAGE_MODEL", True):
            cfg = cfg.with_overrides(typo={"language_model": False})
        as_of_text = settings.get("QUALITYCHECK_AS_OF")
        self.as_of = date.fromisoformat(as_of_text) if as_of_text else cfg.as_of
        self.config = cfg
        self.stats = crawler.stats
        self.html_field = settings.get("QUALITYCHECK_HTML_FIELD", "html")
        self.url_field = settings.get("QUALITYCHECK_URL_FIELD", "url")
        self.findings_field = settings.get("QUALITYCHECK_FINDINGS_FIELD", "qualitycheck_findings")
        self.report_dir = Path(settings["QUALITYCHECK_REPORT_DIR"]) if settings.get("QUALITYCHECK_REPORT_DIR") else None
        jsonl = settings.get("QUALITYCHECK_JSONL")
        self.jsonl_path = Path(jsonl) if jsonl else None
        if self.report_dir is not None:
            # The site reports are built from <report dir>/findings.jsonl: a JSONL path elsewhere
            # gets a copy of it at the end, so the two settings work together.
            jsonl = str(self.report_dir / "findings.jsonl")
        try:
            if self.report_dir is not None:
                self.report_dir.mkdir(parents=True, exist_ok=True)
            if jsonl:
                Path(jsonl).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            # Refuse to start: a crawl whose report cannot be written is hours of lost work.
            raise QualityCheckError(f"qualitycheck：无法创建报告目录 {self.report_dir or jsonl}（{os_reason(exc)}）") from None
        self.sink = open(jsonl, "w", encoding="utf-8") if jsonl else tempfile.TemporaryFile("w+", encoding="utf-8")
        self.collector = SiteCollector(cfg, self.as_of, self.sink, on_finding=self._count)
        self.lock = DeferredLock()  # one page at a time in the worker thread
        self.started = time.perf_counter()
        self.warm = False
        self.finished = False
        self.warc = None
        warc_path = settings.get("QUALITYCHECK_WARC")
        if warc_path:
            from warcio.warcwriter import WARCWriter

            Path(warc_path).parent.mkdir(parents=True, exist_ok=True)
            self._warc_file = open(warc_path, "wb")
            self.warc = WARCWriter(self._warc_file, gzip=str(warc_path).endswith(".gz"))

    def _count(self, finding) -> None:
        self.stats.inc_value(f"qualitycheck/findings/{finding.code}")
        self.stats.inc_value("qualitycheck/findings")

    @classmethod
    def of(cls, crawler) -> "_Shared":
        state = getattr(crawler, _SHARED_ATTR, None)
        if state is None:
            state = cls(crawler)
            setattr(crawler, _SHARED_ATTR, state)
        return state

    def warm_up(self):
        """Load dictionaries, jieba and the typo model in the worker thread (returns a Deferred)."""
        from twisted.internet.threads import deferToThread

        if self.warm:
            from twisted.internet.defer import succeed

            return succeed(None)
        self.warm = True
        args = (self.config.data, str(self.config.path) if self.config.path else None, self.as_of, True)
        return self.lock.run(deferToThread, _init_worker, *args)

    # -- WARC ------------------------------------------------------------
    def write_response(self, response, request) -> None:
        if self.warc is not None:
            write_response_pair(self.warc, response, request)

    def write_fetch_error(self, url: str, error: str, referer: str | None) -> None:
        if self.warc is not None:
            write_fetch_error(self.warc, url, error, referer)

    # -- end of crawl ------------------------------------------------------
    def finish(self) -> dict | None:
        if self.finished:
            return None
        self.finished = True
        verdicts = self.collector.finish()
        summary = None
        self.sink.flush()
        try:
            if self.report_dir is not None:
                summary = write_site_reports(self.report_dir, self.collector, verdicts,
                                             time.perf_counter() - self.started, "crawl")
                for site in summary["sites"]:
                    self.stats.set_value(f"qualitycheck/site/{site['site']}", site["verdict"])
                kept = self.report_dir / "findings.jsonl"
                if self.jsonl_path is not None and self.jsonl_path.resolve() != kept.resolve():
                    shutil.copyfile(kept, self.jsonl_path)
        except OSError as exc:
            # Loud: an ERROR line and a stat a scheduler can alert on (Scrapy itself ignores
            # errors raised in spider_closed handlers, so `scrapy crawl` would stay silent).
            self.stats.set_value("qualitycheck/report_failed", str(exc))
            logger.error("qualitycheck：站点报告写入失败（%s）：%s", self.report_dir, exc)
        finally:
            self.sink.close()
        if self.warc is not None:
            self._warc_file.close()
        return summary


def _referer(request) -> str | None:
    value = request.headers.get("Referer") if request is not None else None
    return value.decode("latin-1") if value else None


class QualityCheckPipeline:
    """Item pipeline: runs the page checks on each item's HTML and attaches or writes the findings."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.state = _Shared.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def open_spider(self, spider=None):
        await _wait(self.state.warm_up())

    def close_spider(self, spider=None):
        return None  # the extension judges the sites once all items are through

    async def process_item(self, item: Any, spider=None):
        from itemadapter import ItemAdapter
        from twisted.internet.threads import deferToThread

        adapter = ItemAdapter(item)
        html = adapter.get(self.state.html_field)
        if not html:
            return item
        url = adapter.get(self.state.url_field)
        data = html.encode("utf-8") if isinstance(html, str) else bytes(html)
        src = PageSource(data, url, site_of(url) or "site", url or "<item>")

        def done(result: PageResult):
            self.state.collector.add(result)
            self.crawler.stats.inc_value("qualitycheck/pages")
            if result.error:
                self.crawler.stats.inc_value("qualitycheck/pages_failed")
            if self.state.findings_field and self.state.findings_field in _fields(adapter):
                adapter[self.state.findings_field] = [f.to_dict() for f in result.findings]
            elif self.state.findings_field and isinstance(item, dict):
                item[self.state.findings_field] = [f.to_dict() for f in result.findings]
            return item

        result = await _wait(self.state.lock.run(deferToThread, process_page, src))
        return done(result)


async def _wait(deferred):
    """Await a Twisted Deferred from a Scrapy coroutine, on the asyncio or the default reactor."""
    try:
        from scrapy.utils.defer import maybe_deferred_to_future
    except ImportError:  # Scrapy < 2.6: coroutines may await Deferreds directly
        return await deferred
    return await maybe_deferred_to_future(deferred)


def _fields(adapter) -> set[str]:
    try:
        return set(adapter.field_names())
    except Exception:  # noqa: BLE001 - some item types have no declared fields
        return set()


class DeadLinkMiddleware:
    """Downloader middleware: records DNS and connection failures as dead links (QC601)."""

    def __init__(self, crawler):
        self.state = _Shared.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_exception(self, request, exception, spider=None):
        from scrapy.exceptions import IgnoreRequest

        url = request.url
        if url.endswith("/robots.txt") or isinstance(exception, IgnoreRequest):
            return None  # robots.txt said no, or another middleware dropped it: not the site's fault
        if "max size" in str(exception).lower():
            # Over DOWNLOAD_MAXSIZE (a 100 MB page, a gzip bomb): our limit, not a dead link.
            self.state.stats.inc_value("qualitycheck/limits/too_big")
            return None
        problem = exception.__class__.__name__
        referer = _referer(request)
        self.state.write_fetch_error(url, problem, referer)
        self.state.collector.add_dead_link(site_of(url) or "site", url, problem, referer)
        return None


class QualityCheckExtension:
    """Extension: dead links from error responses, the WARC, and the site checks at spider close."""

    def __init__(self, crawler):
        from scrapy import signals

        self.crawler = crawler
        self.state = _Shared.of(crawler)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def response_received(self, response, request, spider=None):
        if response.url.endswith("/robots.txt"):
            return
        self.state.write_response(response, request)
        if response.status >= 400:
            self.state.collector.add_dead_link(site_of(response.url) or "site", response.url,
                                               f"HTTP {response.status}", _referer(request))

    async def spider_closed(self, spider=None, reason=None):
        await _wait(self.state.lock.run(lambda: self.state.finish()))
