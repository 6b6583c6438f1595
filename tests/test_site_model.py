"""The per-site model: page facts, column identity, real pages, memory, and the lint-site runner."""

from __future__ import annotations

import gc
import json
import pickle
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pytest

from qualitycheck.config import Config
from qualitycheck.extract.page import read_page
from qualitycheck.site import (
    ListFact, MessageFact, PageFacts, SiteAccumulator, SiteContext, canonical_url, page_facts,
)
from qualitycheck.checks.registry import get_check
from site_helpers import AS_OF, SITE, ago, config, dated_list, item, item_named, list_page, news_items, page, site_of

# The labelled real pages (../shared/data/pages, copied with labels.jsonl into the fixtures).
PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
needs_pages = pytest.mark.skipif(not (PAGES / "labels.jsonl").is_file(), reason="tests/fixtures/pages not present")


@pytest.mark.parametrize("a, b", [
    ("http://www.x.gov.cn/tzgg/", "https://WWW.X.gov.cn/tzgg/index.html"),
    ("http://www.x.gov.cn/tzgg/index_3.shtml", "http://www.x.gov.cn/tzgg/"),
    ("http://www.x.gov.cn/col/col123/index.html?uid=5&pageNum=2", "http://www.x.gov.cn/col/col123/?uid=5"),
    ("http://www.x.gov.cn:80/list.jsp?id=7&page=3#top", "http://www.x.gov.cn/list.jsp?id=7"),
    ("http://www.x.gov.cn/gzdt/list_2.html", "http://www.x.gov.cn/gzdt/list.html"),
])
def test_canonical_url_folds_index_pages_and_pagination(a, b):
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize("a, b", [
    ("http://www.x.gov.cn/tzgg/", "http://www.x.gov.cn/gzdt/"),
    ("http://www.x.gov.cn/list.jsp?id=7", "http://www.x.gov.cn/list.jsp?id=8"),
    ("http://www.x.gov.cn/tzgg/", "http://www.y.gov.cn/tzgg/"),
])
def test_canonical_url_keeps_different_columns_apart(a, b):
    assert canonical_url(a) != canonical_url(b)


def test_page_facts_carry_no_body_text():
    body = "这是一篇很长的正文。" * 2000
    p = page(SITE + "/gzdt/t1.html", "article", title="县长调研", body=body,
             nav=[("工作动态", SITE + "/gzdt/")] * 50,
             lists=[dated_list("相关新闻", news_items(ago(3)), more_url=SITE + "/gzdt/")])
    facts = page_facts(p)
    data = pickle.dumps(facts)
    assert len(data) < 2000 and "这是一篇很长的正文".encode() not in data
    assert facts.nav == ()  # articles do not resend the menu
    assert [b.more_url for b in facts.blocks] == [SITE + "/gzdt/"]  # a 更多 link is column evidence


def test_relative_links_are_resolved_against_the_page():
    p = page(SITE + "/index.html", "home", nav=[("通知公告", "tzgg/")],
             lists=[dated_list("工作动态", news_items(ago(1)), more_url="./gzdt/")])
    facts = page_facts(p)
    assert facts.nav == (("通知公告", SITE + "/tzgg/"),)
    assert facts.blocks[0].more_url == SITE + "/gzdt/"


def test_column_names_prefer_what_users_see():
    # On some CMSs <meta ColumnName> names the whole channel; the list's own heading wins.
    p = page(SITE + "/zwgk/jqxxgk/", "list", lists=[dated_list("通知公告", news_items(ago(2)))],
             html_title="邯郸市政府信息公开", meta={"ColumnName": "邯郸市政府信息公开"})
    col = site_of(p).columns(AS_OF)[0]
    assert col.name == "通知公告" and col.type == "notice"
    # Any visible name that says something decides the type, even if the display name does not.
    p = page(SITE + "/zwgk/jqxxgk/", "list", lists=[dated_list(None, news_items(ago(2)))],
             html_title="最新文件_某县", meta={"ColumnName": "政策文件"})
    col = site_of(p).columns(AS_OF)[0]
    assert col.name == "政策文件" and col.type == "notice"
    nav_named = site_of(p, page(SITE + "/", "home", nav=[("最新公开", SITE + "/zwgk/jqxxgk/index.html")]))
    [col] = nav_named.columns(AS_OF)
    assert (col.name, col.type) == ("最新公开", "notice")


