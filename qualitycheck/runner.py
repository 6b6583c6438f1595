"""One page and one site: check a page (process_page), count its findings (tally), keep its
compact record (PageRecord), and judge a site from its records (SiteState).

lint-site's shards (batch/), its cluster run and the Scrapy plugin's streaming form
(SiteCollector, lint_sources) are all built from these functions, so they cannot disagree.
Heavy models load once per worker. One bad page becomes a QC900 finding, never a crash.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from .config import Config
from .document import Finding, finalize
from .errors import QualityCheckError
from .sources import PageSource


class PageTimeout(BaseException):
    """Raised by the time limit. A BaseException, so that the page reader's per-stage
    `except Exception` guards cannot swallow it and carry on with half a page."""


@contextmanager
def time_limit(seconds: float):
    """Abort the block after `seconds` with PageTimeout.

    In a process's main thread an interval timer raises it; in any other thread (a Dask worker's
    task thread, the Scrapy plugin's thread pool) a timer thread raises it asynchronously in the
    running thread. Either way it lands between two Python bytecodes, like any signal handler.
    """
    if seconds <= 0:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def _raise(signum, frame):
            raise PageTimeout(f"page took longer than {seconds:g} s")

        previous = signal.signal(signal.SIGALRM, _raise)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    with _thread_time_limit(seconds):
        yield


class _Watchdog:
    """One thread per process that raises PageTimeout in threads past their deadline.

    A timer thread per page cost a third of the page time in a Dask worker; this one sleeps until
    the earliest deadline and is woken only when a sooner one is armed.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._armed: dict[int, tuple[float, int]] = {}  # token → (deadline, thread id)
        self._fired: set[int] = set()
        self._wake_at = float("inf")
        self._next = 0
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float) -> int:
        deadline = time.monotonic() + seconds
        with self._cond:
            self._next += 1
            token = self._next
            self._armed[token] = (deadline, threading.get_ident())
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="qualitycheck-page-watchdog", daemon=True)
                self._thread.start()
            elif deadline < self._wake_at:
                self._cond.notify()
        return token

    def disarm(self, token: int) -> bool:
        """Stop watching; True if the timeout was already raised (and may still be pending)."""
        with self._cond:
            self._armed.pop(token, None)
            if token in self._fired:
                self._fired.discard(token)
                return True
            return False

    def _run(self) -> None:
        import ctypes

        with self._cond:
            while True:
                now = time.monotonic()
                for token, (deadline, ident) in list(self._armed.items()):
                    if deadline <= now:
                        del self._armed[token]
                        self._fired.add(token)
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(PageTimeout))
                self._wake_at = min((d for d, _ in self._armed.values()), default=now + 60.0)
                self._cond.wait(max(0.0, self._wake_at - now))


_WATCHDOG = _Watchdog()


def _new_watchdog_after_fork() -> None:
    global _WATCHDOG  # the parent's thread and lock do not survive into a forked worker
    _WATCHDOG = _Watchdog()


os.register_at_fork(after_in_child=_new_watchdog_after_fork)


@contextmanager
def _thread_time_limit(seconds: float):
    import ctypes

    token = _WATCHDOG.arm(seconds)
    try:
        yield
    finally:
        if _WATCHDOG.disarm(token):  # raised too late to matter: clear it so it cannot hit the caller
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(threading.get_ident()), None)


@dataclass
class PageResult:
    """What one page produced; small and picklable, sent from a worker to the parent."""

    origin: str
    url: str | None
    site: str
    kind: str = "other"
    title: str | None = None
    published: date | None = None
    findings: list[Finding] = field(default_factory=list)
    facts: Any = None  # site.PageFacts
    marks: Any = None  # extract.page.Marks
    status: int | None = None
    error: str | None = None
    seconds: float = 0.0


def failure(src: PageSource, message: str) -> Finding:
    """QC900: the page could not be checked; the run records it and goes on."""
    from .checks.meta import PageFailed

    return PageFailed().spanless_finding(f"页面无法检查：{message}", scope="page", url=src.url, source=src.origin,
                                         evidence={"error": message})


# -- worker side ------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(config_data: dict, config_path: str | None, as_of: date, warm: bool) -> None:
    cfg = Config(data=config_data, path=Path(config_path) if config_path else None)
    cfg._validate("worker")
    _WORKER.update(config=cfg, as_of=as_of)
    if warm:
        from .api import warm_up

        warm_up(cfg)  # dictionaries, jieba and the typo model, once per worker


