"""The spelling (错别字) engine: detect cheaply, generate candidates only where it pays, and
change a character only when the language model's evidence is strong.

Pipeline for a batch of sentences (all steps vectorised over the whole batch):

1. Encode characters to model tokens; score every position with the character 4-gram model.
2. Stage 1, cheap: for every editable Han character take its precomputed confusion set
   (same pinyin, fuzzy pinyin, similar shape) and score each candidate with a dense bigram
   table (two array reads per candidate).  Where the original character fits its neighbours
   very badly (e.g. a rare character in a common phrase), the best-fitting characters of the
   whole vocabulary are added as candidates too, with a large penalty.
3. Stage 2: the survivors are rescored with the full 4-gram model on a 7-character window;
   the gain is the change in the sentence's log-probability.
4. Decision: gain + prior(kind of confusion) + word-list evidence must pass a threshold
   tuned for precision on the dev sets (see models/typo/CARD.md).  Titles in 《》, numbers,
   Latin text and known person/place names are never edited.  Accepted edits are applied and
   the sentence is checked again (errors often come in neighbouring pairs, e.g. 蛔倒→回到).
"""
from __future__ import annotations

import json
import re
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..paths import DICTIONARIES_DIR, MODELS_DIR

from .candidates import (T_ANY, T_FUZZY, T_PYC_PINYIN, T_PYC_SHAPE, T_SAME_SYL, T_SAME_TONE,
                         T_SHAPE, Tables, covering, protected_mask)
from .adjacent import N_PAIR_FEATURES, pair_candidates
from .lm import BOS, EOS, PAD, UNK, NgramLM
from .trees import TreeEnsemble

DEFAULT_MODEL_DIR = MODELS_DIR / "typo"


@dataclass(frozen=True)
class Edit:
    pos: int
    wrong: str
    right: str
    code: str
    confidence: float


# Decision parameters.  Tuned on the dev sets only (sighan15/train, gen_xxqg/dev, xxqg_neg/dev);
# the tuning log is in models/typo/CARD.md.
@dataclass
class Params:
    # log10 prior per kind of confusion (the best applicable kind counts)
    prior_same_tone: float = 0.0
    prior_pyc_pinyin: float = 0.0
    prior_same_syl: float = -0.3
    prior_pyc_shape: float = -0.3
    prior_shape: float = -0.8
    prior_fuzzy: float = -1.0
    prior_any: float = -2.5
    stage1: float = 0.0          # bigram gain + prior needed to reach stage 2
    stage2_topk: int = 5         # candidates per position rescored with the 4-gram model
    threshold: float = 3.0       # final: gain + prior + word terms must exceed this
    orig_word_penalty: float = 1.5   # original char is inside a known word
    cand_word_bonus: float = 1.0     # candidate makes a known word the original does not
    unk_bonus: float = 1.0           # original char is outside the model vocabulary
    gate_fit: float = -3.0       # positions whose bigram fit is above this are not examined
    poor_fit: float = -7.0       # bigram fit below which whole-vocabulary candidates are tried
    any_topk: int = 3
    max_cands: int = 40          # confusion candidates per character (most frequent first)
    passes: int = 3
    min_gap: int = 2             # edits accepted in one pass are at least this far apart
    followup_threshold: float | None = None  # threshold in later passes, for sentences that
    # already hold an accepted edit (a sentence with one sure typo is likely to hold more)
    weights: list | None = None  # linear decision weights over FEATURES (see params.json)
    prefilter: float | None = None  # with a tree model: linear score a candidate needs to be
    # scored by the trees (models/typo/trees.npz); the threshold then applies to the trees
    pair_weights: list | None = None  # linear decision over adjacent.PAIR_FEATURES for two
    pair_threshold: float | None = None  # neighbouring characters replaced together (off: None)


_PRIOR_BITS = [
    (T_SAME_TONE, "prior_same_tone"), (T_PYC_PINYIN, "prior_pyc_pinyin"),
    (T_SAME_SYL, "prior_same_syl"), (T_PYC_SHAPE, "prior_pyc_shape"),
    (T_SHAPE, "prior_shape"), (T_FUZZY, "prior_fuzzy"), (T_ANY, "prior_any"),
]

