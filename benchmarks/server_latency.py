#!/usr/bin/env python3
"""Latency of `POST /v1/check` for a 5,000-character article, server warm, on one core.

Usage: python benchmarks/server_latency.py [-n 200] [--chars 5000] [--cpu 0] [--no-lm]

Starts `qualitycheck serve` in a subprocess on 127.0.0.1 (a free port), pinned to one CPU,
waits until it has loaded its dictionaries and the typo model, warms it with a few requests,
then POSTs the same article N times over one keep-alive connection and prints p50/p95/p99
wall time as the client sees it, the server's own check time, and the in-process
`check_document` time for the same text on the same CPU, for comparison.
The article is the example notice's text (examples/notice.html) repeated to size.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def article(chars: int) -> str:
    from qualitycheck.extract.loader import load_document

    base = load_document(ROOT / "examples" / "notice.html").text
    return ((base + "\n") * (chars // len(base) + 1))[:chars]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def start_server(cpu: int, no_lm: bool, accept_file: Path) -> tuple[subprocess.Popen, int, float]:
    cmd = [sys.executable, "-m", "qualitycheck.integrations.server", "--host", "127.0.0.1", "--port", "0",
           "--quiet", "--accept-file", str(accept_file)]
    if no_lm:
        cmd.append("--no-lm")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            preexec_fn=(lambda: os.sched_setaffinity(0, {cpu})) if hasattr(os, "sched_setaffinity") else None)
    deadline = time.time() + 180
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if "editor page" in line and "http://127.0.0.1:" in line:
            return proc, int(line.split()[-1].rstrip("/").rsplit(":", 1)[1]), time.perf_counter() - t0
    proc.kill()
    raise SystemExit("the server did not start: " + (proc.stderr.read() if proc.stderr else ""))


def in_process(chars: int, n: int, no_lm: bool) -> list[float]:
    """check_document on the same article, n times after one warm-up call: milliseconds each."""
    from qualitycheck.api import check_document
    from qualitycheck.config import Config
    from qualitycheck.document import Document

    text = article(chars)
    cfg = Config.load(search_from=ROOT)  # what the server loads
    if no_lm:
        cfg.data["typo"]["language_model"] = False
    check_document(Document(text=text), cfg)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        check_document(Document(text=text), cfg)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=200, help="timed requests (default 200)")
    ap.add_argument("--chars", type=int, default=5000, help="article length in characters (default 5000)")
    ap.add_argument("--cpu", type=int, default=None, help="CPU for the server (default: the first one allowed)")
    ap.add_argument("--no-lm", action="store_true", help="serve without the language-model typo engine (QC103)")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.in_process:
        print(json.dumps(in_process(args.chars, args.n, args.no_lm)))
        return

    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    server_cpu = args.cpu if args.cpu is not None else allowed[0]
    client_cpus = [c for c in allowed if c != server_cpu] or [server_cpu]
    text = article(args.chars)
    body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")

    with tempfile.TemporaryDirectory() as tmp:
        proc, port, startup = start_server(server_cpu, args.no_lm, Path(tmp) / "accept.txt")
        try:
            if hasattr(os, "sched_setaffinity"):
                os.sched_setaffinity(0, set(client_cpus))  # the client stays off the server's core
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/healthz")
            health = json.loads(conn.getresponse().read())
            headers = {"Content-Type": "application/json"}
            wall, server_ms, n_findings = [], [], 0
            for i in range(args.warmup + args.n):
                t0 = time.perf_counter()
                conn.request("POST", "/v1/check", body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                elapsed = (time.perf_counter() - t0) * 1000
                if resp.status != 200:
                    raise SystemExit(f"request {i}: HTTP {resp.status}: {data[:300]!r}")
                if i >= args.warmup:
                    payload = json.loads(data)
                    wall.append(elapsed)
                    server_ms.append(payload["check_ms"])
                    n_findings = len(payload["files"][0]["findings"])
            conn.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    # The same work in-process, in a fresh process pinned like the server from its start
    # (so numpy's thread pool sees the same single CPU).
    cmd = [sys.executable, __file__, "--in-process", "--chars", str(args.chars), "-n", str(min(args.n, 50))]
    if args.no_lm:
        cmd.append("--no-lm")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         preexec_fn=(lambda: os.sched_setaffinity(0, {server_cpu})) if hasattr(os, "sched_setaffinity") else None)
    inproc = json.loads(out.stdout)

    typo = health.get("models", {}).get("typo_model")
    print(f"POST /v1/check, {len(text):,}-character article, {args.n} requests after {args.warmup} warm-up, "
          f"server pinned to CPU {server_cpu}, typo model: {typo}, {n_findings} findings per response")
    print(f"  server start-up to ready: {startup:.2f} s (models warmed in {health['models'].get('warm_ms', 0) / 1000:.2f} s)")
    print(f"  client wall time  p50 {percentile(wall, .5):7.1f} ms   p95 {percentile(wall, .95):7.1f} ms   "
          f"p99 {percentile(wall, .99):7.1f} ms   max {max(wall):7.1f} ms   mean {statistics.mean(wall):7.1f} ms")
    print(f"  server check_ms   p50 {percentile(server_ms, .5):7.1f} ms   p95 {percentile(server_ms, .95):7.1f} ms")
    print(f"  in-process check_document  p50 {percentile(inproc, .5):7.1f} ms   p95 {percentile(inproc, .95):7.1f} ms "
          f"({len(inproc)} runs)")
    ok = percentile(wall, .5) < 150 and percentile(wall, .95) < 300
    print(f"  target p50 < 150 ms and p95 < 300 ms: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
