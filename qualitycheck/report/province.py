"""Province figures for the quarter's 通报: pass rates by region and level, problem sites by category,
and the comparison with earlier runs. Built from lint-site's summary.json (per-site verdicts) only."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

# The seed notice's headed categories, matched against a veto item's name (first match wins).
CATEGORIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("网站管理不到位", "空白栏目", ("空白",)),
    ("网站管理不到位", "更新不及时", ("不更新", "更新")),
    ("网站管理不到位", "严重错别字", ("严重错误", "错别字")),
    ("网站管理不到位", "互动回应", ("互动",)),
    ("网站管理不到位", "服务不实用", ("服务",)),
    ("安全防护", "赌博链接", ("严重问题", "暗链", "赌博")),
    ("网站运行", "站点无法访问", ("无法访问",)),
    ("网站运行", "页面无法读取（无法判定）", ("无法判定",)),
)
UNREACHABLE_ITEM = "站点无法访问"
# 基本信息不规范 (deduction items, not single-veto): the identity-mark rules behind each heading.
MARK_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("网站标识码", ("QC401", "QC402")),
    ("ICP备案编号", ("QC403", "QC404")),
    ("公安机关备案标识", ("QC405", "QC406")),
    ("党政机关网站标识", ("QC407",)),
    ("找错入口", ("QC408",)),
    ("网站标识不一致", ("QC409",)),
)
MARK_HEADING = "基本信息不规范"
DEAD_LINK_HEADING = "死链"


def category_of(item: str) -> tuple[str, str]:
    for head, name, words in CATEGORIES:
        if any(w in item for w in words):
            return head, name
    return "其他问题", item


def load_summary(folder: str | Path) -> dict:
    """An earlier run's summary.json (the folder lint-site wrote, or the file itself)."""
    path = Path(folder)
    if path.is_dir():
        path = path / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"无法读取上次运行的结果 {path}：{exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
        raise ValueError(f"{path} 不是 lint-site 的 summary.json")
    return data


def _failed_items(site: dict) -> list[dict]:
    return [i for i in site.get("veto_items", []) if i.get("failed") and i.get("veto", True)]


def _rate(passed: int, total: int) -> float | None:
    # A group with no sites has no pass rate (not 100%).
    return round(100.0 * passed / total, 2) if total else None


def site_rows(summary: dict, registry: Any = None) -> list[dict]:
    """One row per site: name, region, level, organiser, passed, failed items. Registered sites with
    no pages in the run are 站点无法访问 (a veto item), not left out."""
    rows: list[dict] = []
    seen: set[str] = set()
    for site in summary.get("sites", []):
        key = str(site.get("site", ""))
        entry = None
        if registry is not None:
            entry = registry.get(key) or registry.site_for_url(f"http://{key}/")
        if entry is not None:
            seen.add(entry.key)
        failed = [{"item": i["item"], "count": i.get("count", 0), "evidence": i.get("evidence", [])[:3]}
                  for i in _failed_items(site)]
        rows.append(_row(key, entry, failed, site))
    if registry is not None:
        for entry in registry:
            if entry.key not in seen:
                rows.append(_row(entry.key, entry, [{"item": UNREACHABLE_ITEM, "count": 1, "evidence": []}], {}))
    return rows


def _row(key: str, entry: Any, failed: list[dict], site: dict) -> dict:
    return {
        "site": key,
        "name": (entry.name if entry is not None and entry.name else key),
        "region": (entry.region if entry is not None and entry.region else "未登记地区"),
        "level": (entry.level if entry is not None and entry.level else "未登记级别"),
        "organiser": entry.organiser if entry is not None else "",
        "passed": not failed,
        "failed_items": failed,
        "dead_links": site.get("dead_links", 0),
        "deductions": [i["item"] for i in site.get("veto_items", []) if i.get("failed") and not i.get("veto", True)],
        "mark_problems": [name for name, codes in MARK_CATEGORIES
                          if any(site.get("findings_by_code", {}).get(c) for c in codes)],
        "unreachable": bool(failed) and failed[0]["item"] == UNREACHABLE_ITEM and not site,
    }


def _groups(rows: list[dict], field: str, names: Iterable[str] = ()) -> dict[str, dict]:
    groups: dict[str, dict] = {n: {"sites": 0, "passed": 0} for n in names}
    for row in rows:
        g = groups.setdefault(row[field], {"sites": 0, "passed": 0})
        g["sites"] += 1
        g["passed"] += row["passed"]
    for g in groups.values():
        g["failed"] = g["sites"] - g["passed"]
        g["pass_rate"] = _rate(g["passed"], g["sites"])
    return dict(sorted(groups.items()))


