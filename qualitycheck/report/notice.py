"""The quarter's 通报 draft (notice.docx) and its annex (annex.xlsx), from the province figures.

Plain Word structure (real headings and tables) laid out after GB/T 9704-2012: title, 主送, body with
一、(一)1. levels, 附件, 落款 and date. Site names and evidence come from crawled pages or a registry
and are hostile: control characters are dropped and spreadsheet formulas neutralised."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from .province import DEAD_LINK_HEADING, MARK_HEADING, category_of, figures_digest, province_figures
from .atomic import atomic_path, write_text
from .guard import run_writer
from .province_html import write_province_html
from .sheets import clean_text, write_sheet

def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _quarter(as_of: str) -> str:
    try:
        d = date.fromisoformat(as_of[:10])
    except ValueError:
        return "本季度"
    return f"{d.year}年第{'一二三四'[(d.month - 1) // 3]}季度"


def _names(names: list[str]) -> str:
    return "、".join(f"“{clean_text(n, 80)}”" for n in names)


def notice_paragraphs(fig: dict, *, issuer: str, recipients: str) -> list[tuple[str, str]]:
    """(style, text) pairs of the notice body: the text is generated from the figures only."""
    quarter = _quarter(fig.get("as_of", ""))
    out: list[tuple[str, str]] = [
        ("Title", f"{issuer}关于{quarter}全省政府网站抽查情况的通报"),
        ("Normal", f"{recipients}："),
        ("Body", f"根据《国务院办公厅关于印发政府网站发展指引的通知》（国办发〔2017〕47号）要求，{issuer}组织开展了"
                 f"{quarter}全省政府网站抽查。现将有关情况通报如下。"),
        ("Heading 1", "一、总体情况"),
    ]
    text = (f"本次共抽查政府网站{fig['sites']}个，发现问题网站{fig['failed']}个，总体合格率为{_pct(fig['pass_rate'])}")
    cmp_ = fig.get("comparison")
    if cmp_ and cmp_.get("pass_rate_change_pp") is not None:
        change = cmp_["pass_rate_change_pp"]
        text += ("，与上次抽查持平" if change == 0 else
                 f"，比上次抽查{'提高' if change > 0 else '下降'}{abs(change):.2f}个百分点")
    text += "。"
    full = [r for r, g in fig["by_region"].items() if g["sites"] and g["passed"] == g["sites"]]
    if full:
        text += f"其中，{'、'.join(clean_text(r, 40) for r in full)}抽查合格率为100%。"
    out.append(("Body", text))
    region_text = "；".join(f"{clean_text(r, 40)}抽查{g['sites']}个，问题网站{g['failed']}个，合格率{_pct(g['pass_rate'])}"
                            for r, g in fig["by_region"].items())
    if region_text:
        out.append(("Body", f"分地区看，{region_text}。"))
    level_text = "；".join(f"{clean_text(lv, 20)}级网站{g['sites']}个，合格率{_pct(g['pass_rate'])}"
                           for lv, g in fig["by_level"].items())
    if level_text:
        out.append(("Body", f"分级别看，{level_text}。"))
    out.append(("Heading 1", "二、存在问题"))
    numerals = "一二三四五六七八九十"
    if not fig["by_category"]:
        out.append(("Body", "本次抽查未发现单项否决问题。"))
    for n, (head, cats) in enumerate(fig["by_category"].items()):
        out.append(("Heading 2", f"（{numerals[n % 10]}）{head}。"))
        for k, (cat, sites) in enumerate(cats.items(), 1):
            out.append(("Body", f"{k}. {cat}。{_names(sites)}等{len(sites)}个网站存在{cat}问题。"))
    section = len(fig["by_category"])
    marks = fig.get("by_mark_category") or {}
    if marks:
        out.append(("Heading 2", f"（{numerals[section % 10]}）{MARK_HEADING}。"))
        section += 1
        for k, (cat, sites) in enumerate(marks.items(), 1):
            out.append(("Body", f"{k}. {cat}。{_names(sites)}等{len(sites)}个网站未按要求展示{cat}。"))
    dead = fig.get("dead_link_site_names") or []
    if dead:
        out.append(("Heading 2", f"（{numerals[section % 10]}）{DEAD_LINK_HEADING}。"))
        section += 1
        out.append(("Body", f"{_names(dead)}等{len(dead)}个网站存在链接无法访问的问题。"))
    if cmp_:
        out.append(("Heading 2", f"（{numerals[section % 10]}）整改情况。"))
        rect = cmp_["rectification"]
        open_ = sorted({r["name"] for r in rect if r["status"] == "未整改"})
        out.append(("Body", f"上次抽查发现的{len(rect)}项问题中，已整改{sum(r['status'] == '已整改' for r in rect)}项，"
                            f"仍未整改{sum(r['status'] == '未整改' for r in rect)}项，未复查{sum(r['status'] == '未复查' for r in rect)}项；"
                            f"本次新发现问题{len(cmp_['new'])}项。"))
        if open_:
            out.append(("Body", f"{_names(open_)}截至本次抽查仍未整改到位。"))
        if cmp_["failing_every_run"] and cmp_["consecutive_runs"] > 1:
            out.append(("Body", f"{_names(cmp_['failing_every_run'])}连续{cmp_['consecutive_runs']}次抽查发现存在问题。"))
    out += [
        ("Heading 1", "三、下一步工作"),
        ("Body", "各地区、各部门要切实履行政府网站管理职责，对本次通报的问题网站立即组织整改，"
                 "整改情况于通报印发之日起15个工作日内报送。要扎实开展常态化监测，落实信息发布审核制度，"
                 "对监测发现的问题及时督促整改。"),
        ("Body", "附件：问题网站名单（见annex.xlsx）"),
    ]
    return out


DEFAULT_ISSUER = "省政府办公厅"
DEFAULT_RECIPIENTS = "各市（州）人民政府办公室，省政府各部门办公室"
RED = "C00000"


def _red_rule(paragraph) -> None:
    """The red separator line under the 版头 (GB/T 9704-2012 7.2.6): a paragraph bottom border."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "1"), ("color", RED)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    ppr.append(borders)


