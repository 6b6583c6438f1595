"""A run's manifest: one line per finished shard, so a killed run resumes where it stopped.

Layout under the output folder:

    shards/manifest.jsonl           header line (job fingerprint, target), then one line per shard
    shards/NNNNNN.findings.jsonl.gz the shard's page findings
    shards/NNNNNN.records           the shard's page records, one pickled block per site

A shard's files are written atomically before its manifest line is appended and synced, so
a line means the shard is complete; a kill at any moment loses at most the shards in flight.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..report.atomic import atomic_open
from .shards import Shard
from .steps import ShardOutput

SCHEMA = "qualitycheck/shards@1"


class Manifest:
    def __init__(self, folder: Path, header: dict, entries: dict[int, dict]):
        self.folder = folder
        self.header = header
        self.entries = entries  # shard index → its line (without the findings and records themselves)
        self._fh = (folder / "manifest.jsonl").open("a", encoding="utf-8")

    @classmethod
    def open(cls, out: Path, header: dict, resume: bool) -> "Manifest":
        """Start a fresh manifest, or (resume) continue one written for the same job and input."""
        folder = out / "shards"
        path = folder / "manifest.jsonl"
        header = {"schema": SCHEMA, **header}
        if resume and path.exists():
            earlier, entries = _read(path)
            if earlier is not None:
                for key in ("job", "target", "shard_pages"):
                    if earlier.get(key) != header.get(key):
                        raise InputError(
                            f"无法续跑：{out} 中上次运行的{_LABELS[key]}与本次不同（上次 {earlier.get(key)!r}，本次 "
                            f"{header.get(key)!r}）。请使用相同的输入和配置，或去掉 --resume 重新开始")
                # Rewrite the complete lines only: a line cut by the kill must not swallow the next one.
                with atomic_open(path, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(earlier, ensure_ascii=False) + "\n")
                    for index in sorted(entries):
                        fh.write(json.dumps(entries[index], ensure_ascii=False) + "\n")
                return cls(folder, earlier, entries)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        with atomic_open(path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(header, ensure_ascii=False) + "\n")
        return cls(folder, header, {})

    def is_done(self, shard: Shard) -> bool:
        entry = self.entries.get(shard.index)
        if entry is None:
            return False
        if entry["key"] != shard.key:
            raise InputError(f"无法续跑：第 {shard.index} 个分片（{shard.paths[0]} 起）的输入与上次运行不同。"
                             "输入文件夹在两次运行之间被改动过；请去掉 --resume 重新开始")
        return True

    def store(self, output: ShardOutput) -> dict:
        """Write a finished shard's files, then its manifest line."""
        name = f"{output.shard:06d}"
        with atomic_open(self.folder / f"{name}.findings.jsonl.gz", "wb") as fh:
            fh.write(output.findings_gz)
        index: dict[str, list[int]] = {}
        with atomic_open(self.folder / f"{name}.records", "wb") as fh:
            offset = 0
            for site, blob in output.records.items():
                fh.write(blob)
                index[site] = [offset, len(blob)]
                offset += len(blob)
        entry = {"shard": output.shard, "key": output.key, "pages": output.pages, "dead_links": output.dead_links,
                 "findings": output.findings, "seconds": round(output.seconds, 3), "sites": index,
                 "incomplete_inputs": output.incomplete_inputs}
        self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.entries[output.shard] = entry
        return entry

    def close(self) -> None:
        self._fh.close()

    def ordered(self) -> list[dict]:
        return [self.entries[i] for i in sorted(self.entries)]

    def site_refs(self) -> dict[str, list[tuple[int, int, int]]]:
        """Each site's record blocks as (shard, offset, length), in shard order."""
        refs: dict[str, list[tuple[int, int, int]]] = {}
        for entry in self.ordered():
            for site, (offset, length) in entry["sites"].items():
                refs.setdefault(site, []).append((entry["shard"], offset, length))
        return refs

    def read_blocks(self, refs: list[tuple[int, int, int]]) -> list[bytes]:
        blocks = []
        for shard, offset, length in refs:
            with (self.folder / f"{shard:06d}.records").open("rb") as fh:
                fh.seek(offset)
                blocks.append(fh.read(length))
        return blocks

    def findings_files(self) -> Iterator[Path]:
        for entry in self.ordered():
            yield self.folder / f"{entry['shard']:06d}.findings.jsonl.gz"


_LABELS = {"job": "配置（含日期、名录、基线）", "target": "输入", "shard_pages": "分片大小"}


def _read(path: Path) -> tuple[dict | None, dict[int, dict]]:
    """The header and the complete lines; a line cut by a kill is ignored (its shard is redone)."""
    header = None
    entries: dict[int, dict] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh):
            if not line.endswith("\n"):
                break
            try:
                row = json.loads(line)
            except ValueError:
                break
            if number == 0:
                header = row if row.get("schema") == SCHEMA else None
                if header is None:
                    return None, {}
            else:
                entries[row["shard"]] = row
    return header, entries
