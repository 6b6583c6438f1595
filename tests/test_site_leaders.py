"""QC107: the site's own leaders, read from its 领导信息 page, checked on every page of the site."""

from __future__ import annotations

import json

from qualitycheck.text.leaders import harvest_leaders, title_mentions

LEADER_PAGE = """<html><head><title>领导信息_某某县人民政府</title></head><body><h1>领导信息</h1>
<div class="content"><p>县长：张伟</p><p>张伟，男，汉族，1972年3月生，现任某某县委副书记、县长。</p>
<p>副县长：李建国</p><p>李建国，男，汉族，1975年生，现任某某县副县长。</p>
<p>姓名：王芳</p><p>王芳，女，1980年生，现任某某县副县长。</p>
<p>副县长：王方</p></div></body></html>"""


def _news(title: str, text: str, day: int) -> str:
    return (f"<html><head><title>{title}_某某县人民政府</title></head><body><h1>{title}</h1>"
            f"<div>发布时间：2025-06-{day:02d}</div><div class='content'><p>"
            + "会议强调，要认真抓好各项工作落实。" * 3 + text + "</p></div></body></html>")


def test_names_are_read_from_a_leader_page_only():
    text = "领导信息\n县长：张伟\n张伟，男，汉族，1972年生。\n姓名：王芳\n副县长：李建国"
    assert set(harvest_leaders("领导信息_某某县", text)) == {"张伟", "王芳", "李建国"}
    assert harvest_leaders("县政府召开常务会议", "县长：张伟主持会议。张伟，男，汉族。") == ()
    # a title is not a name, and a name needs a common surname
    assert harvest_leaders("领导信息", "县长：副县长\n姓名：阿尔法") == ()


def test_mentions_are_short_windows_around_titles():
    found = title_mentions("6月20日，县长张伟主持召开会议，副县长李建国出席。")
    assert any("县长张伟主持" in w for w in found) and all(len(w) <= 14 for w in found)


def _lint(tmp_path, pages: dict[str, str]) -> tuple[dict, list[dict]]:
    from qualitycheck.batch import lint_site

    site = tmp_path / "sites" / "www.z.gov.cn"
    site.mkdir(parents=True)
    for name, html in pages.items():
        (site / name).write_text(html, encoding="utf-8")
    summary = lint_site(tmp_path / "sites", tmp_path / "out", warm=False)
    rows = [json.loads(line) for line in (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    return summary, [r for r in rows if r["code"] == "QC107"]


def test_a_misspelled_own_leader_is_found_on_another_page(tmp_path):
    summary, found = _lint(tmp_path, {
        "ldxx.html": LEADER_PAGE,
        "a.html": _news("县政府召开常务会议", "县长张伟主持召开会议。副县长李李建国作了发言。县长张为讲话。", 20),
        "b.html": _news("调研", "县长张伟到乡镇调研，副县长王方陪同。张伟强调要抓好落实。", 21),
    })
    got = {(f["match"], tuple(f["suggestions"]), f["url"].rsplit("/", 1)[-1]) for f in found}
    # 张为: one same-sound character; 李李建国: typed twice. 王方 is on the leader list itself.
    assert got == {("李李建国", ("李建国",), "a.html"), ("张为", ("张伟",), "a.html")}
    assert all(f["severity"] == "error" and f["evidence"]["name_source"].endswith("ldxx.html") for f in found)
    # A local leader is not a Party or state leader: the finding alone does not fail the site.
    assert summary["sites"][0]["verdict"] == "合格"


def test_no_leader_page_no_finding_and_no_title_no_finding(tmp_path):
    _, found = _lint(tmp_path, {"a.html": _news("会议", "县长张为主持召开会议。", 20)})
    assert found == []
    _, found = _lint(tmp_path / "2", {
        "ldxx.html": LEADER_PAGE,
        "a.html": _news("通知", "请张为同学到教务处领取证书。", 20),  # not beside a leader's title
    })
    assert found == []
