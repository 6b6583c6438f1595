"""The page reader: hand-labelled real pages as regression fixtures, plus synthetic cases.

tests/fixtures/pages holds 67 real pages and their hand-checked labels (labels.jsonl, described
in LABELS.md there).  The reader has no per-page or per-site rules; these tests pin per-field
accuracy floors, per-page identity marks and dated lists, and the behaviour the issue names
(encodings, stray </html>, script-written marks, date forms, injected links) on small pages
written here.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

from qualitycheck.errors import InputError
from qualitycheck.extract.dates import classify_item_date, find_publish_date, iter_dates, url_date
from qualitycheck.extract.links import injection_dictionary, registrable_domain, rule_hit
from qualitycheck.extract.page import read_page

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
LABELS = [json.loads(l) for l in (FIXTURES / "labels.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
IDS = [l["file"][:3] for l in LABELS]
MARK_FIELDS = ("site_code", "icp", "psb", "conac", "jiucuo", "meta_site_code")


def compact(s):
    return re.sub(r"\s+", "", s or "")


@lru_cache(maxsize=None)
def page_for(name: str):
    return read_page((FIXTURES / name).read_bytes(), name)


# --------------------------------------------------------------------------------------------
# Labelled real pages


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_marks_exact(label):
    page = page_for(label["file"])
    assert {f: getattr(page.marks, f) for f in MARK_FIELDS} == label["marks"]


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_no_suspicious_links_on_clean_pages(label):
    page = page_for(label["file"])
    assert [(l.text, l.href, l.why) for l in page.links if l.why] == []
    assert page.suspicions == []


def _match_list(want: dict, got: list):
    """The block a labelled block corresponds to: same heading, else same size (see the benchmark)."""
    heading = compact(want.get("heading"))
    for b in got:
        if heading and compact(b.heading) == heading:
            return b
    for b in got:
        if want["newest"] and b.newest and b.newest.isoformat() == want["newest"] and abs(len(b.items) - want["n_items"]) <= max(3, want["n_items"] // 2):
            return b
    for b in got:
        if abs(len(b.items) - want["n_items"]) <= max(2, want["n_items"] // 5) and abs(want["n_dated"] - b.n_dated) <= max(2, want["n_dated"] // 5):
            return b
    return None


WITH_LISTS = [l for l in LABELS if l["lists"]]


@pytest.mark.parametrize("label", WITH_LISTS, ids=[l["file"][:3] for l in WITH_LISTS])
def test_every_labelled_dated_list_is_found_with_its_newest_date(label):
    page = page_for(label["file"])
    for want in label["lists"]:
        got = _match_list(want, page.lists)
        assert got is not None, f"{want['heading']!r} not found in {[(b.heading, len(b.items)) for b in page.lists]}"
        assert (got.newest.isoformat() if got.newest else None) == want["newest"]


ARTICLES_WITHOUT_LISTS = [l for l in LABELS if l["kind"] == "article" and not l["lists"]]


def test_articles_without_dated_lists_report_almost_none():
    extra = [(l["file"][:3], b.heading) for l in ARTICLES_WITHOUT_LISTS for b in page_for(l["file"]).lists]
    assert len(extra) <= 1, extra


def _share(ok) -> float:
    return sum(1 for l in LABELS if ok(l, page_for(l["file"]))) / len(LABELS)


def test_headline_accuracy():
    assert _share(lambda l, p: compact(p.title) == compact(l["title"])) >= 0.95


def test_publish_date_accuracy():
    assert _share(lambda l, p: (p.published.isoformat() if p.published else None) == l["published"]) >= 0.95


def test_kind_accuracy():
    assert _share(lambda l, p: p.kind == l["kind"]) >= 0.95


def test_source_line_accuracy():
    assert _share(lambda l, p: p.source_line == l["source"]) >= 0.9


def _body_ok(label, page, end: bool) -> bool:
    body = compact(page.body)
    if label["body_start"] is None:
        return len(body) <= 30
    return body.endswith(compact(label["body_end"])) if end else body.startswith(compact(label["body_start"]))


ARTICLES = [l for l in LABELS if l["kind"] == "article"]


def test_body_start_and_end_accuracy():
    starts = sum(_body_ok(l, page_for(l["file"]), False) for l in ARTICLES) / len(ARTICLES)
    ends = sum(_body_ok(l, page_for(l["file"]), True) for l in ARTICLES) / len(ARTICLES)
    assert starts >= 0.9 and ends >= 0.9, (starts, ends)


def test_gov_cn_page_with_stray_html_end_tag_keeps_article_and_footer():
    page = page_for("071_www.gov.cn_article.html")
    assert "53365.53亿元" in page.body
    assert page.marks.site_code == "bm01000001"


def test_script_written_headline_and_source():
    assert page_for("062_www.wuhan.gov.cn_article.html").title == "第七届武汉设计双年展闭幕"
    assert page_for("034_wtl.sz.gov.cn_article.html").source_line == "深圳特区报"
    assert page_for("027_whlyw.cq.gov.cn_article.html").source_line == "国际交流合作处 重庆国际文旅之窗"


def test_without_body_the_rest_is_the_same():
    name = "006_www.sc.gov.cn_article.html"
    full = page_for(name)
    fast = read_page((FIXTURES / name).read_bytes(), name, with_body=False)
    assert fast.body == "" and full.body
    assert fast.marks == full.marks and fast.title == full.title and fast.published == full.published


# --------------------------------------------------------------------------------------------
# Synthetic pages

ARTICLE = """<!DOCTYPE html><html><head><meta charset="{charset}"><title>关于开展网站普查工作的通知_通知公告_某县人民政府</title>
<meta name="SiteIDCode" content="5109030018"></head><body>
<div class="nav"><a href="/">首页</a><a href="/tzgg/">通知公告</a><a href="/zwgk/">政务公开</a></div>
<div class="crumb">当前位置：首页 &gt; 通知公告</div>
<div class="article"><h1>关于开展网站普查工作的通知</h1>
<div class="info">发布时间：2024年9月12日 来源：县政府办公室 【字体：大 中 小】</div>
<div class="content"><p>各乡镇人民政府，县政府各部门：</p>
<p>为进一步做好政府网站管理工作，经研究，决定开展全县政府网站普查，现将有关事项通知如下。</p>
<p>一、普查范围。全县各级政府网站及政务新媒体，请各单位认真组织，按时报送。</p></div>
<div class="share">分享到：</div></div>
<div class="side"><h3>最新动态</h3><ul>
<li><a href="/xwdt/202409/t20240910_1.html">县长调研乡村振兴工作</a><span>[09-10]</span></li>
<li><a href="/xwdt/202409/t20240905_2.html">全县安全生产会议召开</a><span>[09-05]</span></li>
<li><a href="/xwdt/202408/t20240830_3.html">我县举办农民丰收节</a><span>[08-30]</span></li></ul></div>
<div class="footer">主办单位：某县人民政府办公室 政府网站标识码：5109030018 蜀ICP备10014763号 川公网安备 51090302000210号
<a href="http://bszs.conac.cn/sitename?method=show&id=1"><img src="/images/red.png"></a>
<script id="_jiucuo_" sitecode="5109030018" src="/js/jiucuo.js"></script></div>
</body></html>"""


def _article(charset="utf-8"):
    return ARTICLE.replace("{charset}", charset)


@pytest.mark.parametrize("encoding, declared", [("utf-8", "utf-8"), ("gbk", "gb2312"), ("gb18030", "utf-8"),
                                                 ("utf-16", "utf-16"), ("utf-8-sig", "gbk")])
def test_encodings_and_lying_charsets(encoding, declared):
    page = read_page(_article(declared).encode(encoding), "a.html")
    assert page.kind == "article"
    assert page.title == "关于开展网站普查工作的通知"
    assert page.published == date(2024, 9, 12)
    assert page.source_line == "县政府办公室"
    assert compact(page.body).startswith("各乡镇人民政府") and compact(page.body).endswith("按时报送。")
    assert page.marks.site_code == "5109030018"
    assert page.marks.icp == "蜀ICP备10014763号"
    assert page.marks.psb == "川公网安备 51090302000210号"
    assert page.marks.conac is True and page.marks.jiucuo is True
    assert page.marks.jiucuo_site_code == "5109030018" and page.marks.meta_site_code == "5109030018"


def test_month_day_items_take_their_year_from_the_item_url():
    page = read_page(_article(), "a.html", url="http://www.example.gov.cn/tzgg/202409/t20240912_9.html")
    (side,) = page.lists
    assert side.heading == "最新动态"
    assert [i.date for i in side.items] == [date(2024, 9, 10), date(2024, 9, 5), date(2024, 8, 30)]
    assert side.newest == date(2024, 9, 10)
    assert side.items[0].url == "http://www.example.gov.cn/xwdt/202409/t20240910_1.html"
    assert ("通知公告", "http://www.example.gov.cn/tzgg/") in page.nav


def test_month_day_items_without_context_have_no_newest_date_unless_as_of_is_given():
    html = _article().replace("/xwdt/202409/t20240910_1.html", "/a.html").replace("/xwdt/202409/t20240905_2.html", "/b.html").replace("/xwdt/202408/t20240830_3.html", "/c.html")
    (side,) = read_page(html).lists
    assert side.newest is None and side.n_dated == 3 and side.items[0].date_text == "09-10"
    (side,) = read_page(html, as_of=date(2025, 1, 5)).lists
    assert side.newest == date(2024, 9, 10)
    (side,) = read_page(html, as_of=date(2024, 9, 20)).lists
    assert side.newest == date(2024, 9, 10)


def test_stray_html_end_tag_does_not_hide_the_rest():
    html = _article().replace('<div class="article">', '</body></html><!--end header--><div class="article">')
    page = read_page(html)
    assert page.title == "关于开展网站普查工作的通知" and page.marks.site_code == "5109030018"


def test_footer_written_by_script_counts_and_commented_or_hidden_marks_do_not():
    footer = ("<script>var code = '1200000052';"
              "document.writeln('<p>政府网站标识码：' + code + ' 津ICP备05010518号 津公网安备 ：12010302000991号</p>');"
              "document.write(unescape(\"%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/1.js' type='text/javascript'%3E%3C/script%3E\"));"
              "</script>")
    html = f"<html><body><h1>标题</h1><p>正文。</p><div class='footer'>{footer}</div></body></html>"
    marks = read_page(html).marks
    assert marks.site_code == "1200000052"
    assert marks.icp == "津ICP备05010518号" and marks.psb == "津公网安备 ：12010302000991号"
    assert marks.conac is True
    hidden = ("<html><body><p>正文。</p><!--<p>政府网站标识码：1101020002 京ICP备19014909号</p>-->"
              "<div style='display:none'>京公网安备 11010202007633号<a href='http://bszs.conac.cn/x'>党政机关</a></div>"
              "<div class='dzjg j-gov' data-setting=\"{sitecode:'1'}\"></div></body></html>")
    marks = read_page(hidden).marks
    assert (marks.site_code, marks.icp, marks.psb, marks.conac, marks.jiucuo) == (None, None, None, False, False)


@pytest.mark.parametrize("footer, field, value", [
    ("网站标识码5100000062", "site_code", "5100000062"),
    ("网站识别码：bm01000001", "site_code", "bm01000001"),
    ("蜀ICP备：19007388号", "icp", "蜀ICP备：19007388号"),
    ("苏ICP备-10229414", "icp", "苏ICP备-10229414"),
    ("冀备19019165号-1", "icp", "冀备19019165号-1"),
    ("京ICP证040655号 京ICP备05004340号-1", "icp", "京ICP备05004340号-1"),
    ("粤B2-20090191-2", "icp", None),
    ("粤公网安备号44030402003007", "psb", "粤公网安备号44030402003007"),
    ("湘公安网备号43010402000231号", "psb", "湘公安网备号43010402000231号"),
    ("公安备案号13063802000054", "psb", "公安备案号13063802000054"),
    ("公安机关备案号：15081599004-00001", "psb", None),
])
def test_mark_variants_are_reported_as_displayed(footer, field, value):
    marks = read_page(f"<html><body><p>正文内容。</p><div>{footer}</div></body></html>").marks
    assert getattr(marks, field) == value


def test_jiucuo_undecidable_when_only_an_iframe_can_hold_it():
    marks = read_page("<html><body><p>正文。</p><iframe src='/jiucuo/index.html'></iframe></body></html>").marks
    assert marks.jiucuo is None


# --------------------------------------------------------------------------------------------
# Injected links


def _with(extra: str) -> str:
    return _article().replace('<div class="footer">', extra + '<div class="footer">')


@pytest.mark.parametrize("extra, why", [
    ('<a href="http://www.365bet-x.com/">bet365体育在线</a>', "gambling-term:bet365体育"),
    ('<div style="display:none"><a href="http://a.example.com/">澳门新葡京官网</a></div>', "gambling-term:澳门新葡京"),
    ('<div style="position:absolute;top:-999px;left:-999px"><a href="http://a.example.com/">线上网站建设</a>'
     '<a href="http://b.example.net/">北京网络公司</a></div>', "hidden-external"),
    ('<a href="http://x.example.com/">午夜福利影院</a>', "porn-term:午夜福利"),
])
def test_injected_links_are_flagged(extra, why):
    page = read_page(_with(extra), url="http://www.example.gov.cn/tzgg/1.html")
    flagged = [l for l in page.links if l.why]
    assert flagged and flagged[0].why == why


def test_hijacked_title_and_junk_tags():
    html = _article().replace("<title>关于开展网站普查工作的通知_通知公告_某县人民政府</title>",
                              "<title>365网络股份有限公司总部_beat365网址官网网站_bat365验证民政局官网</title>")
    html = html.replace("<body>", '<body><legend id="h4sia"></legend><samp id="h4sia"></samp><delect id="h4sia"></delect>')
    whys = {s.why for s in read_page(html).suspicions}
    assert any(w.startswith("gambling-term:") for w in whys) and "junk-tags:INJ-004.random-id-tags" in whys
    assert any(w.endswith("INJ-005.stacked-title") for w in whys)


@pytest.mark.parametrize("extra", [
    '<a href="/news/1.html">我县开展打击跨境赌博专项行动</a>',
    '<a href="/news/2.html">公安机关破获一起六合彩赌博案件</a>',
    '<div class="share" style="display:none"><a href="http://service.weibo.com/share/share.php">微博</a>'
    '<a href="http://connect.qq.com/widget/shareqq/">QQ</a></div>',
    '<ul id="sub1" style="display:none"><li><a href="http://www.gov.cn/">中国政府网</a></li>'
    '<li><a href="http://www.sc.gov.cn/">四川省人民政府</a></li></ul>',
    '<div id="menu2" style="display:none"><a href="http://a.example.com/">甲</a><a href="http://b.example.net/">乙</a></div>'
    '<script>document.getElementById("menu2").style.display="block";</script>',
])
def test_ordinary_links_are_not_flagged(extra):
    page = read_page(_with(extra), url="http://www.example.gov.cn/tzgg/1.html")
    assert [l for l in page.links if l.why] == [] and page.suspicions == []


def test_injection_dictionary_examples():
    dic = injection_dictionary()
    for rule in dic.rules + dic.junk_tags:
        assert rule.source, rule.id
        for text in rule.hit_examples:
            assert rule_hit(rule, text), (rule.id, text)
        for text in rule.clean_examples:
            assert not rule_hit(rule, text), (rule.id, text)
        for text in rule.hit_examples:  # the cheap prefilter must let every hit through
            assert any(a in text.lower() for a in rule.anchors), (rule.id, text)


def test_registrable_domain():
    assert registrable_domain("www.sc.gov.cn") == "sc.gov.cn"
    assert registrable_domain("zfwzgl.www.gov.cn") == "www.gov.cn"
    assert registrable_domain("news.163.com") == "163.com"
    assert registrable_domain("121.43.68.40") == "121.43.68.40"


# --------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize("text, expected", [
    ("发布时间：2024-09-12 10:20", date(2024, 9, 12)),
    ("时间：2023年11月14日", date(2023, 11, 14)),
    ("日期：2021/09/06", date(2021, 9, 6)),
    ("发布日期: 2012-06-24", date(2012, 6, 24)),
    ("生成日期： 2023-05-11", date(2023, 5, 11)),
    ("今天：2024年2月22日 星期四", None),
])
def test_publish_labels(text, expected):
    hit = find_publish_date(text)
    assert (hit.date if hit else None) == expected


@pytest.mark.parametrize("text, kind", [
    ("[09-12]", "month-day"), ("(2024-05-11)", "full"), ("2020-7-19", "full"), ("3小时前", "relative"),
    ("前天 21:51", "relative"), ("16:02", "clock"), ("2019-12", "year-month"), ("第1-2名", "month-day"),
])
def test_item_date_forms(text, kind):
    assert classify_item_date(text).kind == kind


def test_item_date_year_inference():
    assert classify_item_date("[12-30]", as_of=date(2025, 1, 5)).date == date(2024, 12, 30)
    assert classify_item_date("[01-03]", as_of=date(2025, 1, 5)).date == date(2025, 1, 3)
    assert url_date("http://x.gov.cn/a/202306/t20230608_2213652.shtml") == (2023, 6, 8)
    assert url_date("http://x.gov.cn/art/2024/10/14/art_1_2.html") == (2024, 10, 14)
    assert iter_dates("二〇二四年九月十二日")[0].date == date(2024, 9, 12)


# --------------------------------------------------------------------------------------------
# Errors and messages


@pytest.mark.parametrize("data", [b"", b"  \n", bytes(range(256)) * 20, "", "<!-- only a comment -->"])
def test_bad_input_is_an_input_error(data):
    with pytest.raises(InputError):
        read_page(data)


def test_odd_markup_still_gives_a_page():
    for html in ("<html><frameset><frame src='a.html'></frameset></html>", "纯文本，没有标签。",
                 "<html><body>" + "<div>" * 3000 + "深层嵌套的正文。" + "</div>" * 3000 + "</body></html>"):
        assert read_page(html).kind in ("article", "list", "home", "other")


def test_message_rows():
    html = ("<html><body><h2>留言选登</h2><table>"
            "<tr><td><a href='/m/1.html'>关于小区路灯不亮的问题</a></td><td>2024-03-01</td><td>2024-03-05</td><td>已回复</td></tr>"
            "<tr><td><a href='/m/2.html'>咨询社保缴费基数</a></td><td>2024-04-02</td><td></td><td>未回复</td></tr>"
            "</table></body></html>")
    msgs = read_page(html, url="http://www.example.gov.cn/hdjl/").messages
    assert [(m.title, m.asked, m.answered, m.status) for m in msgs] == [
        ("关于小区路灯不亮的问题", date(2024, 3, 1), date(2024, 3, 5), "已回复"),
        ("咨询社保缴费基数", date(2024, 4, 2), None, "未回复"),
    ]
    assert msgs[0].url == "http://www.example.gov.cn/m/1.html"


def test_html_to_document_uses_the_headline_and_keeps_suppression():
    from qualitycheck.extract.html import html_to_document

    html = _article().replace("<p>一、普查范围。", "<!-- qc: disable=QC201 --><p>一、普查范围。").replace("按时报送。</p>", "按时报送。</p><!-- qc: enable=QC201 -->")
    doc = html_to_document(html, "a.html")
    assert doc.title == "关于开展网站普查工作的通知" and doc.published == date(2024, 9, 12)
    assert "政府网站标识码" not in doc.text
    ((span, codes),) = doc.suppressed
    assert doc.text[span.start : span.end].strip().startswith("一、普查范围") and codes == frozenset({"QC201"})


def test_inspect_html_contract():
    from qualitycheck.inspect import inspect_html

    out = inspect_html(_article().encode("gbk"), url="http://www.example.gov.cn/tzgg/1.html", as_of="2024-10-01",
                       with_findings=False)
    assert {"kind", "title", "published", "source", "body", "marks", "lists", "links_suspicious", "findings"} <= set(out)
    assert out["published"] == "2024-09-12" and out["source"] == "县政府办公室"
    assert set(out["marks"]) >= {"site_code", "icp", "psb", "conac", "jiucuo", "meta_site_code"}
    (lst,) = out["lists"]
    assert lst["newest"] == "2024-09-10" and lst["age_days"] == 21
    assert lst["items"][0] == {"title": "县长调研乡村振兴工作", "url": "http://www.example.gov.cn/xwdt/202409/t20240910_1.html",
                               "date": "2024-09-10", "date_text": "09-10"}
    json.dumps(out, ensure_ascii=False)


COLUMN_PAGE = """<html><head><title>通知公告_某某县人民政府</title></head><body>
<div class="header"><div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/tzgg/">通知公告</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div></div>
<div class="main"><div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/tzgg/">通知公告</a></div>
<div class="list-title"><h2>通知公告</h2></div><ul class="list">
<li><a href="./202409/t20240912_101.html">关于开展2024年度网站普查的通知</a><span class="date">2024-09-12</span></li>
<li><a href="./202409/t20240905_100.html">关于做好中秋节期间安全生产工作的通知</a><span class="date">2024-09-05</span></li>
<li><a href="./202408/t20240826_99.html">某某县2024年公开招聘事业单位工作人员公告</a><span class="date">2024-08-26</span></li>
</ul><div class="page">共3条 第1页/共1页 首页 上一页 下一页 尾页</div></div>
<div class="footer">网站标识码：5109220001 蜀ICP备12345678号</div></body></html>"""

HOME_PAGE = """<html><head><title>某某县人民政府门户网站</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/tzgg/">通知公告</a></div>
<div class="box"><div class="box-title"><span>政务要闻</span><a class="more" href="/zwyw/">更多&gt;&gt;</a></div>
<ul><li><a href="/zwyw/202409/t20240912_1.html">县委常委会召开会议</a><span>09-12</span></li>
<li><a href="/zwyw/202409/t20240910_2.html">县长调研重点项目</a><span>09-10</span></li></ul></div>
<div class="box"><div class="box-title"><span>通知公告</span><a class="more" href="/tzgg/">更多&gt;&gt;</a></div>
<ul><li><a href="/tzgg/202409/t20240911_3.html">关于开展网站普查的通知</a><span>2024-09-11</span></li>
<li><a href="/tzgg/202408/t20240830_4.html">招聘公告</a><span>2024-08-30</span></li></ul></div>
<div class="box"><div class="tab"><a>政策文件</a><a>政策解读</a></div>
<ul class="tabc"><li><a href="/zcwj/1.html">县政府关于印发某某办法的通知</a><span>2024-07-01</span></li>
<li><a href="/zcwj/2.html">县政府办公室关于某某的意见</a><span>2024-06-11</span></li></ul>
<ul class="tabc" style="display:none"><li><a href="/zcjd/1.html">一图读懂某某办法</a><span>2024-07-02</span></li>
<li><a href="/zcjd/2.html">某某意见解读</a><span>2024-06-12</span></li></ul></div>
<div class="footer">网站标识码：5109220001</div></body></html>"""


def test_column_list_page():
    page = read_page(COLUMN_PAGE, url="http://www.example.gov.cn/tzgg/index.html")
    assert page.kind == "list" and page.title is None and page.published is None
    (lst,) = page.lists
    assert lst.heading == "通知公告" and lst.newest == date(2024, 9, 12) and len(lst.items) == 3
    assert lst.items[0].url == "http://www.example.gov.cn/tzgg/202409/t20240912_101.html"
    assert ("互动交流", "http://www.example.gov.cn/hdjl/") in page.nav


@pytest.mark.parametrize("url", ["http://www.example.gov.cn/", None])
def test_home_page_blocks_with_more_links_and_tab_panels(url):
    page = read_page(HOME_PAGE, url=url)
    assert page.kind == "home"
    got = [(b.heading, b.newest, b.hidden) for b in page.lists]
    assert got == [("政务要闻", date(2024, 9, 12), False), ("通知公告", date(2024, 9, 11), False),
                   ("政策文件", date(2024, 7, 1), False), ("政策解读", date(2024, 7, 2), True)]
    assert page.lists[0].more_url == ("http://www.example.gov.cn/zwyw/" if url else "/zwyw/")


@pytest.mark.parametrize("html, expected", [
    # an old table layout: title cell, date line with a click counter, body cell, footer row
    ("""<html><head><title>某某市人民政府网</title></head><body><table>
