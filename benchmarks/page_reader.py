"""Page reader: accuracy against hand labels and speed, with anchors measured in the same run.

    python benchmarks/page_reader.py                    # the copied fixtures (tests/fixtures/pages)
    python benchmarks/page_reader.py --pages DIR        # any folder with labels.jsonl + the pages
    python benchmarks/page_reader.py --no-anchors -v    # skip trafilatura; print every miss

Accuracy (labels as defined in tests/fixtures/pages/LABELS.md):
  kind, title and published exact (title whitespace-insensitive), source exact,
  body start/end (first/last 20 characters, whitespace deleted on both sides),
  marks exact per field and all six fields together,
  lists: every labelled block found (same heading, else same newest date and overlapping
  items) with the same newest date; extra blocks we report are counted separately,
  suspicious links: none on these clean pages.
Speed, one core, pages read from memory, each timed as the best of --repeat runs:
  read_page(with_body=False) – what site linting needs for list/home pages,
  read_page(with_body=True), and without body on the government pages only (no NON-GOV portals),
  (unless --no-anchors) trafilatura's own title/date/body accuracy on the same labels,
  anchors: lxml.html.document_fromstring alone, trafilatura.bare_extraction(with_metadata=True)
  and trafilatura fast mode (fast=True, no metadata).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualitycheck.extract.encoding import decode  # noqa: E402
from qualitycheck.extract.page import read_page  # noqa: E402

MARK_FIELDS = ("site_code", "icp", "psb", "conac", "jiucuo", "meta_site_code")


def compact(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


def load(pages_dir: Path):
    labels = [json.loads(l) for l in (pages_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    out = []
    for lab in labels:
        path = pages_dir / lab["file"]
        if not path.exists():
            path = pages_dir / "raw" / lab["file"]
        out.append((lab, path.read_bytes()))
    return out


def match_list(want: dict, got: list) -> object | None:
    heading = compact(want.get("heading"))
    for b in got:
        if heading and compact(b.heading) == heading:
            return b
    newest = want.get("newest")
    for b in got:
        if newest and b.newest and b.newest.isoformat() == newest and abs(len(b.items) - want["n_items"]) <= max(3, want["n_items"] // 2):
            return b
    if not heading:
        for b in got:
            if not b.heading and abs(len(b.items) - want["n_items"]) <= max(3, want["n_items"] // 3):
                return b
    # same size and about as many dated items (headings that are tabs or page titles)
    for b in got:
        if abs(len(b.items) - want["n_items"]) <= max(2, want["n_items"] // 5) and abs(want["n_dated"] - b.n_dated) <= max(2, want["n_dated"] // 5):
            return b
    return None


def score(pages, verbose: bool = False) -> dict:
    n = len(pages)
    ok = {k: 0 for k in ("kind", "title", "published", "source", "body_start", "body_end", "marks_all", "no_suspicious")}
    mark_ok = {f: 0 for f in MARK_FIELDS}
    lists_total = lists_found = lists_newest = lists_oldest = 0
    extra_lists = 0
    body_n = 0
    misses: list[str] = []
    for lab, data in pages:
        page = read_page(data, lab["file"])
        f = lab["file"][:3]
        got = {
            "kind": page.kind,
            "title": compact(page.title) or None,
            "published": page.published.isoformat() if page.published else None,
            "source": page.source_line,
        }
        want = {"kind": lab["kind"], "title": compact(lab["title"]) or None, "published": lab["published"], "source": lab["source"]}
        for k in ("kind", "title", "published", "source"):
            if got[k] == want[k]:
                ok[k] += 1
            else:
                misses.append(f"{f} {k}: got {got[k]!r} want {want[k]!r}")
        body = compact(page.body)
        if lab["body_start"]:
            body_n += 1
            bs, be = compact(lab["body_start"]), compact(lab["body_end"])
            if body.startswith(bs):
                ok["body_start"] += 1
            else:
                misses.append(f"{f} body_start: got {body[:20]!r} want {bs!r}")
            if body.endswith(be):
                ok["body_end"] += 1
            else:
                misses.append(f"{f} body_end: got {body[-20:]!r} want {be!r}")
        elif lab["kind"] == "article":
            body_n += 1
            if len(body) <= 30:
                ok["body_start"] += 1
                ok["body_end"] += 1
            else:
                misses.append(f"{f} body: got {body[:20]!r}…{body[-20:]!r} want no body")
        all_ok = True
        for fld in MARK_FIELDS:
            g = getattr(page.marks, fld)
            w = lab["marks"][fld]
            if g == w:
                mark_ok[fld] += 1
            else:
                all_ok = False
                misses.append(f"{f} marks.{fld}: got {g!r} want {w!r}")
        ok["marks_all"] += all_ok
        found_ids = set()
        for wl in lab["lists"]:
            lists_total += 1
            b = match_list(wl, page.lists)
            if b is None:
                misses.append(f"{f} list {wl['heading']!r} ({wl['n_items']} items, newest {wl['newest']}) not found; got {[(x.heading, len(x.items), str(x.newest)) for x in page.lists]}")
                continue
            found_ids.add(id(b))
            lists_found += 1
            go = b.oldest.isoformat() if b.oldest else None
            lists_oldest += go == wl.get("oldest")
            gn = b.newest.isoformat() if b.newest else None
            if gn == wl["newest"]:
                lists_newest += 1
            else:
                misses.append(f"{f} list {wl['heading']!r}: newest got {gn} want {wl['newest']}")
        for b in page.lists:
            if id(b) not in found_ids:
                extra_lists += 1
                misses.append(f"{f} extra list {b.heading!r} ({len(b.items)} items, {b.n_dated} dated, newest {b.newest}, hidden={b.hidden}) first={b.items[0].title[:30]!r}")
        sus = page.links_suspicious
        if not sus and not page.suspicions:
            ok["no_suspicious"] += 1
        else:
            misses.append(f"{f} suspicious: {[(l.text, l.href, l.why) for l in sus][:5]} {[s.to_dict() for s in page.suspicions][:3]}")
    res = {
        "pages": n,
        "kind": ok["kind"] / n,
        "title": ok["title"] / n,
        "published": ok["published"] / n,
        "source": ok["source"] / n,
        "body_start": ok["body_start"] / max(body_n, 1),
        "body_end": ok["body_end"] / max(body_n, 1),
        "body_pages": body_n,
        "marks_all_six": ok["marks_all"] / n,
        **{f"marks.{k}": v / n for k, v in mark_ok.items()},
        "lists_labelled": lists_total,
        "lists_found": lists_found,
        "lists_newest_ok": lists_newest,
        "lists_oldest_ok": lists_oldest,
        "lists_extra": extra_lists,
        "pages_without_suspicious": ok["no_suspicious"] / n,
    }
    if verbose:
        for m in misses:
            print("  miss", m)
    res["misses"] = misses
    return res


def trafilatura_accuracy(pages) -> dict:
    """The same title / date / body measures for trafilatura alone (bare_extraction with metadata)."""
    import trafilatura

    title = date_ok = starts = ends = body_n = 0
    for lab, data in pages:
        text = decode(data, html=True)[0]
        doc = trafilatura.bare_extraction(text, with_metadata=True)
        get = (lambda k: getattr(doc, k, None)) if doc is not None else (lambda k: None)
        if lab["kind"] == "article":
            title += compact(get("title")) == compact(lab["title"])
        else:
            title += True  # a list/home page has no headline to get right; not held against it
        date_ok += (get("date") or None) == lab["published"]
        body = compact(get("text"))
        if lab["kind"] == "article":
            body_n += 1
            if lab["body_start"] is None:
                starts += len(body) <= 30
                ends += len(body) <= 30
            else:
                starts += body.startswith(compact(lab["body_start"]))
                ends += body.endswith(compact(lab["body_end"]))
    n = len(pages)
    return {"title": title / n, "published": date_ok / n, "body_start": starts / body_n, "body_end": ends / body_n}


def _rate(fn, items, repeat: int) -> tuple[float, float, float]:
    """(pages/s over the set, median ms, max ms), each page timed as its best of ``repeat``."""
    per = []
    for item in items:
        best = None
        for _ in range(repeat):
            t = time.perf_counter()
            fn(item)
            dt = time.perf_counter() - t
            best = dt if best is None or dt < best else best
        per.append(best)
    total = sum(per)
    return len(items) / total, statistics.median(per) * 1000, max(per) * 1000


def speed(pages, repeat: int, anchors: bool) -> dict:
    datas = [d for _, d in pages]
    texts = [decode(d, html=True)[0] for d in datas]
    out = {}
    out["read_page_no_body"] = _rate(lambda d: read_page(d, with_body=False), datas, repeat)
    out["read_page_with_body"] = _rate(lambda d: read_page(d), datas, repeat)
    gov = [d for (lab, d) in pages if "NONGOV" not in lab["file"]]
    if gov and len(gov) < len(datas):
        out["read_page_no_body_gov_only"] = _rate(lambda d: read_page(d, with_body=False), gov, repeat)
    import lxml.html

    out["anchor_lxml_parse"] = _rate(lambda t: lxml.html.document_fromstring(t.encode("utf-8")), texts, repeat)
    if anchors:
        import trafilatura

        out["anchor_trafilatura_metadata"] = _rate(
            lambda t: trafilatura.bare_extraction(t, with_metadata=True), texts, 1)
        out["anchor_trafilatura_fast"] = _rate(
            lambda t: trafilatura.bare_extraction(t, fast=True, with_metadata=False), texts, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=Path, default=ROOT / "tests" / "fixtures" / "pages")
    ap.add_argument("--repeat", type=int, default=5, help="time each page this many times, keep the best (default 5)")
    ap.add_argument("--no-anchors", action="store_true", help="skip the trafilatura anchors")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    pages = load(args.pages)
    res = score(pages, args.verbose)
    misses = res.pop("misses")
    if not args.no_speed:
        res["speed"] = speed(pages, args.repeat, not args.no_anchors)
    if not args.no_anchors:
        res["trafilatura_alone"] = trafilatura_accuracy(pages)
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(f"pages: {res['pages']}  ({res['body_pages']} with an article body)")
    for k in ("kind", "title", "published", "source", "body_start", "body_end", "marks_all_six",
              *[f"marks.{f}" for f in MARK_FIELDS], "pages_without_suspicious"):
        print(f"  {k:28s} {res[k] * 100:6.1f}%")
    print(f"  lists: {res['lists_found']}/{res['lists_labelled']} labelled blocks found, "
          f"{res['lists_newest_ok']}/{res['lists_labelled']} with the labelled newest date "
          f"({res['lists_oldest_ok']} with the labelled oldest), {res['lists_extra']} extra blocks reported")
    if "trafilatura_alone" in res:
        t = res["trafilatura_alone"]
        print("trafilatura alone on the same labels (title is its metadata title; non-article pages count as right):")
        print("  " + "   ".join(f"{k} {v * 100:.1f}%" for k, v in t.items()))
    if "speed" in res:
        print("speed (one core, best of repeats per page):")
        for k, (rate, med, mx) in res["speed"].items():
            print(f"  {k:30s} {rate:7.1f} pages/s   median {med:6.1f} ms   max {mx:7.1f} ms")
    if not args.verbose and misses:
        print(f"({len(misses)} misses; -v lists them)")


if __name__ == "__main__":
    main()
