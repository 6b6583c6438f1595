"""Mangled pages and broken WARCs, made from real pages, to prove lint-site survives them.

`write_corpus` turns the real pages bundled in the repo into hostile variants, one
class at a time (truncation, byte flips, 20k-deep nesting, one 20 MB line, NUL
bytes, wrong declared encodings, UTF-16 without BOM, unclosed comments, scripts and
CDATA, a million tiny elements, binary junk) and writes broken WARCs (truncated
plain and gzip, corrupt headers, wrong Content-Length, non-HTTP records). Every
variant is listed in a manifest with what a reader must still get out of it.
`run_fuzz` then feeds each page through the worker function lint-site uses, timing
each one, and runs the real `qualitycheck lint-site` command on the whole corpus to
count tracebacks and pages lost.

The generator is seeded: the same seed gives the same bytes.
"""

from __future__ import annotations

import io
import json
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..paths import ROOT_DIR

PAGE_CLASSES = (
    "truncated", "byte-flips", "deep-nesting", "one-long-line", "nul-bytes", "gbk-declared-utf8-bytes",
    "utf8-declared-gbk-bytes", "utf16-no-bom", "unclosed-comment", "unclosed-script", "unclosed-cdata",
    "tiny-elements", "binary-junk",
)
HEAVY_CLASSES = ("one-long-line", "tiny-elements")
LIGHT_CLASSES = tuple(k for k in PAGE_CLASSES if k not in HEAVY_CLASSES)
WARC_CLASSES = ("warc-truncated-plain", "warc-truncated-gzip", "warc-corrupt-header", "warc-wrong-length",
                "warc-non-http")


@dataclass(frozen=True)
class Scale:
    """Sizes of the heavy classes: the issue's figures by default, smaller for a quick run."""

    nesting: int = 20_000
    long_line_mb: float = 20.0
    tiny_elements: int = 1_000_000
    heavy_pages: int = 25  # at most this many of each heavy class (a 10,000-page run stays under 1 GB of disk)

    @classmethod
    def quick(cls) -> "Scale":
        return cls(nesting=20_000, long_line_mb=2.0, tiny_elements=100_000, heavy_pages=25)


def seed_pages(root: Path | None = None) -> list[bytes]:
    """The real pages in the repo: the test fixtures (saved government pages) and the demo sites."""
    base = root or ROOT_DIR
    paths = sorted((base / "tests" / "fixtures" / "pages").glob("*.html"))
    paths += sorted((base / "examples" / "site").rglob("*.html"))
    pages = [p.read_bytes() for p in paths]
    if not pages:
        from ..errors import InputError

        raise InputError(f"{base} 下没有可用作种子的真实页面（tests/fixtures/pages/、examples/site/）：模糊测试需要在源代码目录中运行")
    return pages


def _after_body(page: bytes, insert: bytes) -> bytes:
    at = page.lower().find(b"<body")
    at = page.find(b">", at) + 1 if at >= 0 else 0
    return page[:at] + insert + page[at:]


