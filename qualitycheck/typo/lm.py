"""Character n-gram language model: token mapping, storage and vectorised scoring.

The model is a backoff model (interpolated absolute discounting, written in ARPA form):
for every kept n-gram ``h w`` we store ``log10 p(w | h)`` and, if it can be a context,
its backoff weight ``log10 gamma(h w)``.  Scoring follows the ARPA/kenlm rule::

    log p(w | h) = logp(h w)                       if h w is in the table
                 = bo(h) + log p(w | h[1:])        otherwise

In memory: per order ``k`` a sorted ``uint64`` array of packed keys (16 bits per token, oldest
token in the highest bits), log-probabilities and, for orders below the maximum, backoff
weights.  Lookups are a binary search over the sorted keys (``numpy.searchsorted``), done for
many n-grams at once, so one call scores a whole batch of sentences or candidate windows.
On disk (``models/typo/lm.npz``, see ``NgramLM.save``): the keys as a trie, ``float16``
weights, and each token's most likely neighbours, nothing deflated, so that loading is a
copy and one ``numpy.repeat`` per order.

Token mapping (shared by the builder and the engine, so they always agree): every Han
character of the model vocabulary is its own token; ASCII and full-width digits map to
``<num>``, Latin letters to ``<lat>``, whitespace to ``<sp>``; half-width punctuation maps to
its full-width form; anything else is ``<unk>``.  Token id 0 is padding and never matches.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

PAD, BOS, EOS, UNK, NUM, LAT, SP = 0, 1, 2, 3, 4, 5, 6
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>", "<num>", "<lat>", "<sp>"]
BITS = 16
MAX_ID = (1 << BITS) - 1
MAXCP = 0x110000
#: neighbours per token kept by ``NgramLM.top_neighbours`` in the model file
TOP_NEIGHBOURS = 32
_DERIVED = ("top_succ", "top_pred")

# half-width -> full-width punctuation (applied before lookup)
PUNCT_MAP = {
    ",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）",
    "\u2236": "：", "\ufe55": "：", "．": ".", "〈": "《", "〉": "》", "「": "“", "」": "”",
    "\"": "“",
}


def is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2EBEF


def char_class(ch: str) -> str:
    """Token string for one character (before the vocabulary lookup)."""
    ch = PUNCT_MAP.get(ch, ch)
    o = ord(ch)
    if 0x30 <= o <= 0x39 or 0xFF10 <= o <= 0xFF19:
        return "<num>"
    if 0x41 <= o <= 0x5A or 0x61 <= o <= 0x7A or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
        return "<lat>"
    if ch.isspace():
        return "<sp>"
    return ch


def build_cp_table(tokens: list[str]) -> np.ndarray:
    """Map every code point to a token id (int32 array indexed by ord)."""
    index = {t: i for i, t in enumerate(tokens)}
    table = np.full(MAXCP, UNK, dtype=np.int32)
    for t, i in index.items():
        if len(t) == 1:
            table[ord(t)] = i
    for cp in list(range(0x30, 0x3A)) + list(range(0xFF10, 0xFF1A)):
        table[cp] = NUM
    for cp in (list(range(0x41, 0x5B)) + list(range(0x61, 0x7B)) + list(range(0xFF21, 0xFF3B))
               + list(range(0xFF41, 0xFF5B))):
        table[cp] = LAT
    for cp in (0x20, 0x09, 0x0A, 0x0D, 0x3000, 0xA0, 0x2002, 0x2003):
        table[cp] = SP
    for a, b in PUNCT_MAP.items():
        if b in index:
            table[ord(a)] = index[b]
    return table


def _unpack_children(parents: np.ndarray | None, last: np.ndarray, nchild: np.ndarray | None) -> np.ndarray:
    """Packed sorted keys of one order from the trie form ``NgramLM.save`` writes."""
    last = last.astype(np.uint64)
    if parents is None:
        return last
    if len(nchild) != len(parents) or int(nchild.sum(dtype=np.int64)) != len(last):
        raise ValueError("language model file is inconsistent: n-gram counts do not match their histories")
    return (np.repeat(parents, nchild) << np.uint64(BITS)) | last


def encode(text: str, cp_table: np.ndarray) -> np.ndarray:
    """Token ids for each character of ``text`` (same length)."""
    if not text:
        return np.zeros(0, dtype=np.int64)
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return cp_table[cps].astype(np.int64)


def pack(windows: np.ndarray) -> np.ndarray:
    """Pack the columns of an (N, k) int array into uint64 keys (first column highest)."""
    w = windows.astype(np.uint64)
    key = w[:, 0].copy()
    for m in range(1, w.shape[1]):
        key <<= np.uint64(BITS)
        key |= w[:, m]
    return key


class NgramLM:
    """Backoff character n-gram model held in numpy arrays."""

    def __init__(self, tokens: list[str], keys: list[np.ndarray], logp: list[np.ndarray],
                 bo: list[np.ndarray], meta: dict | None = None):
        self.tokens = tokens
        self.order = len(keys)
        self.keys = keys
        # float32 at run time: float16 is only the storage format
        self.logp = [a.astype(np.float32) for a in logp]
        self.bo = [a.astype(np.float32) for a in bo]
        self.meta = meta or {}
        self.cp_table = build_cp_table(tokens)
        self.index = {t: i for i, t in enumerate(tokens)}
        self.unigram = np.full(len(tokens), -99.0, dtype=np.float32)
        u = keys[0].astype(np.int64)
        self.unigram[u] = self.logp[0]
        # derived tables stored with the model (see ``top_neighbours``), by member name
        self._derived: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ io
    @classmethod
    def load(cls, path: str | Path) -> "NgramLM":
        z = np.load(path, allow_pickle=False)
        tokens = str(z["tokens"]).split("\n")
        order = int(z["order"])
        keys, logp, bo = [], [], []
        for k in range(1, order + 1):
            if f"last{k}" in z:
                keys.append(_unpack_children(keys[-1] if keys else None, z[f"last{k}"],
                                             z[f"nchild{k}"] if k > 1 else None))
            elif f"dkeys{k}" in z:
                keys.append(np.cumsum(z[f"dkeys{k}"], dtype=np.uint64))
            else:
                keys.append(z[f"keys{k}"])
            logp.append(z[f"logp{k}"])
            bo.append(z[f"bo{k}"] if f"bo{k}" in z else np.zeros(0, dtype=np.float16))
        meta = {}
        if "meta" in z:
            import json
            meta = json.loads(str(z["meta"]))
        model = cls(tokens, keys, logp, bo, meta)
        for name in _DERIVED:
            if name in z.files:
                model._derived[name] = z[name].astype(np.int64)
        return model

    def save(self, path: str | Path, meta: dict | None = None) -> None:
        """An .npz that np.load reads, nothing deflated: inflating was half the model's load
        time, and a cold `check` loads it once.

        Keys are stored as a trie when every n-gram's history is itself a kept (n-1)-gram (the
        builder's models are): per order the last token of each n-gram (uint16) and, for each
        (n-1)-gram, how many n-grams extend it (uint16), 2-3 bytes an n-gram against 8 for the
        packed key. Otherwise the keys are delta-coded and deflated."""
        import io
        import json
        import zipfile

        arrays = {"tokens": np.array("\n".join(self.tokens)), "order": np.array(self.order),
                  "meta": np.array(json.dumps(meta or self.meta, ensure_ascii=False))}
        trie = self._is_prefix_closed()
        for k in range(1, self.order + 1):
            keys = self.keys[k - 1]
            if trie:
                arrays[f"last{k}"] = (keys & np.uint64(MAX_ID)).astype(np.uint16)
                if k > 1:
                    parents = self.keys[k - 2]
                    counts = np.bincount(np.searchsorted(parents, keys >> np.uint64(BITS)), minlength=len(parents))
                    wide = len(counts) and int(counts.max()) > MAX_ID
                    arrays[f"nchild{k}"] = counts.astype(np.uint32 if wide else np.uint16)
            else:
                arrays[f"dkeys{k}"] = np.diff(keys, prepend=np.uint64(0))  # delta coding: compresses well
            arrays[f"logp{k}"] = self.logp[k - 1].astype(np.float16)
            if k < self.order:
                arrays[f"bo{k}"] = self.bo[k - 1].astype(np.float16)
        if len(self.tokens) <= MAX_ID + 1 and self.order >= 2:
            # stored, not recomputed at every load: sorting 800k bigrams twice was a third of it
            arrays["top_succ"] = self.top_neighbours(successors=True).astype(np.uint16)
            arrays["top_pred"] = self.top_neighbours(successors=False).astype(np.uint16)
        with zipfile.ZipFile(path, "w") as zf:
            for name, array in arrays.items():
                buf = io.BytesIO()
                np.lib.format.write_array(buf, array, allow_pickle=False)
                member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))  # same bytes every build
                zf.writestr(member, buf.getvalue(),
                            compress_type=zipfile.ZIP_DEFLATED if name.startswith("dkeys") else zipfile.ZIP_STORED)

    def _is_prefix_closed(self) -> bool:
        """True when keys can be stored as a trie (see ``save``): order-1 keys are plain token
        ids, and every n-gram's history is a kept (n-1)-gram."""
        if len(self.keys[0]) and int(self.keys[0].max()) > MAX_ID:
            return False
        for k in range(2, self.order + 1):
            parents, history = self.keys[k - 2], self.keys[k - 1] >> np.uint64(BITS)
            if not len(parents):
                if len(history):
                    return False
                continue
            at = np.minimum(np.searchsorted(parents, history), len(parents) - 1)
            if not np.array_equal(parents[at], history):
                return False
        return True

    def han_tokens(self) -> np.ndarray:
        """Boolean mask of the tokens that are one CJK Unified Ideograph."""
        return np.array([len(t) == 1 and "\u4e00" <= t <= "\u9fff" for t in self.tokens])

    def top_neighbours(self, successors: bool, k: int = TOP_NEIGHBOURS) -> np.ndarray:
        """(V, k) int64: for each token, the ``k`` Han tokens most likely to follow it
        (``successors``) or to precede it, by the log-probability of the seen bigram; rows with
        fewer seen bigrams are padded with the most frequent Han characters. Read from the model
        file when it holds them (``save`` writes them)."""
        name = "top_succ" if successors else "top_pred"
        if k == TOP_NEIGHBOURS and name in self._derived:
            return self._derived[name]
        V, han = len(self.tokens), self.han_tokens()
        k2 = self.keys[1]
        first = (k2 >> np.uint64(BITS)).astype(np.int64)
        second = (k2 & np.uint64(MAX_ID)).astype(np.int64)
        src, dst = (first, second) if successors else (second, first)
        # ranked by the stored (float16) weights, so that a model fresh from the builder and the
        # same model read back from its file rank alike
        lp = self.logp[1].astype(np.float16).astype(np.float32)
        ok = han[dst]
        src, dst, lp = src[ok], dst[ok], lp[ok]
        if len(lp) and -128.0 < float(lp.min()) and float(lp.max()) <= 0.0:
            # By source, then by descending log-probability, as one stable sort of a composite
            # key (exact in float64: src * 128 is an integer and 0 <= -lp < 128) -- half the time
            # of lexsort.
            o = np.argsort(src * 128.0 - lp.astype(np.float64), kind="stable")
        else:
            o = np.lexsort((-lp, src))
        src, dst = src[o], dst[o]
        head = np.concatenate([[True], src[1:] != src[:-1]]) if len(src) else np.zeros(0, bool)
        gstart = np.maximum.accumulate(np.where(head, np.arange(len(src)), 0))
        rank = np.arange(len(src)) - gstart
        sel = rank < k
        lp1 = self.unigram.copy()
        lp1[PAD] = -99.0
        frequent = np.argsort(-np.where(han, lp1, -99.0))[:k]
        out = np.tile(frequent, (V, 1))
        out[src[sel], rank[sel]] = dst[sel]
        return out

    # ------------------------------------------------------------- lookups
    def lookup(self, k: int, q: np.ndarray):
        """(found, logp, bo) for packed keys ``q`` of order ``k``."""
        keys = self.keys[k - 1]
        idx = np.searchsorted(keys, q)
        np.minimum(idx, len(keys) - 1, out=idx)
        found = keys[idx] == q
        lp = self.logp[k - 1][idx]
        if k < self.order:
            bo = np.where(found, self.bo[k - 1][idx], 0.0).astype(np.float32)
        else:
            bo = None
        return found, lp, bo

    def score_windows(self, W: np.ndarray, start: int, with_order: bool = False):
        """log10 p(token | history) for columns ``start..L-1`` of token windows ``W`` (N, L).

        Columns before ``start`` only serve as history.  PAD (0) never matches, so windows
        may be left-padded with 0 at a sentence start (put BOS right after the padding).
        """
        N, L = W.shape
        K = self.order
        cols = L - start
        # found/logp/bo of the n-gram of order k ending at column j, for j in start-1..L-1
        res = np.zeros((N, cols), dtype=np.float32)
        # results per order for end columns start..L-1 (logp) and start-1..L-2 (bo of context)
        found_k, lp_k, bo_ctx = [], [], []
        for k in range(1, K + 1):
            lo = start - 1 if k < K else start
            lo = max(lo, k - 1)
            # keys for windows ending at columns lo..L-1
            ncol = L - lo
            if ncol <= 0:
                found_k.append(None)
                lp_k.append(None)
                bo_ctx.append(None)
                continue
            key = np.zeros((N, ncol), dtype=np.uint64)
            for m in range(k):
                c0 = lo - (k - 1) + m
                key <<= np.uint64(BITS)
                key |= W[:, c0:c0 + ncol].astype(np.uint64)
            f, lp, bo = self.lookup(k, key.ravel())
            f = f.reshape(N, ncol)
            lp = lp.reshape(N, ncol)
            # align to end columns start-1 .. L-1 (cols + 1 entries)
            full_f = np.zeros((N, cols + 1), dtype=bool)
            full_lp = np.zeros((N, cols + 1), dtype=np.float32)
            off = lo - (start - 1)
            full_f[:, off:] = f
            full_lp[:, off:] = lp
            found_k.append(full_f)
            lp_k.append(full_lp)
            if bo is not None:
                full_bo = np.zeros((N, cols + 1), dtype=np.float32)
                full_bo[:, off:] = bo.reshape(N, ncol)
                bo_ctx.append(full_bo)
            else:
                bo_ctx.append(None)
        # unigram fallback (unknown tokens get the <unk> probability via the table)
        res = lp_k[0][:, 1:].copy()
        res[~found_k[0][:, 1:]] = -8.0
        order = found_k[0][:, 1:].astype(np.int8) if with_order else None
        for k in range(2, K + 1):
            if found_k[k - 1] is None:  # window too short for this order: no longer history
                break
            f = found_k[k - 1][:, 1:]
            # backoff weight of the context (order k-1 n-gram ending one column earlier)
            ctx_bo = bo_ctx[k - 2][:, :-1]
            res = np.where(f, lp_k[k - 1][:, 1:], res + ctx_bo)
            if with_order:
                order[f] = k
        if with_order:
            return res, order
        return res

    def sentence_logprob(self, text: str) -> float:
        ids = encode(text, self.cp_table)
        W = np.concatenate([[BOS], ids, [EOS]])[None, :]
        return float(self.score_windows(W, 1).sum())
