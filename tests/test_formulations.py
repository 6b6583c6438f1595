"""QC106 typo.formulation (misspelled 提法) and the one-edit variant table it shares with QC104."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from qualitycheck import check_text
from qualitycheck.typo.variants import VariantTable, edited_edges, joined_to_neighbour, one_edit_variants

ROOT = Path(__file__).resolve().parents[1]
DATA = yaml.safe_load((ROOT / "dictionaries" / "typos" / "formulations.yaml").read_text(encoding="utf-8"))
ENTRIES = DATA["formulations"]


def qc106(text: str) -> list:
    return [f for f in check_text(text, select=["QC106"]) if f.code == "QC106"]


def test_every_entry_has_a_source_and_an_example():
    sources = set(re.findall(r"^## (S-[A-Z0-9-]+)\s*$", (ROOT / "dictionaries" / "SOURCES.md").read_text(encoding="utf-8"), re.M))
    texts = [e["text"] for e in ENTRIES]
    assert len(texts) == len(set(texts)) and len(texts) >= 50
    assert DATA["source"] in sources
    for entry in ENTRIES:
        assert set(entry) == {"text", "source", "flag"}, entry
        assert re.fullmatch(r"[\u4e00-\u9fff]{4,}", entry["text"]), entry
        assert entry["source"] in sources, entry
        assert entry["text"] not in entry["flag"], entry


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["text"] for e in ENTRIES])
def test_entry_misspelling_flagged_and_right_form_passes(entry):
    found = qc106(entry["flag"])
    assert [f.suggestions for f in found] == [[entry["text"]]], [(f.match, f.suggestions) for f in found]
    (f,) = found
    assert f.severity == "error" and f.match == entry["flag"][f.span.start:f.span.end]
    assert qc106(f"我们要坚持{entry['text']}。") == []


@pytest.mark.parametrize("text,wrong,right,edit", [
    ("坚持和发展中国特色社会注意。", "中国特色社会注意", "中国特色社会主义", "word-substitution"),
    ("坚决做到“两个卫护”。", "两个卫护", "两个维护", "substitution"),
    ("坚持中国共产党领导的多党合作政治协商制度。", "中国共产党领导的多党合作政治协商制度",
     "中国共产党领导的多党合作和政治协商制度", "deletion"),
    ("牢固树立绿水青山就是金山银银山的理念。", "绿水青山就是金山银银山", "绿水青山就是金山银山", "doubling"),
    ("推动构建人类命运同共体。", "人类命运同共体", "人类命运共同体", "transposition"),
])
def test_each_kind_of_edit(text, wrong, right, edit):
    (f,) = qc106(text)
    assert (f.match, f.suggestions, f.evidence["edit"]) == (wrong, [right], edit)


@pytest.mark.parametrize("text", [
    "要认真学习习近平新时代中国特色社会主义思想。",
    "中华人民共和国国务院令第七百号。",  # 国务院: the last 国 is the next word's
    "《中华人民共和国国歌法》已经通过。",
    "国家出资公司中中国共产党的组织发挥领导作用。",  # 公司中 + 中国共产党
    "加快建设社会主义现代化国家。",  # 国家, not 现代化强国 short of 强
    "倡议体现的核心发展理念彰显了道义力量。",  # 核心, not 新发展理念
    "感谢支持中国现代化建设的朋友。",  # 中国 + 现代化
    "让人民当家做主。",  # accepted: 做主 and 作主 are one word
])
def test_real_text_one_edit_from_an_entry_passes(text):
    assert qc106(text) == []


def test_a_misspelled_formulation_fails_the_site(tmp_path):
    from qualitycheck.batch import lint_site

    site = tmp_path / "www.y.gov.cn"
    site.mkdir()
    (site / "a.html").write_text(
        "<html><head><title>理论学习_某县</title></head><body><h1>县委理论学习中心组召开学习会</h1>"
        "<div>发布时间：2025-06-20</div><div class='content'><p>" + "会议强调，要认真抓好各项工作落实。" * 5
        + "全县党员干部要坚决做到两个卫护。</p></div></body></html>", encoding="utf-8")
    summary = lint_site(tmp_path, tmp_path / "out", warm=False)
    (row,) = summary["sites"]
    (item,) = [i for i in row["veto_items"] if i.get("codes") == ["QC106"]]
    assert item["failed"] and item["count"] == 1 and row["verdict"] == "不合格"


def test_variants_of_each_kind():
    confusable = {"维": {"卫"}, "护": {"户"}}
    found = {(wrong, v.kind, v.position) for wrong, v in one_edit_variants("两个维护", confusable)}
    assert ("两个卫护", "substitution", 2) in found and ("两个维户", "substitution", 3) in found
    assert ("两维护", "deletion", 1) in found and ("两个维", "deletion", 3) not in found  # inner only
    assert ("两两个维护", "doubling", 1) in found and ("两个维护护", "doubling", 4) in found
    assert ("两个护维", "transposition", 2) in found
    inner = {wrong for wrong, v in one_edit_variants("两个维护", confusable, edge_doublings=False) if v.kind == "doubling"}
    assert inner == {"两个个维护", "两个维维护"}
    # Numerals are never replaced: 三个维护 is another count, not a typo.
    assert not any(w.startswith("三") for w, _ in one_edit_variants("两个维护", {"两": {"三"}}))


def test_word_substitution_needs_words_on_both_sides():
    confusable = {"主": {"注"}, "义": {"意"}}
    vocab = {"主义", "注意"}
    found = {w for w, v in one_edit_variants("社会主义", confusable, vocabulary=vocab) if v.kind == "word-substitution"}
    assert found == {"社会注意"}
    assert not {w for w, v in one_edit_variants("社会主义", confusable, vocabulary={"主义"}) if v.kind == "word-substitution"}


def test_table_scans_leftmost_longest_and_skips_phrases():
    table = VariantTable(
        [("社会注意", *[v for w, v in one_edit_variants("社会主义", {"主": {"注"}, "义": {"意"}}, vocabulary={"主义", "注意"})
                      if w == "社会注意"][:1]),
         ("中国特色社会注意", next(v for w, v in one_edit_variants("中国特色社会主义", {"主": {"注"}, "义": {"意"}},
                                                             vocabulary={"主义", "注意"}) if w == "中国特色社会注意"))],
        ["社会主义", "中国特色社会主义"])
    hits = list(table.finditer("坚持中国特色社会注意，社会注意。"))
    assert [(s, e, w) for s, e, w, _ in hits] == [(2, 10, "中国特色社会注意"), (11, 15, "社会注意")]
    assert VariantTable([("社会主义", hits[0][3])], ["社会主义"]).variants == {}  # a phrase is never its own misspelling


def test_edge_guard():
    vocab = {"学习", "国家", "习习"}
    (v,) = [v for w, v in one_edit_variants("习近平", {}) if w == "习习近平" and v.kind == "doubling"][:1]
    assert edited_edges(v, 4) == (True, False)
    assert joined_to_neighbour("学习习近平", 1, 5, (True, False), vocab)  # 学习 + 习近平
    assert not joined_to_neighbour("学习习习近平", 2, 6, (True, False), vocab)  # 习习 is the doubling itself
    assert joined_to_neighbour("现代化国家", 0, 4, (True, True), vocab)
    assert not joined_to_neighbour("现代化国家", 0, 4, (True, False), vocab)


def test_the_language_model_does_not_report_a_character_of_a_flagged_formulation_again():
    text = "以马克思烈宁主义为指导。"
    found = [(f.code, f.match) for f in check_text(text) if f.code.startswith("QC1")]
    assert found == [("QC106", "马克思烈宁主义")]
    # with the formulation check off, the language model's guess is still reported
    assert [f.code for f in check_text(text, ignore=["QC106"]) if f.code.startswith("QC1")] == ["QC103"]
