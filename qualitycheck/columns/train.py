"""Train the column-type classifier and measure it against the keyword baseline.

    python -m qualitycheck.columns.train            # train, evaluate, write models/columns/
    python -m qualitycheck.columns.train --check    # evaluate only, write nothing

Data: ``corpora/columns/*.tsv`` (``name<TAB>label<TAB>source``; ``#`` lines are comments).
Rows from ``real.tsv`` and ``github.tsv`` are real column names seen on government pages; a
stratified 30 % of their distinct names is held out for testing.  ``vocab.tsv`` (column-like
words from the 公文写作 vocabulary) is used for training only.

The method shipped (``model``, ``rules`` or ``hybrid``) is the one with the best macro-F1 in
5-fold cross-validation on the training split; the held-out numbers of all three are reported
in ``models/columns/CARD.md`` and ``models/columns/metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..paths import CORPORA_DIR, MODELS_DIR
from .types import TYPES, TypeModel, keyword_type, normalize_name

DATA_DIR = CORPORA_DIR / "columns"
OUT_DIR = MODELS_DIR / "columns"
SEED = 20240917
TEST_SHARE = 0.3
EVAL_FILES = ("real.tsv", "github.tsv")
C_GRID = (3.0, 10.0, 30.0)
THRESHOLDS = (0.0, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    source: str
    file: str


def load_rows(folder: Path = DATA_DIR) -> list[Row]:
    """Every labelled row; a name labelled twice must carry the same label."""
    rows: list[Row] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.tsv")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 2 or cols[1] not in TYPES:
                raise ValueError(f"{path.name}:{n}: expected name<TAB>label with label in {TYPES}")
            name = normalize_name(cols[0])
            if not name:
                continue
            if name in seen and seen[name] != cols[1]:
                raise ValueError(f"{path.name}:{n}: {name} labelled {cols[1]}, elsewhere {seen[name]}")
            seen[name] = cols[1]
            rows.append(Row(name, cols[1], cols[2] if len(cols) > 2 else "", path.name))
    return rows


def split(rows: list[Row], seed: int = SEED, test_share: float = TEST_SHARE) -> tuple[list[Row], list[Row]]:
    """Stratified split of the distinct real names; vocabulary rows only train.

    Returns (train, test) with one row per distinct name; a vocabulary row whose name is in
    the test split is dropped from training.
    """
    real: dict[str, Row] = {}
    extra: dict[str, Row] = {}
    for r in rows:
        target = real if r.file in EVAL_FILES else extra
        target.setdefault(r.name, r)
    rng = random.Random(seed)
    by_label: dict[str, list[Row]] = {}
    for r in sorted(real.values(), key=lambda r: r.name):
        by_label.setdefault(r.label, []).append(r)
    train: list[Row] = []
    test: list[Row] = []
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        k = max(1, round(len(group) * test_share)) if len(group) > 1 else 0
        test.extend(group[:k])
        train.extend(group[k:])
    test_names = {r.name for r in test}
    train_names = {r.name for r in train}
    train.extend(r for name, r in extra.items() if name not in test_names and name not in train_names)
    return train, test


# A reference baseline that could not have seen the labelled rows: only the words the inspection
# criteria themselves use for each column kind (../shared/research/inspection-rules.md §2-3).
CRITERIA_RULES = (
    ("interaction", re.compile(r"互动|咨询|留言|访谈|征集|信访|举报")),
    ("plan", re.compile(r"人事|规划|计划")),
    ("news", re.compile(r"要闻|动态|工作进展")),
    ("notice", re.compile(r"通知|公告|公示|政策|规范性文件")),
)


def criteria_type(name: str) -> str:
    for label, pattern in CRITERIA_RULES:
        if pattern.search(name):
            return label
    return "other"


def make_pipeline(c: float = 10.0):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)),
        ("clf", LogisticRegression(C=c, class_weight="balanced", max_iter=5000)),
    ])


def scores(gold: list[str], pred: list[str]) -> dict:
    """Per-class precision/recall/F1/support, macro-F1 and accuracy."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=list(TYPES), zero_division=0)
    per = {t: {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3),
               "f1": round(float(f[i]), 3), "support": int(s[i])} for i, t in enumerate(TYPES)}
    present = [t for t in TYPES if per[t]["support"] > 0]
    macro = sum(per[t]["f1"] for t in present) / max(1, len(present))
    timed = [t for t in ("news", "notice", "plan") if per[t]["support"] > 0]
    return {
        "per_class": per,
        "macro_f1": round(macro, 3),
        "timed_macro_f1": round(sum(per[t]["f1"] for t in timed) / max(1, len(timed)), 3),
        "accuracy": round(float(accuracy_score(gold, pred)), 3),
        "n": len(gold),
    }


def predict(method: str, pipeline, names: list[str], threshold: float = 0.0) -> list[str]:
    return TypeModel(pipeline, method, "", {}, threshold).predict(names)


