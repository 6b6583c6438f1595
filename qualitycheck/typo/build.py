"""Build the spelling-engine model from ``corpora/lm/`` and ``dictionaries/typo/``.

One command rebuilds everything that ships in ``models/typo/``::

    python -m qualitycheck.typo.build

Options:

* ``--import-from ../shared/data`` first re-assembles ``corpora/lm/*.txt.gz`` from the shared
  source folders (see :mod:`qualitycheck.typo.corpus`) and the dictionary files in
  ``dictionaries/typo/`` (see :mod:`qualitycheck.typo.dictdata`); without it the build reads
  only what is in the repository.
* ``--import-xwlb CHECKOUT --csc ../shared/data/csc`` adds 新闻联播 transcripts (a checkout of
  china-data/xwlb, MIT) as ``corpora/lm/xwlb-*.txt.gz``, leaving out every sentence that shares 16
  characters with a CSC dev sentence (run it after ``--import-from``, which clears the folder).
* ``--arpa PATH`` also writes the model as an ARPA file that kenlm can load (this is the
  language model handed to pycorrector's ``Corrector`` by ``--engine pycorrector``).

The language model is a character 4-gram backoff model, interpolated absolute discounting
(discount per order ``D = n1 / (n1 + 2 n2)``), n-grams of order >= 3 seen fewer than twice
are pruned and their probability mass is moved to the backoff weight, so every context
stays normalised.
"""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

from . import lm as lmmod
from .lm import BITS, BOS, EOS, NgramLM, SPECIALS, build_cp_table, char_class

REPO = Path(__file__).resolve().parents[2]
ORDER = 4
MIN_COUNT = {1: 0, 2: 1, 3: 2, 4: 2, 5: 2}
MIN_CHAR_COUNT = 2


def _vocab(sents: list[str]) -> list[str]:
    c: collections.Counter = collections.Counter()
    for s in sents:
        c.update(s)
    merged: collections.Counter = collections.Counter()
    for ch, n in c.items():
        t = char_class(ch)
        if len(t) == 1:
            merged[t] += n
    toks = sorted((t for t, n in merged.items() if n >= MIN_CHAR_COUNT), key=lambda t: (-merged[t], t))
    toks = [t for t in toks if t not in SPECIALS]
    return SPECIALS + toks


def _encode_corpus(sents: list[str], tokens: list[str]) -> np.ndarray:
    table = build_cp_table(tokens)
    text = "\n".join(sents)
    ids = table[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)].astype(np.int64)
    nl = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10)
    ids[nl] = EOS
    # after each newline (now EOS) insert BOS
    ids = np.insert(ids, nl + 1, BOS)
    return np.concatenate([[BOS], ids, [EOS]]).astype(np.uint64)


def _count(T: np.ndarray, k: int):
    n = len(T) - k + 1
    key = np.zeros(n, dtype=np.uint64)
    for m in range(k):
        key <<= np.uint64(BITS)
        key |= T[m:m + n]
    sid = np.cumsum(T == BOS)
    ok = sid[:n] == sid[k - 1:k - 1 + n]
    # an n-gram may not end on BOS nor have EOS before its last token
    if k > 1:
        ok &= T[k - 1:k - 1 + n] != BOS
    u, c = np.unique(key[ok], return_counts=True)
    return u, c.astype(np.int64)


