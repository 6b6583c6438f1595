"""QC505: spam spliced into text, titles, alt text and title attributes is found in `check` (text,
HTML, .docx) and in lint-site; real official text about gambling, lotteries, porn and invoices is not."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualitycheck.api import check_document, check_html, check_text
from qualitycheck.checks.spam_text import load_lexicon, spam_lexicon
from qualitycheck.cli import main
from qualitycheck.config import Config
from qualitycheck.errors import DictionaryError
from qualitycheck.extract.loader import document_from_bytes
from qualitycheck.extract.page import read_page
from qualitycheck.inspect import page_document
from qualitycheck.batch import lint_site

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed"
PARAS = ["各乡镇、各有关部门要充分认识做好秋粮收购工作的重要意义，切实加强组织领导，明确责任分工。",
         "粮食部门要提前做好仓容准备，合理布设收购网点，及时足额兑付售粮款，切实保护种粮农民利益。",
         "市场监管部门要加强粮食市场监督检查，严厉查处压级压价、短斤少两等违法违规行为。",
         "各地要认真总结经验，完善工作机制，确保秋粮收购工作平稳有序开展，重要情况及时报告。"]
CLEAN = "县政府召开常务会议，研究部署当前重点工作，要求各部门压实责任、狠抓落实，确保各项任务按期完成。"


def qc505(found):
    return [f for f in found if f.code == "QC505"]


def page(title: str, body: str, *, extra: str = "") -> str:
    return (f"<html><head><title>{title}_某县人民政府</title></head><body><h1>{title}</h1>"
            f"<div class='info'>发布时间：2024-09-01</div><div class='content'>"
            + "".join(f"<p>{p}</p>" for p in PARAS[:2]) + f"<p>{body}</p>"
            + "".join(f"<p>{p}</p>" for p in PARAS[2:]) + f"{extra}</div></body></html>")


def both_paths(html: str) -> tuple[list, list]:
    """`check page.html` and lint-site's page path, QC505 only."""
    checked = qc505(check_html(html, select=["QC505"]))
    doc = page_document(read_page(html.encode("utf-8"), source="p.html", url="http://www.example.gov.cn/a/1.html"))
    linted = qc505(check_document(doc, Config.from_dict({"select": ["QC505"]})))
    return checked, linted


# --- the term list tests itself ----------------------------------------------------------

def test_every_entry_is_cited_and_its_examples_behave():
    lex = spam_lexicon()
    assert len(lex.rules) >= 10
    for rule in lex.rules:
        assert rule.source and rule.spam_examples and rule.clean_examples, rule.id
        for text in rule.spam_examples:
            found = qc505(check_text(text, select=["QC505"]))
            assert found, (rule.id, text)
            assert any(rule.id in f.evidence["rules"] for f in found) or all(
                f.evidence["strength"] != "generic" for f in found), (rule.id, text, [f.rule_id for f in found])
        for text in rule.clean_examples:
            assert qc505(check_text(text, select=["QC505"])) == [], (rule.id, text)


