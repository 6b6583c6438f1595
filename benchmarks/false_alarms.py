"""False-alarm rate of the dictionary checks (QC1xx + QC2xx) on clean official sentences.

Every sentence in the input is error-free official prose, so every sentence with a finding is a
false alarm. The target is at most 0.5 % of sentences flagged.

    python benchmarks/false_alarms.py [PATH.jsonl] [--with-lm] [--max-rate 0.005]

PATH defaults to ../shared/data/csc/xxqg_neg/dev.jsonl (2,500 sentences, the `source` field of
each JSON line; Apache-2.0, yongzhuo/macro-correct). QC103, the language-model typo engine, is
left out unless --with-lm is given. Tune rules on this file only by disabling or tightening them,
never by special-casing a sentence, and never build a rule from it.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "csc" / "xxqg_neg" / "dev.jsonl"


def sentences(path: Path) -> list[str]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out.append(row.get("source") or row.get("text") or "")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT, help="JSON Lines with a `source` field")
    ap.add_argument("--with-lm", action="store_true", help="also run QC103 (language-model typo engine)")
    ap.add_argument("--max-rate", type=float, default=0.005, help="exit 1 above this rate (default 0.005)")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from qualitycheck import check_text

    ignore = [] if args.with_lm else ["QC103"]
    texts = sentences(args.path)
    flagged: list[tuple[int, str, list]] = []
    by_rule: collections.Counter[str] = collections.Counter()
    t0 = time.perf_counter()
    for i, text in enumerate(texts):
        findings = check_text(text, select=["QC1", "QC2"], ignore=ignore)
        if findings:
            flagged.append((i, text, findings))
            for f in findings:
                by_rule[f"{f.code} {f.rule_id or ''}".strip()] += 1
    seconds = time.perf_counter() - t0

    rate = len(flagged) / len(texts) if texts else 0.0
    print(f"file: {args.path}")
    print(f"checks: QC1xx + QC2xx{'' if args.with_lm else ' (without QC103)'}")
    print(f"sentences: {len(texts)}  flagged: {len(flagged)}  rate: {rate:.2%}  "
          f"target: <= {args.max_rate:.2%}  ({seconds:.1f} s)")
    if by_rule:
        print("\nfindings by rule:")
        for rule, n in by_rule.most_common():
            print(f"  {n:4d}  {rule}")
    if flagged:
        print("\nflagged sentences:")
        for i, text, findings in flagged:
            marks = "; ".join(f"{f.code} {f.rule_id or ''} “{f.match}”".replace("  ", " ") for f in findings)
            print(f"  [{i}] {text}\n        {marks}")
    return 0 if rate <= args.max_rate else 1


if __name__ == "__main__":
    sys.exit(main())
