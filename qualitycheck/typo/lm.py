"""Character n-gram language model: token mapping, storage and vectorised scoring.

The model is a backoff model (interpolated absolute discounting, written in ARPA form):
for every kept n-gram ``h w`` we store ``log10 p(w | h)`` and, if it can be a context,
its backoff weight ``log10 gamma(h w)``.  Scoring follows the ARPA/kenlm rule::

    log p(w | h) = logp(h w)                       if h w is in the table
                 = bo(h) + log p(w | h[1:])        otherwise

Storage (``models/typo/lm.npz``): per order ``k`` a sorted ``uint64`` array of packed keys
(16 bits per token, oldest token in the highest bits), ``float16`` log-probabilities and,
for orders below the maximum, ``float16`` backoff weights.  Lookups are a binary search over
the sorted keys (``numpy.searchsorted``), done for many n-grams at once, so one call scores a
whole batch of sentences or candidate windows.

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

    # ------------------------------------------------------------------ io
    @classmethod
    def load(cls, path: str | Path) -> "NgramLM":
        z = np.load(path, allow_pickle=False)
        tokens = str(z["tokens"]).split("\n")
        order = int(z["order"])
        keys, logp, bo = [], [], []
        for k in range(1, order + 1):
            if f"dkeys{k}" in z:
                keys.append(np.cumsum(z[f"dkeys{k}"], dtype=np.uint64))
            else:
                keys.append(z[f"keys{k}"])
            logp.append(z[f"logp{k}"])
            bo.append(z[f"bo{k}"] if f"bo{k}" in z else np.zeros(0, dtype=np.float16))
        meta = {}
        if "meta" in z:
            import json
            meta = json.loads(str(z["meta"]))
        return cls(tokens, keys, logp, bo, meta)

    def save(self, path: str | Path, meta: dict | None = None) -> None:
        """An .npz that np.load reads. Only the delta-coded keys are deflated: they shrink four
        times, while float16 probabilities barely shrink and inflating them was a third of the
        model's load time (a cold `check` loads it once)."""
        import io
        import json
        import zipfile

        arrays = {"tokens": np.array("\n".join(self.tokens)), "order": np.array(self.order),
                  "meta": np.array(json.dumps(meta or self.meta, ensure_ascii=False))}
        for k in range(1, self.order + 1):
            keys = self.keys[k - 1]
            d = np.diff(keys, prepend=np.uint64(0))  # delta coding: compresses well
            arrays[f"dkeys{k}"] = d
            arrays[f"logp{k}"] = self.logp[k - 1].astype(np.float16)
            if k < self.order:
                arrays[f"bo{k}"] = self.bo[k - 1].astype(np.float16)
        with zipfile.ZipFile(path, "w") as zf:
            for name, array in arrays.items():
                buf = io.BytesIO()
                np.lib.format.write_array(buf, array, allow_pickle=False)
                member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))  # same bytes every build
                zf.writestr(member, buf.getvalue(),
                            compress_type=zipfile.ZIP_DEFLATED if name.startswith("dkeys") else zipfile.ZIP_STORED)

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
