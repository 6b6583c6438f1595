"""QC5xx: injected gambling links, hijacked titles and hidden injected content become findings;
real clean government pages produce none."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualitycheck.api import check_document, check_html, check_text
from qualitycheck.config import Config
from qualitycheck.extract.page import read_page
from qualitycheck.inspect import page_document

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
ARTICLE = "<p>" + "县政府召开常务会议，研究部署当前重点工作，要求各部门压实责任、狠抓落实。" * 6 + "</p>"


def findings(html: str, select=("QC5",)):
    page = read_page(html.encode("utf-8"), source="t.html", url="http://www.example.gov.cn/art/1.html")
    return check_document(page_document(page), Config.from_dict({"select": list(select)}))


def test_hidden_gambling_links_are_qc501_with_the_link():
    html = f"""<html><head><title>关于做好防汛工作的通知_某县人民政府</title></head><body>
    <h1>关于做好防汛工作的通知</h1><div class="info">发布时间：2024-06-01</div><div class="content">{ARTICLE}</div>
    <div style="display:none"><a href="http://www.bet365-vip.com/">bet365体育在线</a>
    <a href="http://wanbo.example.net/">万博manbetx官网</a></div></body></html>"""
    found = [f for f in findings(html) if f.code == "QC501"]
    assert {f.evidence["href"] for f in found} == {"http://www.bet365-vip.com/", "http://wanbo.example.net/"}
    assert all(f.severity == "error" and f.scope == "hidden" and f.url.endswith("/art/1.html") for f in found)


def test_hijacked_title_is_qc503():
    html = f"""<html><head><title>365网络股份有限公司总部_beat365网址官网网站_民政局</title>
    <meta name="keywords" content="beat365,bat365验证"></head><body><h1>2022年第四季度政府网站检查情况</h1>
    <div class="content">{ARTICLE}</div></body></html>"""
    found = findings(html)
    assert {f.scope for f in found if f.code == "QC503"} >= {"title"}


def test_junk_tag_header_is_qc504():
    junk = "".join('<legend id="h4sia"></legend><samp id="h4sia"></samp><delect id="h4sia"></delect>' for _ in range(2))
    html = f"<html><head><title>通知公告</title></head><body>{junk}<h1>关于开展检查的通知</h1><div>{ARTICLE}</div></body></html>"
    assert any(f.code == "QC504" for f in findings(html))


def test_news_about_crackdowns_is_not_an_injection():
    html = f"""<html><head><title>我县开展打击跨境赌博专项行动_某县人民政府</title></head><body>
    <h1>我县开展打击跨境赌博专项行动</h1><div class="content"><p>公安机关依法查处网络赌博犯罪案件12起。</p>{ARTICLE}</div>
    <a href="/zt/dbfz/">打击赌博违法犯罪专栏</a></body></html>"""
    assert findings(html) == []


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.name[:3])
def test_real_clean_pages_produce_no_injection_findings(path):
    page = read_page(path.read_bytes(), source=path.name)
    found = check_document(page_document(page), Config.from_dict({"select": ["QC5"]}))
    assert found == []


def test_hidden_text_of_reported_links_is_not_reported_twice():
    html = f"""<html><head><title>通知_某县人民政府</title></head><body><h1>关于开展检查的通知</h1>
    <div class="content">{ARTICLE}</div><div style="display:none"><a href="http://x-bet.example.com/">bet365体育在线</a></div>
    <div style="display:none">凯发app官方网站 下载即送</div></body></html>"""
    codes = sorted(f.code for f in findings(html))
    assert codes == ["QC501", "QC504"]  # the link once; the non-link hidden text once


# --- QC505: gambling / porn / spam text spliced into visible text -------------------------------

SEED = Path("/work/shared/seed")
NOTICE = ("四川省人民政府办公厅关于2018年第三季度全省政府网站抽查情况的通报\n"
          "根据《国务院办公厅关于印发政府网站发展指引的通知》精神，省政府办公厅近期组织开展了第三季度全省政府网站抽查。\n")


def _qc505(found):
    return [f for f in found if f.code == "QC505"]


def test_brand_spliced_into_plain_text_is_qc505_with_its_span():
    text = NOTICE + "本文由365bet体育网址发布于三农资讯,转载请注明出处:四川省人民政府办公厅关于2018年第三季度全省政\n"
    found = _qc505(check_text(text, select=["QC5"]))
    assert len(found) == 1
    f = found[0]
    assert f.severity == "error" and text[f.span.start:f.span.end].lower() == "365bet"
    assert "三农资讯" in f.evidence["line"]


@pytest.mark.skipif(not SEED.is_dir(), reason="shared seed notice not present")
def test_seed_notice_reports_the_spliced_brand():
    path = next(SEED.glob("*.txt"))
    found = _qc505(check_text(path.read_text(encoding="utf-8"), select=["QC5"]))
    assert [f.match.lower() for f in found] == ["365bet"]


def test_casino_phrase_spliced_into_an_html_paragraph_is_qc505():
    html = f"""<html><head><title>关于做好秋粮收购工作的通知_某县人民政府</title></head><body>
    <h1>关于做好秋粮收购工作的通知</h1><div class="info">发布时间：2024-09-01</div><div class="content">{ARTICLE}
    <p>各乡镇要加强组织领导，澳门葡京娱乐注册送彩金，确保收购工作平稳有序。</p>
    <p>粮食部门要做好仓容准备，及时足额兑付售粮款，切实保护种粮农民利益，维护粮食市场稳定。</p></div></body></html>"""
    found = _qc505(findings(html))
    assert found and found[0].severity == "error" and found[0].evidence["category"] == "赌博"
    assert check_html(html, select=["QC505"])  # the editor's check path finds it too


def test_lottery_selling_in_a_page_about_something_else_is_qc505():
    text = "关于开展冬季防火安全检查的通知\n各单位要落实防火责任。大发彩票平台注册就送，彩票计划群加微信。\n"
    assert len(_qc505(check_text(text, select=["QC5"]))) >= 1


@pytest.mark.parametrize("text", [
    "关于进一步规范彩票管理工作的通知\n严禁擅自利用互联网销售彩票，对未经批准的彩票平台依法查处。\n",
    "我市召开打击治理跨境赌博工作会议\n会议要求严厉打击澳门赌场网络招赌吸赌行为，查处赌博平台案件。\n",
    "中国福利彩票发行管理中心关于体育彩票开奖公告的说明\n福利彩票发行资金用于社会福利事业。\n",
    "金沙县体育中心改造工程招标公告\n澳门特别行政区政府代表团到访威尼斯人酒店会展中心。\n",
    "禁毒宣传月活动方案\n打击代开发票违法行为，远离赌博，珍爱生命。\n",
])
def test_real_policy_and_crackdown_texts_are_not_qc505(text):
    assert _qc505(check_text(text, select=["QC5"])) == []


def test_link_already_reported_as_qc501_is_not_repeated_as_text():
    html = f"""<html><head><title>通知公告_某县人民政府</title></head><body><h1>关于开展检查的通知</h1>
    <div class="content">{ARTICLE}<p>相关链接：<a href="http://bet.example.com/">365bet体育在线</a></p></div></body></html>"""
    found = findings(html)
    assert any(f.code == "QC501" for f in found) and _qc505(found) == []


def test_check_and_lint_site_find_the_same_injected_links_on_every_demo_page():
    """One code path: `check page.html` gets the page reader's links from its own parse."""
    from pathlib import Path

    from qualitycheck.api import check_document, check_html
    from qualitycheck.config import Config
    from qualitycheck.extract.page import read_page
    from qualitycheck.inspect import page_document

    cfg = Config.from_dict({"select": ["QC501", "QC502", "QC503", "QC504"]})
    root = Path(__file__).resolve().parent.parent / "examples" / "site"
    compared = 0
    for path in sorted(root.rglob("*.html")):
        url = "http://" + path.relative_to(root).as_posix()
        data = path.read_bytes()
        by_check = sorted((f.code, f.match) for f in check_html(data, url=url, config=cfg))
        by_site = sorted((f.code, f.match) for f in check_document(page_document(read_page(data, url=url)), cfg))
        assert by_check == by_site, path
        compared += bool(by_site)
    assert compared >= 3  # the failing demo site's pages do carry injected links
