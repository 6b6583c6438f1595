"""Column status (blank / stale / substantive), column types and the QC301-QC303, QC305, QC306 checks."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qualitycheck.api import check_text
from qualitycheck.checks.registry import get_check
from qualitycheck.columns import types
from qualitycheck.columns.guide import read_guide
from qualitycheck.columns.placeholders import find_placeholder, is_placeholder
from qualitycheck.columns.train import criteria_type, load_rows, scores, split
from qualitycheck.paths import MODELS_DIR
from site_helpers import (
    AS_OF, SITE, ago, config, dated_list, item, item_named, list_page, news_items, page, site_of,
)


def status_of(acc, name, as_of=AS_OF):
    return next(c for c in acc.columns(as_of) if c.name == name)


# -- stale boundaries by column type -----------------------------------------------------------


@pytest.mark.parametrize("name, age, expected", [
    ("工作动态", 13, "substantive"),
    ("工作动态", 14, "stale"),
    ("通知公告", 182, "substantive"),
    ("通知公告", 183, "stale"),
    ("通知公告", 184, "stale"),
    ("人事任免", 364, "substantive"),
    ("人事任免", 365, "stale"),
    ("人事任免", 366, "stale"),
])
def test_stale_boundary_per_type(name, age, expected):
    acc = site_of(list_page("/col/", name, news_items(ago(age))))
    col = status_of(acc, name)
    assert col.status == expected
    assert col.age_days == age
    codes = [f.code for f in acc.findings(AS_OF)]
    assert ("QC302" in codes) == (expected == "stale")


def test_the_type_decides_the_period():
    # Same newest date, 200 days old: a notice column is stale, a plan column is not,
    # an interaction or other column has no period at all.
    pages = [list_page(f"/c{i}/", name, news_items(ago(200))) for i, name in
             enumerate(["通知公告", "规划计划", "领导信箱", "机构职能"])]
    acc = site_of(*pages)
    got = {c.name: (c.type, c.status, c.max_age_days) for c in acc.columns(AS_OF)}
    assert got == {
        "通知公告": ("notice", "stale", 183),
        "规划计划": ("plan", "substantive", 365),
        "领导信箱": ("interaction", "substantive", None),
        "机构职能": ("other", "substantive", None),
    }


def test_periods_come_from_config():
    acc = site_of(list_page("/gzdt/", "工作动态", news_items(ago(7))), cfg=config(columns={"news_days": 7}))
    assert status_of(acc, "工作动态").status == "stale"
    acc = site_of(list_page("/gzdt/", "工作动态", news_items(ago(6))), cfg=config(columns={"news_days": 7}))
    assert status_of(acc, "工作动态").status == "substantive"


def test_stale_finding_cites_page_date_and_clause():
    acc = site_of(list_page("/gzdt/", "工作动态", news_items(ago(30))))
    f = next(f for f in acc.findings(AS_OF) if f.code == "QC302")
    assert f.url == SITE + "/gzdt/"
    assert f.scope == "site" and f.match == "工作动态"
    assert f.evidence["newest"] == ago(30).isoformat()
    assert f.evidence["as_of"] == AS_OF.isoformat()
    assert f.evidence["period_days"] == 14 and f.evidence["age_days"] == 30
    assert "国办秘函〔2019〕19号" in f.rule_source and "2周" in f.rule_source
    assert ago(30).isoformat() in f.message


# -- undated items -----------------------------------------------------------------------------


def test_items_without_a_visible_date_count_as_not_updated():
    undated = [item("县长调研春耕生产"), item("全县安全生产工作会议召开")]
    acc = site_of(list_page("/gzdt/", "工作动态", undated))
    col = status_of(acc, "工作动态")
    assert col.status == "stale" and col.newest is None and col.n_dated == 0
    found = {f.code: f for f in acc.findings(AS_OF)}
    assert "无可见发布日期" in found["QC302"].message
    assert found["QC306"].evidence["n_undated"] == 2


def test_partly_undated_column_is_judged_by_its_dated_items_and_flagged():
    items = [item("县长调研春耕生产", ago(3)), item("全县安全生产工作会议召开")]
    acc = site_of(list_page("/gzdt/", "工作动态", items))
    assert status_of(acc, "工作动态").status == "substantive"
    assert [f.code for f in acc.findings(AS_OF)] == ["QC306"]


def test_relative_times_are_dated_but_give_no_status():
    items = [item("国际新闻一", date_text="3小时前", date_kind="relative"),
             item("国际新闻二", date_text="5小时前", date_kind="relative")]
    acc = site_of(list_page("/gjxw/", "要闻", items))
    col = status_of(acc, "要闻")
    assert col.status == "unknown" and col.n_dated == 2


def test_month_day_dates_take_the_latest_year_not_after_as_of():
    items = [item("关于做好防汛工作的通知", date_text="[05-20]", date_kind="month-day"),
             item("关于开展安全检查的通知", date_text="[04-10]", date_kind="month-day")]
    acc = site_of(list_page("/tzgg/", "通知公告", items))
    col = status_of(acc, "通知公告")
    assert col.newest == date(2024, 5, 20) and col.year_inferred
    # Seen on 2024-05-10, "05-20" can only be 2023-05-20: 356 days, stale for news.
    acc = site_of(list_page("/gzdt/", "工作动态", [item("县长调研", date_text="05-20", date_kind="month-day")]))
    assert status_of(acc, "工作动态", date(2024, 5, 10)).newest == date(2023, 5, 20)


# -- blank columns -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["暂无信息", "暂无数据", "【暂无相关信息】", "正在建设中", "栏目正在建设中...", "敬请期待", "共0条"])
def test_placeholder_items_make_a_blank_column(text):
    acc = site_of(list_page("/rsxx/", "人事信息", [item(text)]))
    col = status_of(acc, "人事信息")
    assert col.status == "empty" and col.n_items == 0 and col.placeholder == text


def test_placeholder_detection_does_not_fire_on_titles_that_mention_it():
    assert not is_placeholder("关于暂无信息栏目整改情况的通报")
    assert not is_placeholder("2024年工作动态")
    assert find_placeholder("当前位置：首页 > 人事信息\n人事信息\n暂无信息\n网站标识码") == "暂无信息"


def test_list_page_without_items_is_blank():
    acc = site_of(page(SITE + "/ghjh/", "list", lists=[], html_title="规划计划_某县人民政府"))
    assert status_of(acc, "规划计划").status == "empty"


def test_placeholder_page_that_looks_like_a_column_is_blank():
    # The page reader gives non-article pages no body; their visible text is in `text`.
    p = page(SITE + "/zcwj/", "other", html_title="政策文件_某县人民政府",
             text="当前位置：首页 > 政策文件\n政策文件\n栏目正在建设中\n网站标识码：1234567890")
    col = status_of(site_of(p), "政策文件")
    assert col.status == "empty" and col.placeholder == "栏目正在建设中"


def test_placeholder_on_an_odd_page_counts_only_when_navigation_links_to_it():
    odd = page(SITE + "/show.jsp?id=7", "other", html_title="专项资金公示_某县人民政府", text="暂无数据")
    assert site_of(odd).columns(AS_OF) == []
    home = page(SITE + "/", "home", nav=[("专项资金公示", SITE + "/show.jsp?id=7")],
                lists=[dated_list("工作动态", news_items(ago(1)), more_url=SITE + "/gzdt/")])
    cols = {c.name: c.status for c in site_of(home, odd).columns(AS_OF)}
    assert cols["专项资金公示"] == "empty"


def test_blank_severity_and_verdict_at_4_and_5_columns():
    def site_with(n_blank):
        pages = [list_page(f"/b{i}/", f"专栏{i}信息", [item("暂无信息")]) for i in range(n_blank)]
        pages.append(list_page("/gzdt/", "工作动态", news_items(ago(1))))
        return site_of(*pages)

    four, five, one = site_with(4), site_with(5), site_with(1)
    v4 = item_named(four.verdict(AS_OF), "空白栏目")
    v5 = item_named(five.verdict(AS_OF), "空白栏目")
    assert (v4["count"], v4["failed"], v4["threshold"]) == (4, False, 5)
    assert (v5["count"], v5["failed"]) == (5, True)
    assert {f.severity for f in four.findings(AS_OF) if f.code == "QC301"} == {"warning"}  # ≥ blank_warn (2)
    assert {f.severity for f in five.findings(AS_OF) if f.code == "QC301"} == {"error"}
    assert {f.severity for f in one.findings(AS_OF) if f.code == "QC301"} == {"info"}
    assert len([f for f in five.findings(AS_OF) if f.code == "QC301"]) == 5
    assert {e["column"] for e in v5["evidence"]} == {f"专栏{i}信息" for i in range(5)}


def test_stale_verdict_at_4_and_5_columns_counts_news_and_notice_only():
    def site_with(n_stale, n_plan=0):
        pages = [list_page(f"/s{i}/", f"部门{i}动态", news_items(ago(20))) for i in range(n_stale)]
        pages += [list_page(f"/p{i}/", f"人事任免{i}", news_items(ago(400))) for i in range(n_plan)]
        pages.append(list_page("/tzgg/", "通知公告", news_items(ago(1))))
        return site_of(*pages)

    v4 = item_named(site_with(4).verdict(AS_OF), "栏目不更新")
    v5 = item_named(site_with(5).verdict(AS_OF), "栏目不更新")
    assert (v4["count"], v4["failed"]) == (4, False)
    assert (v5["count"], v5["failed"]) == (5, True)
    # 人事/规划计划 columns are stale after a year but count only towards the "≥10" prong.
    v = item_named(site_with(4, n_plan=5).verdict(AS_OF), "栏目不更新")
    assert (v["count"], v["count_all_types"], v["failed"]) == (4, 9, False)
    v = item_named(site_with(4, n_plan=6).verdict(AS_OF), "栏目不更新")
    assert (v["count"], v["count_all_types"], v["failed"]) == (4, 10, True)


# -- one column, many sightings ------------------------------------------------------------------


def test_homepage_block_and_its_list_page_are_one_column():
    home = page(SITE + "/", "home", nav=[("通知公告", SITE + "/tzgg/")], lists=[
        dated_list("通知公告", news_items(ago(2), n=2), more_url=SITE + "/tzgg/index.html"),
        dated_list("工作动态", news_items(ago(1), n=2), more_url=SITE + "/gzdt/"),
    ])
    p1 = list_page("/tzgg/", "通知公告", news_items(ago(2), n=20, step=1))
    p2 = page("https://www.example.gov.cn/tzgg/index_1.html", "list",
              lists=[dated_list("通知公告", news_items(ago(30), n=20, step=1))])
    acc = site_of(home, p1, p2)
    cols = [c for c in acc.columns(AS_OF) if c.name == "通知公告"]
    assert len(cols) == 1
    c = cols[0]
    assert c.n_items == 40 and c.newest == ago(2) and set(c.sources) == {"block", "list"}
    assert len(acc.columns(AS_OF)) == 2


def test_block_without_more_link_joins_the_navigation_column_of_the_same_name():
    home = page(SITE + "/", "home", nav=[("政策解读", SITE + "/zcjd/")], lists=[
        dated_list("【政策解读】", news_items(ago(300), n=2)),
    ])
    listing = list_page("/zcjd/", "政策解读", news_items(ago(250)))
    cols = site_of(home, listing).columns(AS_OF)
    assert [(c.name, c.status, c.newest) for c in cols] == [("政策解读", "stale", ago(250))]


def test_navigation_only_columns_are_unknown_and_never_counted():
    home = page(SITE + "/", "home", nav=[("工作动态", SITE + "/gzdt/"), ("首页", SITE + "/"),
                                         ("联系我们", SITE + "/lxwm/"), ("外省网站", "http://www.other.gov.cn/tzgg/")],
                lists=[dated_list("要闻", news_items(ago(1)), more_url=SITE + "/yw/")])
    acc = site_of(home)
    cols = {c.name: c for c in acc.columns(AS_OF)}
    assert set(cols) == {"工作动态", "要闻"}  # 首页 / 联系我们 are not columns, other sites are not ours
    assert cols["工作动态"].status == "unknown"
    assert item_named(acc.verdict(AS_OF), "空白栏目")["count"] == 0


# -- homepage ----------------------------------------------------------------------------------


@pytest.mark.parametrize("age, stale", [(13, False), (14, True)])
def test_homepage_not_updated_for_14_days(age, stale):
    home = page(SITE + "/", "home", lists=[
        dated_list("要闻", news_items(ago(age)), more_url=SITE + "/yw/"),
        dated_list("通知公告", news_items(ago(age + 5)), more_url=SITE + "/tzgg/", hidden=True),
    ])
    acc = site_of(home)
    v = item_named(acc.verdict(AS_OF), "首页不更新")
    assert v["failed"] is stale and v["checked"]
    found = [f for f in acc.findings(AS_OF) if f.code == "QC303"]
    assert bool(found) is stale
    if stale:
        assert found[0].evidence["newest"] == ago(age).isoformat() and found[0].url == SITE + "/"


def test_homepage_with_undated_items_is_not_updated():
    home = page(SITE + "/", "home", lists=[dated_list("要闻", [item("县长调研"), item("全县会议")])])
    assert item_named(site_of(home).verdict(AS_OF), "首页不更新")["failed"]


def test_navigation_homepage_is_stale_only_when_every_column_is():
    home = page(SITE + "/", "home", nav=[("工作动态", SITE + "/gzdt/")])
    fresh = list_page("/gzdt/", "工作动态", news_items(ago(3)))
    stale = list_page("/tzgg/", "通知公告", news_items(ago(300)))
    assert not item_named(site_of(home, fresh, stale).verdict(AS_OF), "首页不更新")["failed"]
    old = list_page("/gzdt/", "工作动态", news_items(ago(30)))
    v = item_named(site_of(home, old, stale).verdict(AS_OF), "首页不更新")
    assert v["failed"] and v["evidence"][0]["basis"] == "columns"


def test_no_homepage_means_not_checked():
    v = item_named(site_of(list_page("/gzdt/", "工作动态", news_items(ago(3)))).verdict(AS_OF), "首页不更新")
    assert v["checked"] is False and v["failed"] is False


# -- column types ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("工作动态", "news"), ("【部门动态】", "news"), ("今日廊坊", "news"), ("新闻发布会", "news"),
    ("通知公告", "notice"), ("政策解读", "notice"), ("市政府令", "notice"), ("公示公告", "notice"),
    ("人事任免", "plan"), ("规划计划", "plan"), ("诚聘英才", "plan"),
    ("领导信箱", "interaction"), ("当前位置：首页 > 政务咨询", "interaction"), ("在线访谈", "interaction"),
    ("机构职能", "other"), ("市规划和自然资源局", "other"), ("退役军人事务部", "other"), ("更多>>", "other"),
])
def test_column_type_from_name(name, expected):
    assert types.classify(name) == expected


def test_column_type_from_titles_when_the_name_says_nothing():
    titles = ["关于印发《安全生产考核办法》的通知", "关于做好防汛工作的通知", "某县人民政府关于调整区划的批复"]
    assert types.classify(None, titles) == "notice"
    assert types.classify("综合信息", titles) == "notice"
    assert types.classify("综合信息", ["县长调研春耕", "全县会议召开"]) == "other"
    assert types.classify(None, ["关于张三同志任职的通知", "县政府任免工作人员"]) == "plan"


def test_column_type_classifier_on_the_held_out_split():
    """The shipped method and both contenders, re-measured from the shipped files.

    Floors are the held-out macro-F1 measured when the model was built (models/columns/CARD.md),
    rounded down: curated rules 0.915, learned hybrid 0.888, learned model alone 0.758.
    """
    rows = load_rows()
    train, test = split(rows)
    names = [r.name for r in test]
    gold = [r.label for r in test]
    assert len(test) >= 400 and {r.label for r in test} == set(types.TYPES)
    assert not ({r.name for r in train} & set(names)), "held-out names leak into training"

    learned = types.load_learned(MODELS_DIR / "columns" / "column_type.heldout.joblib")
    rules = scores(gold, [types.keyword_type(n) for n in names])["macro_f1"]
    hybrid = scores(gold, learned.predict(names))["macro_f1"]
    alone = scores(gold, types.TypeModel(learned.pipeline, "model", "", {}).predict(names))["macro_f1"]
    assert rules >= 0.91 and hybrid >= 0.88 and alone >= 0.75
    # Learning does beat a naive rule made only of the criteria's own words (measured 0.641).
    naive = scores(gold, [criteria_type(n) for n in names])["macro_f1"]
    assert naive < alone

    metrics = json.loads((MODELS_DIR / "columns" / "metrics.json").read_text(encoding="utf-8"))
    shipped = json.loads((MODELS_DIR / "columns" / "model.json").read_text(encoding="utf-8"))["method"]
    assert shipped == metrics["shipped"]
    best = max(("rules", rules), (metrics["learned_candidate"]["method"], hybrid), key=lambda kv: kv[1])[0]
    assert shipped == best, "classify() must use the method that scored better"
    shipped_pred = [types.classify(n) for n in names]
    assert scores(gold, shipped_pred)["macro_f1"] == pytest.approx(max(rules, hybrid), abs=0.02)


# -- service guides (QC305, page level) ------------------------------------------------------------

GUIDE = """建设工程规划许可证核发办事指南