def _unpack(keys: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((len(keys), k), dtype=np.int64)
    mask = np.uint64((1 << BITS) - 1)
    for m in range(k):
        out[:, k - 1 - m] = ((keys >> np.uint64(BITS * m)) & mask).astype(np.int64)
    return out


def estimate(T: np.ndarray, V: int, order: int = ORDER, log=print) -> NgramLM:
    keys, logp, bo = [], [], []
    tokens_placeholder = [""] * V
    # ---- order 1
    u, c = _count(T, 1)
    cnt = np.zeros(V, dtype=np.float64)
    cnt[u.astype(np.int64)] = c
    cnt[BOS] = 0
    cnt[0] = 0
    total = cnt.sum()
    p1 = (cnt + 0.1) / (total + 0.1 * (V - 2))
    lp1 = np.log10(p1)
    lp1[BOS] = -99.0
    k1 = np.arange(1, V, dtype=np.uint64)
    keys.append(k1)
    logp.append(lp1[1:].astype(np.float32))
    bo.append(np.zeros(V - 1, dtype=np.float32))
    log(f"order 1: {V - 1} tokens, {int(total)} running tokens")
    for k in range(2, order + 1):
        t0 = time.time()
        u, c = _count(T, k)
        n1, n2 = int((c == 1).sum()), int((c == 2).sum())
        D = n1 / (n1 + 2 * n2) if n1 + 2 * n2 else 0.5
        ctx = u >> np.uint64(BITS)
        starts = np.flatnonzero(np.concatenate([[True], ctx[1:] != ctx[:-1]]))
        gid = np.cumsum(np.concatenate([[True], ctx[1:] != ctx[:-1]])) - 1
        c_ctx = np.add.reduceat(c, starts).astype(np.float64)
        keep = c >= max(MIN_COUNT[k], 1)
        disc = np.maximum(c - D, 0.0) / c_ctx[gid]
        kept_mass = np.bincount(gid[keep], weights=disc[keep], minlength=len(starts))
        gamma = np.clip(1.0 - kept_mass, 1e-12, 1.0)
        # lower-order probability of each kept n-gram's last token given its shorter context
        partial = NgramLM(tokens_placeholder, keys, logp, bo)
        uk = u[keep]
        W = _unpack(uk, k)[:, 1:]  # suffix (k-1 tokens)
        p_lower = np.empty(len(uk), dtype=np.float64)
        step = 2_000_000
        for i in range(0, len(uk), step):
            p_lower[i:i + step] = partial.score_windows(W[i:i + step], W.shape[1] - 1)[:, -1]
        lp = np.log10(disc[keep] + gamma[gid[keep]] * np.power(10.0, p_lower))
        # backoff weights of the contexts, stored on the order k-1 table
        ctx_keys = ctx[starts]
        prev = keys[k - 2]
        idx = np.searchsorted(prev, ctx_keys)
        idx = np.minimum(idx, len(prev) - 1)
        ok = prev[idx] == ctx_keys
        # contexts that were pruned at order k-1 cannot have kept children (monotone pruning);
        # their gamma is simply not stored
        bo_prev = bo[k - 2].copy()
        bo_prev[idx[ok]] = np.log10(gamma[ok])
        bo[k - 2] = bo_prev
        keys.append(uk)
        logp.append(lp.astype(np.float32))
        bo.append(np.zeros(len(uk), dtype=np.float32))
        log(f"order {k}: {len(u)} distinct, kept {len(uk)} (count >= {max(MIN_COUNT[k], 1)}), "
            f"D={D:.3f}, {time.time() - t0:.1f}s")
    return NgramLM(tokens_placeholder, keys, logp, bo)


def write_arpa(model: NgramLM, path: str | Path) -> None:
    """Write the model in ARPA format (kenlm loads it; pycorrector's Corrector uses it)."""
    toks = list(model.tokens)
    toks[lmmod.UNK] = "<unk>"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\\data\\\n")
        for k in range(1, model.order + 1):
            f.write(f"ngram {k}={len(model.keys[k - 1])}\n")
        for k in range(1, model.order + 1):
            f.write(f"\n\\{k}-grams:\n")
            grams = _unpack(model.keys[k - 1], k)
            lp = model.logp[k - 1]
            has_bo = k < model.order
            bov = model.bo[k - 1] if has_bo else None
            lines = []
            for i in range(len(grams)):
                words = " ".join(toks[t] for t in grams[i])
                p = float(lp[i])
                if has_bo:
                    lines.append(f"{p:.5f}\t{words}\t{float(bov[i]):.5f}\n")
                else:
                    lines.append(f"{p:.5f}\t{words}\n")
                if len(lines) >= 100_000:
                    f.writelines(lines)
                    lines = []
            f.writelines(lines)
        f.write("\n\\end\\\n")


def build(corpus_dir: Path, out_dir: Path, order: int = ORDER, log=print) -> dict:
    from .corpus import iter_corpus
    t0 = time.time()
    sents = list(iter_corpus(corpus_dir))
    if not sents:
        raise SystemExit(f"no training text in {corpus_dir} (run with --import-from first)")
    tokens = _vocab(sents)
    if len(tokens) > lmmod.MAX_ID:
        raise SystemExit("vocabulary too large for 16-bit packing")
    T = _encode_corpus(sents, tokens)
    log(f"{len(sents)} sentences, {len(T)} tokens, vocabulary {len(tokens)} ({time.time() - t0:.1f}s)")
    model = estimate(T, len(tokens), order=order, log=log)
    model.tokens = tokens
    meta = {
        "order": order,
        "sentences": len(sents),
        "tokens": int(len(T)),
        "vocabulary": len(tokens),
        "ngrams": [int(len(k)) for k in model.keys],
        "min_count": {str(k): max(MIN_COUNT[k], 1) for k in range(2, order + 1)},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir / "lm.npz", meta=meta)
    log(f"wrote {out_dir / 'lm.npz'} ({(out_dir / 'lm.npz').stat().st_size / 1e6:.1f} MB) "
        f"in {time.time() - t0:.1f}s")
    return {"model": model, "meta": meta}


def _import_xwlb(checkout: Path, corpus_dir: Path, csc_dir: Path, years: str) -> dict:
    """corpora/lm/xwlb-*.txt.gz from a china-data/xwlb checkout, without the sentences already in
    the other shards and without any sentence sharing 16 characters with a CSC dev sentence."""
    from .corpus import _sentences, import_xwlb, overlap_windows

    first, _, last = years.partition("-")
    exclude: set[str] = set()
    for p in sorted(corpus_dir.glob("*.txt.gz")):
        if not p.name.startswith("xwlb-"):
            with gzip.open(p, "rt", encoding="utf-8") as f:
                exclude.update(line.rstrip("\n") for line in f)
    csc: list[str] = []
    for p in sorted(csc_dir.glob("*/*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                csc += [row.get("source") or "", row.get("target") or ""]
    exclude |= {s.strip() for s in csc} | set(_sentences(csc))
    return import_xwlb(checkout / "assets", corpus_dir, range(int(first), int(last or first) + 1), exclude,
                       overlap_windows(csc))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m qualitycheck.typo.build", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--import-from", metavar="SHARED_DATA",
                    help="re-assemble corpora/lm and dictionaries/typo from this folder first")
    ap.add_argument("--import-xwlb", metavar="CHECKOUT",
                    help="add 新闻联播 transcripts from a checkout of china-data/xwlb to corpora/lm first "
                         "(needs --csc: their sentences are kept out)")
    ap.add_argument("--xwlb-years", default="2018-2026", help="years of 新闻联播 to take (default 2018-2026)")
    ap.add_argument("--csc", metavar="FOLDER", help="the CSC dev files (sighan15/, gen_xxqg/, xxqg_neg/), "
                    "read only to keep their sentences out of the imported text")
    ap.add_argument("--corpus", default=str(REPO / "corpora" / "lm"))
    ap.add_argument("--dictionaries", default=str(REPO / "dictionaries" / "typo"))
    ap.add_argument("--out", default=str(REPO / "models" / "typo"))
    ap.add_argument("--order", type=int, default=ORDER)
    ap.add_argument("--arpa", metavar="PATH", help="also write an ARPA file (for kenlm / pycorrector)")
    ap.add_argument("--arpa-only", action="store_true",
                    help="only convert the shipped models/typo/lm.npz to ARPA (needs --arpa)")
    args = ap.parse_args(argv)
    if args.arpa_only:
        if not args.arpa:
            ap.error("--arpa-only needs --arpa PATH")
        model = NgramLM.load(Path(args.out) / "lm.npz")
        write_arpa(model, args.arpa)
        print(f"wrote {args.arpa}")
        return 0
    if args.import_from:
        from .corpus import import_corpora
        stats = import_corpora(args.import_from, args.corpus)
        print("corpus:", json.dumps(stats, ensure_ascii=False))
        from .dictdata import import_dictionaries
        print("dictionaries:", json.dumps(import_dictionaries(args.import_from, args.dictionaries),
                                          ensure_ascii=False))
    if args.import_xwlb:
        if not args.csc:
            ap.error("--import-xwlb needs --csc FOLDER (the dev sets to keep out of the corpus)")
        print("xwlb:", json.dumps(_import_xwlb(Path(args.import_xwlb), Path(args.corpus), Path(args.csc),
                                               args.xwlb_years), ensure_ascii=False))
    res = build(Path(args.corpus), Path(args.out), order=args.order)
    from .dictdata import build_tables
    print("tables:", json.dumps(build_tables(Path(args.dictionaries), Path(args.out), res["model"]),
                                ensure_ascii=False))
    from .dictdata import build_word_keys
    print("words:", json.dumps(build_word_keys(Path(args.dictionaries), Path(args.out), res["model"]),
                               ensure_ascii=False))
    if args.arpa:
        write_arpa(res["model"], args.arpa)
        print(f"wrote {args.arpa}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