def process_page(src: PageSource) -> PageResult:
    cfg: Config = _WORKER["config"]
    as_of: date = _WORKER["as_of"]
    result = PageResult(origin=src.origin, url=src.url, site=src.site, status=src.status)
    if src.error:
        result.error = src.error
        result.findings = [failure(src, src.error)]
        return result
    started = time.perf_counter()
    try:
        with time_limit(float(cfg["limits"]["page_timeout_s"])):
            from .api import check_document
            from .extract.page import read_page
            from .inspect import page_document

            if src.url is None:  # a saved page's own canonical link, read here under the time limit
                from .sources import canonical_link, site_of

                src.url = result.url = canonical_link(src.data[:20000])
                result.site = site_of(src.url) or result.site
            page = read_page(src.data, source=src.origin, url=src.url, as_of=as_of)
            result.kind, result.title, result.published = page.kind, page.title, page.published
            result.marks = page.marks
            doc = page_document(page)
            result.findings = check_document(doc, cfg, hide_baseline=False)
            try:
                from .site import page_facts
            except ImportError:  # the site model is optional for page-only runs
                result.facts = None
            else:
                result.facts = page_facts(page)
    except PageTimeout as exc:
        result.error = str(exc) or f"page took longer than {float(cfg['limits']['page_timeout_s']):g} s"
        result.findings = [failure(src, result.error)]
    except QualityCheckError as exc:
        result.error = str(exc)
        result.findings = [failure(src, str(exc))]
    except Exception as exc:  # noqa: BLE001 - one bad page must never stop a batch
        result.error = f"{exc.__class__.__name__}: {exc}"
        result.findings = [failure(src, result.error)]
    result.seconds = time.perf_counter() - started
    for f in result.findings:
        f.url = f.url or src.url
        f.source = src.origin
    return result


# -- per-page records, per-site state: shared by lint-site's shards, its cluster run and crawls --
@dataclass
class Tally:
    """What a run counts of some findings after selection, severity overrides and the baseline."""

    by_code: dict[str, int] = field(default_factory=dict)  # every finding: what verdicts count
    hidden: dict[str, int] = field(default_factory=dict)  # found, but in the baseline: not listed
    serious: int = 0  # findings that make 严重问题 fail (see _is_serious)
    listed: list[Finding] = field(default_factory=list)  # what the findings file lists


def tally(findings: Iterable[Finding], config: Config) -> Tally:
    """Apply selection and severity overrides once, whatever produced the findings.

    A baseline decides only what is listed: verdicts count every finding, so a known injected
    link still fails the site, and the report says how many were hidden.
    """
    out = Tally()
    for f in findings:
        if not config.is_selected(f.code, f.rule_id):
            continue
        out.by_code[f.code] = out.by_code.get(f.code, 0) + 1
        f.severity = config.severity_for(f.code, f.severity)
        out.serious += _is_serious(f)
        if f.fingerprint in config.baseline:
            out.hidden[f.code] = out.hidden.get(f.code, 0) + 1
            continue
        out.listed.append(f)
    return out


def finding_line(site: str, f: Finding) -> str:
    """One line of findings.jsonl."""
    return json.dumps({"site": site, **f.to_dict()}, ensure_ascii=False, default=str) + "\n"


@dataclass
class PageRecord:
    """The compact part of a page a site's verdict needs: small, picklable, kept per shard."""

    site: str
    url: str
    kind: str = "other"
    failed: bool = False
    dead_link: bool = False
    facts: Any = None  # site.PageFacts
    marks: Any = None  # extract.page.Marks
    by_code: dict[str, int] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)
    serious: int = 0


def page_record(res: PageResult, config: Config) -> tuple[PageRecord, Tally]:
    """A checked page's record and the tally of its findings."""
    counted = tally(res.findings, config)
    record = PageRecord(res.site, res.url or res.origin, res.kind, bool(res.error), False, res.facts, res.marks,
                        counted.by_code, counted.hidden, counted.serious)
    return record, counted