def write_notice_docx(path: Path, fig: dict, *, issuer: str = DEFAULT_ISSUER,
                      recipients: str = DEFAULT_RECIPIENTS, signed: str | None = None,
                      doc_number: str | None = None) -> Path:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    sec = doc.sections[0]
    # GB/T 9704-2012: A4, top margin 37 mm, left 28 mm, text block 156 x 225 mm.
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    for name, font, size in (("Normal", "仿宋", 16), ("Title", "方正小标宋简体", 22),
                             ("Heading 1", "黑体", 16), ("Heading 2", "楷体", 16)):
        style = doc.styles[name]
        style.font.name, style.font.size = font, Pt(size)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        style.font.bold = False
        style.font.color.rgb = None
    # 版头: 发文机关标志 in red, 发文字号, the red line (GB/T 9704-2012 7.2). The number is the
    # office's to give: a blank to fill unless --notice-number says it.
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(clean_text(issuer, 60))
    run.font.size, run.font.color.rgb = Pt(36), RGBColor.from_string(RED)
    run.font.name = "方正小标宋简体"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "方正小标宋简体")
    number = doc.add_paragraph(clean_text(doc_number, 60) if doc_number else f"〔{_year(fig)}〕　号")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _red_rule(number)
    for style_name, text in notice_paragraphs(fig, issuer=issuer, recipients=recipients):
        text = clean_text(text, 5000)
        if style_name == "Title":
            p = doc.add_paragraph(text, style="Title")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif style_name.startswith("Heading"):
            p = doc.add_heading(text, level=int(style_name[-1]))
        else:
            p = doc.add_paragraph(text)
            if style_name == "Body":
                p.paragraph_format.first_line_indent = Pt(32)
    sign_date = signed or _cn_date(date.today())
    for text in (issuer, sign_date):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_page_break()
    doc.add_paragraph("附件", style="Heading 1")
    doc.add_paragraph("问题网站名单", style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, ("序号", "网站名称", "地区", "问题")):
        cell.text = head
    for n, row in enumerate((r for r in fig["site_rows"] if not r["passed"]), 1):
        cells = table.add_row().cells
        cells[0].text = str(n)
        cells[1].text = clean_text(row["name"], 100)
        cells[2].text = clean_text(row["region"], 40)
        cells[3].text = "、".join(clean_text(i["item"], 40) for i in row["failed_items"])
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return path


