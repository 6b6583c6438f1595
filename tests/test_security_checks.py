"""QC5xx: injected gambling links, hijacked titles and hidden injected content become findings;
real clean government pages produce none."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualitycheck.api import check_document
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
