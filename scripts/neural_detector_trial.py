#!/usr/bin/env python3
"""Trial of a small neural error detector for the typo engine (issue: typo engine, second round, item 5).

Trains a character BiLSTM that scores every character of a sentence with the probability that it
is a typo, on synthetic errors made from the official corpus (corpora/lm) with the engine's own
confusion sets (models/typo/tables.npz), and exports it to ONNX with int8 weights for
onnxruntime. torch is needed only here, never by qualitycheck itself:

    python -m venv /tmp/nnvenv && /tmp/nnvenv/bin/pip install torch onnx onnxruntime numpy
    PYTHONPATH=. /tmp/nnvenv/bin/python scripts/neural_detector_trial.py train --out /tmp/detector \
        [--sentences 150000] [--minutes 40]
    PYTHONPATH=. /tmp/nnvenv/bin/python scripts/neural_detector_trial.py score --model /tmp/detector \
        --csc ../shared/data/csc --out /tmp/detector/dev_scores.npz

``train`` writes a checkpoint after every 500 steps and resumes from it when run again with the
same --out. ``score`` writes, for every dev sentence, the per-character error probability of
the int8 ONNX model, which the feature trial (benchmarks in models/typo/CARD.md) reads. No CSC
dev or test text is used for training: the dev files are only scored.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MAX_LEN = 64


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def load_vocab():
    from qualitycheck.typo.candidates import Tables
    from qualitycheck.typo.lm import NgramLM

    lm = NgramLM.load(ROOT / "models" / "typo" / "lm.npz")
    tables = Tables(ROOT / "models" / "typo" / "tables.npz", lm.cp_table)
    return lm, tables


def encode(sentences: list[str], cp_table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token ids (N, MAX_LEN) padded with 0, and lengths."""
    X = np.zeros((len(sentences), MAX_LEN), np.int64)
    lens = np.zeros(len(sentences), np.int64)
    for i, s in enumerate(sentences):
        s = s[:MAX_LEN]
        cps = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
        X[i, :len(s)] = cp_table[cps]
        lens[i] = len(s)
    return X, lens


def synthetic(sentences: list[str], lm, tables, seed: int) -> tuple[list[str], list[list[int]]]:
    """Each sentence with 0-3 characters replaced by a confusion candidate (same sound or shape,
    the most frequent 40), and the replaced positions."""
    rng = random.Random(seed)
    tokens = lm.tokens
    out, labels = [], []
    for s in sentences:
        s = s[:MAX_LEN]
        chars = list(s)
        cand_pos = [i for i, ch in enumerate(chars) if _han(ch) and tables.cp_row[ord(ch)] >= 0]
        k = rng.choices([0, 1, 2, 3], weights=[25, 45, 20, 10])[0]
        pos = sorted(rng.sample(cand_pos, min(k, len(cand_pos)))) if cand_pos else []
        done = []
        for p in pos:
            r = tables.cp_row[ord(chars[p])]
            o0, o1 = tables.conf_off[r], tables.conf_off[r + 1]
            pool = [tokens[int(t)] for t in tables.conf_ids[o0:min(o1, o0 + 40)]]
            pool = [c for c in pool if len(c) == 1 and _han(c) and c != chars[p]]
            if pool:
                chars[p] = rng.choice(pool)
                done.append(p)
        out.append("".join(chars))
        labels.append(done)
    return out, labels


def corpus_sentences(n: int, seed: int) -> list[str]:
    from qualitycheck.typo.corpus import iter_corpus

    sents = [s for s in iter_corpus(ROOT / "corpora" / "lm") if 8 <= len(s) <= MAX_LEN]
    random.Random(seed).shuffle(sents)
    return sents[:n]


def build_model(V: int):
    import torch
    from torch import nn

    class Detector(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(V, 128, padding_idx=0)
            self.rnn = nn.LSTM(128, 128, num_layers=2, batch_first=True, bidirectional=True)
            self.out = nn.Linear(256, 1)

        def forward(self, x):
            h, _ = self.rnn(self.emb(x))
            return self.out(h).squeeze(-1)

    torch.manual_seed(0)
    return Detector()


def train(args) -> None:
    import torch

    torch.set_num_threads(2)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lm, tables = load_vocab()
    t0 = time.time()
    clean = corpus_sentences(args.sentences, seed=1)
    noisy, labels = synthetic(clean, lm, tables, seed=2)
    X, lens = encode(noisy, lm.cp_table)
    Y = np.zeros_like(X, dtype=np.float32)
    for i, ps in enumerate(labels):
        Y[i, ps] = 1.0
    M = (np.arange(MAX_LEN)[None, :] < lens[:, None]).astype(np.float32)
    print(f"{len(clean)} sentences, {int(Y.sum())} errors ({time.time() - t0:.0f} s)", flush=True)
    model = build_model(len(lm.tokens))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    ckpt = out / "checkpoint.pt"
    step = 0
    if ckpt.exists():
        state = torch.load(ckpt)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step = state["step"]
        print(f"resumed at step {step}", flush=True)
    bs = 128
    n_batches = len(X) // bs
    deadline = time.time() + args.minutes * 60
    lossf = torch.nn.BCEWithLogitsLoss(reduction="none", pos_weight=torch.tensor(3.0))
    model.train()
    log = []
    while time.time() < deadline and step < args.epochs * n_batches:
        b = step % n_batches
        if b == 0:
            order = np.random.default_rng(step).permutation(len(X))
            X, Y, M, lens = X[order], Y[order], M[order], lens[order]
        sl = slice(b * bs, (b + 1) * bs)
        L = int(lens[sl].max())
        x = torch.from_numpy(X[sl, :L])
        y = torch.from_numpy(Y[sl, :L])
        m = torch.from_numpy(M[sl, :L])
        loss = (lossf(model(x), y) * m).sum() / m.sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 100 == 0:
            log.append({"step": step, "loss": round(float(loss), 4), "s": round(time.time() - t0)})
            print(json.dumps(log[-1]), flush=True)
        if step % 500 == 0:
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step}, ckpt)
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step}, ckpt)
    export(model, out)
    (out / "train_log.json").write_text(json.dumps({"steps": step, "batch": bs, "sentences": len(X),
                                                    "seconds": round(time.time() - t0), "log": log}))
    print(f"done: {step} steps, {time.time() - t0:.0f} s", flush=True)


