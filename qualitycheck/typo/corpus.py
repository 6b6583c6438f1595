"""Assemble the language-model training text in ``corpora/lm/`` from the shared source folders.

This is the *import* step (run once, by hand, when the sources change)::

    python -m qualitycheck.typo.build --import-from ../shared/data

It reads the four official-register corpora listed in ``corpora/SOURCES.md``,
cuts them into sentences (one per line), drops exact duplicate sentences and very short
or mostly non-Chinese lines, and writes deterministic gzip shards ``corpora/lm/*.txt.gz``.
The build step (``python -m qualitycheck.typo.build``) reads only those shards and the
files in ``dictionaries/typo/``, never the shared folder.

No evaluation or dev CSC file is read here.
"""
from __future__ import annotations

import csv
import gzip
import html
import re
from pathlib import Path
from typing import Iterable, Iterator

_SENT_END = re.compile(r"(?<=[。！？；!?;])")
_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"[ \t\u3000\xa0\r]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_MD_NOISE = re.compile(r"^(#+\s*|>\s*|[-*]\s+|\|)")

# One shard must stay well under the 50 MB file limit of the repo.
_SHARD_CHARS = 9_000_000


def _sentences(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        line = _WS.sub(" ", line).strip()
        if not line:
            continue
        for s in _SENT_END.split(line):
            s = s.strip()
            if len(s) < 6:
                continue
            han = len(_HAN.findall(s))
            if han < 5 or han < 0.5 * len(s):
                continue
            yield s


def _laws(root: Path) -> Iterator[str]:
    for p in sorted(root.rglob("*.md")):
        if p.name == "_index.md":
            continue
        for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("<!--"):
                continue
            yield _MD_NOISE.sub("", line)


def _press(root: Path) -> Iterator[str]:
    for p in sorted(root.rglob("*.txt")):
        in_content = False
        for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("content:"):
                in_content = True
                line = line[len("content:"):]
            elif not in_content:
                continue
            yield line


def _policy(root: Path) -> Iterator[str]:
    for p in sorted(root.glob("*.sql")):
        text = p.read_text(encoding="utf-8", errors="replace")
        # the `content` column is the only one holding '<tbody>' markup
        for m in re.finditer(r"'(<tbody>.*?)'(?=, )", text, flags=re.S):
            body = m.group(1).replace("\\'", "'").replace("\\n", "\n")
            body = re.sub(r"</(p|div|tr|br|h\d)>|<br\s*/?>", "\n", body, flags=re.I)
            body = html.unescape(_TAG.sub("", body))
            yield from body.splitlines()


def _reports(root: Path) -> Iterator[str]:
    for p in sorted(root.rglob("*.csv")):
        with p.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                yield row.get("中文", "") or ""


SOURCES = [
    # (shard prefix, folder under shared/data/corpora, reader)
    ("laws", "lawrefbook-laws", _laws),
    ("press", "mfa-press-conferences-scio", _press),
    ("policy", "govcn-policy-2019-sample", _policy),
    ("reports", "gov-work-report-2024-2026", _reports),
]


def import_corpora(shared_data: str | Path, out_dir: str | Path) -> dict:
    shared_data = Path(shared_data)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.txt.gz"):
        old.unlink()
    seen: set[str] = set()
    stats = {}
    for prefix, folder, reader in SOURCES:
        root = shared_data / "corpora" / folder
        if not root.exists():
            raise FileNotFoundError(f"missing corpus folder {root}")
        stats[prefix] = _write_shards(_unseen(_sentences(reader(root)), seen), out_dir, prefix)
    return stats


_XWLB_NOISE = re.compile(r"^\s*(?:中国网络电视台消息|央视网消息)\s*[（(]新闻联播[）)][：:]\s*|[（(](?:视频编辑|文字编辑|编辑)[：:][^）)]*[）)]")


def xwlb_sentences(assets: Path, years: Iterable[int]) -> Iterator[str]:
    """新闻联播 item texts from a checkout of china-data/xwlb (``assets/YYYY/YYYYMMDD.json``: the
    CCTV page's JSON, each item's ``video_detail.content`` in <p> markup), cut into sentences.
    A truncated or unreadable day file is skipped."""
    import json

    for year in years:
        for p in sorted((assets / str(year)).glob("*.json")):
            try:
                items = json.loads(p.read_text(encoding="utf-8")).get("videoList") or []
            except (OSError, ValueError):
                continue
            for item in items:
                body = ((item or {}).get("video_detail") or {}).get("content") or ""
                body = re.sub(r"</p>|<br\s*/?>", "\n", body, flags=re.I)
                body = html.unescape(_TAG.sub("", body))
                yield from _sentences(_XWLB_NOISE.sub("", line) for line in body.splitlines())


#: Width of the windows shared with a CSC sentence that keep a 新闻联播 sentence out of the corpus.
OVERLAP_WIDTH = 16


def overlap_windows(sentences: Iterable[str], width: int = OVERLAP_WIDTH) -> set[str]:
    """Every ``width``-character stretch of ``sentences`` (the CSC dev files' sources and targets)."""
    return {s[i:i + width] for s in sentences for i in range(len(s) - width + 1)}


def import_xwlb(assets: str | Path, out_dir: str | Path, years: Iterable[int], exclude: set[str],
                windows: set[str] = frozenset(), width: int = OVERLAP_WIDTH) -> dict:
    """Write the 新闻联播 sentences as ``xwlb-NN.txt.gz`` shards (deterministic bytes), leaving out
    those in ``exclude`` (the sentences already in corpora/lm) and those sharing a ``width``-
    character stretch with ``windows`` (the CSC dev sentences: 新闻联播 and 学习强国 report the same
    news, so an exact-sentence check would let the dev sets' own text into the model)."""
    out_dir = Path(out_dir)
    for old in out_dir.glob("xwlb-*.txt.gz"):
        old.unlink()
    dropped = 0

    def kept(sentences: Iterable[str]) -> Iterator[str]:
        nonlocal dropped
        for s in sentences:
            if windows and any(s[i:i + width] in windows for i in range(len(s) - width + 1)):
                dropped += 1
            else:
                yield s

    stats = _write_shards(kept(_unseen(xwlb_sentences(Path(assets), years), set(exclude))), out_dir, "xwlb")
    return {**stats, "dropped_overlap": dropped}


def _unseen(sentences: Iterable[str], seen: set[str]) -> Iterator[str]:
    """Each sentence not in ``seen`` once, in order (``seen`` grows as it goes)."""
    for s in sentences:
        if s not in seen:
            seen.add(s)
            yield s


def _write_shards(sentences: Iterable[str], out_dir: Path, prefix: str) -> dict:
    """``prefix-NN.txt.gz`` shards of about _SHARD_CHARS characters, one sentence per line;
    gzip mtime 0 keeps the bytes the same on every import."""
    shard = nchars = nsent = han_total = 0
    raw = f = None
    try:
        for s in sentences:
            if f is None or nchars >= _SHARD_CHARS:
                if f is not None:
                    f.close()
                    raw.close()
                shard += 1
                raw = open(out_dir / f"{prefix}-{shard:02d}.txt.gz", "wb")
                f = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0)
                nchars = 0
            f.write((s + "\n").encode("utf-8"))
            nchars += len(s)
            nsent += 1
            han_total += len(_HAN.findall(s))
    finally:
        if f is not None:
            f.close()
            raw.close()
    return {"sentences": nsent, "han_chars": han_total, "shards": shard}


def iter_corpus(corpus_dir: str | Path) -> Iterator[str]:
    """Yield training sentences from the gzip shards, in a fixed order."""
    for p in sorted(Path(corpus_dir).glob("*.txt.gz")):
        with gzip.open(p, "rt", encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    yield line