事项名称：建设工程规划许可证核发
设定依据：无
申请条件：
办理材料：1.申请表；2.身份证明
收费标准：无
办理地点：
联系电话：0310-1234567
办理流程：受理、审查、决定"""


def test_service_guide_blank_elements():
    found = check_text(GUIDE, select=["QC305"])
    by_rule = {f.rule_id: f for f in found}
    assert set(by_rule) == {"guide-basis", "guide-conditions", "guide-place"}
    assert by_rule["guide-basis"].severity == "warning" and by_rule["guide-basis"].match == "设定依据"
    assert by_rule["guide-conditions"].evidence["value"] == ""
    # An unverified element is reported as info only, and 收费标准 "无" (free of charge) is fine.
    assert by_rule["guide-place"].severity == "info" and by_rule["guide-place"].evidence["verified"] is False
    assert "guide-fees" not in by_rule


def test_service_guide_missing_element_on_a_clear_guide_only():
    text = "事项名称：户口迁移\n申请条件：本市户籍\n办理地点：派出所\n办理时间：工作日\n联系电话：110"
    found = check_text(text, select=["QC305"])
    assert {(f.rule_id, f.evidence["problem"]) for f in found} == {("guide-basis", "missing"), ("guide-materials", "missing")}
    # A news article that mentions 申请条件 is not a guide.
    assert check_text("会议强调，要明确申请条件，简化办理材料，方便群众办事。", select=["QC305"]) == []


def test_service_guide_table_layout():
    # Table cells extract one per line; an empty cell leaves its label followed by the next label.
    text = "事项名称\n建设工程规划许可证核发\n设定依据\n《城乡规划法》第四十条\n申请条件\n办理材料\n1.申请表\n办理地点\n政务服务中心"
    r = read_guide(text)
    assert r.is_guide and r.problems == ["申请条件"]


def test_guide_blanks_feed_the_verdict_without_failing_the_site_by_default():
    guide = page(SITE + "/bszn/1.html", "article", title="建设工程规划许可证核发办事指南", body=GUIDE)
    good = page(SITE + "/bszn/2.html", "article", title="户口迁移办事指南",
                body="事项名称：户口迁移\n设定依据：《户口登记条例》\n申请条件：本市户籍\n办理材料：身份证")
    v = item_named(site_of(guide, good).verdict(AS_OF), "服务不实用")
    assert v["checked"] and v["count"] == 1 and v["failed"] and v["veto"] is False
    assert v["evidence"][0]["elements"] == ["设定依据", "申请条件"]


def test_check_levels_and_documentation():
    for code in ("QC301", "QC302", "QC303", "QC304", "QC306"):
        check = get_check(code)
        assert check.level == "site" and check.uses_site_model and "国办" in check.description
    qc305 = get_check("QC305")
    assert qc305.level == "page"
    assert "unverified" in qc305.description.lower() or "未核实" in qc305.description


def test_service_guide_laid_out_as_a_bare_table_through_the_page_reader():
    # The page reader calls this page "other" and gives it no body; QC305 reads its rendered text.
    from qualitycheck.extract.page import read_page
    from qualitycheck.inspect import page_document
    from qualitycheck.api import check_document

    html = """<html><head><title>户口迁移办事指南_某县政务服务网</title></head><body><table>
    <tr><td>事项名称</td><td>户口迁移</td></tr><tr><td>设定依据</td><td>暂无</td></tr>
    <tr><td>申请条件</td><td>本市户籍</td></tr><tr><td>办理材料</td><td></td></tr>
    <tr><td>办理地点</td><td>派出所</td></tr></table></body></html>"""
    p = read_page(html.encode("utf-8"), source="g.html", url=SITE + "/bs/1.html", as_of=AS_OF)
    found = check_document(page_document(p), config(select=["QC305"]))
    assert {(f.rule_id, f.evidence["value"]) for f in found} == {("guide-basis", "暂无"), ("guide-materials", "")}
    v = item_named(site_of(p).verdict(AS_OF), "服务不实用")
    assert v["count"] == 1 and v["evidence"][0]["elements"] == ["设定依据", "办理材料"]
