#!/usr/bin/env python3
"""Columns: the column-type classifier against the keyword baseline, and the site model's cost.

Usage: python benchmarks/columns.py [--pages 10000] [--columns 60]

1. Held-out precision / recall / F1 per class of a naive rule using only the criteria's own words,
   the curated keyword rules, the learned model alone and the hybrid (rules, model where no
   keyword matches), on the held-out split of
   corpora/columns (the train-only fit shipped as models/columns/column_type.heldout.joblib).
2. SiteAccumulator throughput (pages/s for add, plus columns/findings/verdict at the end) and
   memory (tracemalloc, traced bytes after 10 % and after 100 % of the pages) over synthetic
   page facts: one homepage, paginated list pages, message lists and articles.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualitycheck.columns import types  # noqa: E402
from qualitycheck.columns.train import criteria_type, load_rows, scores, split  # noqa: E402
from qualitycheck.config import Config  # noqa: E402
from qualitycheck.paths import MODELS_DIR  # noqa: E402
from qualitycheck.site import ListFact, MessageFact, PageFacts, SiteAccumulator  # noqa: E402

SITE = "http://www.example.gov.cn"


def classifier() -> None:
    rows = load_rows()
    _, test = split(rows)
    names = [r.name for r in test]
    gold = [r.label for r in test]
    learned = types.load_learned(MODELS_DIR / "columns" / "column_type.heldout.joblib")
    runs = {
        "criteria words only": [criteria_type(n) for n in names],
        "keyword rules": [types.keyword_type(n) for n in names],
        "learned model": types.TypeModel(learned.pipeline, "model", "", {}).predict(names),
        f"hybrid (p>={learned.threshold:g})": learned.predict(names),
        "shipped classify()": [types.classify(n) for n in names],
    }
    print(f"Column-type classifier, held-out split: {len(test)} real names "
          f"({', '.join(f'{t} {gold.count(t)}' for t in types.TYPES)})")
    print(f"shipped method: {types.load_model().method if types.load_model() else 'rules (no model)'}")
    header = f"{'method':24s} " + " ".join(f"{t[:11]:>17s}" for t in types.TYPES) + "   macro-F1  accuracy"
    print(header)
    print(f"{'':24s} " + " ".join(f"{'P / R / F1':>17s}" for _ in types.TYPES))
    for label, pred in runs.items():
        s = scores(gold, pred)
        cells = " ".join(
            f"{s['per_class'][t]['precision']:.2f}/{s['per_class'][t]['recall']:.2f}/{s['per_class'][t]['f1']:.2f}".rjust(17)
            for t in types.TYPES
        )
        print(f"{label:24s} {cells}   {s['macro_f1']:.3f}     {s['accuracy']:.3f}")
    t = time.perf_counter()
    for _ in range(20):
        types._cache.clear()
        for n in names:
            types.classify(n)
    per = (time.perf_counter() - t) / (20 * len(names))
    print(f"classify(): {per * 1e6:.1f} µs per uncached name")


def synthetic_facts(n_pages: int, n_columns: int, start: date = date(2024, 1, 1)):
    nav = tuple((f"栏目{i}动态", f"{SITE}/c{i}/") for i in range(n_columns))
    yield PageFacts(SITE + "/", SITE + "/", "home", None, None, nav=nav, blocks=tuple(
        ListFact(f"栏目{i}动态", f"{SITE}/c{i}/", 5, 5, start, titles=("县长调研",)) for i in range(10)))
    for k in range(1, n_pages):
        if k % 10 == 0:
            col = k % n_columns
            url = f"{SITE}/c{col}/index_{k // 10}.html"
            own = ListFact(f"栏目{col}动态", None, 20, 20, start + timedelta(days=k % 300), titles=("标题一", "标题二"))
            yield PageFacts(url, url, "list", None, None, own=own, own_names=((3, f"栏目{col}动态"),), nav=nav)
        elif k % 97 == 0:
            url = f"{SITE}/hd/index_{k}.html"
            msgs = tuple(MessageFact(f"留言{k}-{j}", start, None, "未回复", f"{SITE}/hd/m{k % 500}-{j}.html", url,
                                     "政务咨询", True) for j in range(5))
            yield PageFacts(url, url, "list", None, None, messages=msgs)
        else:
            url = f"{SITE}/c{k % n_columns}/t{k}.html"
            yield PageFacts(url, url, "article", f"文章{k}", start)


def site_model(n_pages: int, n_columns: int) -> None:
    facts = list(synthetic_facts(n_pages, n_columns))
    acc = SiteAccumulator("www.example.gov.cn", Config.default())
    gc.collect()
    tracemalloc.start()
    tenth = max(1, n_pages // 10)
    marks = []
    t = time.perf_counter()
    for i, f in enumerate(facts, 1):
        acc.add(f)
        if i == tenth or i == n_pages:
            marks.append((i, tracemalloc.get_traced_memory()[0]))
    add_s = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    as_of = date(2024, 12, 1)
    t = time.perf_counter()
    cols = acc.columns(as_of)
    found = acc.findings(as_of)
    items = acc.verdict(as_of)
    end_s = time.perf_counter() - t
    print(f"\nSiteAccumulator over {n_pages:,} synthetic page facts ({n_columns} columns, "
          f"{sum(1 for f in facts if f.kind == 'list'):,} list pages, {acc.messages_seen():,} message rows, "
          f"{len(acc._messages):,} kept as possibly late)")
    print(f"add: {n_pages / add_s:,.0f} pages/s; columns + findings + verdict: {end_s * 1000:.1f} ms "
          f"({len(cols)} columns, {len(found)} findings, {sum(i['failed'] for i in items)} failed items)")
    (n1, m1), (n2, m2) = marks
    print(f"traced memory: {m1 / 1e6:.2f} MB after {n1:,} pages, {m2 / 1e6:.2f} MB after {n2:,} pages "
          f"(+{(m2 - m1) / 1e3:.0f} KB for {n2 - n1:,} more pages; peak {peak / 1e6:.2f} MB)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--columns", type=int, default=60)
    args = ap.parse_args()
    classifier()
    site_model(args.pages, args.columns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