def dead_link_record(src: PageSource, config: Config) -> tuple[PageRecord, Tally]:
    """A link a crawl could not follow (a recorded error response or failed fetch)."""
    url = src.url or src.origin
    counted = tally([dead_link_finding(url, src.fetch_problem, src.referer)], config)
    return PageRecord(src.site, url, dead_link=True, by_code=counted.by_code, hidden=counted.hidden,
                      serious=counted.serious), counted


def is_dead_link(src: PageSource) -> bool:
    """Error responses and failed fetches recorded by a crawl are dead links, not pages."""
    return src.status is not None and (src.status >= 400 or src.status == 0)


@dataclass
class SiteState:
    site: str
    accumulator: Any
    identity: Any
    pages: int = 0
    failed_pages: int = 0
    dead_links: int = 0
    findings_by_code: dict[str, int] = field(default_factory=dict)  # every finding: what verdicts count
    hidden_by_baseline: dict[str, int] = field(default_factory=dict)  # found, but known: not listed
    kinds: dict[str, int] = field(default_factory=dict)
    serious: int = 0  # findings that make 严重问题 fail (see _is_serious)

    @classmethod
    def new(cls, site: str, config: Config, *, registered_code: str = "") -> "SiteState":
        """An empty site; ``registered_code`` is the registry's 网站标识码, checked against the footer."""
        from .checks.identity import IdentityAccumulator

        try:
            from .site import SiteAccumulator
        except ImportError:  # page-only runs before the site model exists
            accumulator = None
        else:
            accumulator = SiteAccumulator(site, config)
        return cls(site, accumulator, IdentityAccumulator(site, config, registered_code=registered_code))

    def count(self, counted: Tally | PageRecord) -> None:
        by_code = counted.by_code
        hidden = counted.hidden
        for code, n in by_code.items():
            self.findings_by_code[code] = self.findings_by_code.get(code, 0) + n
        for code, n in hidden.items():
            self.hidden_by_baseline[code] = self.hidden_by_baseline.get(code, 0) + n
        self.serious += counted.serious

    def add(self, record: PageRecord) -> None:
        """Add one page (or dead link) record, in the run's fixed page order."""
        self.count(record)
        if record.dead_link:
            self.dead_links += 1
            return
        self.pages += 1
        self.kinds[record.kind] = self.kinds.get(record.kind, 0) + 1
        if record.failed:
            self.failed_pages += 1
        if record.facts is not None and self.accumulator is not None:
            self.accumulator.add(record.facts)
        if record.marks is not None:
            self.identity.add(record.url, record.kind, record.marks)

    def judge(self, config: Config, as_of: date) -> tuple[Tally, list[dict]]:
        """The site checks' findings (tallied into this state) and the site's verdict items."""
        found: list[Finding] = []
        items: list[dict] = []
        if self.accumulator is not None:
            found.extend(self.accumulator.findings(as_of))
            items.extend(self.accumulator.verdict(as_of))
        found.extend(self.identity.findings())
        items.extend(self.identity.verdict_items())
        counted = tally(finalize(found), config)
        self.count(counted)  # before the items below, which read the counts
        items.append(_serious_item(self))
        items.append(_leader_name_item(self))
        items.append(_formulation_item(self))
        from .site import readability_item  # an unread page is never a pass (issue 15)

        items.append(readability_item(self.pages, self.failed_pages, self.dead_links, config))
        return counted, items

    def compact(self) -> "SiteState":
        """The counts alone, for the summary (the accumulators stay with the reduce step)."""
        return SiteState(self.site, None, None, self.pages, self.failed_pages, self.dead_links,
                         self.findings_by_code, self.hidden_by_baseline, self.kinds, self.serious)


def dead_link_finding(url: str, problem: str, referer: str | None) -> Finding:
    """QC601: a link the crawl could not follow (HTTP 404/5xx, DNS or connection failure)."""
    from .checks.links import DeadLink

    where = f"，链接所在页面：{referer}" if referer else ""
    return DeadLink().spanless_finding(
        f"死链：{url} 无法访问（{problem}）{where}。", scope="link", match=url, url=referer or url,
        source=referer or url, rule_id=DeadLink.code,
        evidence={"dead_url": url, "problem": problem, "linked_from": referer},
    )