def cross_validate(train: list[Row], folds: int = 5) -> dict[str, float]:
    """Mean macro-F1 of each (method, C) over stratified folds of the training split."""
    from sklearn.model_selection import StratifiedKFold

    names = [r.name for r in train]
    labels = [r.label for r in train]
    min_count = min(Counter(labels).values())
    skf = StratifiedKFold(n_splits=min(folds, max(2, min_count)), shuffle=True, random_state=SEED)
    results: dict[str, list[float]] = {}
    for tr, va in skf.split(names, labels):
        gold = [labels[i] for i in va]
        va_names = [names[i] for i in va]
        results.setdefault("rules", []).append(scores(gold, [keyword_type(n) for n in va_names])["macro_f1"])
        for c in C_GRID:
            pipe = make_pipeline(c).fit([names[i] for i in tr], [labels[i] for i in tr])
            results.setdefault(f"model@C={c:g}", []).append(scores(gold, predict("model", pipe, va_names))["macro_f1"])
            for th in THRESHOLDS:
                results.setdefault(f"hybrid@C={c:g}@p={th:g}", []).append(
                    scores(gold, predict("hybrid", pipe, va_names, th))["macro_f1"]
                )
    return {k: round(sum(v) / len(v), 3) for k, v in results.items()}


def _table(result: dict) -> str:
    lines = ["| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for t in TYPES:
        s = result["per_class"][t]
        lines.append(f"| {t} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |")
    lines.append(f"| **macro** | | | **{result['macro_f1']:.3f}** | {result['n']} |")
    lines.append(f"\naccuracy {result['accuracy']:.3f}; macro-F1 over the timed types "
                 f"(news, notice, plan) {result['timed_macro_f1']:.3f}")
    return "\n".join(lines)


def run(write: bool = True) -> dict:
    import sklearn

    rows = load_rows()
    train, test = split(rows)
    cv = cross_validate(train)
    # The best learned candidate in cross-validation on the training split.
    learned_key = max((k for k in cv if k != "rules"), key=lambda k: cv[k])
    learned_method, *params = learned_key.split("@")
    settings = dict(p.split("=") for p in params)
    best_c = float(settings["C"])
    hy_candidates = {k: v for k, v in cv.items() if k.startswith(f"hybrid@C={best_c:g}@")}
    hy_threshold = float(max(hy_candidates, key=hy_candidates.get).rpartition("@p=")[2])
    pipe = make_pipeline(best_c).fit([r.name for r in train], [r.label for r in train])
    test_names = [r.name for r in test]
    gold = [r.label for r in test]
    held_out = {
        "criteria_words": scores(gold, [criteria_type(n) for n in test_names]),
        "rules": scores(gold, [keyword_type(n) for n in test_names]),
        "model": scores(gold, predict("model", pipe, test_names)),
        "hybrid": scores(gold, predict("hybrid", pipe, test_names, hy_threshold)),
    }
    errors = {
        m: [(n, g, p) for n, g, p in zip(test_names, gold, predict(m, pipe, test_names, hy_threshold)) if g != p]
        for m in ("rules", "model", "hybrid")
    }
    # Learning is shipped only where it beats the keyword rules both in cross-validation on the
    # training split and on the held-out split; otherwise the simpler rules are used.
    learned_wins = (
        cv[learned_key] > cv["rules"]
        and held_out[learned_method]["macro_f1"] > held_out["rules"]["macro_f1"]
    )
    shipped = learned_method if learned_wins else "rules"
    metrics = {
        "sklearn_version": sklearn.__version__,
        "seed": SEED,
        "train_rows": len(train),
        "test_rows": len(test),
        "train_labels": dict(Counter(r.label for r in train)),
        "test_labels": dict(Counter(gold)),
        "cv_macro_f1": cv,
        "learned_candidate": {"method": learned_method, "C": best_c, "cv_key": learned_key},
        "hybrid_threshold": hy_threshold,
        "shipped": shipped,
        "held_out": held_out,
        "held_out_errors": {m: [list(e) for e in errs] for m, errs in errors.items()},
    }
    if write:
        import joblib

        OUT_DIR.mkdir(parents=True, exist_ok=True)
        # The learned model is fitted on every labelled row with the chosen settings; the
        # held-out numbers come from the train-only fit, shipped too so they can be re-measured.
        all_rows: dict[str, Row] = {}
        for r in rows:
            all_rows.setdefault(r.name, r)
        final = make_pipeline(best_c).fit([r.name for r in all_rows.values()], [r.label for r in all_rows.values()])
        for fname, pipeline, n_rows in (
            ("column_type.joblib", final, len(all_rows)),
            ("column_type.heldout.joblib", pipe, len(train)),
        ):
            joblib.dump(
                {"pipeline": pipeline, "method": learned_method, "sklearn_version": sklearn.__version__,
                 "threshold": hy_threshold, "meta": {"C": best_c, "rows": n_rows, "seed": SEED}},
                OUT_DIR / fname, compress=3,
            )
        (OUT_DIR / "model.json").write_text(json.dumps({
            "method": shipped,
            "learned_method": learned_method,
            "threshold": hy_threshold,
            "model_file": "column_type.joblib",
            "sklearn_version": sklearn.__version__,
        }, indent=1) + "\n", encoding="utf-8")
        (OUT_DIR / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
        write_card(metrics)
    return metrics


def write_card(m: dict) -> None:
    size = (OUT_DIR / "column_type.joblib").stat().st_size
    ho = m["held_out"]
    errs = "\n".join(
        f"- {m_}: " + ", ".join(f"{n} ({g}→{p})" for n, g, p in m["held_out_errors"][m_]) for m_ in ("rules", "hybrid", "model")
    )
    card = f"""# Column-type classifier (models/columns/)

Generated by `python -m qualitycheck.columns.train` (scikit-learn {m['sklearn_version']}); do not edit by hand.

**What it does.** Maps a column (栏目) name to one of `news` (动态要闻类, 14 days), `notice`
(通知公告·政策文件类, 6 months), `plan` (人事·规划计划类, 1 year), `interaction` (互动交流类)
or `other`. The type decides which update period QC302 applies. When the name says nothing
(`other`, or no name) and most item titles are document titles (…的通知, …办法) or personnel /
plan titles, a small title rule (`type_from_titles`) decides instead; that rule is not part of
the numbers below.

**Data.** `corpora/columns/` (provenance in `corpora/SOURCES.md`): real column names
from the navigation, list headings and `<meta name="ColumnName">` of the 67 real pages in
`../shared/data/pages/raw` (`real.tsv`) and from government navigation menus in public GitHub files
(`github.tsv`), plus column-like words from the 公文写作 vocabulary (`vocab.tsv`, training only).
Every row was labelled by hand. Distinct names: train {m['train_rows']} {m['train_labels']}, held-out
{m['test_rows']} {m['test_labels']} (stratified {int(TEST_SHARE * 100)} % of the real names, seed {m['seed']}).

**Model.** Character 1-3-gram TF-IDF (sublinear tf) + logistic regression (class_weight=balanced).
C, the learned method (`model` alone, or `hybrid` = the keyword rule where one of its words
occurs, otherwise the model when its probability is at least a threshold, otherwise `other`) and
the threshold were chosen by 5-fold cross-validation on the training split only (macro-F1:
`{json.dumps(m['cv_macro_f1'], ensure_ascii=False)}`). Best learned candidate:
`{m['learned_candidate']['cv_key']}`.

**Shipped method: `{m['shipped']}`.** Learning is shipped only when it beats the keyword rules
both in that cross-validation and on the held-out split; otherwise `classify` uses the rules
(`models/columns/model.json` records the choice, and scikit-learn is then not even imported).
`column_type.joblib` ({size / 1024:.0f} KB) is the learned candidate refitted on all labelled rows;
`column_type.heldout.joblib` is the train-only fit the numbers below come from.

## Held-out results ({m['test_rows']} real names never seen in training)

### Keyword baseline (`keyword_type`, shipped)
{_table(ho['rules'])}

### Reference: only the words the criteria use (要闻/动态/工作进展, 通知/公告/公示/政策/规范性文件, 人事/规划/计划, 互动/咨询/留言/访谈/征集/信访/举报)
{_table(ho['criteria_words'])}

### Learned model alone
{_table(ho['model'])}

### Hybrid (rules; the model where no keyword matches and it is confident)
{_table(ho['hybrid'])}

Held-out errors:
{errs}

## Caveats

- The held-out set is small (the `plan` class has only a handful of real names), so one name
  moves a class F1 by a lot; read the per-class numbers as rough.
- The keyword list was written by the same person who labelled the rows, after seeing all of
  them (held-out included), so the baseline's held-out numbers flatter it; the "criteria words"
  reference above could not have seen them and shows the floor a naive rule gets. The model's
  settings were chosen on the training split only.
- Labels follow the inspection criteria's column kinds, not page layout: 政策解读 and
  政府采购 are counted as `notice`, 工作进展 / 会议 news as `news`, 财政预决算 / 统计数据 /
  专题 as `other`. See corpora/SOURCES.md for the labelling guide.
"""
    (OUT_DIR / "CARD.md").write_text(card, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m qualitycheck.columns.train", description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="evaluate only; write nothing")
    args = ap.parse_args(argv)
    m = run(write=not args.check)
    print(f"train {m['train_rows']}  held-out {m['test_rows']}  learned candidate {m['learned_candidate']}  "
          f"shipped: {m['shipped']}")
    print("cv macro-F1:", m["cv_macro_f1"])
    for method, res in m["held_out"].items():
        per = "  ".join(f"{t}:{res['per_class'][t]['f1']:.2f}" for t in TYPES)
        print(f"held-out {method:6s} macro-F1 {res['macro_f1']:.3f}  acc {res['accuracy']:.3f}  {per}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
