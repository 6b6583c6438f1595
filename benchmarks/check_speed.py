#!/usr/bin/env python3
"""Speed of `check`: API throughput on ~1 MB of official text, and the CLI cold on a 5,000-character article.

Usage: python benchmarks/check_speed.py [--text FILE] [--mb 1.0] [--runs 5]

The text defaults to the bundled example notice's body, repeated to size.
Prints MB/s for the QC1xx+QC2xx rules without and with the language-model
engine (QC103), and the median wall time of `qualitycheck check` in a fresh
process (imports, dictionary and model loading included).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualitycheck import check_text  # noqa: E402
from qualitycheck.api import warm_up  # noqa: E402
from qualitycheck.extract.loader import load_document  # noqa: E402


def official_text(path: str | None) -> str:
    if path:
        return Path(path).read_text(encoding="utf-8")
    doc = load_document(ROOT / "examples" / "notice.html")
    return doc.text


def sized(text: str, n_bytes: int) -> str:
    reps = n_bytes // len(text.encode("utf-8")) + 1
    out = (text + "\n") * reps
    return out[: int(len(out) * n_bytes / len(out.encode("utf-8")))]


def throughput(text: str, ignore: list[str]) -> tuple[float, int]:
    warm_up()  # dictionaries, jieba and the typo model load once, before timing
    t0 = time.perf_counter()
    findings = check_text(text, select=["QC1", "QC2"], ignore=ignore)
    elapsed = time.perf_counter() - t0
    return len(text.encode("utf-8")) / 1e6 / elapsed, len(findings)


def cli_cold(article: Path, runs: int, extra: list[str]) -> tuple[float, float]:
    exe = Path(sys.executable).with_name("qualitycheck")
    cmd = [str(exe) if exe.exists() else "qualitycheck", "check", str(article), "--format", "json", *extra]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"CLI failed: {proc.stderr.decode()}")
    return statistics.median(times), min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--text", help="UTF-8 text file to use instead of the example notice")
    ap.add_argument("--mb", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    base = official_text(args.text)
    big = sized(base, int(args.mb * 1e6))
    mbps, n = throughput(big, ["QC103"])
    print(f"API, QC1xx+QC2xx without the language model: {mbps:.2f} MB/s on {len(big.encode()) / 1e6:.2f} MB ({n} findings)")
    mbps, n = throughput(big, [])
    print(f"API, QC1xx+QC2xx with the language model:    {mbps:.2f} MB/s ({n} findings)")
    article = (base * (5000 // len(base) + 1))[:5000]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "article.txt"
        path.write_text(article, encoding="utf-8")
        median, fastest = cli_cold(path, args.runs, [])
        print(f"CLI cold, 5,000-character article, all rules: median {median:.2f} s over {args.runs} runs (fastest {fastest:.2f} s)")
        median, fastest = cli_cold(path, args.runs, ["--no-lm"])
        print(f"CLI cold, same article, --no-lm:             median {median:.2f} s (fastest {fastest:.2f} s)")


if __name__ == "__main__":
    main()