<tr><td><a href="/">首页</a> | <a href="/xwzx/">新闻中心</a></td></tr>
<tr><td class="title">市政府召开第十五次常务会议</td></tr>
<tr><td>发布日期：2019-05-01 点击数：1234 【<a href="javascript:window.print()">打印</a>】</td></tr>
<tr><td class="content"><p>4月30日，市长主持召开市政府第十五次常务会议，研究部署近期重点工作。</p>
<p>会议指出，要坚持稳中求进工作总基调，确保完成全年目标任务。</p></td></tr>
<tr><td>主办：某某市人民政府办公室 网站标识码：1301000003</td></tr></table></body></html>""",
     ("市政府召开第十五次常务会议", date(2019, 5, 1), None, "4月30日", "全年目标任务。")),
    # the date and a linked source above the headline; a short closing line
    ("""<html><head><title>关于公布2024年度行政许可事项的公告-某某县人民政府</title></head><body>
<div class="detail"><div class="time">发布时间：2024-03-05 来源：<a href="http://www.xinhuanet.com/">新华网</a></div>
<h1>关于公布2024年度行政许可事项的公告</h1>
<div class="txt"><p>根据有关法律法规，现将本县2024年度行政许可事项清单予以公布，请社会各界监督。</p><p>特此公告。</p></div></div>
<div class="foot">版权所有：某某县人民政府</div></body></html>""",
     ("关于公布2024年度行政许可事项的公告", date(2024, 3, 5), "新华网", "根据有关法律法规", "特此公告。")),
    # <title> says nothing; an h2 over a bare date line with source and author
    ("""<html><head><title>首页</title></head><body><div class="art"><h2>我市召开安全生产工作会议</h2>