def _year(fig: dict) -> int:
    try:
        return date.fromisoformat(str(fig.get("as_of", ""))[:10]).year
    except ValueError:
        return date.today().year


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def write_annex_xlsx(path: Path, fig: dict) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    rows = []
    for row in fig["site_rows"]:
        for item in row["failed_items"]:
            head, cat = category_of(item["item"])
            evidence = "；".join(_evidence(e) for e in item.get("evidence", []))
            rows.append([len(rows) + 1, row["name"], row["site"], row["region"], row["level"], row["organiser"],
                         f"{head}·{cat}", item["item"], item.get("count", 0), evidence])
    write_sheet(wb, "问题网站", ["序号", "网站名称", "网站", "地区", "级别", "主办单位", "问题类别", "单项否决项", "数量", "证据"],
                rows)
    write_sheet(wb, "分地区", ["地区", "抽查网站", "合格", "问题网站", "合格率(%)"],
                [[name, g["sites"], g["passed"], g["failed"], g["pass_rate"] if g["pass_rate"] is not None else "—"]
                 for name, g in fig["by_region"].items()])
    cmp_ = fig.get("comparison")
    if cmp_:
        write_sheet(wb, "整改情况", ["网站名称", "网站", "问题", "状态"],
                    [[r["name"], r["site"], r["item"], r["status"]] for r in cmp_["rectification"]])
    with atomic_path(path) as tmp:
        wb.save(str(tmp))
    return path


def _evidence(ev: object) -> str:
    if isinstance(ev, dict):
        parts = [str(ev.get(k, "")) for k in ("url", "text", "detail", "message") if ev.get(k)]
        return clean_text(" ".join(parts) or json.dumps(ev, ensure_ascii=False), 300)
    return clean_text(ev, 300)


def write_notice(out: Path, summary: dict, *, registry=None, previous: list[dict] | None = None,
                 signed: str | None = None, issuer: str | None = None, doc_number: str | None = None) -> dict:
    """province.json, province.html, notice.docx and annex.xlsx beside report.html; the province
    figures also go into summary.json and report.html. Returns the figures."""
    regions = sorted({e.region for e in registry if e.region}) if registry is not None else ()
    fig = province_figures(summary, registry, previous, regions)
    out = Path(out)
    failures = summary.setdefault("report_errors", [])
    as_json = lambda data: json.dumps(data, ensure_ascii=False, indent=2, default=str)  # noqa: E731
    run_writer("province.json", lambda: write_text(out / "province.json", as_json(fig)), failures)
    summary["province"] = figures_digest(fig)
    if "totals" in summary:  # a lint-site summary: its report.html shows the province figures too
        from .site import write_html

        run_writer("report.html", lambda: write_html(out, summary), failures)
    run_writer("notice.docx", lambda: write_notice_docx(out / "notice.docx", fig, signed=signed,
                                                         issuer=issuer or DEFAULT_ISSUER, doc_number=doc_number),
               failures)
    run_writer("annex.xlsx", lambda: write_annex_xlsx(out / "annex.xlsx", fig), failures)
    run_writer("province.html", lambda: write_province_html(out / "province.html", fig), failures)
    # Last, so that it lists every failure above.
    run_writer("summary.json", lambda: write_text(out / "summary.json", as_json(summary)), failures)
    return fig