def _mid(page: bytes, rng: random.Random, insert: bytes) -> bytes:
    at = rng.randrange(len(page) // 4, max(len(page) // 4 + 1, 3 * len(page) // 4))
    return page[:at] + insert + page[at:]


def _text_of(page: bytes) -> str:
    return page.decode("utf-8", errors="replace")


def _mutators(scale: Scale) -> dict[str, Callable[[bytes, random.Random], bytes]]:
    def truncated(page, rng):
        return page[: rng.randrange(1, max(2, len(page)))]

    def byte_flips(page, rng):
        data = bytearray(page)
        for _ in range(rng.randint(1, 50)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)

    def deep_nesting(page, rng):
        depth = scale.nesting
        return _after_body(page, b"<div>" * depth + b"</div>" * rng.choice((0, depth)))

    def one_long_line(page, rng):
        line = _text_of(page).replace("\r", " ").replace("\n", " ").encode("utf-8")
        target = int(scale.long_line_mb * 1024 * 1024)
        return (line * (target // max(1, len(line)) + 1))[:target]

    def nul_bytes(page, rng):
        data = _after_body(page, b"\x00")
        head = data.lower().find(b"<head>")
        if head >= 0:
            data = data[: head + 6] + b"\x00" + data[head + 6:]
        return _mid(data, rng, b"\x00" * rng.randint(1, 8))

    def gbk_declared_utf8_bytes(page, rng):
        return _declare(_text_of(page).encode("utf-8"), "gbk")

    def utf8_declared_gbk_bytes(page, rng):
        return _declare(_text_of(page).encode("gb18030", errors="replace"), "utf-8")

    def utf16_no_bom(page, rng):
        return _text_of(page).encode(rng.choice(("utf-16-le", "utf-16-be")))

    def unclosed_comment(page, rng):
        return _mid(page, rng, b"<!-- never closed ")

    def unclosed_script(page, rng):
        return _mid(page, rng, b"<script>var a = '<div>';")

    def unclosed_cdata(page, rng):
        return _mid(page, rng, b"<![CDATA[ never closed <p>")

    def tiny_elements(page, rng):
        return _after_body(page, b"<b></b>" * scale.tiny_elements)

    def binary_junk(page, rng):
        return rng.randbytes(rng.randint(1, 64 * 1024))

    return {
        "truncated": truncated, "byte-flips": byte_flips, "deep-nesting": deep_nesting,
        "one-long-line": one_long_line, "nul-bytes": nul_bytes,
        "gbk-declared-utf8-bytes": gbk_declared_utf8_bytes, "utf8-declared-gbk-bytes": utf8_declared_gbk_bytes,
        "utf16-no-bom": utf16_no_bom, "unclosed-comment": unclosed_comment, "unclosed-script": unclosed_script,
        "unclosed-cdata": unclosed_cdata, "tiny-elements": tiny_elements, "binary-junk": binary_junk,
    }


def _declare(body: bytes, charset: str) -> bytes:
    """Replace or add the page's declared charset (the lie these classes tell)."""
    import re

    meta = f'<meta charset="{charset}">'.encode()
    out, n = re.subn(rb"<meta[^>]{0,200}charset=[^>]{0,80}>", meta, body, count=1, flags=re.I)
    return out if n else meta + body


# -- WARCs ------------------------------------------------------------------
def _warc_bytes(pages: list[tuple[str, bytes]], *, gzipped: bool, extra_records: bool = False) -> tuple[bytes, list[int]]:
    """A WARC of response records; returns its bytes and the end offset of each page's record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzipped)
    ends = []
    for url, body in pages:
        if extra_records:
            writer.write_record(writer.create_warc_record(url, "resource", payload=io.BytesIO(b"not http"),
                                                          warc_content_type="text/plain"))
            writer.write_record(writer.create_warc_record(url, "metadata", payload=io.BytesIO(b"k: v\r\n"),
                                                          warc_content_type="application/warc-fields"))
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                      http_headers=headers))
        ends.append(buf.tell())
    return buf.getvalue(), ends


def _broken_warc(kind: str, pages: list[tuple[str, bytes]], rng: random.Random) -> tuple[bytes, int]:
    """Bytes of one broken WARC and how many of its page records are complete before the damage."""
    if kind == "warc-non-http":
        data, _ = _warc_bytes(pages, gzipped=False, extra_records=True)
        return data, len(pages)
    gzipped = kind == "warc-truncated-gzip"
    data, ends = _warc_bytes(pages, gzipped=gzipped)
    if kind == "warc-truncated-plain":
        cut = len(data) // 2
    elif kind == "warc-truncated-gzip":
        cut = int(len(data) * 0.99)
    else:
        # Damage one record in the middle: the ones before it are intact.
        victim = rng.randrange(1, len(pages))
        start = ends[victim - 1]
        record = data[start:ends[victim]]
        if kind == "warc-corrupt-header":
            record = record.replace(b"WARC/1.", b"WXRC/9.", 1).replace(b"WARC-Type", b"WARC-\x00ype", 1)
        else:  # warc-wrong-length: claims far more bytes than the record has
            import re

            record = re.sub(rb"Content-Length: \d+", b"Content-Length: 99999999", record, count=1)
        return data[:start] + record + data[ends[victim]:], victim
    complete = sum(1 for end in ends if end <= cut)
    return data[:cut], complete


# -- the corpus -------------------------------------------------------------
def write_corpus(out: Path, n_pages: int, *, seed: int = 20261206, scale: Scale = Scale(),
                 n_warcs: int | None = None, seeds: list[bytes] | None = None) -> dict:
    """Write `n_pages` mangled pages under out/pages/<host>/ and broken WARCs under out/warc/.

    Classes take turns, so every class is present once n_pages >= 13; past
    `scale.heavy_pages` of a heavy class, its turns go to the light classes. Returns the
    manifest (also written to out/manifest.json).
    """
    rng = random.Random(seed)
    originals = seeds or seed_pages()
    mutate = _mutators(scale)
    pages_dir = out / "pages"
    entries = []
    made: dict[str, int] = {}
    for i in range(n_pages):
        kind = PAGE_CLASSES[i % len(PAGE_CLASSES)]
        if kind in HEAVY_CLASSES and made.get(kind, 0) >= scale.heavy_pages:
            kind = LIGHT_CLASSES[(i // len(PAGE_CLASSES)) % len(LIGHT_CLASSES)]
        made[kind] = made.get(kind, 0) + 1
        host = f"fuzz{i % 20:02d}.example.gov.cn"
        path = pages_dir / host / kind / f"{i:06d}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(mutate[kind](rng.choice(originals), rng))
        entries.append({"file": str(path.relative_to(out)), "class": kind})
    warcs = []
    warc_dir = out / "warc"
    warc_dir.mkdir(parents=True, exist_ok=True)
    for j in range(n_warcs if n_warcs is not None else len(WARC_CLASSES)):
        kind = WARC_CLASSES[j % len(WARC_CLASSES)]
        chosen = [(f"http://warc{j:03d}.example.gov.cn/p/{k}.html", rng.choice(originals)) for k in range(6)]
        data, complete = _broken_warc(kind, chosen, rng)
        name = f"{j:04d}-{kind}.warc" + (".gz" if kind == "warc-truncated-gzip" else "")
        (warc_dir / name).write_bytes(data)
        warcs.append({"file": f"warc/{name}", "class": kind, "records": len(chosen), "complete": complete})
    manifest = {"seed": seed, "scale": scale.__dict__, "pages": entries, "warcs": warcs}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


# -- the run ----------------------------------------------------------------
@dataclass
class PageOutcome:
    file: str
    kind: str
    seconds: float
    checked: bool
    failure: str | None


def _time_pages(root: Path, manifest: dict, config) -> Iterator[PageOutcome]:
    """Each page through the lint-site worker function, timed one by one."""
    from ..runner import _init_worker, process_page
    from ..sources import iter_folder

    _init_worker(config.data, str(config.path) if config.path else None, config.as_of, True)
    kinds = {Path(e["file"]).as_posix(): e["class"] for e in manifest["pages"]}
    max_bytes = int(config["limits"]["max_file_mb"] * 1024 * 1024)
    for src in iter_folder(root / "pages", max_bytes):
        started = time.perf_counter()
        result = process_page(src)
        seconds = time.perf_counter() - started
        rel = Path(src.origin).relative_to(root).as_posix()
        failure = result.findings[0].message if result.error and result.findings else None
        yield PageOutcome(rel, kinds.get(rel, "?"), seconds, result.error is None, failure)


def _lint(target: Path, out: Path, jobs: int, no_lm: bool) -> dict:
    """The real command, as an inspector runs it: exit code, tracebacks on stderr, the summary."""
    cmd = [sys.executable, "-m", "qualitycheck.cli", "lint-site", str(target), "--out", str(out),
           "--jobs", str(jobs), "--no-progress", "--as-of", "2025-06-30"]
    if no_lm:
        cmd.append("--no-lm")
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else None
    return {"returncode": proc.returncode, "traceback": "Traceback (most recent call last)" in proc.stderr + proc.stdout,
            "stderr_tail": proc.stderr[-2000:], "seconds": time.perf_counter() - started, "summary": summary}


def _qc900_origins(out: Path) -> set[str]:
    found = set()
    path = out / "findings.jsonl"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("code") == "QC900":
                found.add(row.get("source") or "")
    return found


def run_fuzz(work: Path, n_pages: int, *, seed: int = 20261206, scale: Scale = Scale(), jobs: int = 1,
             no_lm: bool = True, n_warcs: int | None = None) -> dict:
    """Write the corpus, time every page, lint it all; return the figures the benchmark prints."""
    from ..config import Config

    manifest = write_corpus(work / "corpus", n_pages, seed=seed, scale=scale, n_warcs=n_warcs)
    cfg = Config.default()
    if no_lm:
        cfg = cfg.with_overrides(typo={"language_model": False})
    limit = float(cfg["limits"]["page_timeout_s"])
    per_class: dict[str, dict] = {}
    slowest = 0.0
    for outcome in _time_pages(work / "corpus", manifest, cfg):
        row = per_class.setdefault(outcome.kind, {"pages": 0, "checked": 0, "qc900": 0, "max_s": 0.0})
        row["pages"] += 1
        row["checked" if outcome.checked else "qc900"] += 1
        row["max_s"] = round(max(row["max_s"], outcome.seconds), 3)
        slowest = max(slowest, outcome.seconds)
    inprocess_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    pages_run = _lint(work / "corpus" / "pages", work / "out-pages", jobs, no_lm)
    pages_seen = (pages_run["summary"] or {}).get("pages", 0)
    warc_rows = []
    for entry in manifest["warcs"]:
        out = work / "out-warc" / Path(entry["file"]).name
        run = _lint(work / "corpus" / entry["file"], out, 1, no_lm)
        summary = run["summary"] or {}
        named = any(entry["file"].split("/")[-1] in origin for origin in _qc900_origins(out))
        warc_rows.append({**entry, "returncode": run["returncode"], "traceback": run["traceback"],
                          "pages_read": summary.get("pages", 0),
                          "damage_reported": named or bool(summary.get("incomplete_inputs")),
                          "stderr_tail": run["stderr_tail"] if run["traceback"] else ""})
    children_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "seed": seed, "pages": n_pages, "scale": scale.__dict__, "page_timeout_s": limit,
        "per_class": per_class, "slowest_page_s": round(slowest, 3),
        "time_limit_held": slowest <= limit + 1.0,  # one second of grace for the alarm to land
        "lint_site": {"returncode": pages_run["returncode"], "traceback": pages_run["traceback"],
                      "pages_in": n_pages, "pages_accounted": pages_seen, "seconds": round(pages_run["seconds"], 1),
                      "stderr_tail": pages_run["stderr_tail"] if pages_run["traceback"] else ""},
        "warcs": warc_rows,
        "peak_rss_mb": {"in_process": round(inprocess_rss_mb, 1), "lint_site_children": round(children_rss_mb, 1)},
    }


def format_fuzz_report(result: dict) -> str:
    lines = [f"fuzz: {result['pages']} mangled pages (seed {result['seed']}), per-page limit {result['page_timeout_s']:g} s",
             f"{'class':28} {'pages':>6} {'checked':>8} {'QC900':>6} {'max s':>7}"]
    for kind, row in sorted(result["per_class"].items()):
        lines.append(f"{kind:28} {row['pages']:>6} {row['checked']:>8} {row['qc900']:>6} {row['max_s']:>7.2f}")
    ls = result["lint_site"]
    lines.append(f"lint-site: exit {ls['returncode']}, traceback {'YES' if ls['traceback'] else 'no'}, "
                 f"pages {ls['pages_accounted']}/{ls['pages_in']} accounted for, {ls['seconds']} s")
    lines.append(f"slowest page {result['slowest_page_s']} s (limit held: {'yes' if result['time_limit_held'] else 'NO'})")
    lines.append(f"{'WARC':36} {'exit':>4} {'tb':>3} {'read':>5} {'complete':>8} {'damage named':>12}")
    for w in result["warcs"]:
        lines.append(f"{Path(w['file']).name:36} {w['returncode']:>4} {'Y' if w['traceback'] else '-':>3} "
                     f"{w['pages_read']:>5} {w['complete']:>8} {'yes' if w['damage_reported'] else 'no':>12}")
    rss = result["peak_rss_mb"]
    lines.append(f"peak memory: {rss['in_process']} MB (timing process), {rss['lint_site_children']} MB (largest lint-site process)")
    return "\n".join(lines)
