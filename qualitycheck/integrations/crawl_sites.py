"""`qualitycheck crawl --sites registry.csv`: every registered site in one Scrapy process.

Each site gets its own download slot (so per-site concurrency and delay hold even when several
sites share a host or an IP), robots.txt, a page budget and a wall-clock budget; links are followed
only within the registry entry they were found on. Responses go into WARC shards rotated at a
bounded size (``OUT/warc/crawl-NNNNN.warc.gz``), each record tagged with its registry site, and
every fetched URL gets a line in ``OUT/crawl-journal.jsonl`` (see crawl_journal), so a crawl
killed at 3 a.m. resumes with ``--resume`` from where it stopped, fetching nothing twice.

The pages are then linted from the shards by the batch path, like any other lint-site run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

from .crawl_limits import (HTML_TYPES, MAX_URL_CHARS, OFF_SITE, OUT_OF_TIME, PAGE_BUDGET, SKIP_EXTENSIONS, TOO_BIG,
                           TOO_DEEP, URL_TOO_LONG, skip_reason)
from .crawl_journal import SCHEMA, Journal, Pending, Replay, check_header, replay, site_limits, url_key
from .warc_out import WarcShards, settle_shards, write_fetch_error, write_response_pair

JOURNAL_NAME = "crawl-journal.jsonl"
WARC_FOLDER = "warc"


@dataclass
class CrawlPlan:
    """Everything the spider needs: the registry, the budgets, and what an earlier run left."""

    registry: Any
    out: Path
    max_pages: int
    site_seconds: float
    shard_bytes: int
    replayed: Replay
    max_depth: int = 12
    journal: Journal | None = None


@dataclass
class CrawlResult:
    fetched_now: int = 0                     # URLs done in this run
    fetched_before: int = 0                  # URLs a resumed crawl found done
    per_site: dict[str, int] = field(default_factory=dict)
    reason: str = ""
    skipped: dict[str, int] = field(default_factory=dict)   # why → count (robots, time budget), this run
    sites: dict[str, dict] = field(default_factory=dict)    # site → done, stored, skipped, limits (all runs)


def make_registry_spider():
    import scrapy
    from scrapy.exceptions import IgnoreRequest
    from scrapy.linkextractors import LinkExtractor

    class RegistrySpider(scrapy.Spider):
        name = "qualitycheck-sites"
        # Error pages reach parse() (they are dead links to record); redirects are still followed.
        handle_httpstatus_list = list(range(400, 600))

        def __init__(self, plan: CrawlPlan, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.plan = plan
            state = plan.replayed
            self.seen = state.seen
            self.scheduled = dict(state.scheduled)
            self.done = dict(state.fetched)
            self.elapsed_before = dict(state.elapsed)
            self.started: dict[str, float] = {}
            self.result = CrawlResult(fetched_before=sum(state.fetched.values()))
            self.links = LinkExtractor(unique=True, deny_extensions=SKIP_EXTENSIONS)
            self.shards = WarcShards(plan.out / WARC_FOLDER, plan.shard_bytes,
                                     next_index=settle_shards(plan.out / WARC_FOLDER, state.last_shard,
                                                              state.last_end, state.rotated))
            plan.journal.before_sync = self.shards.sync

        # -- budgets -------------------------------------------------------
        def site_clock(self, site: str) -> float:
            if site not in self.started:
                self.started[site] = time.monotonic() - self.elapsed_before.get(site, 0.0)
            return time.monotonic() - self.started[site]

        def out_of_time(self, site: str) -> bool:
            return self.plan.site_seconds > 0 and self.site_clock(site) > self.plan.site_seconds

        def make_request(self, item: Pending):
            headers = {"Referer": item.referer} if item.referer else None
            return scrapy.Request(item.url, callback=self.parse, errback=self.failed, dont_filter=True,
                                  headers=headers, priority=-item.depth,  # breadth first: columns before archives
                                  meta={"download_slot": item.site, "qc_site": item.site, "depth": item.depth})

        async def start(self):
            for item in list(self.plan.replayed.pending.values()):
                yield self.make_request(item)

        # -- responses -----------------------------------------------------
        def parse(self, response):
            site = response.meta["qc_site"]
            ctype = response.headers.get(b"Content-Type", b"").lower()
            is_html = not ctype or any(t in ctype for t in HTML_TYPES)
            shard = end = None
            if is_html or response.status >= 400:
                shard, end = self.shards.write(lambda w: write_response_pair(w, response, response.request, site))
            new: list[Pending] = []
            capped: set[str] = set()
            if is_html and response.status < 400:
                new, capped = self._new_links(response, site)
            aliases = [u for u in response.meta.get("redirect_urls", ()) if u != response.url]
            for alias in aliases:
                self.seen.add(url_key(alias))
            self.seen.add(url_key(response.url))
            self._journal_done(response.url, site, shard, end, links=new, aliases=aliases, capped=capped)
            for item in new:
                yield self.make_request(item)

        def _new_links(self, response, site: str) -> tuple[list[Pending], set[str]]:
            """Links to queue, and the limits that kept others out (journaled with the page)."""
            depth = response.meta.get("depth", 0) + 1
            new: list[Pending] = []
            capped: set[str] = set()
            if self.out_of_time(site):
                return new, {OUT_OF_TIME}
            registry = self.plan.registry
            for link in self.links.extract_links(response):
                url = urldefrag(link.url)[0]
                entry = registry.site_for_url(url)
                if entry is None or entry.key != site:
                    continue  # another site, or outside this site's folder on a shared host
                key = url_key(url)
                if key in self.seen:
                    continue
                if len(url) > MAX_URL_CHARS:
                    capped.add(URL_TOO_LONG)
                    continue
                if depth > self.plan.max_depth:
                    capped.add(TOO_DEEP)
                    continue
                if self.scheduled.get(site, 0) >= self.plan.max_pages:
                    capped.add(PAGE_BUDGET)
                    break
                self.seen.add(key)
                self.scheduled[site] = self.scheduled.get(site, 0) + 1
                new.append(Pending(url, site, response.url, depth))
            return new, capped

        def failed(self, failure):
            request = failure.request
            site = request.meta["qc_site"]
            why = None
            if failure.check(IgnoreRequest):
                why = skip_reason(str(failure.value))
            elif "max size" in str(failure.value).lower():
                # Scrapy cancels a download past DOWNLOAD_MAXSIZE (CancelledError, or
                # DownloadCancelledError from 2.13): our limit, not the site's dead link.
                why = TOO_BIG
            if why is not None:
                self.result.skipped[why] = self.result.skipped.get(why, 0) + 1
                self._journal_done(request.url, site, None, None, skipped=why)
                return
            problem = failure.value.__class__.__name__
            referer = request.headers.get("Referer")
            referer = referer.decode("latin-1") if referer else None
            shard, end = self.shards.write(lambda w: write_fetch_error(w, request.url, problem, referer, site))
            self._journal_done(request.url, site, shard, end)

        def _journal_done(self, url: str, site: str, shard, end, *, links=(), aliases=(), skipped=None,
                          capped=()) -> None:
            entry: dict[str, Any] = {"k": "done", "url": url, "site": site, "t": round(self.site_clock(site), 3)}
            if shard is not None:
                entry.update(shard=shard, end=end)
            if links:
                entry["links"] = [[p.url, p.depth] for p in links]
            if aliases:
                entry["aliases"] = list(aliases)
            if skipped:
                entry["skipped"] = skipped
            if capped:
                entry["capped"] = sorted(capped)
            self.plan.journal.write(entry)
            self.done[site] = self.done.get(site, 0) + 1
            self.result.fetched_now += 1
            rotated = self.shards.rotate_if_full()
            if rotated:
                self.plan.journal.write({"k": "rotate", "shard": rotated})

        def closed(self, reason):
            rotated = self.shards.close()
            if rotated:
                self.plan.journal.write({"k": "rotate", "shard": rotated})
            self.plan.journal.write({"k": "stopped", "reason": reason})
            self.result.reason = reason
            self.result.per_site = dict(self.done)

    return RegistrySpider


class SiteLimitsMiddleware:
    """Downloader middleware: every request, redirects included, stays on its registry site and
    inside the site's wall-clock budget; anything else is dropped with the limit it hit."""

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
        site = request.meta.get("qc_site")
        if site is None or spider is None or not hasattr(spider, "plan"):
            return None
        if request.meta.get("redirect_times"):
            entry = spider.plan.registry.site_for_url(request.url)
            if entry is None or entry.key != site:
                raise IgnoreRequest(OFF_SITE)
        if spider.out_of_time(site):
            raise IgnoreRequest(OUT_OF_TIME)
        return None


