"""The three steps of a lint-site run, pure and picklable, the same on every executor.

    map_shard(job, shard)        pages → page findings + compact page records bucketed by site
    reduce_site(job, site, ...)  a site's records in (shard, offset) order → site findings, verdict
    merge (batch/run.py)         shard outputs + site outcomes → findings.jsonl, summary, reports

The local process pool and a Dask cluster call exactly these functions, so the two cannot
disagree. The steps return bytes and plain data; the driver writes the files, so workers
need no shared disk.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import pickle
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..config import Config
from ..errors import QualityCheckError
from ..runner import (PageRecord, SiteState, dead_link_record, finding_line, is_dead_link, page_record,
                      process_page, _init_worker, _WORKER)
from ..sources import PageSource
from .shards import Shard, shard_pages


@dataclass(frozen=True)
class Job:
    """Everything a task needs, shipped with it: configuration, date, registry (no worker reads
    its own disk for them)."""

    config_data: dict
    config_path: str | None
    as_of: date
    warm: bool = True
    registry: dict | None = None  # site_registry.Registry.to_dict()
    max_bytes: int = 20 * 1024 * 1024
    fingerprint: str = ""

    @classmethod
    def create(cls, config: Config, as_of: date, *, warm: bool = True, registry: Any = None) -> "Job":
        reg = registry.to_dict() if registry is not None else None
        max_bytes = int(config["limits"]["max_file_mb"] * 1024 * 1024)
        blob = json.dumps([config.data, as_of.isoformat(), reg, max_bytes,
                           sorted(config.baseline) if config.baseline else []],
                          sort_keys=True, ensure_ascii=False, default=str)
        return cls(config.data, str(config.path) if config.path else None, as_of, warm, reg, max_bytes,
                   hashlib.sha1(blob.encode("utf-8", "surrogateescape")).hexdigest()[:16])


_INIT_LOCK = threading.Lock()


def ensure_worker(job: Job) -> Config:
    """Configuration and models for this job, loaded once per worker process."""
    if _WORKER.get("job") != job.fingerprint:
        with _INIT_LOCK:
            if _WORKER.get("job") != job.fingerprint:
                _init_worker(job.config_data, job.config_path, job.as_of, job.warm)
                registry = None
                if job.registry is not None:
                    from ..site_registry import Registry

                    registry = Registry.from_dict(job.registry)
                _WORKER["registry"] = registry
                _WORKER["job"] = job.fingerprint
    return _WORKER["config"]


@dataclass
class ShardOutput:
    """What one map task returns: its findings (gzip JSON lines) and records (site → pickled list)."""

    shard: int
    key: str
    pages: int = 0
    dead_links: int = 0
    findings: int = 0
    findings_gz: bytes = b""
    records: dict[str, bytes] = field(default_factory=dict)
    incomplete_inputs: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def _site_for(registry: Any, url: str | None, fallback: str) -> str:
    if registry is not None and url:
        entry = registry.site_for_url(url)
        if entry is not None:
            return entry.key
    return fallback


def map_shard(job: Job, shard: Shard) -> ShardOutput:
    """Check every page of a shard. Never raises for bad input: an unreadable shard is a QC900."""
    started = time.perf_counter()
    config = ensure_worker(job)
    registry = _WORKER.get("registry")
    out = ShardOutput(shard.index, shard.key)
    lines: list[str] = []
    buckets: dict[str, list[PageRecord]] = {}

    def keep(record: PageRecord, listed) -> None:
        buckets.setdefault(record.site, []).append(record)
        lines.extend(finding_line(record.site, f) for f in listed)
        out.findings += len(listed)

    try:
        for src in shard_pages(shard, job.max_bytes):
            if src.damaged_input:
                out.incomplete_inputs.append({"file": src.damaged_input, "at": src.origin, "error": src.error})
            if is_dead_link(src):
                src.site = _site_for(registry, src.referer or src.url, src.site)
                record, counted = dead_link_record(src, config)
                out.dead_links += 1
                keep(record, counted.listed)
                continue
            result = process_page(src)
            result.site = _site_for(registry, result.url, result.site)
            record, counted = page_record(result, config)
            out.pages += 1
            keep(record, counted.listed)
    except QualityCheckError as exc:  # e.g. a file in the folder that is not a WARC after all
        src = PageSource(b"", None, shard.paths[0].rsplit("/", 1)[-1], shard.paths[0], error=str(exc))
        result = process_page(src)  # a QC900 naming the file, counted like any unread page
        record, counted = page_record(result, config)
        out.pages += 1
        keep(record, counted.listed)
    out.findings_gz = gzip.compress("".join(lines).encode("utf-8", "backslashreplace"), compresslevel=3)
    out.records = {site: pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL) for site, records in buckets.items()}
    out.seconds = time.perf_counter() - started
    return out


@dataclass
class SiteOutcome:
    """What one reduce task returns: the site's counts, its verdict items and its findings."""

    site: str
    state: SiteState
    items: list[dict]
    findings: int
    lines: str


def _record_order(record) -> tuple:
    return (record.dead_link, len(record.url), record.url)


def reduce_site(job: Job, site: str, record_blobs: list[bytes]) -> SiteOutcome:
    """Judge one site from its page records, given in the run's fixed (shard, offset) order."""
    config = ensure_worker(job)
    registry = _WORKER.get("registry")
    entry = registry.get(site) if registry is not None else None
    state = SiteState.new(site, config, registered_code=entry.site_code if entry is not None else "")
    # In URL order, not arrival order: a crawl fetches pages in whatever order the network allows,
    # and a resumed crawl or a cluster run must judge the same pages the same way.
    records = [record for blob in record_blobs for record in pickle.loads(blob)]
    records.sort(key=_record_order)
    for record in records:
        state.add(record)
    counted, items = state.judge(config, job.as_of)
    lines = "".join(finding_line(site, f) for f in counted.listed)
    return SiteOutcome(site, state.compact(), items, len(counted.listed), lines)


def reduce_sites(job: Job, batch: list[tuple[str, list[bytes]]]) -> list[SiteOutcome]:
    """Several sites in one task (see run._site_batches)."""
    return [reduce_site(job, site, blobs) for site, blobs in batch]
