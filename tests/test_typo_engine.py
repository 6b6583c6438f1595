"""Behaviour of the spelling engine with the shipped model (models/typo)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qualitycheck.typo.engine import Edit, TypoEngine, get_engine
from qualitycheck.typo.lm import NgramLM

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def engine() -> TypoEngine:
    return get_engine()


def test_import_is_cheap():
    code = "import sys, qualitycheck.typo; print('numpy' in sys.modules, 'qualitycheck.typo.engine' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_shipped_model_present_and_small():
    d = REPO / "models" / "typo"
    for name in ("lm.npz", "tables.npz", "params.json", "CARD.md"):
        assert (d / name).exists(), name
    total = sum(p.stat().st_size for p in d.iterdir() if p.is_file())
    assert total < 100 * 1024 * 1024


def test_missing_model_dir_fails_clearly(tmp_path):
    from qualitycheck.errors import ModelError

    with pytest.raises(ModelError, match="qualitycheck.typo.build"):
        TypoEngine.load(tmp_path)


def test_lm_prefers_the_right_phrase(engine):
    lm = engine.lm
    assert lm.sentence_logprob("坚持问题导向。") > lm.sentence_logprob("坚持问题道向。") + 3
    assert lm.sentence_logprob("中华人民共和国国务院") > lm.sentence_logprob("中华人民共和国国务园") + 3


def test_lm_is_normalised_for_a_context(engine):
    # sum over the vocabulary of p(w | "人民") must be ~1 (backoff model, interpolated discounting)
    lm = engine.lm
    ctx = [lm.index["人"], lm.index["民"]]
    V = len(lm.tokens)
    W = np.zeros((V - 1, 3), dtype=np.int64)
    W[:, 0], W[:, 1] = ctx
    W[:, 2] = np.arange(1, V)
    logp = lm.score_windows(W, 2)[:, 0]
    mask = np.arange(1, V) != 1  # BOS is never predicted
    assert abs(float(np.sum(10.0 ** logp[mask])) - 1.0) < 0.02


def test_known_confusion_is_corrected(engine):
    res = engine.correct_batch(["坚持问题道向，加强宏观经济政策沟通和协调。"])[0]
    assert res["target"] == "坚持问题导向，加强宏观经济政策沟通和协调。"
    [edit] = res["edits"]
    assert {k: edit[k] for k in ("pos", "wrong", "right", "code")} == {"pos": 4, "wrong": "道", "right": "导", "code": "QC103"}
    assert 0.0 < edit["confidence"] <= 1.0


def test_clean_official_sentence_untouched(engine):
    s = "第一,加强宏观经济政策沟通和协调,形成政策和行动合力。"
    assert engine.correct_batch([s])[0]["target"] == s


def test_titles_in_book_marks_untouched(engine):
    s = "根据《中华人民共和国国务园组织法》的规定，坚持问题道向。"
    res = engine.correct_batch([s])[0]
    assert res["target"][:res["target"].index("》") + 1] == s[:s.index("》") + 1]
    assert all(not (s.index("《") <= e["pos"] <= s.index("》")) for e in res["edits"])


def test_person_names_untouched(engine):
    # names from the person-name list are never "corrected", even when the model dislikes them
    for s in ["外交部发言人刘建超主持例行记者会。", "国家主席胡锦涛会见了越南客人。"]:
        assert engine.correct_batch([s])[0]["target"] == s


def test_numbers_and_latin_untouched(engine):
    s = "2019年GDP增长6.1%，CPI上涨2.9%。"
    res = engine.correct_batch([s])[0]
    for e in res["edits"]:
        assert not s[e["pos"]].isascii()


def test_correct_batch_contract(engine):
    sents = ["", "我们蛔倒学校，大家部非常开心。", "abc 123", "春天的花开懂正盈，微风吹过，花香四溢。",
             "第一,加强宏观经济政策沟通和协调,形成政策和行动合力。"]
    out = engine.correct_batch(sents)
    assert len(out) == len(sents)
    for s, r in zip(sents, out):
        assert set(r) == {"source", "target", "edits"}
        assert r["source"] == s
        assert len(r["target"]) == len(s)
        rebuilt = list(s)
        for e in r["edits"]:
            assert set(e) == {"pos", "wrong", "right", "code", "confidence"}
            assert s[e["pos"]:e["pos"] + len(e["wrong"])] == e["wrong"]
            assert len(e["right"]) == len(e["wrong"])
            assert e["code"] in ("QC101", "QC103")
            rebuilt[e["pos"]:e["pos"] + len(e["right"])] = e["right"]
        assert "".join(rebuilt) == r["target"]


def test_package_level_correct_batch():
    from qualitycheck.typo import correct_batch
    out = correct_batch(["坚持问题道向。"])
    assert out[0]["target"] == "坚持问题导向。"


def test_correct_on_text_gives_offsets_into_text(engine):
    text = "第一段没有问题。\n坚持问题道向，加强宏观经济政策沟通和协调。"
    edits = engine.correct(text)
    assert edits and all(isinstance(e, Edit) for e in edits)
    e = [x for x in edits if x.right == "导"][0]
    assert text[e.pos] == "道" and e.code == "QC103" and 0 < e.confidence <= 1


def test_batch_equals_single(engine):
    sents = ["坚持问题道向。", "我们蛔倒学校，大家部非常开心。", "第一,加强宏观经济政策沟通和协调。"]
    batch = engine.correct_batch(sents)
    single = [engine.correct_batch([s])[0] for s in sents]
    assert batch == single


def test_get_engine_is_cached():
    assert get_engine() is get_engine()


def test_ngram_model_roundtrip(tmp_path, engine):
    p = tmp_path / "m.npz"
    engine.lm.save(p)
    m2 = NgramLM.load(p)
    s = "坚持问题导向，加强宏观经济政策沟通和协调。"
    assert abs(m2.sentence_logprob(s) - engine.lm.sentence_logprob(s)) < 1e-3


def test_ngram_keys_survive_both_storage_forms(tmp_path):
    """Keys are stored as a trie when every history is kept, delta-coded otherwise; either way
    they come back exactly (a lost key would silently change every score)."""
    import numpy as np

    tokens = ["<pad>", "<s>", "</s>", "a", "b", "c"]
    def key(*ids):
        k = 0
        for t in ids:
            k = (k << 16) | t
        return k
    uni = np.array([1, 2, 3, 4, 5], np.uint64)
    bi = np.array(sorted([key(1, 3), key(3, 4), key(3, 5), key(4, 5)]), np.uint64)
    closed = np.array(sorted([key(1, 3, 4), key(3, 4, 5), key(3, 5, 5)]), np.uint64)
    open_ = np.array(sorted([key(1, 3, 4), key(5, 5, 3)]), np.uint64)  # history 5 5 is not a bigram
    for tri in (closed, open_):
        keys = [uni, bi, tri]
        logp = [np.full(len(k), -1.5, np.float32) for k in keys]
        bo = [np.full(len(k), -0.5, np.float32) for k in keys[:2]] + [np.zeros(0, np.float32)]
        path = tmp_path / "m.npz"
        NgramLM(tokens, keys, logp, bo).save(path)
        back = NgramLM.load(path)
        assert all(np.array_equal(a, b) for a, b in zip(keys, back.keys))
        assert ("last3" in np.load(path).files) == (tri is closed)


def test_truncated_model_file_fails_clearly(tmp_path):
    """A damaged lm.npz (an interrupted copy) is a Chinese error naming the rebuild command, not a
    numpy traceback."""
    import shutil

    from qualitycheck.errors import ModelError
    from qualitycheck.typo.engine import DEFAULT_MODEL_DIR

    for name in ("tables.npz", "params.json"):
        shutil.copy(DEFAULT_MODEL_DIR / name, tmp_path / name)
    data = (DEFAULT_MODEL_DIR / "lm.npz").read_bytes()
    (tmp_path / "lm.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="无法读取.*qualitycheck.typo.build"):
        TypoEngine.load(tmp_path)


def test_tree_ensemble_matches_sklearn(tmp_path):
    from sklearn.ensemble import HistGradientBoostingClassifier

    from qualitycheck.typo.trees import TreeEnsemble
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 5)).astype(np.float32)
    y = ((X[:, 0] + X[:, 1] * X[:, 2]) > 0.3).astype(int)
    clf = HistGradientBoostingClassifier(max_iter=20, max_depth=4, random_state=0).fit(X, y)
    t = TreeEnsemble.from_sklearn(clf)
    t.save(tmp_path / "t.npz")
    t2 = TreeEnsemble.load(tmp_path / "t.npz")
    assert np.allclose(t2.decision(X), clf.decision_function(X), atol=1e-4)


def test_word_evidence_features(engine):
    # the candidate that makes a frequent word scores word evidence the original lacks
    from qualitycheck.typo.engine import FEATURES
    from qualitycheck.typo.candidates import protected_mask
    s = "坚持问题道向。"
    sid, pos, x, F = engine._features([s], [protected_mask(s)])
    j = [i for i in range(len(pos)) if pos[i] == 4 and engine.lm.tokens[x[i]] == "导"][0]
    assert F[j, FEATURES.index("wf_cand")] > F[j, FEATURES.index("wf_orig")]
    assert F[j, FEATURES.index("wlen_cand")] >= 2


def test_official_vocabulary_untouched(engine):
    # 标识 is statutory (政府网站标识码); a corpus that says 标志 more often must not "correct" it.
    text = "有的网站未添加政府网站标识码或公安机关备案标识。"
    assert engine.correct(text) == []
    out = engine.correct_batch([text])[0]
    assert out["target"] == text and out["edits"] == []


def test_segmentation_features_see_a_character_left_alone(engine):
    # 道 in 问题道向 is a one-character token; 导 joins 向 into the word 导向
    from qualitycheck.typo.engine import FEATURES
    from qualitycheck.typo.candidates import protected_mask
    s = "坚持问题道向。"
    sid, pos, x, F = engine._features([s], [protected_mask(s)])
    j = [i for i in range(len(pos)) if pos[i] == 4 and engine.lm.tokens[x[i]] == "导"][0]
    f = {name: F[j, FEATURES.index(name)] for name in FEATURES}
    assert f["seg_single_old"] == 1 and f["seg_single_new"] == 0
    assert f["seg_len_new"] >= 2 and f["seg_gain"] > 0
    assert f["seg_n_new"] < f["seg_n_old"]


def test_adjacent_pair_is_decoded_jointly(engine):
    # neither 古→股 nor 泉→权 helps alone; together they spell 股权
    from qualitycheck.typo.adjacent import pair_candidates
    from qualitycheck.typo.candidates import protected_mask
    s = "要进一步完善国有企业的古泉结构。"
    sid, pos, ca, cb, F = pair_candidates(engine, engine._encode([s], [protected_mask(s)]))
    proposed = {(int(p), engine.lm.tokens[a] + engine.lm.tokens[b]) for p, a, b in zip(pos, ca, cb)}
    assert (11, "股权") in proposed
    edits = engine.correct(s)
    assert [(e.pos, e.wrong, e.right) for e in edits] == [(11, "古泉", "股权")]
    out = engine.correct_batch([s])[0]
    assert out["target"] == "要进一步完善国有企业的股权结构。"


def test_adjacent_pairs_leave_correct_words_alone(engine):
    for s in ("要进一步完善国有企业的股权结构。", "祝您身体健康，工作顺利。",
              "加快推进西部地区高质量发展。"):
        assert engine.correct(s) == []
