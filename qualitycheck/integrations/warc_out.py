"""WARC output of a crawl: request/response pairs and fetch failures, optionally rotated into shards.

A many-site crawl writes ``crawl-00000.warc.gz``, ``crawl-00001.warc.gz`` … of bounded size; the
shard being written carries a ``.partial`` suffix until it is full and closed, so a folder of
finished shards can be linted (or copied to a cluster) while the crawl goes on. Every record is
its own gzip member, so a shard cut after any record is still a valid WARC.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any, BinaryIO

from ..sources import FETCH_ERROR_TYPE

SITE_HEADER = "WARC-Qualitycheck-Site"  # the registry site a page was fetched for (read by iter_warc)
SHARD_PREFIX = "crawl-"
SHARD_SUFFIX = ".warc.gz"
PARTIAL = ".partial"


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _headers(items) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), b", ".join(v).decode("latin-1")) for k, v in items]


def write_response_pair(writer: Any, response: Any, request: Any, site: str | None = None) -> None:
    """One Scrapy response and its request as a WARC request/response pair."""
    from warcio.statusandheaders import StatusAndHeaders

    # Scrapy has already decoded the body: drop the transfer encodings it undid.
    skip = {b"content-encoding", b"transfer-encoding", b"content-length"}
    headers = _headers((k, v) for k, v in response.headers.items() if k.lower() not in skip)
    headers.append(("Content-Length", str(len(response.body))))
    extra = {SITE_HEADER: site} if site else None
    req = writer.create_warc_record(
        response.url, "request", payload=io.BytesIO(b""), warc_headers_dict=extra,
        http_headers=StatusAndHeaders(f"{request.method} {request.url} HTTP/1.1", _headers(request.headers.items()),
                                      is_http_request=True),
    )
    resp = writer.create_warc_record(
        response.url, "response", payload=io.BytesIO(response.body), warc_headers_dict=extra,
        http_headers=StatusAndHeaders(f"{response.status} {_reason(response.status)}", headers, protocol="HTTP/1.1"),
    )
    writer.write_request_response_pair(req, resp)


def write_fetch_error(writer: Any, url: str, error: str, referer: str | None, site: str | None = None) -> None:
    """A failed fetch (DNS, refused, timeout) as a metadata record lint-site reads as a dead link."""
    payload = json.dumps({"error": error, "referer": referer}, ensure_ascii=False).encode("utf-8")
    extra = {SITE_HEADER: site} if site else None
    record = writer.create_warc_record(url, "metadata", payload=io.BytesIO(payload),
                                       warc_content_type=FETCH_ERROR_TYPE, warc_headers_dict=extra)
    writer.write_record(record)


def shard_name(index: int) -> str:
    return f"{SHARD_PREFIX}{index:05d}{SHARD_SUFFIX}"


def shard_index(name: str) -> int | None:
    """The index in ``crawl-00012.warc.gz`` (or its ``.partial``), None for other names."""
    name = name.removesuffix(PARTIAL)
    if not (name.startswith(SHARD_PREFIX) and name.endswith(SHARD_SUFFIX)):
        return None
    digits = name[len(SHARD_PREFIX):-len(SHARD_SUFFIX)]
    return int(digits) if digits.isdigit() else None


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class WarcShards:
    """Writes records into ``folder``, starting a new shard once the current one reaches ``max_bytes``."""

    def __init__(self, folder: str | Path, max_bytes: int, next_index: int = 0):
        from warcio.warcwriter import WARCWriter

        self._writer_class = WARCWriter
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.index = next_index
        self._file: BinaryIO | None = None
        self._writer: Any = None

    @property
    def current(self) -> str:
        return shard_name(self.index)

    def _open(self) -> Any:
        if self._writer is None:
            self._file = open(self.folder / (self.current + PARTIAL), "ab")
            self._writer = self._writer_class(self._file, gzip=True)
        return self._writer

    def write(self, fill) -> tuple[str, int]:
        """Run ``fill(writer)``; return the shard name and the offset just after what it wrote."""
        writer = self._open()
        fill(writer)
        self._file.flush()  # in the kernel: survives a SIGKILL of this process
        return self.current, self._file.tell()

    def sync(self) -> None:
        if self._file is not None:
            os.fsync(self._file.fileno())

    def rotate_if_full(self) -> str | None:
        """Close the current shard under its final name if it is full; return that name."""
        if self._file is None or self._file.tell() < self.max_bytes:
            return None
        return self.close()

    def close(self) -> str | None:
        if self._file is None:
            return None
        name = self.current
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = self._writer = None
        os.replace(self.folder / (name + PARTIAL), self.folder / name)
        _fsync_dir(self.folder)
        self.index += 1
        return name


def settle_shards(folder: str | Path, last_shard: str | None, last_end: int, rotated: set[str]) -> int:
    """Make a crawl's shard folder agree with its journal before a resumed crawl writes more.

    The journal's last record ends at ``last_end`` in ``last_shard``: that shard is cut there (what a
    killed crawl wrote after its last journal line is fetched again) and closed under its final
    name. Partial shards the journal never reached are removed. Returns the next shard index.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    highest = -1
    for path in sorted(folder.iterdir()):
        index = shard_index(path.name)
        if index is None:
            continue
        final = path.name.removesuffix(PARTIAL)
        if final == last_shard and final not in rotated:
            with open(path, "r+b") as fh:
                fh.truncate(last_end)
                fh.flush()
                os.fsync(fh.fileno())
            if path.name != final:
                os.replace(path, folder / final)
            highest = max(highest, index)
        elif path.name.endswith(PARTIAL):
            path.unlink()
        else:
            highest = max(highest, index)
    _fsync_dir(folder)
    return highest + 1
