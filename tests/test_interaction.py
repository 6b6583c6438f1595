"""QC304: messages unanswered for more than 90 days within the last 365 days."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from qualitycheck.config import Config
from qualitycheck.extract.page import read_page
from site_helpers import AS_OF, SITE, ago, config, item_named, message, page, site_of


def message_page(*messages, path="/zwzx/", title="政务咨询_某县人民政府"):
    return page(SITE + path, "list", html_title=title, messages=list(messages))


def answered_ok(days_ago=10):
    return message("关于小区停水问题的咨询", ago(days_ago + 3), ago(days_ago), "已回复", SITE + "/zx/ok.html")


def qc304(acc, as_of=AS_OF):
    return [f for f in acc.findings(as_of) if f.code == "QC304"]


@pytest.mark.parametrize("days, flagged", [(90, False), (91, True)])
def test_open_message_90_vs_91_days(days, flagged):
    acc = site_of(message_page(message("关于道路施工噪音的投诉", ago(days), None, "未回复", SITE + "/zx/1.html")))
    found = qc304(acc)
    assert bool(found) is flagged
    v = item_named(acc.verdict(AS_OF), "互动回应差")
    assert v["failed"] is flagged and v["checked"]
    if flagged:
        f = found[0]
        assert f.severity == "error" and f.url == SITE + "/zx/1.html"
        assert f.evidence["asked"] == ago(days).isoformat() and f.evidence["days_unanswered"] == days
        assert f.evidence["still_open"] is True and f.evidence["answered"] is None
        assert ago(days).isoformat() in f.message and "国办秘函〔2019〕19号" in f.rule_source


@pytest.mark.parametrize("asked_days_ago, judged", [(365, True), (366, False)])
def test_lookback_of_365_days(asked_days_ago, judged):
    acc = site_of(message_page(message("关于供暖问题的咨询", ago(asked_days_ago), None, "未回复")))
    assert bool(qc304(acc)) is judged


@pytest.mark.parametrize("wait, flagged", [(90, False), (91, True)])
def test_reply_that_came_too_late(wait, flagged):
    asked = ago(200)
    acc = site_of(message_page(message("关于低保申请的咨询", asked, date.fromordinal(asked.toordinal() + wait), "已回复")))
    found = qc304(acc)
    assert bool(found) is flagged
    if flagged:
        assert found[0].evidence["still_open"] is False and found[0].evidence["answered"] is not None
        assert found[0].rule_id == "late"


def test_late_replies_can_be_left_out():
    cfg = Config.default()
    data = copy.deepcopy(cfg.data)
    data["interaction"]["count_late_replies"] = False
    cfg = Config(data=data)
    acc = site_of(message_page(message("关于低保申请的咨询", ago(200), ago(50), "已回复")), cfg=cfg)
    assert qc304(acc) == []


def test_status_words():
    acc = site_of(message_page(
        message("已回复但未显示日期的留言", ago(150), None, "已回复"),
        message("办理中的留言", ago(150), None, "办理中"),
        message("已受理的留言", ago(150), None, "已受理"),
        message("待回复的留言", ago(100), None, "待回复"),
        answered_ok(),
    ))
    assert sorted(f.match for f in qc304(acc)) == ["办理中的留言", "已受理的留言", "待回复的留言"]


def test_no_status_and_no_reply_date_is_open_only_where_the_list_shows_replies():
    shows_replies = site_of(message_page(message("无状态留言", ago(120)), answered_ok()))
    assert [f.match for f in qc304(shows_replies)] == ["无状态留言"]
    # A list that shows no reply dates or statuses at all cannot say who was answered.
    no_reply_info = site_of(message_page(message("无状态留言", ago(120)), message("另一条", ago(130))))
    assert qc304(no_reply_info) == []


def test_excluded_column_kinds_are_not_judged():
    for title in ("在线访谈_某县人民政府", "调查征集_某县人民政府", "网上信访_某县人民政府", "纪检举报_某县人民政府"):
        acc = site_of(message_page(message("一条留言", ago(120), None, "未回复"), title=title))
        assert qc304(acc) == [], title
    acc = site_of(message_page(message("一条留言", ago(120), None, "未回复"), title="领导信箱_某县人民政府"))
    assert len(qc304(acc)) == 1


def test_same_message_on_two_pages_is_reported_once():
    m = message("关于道路施工噪音的投诉", ago(120), None, "未回复", SITE + "/zx/1.html")
    acc = site_of(message_page(m, answered_ok()), message_page(m, answered_ok(), path="/zwzx/index_1.html"))
    assert len(qc304(acc)) == 1
    assert item_named(acc.verdict(AS_OF), "互动回应差")["count"] == 1


def test_answered_after_as_of_is_open_at_as_of():
    acc = site_of(message_page(message("关于道路施工噪音的投诉", ago(100), date(2024, 7, 1), "已回复")))
    f = qc304(acc)
    assert len(f) == 1 and f[0].evidence["still_open"] is True


def test_messages_are_listed_with_their_dates_in_the_verdict():
    acc = site_of(message_page(
        message("甲", ago(200), None, "未回复"), message("乙", ago(95), None, "处理中"), answered_ok(),
    ))
    v = item_named(acc.verdict(AS_OF), "互动回应差")
    assert v["count"] == 2 and v["threshold"] == 1 and v["max_unanswered_days"] == 90 and v["lookback_days"] == 365
    assert [(e["title"], e["asked"], e["days_unanswered"]) for e in v["evidence"]] == [
        ("甲", ago(200).isoformat(), 200), ("乙", ago(95).isoformat(), 95),
    ]


def test_no_message_lists_means_not_checked():
    v = item_named(site_of(page(SITE + "/", "home")).verdict(AS_OF), "互动回应差")
    assert v["checked"] is False and v["failed"] is False


def test_limits_come_from_config():
    acc = site_of(message_page(message("甲", ago(40), None, "未回复")),
                  cfg=config(interaction={"max_unanswered_days": 30}))
    assert len(qc304(acc)) == 1


def test_a_real_message_list_through_the_page_reader():
    html = """<html><head><title>政务咨询_某县人民政府</title></head><body>
    <div class="crumb">当前位置：<a href="/">首页</a> &gt; 政务咨询</div>
    <table><tr><th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>
    <tr><td><a href="/zx/1.html">关于小区停水问题的咨询</a></td><td>2024-01-05</td><td>2024-01-08</td><td>已回复</td></tr>
    <tr><td><a href="/zx/2.html">关于道路施工噪音的投诉</a></td><td>2024-01-20</td><td></td><td>未回复</td></tr>
    <tr><td><a href="/zx/3.html">关于办理居住证的咨询</a></td><td>2024-03-05</td><td></td><td>办理中</td></tr>
    </table></body></html>"""
    p = read_page(html.encode("utf-8"), source="zx.html", url=SITE + "/zwzx/", as_of=AS_OF)
    acc = site_of(p)
    found = qc304(acc)
    assert [(f.match, f.evidence["asked"], f.evidence["days_unanswered"]) for f in found] == [
        ("关于道路施工噪音的投诉", "2024-01-20", 133),
    ]
    assert found[0].evidence["column"] == "政务咨询" and found[0].url == SITE + "/zx/2.html"
