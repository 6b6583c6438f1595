#!/usr/bin/env python3
"""`qualitycheck serve` under load and abuse, on 127.0.0.1.

Usage: python benchmarks/server_load.py [--requests 2000] [--clients 16 32] [--half-open 300]
                                         [--half-open-seconds 30] [--no-lm]

Starts `qualitycheck serve` in a subprocess on a free port and, once it is warm:
1. opens --half-open connections that send half a request line and then stall (slowloris), keeps
   them for --half-open-seconds, and meanwhile times GET /healthz and one POST /v1/check;
2. sends --requests POST /v1/check requests (a 600-character article, each client on its own
   keep-alive connection) from each number of concurrent clients in --clients, and prints
   throughput, p50/p95/p99 latency, errors, and the server's RSS before and after.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ("关于做好2025年度政务公开工作的通知。各单位：为深入贯彻落实党中央、国务院关于全面推进政务公开的决策部署，"
           "进一步提升政务公开质量，现将有关事项通知如下。一是加强政策解读，二是做好信息发布，三是回应社会关切。") * 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _start(port: int, no_lm: bool, accept: Path) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("qualitycheck")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "qualitycheck.cli"]
    cmd += ["serve", "--port", str(port), "--quiet", "--accept-file", str(accept)] + (["--no-lm"] if no_lm else [])
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            status, _ = _get(port, "/healthz", timeout=2)
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("serve did not start")


def _get(port: int, path: str, timeout: float = 10) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status, time.perf_counter() - started


def _check(conn: http.client.HTTPConnection) -> tuple[int, float]:
    body = json.dumps({"text": ARTICLE}, ensure_ascii=False).encode("utf-8")
    started = time.perf_counter()
    conn.request("POST", "/v1/check", body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    return resp.status, time.perf_counter() - started


def half_open(port: int, n: int, seconds: float) -> dict:
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /v1/check HTT")  # and never the rest
        socks.append(s)
    probes = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status, took = _get(port, "/healthz")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        check_status, check_took = _check(conn)
        conn.close()
        probes.append((status, took, check_status, check_took))
        time.sleep(1)
    for s in socks:
        s.close()
    return {"connections": n, "seconds": seconds, "probes": len(probes),
            "healthz_ok": sum(p[0] == 200 for p in probes), "check_ok": sum(p[2] == 200 for p in probes),
            "healthz_max_ms": round(max(p[1] for p in probes) * 1000, 1),
            "check_max_ms": round(max(p[3] for p in probes) * 1000, 1)}


def load(port: int, pid: int, total: int, clients: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    per_client = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(n):
            try:
                status, took = _check(conn)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            with lock:
                latencies.append(took)
                if status != 200:
                    errors.append(f"HTTP {status}")
        conn.close()

    rss_before = _rss_mb(pid)
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in per_client]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"clients": clients, "requests": total, "ok": len(latencies) - sum(e.startswith("HTTP") for e in errors),
            "errors": len(errors), "error_kinds": sorted(set(errors)), "wall_s": round(wall, 2), "requests_per_s": round(total / wall, 1),
            "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1), "p99_ms": round(q[98] * 1000, 1),
            "server_rss_mb_before": round(rss_before, 1), "server_rss_mb_after": round(_rss_mb(pid), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, nargs="+", default=[16, 32])
    ap.add_argument("--half-open", type=int, default=300)
    ap.add_argument("--half-open-seconds", type=float, default=30)
    ap.add_argument("--no-lm", action="store_true")
    args = ap.parse_args()
    port = _free_port()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        accept = Path(tmp) / "accept.txt"
        proc = _start(port, args.no_lm, accept)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for _ in range(20):
                _check(conn)  # warm
            conn.close()
            print(f"serve on 127.0.0.1:{port}, {os.cpu_count()} CPUs, typo LM {'off' if args.no_lm else 'on'}, "
                  f"article {len(ARTICLE)} characters; server RSS warm {_rss_mb(proc.pid):.1f} MB")
            h = half_open(port, args.half_open, args.half_open_seconds)
            print(f"  {h['connections']} half-open connections for {h['seconds']:g} s: /healthz answered "
                  f"{h['healthz_ok']}/{h['probes']} (slowest {h['healthz_max_ms']} ms), /v1/check answered "
                  f"{h['check_ok']}/{h['probes']} (slowest {h['check_max_ms']} ms)")
            for clients in args.clients:
                r = load(port, proc.pid, args.requests, clients)
                print(f"  {r['requests']} POST /v1/check from {clients} clients: {r['requests_per_s']} req/s, "
                      f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms, errors {r['errors']} "
                      f"{r['error_kinds'] or ''}, "
                      f"server RSS {r['server_rss_mb_before']} → {r['server_rss_mb_after']} MB")
            print(f"  accept file grew: {'yes' if accept.exists() and accept.stat().st_size else 'no'}; "
                  f"server still alive: {'yes' if proc.poll() is None else 'NO'}")
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
