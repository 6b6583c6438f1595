"""Site reports: report.html (self-contained), findings.csv and findings.xlsx, from findings.jsonl + summary."""

from __future__ import annotations

import csv
import html
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterator

from ..checks.registry import all_checks
from ..document import SEVERITY_LABELS
from .atomic import atomic_open, atomic_path, write_text
from .safe import CSP_META, link_html

SEVERITY_ORDER = {label: rank for rank, label in enumerate(SEVERITY_LABELS.values())}

HTML_FINDINGS_PER_SITE = 1000
COLUMNS = [
    ("site", "站点"), ("code", "规则"), ("name", "名称"), ("severity", "严重程度"),
    ("message", "问题"), ("url", "网址"), ("source", "来源文件"), ("scope", "位置"), ("line", "行"),
    ("column", "列"), ("match", "原文"), ("suggestions", "建议"), ("rule_source", "依据"), ("evidence", "证据"),
]
_FAMILY = {
    "QC1": "错别字", "QC2": "规范表述", "QC3": "栏目与互动", "QC4": "网站标识", "QC5": "暗链与安全",
    "QC6": "链接可用性", "QC9": "检查失败",
}


def iter_findings(out: Path) -> Iterator[dict]:
    with (out / "findings.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _cell(row: dict, key: str) -> str:
    value = row.get(key)
    if key == "suggestions":
        return "、".join(s if s else "（删除）" for s in value or [])
    if key == "evidence":
        return json.dumps(value, ensure_ascii=False) if value else ""
    return "" if value is None else str(value)


class _Tally:
    """What the HTML report needs from the findings, gathered in the same pass as the tables."""

    def __init__(self) -> None:
        self.names = {c.code: f"{c.title}（{c.name}）" for c in all_checks()}
        self.per_site: dict[str, list[dict]] = defaultdict(list)
        self.overflow: Counter = Counter()
        self.by_family: Counter = Counter()
        self.by_code: Counter = Counter()

    def add(self, row: dict) -> None:
        self.by_family[_FAMILY.get(row["code"][:3], row["code"][:3])] += 1
        self.by_code[f"{row['code']} {self.names.get(row['code'], row.get('name', ''))}"] += 1
        if len(self.per_site[row["site"]]) < HTML_FINDINGS_PER_SITE:
            self.per_site[row["site"]].append(row)
        else:
            self.overflow[row["site"]] += 1


SITE_SHEET_COLUMNS = ["规则", "名称", "严重程度", "问题", "原文", "建议", "出现页数", "出现次数", "网址", "其他网址（示例）",
                      "行", "列", "位置", "依据", "证据"]
_EXAMPLE_URLS = 3


class _Group:
    """Identical findings of one site (same rule, text and suggestion) on many pages: one row."""

    __slots__ = ("first", "pages", "times", "urls")

    def __init__(self, row: dict) -> None:
        self.first, self.pages, self.times, self.urls = row, 0, 0, []

    def add(self, row: dict) -> None:
        self.pages += 1
        self.times += int((row.get("evidence") or {}).get("count", 1) or 1)
        url = row.get("url") or row.get("source")
        if url and url != (self.first.get("url") or self.first.get("source")) and len(self.urls) < _EXAMPLE_URLS:
            self.urls.append(url)

    def cells(self) -> list[object]:
        row = self.first
        return [row["code"], row.get("name"), SEVERITY_LABELS.get(row.get("severity"), row.get("severity")),
                row.get("message"), row.get("match"), _cell(row, "suggestions"), self.pages, self.times,
                row.get("url") or row.get("source"), "\n".join(self.urls),
                row.get("line"), row.get("column"), row.get("scope"), row.get("rule_source"), _cell(row, "evidence")]


def _group_key(row: dict) -> tuple:
    evidence = row.get("evidence") or {}
    return (row["code"], row.get("rule_id"), row.get("match"), tuple(row.get("suggestions") or ()),
            row.get("scope"), evidence.get("href"), None if row.get("match") else row.get("message"))


def write_tables(out: Path, summary: dict) -> _Tally:
    """findings.csv (every finding) and findings.xlsx (a summary sheet, then one sheet per site with
    identical findings on many pages as one row with its counts), in one pass over findings.jsonl;
    returns the HTML tally."""
    from openpyxl import Workbook

    from .sheets import safe_csv_row, sheet_title, write_sheet

    tally = _Tally()
    groups: dict[str, dict[tuple, _Group]] = defaultdict(dict)
    header = [title for _, title in COLUMNS]
    with atomic_open(out / "findings.csv", "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel reads UTF-8
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in iter_findings(out):
            writer.writerow(safe_csv_row(_cell(row, key) for key, _ in COLUMNS))
            tally.add(row)
            site_groups = groups[row["site"]]
            key = _group_key(row)
            group = site_groups.get(key)
            if group is None:
                group = site_groups[key] = _Group(row)
            group.add(row)
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    site_rows = []
    sheet_of: dict[str, str] = {}
    for site in summary["sites"]:
        if groups.get(site["site"]):
            sheet_of[site["site"]] = sheet_title(site["site"], taken | {"站点结论"})
            taken.add(sheet_of[site["site"]].lower())
    for site in summary["sites"]:
        failed = "；".join(f"{i['item']}（{i['count']}）" for i in site["veto_items"] if i["failed"] and i.get("veto", True))
        site_rows.append([site["site"], site["verdict"], site["pages"], site["findings"],
                          site.get("hidden_by_baseline", 0), failed, sheet_of.get(site["site"], "")])
    write_sheet(wb, "站点结论", ["站点", "结论", "页面数", "问题数", "基线隐藏", "未通过的单项否决项", "问题工作表"],
                site_rows)
    for site in summary["sites"]:
        site_groups = groups.get(site["site"])
        if not site_groups:
            continue
        rows = sorted((g.cells() for g in site_groups.values()),
                      key=lambda r: (SEVERITY_ORDER.get(r[2], 9), r[0], -r[6]))
        write_sheet(wb, sheet_of[site["site"]], SITE_SHEET_COLUMNS, rows)
    with atomic_path(out / "findings.xlsx") as tmp:
        wb.save(tmp)
    return tally


def _bar_chart(counts: list[tuple[str, int]], color: str = "#c0392b") -> str:
    """A horizontal bar chart as inline SVG."""
    if not counts:
        return '<p class="muted">无</p>'
    width, bar_h, gap, label_w = 640, 22, 8, 220
    top = max(n for _, n in counts) or 1
    height = len(counts) * (bar_h + gap)
    rows = []
    for i, (label, n) in enumerate(counts):
        y = i * (bar_h + gap)
        w = max(2, int((width - label_w - 60) * n / top))
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" rx="3" fill="{color}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 16}">{n}</text>'
        )
    return f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}">{"".join(rows)}</svg>'


