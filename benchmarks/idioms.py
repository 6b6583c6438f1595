"""QC105 (idiom near misses) and QC102 (doubled characters): recall on real published idiom
misspellings, findings on clean official text and real pages, and the cost on a 5,000-character
article.

    python benchmarks/idioms.py [--shared ../shared/data] [--lm-corpus] [--repeat 20]

- recall: corpora/idioms/misspellings.tsv (dev: the lexicon builder's rules and the accepted
  list were tuned on it, so its figure is in-sample) and corpora/idioms/misspellings_more.tsv
  where present (never looked at while tuning: out of sample). Each pair is checked inside a
  neutral sentence; a hit counts when the span is the misspelling and the suggestion the idiom.
- the issue's examples (再接再励, 迫不急待, 按步就班, 美仑美奂, 我们的的工作还存在一些不足);
- clean official text: ../shared/data/csc/xxqg_neg/dev.jsonl (2,500 sentences), and with
  --lm-corpus every sentence of corpora/lm (laws, press conferences, State Council documents,
  work reports: ~600k sentences; the accepted list was tuned on its hits, so in-sample), each
  printed so a reader can tell a real error in the source from a false alarm;
- real pages: ../shared/data/pages/raw (hosts of HELD-OUT.tsv skipped) and tests/fixtures/pages,
  through `check page.html` and lint-site's page path;
- speed: `check` on a 5,000-character article, default configuration, with and without QC105.
Exit status 1 when an example of the issue is missed or a clean sentence or page of the issue's
sets (xxqg_neg dev, real pages) gets a QC105 finding.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from spam_text import article, interleaved_check_seconds, official_sentences, real_page_documents, real_pages  # noqa: E402

from qualitycheck.api import check_document  # noqa: E402
from qualitycheck.config import Config  # noqa: E402
from qualitycheck.extract.loader import document_from_bytes  # noqa: E402

ONLY = Config.from_dict({"select": ["QC105"]})
EXAMPLES = [
    ("我们要再接再励，争取更大成绩。", "QC105", "再接再励", "再接再厉"),
    ("群众迫不急待地想了解新政策。", "QC105", "迫不急待", "迫不及待"),
    ("各项工作按步就班推进。", "QC105", "按步就班", "按部就班"),
    ("新建的文化中心美仑美奂。", "QC105", "美仑美奂", "美轮美奂"),
    ("我们的的工作还存在一些不足。", "QC102", "的", ""),
]


def text_findings(text: str, config: Config = ONLY) -> list:
    return check_document(document_from_bytes(text.encode("utf-8"), "t.txt", kind="text"), config)


def recall(path: Path) -> tuple[int, int, list[str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    hit, missed = 0, []
    for wrong, right, *_ in rows:
        found = [f for f in text_findings(f"我们看到{wrong}的情况。") if f.code == "QC105"]
        if any(f.match == wrong and f.suggestions == [right] for f in found):
            hit += 1
        else:
            missed.append(f"{wrong}→{right}")
    return hit, len(rows), missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--lm-corpus", action="store_true", help="also scan the ~600k sentences of corpora/lm")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    bad = 0

    for name, part in (("misspellings.tsv", "dev, in-sample"), ("misspellings_more.tsv", "test, out of sample")):
        path = ROOT / "corpora" / "idioms" / name
        if not path.is_file():
            print(f"recall {name}: not present")
            continue
        hit, total, missed = recall(path)
        print(f"recall {name} ({part}): {hit}/{total} = {hit / total:.1%}")
        print(f"  missed: {' '.join(missed)}")

    cfg = Config.from_dict({"select": ["QC102", "QC105"]})
    for text, code, match, right in EXAMPLES:
        found = [f for f in text_findings(text, cfg) if f.code == code]
        ok = any(f.match == match and f.suggestions == [right] for f in found)
        bad += not ok
        print(f"example {text}: {'flagged' if ok else 'MISSED'} ({code} “{match}”→“{right}”)")

    xxqg = args.shared / "csc" / "xxqg_neg" / "dev.jsonl"
    sentences = [json.loads(line)["source"] for line in xxqg.read_text(encoding="utf-8").splitlines() if line.strip()]
    hits = [(s, f.match, f.suggestions) for s in sentences for f in text_findings(s)]
    bad += len(hits)
    print(f"xxqg_neg dev: {len(sentences)} sentences, QC105 findings {len(hits)}")
    for s, m, sug in hits:
        print(f"  {m}→{sug}: {s[:60]}")

    page_hits = Counter()
    for name, doc in real_page_documents(args.shared):
        for f in check_document(doc, ONLY):
            page_hits[(name, f.match, tuple(f.suggestions))] += 1
    bad += sum(page_hits.values())
    print(f"real pages: {len(real_pages(args.shared))} pages, two page paths each, QC105 findings {sum(page_hits.values())}")
    for (name, m, sug), n in page_hits.items():
        print(f"  {name}: {m}→{list(sug)} ×{n}")

    if args.lm_corpus:
        seen = found = 0
        for name, line in official_sentences():
            seen += 1
            for f in text_findings(line):
                found += 1
                print(f"  corpora/lm {name}: {f.match}→{f.suggestions}: {line[:70]}")
        print(f"corpora/lm: {seen} sentences, QC105 findings {found} (in-sample: the accepted list was tuned here)")

    text = article()
    full = Config.default()
    without = full.with_overrides(ignore=["QC105"])
    text_findings(text, full)  # warm: models, dictionaries

    a, b, only = interleaved_check_seconds(text, [full, without, ONLY], args.repeat)
    print(f"speed, {len(text)}-character article, median of {args.repeat}: check {a * 1000:.1f} ms, "
          f"without QC105 {b * 1000:.1f} ms, QC105 alone {only * 1000:.2f} ms ({(a - b) / b:+.1%} with it)")
    print("OK" if bad == 0 else f"FAIL: {bad}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
