"""lint-site: plan shards → map on an executor → reduce per site → merge into the reports.

Resumable: each finished shard is in the manifest (batch/manifest.py); `resume=True` skips
those and gives exactly the findings and verdicts of an uninterrupted run. The parent holds
one line per shard and one compact state per site, never a list of pages.
"""

from __future__ import annotations

import gzip
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from ..config import Config
from ..report.atomic import atomic_open
from ..runner import write_summary_reports, _summary
from .executors import make_executor
from .manifest import Manifest
from .shards import DEFAULT_SHARD_PAGES, plan_shards
from .steps import Job, map_shard, reduce_sites


def lint_site(
    target: str | Path,
    out_dir: str | Path,
    *,
    config: Config | None = None,
    as_of: date | None = None,
    jobs: int = 1,
    progress: bool = False,
    warm: bool = True,
    registry: Any = None,
    resume: bool = False,
    shard_pages: int | None = None,
    cluster: str | None = None,
    executor: Any = None,
) -> dict:
    """Check every page of one or more sites (a folder of pages and/or WARC files, one WARC, one
    page, or an fsspec URL) and write the reports. Returns the summary."""
    cfg = config or Config.default()
    as_of = as_of or cfg.as_of
    shard_pages = shard_pages or int(cfg["limits"].get("shard_pages", DEFAULT_SHARD_PAGES))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    job = Job.create(cfg, as_of, warm=warm, registry=registry)
    manifest = Manifest.open(out, {"job": job.fingerprint, "target": str(target), "shard_pages": shard_pages}, resume)
    own_executor = executor is None
    executor = executor or make_executor(cluster, jobs)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit="页", desc="lint-site", dynamic_ncols=True, mininterval=0.5)
    try:
        todo = ((shard,) for shard in plan_shards(target, shard_pages) if not manifest.is_done(shard))
        for output in executor.map_unordered(map_shard, job, todo):
            manifest.store(output)
            if bar is not None:
                bar.update(output.pages)
        outcomes = {o.site: o for batch in executor.map_unordered(reduce_sites, job, _site_batches(manifest))
                    for o in batch}
    finally:
        manifest.close()
        if bar is not None:
            bar.close()
        if own_executor:
            executor.close()
    return _merge(out, manifest, outcomes, as_of, time.perf_counter() - started, str(target))


def _site_batches(manifest: Manifest, max_sites: int = 32, max_bytes: int = 4 << 20) -> Iterator[tuple[list]]:
    """Sites grouped into reduce tasks: a province has thousands of small sites, and one task per
    site would spend more time in task overhead (and, on a cluster, in the scheduler) than judging."""
    refs = manifest.site_refs()
    batch: list[tuple[str, list[bytes]]] = []
    size = 0
    for site in sorted(refs):
        blocks = manifest.read_blocks(refs[site])
        batch.append((site, blocks))
        size += sum(len(b) for b in blocks)
        if len(batch) >= max_sites or size >= max_bytes:
            yield (batch,)
            batch, size = [], 0
    if batch:
        yield (batch,)


def _merge(out: Path, manifest: Manifest, outcomes: dict, as_of: date, elapsed: float, target: str) -> dict:
    """findings.jsonl (page findings in shard order, then site findings by site), summary, reports."""
    with atomic_open(out / "findings.jsonl", "w", encoding="utf-8") as sink:
        for path in manifest.findings_files():
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                shutil.copyfileobj(fh, sink, 1 << 20)
        for site in sorted(outcomes):
            sink.write(outcomes[site].lines)
    entries = manifest.ordered()
    pages = sum(e["pages"] for e in entries)
    sites = {site: o.state for site, o in outcomes.items()}
    verdicts = {site: o.items for site, o in outcomes.items()}
    summary = _summary(sites, verdicts, as_of, pages, elapsed, target)
    summary["incomplete_inputs"] = [item for e in entries for item in e.get("incomplete_inputs", [])]
    summary["shards"] = len(entries)
    return write_summary_reports(out, summary)
