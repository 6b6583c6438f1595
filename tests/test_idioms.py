"""QC105: idioms with one wrong character, flagged with the idiom; real words and quoted text left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qualitycheck import check_text
from qualitycheck.typo.nearmiss import NearMissIndex

ROOT = Path(__file__).resolve().parent.parent
DATA = yaml.safe_load((ROOT / "dictionaries" / "typos" / "idioms.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("example", DATA["examples"]["flag"], ids=lambda e: e["right"])
def test_idiom_examples_flag_with_the_idiom(example):
    found = check_text(example["text"], select=["QC105"])
    assert [f.suggestions for f in found] == [[example["right"]]]
    fixed = example["text"][: found[0].span.start] + example["right"] + example["text"][found[0].span.end :]
    assert check_text(fixed, select=["QC105"]) == []


@pytest.mark.parametrize("text", DATA["examples"]["pass"])
def test_idiom_examples_pass(text):
    assert check_text(text, select=["QC105"]) == []


def test_the_issue_examples_are_flagged_in_a_default_check():
    text = "我们要再接再励，群众迫不急待，工作按步就班，场馆美仑美奂。我们的的工作还存在一些不足。"
    found = {(f.code, f.match, tuple(f.suggestions)) for f in check_text(text)}
    for wrong, right in [("再接再励", "再接再厉"), ("迫不急待", "迫不及待"), ("按步就班", "按部就班"), ("美仑美奂", "美轮美奂")]:
        assert ("QC105", wrong, (right,)) in found
    assert ("QC102", "的", ("",)) in found


def test_index_finds_substitutions_and_swaps_but_never_an_entry():
    index = NearMissIndex(["再接再厉", "按部就班"], {"厉": "励", "部": "步"})
    assert index.lookup("再接再厉") is None
    sub = index.lookup("再接再励")
    assert (sub.right, sub.kind, sub.position) == ("再接再厉", "substitution", 3)
    swap = index.lookup("按就部班")
    assert (swap.right, swap.kind, swap.position) == ("按部就班", "transposition", 1)
    assert index.lookup("再接再历") is None  # 历 is not in 厉's confusion set here
    misses = list(index.finditer("要再接再励，按步就班。", is_word=lambda s: s == "按步就班"))
    assert [(m.start, m.wrong) for m in misses] == [(1, "再接再励")]


def test_a_near_homophone_matches_only_where_no_strict_confusion_does():
    index = NearMissIndex(["各行其是", "各行其志", "谨终如始"], {"是": "事"}, loose={"志": "事", "谨": "敬"})
    assert index.lookup("各行其事").right == "各行其是"  # 各行其志 sorts first but is reached loosely
    assert index.lookup("敬终如始").right == "谨终如始"
    stored = NearMissIndex.from_arrays(index.to_arrays())
    assert stored.lookup("各行其事").right == "各行其是" and stored.lookup("敬终如始").right == "谨终如始"
    assert NearMissIndex(["谨终如始"], {}).lookup("敬终如始") is None


def test_a_near_homophone_of_the_default_tables_is_flagged():
    found = check_text("销售也是各自为阵，成本居高不下。", select=["QC105"])  # 阵 zhen for 政 zheng
    assert [(f.match, f.suggestions) for f in found] == [("各自为阵", ["各自为政"])]


def test_accepted_variant_and_a_word_are_not_flagged():
    assert check_text("做人要懂得为人处事的道理。", select=["QC105"]) == []
    assert check_text("按步骤推进，按部就班落实。", select=["QC105"]) == []


def test_the_suggestion_does_not_depend_on_the_process_hash_seed():
    import subprocess
    import sys

    code = ("from qualitycheck.typo.nearmiss import NearMissIndex;"
            "i = NearMissIndex(['蓬荜生辉', '蓬筚生辉'], {'荜': '壁', '筚': '壁'});"
            "print(i.lookup('蓬壁生辉').right)")
    answers = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)}).stdout.strip()
        for seed in range(8)
    }
    assert len(answers) == 1


def test_the_scan_finds_every_variant_that_lookup_finds():
    """finditer only matches spans whose ends fit some entry: every one-substitution and
    one-swap variant, at any length and any place, must still be found."""
    import random

    entries = ["再接再厉", "按部就班", "一言既出驷马难追", "精诚所至", "万变不离其宗", "有过之而无不及"]
    confusable = {ch: "乙丙丁" for ch in set("".join(entries))}
    index = NearMissIndex(entries, confusable)
    rnd = random.Random(7)
    variants = []
    for entry in entries:
        for i in range(len(entry)):
            variants.append(entry[:i] + rnd.choice("乙丙丁") + entry[i + 1:])
        for i in range(len(entry) - 1):
            variants.append(entry[:i] + entry[i + 1] + entry[i] + entry[i + 2:])
    for variant in variants:
        expected = index.lookup(variant)
        if expected is None:
            continue
        text = "我们看到" + variant + "的情况"
        found = list(index.finditer(text))
        assert [(m.start, m.wrong, m.right) for m in found] == [(4, variant, expected.right)], variant


def test_a_span_of_two_words_is_flagged_only_when_the_language_model_does_not_prefer_the_words(monkeypatch):
    from qualitycheck.checks import idioms

    text = "这部作品不同反响，广受好评。"  # 不同 + 反响 are both words
    assert [f.suggestions for f in check_text(text, select=["QC105"])] == [["不同凡响"]]
    monkeypatch.setattr(idioms, "RESCUE_MARGIN", 99.0)
    assert check_text(text, select=["QC105"]) == []