def test_a_broken_term_list_is_a_clear_chinese_error(tmp_path):
    (tmp_path / "bad.yaml").write_text("window: 10\nentries:\n  - id: X-1\n    kind: 赌博\n    strength: strong\n"
                                       "    terms: [abc]\n    source: [INJ-001]\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="strength"):
        load_lexicon(tmp_path)
    (tmp_path / "bad.yaml").write_text("entries:\n  - id: X-2\n    kind: 赌博\n    strength: brand\n    terms: [abc]\n",
                                       encoding="utf-8")
    with pytest.raises(DictionaryError, match="source"):
        load_lexicon(tmp_path)


# --- plain text and the seed notice -------------------------------------------------------

@pytest.mark.skipif(not SEED.is_dir(), reason="shared seed notice not present")
def test_check_on_the_seed_notice_reports_the_spliced_brand():
    result = CliRunner().invoke(main, ["check", str(next(SEED.glob("*.txt"))), "--format", "json"])
    assert result.exit_code == 1
    files = json.loads(result.output)["files"]
    found = [f for f in files[0]["findings"] if f["code"] == "QC505"]
    assert [f["match"].lower() for f in found] == ["365bet"]
    assert found[0]["severity"] == "error" and "三农资讯" in found[0]["evidence"]["line"]


def test_one_spam_line_is_one_finding_with_its_span():
    text = "关于做好秋粮收购工作的通知\n" + CLEAN + "\nbet365娱乐网址首页欢迎您，bet365在线投注\n" + CLEAN + "\n"
    found = qc505(check_text(text, select=["QC505"]))
    assert len(found) == 1
    f = found[0]
    assert text[f.span.start:f.span.end] == "bet365" and f.line == 3 and f.evidence["terms"] == ["bet365", "bet365"]


def test_generic_words_need_selling_words_and_are_warnings():
    assert qc505(check_text("工作简报\n" + CLEAN + "六合彩的历史由来已久。", select=["QC505"])) == []
    found = qc505(check_text("工作简报\n" + CLEAN + "\n六合彩开户充值返水\n", select=["QC505"]))
    assert [f.severity for f in found] == ["warning"]


@pytest.mark.parametrize("text", [
    "关于进一步规范彩票管理工作的通知\n严禁擅自利用互联网销售彩票，对未经批准的彩票平台依法查处。",
    "我市召开打击治理跨境赌博工作会议\n会议要求严厉打击澳门赌场网络招赌吸赌行为，查处赌博平台案件。",
    "体育局2023年工作总结\n体育彩票销售平台运行平稳，全年销售体育彩票12亿元，体彩公益金支持全民健身。",
    "关于优化代开发票服务的公告\n纳税人可通过电子税务局申请代开发票，咨询电话12366。",
    "某县2024年工作要点\n个体工商户可向主管税务机关申请代开增值税发票，办理时限为即时办结。",
    "禁毒宣传月活动方案\n远离赌博，珍爱生命，警惕裸聊诈骗。",
    "澳门回归祖国25周年\n庆祝活动在澳门威尼斯人酒店会展中心举行，金沙县代表团出席。",
])
def test_official_texts_about_the_subjects_are_clean(text):
    assert qc505(check_text(text, select=["QC505"])) == []


def test_invoice_spam_with_a_mobile_number_is_found():
    found = qc505(check_text("关于做好秋粮收购工作的通知\n" + CLEAN + "代开发票13912345678，真票可查验。", select=["QC505"]))
    assert found and found[0].evidence["category"] == "违法广告"


def test_the_real_negative_set_has_no_finding():
    rows = [json.loads(l) for l in (ROOT / "corpora" / "injection" / "negatives.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) > 1000
    flagged = [r["id"] for r in rows if qc505(check_text(r["title"] + "\n" + r["text"], select=["QC505"]))]
    assert flagged == []


# --- HTML: body, headline, alt text, title attributes, both page paths -----------------------

def test_spam_in_a_paragraph_is_found_by_check_and_by_lint_sites_page_path():
    checked, linted = both_paths(page("关于做好秋粮收购工作的通知", "各乡镇要加强组织领导，澳门葡京娱乐注册送彩金，确保收购平稳有序。"))
    assert checked and linted and checked[0].match == linted[0].match


def test_spam_in_image_alt_text_is_found_in_both_paths():
    html = page("关于做好秋粮收购工作的通知", CLEAN, extra='<img src="/a.jpg" alt="开云体育app下载_官网入口">')
    checked, linted = both_paths(html)
    for found in (checked, linted):
        assert len(found) == 1 and found[0].scope == "attribute" and found[0].evidence["where"] == "img@alt"
        assert "图片说明" in found[0].message


def test_spam_in_a_title_attribute_is_found():
    html = page("关于做好秋粮收购工作的通知", CLEAN).replace("<div class='content'>", "<div class='content' title='九游会官网入口'>")
    checked, linted = both_paths(html)
    assert checked and linted and checked[0].evidence["where"] == "div@title"


def test_spam_in_the_headline_is_found_even_when_it_names_a_lottery():
    checked, _ = both_paths(page("关于做好秋粮收购工作的通知大发彩票平台注册就送", CLEAN))
    assert checked and checked[0].scope == "title"


def test_a_crackdown_page_with_pictures_is_clean():
    html = page("我县开展打击跨境赌博专项行动", "公安机关依法查处网络赌博犯罪案件12起，捣毁赌博窝点3个。",
                extra='<img src="/b.jpg" alt="打击赌博宣传海报"><img src="/c.jpg" title="体育彩票公益金资助项目">')
    assert both_paths(html) == ([], [])


def test_spam_in_a_word_document_is_found():
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("关于做好秋粮收购工作的通知", style="Title")
    d.add_paragraph(CLEAN)
    d.add_paragraph("本文由威尼斯人娱乐官网发布，转载请注明出处")
    buf = io.BytesIO()
    d.save(buf)
    doc = document_from_bytes(buf.getvalue(), "通知.docx")
    found = qc505(check_document(doc, Config.from_dict({"select": ["QC505"]})))
    assert [f.match for f in found] == ["威尼斯人娱乐"]


def test_lint_site_reports_alt_text_spam_on_the_page(tmp_path):
    site = tmp_path / "crawl" / "www.example.gov.cn"
    site.mkdir(parents=True)
    (site / "a.html").write_text(page("关于做好秋粮收购工作的通知", CLEAN, extra='<img src="/x.jpg" alt="bet365体育在线">'),
                                 encoding="utf-8")
    (site / "b.html").write_text(page("关于开展冬季防火检查的通知", CLEAN), encoding="utf-8")
    lint_site(tmp_path / "crawl", tmp_path / "out", config=Config.from_dict({"typo": {"language_model": False}}), warm=False)
    rows = [json.loads(l) for l in (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    found = [r for r in rows if r["code"] == "QC505"]
    assert len(found) == 1 and found[0]["source"].endswith("a.html") and found[0]["scope"] == "attribute"


def test_on_a_crackdown_page_a_brand_counts_only_with_selling_words():
    named = "关于依法打击跨境赌博的通告\n经查，“开云体育”是境外赌博网站，请广大群众提高警惕。\n"
    assert qc505(check_text(named, select=["QC505"])) == []
    spliced = named + "本文由365bet体育网址发布于平安资讯,转载请注明出处\n"
    assert [f.match for f in qc505(check_text(spliced, select=["QC505"]))] == ["365bet"]


def test_lint_site_reads_the_visible_text_of_a_list_page():
    items = "".join(f"<li><a href='/tzgg/{i}.html'>关于开展第{i}批安全检查工作的通知</a><span>2024-05-{i:02d}</span></li>"
                    for i in range(1, 13))
    html = (f"<html><head><title>通知公告_某县人民政府</title></head><body><div class='list'><h2>通知公告</h2>"
            f"<ul>{items}</ul></div><div class='side'>澳门新葡京官网欢迎您</div></body></html>")
    page_ = read_page(html.encode("utf-8"), source="list.html", url="http://www.example.gov.cn/tzgg/")
    assert page_.kind != "article"
    found = qc505(check_document(page_document(page_), Config.from_dict({"select": ["QC505"]})))
    assert [f.match for f in found] == ["澳门新葡京"] and "页面文字" in found[0].message


def test_a_link_title_is_reported_once_on_lint_sites_path():
    html = page("关于做好秋粮收购工作的通知", CLEAN, extra="<p><a href='/a/2.html' title='九游会官网入口'>相关通知</a></p>")
    doc = page_document(read_page(html.encode("utf-8"), source="p.html", url="http://www.example.gov.cn/a/1.html"))
    found = [f for f in check_document(doc, Config.from_dict({"select": ["QC5"]})) if f.code in ("QC501", "QC505")]
    assert [f.code for f in found] == ["QC501"]
    # `check page.html` reads the same page facts: the same one finding
    checked = [f for f in check_html(html, url="http://www.example.gov.cn/a/1.html", select=["QC5"])
               if f.code in ("QC501", "QC505")]
    assert [f.code for f in checked] == ["QC501"]


def _serious_item(summary: dict, site: str) -> dict:
    (row,) = [s for s in summary["sites"] if s["site"] == site]
    (item,) = [i for i in row["veto_items"] if i["item"].startswith("严重问题")]
    return item


def test_spliced_brand_fails_the_site_but_a_generic_word_warning_does_not(tmp_path):
    crawl = tmp_path / "crawl"
    for host, spam in (("www.a.gov.cn", "本文由365bet体育网址发布于三农资讯,转载请注明出处"),
                       ("www.b.gov.cn", "彩票开户注册请联系我们")):
        site = crawl / host
        site.mkdir(parents=True)
        (site / "a.html").write_text(page("关于做好秋粮收购工作的通知", CLEAN + spam), encoding="utf-8")
    summary = lint_site(crawl, tmp_path / "out", config=Config.from_dict({"typo": {"language_model": False}}),
                        warm=False)
    certain = _serious_item(summary, "www.a.gov.cn")
    assert certain["failed"] and certain["count"] == 1 and "QC505" in certain["codes"]
    rows = [json.loads(l) for l in (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    b_rows = [r for r in rows if r["site"] == "www.b.gov.cn" and r["code"] == "QC505"]
    assert b_rows and all(r["severity"] == "warning" for r in b_rows)
    assert not _serious_item(summary, "www.b.gov.cn")["failed"]
