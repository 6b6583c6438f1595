#!/usr/bin/env python3
"""lint-site throughput on real pages, with and without the language-model typo engine, and
memory over a long run.

Usage: python benchmarks/lint_site_speed.py [--pages N] [--long 10000] [--jobs 1]

Pages: the 67 labelled real pages (tests/fixtures/pages, mean ~130 KB) plus the bundled example
sites, cycled to N pages with distinct URLs (20 sites). Models are warmed before timing, as a
long run would amortise them. For scale, in the same run: lxml parsing alone and trafilatura
(with metadata) on the same pages. The long run streams pages from memory through the same
code path as lint-site (lint_sources) and prints the resident memory every 1,000 pages.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualitycheck.api import warm_up  # noqa: E402
from qualitycheck.config import Config  # noqa: E402
from qualitycheck.runner import lint_sources  # noqa: E402
from qualitycheck.sources import PageSource  # noqa: E402


def corpus() -> list[tuple[str, bytes]]:
    files = sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.html"))
    files += sorted((ROOT / "examples" / "site").rglob("*.html"))
    return [(p.name, p.read_bytes()) for p in files]


def sources(pages: list[tuple[str, bytes]], n: int):
    for i, (name, data) in enumerate(islice(cycle(pages), n)):
        site = f"www.site{i % 20:02d}.gov.cn"
        url = f"http://{site}/p/{i}/{name}"
        yield PageSource(data, url, site, url)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_run(pages, n: int, cfg: Config, jobs: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        lint_sources(sources(pages, n), tmp, config=cfg, jobs=jobs, warm=True)
        return n / (time.perf_counter() - t0)


def anchors(pages) -> None:
    import lxml.html
    import trafilatura

    sample = pages[:67]
    t0 = time.perf_counter()
    for _, data in sample:
        lxml.html.document_fromstring(data)
    lx = len(sample) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _, data in sample:
        trafilatura.bare_extraction(data, with_metadata=True)
    tr = len(sample) / (time.perf_counter() - t0)
    print(f"anchors on the 67 real pages: lxml parse alone {lx:.0f} pages/s, trafilatura with metadata {tr:.1f} pages/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--long", type=int, default=10000, help="pages for the memory run (0: skip)")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    pages = corpus()
    mean_kb = sum(len(d) for _, d in pages) / len(pages) / 1024
    print(f"corpus: {len(pages)} distinct pages, mean {mean_kb:.0f} KB, cycled to {args.pages}; jobs={args.jobs}")
    anchors(pages)
    for label, lm in (("without the language model", False), ("with the language model", True)):
        cfg = Config.from_dict({"typo": {"language_model": lm}})
        warm_up(cfg)
        print(f"lint-site {label}: {timed_run(pages, args.pages, cfg, args.jobs):.1f} pages/s")
    if args.long:
        cfg = Config.from_dict({"typo": {"language_model": False}})
        marks = []

        def watched():
            for i, src in enumerate(sources(pages, args.long), 1):
                if i % 1000 == 0:
                    marks.append((i, rss_mb()))
                yield src

        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            lint_sources(watched(), tmp, config=cfg, jobs=1, warm=True)
            rate = args.long / (time.perf_counter() - t0)
        print(f"long run, {args.long} pages without the language model: {rate:.1f} pages/s; RSS MB by pages read:")
        print("  " + "  ".join(f"{i}:{mb:.0f}" for i, mb in marks))


if __name__ == "__main__":
    main()
