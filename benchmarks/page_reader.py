"""Page reader: accuracy against hand labels and speed, with anchors measured in the same run.

    python benchmarks/page_reader.py                    # the copied fixtures (tests/fixtures/pages)
    python benchmarks/page_reader.py --pages DIR        # any folder with labels.jsonl + the pages
    python benchmarks/page_reader.py --no-anchors -v    # skip trafilatura; print every miss
    python benchmarks/page_reader.py --set corpora/pages  # a site-split set: train vs test sites, the gap,
                                                          # trafilatura (title, date) and speed on the same pages

A site-split set (``--set DIR``) is a folder with raw/, labels.jsonl, MANIFEST.tsv (file, host, …) and
SPLIT.tsv (host, train|test): every page is scored on the side of its host, so a site is never on both.

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
import hashlib
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


def score(pages, verbose: bool = False, full_names: bool = False) -> dict:
    n = max(len(pages), 1)
    ok = {k: 0 for k in ("kind", "title", "published", "source", "body_start", "body_end", "marks_all", "no_suspicious")}
    mark_ok = {f: 0 for f in MARK_FIELDS}
    lists_total = lists_found = lists_newest = lists_oldest = 0
    extra_lists = 0
    body_n = 0
    sponsor_n = sponsor_ok = 0
    art_n = art_title = 0
    misses: list[str] = []
    for lab, data in pages:
        page = read_page(data, lab["file"])
        f = lab["file"] if full_names else lab["file"][:3]
        got = {
            "kind": page.kind,
            "title": compact(page.title) or None,
            "published": page.published.isoformat() if page.published else None,
            "source": page.source_line,
        }
        want = {"kind": lab["kind"], "title": compact(lab["title"]) or None, "published": lab["published"], "source": lab["source"]}
        if lab["kind"] == "article":
            art_n += 1
            art_title += got["title"] == want["title"]
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
        sponsor = lab["marks"].get("sponsor")
        if sponsor:
            # the reader has no 主办单位 field: count it found when the labelled name is in its footer text
            sponsor_n += 1
            if compact(sponsor) in compact(page.footer):
                sponsor_ok += 1
            else:
                misses.append(f"{f} marks.sponsor: {sponsor!r} not in footer text")
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
        "pages": len(pages),
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
        "sponsor_labelled": sponsor_n,
        "marks.sponsor_in_footer": sponsor_ok / sponsor_n if sponsor_n else None,
        "lists_newest": lists_newest / lists_total if lists_total else None,
        "title_articles": art_title / art_n if art_n else None,
    }
    if verbose:
        for m in misses:
            print("  miss", m)
    res["misses"] = misses
    return res


def trafilatura_accuracy(pages) -> dict:
    """The same title / date / body measures for trafilatura alone (bare_extraction with metadata)."""
    import trafilatura

    title = date_ok = starts = ends = body_n = art_title = 0
    for lab, data in pages:
        text = decode(data, html=True)[0]
        doc = trafilatura.bare_extraction(text, with_metadata=True)
        get = (lambda k: getattr(doc, k, None)) if doc is not None else (lambda k: None)
        if lab["kind"] == "article":
            title += compact(get("title")) == compact(lab["title"])
            art_title += compact(get("title")) == compact(lab["title"])
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
    n = max(len(pages), 1)
    body_n = max(body_n, 1)
    return {"title": title / n, "published": date_ok / n, "body_start": starts / body_n, "body_end": ends / body_n,
            "title_articles": art_title / body_n}


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


SET_FIELDS = ("kind", "title", "title_articles", "published", "source", "body_start", "body_end",
              *[f"marks.{f}" for f in MARK_FIELDS], "marks_all_six", "marks.sponsor_in_footer", "lists_newest")


class SetError(Exception):
    """A site-split set that cannot be scored (missing file, host without a side)."""


SPLIT_SEED = "qualitycheck-pageset-split-v1"


def split_side(host: str) -> str:
    """train / test for a host: a seeded hash, so the split never depends on what was scored."""
    h = int(hashlib.sha256(f"{SPLIT_SEED}:{host}".encode("utf-8")).hexdigest(), 16)
    return "train" if h % 100 < 60 else "test"


def load_set(set_dir: Path) -> dict:
    """Pages of a site-split set, grouped by the side (train / test) of their host.

    MANIFEST.tsv names every page with its host and where its bytes are stored (``stored``, relative to
    the repository root); the labels are read from the labels.jsonl of that folder (raw/ -> the set
    folder), so pages already labelled elsewhere in the repository are not copied twice.
    """
    def rows(path: Path) -> list[dict[str, str]]:
        if not path.exists():
            raise SetError(f"{path} 不存在")
        lines = [l.split("\t") for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
        head = lines[0]
        return [dict(zip(head, l)) for l in lines[1:]]

    side_of: dict[str, str] = {}
    for r in rows(set_dir / "SPLIT.tsv"):
        host, side = r["host"], r["split"]
        if side not in ("train", "test"):
            raise SetError(f"SPLIT.tsv：{host} 的划分应为 train 或 test，实为 {side!r}")
        if side_of.get(host, side) != side:
            raise SetError(f"SPLIT.tsv：{host} 同时出现在 train 和 test")
        if side != split_side(host):
            raise SetError(f"SPLIT.tsv：{host} 的划分与种子哈希不符（应为 {split_side(host)}）")
        side_of[host] = side
    # the held-out evaluation pages must never enter a set that is scored or tuned on
    held_file = ROOT.parent / "shared" / "data" / "pages" / "HELD-OUT.tsv"
    held = set()
    if held_file.exists():
        held = {l.split("\t")[0] for l in held_file.read_text(encoding="utf-8").splitlines()
                if l.strip() and not l.startswith("#")}
    labels: dict[Path, dict[str, dict]] = {}
    out: dict = {"train": [], "test": [], "new": []}
    seen: dict[str, set] = {}
    for m in rows(set_dir / "MANIFEST.tsv"):
        if m["host"] in held:
            raise SetError(f"{m['file']} 属于留出评测站点 {m['host']}（HELD-OUT.tsv），不得放入页面集")
        stored = ROOT / m["stored"]
        folder = stored.parent.parent if stored.parent.name == "raw" else stored.parent
        if folder not in labels:
            lab_file = folder / "labels.jsonl"
            if not lab_file.exists():
                raise SetError(f"{lab_file} 不存在")
            labels[folder] = {json.loads(l)["file"]: json.loads(l)
                              for l in lab_file.read_text(encoding="utf-8").splitlines() if l.strip()}
        lab = labels[folder].get(m["file"])
        if lab is None:
            raise SetError(f"{folder / 'labels.jsonl'} 中没有 {m['file']}")
        host = m["host"]
        if host not in side_of:
            raise SetError(f"SPLIT.tsv 中没有站点 {host}（{m['file']}）")
        item = (lab, stored.read_bytes())
        out[side_of[host]].append(item)
        if folder == set_dir.resolve():
            out["new"].append(item)
        seen.setdefault(side_of[host], set()).add(host)
    out["hosts"] = {side: len(seen.get(side, ())) for side in ("train", "test")}
    return out


def _pct(v) -> str:
    return "     -" if v is None else f"{v * 100:5.1f}%"


def run_set(set_dir: Path, repeat: int, anchors: bool, verbose: bool) -> int:
    try:
        sides = load_set(set_dir)
    except (SetError, OSError, ValueError, KeyError, IndexError) as e:
        print(f"qualitycheck：错误：页面集无法读取：{e}", file=sys.stderr)
        return 2
    res = {}
    for side in ("train", "test"):
        if verbose:
            print(f"{side} misses:")
        res[side] = score(sides[side], verbose, full_names=True)
    traf = {side: trafilatura_accuracy(sides[side]) for side in ("train", "test")} if anchors else {}
    print(f"set {set_dir}: train {len(sides['train'])} pages on {sides['hosts']['train']} sites, "
          f"test {len(sides['test'])} pages on {sides['hosts']['test']} sites")
    for side in ("train", "test"):
        r = res[side]
        print(f"  {side}: {r['pages']} pages, {r['body_pages']} with an article body, "
              f"{r['lists_labelled']} labelled lists, {r['sponsor_labelled']} with a 主办单位 label")
    print(f"  {'field':28s} {'train':>7s} {'test':>7s} {'gap':>7s}   (gap = train - test, points)")
    for k in SET_FIELDS:
        a, b = res["train"].get(k), res["test"].get(k)
        gap = "      -" if a is None or b is None else f"{(a - b) * 100:+6.1f}"
        print(f"  {k:28s} {_pct(a):>7s} {_pct(b):>7s} {gap:>7s}")
    for side in ("train", "test"):
        r = res[side]
        print(f"  lists ({side}): {r['lists_found']}/{r['lists_labelled']} found, "
              f"{r['lists_newest_ok']} with the labelled newest date, {r['lists_extra']} extra blocks reported")
    if traf:
        print("trafilatura alone, same pages (bare_extraction with metadata; title_articles = article pages only,"
              " title = non-article pages counted right):")
        for k in ("title", "title_articles", "published"):
            a, b = traf["train"][k], traf["test"][k]
            print(f"  {k:28s} {_pct(a):>7s} {_pct(b):>7s} {(a - b) * 100:+6.1f}")
    if sides["new"]:
        r = score(sides["new"], full_names=True)
        print(f"pages stored in {set_dir} itself ({r['pages']}, none of them seen while the reader was written): "
              + "  ".join(f"{k} {_pct(r[k]).strip()}" for k in ("kind", "title", "published", "body_start", "body_end", "marks_all_six")))
    allpages = sides["train"] + sides["test"]
    if repeat > 0 and allpages:
        sp = speed(allpages, repeat, anchors)
        print(f"speed over all {len(allpages)} pages (one core, best of {repeat} per page):")
        for k, (rate, med, mx) in sp.items():
            print(f"  {k:30s} {rate:7.1f} pages/s   median {med:6.1f} ms   max {mx:7.1f} ms")
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=Path, default=ROOT / "tests" / "fixtures" / "pages")
    ap.add_argument("--repeat", type=int, default=5, help="time each page this many times, keep the best (default 5)")
    ap.add_argument("--no-anchors", action="store_true", help="skip the trafilatura anchors")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--set", type=Path, help="a site-split set (raw/, labels.jsonl, MANIFEST.tsv, SPLIT.tsv)")
    args = ap.parse_args()
    if args.set is not None:
        sys.exit(run_set(args.set, 0 if args.no_speed else args.repeat, not args.no_anchors, args.verbose))
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
