"""lint-site: pages → page checks (in worker processes) → per-site facts → site checks → reports.

Memory stays flat: pages are read one at a time, findings stream to
findings.jsonl, and each site keeps only compact facts. Heavy models load once
per worker. One bad page becomes a QC900 finding, never a crash.
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
from .sources import PageSource, iter_pages


class PageTimeout(BaseException):
    """Raised by the time limit. A BaseException, so that the page reader's per-stage
    `except Exception` guards cannot swallow it and carry on with half a page."""


@contextmanager
def time_limit(seconds: float):
    """Abort the block after `seconds` (main thread of a process only; elsewhere a no-op)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum, frame):
        raise PageTimeout(f"page took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
        result.error = str(exc)
        result.findings = [failure(src, str(exc))]
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


# -- parent side ------------------------------------------------------------
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
    """Accumulates page results per site, streams findings to a sink, and judges each site at the end.

    Used by lint-site and by the Scrapy extension, so a crawl and a later
    lint-site run of its WARC produce the same findings.
    """

    def __init__(self, config: Config, as_of: date, sink, on_finding=None):
        from .checks.identity import IdentityAccumulator

        try:
            from .site import SiteAccumulator
        except ImportError:  # page-only runs before the site model exists
            SiteAccumulator = None  # type: ignore[assignment]
        self._site_cls = SiteAccumulator
        self._identity_cls = IdentityAccumulator
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
            state = self.sites[site] = SiteState(
                site,
                self._site_cls(site, self.config) if self._site_cls else None,
                self._identity_cls(site, self.config),
            )
        return state

    def add(self, res: PageResult) -> None:
        self.pages += 1
        state = self._state(res.site)
        state.pages += 1
        state.kinds[res.kind] = state.kinds.get(res.kind, 0) + 1
        if res.error:
            state.failed_pages += 1
        if res.facts is not None and state.accumulator is not None:
            state.accumulator.add(res.facts)
        if res.marks is not None:
            state.identity.add(res.url or res.origin, res.kind, res.marks)
        self._write(res.site, res.findings, state)

    def add_dead_link(self, site: str, url: str, problem: str, referer: str | None) -> None:
        state = self._state(site)
        state.dead_links += 1
        self._write(site, [dead_link_finding(url, problem, referer)], state)

    def _write(self, site: str, findings: list[Finding], state: SiteState) -> None:
        # Selection and severity overrides apply here once, whatever produced the finding.
        for f in findings:
            if not self.config.is_selected(f.code, f.rule_id):
                continue
            # A baseline decides only what is listed: verdicts count every finding, so a known
            # injected link still fails the site, and the report says how many were hidden.
            state.findings_by_code[f.code] = state.findings_by_code.get(f.code, 0) + 1
            f.severity = self.config.severity_for(f.code, f.severity)
            state.serious += _is_serious(f)
            if f.fingerprint in self.config.baseline:
                state.hidden_by_baseline[f.code] = state.hidden_by_baseline.get(f.code, 0) + 1
                continue
            row = {"site": site, **f.to_dict()}
            self.sink.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            if self.on_finding is not None:
                self.on_finding(f)

    def finish(self) -> dict[str, list[dict]]:
        """Run the site checks, write their findings, and return each site's verdict items."""
        verdicts: dict[str, list[dict]] = {}
        for name in sorted(self.sites):
            state = self.sites[name]
            found: list[Finding] = []
            items: list[dict] = []
            if state.accumulator is not None:
                found.extend(state.accumulator.findings(self.as_of))
                items.extend(state.accumulator.verdict(self.as_of))
            found.extend(state.identity.findings())
            items.extend(state.identity.verdict_items())
            items.append(_serious_item(state))
            items.append(_leader_name_item(state))
            from .site import readability_item  # an unread page is never a pass (issue 15)

            items.append(readability_item(state.pages, state.failed_pages, state.dead_links, self.config))
            self._write(name, finalize(found), state)
            verdicts[name] = items
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


def write_site_reports(out: Path, collector: SiteCollector, verdicts: dict, elapsed: float, target) -> dict:
    from .report.site import write_reports

    from .report.atomic import write_text

    summary = collector.summary(verdicts, elapsed, target)
    write_reports(out, summary)  # each file on its own; failures land in summary["report_errors"]
    write_text(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return summary


def lint_site(
    target: str | Path,
    out_dir: str | Path,
    *,
    config: Config | None = None,
    as_of: date | None = None,
    jobs: int = 1,
    progress: bool = False,
    warm: bool = True,
) -> dict:
    """Check every page of one or more sites and write the reports. Returns the summary."""
    cfg = config or Config.default()
    max_bytes = int(cfg["limits"]["max_file_mb"] * 1024 * 1024)
    return lint_sources(iter_pages(target, max_bytes), out_dir, config=cfg, as_of=as_of, jobs=jobs,
                        progress=progress, warm=warm, target=str(target))


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
    """lint-site over any stream of pages (a folder, a WARC, a crawl, a benchmark's generator)."""
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
                if src.status is not None and (src.status >= 400 or src.status == 0):
                    collector.add_dead_link(src.site, src.url or src.origin, src.fetch_problem, src.referer)
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


def _leader_name_item(state: SiteState) -> dict:
    """严重错误: a leader's name written wrong is the 2015 criteria's example of a single-veto typo."""
    count = state.findings_by_code.get("QC104", 0)
    return {
        "item": "严重错误（领导人姓名错误）",
        "failed": count > 0,
        "count": count,
        "threshold": 1,
        "rule_source": "国办发〔2015〕15号 单项否决·严重错误（严重错别字，如党和国家领导人姓名错误）；国办秘函〔2019〕19号 严重表述错误",
        "evidence": [],
        "codes": ["QC104"],
    }


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