_TYPE_BITS = [T_SAME_TONE, T_PYC_PINYIN, T_SAME_SYL, T_PYC_SHAPE, T_SHAPE, T_FUZZY, T_ANY]
FEATURES = ["bias", "gain", "gain_at_pos", "order_gain", "n4_new", "n4_old", "orig_unk", "lp1_orig",
            "lp1_cand", "t_same_tone", "t_pyc_pinyin", "t_same_syl", "t_pyc_shape", "t_shape",
            "t_fuzzy", "t_any", "orig_in_word", "cand_in_word", "orig_fit", "gain_if_any",
            "wf_orig", "wf_cand", "wlen_orig", "wlen_cand", "bi_old", "bi_new", "tri_old", "tri_new",
            "margin", "n_pos_cands", "n_bad_sent", "nb_fit",
            # word segmentation of the 7-character window before and after the edit (a unigram
            # word model over words.npz, the way jieba picks its route): does the edit turn a
            # character left alone into part of a word, and how much likelier is the whole window
            "seg_gain", "seg_n_old", "seg_n_new", "seg_single_old", "seg_single_new", "seg_len_new"]
N_FEATURES = len(FEATURES)
# hand-set starting weights (replaced by models/typo/params.json, fitted on the dev sets)
DEFAULT_WEIGHTS = [0.0, 1.0, 0, 0, 0, 0, 1.0, 0, 0, 0, 0, -0.3, -0.3, -0.8, -1.0, -2.5,
                   -1.5, 1.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

_SPLIT = re.compile(r"[^。！？!?；;\n]*[。！？!?；;\n]?")


@dataclass
class Batch:
    """A batch of sentences encoded once for all candidate generators (see ``_encode``)."""
    S: np.ndarray          # (N, K-1 + Lmax + K) tokens; column K-1+j holds character j
    lens: np.ndarray
    starts: np.ndarray     # offset of each sentence in the flat arrays
    sid_flat: np.ndarray   # flat arrays, one entry per character of the batch
    pos_flat: np.ndarray
    alltok: np.ndarray
    rows: np.ndarray       # confusion-table row of each character (-1: none)
    fz: np.ndarray         # frozen (never edited)
    fit_all: np.ndarray    # bigram fit of each character with its two neighbours
    base: np.ndarray       # 4-gram log10 p of every token, and the order that matched
    base_ord: np.ndarray
    bad_per_sentence: np.ndarray  # characters of each sentence that fit very badly (< poor_fit)


class TypoEngine:
    def __init__(self, lm: NgramLM, tables: Tables, params: Params | None = None,
                 words: dict | None = None, trees: TreeEnsemble | None = None):
        self.lm = lm
        self.trees = trees
        self.tables = tables
        # packed word keys per length (models/typo/words.npz); empty tables if absent
        self.wkeys = {L: np.zeros(1, np.uint64) for L in (2, 3, 4)}
        self.wlogf = {L: np.zeros(1, np.float32) for L in (2, 3, 4)}
        if words:
            for L in (2, 3, 4):
                if len(words[f"keys{L}"]):
                    self.wkeys[L] = words[f"keys{L}"]
                    self.wlogf[L] = words[f"logf{L}"].astype(np.float32)
        self.params = params or Params()
        self.K = lm.order
        V = len(lm.tokens)
        self.V = V
        # dense bigram table: P2[a, b] = log10 p(b | a) with backoff
        lp1 = np.full(V, -99.0, dtype=np.float32)
        bo1 = np.zeros(V, dtype=np.float32)
        k1 = lm.keys[0].astype(np.int64)
        lp1[k1] = lm.logp[0]
        bo1[k1] = lm.bo[0]
        lp1[PAD] = -99.0
        P2 = bo1[:, None] + lp1[None, :]
        k2 = lm.keys[1]
        a = (k2 >> np.uint64(16)).astype(np.int64)
        b = (k2 & np.uint64(0xFFFF)).astype(np.int64)
        P2[a, b] = lm.logp[1]
        self.P2 = P2
        # for the whole-vocabulary search: each token's most likely successors / predecessors
        # among Han characters (from the seen bigrams; padded with the most frequent characters)
        self.top_succ = lm.top_neighbours(successors=True)
        self.top_pred = lm.top_neighbours(successors=False)
        # vocabulary characters that may be proposed by the whole-vocabulary search
        self.han_tok = lm.han_tokens()
        self._prior_table = self._make_prior_table()
        self.lp1 = lp1
        self.weights = self._weights()
        self._word2: np.ndarray | None = None

    def word2_table(self) -> np.ndarray:
        """Dense V x V table: is token pair (a, b) a known two-character word (built on first use,
        V^2 bytes: 25 MB for the shipped model)."""
        if self._word2 is None:
            t = np.zeros((self.V, self.V), dtype=bool)
            k = self.wkeys[2]
            a, b = (k >> np.uint64(16)).astype(np.int64), (k & np.uint64(0xFFFF)).astype(np.int64)
            ok = (a < self.V) & (b < self.V) & (k > 0)
            t[a[ok], b[ok]] = True
            self._word2 = t
        return self._word2

    def _weights(self) -> np.ndarray:
        w = np.zeros(N_FEATURES, dtype=np.float32)
        src = self.params.weights or DEFAULT_WEIGHTS
        w[:min(len(src), N_FEATURES)] = src[:N_FEATURES]
        return w

    def _make_prior_table(self) -> np.ndarray:
        p = self.params
        tab = np.full(128, -99.0, dtype=np.float32)
        for mask in range(1, 128):
            best = -99.0
            for bit, name in _PRIOR_BITS:
                if mask & bit:
                    best = max(best, getattr(p, name))
            tab[mask] = best
        return tab

    def set_params(self, **kw) -> None:
        for k, v in kw.items():
            setattr(self.params, k, v)
        self._prior_table = self._make_prior_table()
        self.weights = self._weights()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, model_dir: str | Path | None = None) -> "TypoEngine":
        d = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        lm_path, tab_path = d / "lm.npz", d / "tables.npz"
        for p in (lm_path, tab_path):
            if not p.exists():
                raise ModelError(
                    f"typo model file missing: {p}. Rebuild it with `python -m qualitycheck.typo.build`, "
                    "or run without the language model (--no-lm).")
        try:
            lm = NgramLM.load(lm_path)
            tables = Tables(tab_path, lm.cp_table)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise ModelError(f"错别字模型文件无法读取（{d}）：{exc}。请用 `python -m qualitycheck.typo.build` "
                             "重新生成，或加 --no-lm 不用语言模型运行。") from None
        params = Params()
        pfile = d / "params.json"
        if pfile.exists():
            for k, v in json.loads(pfile.read_text(encoding="utf-8")).items():
                if hasattr(params, k):
                    setattr(params, k, v)
        words = None
        if (d / "words.npz").exists():
            z = np.load(d / "words.npz", allow_pickle=False)
            words = {k: z[k] for k in z.files}
        trees = TreeEnsemble.load(d / "trees.npz") if (d / "trees.npz").exists() else None
        return cls(lm, tables, params, words, trees)

    # ------------------------------------------------------------------ public
    def correct_batch(self, sentences: list[str], min_confidence: float = 0.0) -> list[dict]:
        """Correct each sentence, applying only model edits at ``min_confidence`` or above
        (curated confusion pairs, code QC101, always apply)."""
        edits = self._run(list(sentences))
        out = []
        for s, es in zip(sentences, edits):
            es = [e for e in es if e.code != "QC103" or e.confidence >= min_confidence]
            chars = list(s)
            for e in es:
                chars[e.pos:e.pos + len(e.right)] = list(e.right)
            out.append({"source": s, "target": "".join(chars),
                        "edits": [{"pos": e.pos, "wrong": e.wrong, "right": e.right, "code": e.code,
                                   "confidence": round(e.confidence, 3)} for e in es]})
        return out

    def correct(self, text: str) -> list[Edit]:
        pieces, starts = [], []
        for m in _SPLIT.finditer(text):
            if m.end() > m.start():
                pieces.append(m.group())
                starts.append(m.start())
        res = []
        for st, es in zip(starts, self._run(pieces)):
            for e in es:
                res.append(Edit(e.pos + st, e.wrong, e.right, e.code, e.confidence))
        return res

    # ------------------------------------------------------------------ core
    def _run(self, sentences: list[str], bucket: int = 512) -> list[list[Edit]]:
        results: list[list[Edit]] = [[] for _ in sentences]
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        for b in range(0, len(order), bucket):
            idx = order[b:b + bucket]
            for i, es in zip(idx, self._run_bucket([sentences[i] for i in idx])):
                results[i] = es
        return results

    def _run_bucket(self, sents: list[str]) -> list[list[Edit]]:
        p = self.params
        cur = list(sents)
        edits: list[dict[int, Edit]] = [{} for _ in sents]
        frozen = [protected_mask(s) if s else np.zeros(0, bool) for s in sents]
        # explicit wrong->right word pairs (QC101)
        for i, s in enumerate(sents):
            for wrong, right in self.tables.pairs.items():
                j = s.find(wrong)
                while j != -1:
                    if not frozen[i][j:j + len(wrong)].any():
                        for k, (a, c) in enumerate(zip(wrong, right)):
                            if a != c:
                                edits[i][j + k] = Edit(j + k, a, c, "QC101", 0.99)
                        frozen[i][j:j + len(wrong)] = True
                    j = s.find(wrong, j + 1)
            if edits[i]:
                chars = list(cur[i])
                for e in edits[i].values():
                    chars[e.pos] = e.right
                cur[i] = "".join(chars)
        active = [i for i, s in enumerate(sents) if s]
        for it in range(p.passes):
            if not active:
                break
            th = p.threshold
            if it > 0 and p.followup_threshold is not None:
                th = p.followup_threshold
            props = self._propose([cur[i] for i in active], [frozen[i] for i in active], th)
            nxt = []
            for i, plist in zip(active, props):
                if not plist:
                    continue
                chars = list(cur[i])
                for pos, right, conf in plist:
                    end = pos + len(right)
                    edits[i][pos] = Edit(pos, sents[i][pos:end], right, "QC103", conf)
                    chars[pos:end] = list(right)
                    frozen[i][pos:end] = True
                cur[i] = "".join(chars)
                nxt.append(i)
            active = nxt
        return [sorted(e.values(), key=lambda e: e.pos) for e in edits]

    def _encode(self, sents: list[str], frozen: list[np.ndarray]) -> "Batch":
        """Tokens, 4-gram scores and neighbour fit of every position of a batch of sentences."""
        lm, K = self.lm, self.K
        OFF = K - 1
        N = len(sents)
        lens = np.array([len(s) for s in sents], dtype=np.int64)
        Lmax = int(lens.max()) if N else 0
        width = OFF + Lmax + K
        S = np.zeros((N, width), dtype=np.int64)
        S[:, OFF - 1] = BOS
        allcp = np.frombuffer("".join(sents).encode("utf-32-le"), dtype=np.uint32)
        alltok = lm.cp_table[allcp]
        sid_flat = np.repeat(np.arange(N), lens)
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]]) if N else np.zeros(0, np.int64)
        pos_flat = np.arange(len(allcp)) - np.repeat(starts, lens)
        S[sid_flat, OFF + pos_flat] = alltok
        S[np.arange(N), OFF + lens] = EOS
        base, base_ord = lm.score_windows(S, OFF, with_order=True)  # column j = token j
        rows = self.tables.cp_row[allcp]
        fz = np.concatenate(frozen) if N else np.zeros(0, bool)
        c_all = OFF + pos_flat
        fit_all = (self.P2[S[sid_flat, c_all - 1], alltok] + self.P2[alltok, S[sid_flat, c_all + 1]])
        bad = np.bincount(sid_flat, weights=(fit_all < self.params.poor_fit) & (rows >= 0), minlength=N)
        return Batch(S, lens, starts, sid_flat, pos_flat, alltok, rows, fz, fit_all, base, base_ord, bad)

    def _features(self, sents: list[str], frozen: list[np.ndarray], batch: "Batch | None" = None):
        """Candidates that survive stage 1 and their decision features (or None)."""
        p = self.params
        lm, K = self.lm, self.K
        OFF = K - 1
        bt = batch if batch is not None else self._encode(sents, frozen)
        S, lens, starts, sid_flat, pos_flat = bt.S, bt.lens, bt.starts, bt.sid_flat, bt.pos_flat
        rows, fz, fit_all, base, base_ord = bt.rows, bt.fz, bt.fit_all, bt.base, bt.base_ord
        # ---------------- candidates from the confusion sets
        # cheap gate: a character that forms two common bigrams with its neighbours is skipped
        elig = (rows >= 0) & ~fz & (fit_all <= p.gate_fit)
        e_idx = np.flatnonzero(elig)
        r = rows[e_idx]
        o0 = self.tables.conf_off[r]
        ln = np.minimum(self.tables.conf_off[r + 1] - o0, p.max_cands)
        rep = np.repeat(np.arange(len(e_idx)), ln)
        within = np.arange(int(ln.sum())) - np.repeat(np.cumsum(ln) - ln, ln)
        ci = o0[rep] + within
        c_x = self.tables.conf_ids[ci]
        c_t = self.tables.conf_types[ci]
        c_flat = e_idx[rep]
        # ---------------- whole-vocabulary candidates where the original fits badly
        e_sid, e_pos = sid_flat[e_idx], pos_flat[e_idx]
        prev = S[e_sid, OFF + e_pos - 1]
        nxt = S[e_sid, OFF + e_pos + 1]
        fit = fit_all[e_idx]
        poor = np.flatnonzero(fit < p.poor_fit)
        if len(poor) and p.any_topk > 0:
            pool = np.concatenate([self.top_succ[prev[poor]], self.top_pred[nxt[poor]]], axis=1)
            sc = self.P2[prev[poor][:, None], pool] + self.P2[pool, nxt[poor][:, None]]
            best = np.argpartition(-sc, p.any_topk, axis=1)[:, :p.any_topk]
            top = np.take_along_axis(pool, best, axis=1)
            c_x = np.concatenate([c_x, top.ravel()])
            c_t = np.concatenate([c_t, np.full(top.size, T_ANY, dtype=c_t.dtype)])
            c_flat = np.concatenate([c_flat, np.repeat(e_idx[poor], p.any_topk)])
        if len(c_x) == 0:
            return None
        c_sid, c_pos = sid_flat[c_flat], pos_flat[c_flat]
        prev_c = S[c_sid, OFF + c_pos - 1]
        nxt_c = S[c_sid, OFF + c_pos + 1]
        orig_c = S[c_sid, OFF + c_pos]
        prior = self._prior_table[c_t]
        g1 = (self.P2[prev_c, c_x] + self.P2[c_x, nxt_c]
              - self.P2[prev_c, orig_c] - self.P2[orig_c, nxt_c]) + prior
        keep = np.flatnonzero((g1 > p.stage1) & (c_x != orig_c))
        if len(keep) == 0:
            return None
        # top-k per position by stage-1 score
        kf = c_flat[keep]
        o = np.lexsort((-g1[keep], kf))
        keep = keep[o]
        kf = kf[o]
        first = np.concatenate([[True], kf[1:] != kf[:-1]])
        grp_start = np.maximum.accumulate(np.where(first, np.arange(len(kf)), 0))
        rank = np.arange(len(kf)) - grp_start
        keep = keep[rank < p.stage2_topk]
        # ---------------- stage 2: 4-gram rescoring on a window around the position
        s2_sid, s2_pos, s2_x = c_sid[keep], c_pos[keep], c_x[keep]
        cols = s2_pos[:, None] + np.arange(2 * K - 1)[None, :]
        W = S[s2_sid[:, None], cols]
        W[:, K - 1] = s2_x
        new, new_ord = lm.score_windows(W, K - 1, with_order=True)  # (M, K): tokens pos..pos+K-1
        tpos = s2_pos[:, None] + np.arange(K)[None, :]
        old = base[s2_sid[:, None], tpos]
        old_ord = base_ord[s2_sid[:, None], tpos]
        valid = tpos <= lens[s2_sid][:, None]
        gain = ((new - old) * valid).sum(axis=1)
        s2_orig = orig_c[keep]
        s2_t = c_t[keep]
        F = np.zeros((len(keep), N_FEATURES), dtype=np.float32)
        F[:, 0] = 1.0
        F[:, 1] = np.clip(gain, -20, 20)
        F[:, 2] = np.clip((new[:, 0] - old[:, 0]), -10, 10)
        F[:, 3] = ((new_ord.astype(np.float32) - old_ord) * valid).sum(axis=1)
        F[:, 4] = ((new_ord == K) & valid).sum(axis=1)
        F[:, 5] = ((old_ord == K) & valid).sum(axis=1)
        F[:, 6] = s2_orig == UNK
        F[:, 7] = np.maximum(self.lp1[s2_orig], -8)
        F[:, 8] = np.maximum(self.lp1[s2_x], -8)
        for b, bit in enumerate(_TYPE_BITS):
            F[:, 9 + b] = (s2_t & bit) > 0
        F[:, 18] = np.maximum(fit[np.searchsorted(e_idx, c_flat[keep])], -16)
        F[:, 19] = np.clip(gain, 0, 20) * ((s2_t & T_ANY) > 0)
        # word evidence: most frequent known word covering the position, before and after
        W_old = W.copy()
        W_old[:, K - 1] = s2_orig
        spans_old, spans_new = self._word_spans(W_old), self._word_spans(W)
        wf_o, wl_o = self._word_cover(W_old, K - 1, spans_old)
        wf_n, wl_n = self._word_cover(W, K - 1, spans_new)
        F[:, 16] = wl_o > 0
        F[:, 17] = (wl_n > 0) & (wl_o == 0)
        F[:, 20] = wf_o
        F[:, 21] = wf_n
        F[:, 22] = wl_o
        F[:, 23] = wl_n
        v1 = valid[:, 1]
        F[:, 24] = (old_ord[:, 0] >= 2).astype(np.float32) + ((old_ord[:, 1] >= 2) & v1)
        F[:, 25] = (new_ord[:, 0] >= 2).astype(np.float32) + ((new_ord[:, 1] >= 2) & v1)
        F[:, 26] = ((old_ord[:, :3] >= 3) & valid[:, :3]).sum(axis=1)
        F[:, 27] = ((new_ord[:, :3] >= 3) & valid[:, :3]).sum(axis=1)
        # margin over the other candidates at the same position
        grp = c_flat[keep]
        first = np.concatenate([[True], grp[1:] != grp[:-1]])
        gid = np.cumsum(first) - 1
        ng = int(gid[-1]) + 1
        g = F[:, 1]
        mx = np.full(ng, -99.0, np.float32)
        np.maximum.at(mx, gid, g)
        is_max = g >= mx[gid]
        # second best: max over the rest after removing one copy of the maximum
        first_max = np.zeros(len(g), bool)
        cand_first = np.flatnonzero(is_max)
        _, fi = np.unique(gid[cand_first], return_index=True)
        first_max[cand_first[fi]] = True
        mx2 = np.full(ng, -20.0, np.float32)
        np.maximum.at(mx2, gid[~first_max], g[~first_max])
        F[:, 28] = np.where(first_max, g - mx2[gid], g - mx[gid])
        F[:, 29] = np.bincount(gid, minlength=ng)[gid]
        # context: how many badly fitting characters the sentence holds, and how well the
        # neighbours of the position fit (errors come in runs in some texts)
        F[:, 30] = np.minimum(bt.bad_per_sentence[s2_sid], 10)
        gpos = starts[s2_sid] + s2_pos
        fl = np.where(s2_pos > 0, fit_all[np.maximum(gpos - 1, 0)], 0.0)
        fr = np.where(s2_pos < lens[s2_sid] - 1, fit_all[np.minimum(gpos + 1, len(fit_all) - 1)], 0.0)
        F[:, 31] = np.maximum(np.minimum(fl, fr), -16)
        sc_o, n_o, len_o = self._segment(W_old, K - 1, spans_old)
        sc_n, n_n, len_n = self._segment(W, K - 1, spans_new)
        F[:, 32] = np.clip(sc_n - sc_o, -20, 20)
        F[:, 33] = n_o
        F[:, 34] = n_n
        F[:, 35] = len_o == 1
        F[:, 36] = len_n == 1
        F[:, 37] = len_n
        return s2_sid, s2_pos, s2_x, F

    #: log10 of the word list's total count: a word's unigram log-probability is logf - this
    _WORD_TOTAL = 8.0

    def _word_spans(self, W: np.ndarray) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]:
        """Every span of 2-4 columns of W looked up once in the word list: (start, length) ->
        (is a known word, its log10 frequency) per row. The word cover and the segmentation of a
        window both read these."""
        Wu = W.astype(np.uint64)
        n = W.shape[1]
        spans = {}
        for L in (2, 3, 4):
            keys, logf = self.wkeys[L], self.wlogf[L]
            for a in range(n - L + 1):
                q = Wu[:, a].copy()
                for m in range(1, L):
                    q <<= np.uint64(16)
                    q |= Wu[:, a + m]
                idx = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
                spans[(a, L)] = (keys[idx] == q, logf[idx])
        return spans

    def _segment(self, W: np.ndarray, c: int, spans: dict | None = None):
        """Best unigram-word segmentation of every row of W (tokens; PAD/BOS/EOS are single
        tokens): its log10 probability, its number of tokens, and the length of the token
        holding column c."""
        M, n = W.shape
        spans = self._word_spans(W) if spans is None else spans
        single = np.maximum(self.lp1[W], -8.0) - 1.0
        best = np.full((M, n + 1), -1e9, np.float32)
        best[:, 0] = 0.0
        choice = np.ones((M, n + 1), np.int8)
        for j in range(1, n + 1):
            best[:, j] = best[:, j - 1] + single[:, j - 1]
            for L in (2, 3, 4):
                if j - L < 0:
                    continue
                hit, logf = spans[(j - L, L)]
                sc = np.where(hit, best[:, j - L] + logf - self._WORD_TOTAL, -1e9)
                better = sc > best[:, j]
                best[:, j] = np.where(better, sc, best[:, j])
                choice[:, j] = np.where(better, L, choice[:, j])
        # walk back from the end: count tokens and find the one holding column c
        rows = np.arange(M)
        j = np.full(M, n, np.int64)
        ntok = np.zeros(M, np.float32)
        hold = np.ones(M, np.float32)
        for _ in range(n):
            live = j > 0
            if not live.any():
                break
            L = np.where(live, choice[rows, j], 0).astype(np.int64)
            inside = live & (j - L <= c) & (c < j)
            hold = np.where(inside, L, hold)
            ntok += live
            j = j - L
        return best[:, n], ntok, hold

    def _word_cover(self, W: np.ndarray, c: int, spans: dict | None = None):
        """(max log10 freq, max length) of the known words (2-4 chars) covering column c of W."""
        M = W.shape[0]
        spans = self._word_spans(W) if spans is None else spans
        best_f = np.zeros(M, np.float32)
        best_l = np.zeros(M, np.float32)
        for L in (2, 3, 4):
            for j in range(L):
                a = c - j
                if a < 0 or a + L > W.shape[1]:
                    continue
                hit, logf = spans[(a, L)]
                np.maximum(best_f, np.where(hit, logf + 0.01, 0.0), out=best_f)
                best_l = np.where(hit, np.maximum(best_l, L), best_l)
        return best_f, best_l

    def _pair_edits(self, sents: list[str], bt: Batch) -> dict[int, list[tuple[int, str, float]]]:
        """Accepted two-character edits (pos, right, confidence) per sentence of the batch."""
        p = self.params
        if p.pair_weights is None or p.pair_threshold is None:
            return {}
        res = pair_candidates(self, bt)
        if res is None:
            return {}
        sid, pos, ca, cb, F = res
        w = np.zeros(N_PAIR_FEATURES, np.float32)
        w[:len(p.pair_weights)] = p.pair_weights[:N_PAIR_FEATURES]
        score = F @ w
        names, official, tokens = self.tables.names, official_terms(), self.lm.tokens
        ranked: dict[int, list[tuple[float, int, str]]] = {}
        for j in np.flatnonzero(score > p.pair_threshold).tolist():
            si, q = int(sid[j]), int(pos[j])
            s = sents[si]
            if any(covering(s, c, names) or covering(s, c, official, _TERM_LENGTHS) for c in (q, q + 1)):
                continue
            ranked.setdefault(si, []).append((float(score[j]), q, tokens[int(ca[j])] + tokens[int(cb[j])]))
        out: dict[int, list[tuple[int, str, float]]] = {}
        for si, lst in ranked.items():
            lst.sort(reverse=True)
            used: set[int] = set()
            for sc, q, right in lst:
                if q in used or q + 1 in used:
                    continue
                used.update((q, q + 1))
                out.setdefault(si, []).append((q, right, float(1.0 / (1.0 + np.exp(-sc)))))
        return out

    def _propose(self, sents: list[str], frozen: list[np.ndarray],
                 threshold: float | None = None) -> list[list[tuple[int, str, float]]]:
        """One detection/correction pass; returns accepted (pos, right, confidence) per sentence."""
        p = self.params
        th = p.threshold if threshold is None else threshold
        out: list[list[tuple[int, str, float]]] = [[] for _ in sents]
        bt = self._encode(sents, frozen)
        pairs = self._pair_edits(sents, bt)
        for si, lst in pairs.items():
            out[si].extend(lst)
        feats = self._features(sents, frozen, bt)
        if feats is None:
            return out
        s2_sid, s2_pos, s2_x, F = feats
        w = self.weights
        lin = F @ w
        if self.trees is not None and p.prefilter is not None:
            cand = np.flatnonzero(lin > p.prefilter)
            lin = np.full(len(lin), -99.0, dtype=np.float32)
            lin[cand] = self.trees.decision(F[cand])
        cand = np.flatnonzero(lin > th)
        if len(cand) == 0:
            return out
        names = self.tables.names
        official = official_terms()
        tokens = self.lm.tokens
        best: dict[tuple[int, int], tuple[float, str]] = {}
        for j in cand.tolist():
            si, pos = int(s2_sid[j]), int(s2_pos[j])
            s = sents[si]
            right = tokens[int(s2_x[j])]
            sc = float(lin[j])
            # Names and official vocabulary (标识 in 网站标识码) are right as written.
            if not covering(s, pos, names) and not covering(s, pos, official, _TERM_LENGTHS):
                key = (si, pos)
                if key not in best or best[key][0] < sc:
                    best[key] = (sc, right)
        by_sent: dict[int, list[tuple[float, int, str]]] = {}
        for (si, pos), (sc, right) in best.items():
            by_sent.setdefault(si, []).append((sc, pos, right))
        for si, lst in by_sent.items():
            lst.sort(reverse=True)
            taken = [q for pos, right, _ in pairs.get(si, []) for q in (pos, pos + 1)]
            for sc, pos, right in lst:
                if all(abs(pos - t) >= p.min_gap for t in taken):
                    taken.append(pos)
                    conf = float(1.0 / (1.0 + np.exp(-sc)))
                    out[si].append((pos, right, conf))
        return out


_TERM_LENGTHS = (2, 3, 4, 5, 6)
_OFFICIAL: frozenset[str] | None = None


def official_terms() -> frozenset[str]:
    """The official-register vocabulary (dictionaries/typo/official_terms.txt), loaded once."""
    global _OFFICIAL
    if _OFFICIAL is None:
        path = DICTIONARIES_DIR / "typo" / "official_terms.txt"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        _OFFICIAL = frozenset(w for w in (ln.strip() for ln in lines)
                              if w and not w.startswith("#") and 2 <= len(w) <= _TERM_LENGTHS[-1])
    return _OFFICIAL


_ENGINE: TypoEngine | None = None
_LOCK = threading.Lock()


def get_engine() -> TypoEngine:
    """Process-wide engine, loaded once on first use."""
    global _ENGINE
    if _ENGINE is None:
        with _LOCK:
            if _ENGINE is None:
                _ENGINE = TypoEngine.load()
    return _ENGINE