<p class="info">2024-06-18 14:20 来源：<a href="#">市应急管理局</a> 作者：李四</p>
<div id="zoom"><p>6月18日，我市召开全市安全生产工作会议，分析研判当前安全生产形势。</p>
<p>会议强调，要压紧压实安全生产责任，坚决遏制重特大事故发生。</p></div></div></body></html>""",
     ("我市召开安全生产工作会议", date(2024, 6, 18), "市应急管理局", "6月18日", "重特大事故发生。")),
    # an unmarked headline (<p><strong><font>) over a labelled date line; <title> is the site name
    ("""<html><head><title>某某县人民政府</title></head><body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/x/">工作动态</a></div>
<div class="main"><p align="center"><strong><font size="5">县委召开理论学习中心组学习会</font></strong></p>
<p align="center">发布时间：2024-05-20 来源：县委办</p>
<div><p>5月20日，县委理论学习中心组召开专题学习会，深入学习贯彻有关会议精神。</p>
<p>会议要求，各级各部门要统一思想，抓好贯彻落实。</p></div></div>
<div class="foot">版权所有：某某县人民政府</div></body></html>""",
     ("县委召开理论学习中心组学习会", date(2024, 5, 20), "县委办", "5月20日", "抓好贯彻落实。")),
])
def test_article_templates(html, expected):
    title, published, source, start, end = expected
    page = read_page(html)
    assert (page.kind, page.title, page.published, page.source_line) == ("article", title, published, source)
    assert page.body.startswith(start) and page.body.endswith(end)


def test_page_pickles_without_the_tree():
    import pickle

    page = read_page(HOME_PAGE)
    again = pickle.loads(pickle.dumps(page))
    assert again.lists[0].heading == "政务要闻" and again.marks == page.marks


def test_marks_put_in_by_script_assignments_count():
    html = """<html><body><p>正文内容。</p><div id="bian"></div><script>
var str = "主办: 船山区人民政府办公室 (0825-2224737)\\n" + "\\n" + "蜀ICP备10014763号    政府网站标识码:5109030018  ";
var ha= document.getElementById("bian");
ha. innerText = str;
$("#foot").html('<p>川公网安备51090302000210号</p><a href="http://bszs.conac.cn/sitename?id=1"><img src="red.png"></a>');
</script></body></html>"""
    marks = read_page(html).marks
    assert (marks.site_code, marks.icp, marks.psb, marks.conac) == ("5109030018", "蜀ICP备10014763号", "川公网安备51090302000210号", True)


def test_page_text_is_all_visible_text():
    page = read_page(_article())
    assert "最新动态" in page.text and "政府网站标识码" in page.text and "SiteIDCode" not in page.text