def test_selection_and_severity_overrides_apply_to_site_findings():
    pages = [list_page("/gzdt/", "工作动态", news_items(ago(30))), list_page("/rsxx/", "人事信息", [item("暂无信息")])]
    codes = {f.code for f in site_of(*pages).findings(AS_OF)}
    assert codes == {"QC301", "QC302"}
    assert {f.code for f in site_of(*pages, cfg=config(ignore=["QC302"])).findings(AS_OF)} == {"QC301"}
    sev = {f.code: f.severity for f in site_of(*pages, cfg=config(severity={"QC301": "error"})).findings(AS_OF)}
    assert sev["QC301"] == "error"


def test_site_checks_run_with_a_site_context():
    acc = site_of(list_page("/gzdt/", "工作动态", news_items(ago(30))))
    ctx = acc.context(AS_OF)
    assert isinstance(ctx, SiteContext) and ctx.as_of == AS_OF and ctx.site is acc
    found = list(get_check("QC302").run(ctx))
    assert [f.match for f in found] == ["工作动态"]
    # The as-of date is the context's, not today's.
    assert list(get_check("QC302").run(acc.context(ago(20)))) == []


def test_verdict_items_shape():
    items = site_of(page(SITE + "/", "home", lists=[dated_list("要闻", news_items(ago(1)))])).verdict(AS_OF)
    assert [i["item"] for i in items] == ["首页不更新", "栏目不更新", "空白栏目", "互动回应差", "服务不实用"]
    for i in items:
        assert {"item", "failed", "count", "threshold", "rule_source", "evidence", "checked"} <= set(i)
        assert "国办秘函〔2019〕19号" in i["rule_source"]
        json.dumps(i, ensure_ascii=False)  # reports serialise them as they are


# -- real pages ----------------------------------------------------------------------------------


def _real(name: str, url: str | None, as_of: date = date(2020, 9, 1)):
    return read_page((PAGES / name).read_bytes(), source=name, url=url, as_of=as_of)


