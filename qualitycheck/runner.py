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
from .document import Document, Finding, Segment, finalize
from .errors import QualityCheckError
from .sources import PageSource, iter_pages


class PageTimeout(Exception):
    pass


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


def page_document(page, origin: str) -> Document:
    """The checked text of a page: its headline, then its main text."""
    title = page.title or ""
    body = page.body or ""
    parts, segments = [], []
    offset = 0
    if title:
        parts.append(title + "\n\n")
        segments.append(Segment("title", 0, len(title)))
        offset = len(title) + 2
    parts.append(body)
    segments.append(Segment("body", offset, offset + len(body)))
    return Document(
        text="".join(parts), source=origin, kind="html", title=page.title, published=page.published,
        source_line=page.source_line, url=page.url, segments=segments, meta={"page": page},
    )


def failure(src: PageSource, message: str) -> Finding:
    return Finding(
        code="QC900", name="meta.page-failed", severity="warning",
        message=f"页面无法检查：{message}", source=src.origin, url=src.url, scope="page",
        rule_source="qualitycheck: extraction failed; the page was skipped, the run went on",
        evidence={"error": message},
    )


# -- worker side ------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(config_data: dict, config_path: str | None, as_of: date, warm: bool) -> None:
    cfg = Config(data=config_data, path=Path(config_path) if config_path else None)
    cfg._validate("worker")
    _WORKER.update(config=cfg, as_of=as_of)
    if warm:
        from .api import check_text

        check_text("预热。", config=cfg)  # load dictionaries, jieba and the typo model once


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

            page = read_page(src.data, source=src.origin, url=src.url, as_of=as_of)
            result.kind, result.title, result.published = page.kind, page.title, page.published
            result.marks = page.marks
            doc = page_document(page, src.origin)
            result.findings = check_document(doc, cfg)
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
    findings_by_code: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)


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
    from .checks.identity import IdentityAccumulator
    from .report.site import write_reports

    cfg = config or Config.default()
    as_of = as_of or cfg.as_of
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    max_bytes = int(cfg["limits"]["max_file_mb"] * 1024 * 1024)
    try:
        from .site import SiteAccumulator
    except ImportError:
        SiteAccumulator = None  # type: ignore[assignment]

    sites: dict[str, SiteState] = {}
    started = time.perf_counter()
    n_pages = 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit="页", desc="lint-site", dynamic_ncols=True, mininterval=0.5)
    findings_path = out / "findings.jsonl"
    with findings_path.open("w", encoding="utf-8") as sink:
        for res in _results(iter_pages(target, max_bytes), cfg, as_of, jobs, warm):
            n_pages += 1
            state = sites.get(res.site)
            if state is None:
                state = sites[res.site] = SiteState(
                    res.site,
                    SiteAccumulator(res.site, cfg) if SiteAccumulator else None,
                    IdentityAccumulator(res.site, cfg),
                )
            state.pages += 1
            state.kinds[res.kind] = state.kinds.get(res.kind, 0) + 1
            if res.error:
                state.failed_pages += 1
            if res.facts is not None and state.accumulator is not None:
                state.accumulator.add(res.facts)
            if res.marks is not None:
                state.identity.add(res.url or res.origin, res.kind, res.marks)
            _write_findings(sink, res.site, res.findings, state)
            if bar is not None:
                bar.update(1)
        site_findings: dict[str, list[Finding]] = {}
        verdicts: dict[str, list[dict]] = {}
        for name, state in sites.items():
            found: list[Finding] = []
            items: list[dict] = []
            if state.accumulator is not None:
                found.extend(state.accumulator.findings(as_of))
                items.extend(state.accumulator.verdict(as_of))
            found.extend(state.identity.findings())
            items.extend(state.identity.verdict_items())
            items.append(_serious_item(state))
            found = [f for f in finalize(found) if cfg.is_selected(f.code)]
            _write_findings(sink, name, found, state)
            site_findings[name] = found
            verdicts[name] = items
    if bar is not None:
        bar.close()
    elapsed = time.perf_counter() - started
    summary = _summary(sites, verdicts, as_of, n_pages, elapsed, target)
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    write_reports(out, summary)
    return summary


def _write_findings(sink, site: str, findings: list[Finding], state: SiteState) -> None:
    for f in findings:
        state.findings_by_code[f.code] = state.findings_by_code.get(f.code, 0) + 1
        row = {"site": site, **f.to_dict()}
        sink.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


_SERIOUS_CODES = ("QC501", "QC502", "QC503", "QC504")


def _serious_item(state: SiteState) -> dict:
    """严重问题: injected gambling/porn content is a single-veto item (国办秘函〔2019〕19号)."""
    count = sum(n for code, n in state.findings_by_code.items() if code in _SERIOUS_CODES)
    return {
        "item": "严重问题（暗链、赌博色情链接）",
        "failed": count > 0,
        "count": count,
        "threshold": 1,
        "rule_source": "国办秘函〔2019〕19号 单项否决·安全、泄密事故等严重问题 第3、4项",
        "evidence": [],
        "codes": list(_SERIOUS_CODES),
    }


def _summary(sites: dict[str, SiteState], verdicts: dict[str, list[dict]], as_of: date, n_pages: int,
             elapsed: float, target) -> dict:
    rows = []
    for name in sorted(sites):
        state = sites[name]
        items = verdicts[name]
        failed = any(i["failed"] and i.get("veto", True) for i in items)
        rows.append({
            "site": name,
            "verdict": "不合格" if failed else "合格",
            "passed": not failed,
            "pages": state.pages,
            "failed_pages": state.failed_pages,
            "page_kinds": state.kinds,
            "veto_items": items,
            "findings_by_code": dict(sorted(state.findings_by_code.items())),
            "findings": sum(state.findings_by_code.values()),
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
            "pass_rate": round(100.0 * passed / len(rows), 2) if rows else None,
        },
    }