class SiteCollector:
    """Accumulates a stream of page results per site, streams findings to a sink, judges each site.

    The streaming form of lint-site's map and reduce steps (batch/steps.py), built from the same
    functions: used by the Scrapy extension, so a crawl and a later lint-site run of its WARC
    produce the same findings.
    """

    def __init__(self, config: Config, as_of: date, sink, on_finding=None):
        self.config = config
        self.as_of = as_of
        self.sink = sink
        self.on_finding = on_finding  # called with each finding written (crawl statistics)
        self.sites: dict[str, SiteState] = {}
        self.pages = 0
        self.incomplete_inputs: list[dict] = []  # WARC files cut or corrupt part-way (see sources.iter_warc)

    def _state(self, site: str) -> SiteState:
        state = self.sites.get(site)
        if state is None:
            state = self.sites[site] = SiteState.new(site, self.config)
        return state

    def add(self, res: PageResult) -> None:
        self.pages += 1
        record, counted = page_record(res, self.config)
        self._state(record.site).add(record)
        self._write(record.site, counted)

    def add_dead_link_source(self, src: PageSource) -> None:
        record, counted = dead_link_record(src, self.config)
        self._state(record.site).add(record)
        self._write(record.site, counted)

    def add_dead_link(self, site: str, url: str, problem: str, referer: str | None) -> None:
        self.add_dead_link_source(PageSource(b"", url, site, url, status=0, referer=referer, fetch_error=problem))

    def _write(self, site: str, counted: Tally) -> None:
        for f in counted.listed:
            self.sink.write(finding_line(site, f))
            if self.on_finding is not None:
                self.on_finding(f)

    def finish(self) -> dict[str, list[dict]]:
        """Run the site checks, write their findings, and return each site's verdict items."""
        verdicts: dict[str, list[dict]] = {}
        for name in sorted(self.sites):
            counted, verdicts[name] = self.sites[name].judge(self.config, self.as_of)
            self._write(name, counted)
        return verdicts

    def summary(self, verdicts: dict[str, list[dict]], elapsed: float, target) -> dict:
        summary = _summary(self.sites, verdicts, self.as_of, self.pages, elapsed, target)
        summary["incomplete_inputs"] = self.incomplete_inputs
        return summary


def _results(sources: Iterable[PageSource], cfg: Config, as_of: date, jobs: int, warm: bool) -> Iterator[PageResult]:
    args = (cfg.data, str(cfg.path) if cfg.path else None, as_of, warm)
    if jobs <= 1:
        _init_worker(*args)
        for src in sources:
            yield process_page(src)
        return
    import multiprocessing as mp

    ctx = mp.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=args, maxtasksperchild=2000) as pool:
        yield from pool.imap(process_page, sources, chunksize=4)


def write_summary_reports(out: Path, summary: dict) -> dict:
    """report.html, csv, xlsx (each on its own; failures land in summary["report_errors"]) and summary.json."""
    from .report.atomic import write_text
    from .report.site import write_reports

    write_reports(out, summary)
    write_text(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return summary


def write_site_reports(out: Path, collector: SiteCollector, verdicts: dict, elapsed: float, target) -> dict:
    return write_summary_reports(out, collector.summary(verdicts, elapsed, target))


def lint_sources(
    pages: Iterable[PageSource],
    out_dir: str | Path,
    *,
    config: Config | None = None,
    as_of: date | None = None,
    jobs: int = 1,
    progress: bool = False,
    warm: bool = True,
    target: str = "",
) -> dict:
    """Streaming lint over any iterable of pages (a crawl, a benchmark's generator), in one pass,
    without shards or resume: the same page and site functions as batch.lint_site."""
    cfg = config or Config.default()
    as_of = as_of or cfg.as_of
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit="页", desc="lint-site", dynamic_ncols=True, mininterval=0.5)
    from .report.atomic import atomic_open

    with atomic_open(out / "findings.jsonl", "w", encoding="utf-8") as sink:
        collector = SiteCollector(cfg, as_of, sink)

        def checkable() -> Iterator[PageSource]:
            # Error responses and failed fetches recorded by a crawl are dead links, not pages.
            for src in pages:
                if src.damaged_input:
                    collector.incomplete_inputs.append({"file": src.damaged_input, "at": src.origin, "error": src.error})
                if is_dead_link(src):
                    collector.add_dead_link_source(src)
                    continue
                yield src

        for res in _results(checkable(), cfg, as_of, jobs, warm):
            collector.add(res)
            if bar is not None:
                bar.update(1)
        verdicts = collector.finish()
    if bar is not None:
        bar.close()
    return write_site_reports(out, collector, verdicts, time.perf_counter() - started, target)


