#!/usr/bin/env python3
"""Precision of the typo engine's edits by confidence, on the CSC dev sets (character level).

Usage: python benchmarks/typo_confidence.py [FILE.jsonl ...]
       (default: the three dev sets under ../shared/data/csc)

`qualitycheck check` reports a language-model edit (QC103) only at or above
`typo.min_confidence`; this prints what each threshold would give: edits kept,
the share that are real typos with the right fix, and edits on clean sentences.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualitycheck.typo.engine import get_engine  # noqa: E402

DEFAULT = [ROOT.parent / "shared/data/csc" / p for p in ("sighan15/train.jsonl", "gen_xxqg/dev.jsonl", "xxqg_neg/dev.jsonl")]


def main(paths: list[Path]) -> None:
    engine = get_engine()
    edits = []  # (confidence, right fix?, set name, clean sentence?)
    for path in paths:
        name = path.parent.name
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            src, tgt = row["source"], row["target"]
            for e in engine.correct(src):
                ok = len(tgt) == len(src) and tgt[e.pos] == e.right
                edits.append((e.confidence, ok, name, src == tgt))
    print(f"{'threshold':>9} {'edits':>6} {'right':>7}  per set (right/wrong), edits on clean sentences")
    for th in (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        kept = [e for e in edits if e[0] >= th]
        right = sum(e[1] for e in kept)
        per = Counter((e[2], e[1]) for e in kept)
        sets = "  ".join(f"{n} {per[(n, True)]}/{per[(n, False)]}" for n in sorted({e[2] for e in edits}))
        clean = sum(1 for e in kept if e[3])
        print(f"{th:>9.2f} {len(kept):>6} {right / max(1, len(kept)):>7.1%}  {sets}  clean: {clean}")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or DEFAULT)