def _donut(passed: int, failed: int) -> str:
    total = passed + failed or 1
    import math

    r, c = 52, 2 * math.pi * 52
    pass_len = c * passed / total
    return (
        '<svg viewBox="0 0 140 140" width="140" height="140">'
        f'<circle cx="70" cy="70" r="{r}" fill="none" stroke="#e74c3c" stroke-width="22"/>'
        f'<circle cx="70" cy="70" r="{r}" fill="none" stroke="#27ae60" stroke-width="22" '
        f'stroke-dasharray="{pass_len:.1f} {c:.1f}" transform="rotate(-90 70 70)"/>'
        f'<text x="70" y="76" text-anchor="middle" class="donut">{100 * passed / total:.1f}%</text></svg>'
    )


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0;color:#222;background:#f4f5f7}
header{background:#9b1c1c;color:#fff;padding:22px 36px}header h1{margin:0;font-size:24px;letter-spacing:1px}
header p{margin:6px 0 0;opacity:.9;font-size:14px}main{padding:20px 36px;max-width:1280px}
.cards{display:flex;gap:16px;flex-wrap:wrap}.card{background:#fff;border-radius:8px;padding:16px 22px;box-shadow:0 1px 3px rgba(0,0,0,.08);min-width:150px}
.card .n{font-size:30px;font-weight:700}.card .l{color:#666;font-size:13px}.ok{color:#1e8449}.bad{color:#c0392b}
section{background:#fff;border-radius:8px;padding:18px 22px;margin:18px 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:19px;margin:0 0 12px}h3{font-size:16px;margin:16px 0 8px}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e5e5e5;padding:6px 8px;text-align:left;vertical-align:top}th{background:#fafafa;color:#555;font-weight:600}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-size:13px;color:#fff}.badge.pass{background:#27ae60}.badge.fail{background:#c0392b}
td:nth-child(2){white-space:nowrap}.sev-error{color:#c0392b;font-weight:600}.sev-warning{color:#b9770e}.sev-info{color:#2471a3}.muted{color:#888}
.chart text{font-size:13px;fill:#333}.donut{font-size:20px;font-weight:700;fill:#222}.flex{display:flex;gap:30px;align-items:center;flex-wrap:wrap}
code{background:#f2f2f2;padding:1px 4px;border-radius:3px}td.snip{max-width:340px;word-break:break-all}a{color:#1f4e9c}
details summary{cursor:pointer;color:#1f4e9c;margin:6px 0}footer{color:#888;font-size:12px;padding:10px 36px 30px}
"""


_EVIDENCE_LABELS = {
    "column": "栏目", "name": "栏目", "type": "类型", "newest": "最新日期", "age_days": "距基准日(天)",
    "period_days": "更新周期(天)", "n_items": "条目", "n_dated": "有日期条目", "status": "状态",
    "placeholder": "占位文字", "asked": "留言时间", "answered": "回复时间", "days": "天数",
    "title": "标题", "problem": "问题", "问题": "问题", "pages": "页面", "pages_missing": "缺失页面",
    "days_unanswered": "未回复(天)", "still_open": "仍未回复", "basis": "判断依据",
}
_STATUS_CN = {"fresh": "及时", "stale": "未及时更新", "empty": "空白", "substantive": "有内容", "unknown": "未知",
              "news": "动态要闻", "notice": "通知公告·政策文件", "plan": "人事·规划计划", "interaction": "互动",
              "other": "其他", "homepage": "首页", True: "是", False: "否"}


def _evidence_text(ev: dict) -> str:
    parts = []
    for key, value in ev.items():
        if key == "url" or value in (None, "", [], {}) or key not in _EVIDENCE_LABELS:
            continue
        if key in ("status", "type", "basis", "still_open"):
            value = _STATUS_CN.get(value, value)
        parts.append(f"{_EVIDENCE_LABELS[key]}：{value}")
    return "，".join(parts)


def _evidence_html(evidence: list) -> str:
    parts = []
    for ev in evidence[:20]:
        if isinstance(ev, dict):
            text = _evidence_text(ev)
            url = ev.get("url")
            link = f" {link_html(url)}" if url else ""
            parts.append(f"<li>{html.escape(text)}{link}</li>")
        else:
            parts.append(f"<li>{html.escape(str(ev))}</li>")
    more = f"<li class='muted'>另有 {len(evidence) - 20} 条</li>" if len(evidence) > 20 else ""
    return f"<ul>{''.join(parts)}{more}</ul>" if parts else ""


def write_html(out: Path, summary: dict, tally: _Tally | None = None) -> Path:
    if tally is None:
        tally = _Tally()
        for row in iter_findings(out):
            tally.add(row)
    per_site, overflow, by_family, by_code = tally.per_site, tally.overflow, tally.by_family, tally.by_code
    totals = summary["totals"]
    veto_fail: Counter = Counter()
    for site in summary["sites"]:
        for item in site["veto_items"]:
            if item["failed"] and item.get("veto", True):
                veto_fail[item["item"]] += 1
    h = html.escape
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>", CSP_META,
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>政府网站内容检查报告（截至{h(summary['as_of'])}）</title><style>{_CSS}</style></head><body>",
        "<header><h1>政府网站内容检查报告</h1>",
        f"<p>检查基准日：{h(summary['as_of'])}　检查对象：{h(summary['target'])}　生成时间：{h(summary['generated'])}"
        f"　页面 {summary['pages']} 个，用时 {summary['seconds']} 秒</p></header><main>",
        "<div class='cards'>",
        f"<div class='card'><div class='n'>{totals['sites']}</div><div class='l'>检查站点</div></div>",
        f"<div class='card'><div class='n ok'>{totals['passed']}</div><div class='l'>合格</div></div>",
        f"<div class='card'><div class='n bad'>{totals['failed']}</div><div class='l'>不合格</div></div>",
        (f"<div class='card'><div class='n bad'>{totals['undetermined']}</div><div class='l'>其中无法判定</div></div>"
         if totals.get("undetermined") else ""),
        f"<div class='card'><div class='n'>{totals['pass_rate'] if totals['pass_rate'] is not None else '-'}%</div>"
        "<div class='l'>总体合格率</div></div>",
        f"<div class='card'><div class='n'>{sum(by_code.values())}</div><div class='l'>发现问题</div></div></div>",
        "<section><h2>总体情况</h2><div class='flex'>",
        f"<div>{_donut(totals['passed'], totals['failed'])}<div class='muted' style='text-align:center'>合格率</div></div>",
        f"<div><h3>问题类型分布</h3>{_bar_chart(by_family.most_common(), '#2e86c1')}</div></div>",
        f"<h3>未通过的单项否决项（站点数）</h3>{_bar_chart(veto_fail.most_common())}",
        f"<h3>问题数量（按规则）</h3>{_bar_chart(by_code.most_common(15), '#7d3c98')}</section>",
    ]
    for damaged in summary.get("incomplete_inputs") or ():
        parts.append(f"<p class='bad'><strong>输入不完整：</strong>{h(damaged['error'])}（{h(damaged['at'])}）</p>")
    parts.append(_province_section(summary.get("province")))
    parts.append("<section><h2>站点结论</h2><table><tr><th>站点</th><th>结论</th><th>页面</th><th>问题</th><th>未通过项</th></tr>")
    for site in summary["sites"]:
        cls = "pass" if site["passed"] else "fail"
        failed = "；".join(f"{i['item']}" for i in site["veto_items"] if i["failed"] and i.get("veto", True)) or "—"
        parts.append(
            f"<tr><td><a href='#site-{h(site['site'])}'>{h(site['site'])}</a></td>"
            f"<td><span class='badge {cls}'>{h(site['verdict'])}</span></td><td>{site['pages']}</td>"
            f"<td>{site['findings']}</td><td>{h(failed)}</td></tr>"
        )
    parts.append("</table></section>")
    for site in summary["sites"]:
        cls = "pass" if site["passed"] else "fail"
        parts.append(
            f"<section id='site-{h(site['site'])}'><h2>{h(site['site'])} <span class='badge {cls}'>{h(site['verdict'])}</span></h2>"
            f"<p class='muted'>页面 {site['pages']} 个（无法检查 {site['failed_pages']} 个）{_hidden_note(site)}</p>"
            "<h3>单项否决指标</h3><table><tr><th>指标</th><th>结论</th><th>数量 / 阈值</th><th>依据</th><th>证据</th></tr>"
        )
        for item in site["veto_items"]:
            if not item["failed"]:
                verdict = "<span class='ok'>通过</span>"
            elif item.get("veto", True):
                verdict = "<span class='bad'>未通过</span>"
            else:
                verdict = "<span class='sev-warning'>提示（不否决）</span>"
            threshold = item.get("threshold")
            parts.append(
                f"<tr><td>{h(item['item'])}</td><td>{verdict}</td><td>{item.get('count', '')} / {h(str(threshold))}"
                f"{'（其中基线隐藏 %d）' % item['hidden_by_baseline'] if item.get('hidden_by_baseline') else ''}</td>"
                f"<td>{h(item.get('rule_source', ''))}</td><td>{_evidence_html(item.get('evidence') or [])}</td></tr>"
            )
        parts.append("</table>")
        rows = per_site.get(site["site"], [])
        hidden = sum((site.get("hidden_by_baseline") or {}).values())
        listed = site.get("findings_listed", site["findings"])
        parts.append(f"<h3>问题清单（{listed} 条" + (f"，另有 {hidden} 条已知问题被基线隐藏" if hidden else "") + "）</h3>")
        if rows:
            parts.append("<details open><summary>展开 / 收起</summary><table><tr><th>规则</th><th>程度</th><th>问题</th>"
                         "<th>网址 / 位置</th><th>原文</th><th>建议</th><th>依据</th></tr>")
            for r in rows:
                where = r.get("url") or r.get("source") or ""
                link = link_html(where)
                loc = f"{link}<br><span class='muted'>{h(r.get('scope') or '')}" + (
                    f" 行{r['line']}" if r.get("line") else "") + "</span>"
                parts.append(
                    f"<tr><td><code>{h(r['code'])}</code></td><td class='sev-{h(r['severity'])}'>"
                    f"{SEVERITY_LABELS.get(r['severity'], r['severity'])}</td><td>{h(r['message'])}</td><td class='snip'>{loc}</td>"
                    f"<td class='snip'>{h(r.get('match') or '')}</td><td>{h(_cell(r, 'suggestions'))}</td>"
                    f"<td>{h(r.get('rule_source') or '')}</td></tr>"
                )
            parts.append("</table></details>")
            if overflow[site["site"]]:
                parts.append(f"<p class='muted'>另有 {overflow[site['site']]} 条未在此列出，见 findings.csv / findings.xlsx。</p>")
        else:
            parts.append("<p class='muted'>未发现问题。</p>")
        parts.append("</section>")
    parts.append("</main><footer>由 qualitycheck 生成。单项否决依据：国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》；"
                 "栏目更新周期与阈值见 qualitycheck/defaults.toml。完整问题清单：findings.csv、findings.xlsx、findings.jsonl。</footer></body></html>")
    return write_text(out / "report.html", "".join(parts))


def _province_section(fig: dict | None) -> str:
    """The 通报's figures (summary.json "province", also province.json and notice.docx): by region
    and level, problem sites by category, the change since the last run."""
    if not fig:
        return ""
    h = html.escape
    rate = f"{fig['pass_rate']}%" if fig.get("pass_rate") is not None else "-"
    head = (f"<section><h2>全省情况（通报草稿：notice.docx，附件：annex.xlsx）</h2><p>名录网站 {fig['sites']} 个"
            + (f"（其中 {fig['unreachable_sites']} 个没有页面，计为站点无法访问）" if fig.get("unreachable_sites") else "")
            + f"，问题网站 {fig['failed']} 个，总体合格率 {rate}")
    cmp_ = fig.get("comparison") or {}
    if cmp_.get("pass_rate_change_pp") is not None:
        head += f"，比上次 {cmp_['pass_rate_change_pp']:+.2f} 个百分点；新增问题 {cmp_['new']} 项，已整改 {cmp_['fixed']} 项"
    parts = [head + "。</p>"]
    regions = [(name, g["pass_rate"] or 0) for name, g in fig.get("by_region", {}).items() if g["sites"]]
    if regions:
        parts.append(f"<h3>分地区合格率（%）</h3>{_bar_chart(regions, '#1e8449')}")
    for title, groups in (("分地区", fig.get("by_region", {})), ("分级别", fig.get("by_level", {}))):
        if groups:
            parts.append(f"<h3>{title}</h3><table><tr><th>{title[1:]}</th><th>网站</th><th>合格</th><th>问题网站</th>"
                         "<th>合格率</th></tr>")
            for name, g in groups.items():
                parts.append(f"<tr><td>{h(str(name))}</td><td>{g['sites']}</td><td>{g['passed']}</td><td>{g['failed']}</td>"
                             f"<td>{g['pass_rate'] if g['pass_rate'] is not None else '-'}</td></tr>")
            parts.append("</table>")
    categories = [(f"{head_}·{cat}", names) for head_, cats in fig.get("by_category", {}).items()
                  for cat, names in cats.items()]
    categories += [(f"基本信息不规范·{cat}", names) for cat, names in fig.get("by_mark_category", {}).items()]
    if fig.get("dead_link_site_names"):
        categories.append(("死链", fig["dead_link_site_names"]))
    if categories:
        parts.append("<h3>问题网站（按类别）</h3><table><tr><th>类别</th><th>网站数</th><th>网站</th></tr>")
        for cat, names in categories:
            parts.append(f"<tr><td>{h(cat)}</td><td>{len(names)}</td><td>{h('、'.join(names))}</td></tr>")
        parts.append("</table>")
    parts.append("</section>")
    return "".join(parts)


def _hidden_note(site: dict) -> str:
    """Every report says what a baseline hid: hidden findings still count in the verdict."""
    hidden = sum((site.get("hidden_by_baseline") or {}).values())
    if not hidden:
        return ""
    codes = "、".join(f"{code} {n} 条" for code, n in site["hidden_by_baseline"].items())
    return f"　<strong>基线隐藏已知问题 {hidden} 条（{html.escape(codes)}），结论仍按全部问题判定</strong>"


def write_reports(out: Path, summary: dict) -> dict[str, Path]:
    """findings.csv, findings.xlsx and report.html, each on its own: a failure is recorded in
    summary["report_errors"] and the others are still written."""
    from .guard import run_writer

    failures = summary.setdefault("report_errors", [])
    tally = run_writer("findings.csv / findings.xlsx", lambda: write_tables(out, summary), failures)
    report = run_writer("report.html", lambda: write_html(out, summary, tally), failures)
    written = {"html": report, "csv": out / "findings.csv", "xlsx": out / "findings.xlsx"}
    return {k: v for k, v in written.items() if v is not None and Path(v).exists()}
