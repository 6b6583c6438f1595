"""Chinese spelling-check benchmark: accuracy (sentence level, lenient and strict), speed, memory.

``run_csc_bench(path, engine="qualitycheck"|"pycorrector", limit=None)`` reads JSON Lines rows
``{"source", "target"}`` (rows with source == target are clean), runs the engine on the sources
and returns a dict; ``format_csc_report(result)`` renders it.

The metric code re-implements, with the same semantics, the project's reference scorer
(shared/data/csc/tools/csc_metrics.py):

* lenient (pycorrector ``eval_model_batch`` / SIGHAN style): a clean row changed is FP, an
  erroneous row is TP only if the prediction equals the target, otherwise FN; P and R are 0
  when TP is 0;
* strict (SpellGCN / ECSpell style): P = TP / rows changed, R = TP / erroneous rows; detection
  TP when the changed positions equal the gold positions, correction TP when prediction ==
  target;
* character level over aligned rows.
"""
from __future__ import annotations

import json
import resource
import sys
import time


# ----------------------------------------------------------------------------- metrics
def _prf(tp: int, p_den: int, r_den: int) -> tuple[float, float, float]:
    p = tp / p_den if p_den else 0.0
    r = tp / r_den if r_den else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def lenient_metrics(srcs, tgts, preds) -> dict:
    tp = fp = fn = tn = 0
    for s, t, p in zip(srcs, tgts, preds):
        if s == t:
            if p == t:
                tn += 1
            else:
                fp += 1
        elif p == t:
            tp += 1
        else:
            fn += 1
    n = tp + fp + fn + tn
    prec = tp / (tp + fp) if tp > 0 else 0.0
    rec = tp / (tp + fn) if tp > 0 else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return dict(acc=(tp + tn) / n if n else 0.0, p=prec, r=rec, f1=f1, tp=tp, fp=fp, fn=fn, tn=tn,
                fpr=fp / (fp + tn) if fp + tn else 0.0)


def _diff_pos(a: str, b: str):
    if len(a) != len(b):
        return None
    return tuple(i for i, (x, y) in enumerate(zip(a, b)) if x != y)


def strict_metrics(srcs, tgts, preds) -> dict:
    changed = gold_pos = det_tp = cor_tp = neg = neg_changed = 0
    for s, t, p in zip(srcs, tgts, preds):
        g = _diff_pos(s, t)
        pr = _diff_pos(s, p)
        did_change = p != s
        changed += did_change
        if s != t:
            gold_pos += 1
        else:
            neg += 1
            neg_changed += did_change
        if did_change and s != t:
            if pr is not None and pr == g:
                det_tp += 1
            if p == t:
                cor_tp += 1
    dp, dr, df = _prf(det_tp, changed, gold_pos)
    cp, cr, cf = _prf(cor_tp, changed, gold_pos)
    return dict(det_p=dp, det_r=dr, det_f1=df, cor_p=cp, cor_r=cr, cor_f1=cf, changed=changed,
                gold_positive=gold_pos, det_tp=det_tp, cor_tp=cor_tp,
                fpr=neg_changed / neg if neg else 0.0)


def char_metrics(srcs, tgts, preds) -> dict:
    n_pred = n_gold = det_tp = cor_tp = unaligned = 0
    for s, t, p in zip(srcs, tgts, preds):
        if not (len(s) == len(t) == len(p)):
            unaligned += 1
            continue
        for a, b, c in zip(s, t, p):
            if a != b:
                n_gold += 1
            if a != c:
                n_pred += 1
                if a != b:
                    det_tp += 1
                if c == b:
                    cor_tp += 1
    dp, dr, df = _prf(det_tp, n_pred, n_gold)
    cp, cr, cf = _prf(cor_tp, n_pred, n_gold)
    return dict(det_p=dp, det_r=dr, det_f1=df, cor_p=cp, cor_r=cr, cor_f1=cf, unaligned=unaligned)


def score(srcs, tgts, preds) -> dict:
    return dict(n=len(srcs), lenient=lenient_metrics(srcs, tgts, preds),
                strict=strict_metrics(srcs, tgts, preds), char=char_metrics(srcs, tgts, preds))


# ----------------------------------------------------------------------------- engines
def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _load_rows(path: str, limit: int | None) -> list[dict]:
    """Rows {"source", "target"} of a JSON Lines file; a bad line is an InputError naming it."""
    from ..errors import InputError

    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise InputError(f"{path}:{n}：不是一行 JSON（{exc.msg}）") from None
                if not isinstance(row, dict) or not isinstance(row.get("source"), str) \
                        or not isinstance(row.get("target"), str):
                    raise InputError(f'{path}:{n}：每行需要字符串字段 "source" 和 "target"')
                rows.append(row)
                if limit is not None and len(rows) >= limit:
                    break
    except UnicodeDecodeError:
        raise InputError(f"{path}：不是 UTF-8 文本") from None
    return rows


def _qualitycheck_engine(model_dir=None):
    from qualitycheck.typo.engine import TypoEngine
    t0 = time.perf_counter()
    eng = TypoEngine.load(model_dir)
    load = time.perf_counter() - t0
    return (lambda srcs: [r["target"] for r in eng.correct_batch(srcs)]), load


