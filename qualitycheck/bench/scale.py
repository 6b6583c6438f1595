"""`qualitycheck bench scale`: lint-site's speed per core, the Dask cluster against the local pool,
the parent's memory over many shards, and a projection to a province.

Pages are real: the bundled example sites (or any folder of saved pages), packed into WARC
shards and repeated under distinct hosts until the run has the pages asked for.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from ..sources import iter_folder

EXAMPLE_SITE = Path(__file__).resolve().parents[2] / "examples" / "site"
# Saved pages of real government sites (a clone has them; the wheel does not): NNN_host_kind.html.
SAVED_PAGES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pages"
_SAVED_NAME = re.compile(r"^\d+_([a-z0-9.-]+)_[a-z]+\.html?$")


def _pages(root: Path) -> list[tuple[str, bytes]]:
    out = []
    for src in iter_folder(root, 20 * 1024 * 1024):
        if src.url and not src.error:
            out.append((src.url, src.data))
    return out


def _saved_pages(folder: Path) -> list[tuple[str, bytes]]:
    out = []
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            m = _SAVED_NAME.match(path.name)
            if m:
                out.append((f"http://{m.group(1)}/{path.name}", path.read_bytes()))
    return out


def bench_pages() -> tuple[list[tuple[str, bytes]], str]:
    """The pages a scale run repeats, and what they are."""
    saved = _saved_pages(SAVED_PAGES)
    demo = _pages(EXAMPLE_SITE)
    what = f"{len(demo)} pages of the bundled demo sites"
    if saved:
        what = f"{len(saved)} saved pages of real government sites + " + what
    return saved + demo, what


def pack_warc_shards(pages_root: Path | list[tuple[str, bytes]], out: Path, *, pages_per_warc: int,
                     total: int | None = None, dead_link_every: int = 0, shuffle_seed: int | None = None,
                     host_copies: int | None = None) -> int:
    """Write the pages under `pages_root` (host-named folders) as WARC files of `pages_per_warc`
    response records each; with `total`, repeat them under numbered copies of their hosts
    (copy 0 keeps the real host), at most `host_copies` of each host (further repeats are more
    pages of those sites, under ``?copy=N``); with `shuffle_seed`, in a shuffled order, as a crawl
    would fetch them. Returns the number of page records written."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    pages = list(pages_root) if isinstance(pages_root, list) else _pages(pages_root)
    if shuffle_seed is not None:
        import random

        random.Random(shuffle_seed).shuffle(pages)
    if not pages:
        raise ValueError(f"{pages_root}: no saved pages with a URL")
    total = total or len(pages)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    shard = 0
    while written < total:
        with (out / f"crawl-{shard:05d}.warc.gz").open("wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for _ in range(pages_per_warc):
                if written >= total:
                    break
                copy, i = divmod(written, len(pages))
                url, body = pages[i]
                variant = copy % host_copies if host_copies else copy
                if variant:
                    url = url.replace("://", f"://c{variant}.", 1)
                if copy != variant:
                    url += ("&" if "?" in url else "?") + f"copy={copy}"
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                              http_headers=headers))
                written += 1
                if dead_link_every and written % dead_link_every == 0:
                    gone = url.rsplit("/", 1)[0] + f"/gone-{written}.html"
                    headers = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
                    writer.write_record(writer.create_warc_record(gone, "response", payload=io.BytesIO(b"gone"),
                                                                  http_headers=headers))
        shard += 1
    return written


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalDaskCluster:
    """A Dask scheduler and N workers as separate processes on 127.0.0.1 (`dask scheduler`,
    `dask worker`), as an office would start them; for the tests and this benchmark."""

    def __init__(self, workers: int = 2, *, nanny: bool = False):
        self.workers = workers
        self.nanny = nanny
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen] = []
        self.worker_procs: list[subprocess.Popen] = []
        self.start_seconds = 0.0

    def _dask(self, *args: str) -> subprocess.Popen:
        exe = Path(sys.executable).with_name("dask")
        cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", "dask", *args]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def __enter__(self) -> "LocalDaskCluster":
        from distributed import Client

        started = time.perf_counter()
        self.procs.append(self._dask("scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                     "--dashboard-address", ":0"))
        for _ in range(self.workers):
            proc = self._dask("worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                              "--dashboard-address", ":0", "--nanny" if self.nanny else "--no-nanny",
                              "--death-timeout", "60")
            self.worker_procs.append(proc)
            self.procs.append(proc)
        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(self.address, timeout="5s") as client:
                    client.wait_for_workers(self.workers, timeout=max(1.0, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    self.__exit__(None, None, None)
                    raise
                time.sleep(0.5)
        self.start_seconds = time.perf_counter() - started
        return self

    def kill_worker(self, n: int = 0) -> None:
        import signal

        os.killpg(self.worker_procs[n].pid, signal.SIGKILL)

    def __exit__(self, *exc: Any) -> None:
        import signal

        for proc in reversed(self.procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _rss_mb(pid: int | None = None) -> float:
    with open(f"/proc/{pid or os.getpid()}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _noop(x: int) -> int:
    return x


def _timed_run(target: Path, out: Path, **kw: Any) -> dict:
    from ..batch import lint_site
    from ..config import Config

    lm = kw.pop("lm", False)
    cfg = Config.default().with_overrides(typo={"language_model": lm})
    samples: list[float] = []
    stop = threading.Event()

    def watch() -> None:  # the parent's memory while shards stream through it
        while not stop.is_set():
            samples.append(_rss_mb())
            stop.wait(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.perf_counter()
    summary = lint_site(target, out, config=cfg, **kw)
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    return {"pages": summary["pages"], "sites": len(summary["sites"]), "seconds": round(seconds, 2),
            "pages_per_s": round(summary["pages"] / seconds, 2) if seconds else None,
            "parent_rss_mb_first": round(samples[0], 1) if samples else None,
            "parent_rss_mb_last": round(samples[-1], 1) if samples else None,
            "parent_rss_mb_peak": round(max(samples), 1) if samples else None,
            "findings": sum(1 for _ in (out / "findings.jsonl").open(encoding="utf-8"))}


def run_scale(n_pages: int, *, pages_per_warc: int = 200, work: Path | None = None, lm_pages: int = 200,
              cluster: bool = True, host_copies: int | None = None) -> dict:
    """The figures of the province-scale issue, measured on this machine."""
    with tempfile.TemporaryDirectory(prefix="qc-scale-") as tmp:
        root = Path(work or tmp)
        warcs = root / "warcs"
        corpus, what = bench_pages()
        pack_warc_shards(corpus, warcs, pages_per_warc=pages_per_warc, total=n_pages, host_copies=host_copies)
        result: dict[str, Any] = {"pages": n_pages, "shards": len(list(warcs.glob("*.warc.gz"))),
                                  "cpu_count": os.cpu_count(), "source": what, "host_copies": host_copies,
                                  "mean_page_kb": round(sum(len(b) for _, b in corpus) / len(corpus) / 1024, 1)}
        # Load jieba, the dictionaries and the LM in this process first: --jobs 1 runs here and the
        # --jobs 2 workers fork from it, so neither figure includes a model load.
        _timed_run(EXAMPLE_SITE, root / "warm-up", jobs=1, lm=True)
        result["jobs1_no_lm"] = _timed_run(warcs, root / "j1", jobs=1)
        lm_warcs = root / "warcs-lm"
        pack_warc_shards(corpus, lm_warcs, pages_per_warc=min(pages_per_warc, lm_pages), total=lm_pages,
                         host_copies=host_copies)
        result["jobs1_lm"] = _timed_run(lm_warcs, root / "j1lm", jobs=1, lm=True)
        result["jobs2_no_lm"] = _timed_run(warcs, root / "j2", jobs=2)
        if cluster:
            from distributed import Client

            with LocalDaskCluster(workers=2) as running:
                result["cluster_start_s"] = round(running.start_seconds, 2)
                with Client(running.address) as client:
                    client.gather(client.map(_noop, range(50), pure=False))  # warm the connections
                    started = time.perf_counter()
                    client.gather(client.map(_noop, range(1000), pure=False))
                    result["dask_task_overhead_ms"] = round((time.perf_counter() - started) * 1000 / 1000, 3)  # ms per task
                    worker_pids = list(client.run(os.getpid).values())
                # A first (cold) job loads the models on each worker; the warm one is the figure.
                result["dask2_cold"] = _timed_run(warcs, root / "d-cold", cluster=running.address)
                result["dask2_warm"] = _timed_run(warcs, root / "d-warm", cluster=running.address)
                result["worker_rss_mb"] = [round(_rss_mb(pid), 1) for pid in worker_pids]
            same = (root / "d-warm" / "findings.jsonl").read_bytes() == (root / "j2" / "findings.jsonl").read_bytes()
            result["dask_equals_local_findings"] = same
            result["dask_vs_jobs2_ratio"] = round(result["dask2_warm"]["pages_per_s"] / result["jobs2_no_lm"]["pages_per_s"], 3)
        per_core = result["jobs1_no_lm"]["pages_per_s"]
        per_core_lm = result["jobs1_lm"]["pages_per_s"]
        # Projection: pages/s per core scales with cores (shards are independent); 10 M pages.
        result["projection_10M"] = {
            "one_32_core_machine_h_no_lm": round(10_000_000 / (per_core * 32) / 3600, 1),
            "one_32_core_machine_h_lm": round(10_000_000 / (per_core_lm * 32) / 3600, 1),
            "ten_nodes_32_cores_h_lm": round(10_000_000 / (per_core_lm * 320 * result.get("dask_vs_jobs2_ratio", 1.0)) / 3600, 2),
        }
        return result


def format_scale_report(r: dict) -> str:
    repeat = (f"each host copied at most {r['host_copies']}×, further repeats as more pages of those sites"
              if r.get("host_copies") else "each repeat under a new host")
    lines = [f"lint-site at scale: {r['pages']} pages ({r['source']}, mean {r['mean_page_kb']} KB; {repeat}) in "
             f"{r['shards']} WARC shards, {r['cpu_count']} CPUs"]
    for key, label in (("jobs1_no_lm", "lint-site --jobs 1 --no-lm"), ("jobs1_lm", "lint-site --jobs 1 (typo LM on)"),
                       ("jobs2_no_lm", "lint-site --jobs 2 --no-lm"), ("dask2_cold", "Dask 2 workers, cold --no-lm"),
                       ("dask2_warm", "Dask 2 workers, warm --no-lm")):
        if key in r:
            x = r[key]
            lines.append(f"  {label:32s} {x['pages']:6d} pages {x['sites']:5d} sites {x['seconds']:8.2f} s {x['pages_per_s']:7.2f} pages/s   "
                         f"parent RSS first/last/peak {x['parent_rss_mb_first']}/{x['parent_rss_mb_last']}/{x['parent_rss_mb_peak']} MB")
    if "cluster_start_s" in r:
        lines.append(f"  cluster start {r['cluster_start_s']} s; per-task overhead {r['dask_task_overhead_ms']} ms "
                     f"(1,000 empty tasks); worker RSS {r['worker_rss_mb']} MB")
        lines.append(f"  Dask warm / lint-site --jobs 2: {r['dask_vs_jobs2_ratio']}; identical findings.jsonl: "
                     f"{'yes' if r['dask_equals_local_findings'] else 'NO'}")
    p = r["projection_10M"]
    lines.append(f"  projection for 10 M pages: one 32-core machine {p['one_32_core_machine_h_no_lm']} h without the LM, "
                 f"{p['one_32_core_machine_h_lm']} h with it; 10 such nodes on Dask {p['ten_nodes_32_cores_h_lm']} h with it")
    return "\n".join(lines)
