"""Where site pages come from: a folder of saved HTML, or WARC files from a crawl.

Each page is a PageSource: the bytes, the URL when known, the site it belongs
to, and where it was read from (for reports). Pages are yielded one at a time
so a 10,000-page crawl never sits in memory.
"""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from .errors import InputError

HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php", ".do", ""}
_HOSTLIKE = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?$", re.I)
# One <link>/<meta> tag at a time, then its attributes: linear (the old single pattern with two
# [^>]+ runs took ~20 s on a crafted 20 KB page).
_CANONICAL_TAG = re.compile(rb"<(?:link|meta)\b[^<>]{0,2000}>", re.I)
_TAG_ATTR = re.compile(rb"""([a-z:-]{1,40})\s*=\s*(?:"([^"]{0,2000})"|'([^']{0,2000})'|([^\s"'>]{1,2000}))""", re.I)


@dataclass
class PageSource:
    data: bytes
    url: str | None
    site: str
    origin: str  # file path, or "file.warc.gz#offset"
    status: int | None = None  # HTTP status when the page came from a crawl; 0 = the fetch failed
    error: str | None = None  # set when the page could not be read at all
    referer: str | None = None  # the page that linked here, when the crawl recorded it
    fetch_error: str | None = None  # DNS or connection failure recorded by the crawl
    damaged_input: str | None = None  # the WARC file this marks as cut or corrupt from here on

    @property
    def fetch_problem(self) -> str:
        if self.fetch_error:
            return self.fetch_error
        return f"HTTP {self.status}" if self.status else "无法获取"


def url_host(url: str | None) -> str:
    """The lower-case host of a URL ("" when there is none or the URL is malformed)."""
    if not url:
        return ""
    try:
        return (urlsplit(url if "://" in url or url.startswith("//") else "//" + url).hostname or "").lower()
    except ValueError:  # e.g. http://[bad
        return ""


def site_of(url: str | None) -> str | None:
    """The site a page belongs to: its host, or None."""
    return url_host(url) or None


def _url_for_file(path: Path, root: Path, data: bytes) -> str | None:
    """A saved page's URL: from a host-named folder (wget -r layout) or a canonical link."""
    rel = path.relative_to(root)
    parts = rel.parts
    if root.name and _HOSTLIKE.match(root.name):
        return f"http://{root.name}/" + "/".join(parts)
    if len(parts) > 1 and _HOSTLIKE.match(parts[0]):
        return f"http://{parts[0]}/" + "/".join(parts[1:])
    # A canonical link is read by the page worker, inside the per-page time limit (runner.py).
    return None


def canonical_link(data: bytes) -> str | None:
    """The http(s) URL of the first <link rel=canonical href> or <meta property=og:url content>."""
    for tag in _CANONICAL_TAG.finditer(data):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or b""
                 for m in _TAG_ATTR.finditer(tag.group(0))}
        if attrs.get(b"rel", b"").lower() == b"canonical":
            value = attrs.get(b"href", b"")
        elif attrs.get(b"property", b"").lower() == b"og:url":
            value = attrs.get(b"content", b"")
        else:
            continue
        if value[:7].lower() == b"http://" or value[:8].lower() == b"https://":
            return value.decode("ascii", errors="ignore")
    return None


def _site_for_file(path: Path, root: Path, url: str | None) -> str:
    host = site_of(url)
    if host:
        return host
    rel = path.relative_to(root)
    # Without a URL, the top-level folder under the root is the site.
    return rel.parts[0] if len(rel.parts) > 1 else (root.name or "site")


WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")
# A folder's names are sorted in runs of this many, then merged from disk: a flat folder of
# 10 M saved pages is never listed in memory at once.
_SORT_RUN = 100_000


def is_warc_name(name: str) -> bool:
    return name.lower().endswith(WARC_SUFFIXES)


def is_page_name(name: str) -> bool:
    return not name.startswith(".") and not is_warc_name(name) and Path(name).suffix.lower() in HTML_SUFFIXES


