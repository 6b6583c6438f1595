"""Page checks end to end through the public API: repeated characters, quoted text, inline
suppression, the accept list and date-aware wording on real HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qualitycheck import check_html, check_text
from qualitycheck.config import Config
from qualitycheck.extract.loader import document_from_bytes

ROOT = Path(__file__).resolve().parent.parent
REPEATED = yaml.safe_load((ROOT / "dictionaries" / "typos" / "repeated.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", REPEATED["examples"]["flag"])
def test_repeated_char_examples_flag(text):
    found = check_text(text, select=["QC102"])
    assert found and all(f.code == "QC102" and f.suggestions == [""] for f in found)
    # The finding marks the second copy, so deleting the span fixes the text.
    f = found[0]
    fixed = text[: f.span.start] + text[f.span.end :]
    assert check_text(fixed, select=["QC102"]) == []


@pytest.mark.parametrize("text", REPEATED["examples"]["pass"])
def test_repeated_char_examples_pass(text):
    assert check_text(text, select=["QC102"]) == []


def test_quoted_text_is_exempt_from_wording_rules():
    assert [f.code for f in check_text("截止2024年底，完成整改。", select=["QC2"])] == ["QC205"]
    assert check_text("《关于截止2024年底有关情况的报告》已印发。", select=["QC2"]) == []
    assert check_text("他说“截止2024年底”这个提法要改。", select=["QC2"]) == []


def test_outdated_agency_is_date_aware_on_html_pages():
    page = ("<html><head><title>{t}</title></head><body><h1>{t}</h1><div>发布时间：{d}</div>"
            "<div class='content'><p>" + "各部门要认真落实有关工作要求。" * 5 + "国土资源部发布了通知。</p></div></body></html>")
    before = check_html(page.format(t="关于土地整治工作的通知", d="2016-05-10"), select=["QC201"])
    after = check_html(page.format(t="关于土地整治工作的通知", d="2019-05-10"), select=["QC201"])
    assert before == []
    assert [(f.code, f.match, f.suggestions[0]) for f in after] == [("QC201", "国土资源部", "自然资源部")]


def test_inline_suppression_in_html():
    html = ("<p>截止2024年底完成。</p><!-- qc: disable=QC205 --><p>截止2025年底完成。</p>"
            "<!-- qc: enable=QC205 --><p data-qc-ignore>我们的的工作。</p><p>截止2026年底完成。</p>")
    found = check_html(html, select=["QC1", "QC2"], ignore=["QC103"])
    text = document_from_bytes(html.encode("utf-8"), "f.html").text
    assert [text[f.span.start : f.span.end + 4] for f in found] == ["截止2024", "截止2026"]


def test_accept_list_silences_local_phrases():
    text = "我们的的工作。"
    assert check_text(text, select=["QC102"])
    cfg = Config.from_dict({"accept": ["们的的工"], "select": ["QC102"]})
    assert check_text(text, config=cfg) == []


def test_findings_name_their_scope_on_html():
    html = ("<html><head><title>截止目前的情况</title></head><body><h1>截止目前的情况</h1>"
            "<div class='content'><p>" + "各单位认真开展自查。" * 6 + "截止2024年底完成。</p></div></body></html>")
    found = check_html(html, select=["QC205"])
    assert [f.scope for f in found] == ["title", "body"]


LEADERS = yaml.safe_load((ROOT / "dictionaries" / "typos" / "leader_names.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", LEADERS["examples"]["flag"])
def test_leader_name_examples_flag(text):
    found = check_text(text, select=["QC104"])
    assert found and all(f.severity == "error" for f in found)
    names = {leader["name"] for leader in LEADERS["leaders"]}
    assert all(f.suggestions[0] in names and f.match not in names for f in found)


@pytest.mark.parametrize("text", LEADERS["examples"]["pass"])
def test_leader_name_examples_pass(text):
    assert check_text(text, select=["QC104"]) == []


def test_a_misspelled_leader_name_fails_the_site(tmp_path):
    from qualitycheck.batch import lint_site

    site = tmp_path / "www.x.gov.cn"
    site.mkdir()
    (site / "a.html").write_text(
        "<html><head><title>会议召开_某县</title></head><body><h1>县委理论学习中心组召开学习会</h1>"
        "<div>发布时间：2025-06-20</div><div class='content'><p>" + "会议强调，要认真抓好各项工作落实。" * 5
        + "会议深入学习了习进平总书记重要讲话精神。</p></div></body></html>", encoding="utf-8")
    summary = lint_site(tmp_path, tmp_path / "out", warm=False)
    [item] = [i for i in summary["sites"][0]["veto_items"] if i["item"].startswith("严重错误（领导人")]
    assert item["failed"] and item["count"] == 1 and summary["sites"][0]["verdict"] == "不合格"
