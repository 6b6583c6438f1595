"""The CSC metrics agree with hand-computed cases; the bench runs end to end."""
from __future__ import annotations

import json

import pytest

from qualitycheck.bench.csc import (char_metrics, format_csc_report, lenient_metrics, run_csc_bench,
                                    score, strict_metrics)

# source, target, prediction
ROWS = [
    ("今天天汽很好", "今天天气很好", "今天天气很好"),   # error row, corrected: TP
    ("我门去学校", "我们去学校", "我门去学校"),         # error row, untouched: FN
    ("他在再次来", "他在再次来", "他再再次来"),         # clean row changed: FP
    ("天很蓝", "天很蓝", "天很蓝"),                     # clean row untouched: TN
    ("因该去了", "应该去了", "因该去吧"),               # error row, wrong edit: FN (lenient)
]


def _cols():
    return [r[0] for r in ROWS], [r[1] for r in ROWS], [r[2] for r in ROWS]


def test_lenient_by_hand():
    m = lenient_metrics(*_cols())
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (1, 1, 2, 1)
    assert m["p"] == pytest.approx(0.5)
    assert m["r"] == pytest.approx(1 / 3)
    assert m["f1"] == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert m["fpr"] == pytest.approx(0.5)
    assert m["acc"] == pytest.approx(2 / 5)


def test_lenient_zero_tp_gives_zero_pr():
    m = lenient_metrics(["我门"], ["我们"], ["你门"])
    assert m["p"] == 0.0 and m["r"] == 0.0 and m["f1"] == 0.0


def test_strict_by_hand():
    m = strict_metrics(*_cols())
    # changed rows: 1, 3, 5 -> 3; gold positive rows: 1, 2, 5 -> 3
    assert m["changed"] == 3 and m["gold_positive"] == 3
    # detection TP: row 1 (pos 3 == gold pos 3); row 5 changed pos 3 but gold is pos 0 -> no
    assert m["det_tp"] == 1 and m["cor_tp"] == 1
    assert m["cor_p"] == pytest.approx(1 / 3) and m["cor_r"] == pytest.approx(1 / 3)
    assert m["fpr"] == pytest.approx(0.5)


def test_char_level_by_hand():
    m = char_metrics(*_cols())
    # predicted changes: row1 pos3 (correct), row3 pos1 (not gold), row5 pos3 (not gold)
    # gold errors: row1 pos3, row2 pos1, row5 pos0 -> 3
    assert m["det_p"] == pytest.approx(1 / 3) and m["det_r"] == pytest.approx(1 / 3)
    assert m["cor_p"] == pytest.approx(1 / 3) and m["cor_r"] == pytest.approx(1 / 3)


def test_length_mismatch_counts_as_wrong():
    s = score(["我门去"], ["我们去"], ["我们去了"])
    assert s["lenient"]["fn"] == 1 and s["char"]["unaligned"] == 1


def test_run_bench_end_to_end(tmp_path):
    p = tmp_path / "mini.jsonl"
    rows = [{"source": "坚持问题道向。", "target": "坚持问题导向。"},
            {"source": "第一,加强宏观经济政策沟通和协调。", "target": "第一,加强宏观经济政策沟通和协调。"}]
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    res = run_csc_bench(str(p))
    assert res["rows"] == 2 and res["clean_rows"] == 1 and res["error_rows"] == 1
    assert res["lenient"]["tp"] == 1 and res["lenient"]["tn"] == 1
    assert res["length_mismatch"] == 0
    assert res["peak_rss_mb"] > 0 and res["load_s"] >= 0 and res["sentences_per_s"] > 0
    txt = format_csc_report(res)
    assert "lenient" in txt and "strict" in txt and "sentences/s" in txt and "peak memory" in txt


def test_unknown_engine_rejected(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"source": "a", "target": "a"}\n', encoding="utf-8")
    with pytest.raises(ValueError):
        run_csc_bench(str(p), engine="nope")
