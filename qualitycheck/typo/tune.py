"""Fit the engine's decision weights and threshold on the dev sets (never on evaluation data).

    python -m qualitycheck.typo.tune --dev ../shared/data/csc [--out models/typo/params.json]

1. Runs stage 1 and stage 2 of the engine (one pass) on the three dev files and labels every
   surviving candidate: positive when the character is a gold error and the candidate is the
   gold correction.
2. Fits a logistic regression over the engine's FEATURES (a linear score; no data of the dev
   sets enters the model or the dictionaries, only these ~20 weights).
3. Sweeps the decision threshold with the full engine and keeps the one with the best mean
   lenient F1 on the error sets among those that change at most 2% of the clean official
   sentences (xxqg_neg) with lenient precision >= 0.8.  Writes params.json and prints the log.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .candidates import covering, protected_mask
from .engine import DEFAULT_MODEL_DIR, FEATURES, TypoEngine

DEV = {"sighan15": "sighan15/train.jsonl", "gen_xxqg": "gen_xxqg/dev.jsonl",
       "xxqg_neg": "xxqg_neg/dev.jsonl"}


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def collect(eng: TypoEngine, rows: list[dict]):
    srcs = [r["source"] for r in rows]
    tgts = [r["target"] for r in rows]
    Xs, ys, groups = [], [], []
    step = 512
    for b in range(0, len(srcs), step):
        ss = srcs[b:b + step]
        feats = eng._features(ss, [protected_mask(s) for s in ss])
        if feats is None:
            continue
        sid, pos, x, F = feats
        F = F.copy()
        for j in range(len(sid)):
            s = ss[sid[j]]
            right = eng.lm.tokens[int(x[j])]
            F[j, 16] = covering(s, int(pos[j]), eng.tables.words)
            F[j, 17] = covering(s[:pos[j]] + right + s[pos[j] + 1:], int(pos[j]), eng.tables.words)
            t = tgts[b + sid[j]]
            ys.append(int(len(t) == len(s) and s[pos[j]] != t[pos[j]] and t[pos[j]] == right))
        Xs.append(F)
        groups.append(np.stack([sid + b, pos], 1))
    return np.concatenate(Xs), np.array(ys), np.concatenate(groups)


def evaluate(eng: TypoEngine, rows: list[dict]) -> dict:
    from qualitycheck.bench.csc import lenient_metrics
    srcs = [r["source"] for r in rows]
    tgts = [r["target"] for r in rows]
    preds = [r["target"] for r in eng.correct_batch(srcs)]
    m = lenient_metrics(srcs, tgts, preds)
    return {k: round(m[k], 4) for k in ("p", "r", "f1", "fpr")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", required=True, help="folder holding sighan15/, gen_xxqg/, xxqg_neg/")
    ap.add_argument("--out", default=str(DEFAULT_MODEL_DIR / "params.json"))
    ap.add_argument("--C", type=float, default=1.0)
    args = ap.parse_args(argv)
    from sklearn.linear_model import LogisticRegression

    eng = TypoEngine.load()
    data = {k: _rows(Path(args.dev) / v) for k, v in DEV.items()}
    Xs, ys = [], []
    for k, rows in data.items():
        X, y, _ = collect(eng, rows)
        print(f"{k}: {len(y)} candidates, {int(y.sum())} positive")
        # each dev set weighs the same
        Xs.append(X)
        ys.append(y)
    X = np.concatenate(Xs)
    y = np.concatenate(ys)
    sw = np.concatenate([np.full(len(a), len(y) / (len(Xs) * len(a))) for a in ys])
    clf = LogisticRegression(C=args.C, max_iter=2000, fit_intercept=False)
    clf.fit(X, y, sample_weight=sw)
    w = clf.coef_[0]
    print("weights:", json.dumps(dict(zip(FEATURES, [round(float(v), 3) for v in w])), ensure_ascii=False))
    eng.set_params(weights=[float(v) for v in w])
    log = []
    best = None
    for th in [-1.0, -0.8, -0.6, -0.5, -0.4, -0.3, -0.2, 0.0, 0.5, 1.0]:
        eng.set_params(threshold=th)
        res = {k: evaluate(eng, rows) for k, rows in data.items()}
        f1 = (res["sighan15"]["f1"] + res["gen_xxqg"]["f1"]) / 2
        ok = res["xxqg_neg"]["fpr"] <= 0.02 and min(res["sighan15"]["p"], res["gen_xxqg"]["p"]) >= 0.8
        log.append({"threshold": th, **res, "mean_f1": round(f1, 4), "ok": ok})
        print(json.dumps(log[-1], ensure_ascii=False))
        if ok and (best is None or f1 > best[0]):
            best = (f1, th)
    th = best[1] if best else 5.0
    params = {"weights": [round(float(v), 5) for v in w], "threshold": th,
              "features": FEATURES, "tuning_log": log}
    Path(args.out).write_text(json.dumps(params, ensure_ascii=False, indent=1), encoding="utf-8")
    print("threshold:", th, "->", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
