"""Two neighbouring wrong characters replaced together (古泉→股权, 建慷→健康, 蛔倒→回到).

A single-character edit cannot repair such a pair: with one character fixed, the other still
breaks every n-gram, so neither edit gains enough alone.  Here both characters are decoded
jointly: for two adjacent characters that fit badly together, every pair of their confusion
candidates that spells a known two-character word is scored with the 4-gram model over the whole
window, and a linear decision (fitted by :mod:`qualitycheck.typo.tune` on the dev sets, weights in
``params.json``) accepts the best pair when its evidence is strong.

The engine calls :func:`pair_candidates` with the batch it has already encoded; this module only
reads the engine's tables and never imports the engine.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .lm import UNK

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Batch, TypoEngine

PAIR_FEATURES = ["bias", "gain", "stage1", "wf_new", "wf_old", "cover_old_a", "cover_old_b",
                 "prior_a", "prior_b", "lp1_old_a", "lp1_old_b", "fit_a", "fit_b", "inner_old",
                 "seg_gain", "n4_new", "n4_old", "margin", "n_bad_sent", "orig_unk"]
N_PAIR_FEATURES = len(PAIR_FEATURES)

#: confusion candidates per character tried in pairs (the most frequent first)
MAX_PER_CHAR = 20
#: pairs per position pair rescored with the 4-gram model
TOPK = 3
#: a position pair is examined only when its characters fit this badly together and with their
#: neighbours (log10 of the three bigrams)
PAIR_GATE = -9.0


def _word_logf(eng: "TypoEngine", a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log10 frequency of the two-character word ab (0.0 when it is not a known word)."""
    out = np.zeros(len(a), np.float32)
    # most pairs are not words: a dense V x V membership table answers them with one read, and
    # only the words are looked up in the sorted keys
    hit = np.flatnonzero(eng.word2_table()[a, b])
    if len(hit):
        keys, logf = eng.wkeys[2], eng.wlogf[2]
        q = (a[hit].astype(np.uint64) << np.uint64(16)) | b[hit].astype(np.uint64)
        idx = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
        out[hit] = np.where(keys[idx] == q, logf[idx] + 0.01, 0.0)
    return out


