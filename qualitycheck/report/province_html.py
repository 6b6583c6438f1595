"""province.html: the province view of a run (pass rates by region and level, veto-item counts,
problem sites by category, the comparison with earlier runs), self-contained with inline SVG charts.
Every name shown comes from a registry or crawled host names and is HTML-escaped."""

from __future__ import annotations

from html import escape as h
from pathlib import Path

from .atomic import write_text
from .safe import CSP_META
from .site import _bar_chart


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _rate_rows(groups: dict[str, dict]) -> str:
    return "".join(
        f"<tr><td>{h(name)}</td><td>{g['sites']}</td><td>{g['passed']}</td><td>{g['failed']}</td>"
        f"<td>{_pct(g['pass_rate'])}</td></tr>"
        for name, g in groups.items())


def write_province_html(path: Path, fig: dict) -> Path:
    parts = ["<!doctype html><html lang='zh-CN'><meta charset='utf-8'>", CSP_META, "<title>全省政府网站抽查情况</title>",
             "<style>body{font-family:sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:4px 8px}svg text{font-size:13px}</style>",
             f"<h1>全省政府网站抽查情况</h1><p>抽查网站 {fig['sites']} 个，问题网站 {fig['failed']} 个，总体合格率 "
             f"{_pct(fig['pass_rate'])}。</p>"]
    cmp_ = fig.get("comparison")
    if cmp_:
        change = cmp_["pass_rate_change_pp"]
        parts.append(f"<p>与上次相比：合格率变化 {'—' if change is None else change} 个百分点；新增问题 {len(cmp_['new'])} 项，"
                     f"已整改 {len(cmp_['fixed'])} 项，仍存在 {len(cmp_['persisting'])} 项。</p>")
    head = "<tr><th>{}</th><th>抽查网站</th><th>合格</th><th>问题网站</th><th>合格率</th></tr>"
    parts.append(f"<h2>分地区</h2><table>{head.format('地区')}{_rate_rows(fig['by_region'])}</table>")
    parts.append(_bar_chart([(name, g["failed"]) for name, g in fig["by_region"].items()]))
    parts.append(f"<h2>分级别</h2><table>{head.format('级别')}{_rate_rows(fig['by_level'])}</table>")
    parts.append("<h2>单项否决项（问题网站数）</h2>" + _bar_chart(list(fig["veto_item_sites"].items())))
    parts.append("<h2>扣分项（网站数）</h2>" + _bar_chart(list(fig["deduction_item_sites"].items()), "#e67e22"))
    parts.append("<h2>问题网站（按类别）</h2>")
    for cat_head, cats in fig["by_category"].items():
        parts.append(f"<h3>{h(cat_head)}</h3><ul>")
        parts += [f"<li>{h(cat)}：{h('、'.join(sites))}</li>" for cat, sites in cats.items()]
        parts.append("</ul>")
    parts.append("<footer>由 qualitycheck 生成；数字见 province.json，通报草稿见 notice.docx，附件见 annex.xlsx。</footer></html>")
    return write_text(path, "".join(parts))
