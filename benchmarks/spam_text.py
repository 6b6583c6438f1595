"""QC505 (injected text): findings on the seed notice, false alarms on real pages and official
text, recall on spliced spam, and what the check costs `check` on a 5,000-character article.

    python benchmarks/spam_text.py [--shared ../shared/data] [--repeat 20]

- seed: ../shared/seed/*.txt through `check` (must report the spliced 365bet);
- real pages: every page of ../shared/data/pages/raw (pages of hosts in HELD-OUT.tsv skipped) and
  tests/fixtures/pages, through both page paths (`check page.html` and lint-site's read_page);
  every QC505 finding there is a false alarm;
- clean official sentences: ../shared/data/csc/xxqg_neg/{dev,train}.jsonl (those present), and all
  599,831 sentences of corpora/lm (laws, press conferences, State Council documents, work reports),
  each alone without its title (no on-topic help);
- negatives: corpora/injection/negatives.jsonl, real official paragraphs about gambling, lottery,
  porn, drugs, invoices (with their document's title, and once more without it);
- real spam: corpora/injection/positives-real.jsonl, lines of gambling and porn sites (Windsooon/cherry)
  spliced into official text, recall per half (dev: the term list was tuned on it; test: never);
  cherry's clean news lines count as false alarms;
- positives: corpora/injection/positives.jsonl, SYNTHETIC spam lines spliced into clean work-report
  text (see corpora/injection/build_sets.py), as plain text, as .docx, and in HTML pages (spliced
  into a paragraph, the headline, an image's alt text, a title attribute) through both page paths.
Exit status 1 when the seed is missed or any real text has a finding.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import statistics
import sys
import time
from collections import Counter
from html import escape
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualitycheck.api import check_document  # noqa: E402
from qualitycheck.config import Config  # noqa: E402
from qualitycheck.document import Document  # noqa: E402
from qualitycheck.extract.loader import document_from_bytes  # noqa: E402
from qualitycheck.extract.page import read_page  # noqa: E402
from qualitycheck.inspect import page_document  # noqa: E402

ONLY = Config.from_dict({"select": ["QC505"]})


def qc505(doc: Document) -> list:
    return [f for f in check_document(doc, ONLY) if f.code == "QC505"]


def text_doc(text: str) -> Document:
    return document_from_bytes(text.encode("utf-8"), "t.txt", kind="text")


def held_out(shared: Path) -> tuple[set[str], set[tuple[str, str]]]:
    hosts, origins = set(), set()
    path = shared / "pages" / "HELD-OUT.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("host\t"):
            continue
        cols = line.split("\t")
        hosts.add(cols[0].strip().lower())
        if len(cols) >= 3:
            origins.add((cols[1].strip(), cols[2].strip()))
    return hosts, origins


def real_pages(shared: Path) -> list[tuple[Path, str | None]]:
    hosts, origins = held_out(shared)
    manifest = {}
    with (shared / "pages" / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            manifest[row["file"]] = row
    pages = []
    for path in sorted((shared / "pages" / "raw").glob("*.htm*")):
        row = manifest.get(path.name, {})
        url = row.get("page_url") or None
        names = {(row.get("site") or "").lower(), (urlsplit(url).hostname or "").lower() if url else ""}
        names |= {part.lower() for part in path.name.split("_")[1:2]}
        if names & hosts or (row.get("origin_repo"), row.get("origin_path")) in origins:
            continue
        pages.append((path, url))
    pages += [(p, None) for p in sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.htm*"))]
    return pages


def policy_pages(shared: Path) -> list[str]:
    """The article HTML of the 60 State Council documents in the gov.cn sample (a MySQL dump):
    real government article markup, each wrapped into a page with its first line as headline."""
    out = []
    for path in sorted((shared / "corpora" / "govcn-policy-2019-sample").glob("*.sql")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"'(<tbody>.*?)'(?=, )", text, flags=re.S):
            body = m.group(1).replace("\\'", "'").replace("\\n", "\n").replace('\\"', '"')
            out.append(f"<html><head><title>国务院文件_中国政府网</title></head><body><div class='content'>{body}"
                       "</div></body></html>")
    return out


def both_paths(data: bytes, name: str, url: str | None) -> tuple[list, list]:
    checked = qc505(document_from_bytes(data, name, kind="html", url=url))
    linted = qc505(page_document(read_page(data, source=name, url=url)))
    return checked, linted


def jsonl(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def page_html(title: str, paras: list[str], *, headline_extra: str = "", attr: str = "", alt: str = "") -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    img = f'<p><img src="/a.jpg" alt="{escape(alt, quote=True)}"></p>' if alt else ""
    title_attr = f' title="{escape(attr, quote=True)}"' if attr else ""
    return (f"<html><head><title>{escape(title)}_某县人民政府</title></head><body><div class='nav'><a href='/'>首页</a>"
            f"<a href='/tzgg/'>通知公告</a></div><h1>{escape(title + headline_extra)}</h1>"
            f"<div class='info'>发布时间：2024-09-01 来源：县政府办</div><div class='content'{title_attr}>{body}{img}</div>"
            f"<div class='footer'>主办单位：某县人民政府办公室</div></body></html>")


def docx_bytes(title: str, paras: list[str]) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(title, style="Title")
    for p in paras:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def article(chars: int = 5000) -> str:
    rows = jsonl(ROOT / "corpora" / "injection" / "positives.jsonl")
    out, n = ["关于做好当前重点工作的通知"], 0
    for r in rows:
        for line in r["text"].split("\n"):
            if line != r["spam"] and line not in out and r["spam"] not in line:
                out.append(line)
                n += len(line)
        if n >= chars:
            break
    return "\n".join(out)[:chars]


def official_sentences() -> Iterator[tuple[str, str]]:
    """(file name, sentence) for every non-empty line of corpora/lm (~600k official sentences)."""
    import gzip

    for path in sorted((ROOT / "corpora" / "lm").glob("*.txt.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if line:
                    yield path.name, line


def real_page_documents(shared: Path) -> Iterator[tuple[str, object]]:
    """(file name, Document) for each real page through both page paths: `check page.html` and
    lint-site's page reader."""
    from qualitycheck.extract.page import read_page
    from qualitycheck.inspect import page_document

    for path, url in real_pages(shared):
        data = path.read_bytes()
        yield path.name, document_from_bytes(data, path.name, kind="html", url=url)
        yield path.name, page_document(read_page(data, source=path.name, url=url))