def _problems(rows: list[dict]) -> set[tuple[str, str]]:
    return {(r["site"], i["item"]) for r in rows for i in r["failed_items"]}


def province_figures(summary: dict, registry: Any = None, previous: list[dict] | None = None,
                     regions: Iterable[str] = ()) -> dict:
    """Every number the notice states, so each one can be traced (written to province.json)."""
    rows = site_rows(summary, registry)
    failing = [r for r in rows if not r["passed"]]
    by_category: dict[str, dict[str, list[str]]] = {}
    item_counts: Counter = Counter()
    for row in failing:
        for item in row["failed_items"]:
            head, name = category_of(item["item"])
            item_counts[item["item"]] += 1
            sites = by_category.setdefault(head, {}).setdefault(name, [])
            if row["name"] not in sites:
                sites.append(row["name"])
    deduction_counts = Counter(d for r in rows for d in r["deductions"])
    by_mark: dict[str, list[str]] = {}
    for row in rows:
        for name in row["mark_problems"]:
            by_mark.setdefault(name, []).append(row["name"])
    passed = sum(r["passed"] for r in rows)
    figures: dict[str, Any] = {
        "schema": "qualitycheck/province@1",
        "as_of": summary.get("as_of", ""),
        "sites": len(rows),
        "passed": passed,
        "failed": len(rows) - passed,
        "pass_rate": _rate(passed, len(rows)),
        "by_region": _groups(rows, "region", regions),
        "by_level": _groups(rows, "level"),
        "veto_item_sites": dict(sorted(item_counts.items())),
        "deduction_item_sites": dict(sorted(deduction_counts.items())),
        "dead_link_sites": sum(1 for r in rows if r["dead_links"]),
        "dead_link_site_names": [r["name"] for r in rows if r["dead_links"]],
        "unreachable_sites": sum(1 for r in rows if r["unreachable"]),
        "by_category": by_category,
        "by_mark_category": {name: by_mark[name] for name, _ in MARK_CATEGORIES if name in by_mark},
        "site_rows": rows,
    }
    if previous:
        figures["comparison"] = compare(rows, figures["pass_rate"], [site_rows(p, registry) for p in previous])
    return figures


def figures_digest(fig: dict) -> dict:
    """The province figures without the per-site rows, for summary.json and report.html."""
    out = {k: v for k, v in fig.items() if k != "site_rows"}
    cmp_ = fig.get("comparison")
    if cmp_:
        out["comparison"] = {k: (len(v) if isinstance(v, list) and k in ("new", "fixed", "persisting") else v)
                             for k, v in cmp_.items() if k != "rectification"}
        out["comparison"]["rectification"] = dict(Counter(r["status"] for r in cmp_["rectification"]))
    return out


def compare(rows: list[dict], rate: float | None, earlier: list[list[dict]]) -> dict:
    """This run against earlier ones (``earlier[0]`` the most recent): problems new, fixed and
    persisting as (site, item) pairs, the pass-rate change, and sites failing in every run given."""
    now = _problems(rows)
    last = earlier[0]
    before = _problems(last)
    last_passed = sum(r["passed"] for r in last)
    last_rate = _rate(last_passed, len(last))
    failing_now = {r["site"] for r in rows if not r["passed"]}
    streak = set(failing_now)
    for run in earlier:
        streak &= {r["site"] for r in run if not r["passed"]}
    names = {r["site"]: r["name"] for r in rows} | {r["site"]: r["name"] for run in earlier for r in run}
    checked_now = {r["site"] for r in rows}

    def pairs(items: set[tuple[str, str]]) -> list[dict]:
        return [{"site": s, "name": names.get(s, s), "item": i} for s, i in sorted(items)]

    # Rectification: each problem of the earlier run, fixed or not as of this run (a re-check of
    # only the problem sites is the common case: sites not re-checked are 未复查, not fixed).
    rectification = [
        {"site": s, "name": names.get(s, s), "item": i,
         "status": "未复查" if s not in checked_now else ("未整改" if (s, i) in now else "已整改")}
        for s, i in sorted(before)
    ]
    return {
        "previous_pass_rate": last_rate,
        "pass_rate_change_pp": round(rate - last_rate, 2) if rate is not None and last_rate is not None else None,
        "new": pairs(now - before),
        "fixed": pairs({p for p in before - now if p[0] in checked_now}),
        "persisting": pairs(now & before),
        "consecutive_runs": len(earlier) + 1,
        "failing_every_run": [names.get(s, s) for s in sorted(streak)],
        "rectification": rectification,
    }
