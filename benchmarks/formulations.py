"""The serious-error layer: QC106 (misspelled 提法) and QC104 (leaders' names): the issue's
examples, findings on clean official text and real pages, hits on the synthetic errors of
gen_xxqg/dev, and the cost on a 5,000-character article.

    python benchmarks/formulations.py [--shared ../shared/data] [--no-lm-corpus] [--repeat 20]

- examples: the serious errors named by the typo-engine issue, through the default `check`
  (中国特色社会注意, 两个卫护, 习习近平 by QC106/QC104; 常态化监官, 合各率 by QC103);
- clean official text: every sentence of corpora/lm (laws, press conferences, State Council
  documents, work reports: ~600k sentences; the edge guards were tuned on its hits, so this is
  in-sample) and ../shared/data/csc/xxqg_neg/dev.jsonl; every finding is printed so a reader can
  tell a typo in the source from a false alarm;
- real pages: ../shared/data/pages/raw (hosts of HELD-OUT.tsv skipped) and tests/fixtures/pages;
- gen_xxqg/dev: how many of its 5,000 noisy sentences get a QC104/QC106 finding, and how many of
  those findings the target sentence confirms (its text at the span is the suggestion);
- speed: `check` on a 5,000-character article with and without QC104 and QC106.
Exit status 1 when an example is missed or a sentence of xxqg_neg dev or a real page is flagged.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from spam_text import article, interleaved_check_seconds, official_sentences, real_page_documents, real_pages  # noqa: E402

from qualitycheck.api import check_document  # noqa: E402
from qualitycheck.config import Config  # noqa: E402
from qualitycheck.extract.loader import document_from_bytes  # noqa: E402

SERIOUS = Config.from_dict({"select": ["QC104", "QC106"]})
EXAMPLES = [
    ("坚持和发展中国特色社会注意。", "QC106", "中国特色社会注意", "中国特色社会主义"),
    ("全体党员要坚决做到两个卫护。", "QC106", "两个卫护", "两个维护"),
    ("深入学习习习近平总书记重要讲话精神。", "QC104", "习习近平", "习近平"),
    ("推进常态化监官工作。", "QC103", "官", "管"),
    ("产品抽检合各率达到98%。", "QC103", "各", "格"),
]


def findings(text: str, config: Config = SERIOUS) -> list:
    return check_document(document_from_bytes(text.encode("utf-8"), "t.txt", kind="text"), config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--no-lm-corpus", action="store_true", help="skip the ~600k sentences of corpora/lm (~30 s)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    bad = 0

    default = Config.default()
    for text, code, match, right in EXAMPLES:
        ok = any(f.code == code and f.match == match and f.suggestions == [right] for f in findings(text, default))
        bad += not ok
        print(f"example {text}: {'flagged' if ok else 'MISSED'} ({code} “{match}”→“{right}”)")

    if not args.no_lm_corpus:
        seen = found = 0
        for name, line in official_sentences():
            seen += 1
            for f in findings(line):
                found += 1
                print(f"  corpora/lm {name}: {f.code} {f.match}→{f.suggestions}: {line[:70]}")
        print(f"corpora/lm: {seen} sentences, QC104/QC106 findings {found} (in-sample: the guards were tuned here)")

    def rows(name: str) -> list[dict]:
        path = args.shared / "csc" / name
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    clean = rows("xxqg_neg/dev.jsonl")
    hits = [(r["source"], f) for r in clean for f in findings(r["source"])]
    bad += len(hits)
    print(f"xxqg_neg dev: {len(clean)} sentences, QC104/QC106 findings {len(hits)}")
    for s, f in hits:
        print(f"  {f.code} {f.match}→{f.suggestions}: {s[:60]}")

    page_hits = [(name, f) for name, doc in real_page_documents(args.shared) for f in check_document(doc, SERIOUS)]
    bad += len(page_hits)
    print(f"real pages: {len(real_pages(args.shared))} pages, two page paths each, QC104/QC106 findings {len(page_hits)}")
    for name, f in page_hits:
        print(f"  {name}: {f.code} {f.match}→{f.suggestions}")

    noisy = rows("gen_xxqg/dev.jsonl")
    flagged = confirmed = total = 0
    for r in noisy:
        found = findings(r["source"])
        flagged += bool(found)
        for f in found:
            total += 1
            fixed = r["source"][:f.span.start] + f.suggestions[0] + r["source"][f.span.end:]
            confirmed += fixed[f.span.start:f.span.start + len(f.suggestions[0])] == \
                r["target"][f.span.start:f.span.start + len(f.suggestions[0])]
    print(f"gen_xxqg dev: {len(noisy)} sentences, {flagged} with a QC104/QC106 finding; "
          f"{confirmed}/{total} findings confirmed by the target sentence")

    text = article()
    without = default.with_overrides(ignore=["QC104", "QC106"])
    findings(text, default)  # warm: models, dictionaries
    a, b = interleaved_check_seconds(text, [default, without], args.repeat)
    print(f"speed, {len(text)}-character article, median of {args.repeat}: check {a * 1000:.1f} ms, "
          f"without QC104/QC106 {b * 1000:.1f} ms ({(a - b) / b:+.1%} with them)")
    print("OK" if bad == 0 else f"FAIL: {bad}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
