"""The many-site crawl's journal: one JSON line per fetched URL, so a killed crawl resumes exactly.

Scrapy's job directory (JOBDIR) saves the request queue only when the crawl shuts down cleanly;
a crawl killed by SIGKILL, the OOM killer or a power cut leaves it unusable. This journal is
written as the crawl goes instead: after each response is in the WARC shard, a line records the
URL, the site, where its WARC records end, and the new links it queued (with their referer and
depth). Replaying it gives back what was fetched and what was still to fetch, in the order it
was queued, and the point to which the WARC shards can be trusted.

A line cut by the kill is ignored. The first line describes the crawl (registry and settings);
a resume with another registry or other budgets is refused rather than mixing two crawls.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError

SCHEMA = 1


def url_key(url: str) -> int:
    """A 64-bit hash standing for the URL in the seen-set (about 70 bytes a URL: 10 M URLs ≈ 0.7 GB)."""
    digest = hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@dataclass
class Pending:
    url: str
    site: str
    referer: str | None
    depth: int


@dataclass
class Replay:
    """What an earlier run of this crawl left behind."""

    header: dict | None = None
    seen: set[int] = field(default_factory=set)
    fetched: dict[str, int] = field(default_factory=dict)       # site → URLs done (fetched, failed or skipped)
    scheduled: dict[str, int] = field(default_factory=dict)     # site → URLs ever queued
    elapsed: dict[str, float] = field(default_factory=dict)     # site → seconds of crawling so far
    pending: dict[int, Pending] = field(default_factory=dict)  # queued, not done, in queue order
    last_shard: str | None = None
    last_end: int = 0
    rotated: set[str] = field(default_factory=set)
    lines: int = 0


def replay(path: str | Path) -> Replay:
    """Read a journal (a missing file is an empty one)."""
    out = Replay()
    path = Path(path)
    if not path.exists():
        return out
    with open(path, "rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break  # the line the kill cut: its URL is fetched again
            try:
                entry = json.loads(raw)
            except ValueError:
                break
            out.lines += 1
            kind = entry.get("k")
            if kind == "crawl":
                out.header = entry
            elif kind == "queue":  # start URLs
                for url, site, depth in entry["urls"]:
                    _queue(out, url, site, None, depth)
            elif kind == "done":
                site = entry["site"]
                key = url_key(entry["url"])
                out.seen.add(key)
                out.pending.pop(key, None)
                for alias in entry.get("aliases", ()):  # redirects: the URLs that led here
                    alias_key = url_key(alias)
                    out.seen.add(alias_key)
                    out.pending.pop(alias_key, None)
                out.fetched[site] = out.fetched.get(site, 0) + 1
                out.elapsed[site] = max(out.elapsed.get(site, 0.0), float(entry.get("t", 0.0)))
                for url, depth in entry.get("links", ()):
                    _queue(out, url, site, entry["url"], depth)
                if entry.get("shard"):
                    out.last_shard, out.last_end = entry["shard"], int(entry["end"])
            elif kind == "rotate":
                out.rotated.add(entry["shard"])
    return out


def _queue(out: Replay, url: str, site: str, referer: str | None, depth: int) -> None:
    key = url_key(url)
    if key in out.seen:
        return
    out.seen.add(key)
    out.scheduled[site] = out.scheduled.get(site, 0) + 1
    out.pending[key] = Pending(url, site, referer, depth)


class Journal:
    """Appends lines; each is flushed to the kernel at once and fsync'd at most every few seconds."""

    def __init__(self, path: str | Path, sync_seconds: float = 2.0):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._trim_cut_line()
        self._file = open(self.path, "ab")
        self.sync_seconds = sync_seconds
        self._synced = time.monotonic()
        self.before_sync = None  # callable: sync the WARC shard before the journal that points into it

    def _trim_cut_line(self) -> None:
        # A line cut by a kill would glue itself to the next one: drop it before appending.
        if not self.path.exists():
            return
        with open(self.path, "r+b") as fh:
            data = fh.read()
            end = data.rfind(b"\n") + 1
            if end != len(data):
                fh.truncate(end)

    def write(self, entry: dict[str, Any]) -> None:
        self._file.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
        self._file.flush()
        if time.monotonic() - self._synced >= self.sync_seconds:
            self.sync()

    def sync(self) -> None:
        if self.before_sync is not None:
            self.before_sync()
        os.fsync(self._file.fileno())
        self._synced = time.monotonic()

    def close(self) -> None:
        if not self._file.closed:
            self.sync()
            self._file.close()


def check_header(previous: dict | None, current: dict, path: Path) -> None:
    """Refuse to resume a journal written for another registry or other budgets."""
    if previous is None:
        return
    differs = [k for k in ("registry", "max_pages", "site_seconds", "obey_robots", "schema")
               if previous.get(k) != current.get(k)]
    if differs:
        raise InputError(f"无法续跑：{path} 记录的是另一次抓取（{', '.join(differs)} 不同）；"
                         "请换一个输出目录，或去掉 --resume 重新开始")


def site_limits(path: str | Path) -> dict[str, dict[str, Any]]:
    """Per site: URLs done, those stored in the WARC, requests dropped by reason, limits that kept
    links out — what the crawl summary (crawl.json) tells the inspector about each site."""
    sites: dict[str, dict[str, Any]] = {}
    with open(path, "rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                entry = json.loads(raw)
            except ValueError:
                break
            if entry.get("k") != "done":
                continue
            site = sites.setdefault(entry["site"], {"done": 0, "stored": 0, "skipped": {}, "limits": set()})
            site["done"] += 1
            if entry.get("shard"):
                site["stored"] += 1
            if entry.get("skipped"):
                site["skipped"][entry["skipped"]] = site["skipped"].get(entry["skipped"], 0) + 1
                site["limits"].add(entry["skipped"])
            site["limits"].update(entry.get("capped", ()))
    for site in sites.values():
        site["limits"] = sorted(site["limits"])
    return sites