# Injected gambling/porn links, a hijacked title and injected hidden content fail a site;
# a hidden external link (QC502) alone is reported but needs a person to confirm it.
_SERIOUS_CODES = ("QC501", "QC503", "QC504")
# Spam spliced into visible text fails the site when it is certain (a brand, an advertising
# phrase: severity error); a generic word beside a selling word is a warning for a person.
_SERIOUS_IF_ERROR = ("QC505",)


def _is_serious(f: Finding) -> bool:
    return f.code in _SERIOUS_CODES or (f.code in _SERIOUS_IF_ERROR and f.severity == "error")


def _serious_item(state: SiteState) -> dict:
    """严重问题: injected gambling/porn content is a single-veto item (国办秘函〔2019〕19号)."""
    count = state.serious
    return {
        # The item's name stays as in earlier runs: --previous compares problems by it.
        "item": "严重问题（暗链、赌博色情链接）",
        "failed": count > 0,
        "count": count,
        "threshold": 1,
        "rule_source": "国办秘函〔2019〕19号 单项否决·安全、泄密事故等严重问题 第3、4项（含内容被篡改、植入赌博色情内容）",
        "evidence": [],
        "codes": list(_SERIOUS_CODES + _SERIOUS_IF_ERROR),
    }


def _one_error_vetoes(state: SiteState, code: str, item: str, rule_source: str) -> dict:
    """A single-veto item that one finding of ``code`` fails."""
    count = state.findings_by_code.get(code, 0)
    return {"item": item, "failed": count > 0, "count": count, "threshold": 1,
            "rule_source": rule_source, "evidence": [], "codes": [code]}


def _leader_name_item(state: SiteState) -> dict:
    """严重错误: a leader's name written wrong is the 2015 criteria's example of a single-veto typo."""
    return _one_error_vetoes(
        state, "QC104", "严重错误（领导人姓名错误）",
        "国办发〔2015〕15号 单项否决·严重错误（严重错别字，如党和国家领导人姓名错误）；国办秘函〔2019〕19号 严重表述错误")


def _formulation_item(state: SiteState) -> dict:
    """严重表述错误: a misspelled fixed formulation of the Party's theory or the state's institutions."""
    return _one_error_vetoes(
        state, "QC106", "严重错误（规范表述错误）",
        "国办秘函〔2019〕19号 单项否决·严重问题 第1项（严重表述错误）；国办发〔2015〕15号 单项否决·严重错误（严重错别字）")


def _summary(sites: dict[str, SiteState], verdicts: dict[str, list[dict]], as_of: date, n_pages: int,
             elapsed: float, target) -> dict:
    rows = []
    for name in sorted(sites):
        state = sites[name]
        items = verdicts[name]
        for item in items:
            item["hidden_by_baseline"] = sum(state.hidden_by_baseline.get(c, 0) for c in item.get("codes") or ())
        from .site import site_verdict

        verdict = site_verdict(items)
        rows.append({
            "site": name,
            "verdict": verdict,
            "passed": verdict == "合格",
            "pages": state.pages,
            "failed_pages": state.failed_pages,
            "dead_links": state.dead_links,
            "page_kinds": state.kinds,
            "veto_items": items,
            "findings_by_code": dict(sorted(state.findings_by_code.items())),
            "findings": sum(state.findings_by_code.values()),
            "hidden_by_baseline": dict(sorted(state.hidden_by_baseline.items())),
            "findings_listed": sum(state.findings_by_code.values()) - sum(state.hidden_by_baseline.values()),
        })
    passed = sum(1 for r in rows if r["passed"])
    return {
        "schema": "qualitycheck/site-summary@1",
        "target": str(target),
        "as_of": as_of.isoformat(),
        "generated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "pages": n_pages,
        "seconds": round(elapsed, 2),
        "pages_per_second": round(n_pages / elapsed, 1) if elapsed else None,
        "sites": rows,
        "totals": {
            "sites": len(rows),
            "passed": passed,
            "failed": len(rows) - passed,
            "undetermined": sum(1 for r in rows if r["verdict"] == "无法判定"),
            "pass_rate": round(100.0 * passed / len(rows), 2) if rows else None,
        },
    }