def pair_candidates(eng: "TypoEngine", bt: "Batch"):
    """(sentence, position of the first character, token a, token b, features) of the pair
    edits worth deciding on in batch ``bt``, or None when there are none."""
    K, OFF = eng.K, eng.K - 1
    S, P2, tab = bt.S, eng.P2, eng.tables
    n = len(bt.alltok)
    if n < 2:
        return None
    f = np.arange(n - 1)
    ok = ((bt.sid_flat[f] == bt.sid_flat[f + 1]) & (bt.rows[f] >= 0) & (bt.rows[f + 1] >= 0)
          & ~bt.fz[f] & ~bt.fz[f + 1])
    f = f[ok]
    sid, pos = bt.sid_flat[f], bt.pos_flat[f]
    a0, b0 = bt.alltok[f], bt.alltok[f + 1]
    prev, nxt = S[sid, OFF + pos - 1], S[sid, OFF + pos + 2]
    pfit = P2[prev, a0] + P2[a0, b0] + P2[b0, nxt]
    g = np.flatnonzero(pfit <= PAIR_GATE)
    if len(g) == 0:
        return None
    f, sid, pos, a0, b0, prev, nxt, pfit = (f[g], sid[g], pos[g], a0[g], b0[g], prev[g], nxt[g],
                                            pfit[g])
    # every combination of the two confusion sets (at most MAX_PER_CHAR each)
    ra, rb = bt.rows[f], bt.rows[f + 1]
    oa, ob = tab.conf_off[ra], tab.conf_off[rb]
    la = np.minimum(tab.conf_off[ra + 1] - oa, MAX_PER_CHAR)
    lb = np.minimum(tab.conf_off[rb + 1] - ob, MAX_PER_CHAR)
    tot = la * lb
    rep = np.repeat(np.arange(len(f)), tot)
    within = np.arange(int(tot.sum())) - np.repeat(np.cumsum(tot) - tot, tot)
    ia = oa[rep] + within // lb[rep]
    ib = ob[rep] + within % lb[rep]
    ca, cb = tab.conf_ids[ia], tab.conf_ids[ib]
    wf_new = _word_logf(eng, ca, cb)
    hit = np.flatnonzero(wf_new > 0)
    if len(hit) == 0:
        return None
    rep, ca, cb, wf_new = rep[hit], ca[hit], cb[hit], wf_new[hit]
    prior_a = eng._prior_table[tab.conf_types[ia[hit]]]
    prior_b = eng._prior_table[tab.conf_types[ib[hit]]]
    s1 = (P2[prev[rep], ca] + P2[ca, cb] + P2[cb, nxt[rep]] - pfit[rep]) + prior_a + prior_b
    keep = np.flatnonzero(s1 > eng.params.stage1)
    if len(keep) == 0:
        return None
    # the best TOPK pairs per position pair by the bigram score
    o = np.lexsort((-s1[keep], rep[keep]))
    keep = keep[o]
    grp = rep[keep]
    first = np.concatenate([[True], grp[1:] != grp[:-1]])
    rank = np.arange(len(grp)) - np.maximum.accumulate(np.where(first, np.arange(len(grp)), 0))
    keep = keep[rank < TOPK]
    q = rep[keep]
    ca, cb, wf_new, s1 = ca[keep], cb[keep], wf_new[keep], s1[keep]
    prior_a, prior_b = prior_a[keep], prior_b[keep]
    q_sid, q_pos = sid[q], pos[q]
    # 4-gram rescoring: the two characters and the K-1 after them
    cols = q_pos[:, None] + np.arange(2 * K)[None, :]
    W_old = S[q_sid[:, None], cols]
    W = W_old.copy()
    W[:, K - 1] = ca
    W[:, K] = cb
    new, new_ord = eng.lm.score_windows(W, K - 1, with_order=True)
    tpos = q_pos[:, None] + np.arange(K + 1)[None, :]
    old = bt.base[q_sid[:, None], tpos]
    old_ord = bt.base_ord[q_sid[:, None], tpos]
    valid = tpos <= bt.lens[q_sid][:, None]
    gain = ((new - old) * valid).sum(axis=1)
    F = np.zeros((len(q), N_PAIR_FEATURES), dtype=np.float32)
    F[:, 0] = 1.0
    F[:, 1] = np.clip(gain, -20, 20)
    F[:, 2] = np.clip(s1, -20, 20)
    F[:, 3] = wf_new
    F[:, 4] = _word_logf(eng, a0[q], b0[q])
    spans_old = eng._word_spans(W_old)
    cov_a, _ = eng._word_cover(W_old, K - 1, spans_old)
    cov_b, _ = eng._word_cover(W_old, K, spans_old)
    F[:, 5] = cov_a
    F[:, 6] = cov_b
    F[:, 7] = prior_a
    F[:, 8] = prior_b
    F[:, 9] = np.maximum(eng.lp1[a0[q]], -8)
    F[:, 10] = np.maximum(eng.lp1[b0[q]], -8)
    F[:, 11] = np.maximum(bt.fit_all[f[q]], -16)
    F[:, 12] = np.maximum(bt.fit_all[f[q] + 1], -16)
    F[:, 13] = np.maximum(P2[a0[q], b0[q]], -10)
    sc_o, _, _ = eng._segment(W_old, K - 1, spans_old)
    sc_n, _, _ = eng._segment(W, K - 1)
    F[:, 14] = np.clip(sc_n - sc_o, -20, 20)
    F[:, 15] = ((new_ord == K) & valid).sum(axis=1)
    F[:, 16] = ((old_ord == K) & valid).sum(axis=1)
    # margin of the gain over the best other pair at the same position pair
    mx = np.full(len(f), -99.0, np.float32)
    np.maximum.at(mx, q, F[:, 1])
    cnt = np.bincount(q, minlength=len(f))
    second = np.full(len(f), -20.0, np.float32)
    is_top = F[:, 1] >= mx[q]
    np.maximum.at(second, q[~is_top], F[~is_top, 1])
    F[:, 17] = np.where(is_top, np.where(cnt[q] > 1, F[:, 1] - second[q], 5.0), F[:, 1] - mx[q])
    F[:, 18] = np.minimum(bt.bad_per_sentence[q_sid], 10)
    F[:, 19] = (a0[q] == UNK) | (b0[q] == UNK)
    return q_sid, q_pos, ca, cb, F