def interleaved_check_seconds(text: str, configs: list[Config], repeat: int) -> list[float]:
    """Median check_document time of each configuration, the runs of all of them taken in turn so
    that the machine's and the heap's drift is shared (a benchmark that first scanned 600k
    sentences has a large heap: timed one after the other, the first configuration pays for it)."""
    import gc

    gc.collect()
    runs: list[list[float]] = [[] for _ in configs]
    for _ in range(repeat):
        for i, config in enumerate(configs):
            runs[i].append(median_check_seconds(text, config, 1))
    return [statistics.median(r) for r in runs]


def median_check_seconds(text: str, config: Config, repeat: int) -> float:
    """Median time of check_document on ``text`` as a plain-text document (parsing not timed)."""
    runs = []
    for _ in range(repeat):
        doc = document_from_bytes(text.encode("utf-8"), "a.txt", kind="text")
        start = time.perf_counter()
        check_document(doc, config)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--seed", type=Path, default=ROOT.parent / "shared" / "seed")
    ap.add_argument("--repeat", type=int, default=20, help="runs of the speed measurement")
    ap.add_argument("--html-positives", type=int, default=100, help="positives placed into HTML and .docx")
    args = ap.parse_args(argv)
    bad = 0

    # seed notice
    for path in sorted(args.seed.glob("*.txt")):
        found = qc505(document_from_bytes(path.read_bytes(), str(path)))
        terms = [f.match for f in found]
        print(f"seed {path.name}: {len(found)} QC505 finding(s) {terms}")
        if not any("365bet" in t.lower() for t in terms):
            print("  MISSED the spliced 365bet")
            bad += 1

    # real pages, both page paths
    pages = real_pages(args.shared)
    n_check = n_lint = 0
    t0 = time.perf_counter()
    for path, url in pages:
        checked, linted = both_paths(path.read_bytes(), path.name, url)
        n_check += len(checked)
        n_lint += len(linted)
        for f in checked + linted:
            print(f"  false alarm {path.name}: {f.match} | {f.message[:100]}")
    print(f"real pages (held-out hosts skipped): {len(pages)} pages; QC505 findings: check {n_check}, "
          f"lint-site {n_lint}  ({time.perf_counter() - t0:.1f} s)")
    # what reading alt and title attributes adds to the page reader
    from qualitycheck.extract.attrs import attribute_texts
    from qualitycheck.extract.view import parse_tree

    read = attrs = 0.0
    for path, url in pages:
        data = path.read_bytes()
        t = time.perf_counter()
        read_page(data, source=path.name, url=url)
        read += time.perf_counter() - t
        tree = parse_tree(data.decode("utf-8", errors="replace"), path.name)
        t = time.perf_counter()
        attribute_texts(tree)
        attrs += time.perf_counter() - t
    print(f"  read_page {read / len(pages) * 1000:.1f} ms/page, of which alt/title attributes "
          f"{attrs / len(pages) * 1000:.2f} ms ({attrs / read:.2%})")
    bad += n_check + n_lint
    policy = policy_pages(args.shared)
    found = [both_paths(h.encode("utf-8"), "policy.html", "http://www.gov.cn/zhengce/content/1.htm") for h in policy]
    n_c, n_l = sum(len(c) for c, _ in found), sum(len(l) for _, l in found)
    print(f"gov.cn State Council document pages: {len(policy)}; QC505 findings: check {n_c}, lint-site {n_l}")
    bad += n_c + n_l

    # clean official sentences
    for split in ("dev", "train"):
        path = args.shared / "csc" / "xxqg_neg" / f"{split}.jsonl"
        if not path.exists():
            print(f"xxqg_neg {split}: not present")
            continue
        rows = jsonl(path)
        flagged = [r for r in rows if qc505(text_doc(r["source"]))]
        print(f"xxqg_neg {split}: {len(rows)} sentences; with a QC505 finding: {len(flagged)}")
        bad += len(flagged)

    # negatives: real official paragraphs that discuss the subjects
    rows = jsonl(ROOT / "corpora" / "injection" / "negatives.jsonl")
    with_title = [r for r in rows if qc505(text_doc(r["title"] + "\n" + r["text"]))]
    alone = [r for r in rows if qc505(text_doc(r["text"]))]
    print(f"negatives: {len(rows)} real paragraphs; flagged with their title: {len(with_title)}; "
          f"flagged without it (paragraph alone, stricter): {len(alone)}")
    for r in with_title[:10] + alone[:10]:
        print(f"  false alarm {r['id']}: {r['text'][:80]}")
    bad += len(with_title)

    # every sentence of the language-model corpus (laws, press conferences, State Council documents,
    # work reports), each alone, without its document's title: the strictest clean test
    import gzip

    from qualitycheck.checks.spam_text import spam_lexicon

    lex = spam_lexicon()
    n_sent, raw_hits = 0, Counter()
    t = time.perf_counter()
    for path in sorted((ROOT / "corpora" / "lm").glob("*.txt.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                n_sent += 1
                for h in lex.hits(line, on_topic=False):
                    raw_hits[(h.rule.id, h.term)] += 1
    print(f"official sentences (corpora/lm), each alone and without its title: {n_sent}; term hits: "
          f"{sum(raw_hits.values())} {dict(raw_hits.most_common(5))}  ({time.perf_counter() - t:.1f} s)")
    bad += sum(raw_hits.values())

    # clean news lines of the cherry data set (its normal class)
    normal = [l.strip() for l in (ROOT / "corpora" / "injection" / "cherry" / "normal.dat").read_text(encoding="utf-8").splitlines()
              if l.strip()]
    flagged = [l for l in normal if qc505(text_doc(l))]
    print(f"news lines (cherry normal.dat): {len(normal)}; with a QC505 finding: {len(flagged)}")
    bad += len(flagged)

    # positives: REAL spam lines spliced into official text (dev half may be tuned on, test half not)
    real = jsonl(ROOT / "corpora" / "injection" / "positives-real.jsonl")
    for split in ("dev", "test"):
        for kind in ("赌博", "色情"):
            rs = [r for r in real if r["split"] == split and r["kind"] == kind]
            got = sum(bool(qc505(text_doc(r["title"] + "\n" + r["text"]))) for r in rs)
            print(f"positives (real spam lines, {kind}, {split} half): recall {got}/{len(rs)} = {got / len(rs):.1%}")

    # positives (synthetic)
    pos = jsonl(ROOT / "corpora" / "injection" / "positives.jsonl")
    hits = [r for r in pos if qc505(text_doc(r["title"] + "\n" + r["text"]))]
    sev = Counter(f.severity for r in pos for f in qc505(text_doc(r["title"] + "\n" + r["text"])))
    print(f"positives (synthetic, plain text): recall {len(hits)}/{len(pos)} = {len(hits) / len(pos):.1%}; "
          f"finding severities {dict(sev)}")
    missed = [r["spam"] for r in pos if r not in hits]
    for s in sorted(set(missed))[:10]:
        print(f"  missed: {s}")
    sample = pos[: args.html_positives]
    placements = {
        "paragraph": lambda r: page_html(r["title"], r["text"].split("\n")),
        "headline": lambda r: page_html(r["title"], [l for l in r["text"].split("\n") if r["spam"] not in l] or ["。"],
                                        headline_extra=r["spam"]),
        "img alt": lambda r: page_html(r["title"], [l for l in r["text"].split("\n") if r["spam"] not in l], alt=r["spam"]),
        "title attribute": lambda r: page_html(r["title"], [l for l in r["text"].split("\n") if r["spam"] not in l],
                                               attr=r["spam"]),
    }
    for name, make in placements.items():
        got_c = got_l = 0
        for r in sample:
            checked, linted = both_paths(make(r).encode("utf-8"), "p.html", "http://www.example.gov.cn/art/1.html")
            got_c += bool(checked)
            got_l += bool(linted)
        print(f"positives in HTML, {name}: recall check {got_c}/{len(sample)}, lint-site {got_l}/{len(sample)}")
    got = sum(bool(qc505(document_from_bytes(docx_bytes(r["title"], r["text"].split("\n")), "p.docx"))) for r in sample)
    print(f"positives as .docx: recall {got}/{len(sample)}")

    # speed on a 5,000-character article (the default configuration, language model included)
    text = article()
    full = Config.default()
    without = full.with_overrides(ignore=["QC505"])
    check_document(document_from_bytes(text.encode(), "a.txt", kind="text"), full)  # warm: models, dictionaries

    a, b, only = (median_check_seconds(text, cfg, args.repeat) for cfg in (full, without, ONLY))
    print(f"speed, {len(text)}-character article, median of {args.repeat}: check {a * 1000:.1f} ms, "
          f"without QC505 {b * 1000:.1f} ms, QC505 alone {only * 1000:.2f} ms "
          f"({only / a:.2%} of the check)")
    print("OK" if bad == 0 else f"FAIL: {bad}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
