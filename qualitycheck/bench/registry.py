"""`qualitycheck bench registry`: read a province-sized site registry with bad rows, timed.

Writes a synthetic registry (CSV and XLSX) of N sites shaped like a province's — 省/市/县/部门
levels, division codes, 网站标识码 — with a number of bad rows of the kinds offices send (no
name, no URL, an unusable URL, a duplicate site, a malformed code, an unknown level), reads it
with the same function `lint-site --registry` uses, and reports the time and whether every bad
row was named by its line.
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path
from typing import Any

HEADER = ["网站名称", "网站标识码", "首页网址", "主办单位", "地区", "级别"]
_BAD_KINDS = ("no-name", "no-url", "bad-url", "duplicate", "bad-code", "bad-level")


def synthetic_rows(n_sites: int, n_bad: int) -> tuple[list[list[str]], dict[int, str]]:
    """Rows after the header, and line → kind of each bad row (line 1 is the header)."""
    rows: list[list[str]] = []
    bad: dict[int, str] = {}
    every = max(1, n_sites // max(1, n_bad))
    for i in range(n_sites):
        city, county = divmod(i, 40)
        level = ("省", "市", "县", "部门")[i % 4]
        row = [f"合成县{i:04d}人民政府", f"51{city:02d}{county:02d}{i % 10000:04d}",
               f"http://www.site{i:04d}.gov.cn/", f"合成县{i:04d}人民政府办公室", f"51{city:02d}00", level]
        if len(bad) < n_bad and i % every == every - 1:
            kind = _BAD_KINDS[len(bad) % len(_BAD_KINDS)]
            if kind == "no-name":
                row[0] = ""
            elif kind == "no-url":
                row[2] = ""
            elif kind == "bad-url":
                row[2] = "ftp://例子/"
            elif kind == "duplicate":
                row[2] = rows[0][2]
            elif kind == "bad-code":
                row[1] = "51-XX"
            else:
                row[5] = "乡镇街道办"
            bad[len(rows) + 2] = kind
        rows.append(row)
    return rows, bad


def run_registry_bench(n_sites: int = 1080, n_bad: int = 20) -> dict[str, Any]:
    from openpyxl import Workbook

    from ..site_registry import load_registry

    rows, bad = synthetic_rows(n_sites, n_bad)
    out: dict[str, Any] = {"sites": n_sites, "bad_rows": len(bad)}
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "registry.csv"
        with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(rows)
        xlsx_path = Path(tmp) / "registry.xlsx"
        book = Workbook()
        sheet = book.active
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        book.save(xlsx_path)
        for name, path in (("csv", csv_path), ("xlsx", xlsx_path)):
            started = time.perf_counter()
            registry = load_registry(path)
            seconds = time.perf_counter() - started
            named = {p.line for p in registry.problems}
            out[name] = {
                "seconds": round(seconds, 4),
                "entries": len(registry),
                "problems": len(registry.problems),
                "every_bad_row_named": set(bad) <= named,
                "unexpected_lines": sorted(named - set(bad)),
                "example": str(registry.problems[0]) if registry.problems else None,
            }
    return out


def format_registry_report(result: dict[str, Any]) -> str:
    lines = [f"registry: {result['sites']} synthetic sites, {result['bad_rows']} bad rows"]
    for name in ("csv", "xlsx"):
        r = result[name]
        lines.append(f"  {name:4s} read in {r['seconds']:.3f} s: {r['entries']} sites kept, {r['problems']} problems, "
                     f"every bad row named by line: {'yes' if r['every_bad_row_named'] else 'NO'}"
                     + (f", unexpected lines {r['unexpected_lines']}" if r["unexpected_lines"] else ""))
        if r["example"]:
            lines.append(f"       e.g. {r['example']}")
    return "\n".join(lines)
