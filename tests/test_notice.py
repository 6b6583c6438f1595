"""The quarter's 通报: province figures against an independent count of planted problems,
two runs compared, the .docx and annex readable and safe."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from province_fixture import GAMBLING_ITEM, N_SITES, REGIONS, UNREACHABLE_ITEM, build_province, host, region

ROOT = Path(__file__).resolve().parents[1]
QC = str(Path(sys.executable).with_name("qualitycheck"))


def _lint(target: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([QC, "lint-site", str(target), "--as-of", "2025-06-30",
                           "--no-lm", "--out", str(out), *extra], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("province")
    p1 = build_province(root / "q1", 1)
    r1 = _lint(root / "q1" / "pages", root / "out1", "--registry", str(root / "q1" / "registry.csv"))
    assert r1.returncode == 1, r1.stderr
    p2 = build_province(root / "q2", 2)
    r2 = _lint(root / "q2" / "pages", root / "out2", "--registry", str(root / "q2" / "registry.csv"),
               "--previous", str(root / "out1"), "--notice-issuer", "四川省人民政府办公厅",
               "--notice-number", "川办函〔2025〕12号", "--notice-date", "2025-07-05")
    assert r2.returncode == 1, r2.stderr
    return {"root": root, "planted": (p1, p2), "stdout2": r2.stdout,
            "fig1": json.loads((root / "out1" / "province.json").read_text(encoding="utf-8")),
            "fig2": json.loads((root / "out2" / "province.json").read_text(encoding="utf-8"))}


def test_province_figures_match_planted_problems(province):
    planted, fig = province["planted"][0], province["fig1"]
    failing = set(planted)
    assert fig["sites"] == N_SITES
    assert fig["failed"] == len(failing)
    assert fig["pass_rate"] == round(100 * (N_SITES - len(failing)) / N_SITES, 2)
    for name in REGIONS:
        in_region = [n for n in range(N_SITES) if region(n) == name]
        bad = [n for n in in_region if host(n) in failing]
        g = fig["by_region"][name]
        assert (g["sites"], g["failed"]) == (len(in_region), len(bad)), name
    assert fig["by_region"][REGIONS[0]]["pass_rate"] == 100.0
    rows = {r["site"]: {i["item"] for i in r["failed_items"]} for r in fig["site_rows"]}
    for h, items in planted.items():
        assert rows[h] == items, h
    assert fig["veto_item_sites"][GAMBLING_ITEM] == sum(GAMBLING_ITEM in v for v in planted.values())
    assert fig["veto_item_sites"][UNREACHABLE_ITEM] == 2


def test_two_runs_compared(province):
    p1, p2 = province["planted"]
    pairs1 = {(h, i) for h, v in p1.items() for i in v}
    pairs2 = {(h, i) for h, v in p2.items() for i in v}
    cmp_ = province["fig2"]["comparison"]
    as_set = lambda rows: {(r["site"], r["item"]) for r in rows}  # noqa: E731
    assert as_set(cmp_["new"]) == pairs2 - pairs1
    assert as_set(cmp_["fixed"]) == pairs1 - pairs2
    assert as_set(cmp_["persisting"]) == pairs1 & pairs2
    rate1 = round(100 * (N_SITES - len(p1)) / N_SITES, 2)
    rate2 = round(100 * (N_SITES - len(p2)) / N_SITES, 2)
    assert cmp_["pass_rate_change_pp"] == round(rate2 - rate1, 2)
    assert {r["status"] for r in cmp_["rectification"] if (r["site"], r["item"]) in pairs1 - pairs2} == {"已整改"}
    assert len(cmp_["failing_every_run"]) == len(set(p1) & set(p2))
    assert f"新增问题 {len(pairs2 - pairs1)} 项" in province["stdout2"]


def test_notice_docx_is_plain_word_and_passes_check(province):
    from docx import Document

    path = province["root"] / "out2" / "notice.docx"
    doc = Document(str(path))
    styles = [p.style.name for p in doc.paragraphs]
    assert "Title" in styles and styles.count("Heading 1") >= 3
    text = "\n".join(p.text for p in doc.paragraphs)
    fig = province["fig2"]
    assert f"总体合格率为{fig['pass_rate']:.2f}%" in text
    assert "一、总体情况" in text and "二、存在问题" in text and "三、下一步工作" in text
    assert "个百分点" in text and "仍未整改到位" in text
    assert len(doc.tables[0].rows) == fig["failed"] + 1
    res = subprocess.run([QC, "check", str(path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_notice_has_its_header_number_date_and_every_heading(province):
    from docx import Document

    out = province["root"] / "out2"
    doc = Document(str(out / "notice.docx"))
    paragraphs = doc.paragraphs
    head = paragraphs[0]
    assert head.text == "四川省人民政府办公厅"
    assert all(str(r.font.color.rgb) == "C00000" for r in head.runs)  # 发文机关标志 in red
    assert paragraphs[1].text == "川办函〔2025〕12号"
    assert 'w:color="C00000"' in paragraphs[1]._p.xml  # the red separator line
    texts = [p.text for p in paragraphs]
    assert texts[texts.index("四川省人民政府办公厅", 2) + 1] == "2025年7月5日"  # 落款 and 成文日期
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    fig = province["fig2"]
    # 基本信息不规范: one heading, one numbered paragraph per identity mark some site lacks
    marks = {}
    for site in summary["sites"]:
        for code, n in site["findings_by_code"].items():
            if code in ("QC401", "QC402") and n:
                marks.setdefault("网站标识码", set()).add(site["site"])
            if code == "QC408" and n:
                marks.setdefault("找错入口", set()).add(site["site"])
    for cat, sites in marks.items():
        assert len(fig["by_mark_category"][cat]) == len(sites)
        assert any(t.startswith(f"{list(fig['by_mark_category']).index(cat) + 1}. {cat}。") for t in texts), cat
    if marks:
        assert any(t.endswith("基本信息不规范。") for t in texts)
    # the same figures in summary.json and report.html, traceable to province.json
    assert summary["province"]["pass_rate"] == fig["pass_rate"]
    assert summary["province"]["unreachable_sites"] == 2 and "site_rows" not in summary["province"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "全省情况" in report and f"总体合格率 {fig['pass_rate']}%" in report and "分地区合格率" in report
    assert "其中 2 个在名录中但没有页面" in province["stdout2"]


def test_hostile_names_escaped_in_docx_and_xlsx(tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    from qualitycheck.report.notice import write_notice

    evil = "=HYPERLINK(\"http://x\",\"y\")\x07\x1b"
    summary = {"as_of": "2025-09-30", "sites": [{"site": evil, "dead_links": 0, "veto_items": [
        {"item": "空白栏目", "failed": True, "count": 1, "evidence": [{"url": "+cmd|' /C calc'!A0"}]}]}]}
    write_notice(tmp_path, summary)
    doc = Document(str(tmp_path / "notice.docx"))
    assert "\x07" not in "".join(p.text for p in doc.paragraphs)
    ws = load_workbook(tmp_path / "annex.xlsx")["问题网站"]
    cells = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert cells and all(not c.startswith(("=", "+", "-", "@")) for c in cells)
    assert not any("\x1b" in c for c in cells)


def test_region_without_sites_is_not_100_percent(tmp_path):
    from qualitycheck.report.province import province_figures

    fig = province_figures({"sites": []}, regions=["空地区"])
    assert fig["by_region"]["空地区"]["pass_rate"] is None and fig["pass_rate"] is None


def test_bad_previous_is_a_usage_error(tmp_path):
    (tmp_path / "summary.json").write_text("{broken", encoding="utf-8")
    res = _lint(ROOT / "examples" / "site", tmp_path / "out", "--previous", str(tmp_path))
    assert res.returncode == 2 and "无法读取上次运行的结果" in res.stderr


def test_notice_converts_to_pdf_with_libreoffice(province, tmp_path):
    import shutil

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed (scripts/test.sh installs it)")
    src = province["root"] / "out2" / "notice.docx"
    res = subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                         capture_output=True, text=True, timeout=180,
                         env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    pdf = tmp_path / "notice.pdf"
    assert pdf.exists(), res.stdout + res.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    # The first page rendered as PNG (what docs/notice-page1.png shows): a real image with text on it.
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) not installed: the PDF was checked, the page render was not")
    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    png = next(tmp_path.glob("page*.png"))
    data = png.read_bytes()
    # A blank A4 page at 60 dpi compresses to about 1 kB; a page of Chinese text is far larger.
    assert data.startswith(b"\x89PNG") and len(data) > 8000, len(data)


def test_bundled_example_notice(tmp_path):
    # examples/site/README.md: demo-a is the clean site, demo-b carries the planted problems
    # (a stale home page, blank column, unanswered messages, hidden gambling links).
    res = _lint(ROOT / "examples" / "site", tmp_path, "--registry", str(ROOT / "examples" / "registry.csv"))
    assert res.returncode == 1, res.stderr
    fig = json.loads((tmp_path / "province.json").read_text(encoding="utf-8"))
    assert (fig["sites"], fig["failed"], fig["pass_rate"]) == (2, 1, 50.0)
    assert fig["by_level"]["县"]["sites"] == 2
    cats = fig["by_category"]
    assert cats["安全防护"]["赌博链接"] == ["示例县人民政府（乙）"]
    assert set(cats["网站管理不到位"]) >= {"空白栏目", "互动回应"}
    assert "通报草稿" in res.stdout and (tmp_path / "province.html").is_file()


def test_province_html_escapes_names(tmp_path):
    from qualitycheck.report.notice import write_notice

    summary = {"as_of": "2025-09-30", "sites": [{"site": "<script>alert(1)</script>", "veto_items": [
        {"item": "空白栏目", "failed": True, "count": 1}]}]}
    fig = write_notice(tmp_path, summary)
    page = (tmp_path / "province.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "问题网站 1 个" in page and fig["failed"] == 1


def test_missing_identity_marks_are_named_under_their_own_heading(tmp_path):
    """The demo's failing site shows no 网站标识码 and no 找错 entry: 基本信息不规范 names it twice."""
    from docx import Document

    done = _lint(ROOT / "examples" / "site", tmp_path / "out", "--registry", str(ROOT / "examples" / "registry.csv"))
    assert done.returncode == 1, done.stderr
    texts = [p.text for p in Document(str(tmp_path / "out" / "notice.docx")).paragraphs]
    heading = next(i for i, t in enumerate(texts) if t.endswith("基本信息不规范。"))
    assert texts[heading + 1].startswith("1. 网站标识码。") and "未按要求展示网站标识码" in texts[heading + 1]
    assert texts[heading + 2].startswith("2. 找错入口。")
    assert subprocess.run([QC, "check", str(tmp_path / "out" / "notice.docx")], capture_output=True).returncode == 0
