"""Split a run's input into shards: one WARC file each, or a fixed number of saved pages.

Shards are planned lazily while the input folder is walked (sources.walk_files), so a
folder of 10 M pages is never listed in memory. A shard's key hashes what it holds: a
resumed run skips the shards whose key its manifest already has, and refuses an input
that changed under it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..sources import (PageSource, check_warc_magic, is_page_name, is_warc_name, iter_warc, read_page_file,
                       walk_files)

DEFAULT_SHARD_PAGES = 500


@dataclass(frozen=True)
class Shard:
    """A unit of work: a WARC (local path or fsspec URL), or saved pages under one root."""

    index: int
    kind: str  # "warc" | "pages"
    paths: tuple[str, ...]
    root: str = ""  # the folder saved pages are named relative to (their site comes from it)

    @property
    def name(self) -> str:
        return f"{self.index:06d}"

    @property
    def key(self) -> str:
        digest = hashlib.sha1(self.kind.encode())
        for path in self.paths:
            digest.update(b"\0" + path.encode("utf-8", "surrogateescape"))
        return digest.hexdigest()[:16]


def plan_shards(target: str | Path, shard_pages: int = DEFAULT_SHARD_PAGES) -> Iterator[Shard]:
    """The shards of a run's input, in a fixed order: a folder (saved pages and WARC files, walked
    in sorted order), one WARC, one saved page, or an fsspec URL of a WARC, a folder or a glob."""
    text = str(target)
    if "://" in text and not text.startswith("file://"):
        yield from _remote_shards(text)
        return
    root = Path(text[7:] if text.startswith("file://") else text)
    if not root.exists():
        raise InputError(f"{target}：没有这个文件或文件夹")
    if root.is_file():
        if is_warc_name(root.name):
            check_warc_magic(root)  # the one input named is not a WARC: a usage error, not a QC900
            yield Shard(0, "warc", (str(root),))
        else:
            yield Shard(0, "pages", (str(root),), str(root.parent))
        return
    index = 0
    group: list[str] = []
    for path in walk_files(root):
        if is_warc_name(path.name):
            if group:
                yield Shard(index, "pages", tuple(group), str(root))
                index, group = index + 1, []
            yield Shard(index, "warc", (str(path),))
            index += 1
        elif is_page_name(path.name):
            group.append(str(path))
            if len(group) >= shard_pages:
                yield Shard(index, "pages", tuple(group), str(root))
                index, group = index + 1, []
    if group:
        yield Shard(index, "pages", tuple(group), str(root))


def _remote_shards(url: str) -> Iterator[Shard]:
    try:
        import fsspec
    except ImportError:
        raise InputError(f"{url}：读取远程输入需要 fsspec（pip install 'qualitycheck[cluster]'）") from None
    fs, path = fsspec.core.url_to_fs(url)
    if fs.isdir(path):
        names = sorted(p for p in fs.find(path) if is_warc_name(p.rsplit("/", 1)[-1]))
    else:
        names = sorted(fs.glob(path)) if any(c in path for c in "*?[") else [path]
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    if not names:
        raise InputError(f"{url}：没有找到 WARC 文件")
    for index, name in enumerate(names):
        yield Shard(index, "warc", (name if "://" in name else f"{protocol}://{name}",))


def shard_pages(shard: Shard, max_bytes: int) -> Iterator[PageSource]:
    """The pages of one shard, read one at a time."""
    if shard.kind == "warc":
        yield from iter_warc(shard.paths[0], max_bytes)
        return
    root = Path(shard.root)
    for path in shard.paths:
        yield read_page_file(Path(path), root, max_bytes)