def export(model, out: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    dummy = torch.ones((2, 20), dtype=torch.int64)
    fp32 = out / "detector.fp32.onnx"
    torch.onnx.export(model, (dummy,), str(fp32), input_names=["tokens"], output_names=["logits"],
                      dynamic_axes={"tokens": {0: "batch", 1: "length"}, "logits": {0: "batch", 1: "length"}},
                      opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(out / "detector.int8.onnx"), weight_type=QuantType.QInt8)
    print("exported", fp32, (out / "detector.int8.onnx").stat().st_size // 1024, "KB", flush=True)


def score(args) -> None:
    import onnxruntime as ort

    lm, _ = load_vocab()
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(Path(args.model) / "detector.int8.onnx"), so,
                                providers=["CPUExecutionProvider"])
    out = {}
    for name, rel in (("sighan15", "sighan15/train.jsonl"), ("gen_xxqg", "gen_xxqg/dev.jsonl"),
                      ("xxqg_neg", "xxqg_neg/dev.jsonl")):
        rows = [json.loads(x) for x in (Path(args.csc) / rel).read_text(encoding="utf-8").splitlines() if x.strip()]
        srcs = [r["source"] for r in rows]
        t = time.time()
        probs = detector_probs(sess, srcs, lm.cp_table)
        dt = time.time() - t
        flat = np.zeros(sum(len(s) for s in srcs), np.float32)
        off = np.cumsum([0] + [len(s) for s in srcs])
        for i, p in enumerate(probs):
            flat[off[i]:off[i + 1]] = p
        out[name + "_p"], out[name + "_off"] = flat, off
        # detection quality on its own: AUC-like summary of gold error vs other characters
        gold = np.zeros_like(flat, bool)
        for i, r in enumerate(rows):
            s, tg = r["source"], r["target"]
            if len(s) == len(tg):
                for j, (a, b) in enumerate(zip(s, tg)):
                    gold[off[i] + j] = a != b
        if gold.any():
            from sklearn.metrics import roc_auc_score
            auc = roc_auc_score(gold, flat)
        else:
            auc = float("nan")
        print(f"{name}: {len(srcs)} sentences scored in {dt:.1f} s ({len(srcs) / dt:.0f}/s, one thread); "
              f"character AUC {auc:.3f}; mean p {flat.mean():.4f}", flush=True)
    np.savez(args.out, **out)


def detector_probs(sess, sentences: list[str], cp_table: np.ndarray, bucket: int = 256) -> list[np.ndarray]:
    res: list[np.ndarray | None] = [None] * len(sentences)
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    for b in range(0, len(order), bucket):
        idx = order[b:b + bucket]
        L = max(1, max(min(len(sentences[i]), MAX_LEN) for i in idx))
        X = np.zeros((len(idx), L), np.int64)
        for r, i in enumerate(idx):
            s = sentences[i][:MAX_LEN]
            X[r, :len(s)] = cp_table[np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)]
        logits = sess.run(None, {"tokens": X})[0]
        p = 1.0 / (1.0 + np.exp(-logits))
        for r, i in enumerate(idx):
            n = len(sentences[i])
            v = np.zeros(n, np.float32)
            v[:min(n, MAX_LEN)] = p[r, :min(n, MAX_LEN)]
            res[i] = v
    return res  # type: ignore[return-value]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--out", required=True)
    t.add_argument("--sentences", type=int, default=150_000)
    t.add_argument("--epochs", type=int, default=2)
    t.add_argument("--minutes", type=float, default=40)
    s = sub.add_parser("score")
    s.add_argument("--model", required=True)
    s.add_argument("--csc", required=True)
    s.add_argument("--out", required=True)
    args = ap.parse_args()
    train(args) if args.cmd == "train" else score(args)


if __name__ == "__main__":
    main()
