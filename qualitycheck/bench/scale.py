"""`qualitycheck bench scale`: lint-site's speed per core, the Dask cluster against the local pool,
the parent's memory over many shards, and a projection to a province.

Pages are real: the bundled example sites (or any folder of saved pages), packed into WARC
shards and repeated under distinct hosts until the run has the pages asked for.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from ..sources import iter_folder

EXAMPLE_SITE = Path(__file__).resolve().parents[2] / "examples" / "site"


def _pages(root: Path) -> list[tuple[str, bytes]]:
    out = []
    for src in iter_folder(root, 20 * 1024 * 1024):
        if src.url and not src.error:
            out.append((src.url, src.data))
    return out


def pack_warc_shards(pages_root: Path, out: Path, *, pages_per_warc: int, total: int | None = None,
                     dead_link_every: int = 0) -> int:
    """Write the pages under `pages_root` (host-named folders) as WARC files of `pages_per_warc`
    response records each; with `total`, repeat them under numbered copies of their hosts
    (copy 0 keeps the real host). Returns the number of page records written."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    pages = _pages(pages_root)
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
                if copy:
                    url = url.replace("://www.", f"://c{copy}.", 1)
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