def crawl_header(registry: Any, max_pages: int, site_seconds: float, obey_robots: bool) -> dict:
    import hashlib
    import json

    sites = json.dumps([[e.key, e.home_url] for e in registry], ensure_ascii=False)
    return {"k": "crawl", "schema": SCHEMA, "registry": hashlib.sha1(sites.encode("utf-8")).hexdigest(),
            "sites": len(registry), "max_pages": max_pages, "site_seconds": site_seconds, "obey_robots": obey_robots}


def crawl_sites(
    registry: Any,
    out_dir: str | Path,
    *,
    max_pages: int = 500,
    site_seconds: float = 1800.0,
    delay: float = 1.0,
    concurrency: int = 2,
    total_concurrency: int = 32,
    obey_robots: bool = True,
    shard_mb: float = 100.0,
    max_page_mb: float = 10.0,
    resume: bool = False,
    max_depth: int = 12,
    download_timeout: float = 30.0,
    log_level: str = "WARNING",
    user_agent: str = "qualitycheck/0.1 (government website self-check)",
) -> CrawlResult:
    """Crawl every site of the registry into ``out_dir/warc``; resumable after any kill."""
    from scrapy.crawler import CrawlerProcess

    from ..errors import InputError

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    journal_path = out / JOURNAL_NAME
    header = crawl_header(registry, max_pages, site_seconds, obey_robots)
    if journal_path.exists() and not resume:
        raise InputError(f"{out} 中已有一次抓取的记录（{JOURNAL_NAME}）：加 --resume 续跑，或换一个输出目录")
    state = replay(journal_path)
    check_header(state.header, header, journal_path)
    journal = Journal(journal_path)
    if state.header is None:
        journal.write(header)
        starts = []
        for entry in registry:
            state.seen.add(url_key(entry.home_url))
            state.scheduled[entry.key] = 1
            starts.append([entry.home_url, entry.key, 0])
            state.pending[url_key(entry.home_url)] = Pending(entry.home_url, entry.key, None, 0)
        journal.write({"k": "queue", "urls": starts})
    if not state.pending:
        journal.close()
        return _summarise(out, CrawlResult(fetched_before=sum(state.fetched.values()), per_site=dict(state.fetched),
                                           reason="finished"))
    plan = CrawlPlan(registry, out, max_pages, site_seconds, int(shard_mb * 1024 * 1024), state,
                     max_depth=max_depth, journal=journal)
    settings = {
        "ROBOTSTXT_OBEY": obey_robots,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,  # per download slot = per registry site
        "CONCURRENT_REQUESTS": max(total_concurrency, concurrency),
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_TIMEOUT": download_timeout,
        "DOWNLOAD_MAXSIZE": int(max_page_mb * 1024 * 1024),
        "RETRY_TIMES": 1,
        "USER_AGENT": user_agent,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        "LOG_INSTALL_ROOT_HANDLER": log_level != "WARNING",
        "DEPTH_PRIORITY": 0,  # the spider sets priority = -depth itself, resumed requests included
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",  # the journal's seen-set decides
        # Broad crawls: the queue hands out requests by download slot, so one big site cannot
        # fill the downloader while the others wait.
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "REACTOR_THREADPOOL_MAXSIZE": 20,
        "DOWNLOADER_MIDDLEWARES": {"qualitycheck.integrations.crawl_sites.SiteLimitsMiddleware": 50},
        # Traps (a calendar linking to the next month for ever, a URL that grows, a redirect loop):
        # depth and URL length are capped by the spider itself, which journals what it left out.
        "DEPTH_LIMIT": 0,
        "URLLENGTH_LIMIT": 100_000,
        "REDIRECT_MAX_TIMES": 10,
        "DOWNLOAD_WARNSIZE": 0,
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(make_registry_spider())
    process.crawl(crawler, plan=plan)
    try:
        process.start()
    finally:
        journal.close()
    spider = crawler.spider
    return _summarise(out, spider.result if spider is not None else CrawlResult(reason="not started"))


def _summarise(out: Path, result: CrawlResult) -> CrawlResult:
    """Per-site figures and limits hit, from the whole journal (all runs of a resumed crawl), to crawl.json."""
    import json

    from ..report.atomic import atomic_open

    result.sites = site_limits(out / JOURNAL_NAME)
    with atomic_open(out / "crawl.json", "w", encoding="utf-8") as fh:
        json.dump({"reason": result.reason, "sites": result.sites}, fh, ensure_ascii=False, indent=1)
    return result
