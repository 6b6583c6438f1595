"""findings.xlsx and annex.xlsx as an inspector opens them in Excel or WPS: filterable, frozen,
fitted, numbers as numbers, one sheet per site, repeated findings once; and never broken or turned
into formulas by what a hacked page says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from qualitycheck.api import check_document
from qualitycheck.cli import main
from qualitycheck.extract.page import read_page
from qualitycheck.inspect import page_document
from qualitycheck.report.site import write_tables

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_workbook(tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx")
    CliRunner().invoke(main, ["lint-site", str(ROOT / "examples" / "site"), "--as-of", "2025-06-30", "--out",
                              str(out), "--no-lm"], catch_exceptions=False)
    rows = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    return load_workbook(out / "findings.xlsx"), rows


def _table(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_every_sheet_is_ready_to_filter(demo_workbook):
    wb, _ = demo_workbook
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", ws.title
        assert all(c.font.bold for c in ws[1]), ws.title
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(w and w >= 6 for w in widths), (ws.title, widths)
    problem = wb["www.demo-b.gov.cn"]
    header = [c.value for c in problem[1]]
    # the message column is wider than the code column: widths follow the content
    assert problem.column_dimensions["D"].width > problem.column_dimensions["A"].width
    assert header[:4] == ["规则", "名称", "严重程度", "问题"]


def test_numbers_are_numbers(demo_workbook):
    wb, _ = demo_workbook
    for row in _table(wb["站点结论"]):
        assert isinstance(row["页面数"], int) and isinstance(row["问题数"], int)
    for row in _table(wb["www.demo-b.gov.cn"]):
        assert isinstance(row["出现页数"], int) and row["出现页数"] >= 1
        assert row["行"] is None or isinstance(row["行"], int)


def test_a_footer_block_on_every_page_is_one_row_per_link(demo_workbook):
    wb, rows = demo_workbook
    injected = [r for r in rows if r["site"] == "www.demo-b.gov.cn" and r["code"] == "QC501"]
    links = {r["evidence"]["href"] for r in injected}
    assert len(injected) > len(links) >= 2  # the same links on many pages
    sheet = [r for r in _table(wb["www.demo-b.gov.cn"]) if r["规则"] == "QC501"]
    assert len(sheet) == len(links)
    assert sum(r["出现页数"] for r in sheet) == len(injected)
    assert all(r["出现页数"] > 1 and r["网址"] for r in sheet)


def test_identical_links_on_one_page_are_one_finding_with_a_count():
    link = '<a href="http://365bet.example/">365bet体育</a>'
    html = f"<html><body><h1>通知</h1><p>正文内容。</p><div>{link}{link}{link}</div></body></html>"
    page = read_page(html.encode("utf-8"), source="t.html", url="http://www.example.gov.cn/a.html")
    found = [f for f in check_document(page_document(page)) if f.code == "QC501"]
    assert len(found) == 1
    assert found[0].evidence["count"] == 3 and "出现 3 次" in found[0].message


def test_hostile_cells_never_break_the_file_or_run(tmp_path):
    hostile = [
        {"site": "www.x.gov.cn", "code": "QC501", "name": "security.injected-link", "severity": "error",
         "message": "疑似赌博暗链：“\x07铃声\x1b” → =HYPERLINK(\"http://evil\")", "url": "http://www.x.gov.cn/a.html",
         "source": "a.html", "scope": "link", "span": None, "line": None, "column": None,
         "match": "=1+2", "suggestions": ["@SUM(A1)"], "rule_id": "gambling-term", "rule_source": "-cmd|' /C calc'!A0",
         "fingerprint": "f1", "evidence": {"href": "=HYPERLINK(\"http://evil\")", "count": 1}},
    ]
    (tmp_path / "findings.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in hostile),
                                             encoding="utf-8")
    summary = {"sites": [{"site": "www.x.gov.cn", "verdict": "不合格", "pages": 1, "findings": 1,
                          "veto_items": [{"item": "严重问题", "failed": True, "count": 1}]}]}
    write_tables(tmp_path, summary)
    wb = load_workbook(tmp_path / "findings.xlsx")
    row = _table(wb["www.x.gov.cn"])[0]
    for ws in wb.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    assert row["原文"] == "'=1+2" and row["建议"] == "'@SUM(A1)" and row["依据"].startswith("'-cmd")
    assert "\\x07铃声\\x1b" in row["问题"]  # shown, not dropped silently, and not a raw control character
    csv_text = (tmp_path / "findings.csv").read_text(encoding="utf-8-sig")
    assert "\x07" not in csv_text and ",'=1+2," in csv_text


def test_sheet_names_are_legal_and_unique(tmp_path):
    rows, sites = [], []
    for name in ("a.gov.cn/x:y", "a.gov.cn/x?y", "b" * 40 + ".gov.cn"):
        sites.append({"site": name, "verdict": "不合格", "pages": 1, "findings": 1, "veto_items": []})
        rows.append({"site": name, "code": "QC102", "name": "typo.repeated-char", "severity": "error",
                     "message": "重复", "url": None, "source": "p.html", "scope": "body", "span": {"start": 0, "end": 1},
                     "line": 1, "column": 1, "match": "的", "suggestions": [""], "rule_id": None, "rule_source": None,
                     "fingerprint": name})
    (tmp_path / "findings.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    write_tables(tmp_path, {"sites": sites})
    names = load_workbook(tmp_path / "findings.xlsx").sheetnames
    assert len(names) == 4 and len(set(n.lower() for n in names)) == 4
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