def _sorted_names(folder: Path) -> Iterator[str]:
    """The entry names of one folder in sorted order, holding at most _SORT_RUN of them in memory."""
    import heapq
    import tempfile

    runs: list = []
    chunk: list[str] = []
    try:
        with os.scandir(folder) as it:
            for entry in it:
                chunk.append(entry.name)
                if len(chunk) >= _SORT_RUN:
                    run = tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogateescape")
                    run.writelines(name + "\n" for name in sorted(chunk))
                    run.seek(0)
                    runs.append(run)
                    chunk = []
        if not runs:
            yield from sorted(chunk)
            return
        streams = [(line.rstrip("\n") for line in run) for run in runs]
        yield from heapq.merge(sorted(chunk), *streams)
    finally:
        for run in runs:
            run.close()


def walk_files(root: Path) -> Iterator[Path]:
    """Every file under `root`, in the order of sorted paths, without listing the whole tree first.

    Depth first, each folder's entries sorted by name: the same order as sorting all the paths.
    """
    for name in _sorted_names(root):
        path = root / name
        try:
            if path.is_dir() and not path.is_symlink():
                yield from walk_files(path)
            elif path.is_file():
                yield path
        except OSError:  # vanished or unreadable entry: nothing to read
            continue


def read_page_file(path: Path, root: Path, max_bytes: int) -> PageSource:
    """One saved page; an unreadable or oversized file becomes a PageSource with its error."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return PageSource(b"", None, _site_for_file(path, root, None), str(path),
                              error=f"page is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:.0f} MB limit")
        data = path.read_bytes()
    except OSError as exc:
        return PageSource(b"", None, _site_for_file(path, root, None), str(path), error=f"cannot read: {exc.strerror}")
    url = _url_for_file(path, root, data)
    return PageSource(data, url, _site_for_file(path, root, url), str(path))


def iter_folder(root: Path, max_bytes: int) -> Iterator[PageSource]:
    """The saved pages of a folder (WARC files in it are read by lint-site's shards, not here)."""
    for path in walk_files(root):
        if is_page_name(path.name):
            yield read_page_file(path, root, max_bytes)


def open_input(location: str | Path):
    """A binary file object for a local path or any fsspec URL (s3://, hdfs://, file://)."""
    text = str(location)
    if "://" in text and not text.startswith("file://"):
        try:
            import fsspec
        except ImportError:
            raise InputError(f"{text}：读取远程文件需要 fsspec（pip install 'qualitycheck[cluster]'）") from None
        return fsspec.open(text, "rb").open()
    return open(text[7:] if text.startswith("file://") else text, "rb")


def _input_name(location: str | Path) -> str:
    return str(location).rstrip("/").rsplit("/", 1)[-1]


def check_warc_magic(path: str | Path) -> None:
    """Refuse files that are not WARC (warcio would read them as an empty archive)."""
    import gzip

    try:
        with open_input(path) as fh:
            head = fh.read(2)
            fh.seek(0)
            if head == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=fh) as gz:
                    start = gz.read(5)
            else:
                start = fh.read(5)
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: not a readable WARC file ({exc})") from None
    if start != b"WARC/":
        raise InputError(f"{path}: not a WARC file (it does not start with a WARC/1.x record)")


FETCH_ERROR_TYPE = "application/vnd.qualitycheck.fetch-error+json"