@needs_pages
def test_every_real_page_gives_small_picklable_facts():
    for line in (PAGES / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        facts = page_facts(_real(label["file"], None))
        data = pickle.dumps(facts)
        assert pickle.loads(data) == facts
        limit = 4_000 if label["kind"] == "article" else 32_000
        assert len(data) < limit, (label["file"], len(data))


@needs_pages
def test_real_homepage_and_list_page_of_one_site():
    """hd.gov.cn: the homepage's 近期信息公开 block and the 近期信息公开 list page are one column.

    Labels: homepage blocks newest 2020-08-02 (visible block) and 2020-07-29 / 07-27 / 01-23 /
    04-24; the list page's newest 2020-08-05.
    """
    home = page_facts(_real("085_www.hd.gov.cn_home.jsp", "http://www.hd.gov.cn/"))
    listing = page_facts(_real("086_www.hd.gov.cn_list.jsp", "http://www.hd.gov.cn/zwgk/jqxxgk/"))
    assert [(b.heading, b.n_items, b.newest) for b in home.blocks] == [
        ("近期信息公开", 1, date(2020, 8, 2)), ("市政府文件", 1, date(2020, 7, 29)),
        ("市政府办公室文件", 1, date(2020, 7, 27)), ("市政府令", 1, date(2020, 1, 23)),
        ("修订废止", 1, date(2020, 4, 24)),
    ]
    acc = SiteAccumulator("www.hd.gov.cn", Config.default())
    acc.add(home)
    acc.add(listing)
    cols = {c.name: c for c in acc.columns(date(2020, 9, 1))}
    assert len([c for c in cols if c == "近期信息公开"]) == 1
    recent = cols["近期信息公开"]
    assert recent.newest == date(2020, 8, 5) and recent.type == "notice" and set(recent.sources) == {"block", "list"}
    # Homepage: newest item 2020-08-02; 13 days later fresh, 14 days later not updated.
    assert not item_named(acc.verdict(date(2020, 8, 15)), "首页不更新")["failed"]
    assert item_named(acc.verdict(date(2020, 8, 16)), "首页不更新")["failed"]
    # The column: 182 days after 2020-08-05 fine, 183 stale; 市政府令 (2020-01-23) stale already.
    assert {c.name: c.status for c in acc.columns(date(2021, 2, 3))}["近期信息公开"] == "substantive"
    assert {c.name: c.status for c in acc.columns(date(2021, 2, 4))}["近期信息公开"] == "stale"
    stale = item_named(acc.verdict(date(2020, 9, 1)), "栏目不更新")
    assert [e["column"] for e in stale["evidence"]] == ["市政府令"]
    assert stale["evidence"][0]["newest"] == "2020-01-23" and stale["evidence"][0]["age_days"] == 222


# -- memory ---------------------------------------------------------------------------------------


def synthetic_facts(n_pages: int, n_columns: int = 60, start: date = date(2024, 1, 1)):
    """A site of n_pages: one homepage, paginated column list pages, articles, message pages."""
    nav = tuple((f"栏目{i}动态", f"{SITE}/c{i}/") for i in range(n_columns))
    yield PageFacts(SITE + "/", SITE + "/", "home", None, None, nav=nav, blocks=tuple(
        ListFact(f"栏目{i}动态", f"{SITE}/c{i}/", 5, 5, start, titles=("县长调研",)) for i in range(10)))
    for k in range(1, n_pages):
        if k % 10 == 0:  # a list page (page k // 10 of some column)
            col = k % n_columns
            url = f"{SITE}/c{col}/index_{k // 10}.html"
            own = ListFact(f"栏目{col}动态", None, 20, 20, start + timedelta(days=k % 300), titles=("标题一", "标题二"))
            yield PageFacts(url, url, "list", None, None, own=own, own_names=((3, f"栏目{col}动态"),), nav=nav)
        elif k % 97 == 0:  # a message list page
            url = f"{SITE}/hd/index_{k}.html"
            msgs = tuple(MessageFact(f"留言{k}-{j}", start, None, "未回复", f"{SITE}/hd/m{k % 500}-{j}.html", url,
                                     "政务咨询", True) for j in range(5))
            yield PageFacts(url, url, "list", None, None, messages=msgs)
        else:
            url = f"{SITE}/c{k % n_columns}/t{k}.html"
            yield PageFacts(url, url, "article", f"文章{k}", start)


def test_memory_stays_flat_over_10000_pages():
    acc = SiteAccumulator("www.example.gov.cn", Config.default())
    facts = synthetic_facts(10_000)
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(2_000):
            acc.add(next(facts))
        gc.collect()
        at_2k = tracemalloc.get_traced_memory()[0]
        for f in facts:
            acc.add(f)
        gc.collect()
        at_10k = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert acc.pages == 10_000
    # 8,000 more pages (800 list pages, ~80 message pages, 7,000 articles) add only the bounded
    # message set; measured ≈ 0.2 MB.  Keeping per-page data would cost several MB.
    assert at_10k - at_2k < 600_000, at_10k - at_2k
    cols = acc.columns(date(2024, 12, 1))
    assert len(cols) == 60


# -- the lint-site runner ---------------------------------------------------------------------------

HOME = """<html><head><title>某县人民政府</title></head><body>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/tzgg/">通知公告</a></li><li><a href="/rsxx/">人事信息</a></li><li><a href="/zwzx/">政务咨询</a></li></ul></div>
<div class="box"><div class="hd"><h3>工作动态</h3><a href="/gzdt/">更多&gt;&gt;</a></div><ul>
<li><a href="/gzdt/202405/t1.html">县长调研春耕生产工作情况</a><span>2024-05-10</span></li>
<li><a href="/gzdt/202405/t2.html">县政府召开常务会议研究部署</a><span>2024-05-08</span></li></ul></div>
<div class="box"><div class="hd"><h3>通知公告</h3><a href="/tzgg/">更多&gt;&gt;</a></div><ul>
<li><a href="/tzgg/202405/t3.html">关于做好2024年防汛工作的通知</a><span>2024-05-01</span></li>
<li><a href="/tzgg/202404/t4.html">关于开展安全生产大检查的通知</a><span>2024-04-10</span></li></ul></div>
<div class="footer">网站标识码：1234567890</div></body></html>"""
BLANK = """<html><head><title>人事信息_某县人民政府</title></head><body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 人事信息</div><h2>人事信息</h2><ul><li>暂无信息</li></ul>
<div class="footer">网站标识码：1234567890</div></body></html>"""
MESSAGES = """<html><head><title>政务咨询_某县人民政府</title></head><body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政务咨询</div>
<table><tr><th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>
<tr><td><a href="/zx/1.html">关于小区停水问题的咨询</a></td><td>2024-01-05</td><td>2024-01-08</td><td>已回复</td></tr>
<tr><td><a href="/zx/2.html">关于道路施工噪音的投诉</a></td><td>2024-01-20</td><td></td><td>未回复</td></tr>
</table></body></html>"""


def test_lint_site_uses_the_site_model(tmp_path):
    from qualitycheck.batch import lint_site

    root = tmp_path / "www.example.gov.cn"
    for rel, html in {"index.html": HOME, "rsxx/index.html": BLANK, "zwzx/index.html": MESSAGES}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(html, encoding="utf-8")
    out = tmp_path / "out"
    summary = lint_site(tmp_path, out, as_of=date(2024, 6, 1), warm=False)
    site = summary["sites"][0]
    items = {i["item"]: i for i in site["veto_items"]}
    assert items["首页不更新"]["failed"] is True  # newest 2024-05-10: 22 days
    assert items["空白栏目"]["count"] == 1 and not items["空白栏目"]["failed"]
    assert items["互动回应差"]["failed"] and items["互动回应差"]["evidence"][0]["asked"] == "2024-01-20"
    assert site["verdict"] == "不合格"
    rows = [json.loads(l) for l in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    site_rows = {r["code"]: r for r in rows if r["scope"] == "site"}
    assert {"QC301", "QC302", "QC303", "QC304"} <= set(site_rows)
    assert site_rows["QC301"]["url"] == "http://www.example.gov.cn/rsxx/index.html"
    assert site_rows["QC302"]["evidence"]["column"] == "工作动态"


@pytest.mark.parametrize("age, status", [(13, "substantive"), (14, "stale")])
def test_list_status_for_a_single_page_uses_the_same_rule(age, status):
    from qualitycheck.site import list_status

    col = list_status(dated_list("工作动态", news_items(ago(age))), AS_OF, Config.default())
    assert (col.type, col.status, col.age_days, col.max_age_days) == ("news", status, age, 14)
    assert list_status(dated_list("通知公告", [item("暂无信息")]), AS_OF, Config.default()).status == "empty"
    # A block with no items says nothing (often filled by JavaScript) unless it shows a placeholder.
    assert list_status(dated_list("通知公告", []), AS_OF, Config.default(), as_list_page=False).status == "unknown"
    assert list_status(dated_list("通知公告", []), AS_OF, Config.default()).status == "empty"


def _labelled_list_pages():
    if not (PAGES / "labels.jsonl").is_file():
        return []
    out = []
    for line in (PAGES / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        if label["kind"] == "list" and label["lists"] and label["lists"][0]["newest"]:
            out.append(pytest.param(label, id=label["file"][:24]))
    return out


@needs_pages
@pytest.mark.parametrize("label", _labelled_list_pages())
def test_real_list_pages_give_their_column_the_labelled_newest_date(label):
    """Every labelled list page whose main list has a knowable newest date (086, 098-100, 103, 104)."""
    main = label["lists"][0]
    newest = date.fromisoformat(main["newest"])
    facts = page_facts(_real(label["file"], None, as_of=newest + timedelta(days=30)))
    assert facts.own is not None
    assert (facts.own.newest, facts.own.n_items) == (newest, main["n_items"])
    acc = SiteAccumulator("real", Config.default())
    acc.add(facts)
    [col] = [c for c in acc.columns(newest + timedelta(days=30)) if "list" in c.sources]
    assert col.status in ("substantive", "stale") and col.age_days == 30


def test_month_day_items_from_the_page_reader_are_marked_year_inferred():
    from qualitycheck.site import list_status

    html = "<html><body><h2>工作动态</h2><ul>" + "".join(
        f"<li><a href='/a{i}.html'>县政府召开第{i}次常务会议</a><span>[05-{20 - i:02d}]</span></li>" for i in range(5)
    ) + "</ul></body></html>"
    p = read_page(html.encode(), url="http://www.x.gov.cn/gzdt/", as_of=date(2025, 6, 30))
    col = list_status(p.lists[0], date(2025, 6, 30), Config.default(), page_url=p.url)
    assert (col.status, col.newest, col.year_inferred) == ("stale", date(2025, 5, 20), True)