def _pycorrector_engine(model_dir=None):
    from qualitycheck.typo.pycorrector_backend import PycorrectorBackend
    t0 = time.perf_counter()
    be = PycorrectorBackend.load(model_dir)
    load = time.perf_counter() - t0
    return be.correct_batch, load


ENGINES = {"qualitycheck": _qualitycheck_engine, "pycorrector": _pycorrector_engine}


def run_csc_bench(path: str, engine: str = "qualitycheck", limit: int | None = None,
                  model_dir: str | None = None) -> dict:
    """Run one engine on one JSON Lines file; return metrics, speed and memory."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    rows = _load_rows(path, limit)
    srcs = [r["source"] for r in rows]
    tgts = [r.get("target", r["source"]) for r in rows]
    rss0 = _peak_rss_mb()
    fn, load_s = ENGINES[engine](model_dir)
    t0 = time.perf_counter()
    preds = fn(srcs)
    elapsed = time.perf_counter() - t0
    preds = [p if isinstance(p, str) else s for p, s in zip(preds, srcs)]
    res = score(srcs, tgts, preds)
    nchars = sum(len(s) for s in srcs)
    clean = [i for i, (s, t) in enumerate(zip(srcs, tgts)) if s == t]
    changed_clean = sum(1 for i in clean if preds[i] != srcs[i])
    res.update(
        file=str(path), engine=engine, limit=limit,
        rows=len(rows), clean_rows=len(clean), error_rows=len(rows) - len(clean),
        clean_changed=changed_clean, clean_changed_share=changed_clean / len(clean) if clean else None,
        length_mismatch=sum(1 for s, p in zip(srcs, preds) if len(s) != len(p)),
        seconds=elapsed, sentences_per_s=len(rows) / elapsed if elapsed else None,
        chars_per_s=nchars / elapsed if elapsed else None, avg_chars=nchars / len(rows) if rows else 0,
        load_s=load_s, peak_rss_mb=_peak_rss_mb(), rss_before_mb=rss0,
    )
    return res


def format_csc_report(result: dict) -> str:
    le, st = result["lenient"], result["strict"]
    lines = [
        f"CSC benchmark: {result['file']}  engine={result['engine']}"
        + (f"  limit={result['limit']}" if result.get("limit") else ""),
        f"  rows {result['rows']} ({result['error_rows']} with errors, {result['clean_rows']} clean), "
        f"avg {result['avg_chars']:.1f} chars",
        f"  lenient  P {le['p']:.4f}  R {le['r']:.4f}  F1 {le['f1']:.4f}  "
        f"(TP {le['tp']} FP {le['fp']} FN {le['fn']} TN {le['tn']})",
        f"  strict   correction P {st['cor_p']:.4f}  R {st['cor_r']:.4f}  F1 {st['cor_f1']:.4f}; "
        f"detection P {st['det_p']:.4f}  R {st['det_r']:.4f}  F1 {st['det_f1']:.4f}",
        f"  char     correction P {result['char']['cor_p']:.4f}  R {result['char']['cor_r']:.4f}  "
        f"F1 {result['char']['cor_f1']:.4f}",
    ]
    if result["clean_rows"]:
        lines.append(f"  clean sentences changed: {result['clean_changed']}/{result['clean_rows']} "
                     f"= {100 * result['clean_changed_share']:.2f}%")
    lines.append(f"  speed {result['sentences_per_s']:.1f} sentences/s, {result['chars_per_s']:.0f} chars/s "
                 f"({result['seconds']:.2f} s)")
    lines.append(f"  load {result['load_s']:.2f} s, peak memory {result['peak_rss_mb']:.0f} MB")
    if result.get("length_mismatch"):
        lines.append(f"  WARNING: {result['length_mismatch']} predictions differ in length from the source")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    ap = argparse.ArgumentParser(description="CSC benchmark (sentence-level P/R/F1, speed, memory)")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--engine", default="qualitycheck", choices=sorted(ENGINES) + ["both"],
                    help="'both': qualitycheck on the whole file, then both engines on the first "
                         "--limit rows, with the speed ratio")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--json", action="store_true", help="print the result dicts as JSON lines")
    args = ap.parse_args(argv)
    for f in args.files:
        if args.engine == "both":
            runs = [run_csc_bench(f, "qualitycheck", None)]
            if args.limit:
                runs.append(run_csc_bench(f, "qualitycheck", args.limit))
            runs.append(run_csc_bench(f, "pycorrector", args.limit))
        else:
            runs = [run_csc_bench(f, engine=args.engine, limit=args.limit)]
        for res in runs:
            print(json.dumps(res, ensure_ascii=False) if args.json else format_csc_report(res))
        if args.engine == "both":
            q, pc = runs[-2], runs[-1]
            print(f"  speed ratio qualitycheck / pycorrector on the same {pc['rows']} rows: "
                  f"{q['sentences_per_s'] / pc['sentences_per_s']:.0f}x")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