def iter_warc(path: str | Path, max_bytes: int) -> Iterator[PageSource]:
    """Response records of a WARC (gzipped or not), with the referer from the paired request record.

    Non-HTML payloads are skipped. Failed fetches that `qualitycheck crawl`
    records as metadata records come out with status 0 and the error. A record's site is its
    WARC-Qualitycheck-Site header (the registry site a many-site crawl fetched it for), else its host.
    `path` is a local path or an fsspec URL.
    """
    import json

    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    check_warc_magic(path)
    referers: dict[str, str | None] = {}
    # An error response waits for its request record (warcio writes the response first) to
    # learn which page linked to it.
    pending: PageSource | None = None
    name = _input_name(path)
    last_site = Path(name).stem

    def damage(offset: int | None, why: str, url: str | None = None) -> PageSource:
        where = f"偏移 {offset} 处" if offset is not None else ""
        return PageSource(b"", url, site_of(url) or last_site, f"{path}#{offset if offset is not None else '?'}",
                          error=f"WARC 文件 {name} 在{where}损坏或被截断（{why}）：之前的完整记录已检查，其后的记录无法读取",
                          damaged_input=str(path))

    iterator = None
    try:
        with open_input(path) as fh:
            iterator = ArchiveIterator(fh)
            for record in iterator:
                url = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "request":
                    referer = record.http_headers.get_header("Referer") if record.http_headers is not None else None
                    if pending is not None and pending.url == url:
                        pending.referer = pending.referer or referer
                        yield pending
                        pending = None
                    elif url:
                        if len(referers) > 10000:
                            referers.clear()  # pairs are adjacent; this only bounds memory
                        referers[url] = referer
                    continue
                if pending is not None:
                    yield pending
                    pending = None
                if record.rec_type == "metadata" and record.rec_headers.get_header("Content-Type") == FETCH_ERROR_TYPE:
                    try:
                        info = json.loads(record.content_stream().read(100000) or b"{}")
                    except ValueError:
                        continue
                    yield PageSource(b"", url, _record_site(record, url) or last_site, f"{path}#{iterator.get_record_offset()}",
                                     status=0, referer=info.get("referer"), fetch_error=info.get("error"))
                    continue
                if record.rec_type != "response":
                    continue
                status = None
                ctype = ""
                if record.http_headers is not None:
                    try:
                        status = int(record.http_headers.get_statuscode())
                    except (TypeError, ValueError):
                        status = None
                    ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                site = _record_site(record, url) or last_site
                referer = referers.pop(url, None) if url else None
                if status is not None and status >= 400:
                    pending = PageSource(b"", url, site, f"{path}#{iterator.get_record_offset()}", status,
                                         referer=referer)
                    continue
                if ctype and "html" not in ctype:
                    continue
                body = record.content_stream().read(max_bytes + 1)
                # get_record_offset() reads the record to its end: only after the body is read.
                offset = iterator.get_record_offset()
                origin = f"{path}#{offset}"
                last_site = site
                if len(body) <= max_bytes and getattr(record.raw_stream, "limit", 0) > 0:
                    # The file ends inside this record (a cut crawl, or a Content-Length that lies):
                    # the page is incomplete and nothing after it can be trusted.
                    yield damage(offset, f"记录声明 {record.length} 字节，文件在其中结束", url)
                    return
                if len(body) > max_bytes:
                    yield PageSource(b"", url, site, origin, status, error="page over the size limit", referer=referer)
                    continue
                yield PageSource(body, url, site, origin, status, referer=referer)
        if pending is not None:
            yield pending
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
        # Past the first bytes (checked above) a WARC is damaged, not foreign: keep what came before.
        if pending is not None:
            yield pending
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else exc.__class__.__name__
        yield damage(getattr(iterator, "offset", None), reason)


SITE_HEADER = "WARC-Qualitycheck-Site"


def _record_site(record, url: str | None) -> str | None:
    return record.rec_headers.get_header(SITE_HEADER) or site_of(url)


def iter_pages(target: str | Path, max_bytes: int) -> Iterator[PageSource]:
    """Pages from a folder, a WARC file, or a single HTML file."""
    p = Path(target)
    if not p.exists():
        raise InputError(f"{target}: no such file or folder")
    if p.is_dir():
        yield from iter_folder(p, max_bytes)
    elif is_warc_name(p.name):
        yield from iter_warc(p, max_bytes)
    else:
        from .extract.loader import read_input

        data = read_input(p, max_bytes)
        url = _url_for_file(p, p.parent, data)
        yield PageSource(data, url, site_of(url) or p.parent.name or "site", str(p))
