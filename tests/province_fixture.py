"""A generated province: 50 sites in 5 regions, built from the bundled example's clean site
(examples/site/www.demo-a.gov.cn, real pages) with problems planted by a fixed rule.

``build_province(root, run)`` writes pages/ (one folder per host) and registry.csv, and returns the
planted problems, which the tests count independently of the tool. Run 2 is a re-check in which
every third problem site has been fixed. Deterministic: no randomness, same files every time."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

EXAMPLE_SITE = Path(__file__).resolve().parents[1] / "examples" / "site" / "www.demo-a.gov.cn"
REGIONS = ("甲市", "乙市", "丙市", "丁州", "戊州")
LEVELS = ("市", "县", "县", "部门", "县")
N_SITES = 50
GAMBLING = ('<div style="display:none"><a href="http://www.bet365-example.com/">bet365体育在线投注</a>'
            '</div></body>')
GAMBLING_ITEM = "严重问题（暗链、赌博色情链接）"
UNREACHABLE_ITEM = "站点无法访问"


def host(n: int) -> str:
    return f"www.site{n:02d}.gov.cn"


def region(n: int) -> str:
    # Region 戊州 gets only sites 40-49; every region has 10 sites.
    return REGIONS[n // 10]


def planted(run: int) -> dict[str, set[str]]:
    """host -> planted veto items. Run 1: gambling links on sites n % 5 == 1 except in 甲市
    (which stays 100%), plus sites 13 and 37 unreachable (registered, no pages). Run 2: every
    third of those gambling sites fixed, one new gambling site (n=22)."""
    items: dict[str, set[str]] = {}
    gambling = [n for n in range(N_SITES) if n % 5 == 1 and region(n) != REGIONS[0]]
    if run == 2:
        gambling = [n for i, n in enumerate(gambling) if i % 3 != 0] + [22]
    for n in gambling:
        items.setdefault(host(n), set()).add(GAMBLING_ITEM)
    for n in (13, 37):
        items.setdefault(host(n), set()).add(UNREACHABLE_ITEM)
    return items


def build_province(root: Path, run: int = 1) -> dict[str, set[str]]:
    root.mkdir(parents=True, exist_ok=True)
    pages = root / "pages"
    problems = planted(run)
    with (root / "registry.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["网站名称", "网站标识码", "首页网址", "主办单位", "地区", "级别"])
        for n in range(N_SITES):
            w.writerow([f"{region(n)}第{n:02d}号政府网站", f"51000001{n:02d}", f"http://{host(n)}/",
                        f"{region(n)}人民政府办公室", region(n), LEVELS[n // 10]])
    for n in range(N_SITES):
        items = problems.get(host(n), set())
        if UNREACHABLE_ITEM in items:
            continue
        dest = pages / host(n)
        shutil.copytree(EXAMPLE_SITE, dest)
        if GAMBLING_ITEM in items:
            index = dest / "index.html"
            index.write_text(index.read_text(encoding="utf-8").replace("</body>", GAMBLING, 1), encoding="utf-8")
    return problems
