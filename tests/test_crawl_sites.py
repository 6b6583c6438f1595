"""`qualitycheck crawl --sites`: a registry of sites served on 127.0.0.1, crawled in one Scrapy process,
killed with SIGKILL and resumed."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "site"
AS_OF = "2025-06-30"
BIG_PAGES = 40


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _big_site(root: Path) -> None:
    """A site with more pages than the budget, and a folder robots.txt forbids."""
    root.mkdir(parents=True)
    links = "".join(f'<li><a href="/p{i}.html">第{i}条</a><span>2025-06-{1 + i % 28:02d}</span></li>'
                    for i in range(1, BIG_PAGES))
    (root / "index.html").write_text(
        f'<html><head><meta charset="utf-8"><title>大站首页</title></head><body><ul>{links}</ul>'
        '<a href="/private/secret.html">内部</a></body></html>', encoding="utf-8")
    for i in range(1, BIG_PAGES):
        (root / f"p{i}.html").write_text(
            f'<html><head><meta charset="utf-8"><title>第{i}条</title></head><body><h1>第{i}条</h1>'
            f'<p>发布日期：2025-06-{1 + i % 28:02d}</p><p>这是第{i}条信息的正文内容。</p></body></html>', encoding="utf-8")
    (root / "private").mkdir()
    (root / "private" / "secret.html").write_text("<html><body>不应抓取</body></html>", encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Three sites on their own ports, a registry naming them, one dead site and one bad row."""
    base = tmp_path_factory.mktemp("sites")
    folders = [base / "a", base / "b", base / "big"]
    shutil.copytree(EXAMPLE / "www.demo-a.gov.cn", folders[0])
    shutil.copytree(EXAMPLE / "www.demo-b.gov.cn", folders[1])
    _big_site(folders[2])
    servers, urls = [], []
    for folder in folders:
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        urls.append(f"http://127.0.0.1:{server.server_address[1]}/")
    registry = base / "registry.csv"
    registry.write_text(
        "网站名称,网站标识码,首页网址,主办单位,地区,级别\n"
        f"示例甲,5100000099,{urls[0]},甲办,510000,县\n"
        f"示例乙,5100000002,{urls[1]},乙办,510000,县\n"
        f"大站,5100000003,{urls[2]},大站办,510000,县\n"
        "停用站,5100000004,http://127.0.0.1:1/,停用办,510000,县\n"
        ",5100000005,http://127.0.0.1:2/,无名办,510000,县\n", encoding="utf-8")
    yield {"registry": registry, "urls": urls}
    for server in servers:
        server.shutdown()


def crawl_args(sites, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "qualitycheck.cli", "crawl", "--sites", str(sites["registry"]), "--out", str(out),
            "--as-of", AS_OF, "--no-lm", "--concurrency", "1", "--max-pages", "15", "--shard-mb", "0.03", *extra]


def run(args: list[str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def warc_urls(out: Path) -> list[tuple[str, str]]:
    """(site header, URL) of every response and fetch-error record in the crawl's shards."""
    found = []
    for shard in sorted((out / "warc").iterdir()):
        assert shard.name.endswith(".warc.gz"), shard.name  # no .partial left behind
        with open(shard, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "metadata"):
                    found.append((record.rec_headers.get_header("WARC-Qualitycheck-Site"),
                                  record.rec_headers.get_header("WARC-Target-URI")))
    return found


def findings(out: Path) -> Counter:
    rows = [json.loads(x) for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    return Counter(json.dumps({k: v for k, v in r.items() if k not in ("source", "fingerprint")},
                              ensure_ascii=False, sort_keys=True) for r in rows)


def verdicts(out: Path) -> dict:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {s["site"]: (s["verdict"], s["pages"], [(i["item"], i["failed"]) for i in s["veto_items"]])
            for s in summary["sites"]}


@pytest.fixture(scope="module")
def whole(sites, tmp_path_factory):
    out = tmp_path_factory.mktemp("whole")
    proc = run(crawl_args(sites, out, "--delay", "0"))
    return proc, out


def test_every_registered_site_is_crawled_within_its_budget(sites, whole):
    proc, out = whole
    assert proc.returncode == 1, proc.stderr  # the demo site 乙 fails
    assert "第6行" in proc.stderr and "网站名称" in proc.stderr  # the bad registry row, named, the rest go on
    records = warc_urls(out)
    urls = [u for _, u in records]
    assert len(urls) == len(set(urls)), "a URL was fetched twice"
    per_site = Counter(site for site, _ in records)
    a, b, big = (u.removeprefix("http://").rstrip("/") for u in sites["urls"])
    assert per_site[big] == 15                       # the page budget, start page included
    assert per_site[a] > 10 and per_site[b] > 10    # the demo sites fit in it
    assert per_site["127.0.0.1:1"] == 1             # the dead site: one fetch failure recorded
    assert not any("/private/" in u for u in urls)  # robots.txt obeyed
    assert all(site in (a, b, big, "127.0.0.1:1") for site in per_site)  # same-site links only
    assert len(list((out / "warc").iterdir())) > 1   # rotated into shards
    result = verdicts(out)
    assert result[b][0] == "不合格" and result["127.0.0.1:1"][0] == "不合格"
    assert (out / "notice.docx").exists() and (out / "report.html").exists()


def test_a_crawl_killed_with_sigkill_resumes_to_the_same_findings(sites, whole, tmp_path):
    _, reference = whole
    out = tmp_path / "killed"
    args = crawl_args(sites, out, "--delay", "0.1")
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = out / "crawl-journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_bytes().count(b'"k":"done"') >= 20:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the crawl ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "summary.json").exists()
    done_before = journal.read_bytes().count(b'"k":"done"')

    again = run(crawl_args(sites, out, "--delay", "0.1", "--resume"))
    assert again.returncode == 1, again.stderr
    assert f"此前已完成 {done_before} 个" in again.stdout
    assert sorted(warc_urls(out)) == sorted(warc_urls(reference))  # every page once, none twice
    left, right = findings(out), findings(reference)
    assert left == right, (sorted(left - right)[:2], sorted(right - left)[:2])
    assert verdicts(out) == verdicts(reference)


def test_resume_refuses_another_crawl_and_a_rerun_needs_resume(sites, whole):
    _, out = whole
    before = (out / "crawl-journal.jsonl").read_bytes()
    proc = run(crawl_args(sites, out))
    assert proc.returncode == 2 and "--resume" in proc.stderr and "Traceback" not in proc.stderr
    proc = run([*crawl_args(sites, out), "--resume", "--max-pages", "30"])
    assert proc.returncode == 2 and "无法续跑" in proc.stderr and "max_pages" in proc.stderr
    assert (out / "crawl-journal.jsonl").read_bytes() == before


def test_a_site_out_of_time_stops_being_crawled(sites, tmp_path):
    out = tmp_path / "timed"
    proc = run(crawl_args(sites, out, "--delay", "0.3", "--site-minutes", "0.02", "--max-pages", "40"))
    assert proc.returncode in (0, 1), proc.stderr
    assert "站点抓取时间已用完" in proc.stdout
    big = sites["urls"][2].removeprefix("http://").rstrip("/")
    fetched = sum(1 for site, _ in warc_urls(out) if site == big)
    assert 1 <= fetched < BIG_PAGES - 10


class _Hostile(SimpleHTTPRequestHandler):
    """A hacked or broken site: traps for a crawler, all on 127.0.0.1."""

    other = ""  # another site's address, for the off-site redirect

    def log_message(self, *args):
        pass

    def _html(self, body: str, status: int = 200, headers: dict | None = None) -> None:
        data = f'<html><head><meta charset="utf-8"><title>陷阱</title></head><body>{body}</body></html>'.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - http.server's name
        path = self.path
        if path == "/":
            self._html('<a href="/cal?m=1">日历</a><a href="/loop-a">循环</a><a href="/away">外站</a>'
                       '<a href="/huge">大文件</a><a href="/bomb">压缩炸弹</a><a href="/slow">慢</a>'
                       '<a href="/grow/x">越来越长</a>')
        elif path.startswith("/cal?m="):
            month = int(path.split("=")[1])
            self._html(f'<p>{month}月</p><a href="/cal?m={month + 1}">下个月</a>')  # for ever
        elif path in ("/loop-a", "/loop-b"):
            self._html("", 302, {"Location": "/loop-b" if path == "/loop-a" else "/loop-a"})
        elif path == "/away":
            self._html("", 302, {"Location": self.other})
        elif path.startswith("/grow/"):
            self._html(f'<a href="{path}x{"y" * 300}">更长</a>')
        elif path == "/huge":  # 100 MB, sent as fast as the socket takes it
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(100 * 1024 * 1024))
            self.end_headers()
            try:
                chunk = b"<p>" + b"x" * (1024 * 1024 - 3)
                for _ in range(100):
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif path == "/bomb":  # 250 KB of gzip that inflates to 256 MB
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            self.wfile.write(BOMB)
        elif path == "/slow":
            time.sleep(6)
            self._html("<p>终于</p>")
        else:
            self._html("<p>没有</p>", 404)


def _gzip_bomb() -> bytes:
    import io

    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        block = b"\0" * (1024 * 1024)
        for _ in range(256):
            gz.write(block)
    return buf.getvalue()


BOMB = b""


@pytest.fixture(scope="module")
def hostile(sites):
    global BOMB
    BOMB = BOMB or _gzip_bomb()
    _Hostile.other = sites["urls"][0]  # a registered site, but not this one
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # the crawler hanging up on /huge is the point
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_a_hostile_site_keeps_the_crawl_inside_its_limits(hostile, tmp_path):
    url = hostile
    registry = tmp_path / "hostile.csv"
    registry.write_text("网站名称,网站标识码,首页网址,主办单位,地区,级别\n"
                        f"被黑站,5100000009,{url},某办,510000,县\n", encoding="utf-8")
    out = tmp_path / "out"
    started = time.monotonic()
    proc = run([sys.executable, "-m", "qualitycheck.cli", "crawl", "--sites", str(registry), "--out", str(out),
                "--as-of", AS_OF, "--no-lm", "--delay", "0", "--max-pages", "40", "--max-depth", "8",
                "--download-timeout", "2"], timeout=240)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert time.monotonic() - started < 200
    urls = [u for _, u in warc_urls(out)]
    site = url.removeprefix("http://").rstrip("/")
    assert all(u.startswith(url) for u in urls), "the crawl left its site"
    assert sum(u.startswith(url + "cal?m=") for u in urls) <= 8       # the calendar trap stops at the depth cap
    assert not any(len(u) > 2000 for u in urls)
    assert not any(u.endswith("/huge") or u.endswith("/bomb") for u in urls)  # not stored, not dead links
    limits = json.loads((out / "crawl.json").read_text(encoding="utf-8"))["sites"][site]["limits"]
    for limit in ("超过链接深度上限", "跳转到站外", "重定向次数过多", "页面超过大小上限"):
        assert limit in limits, limits
    assert "触及的抓取限制" in proc.stdout
    findings_text = (out / "findings.jsonl").read_text(encoding="utf-8")
    assert "/huge" not in findings_text and "/bomb" not in findings_text  # a limit is not a dead link
    assert '/slow' in findings_text  # the response that never came in time is a dead link (timeout)


def test_the_one_site_crawl_holds_the_same_limits(hostile, tmp_path):
    out = tmp_path / "one"
    proc = run([sys.executable, "-m", "qualitycheck.cli", "crawl", hostile, "--out", str(out), "--as-of", AS_OF,
                "--no-lm", "--delay", "0", "--max-pages", "100", "--max-depth", "8"], timeout=240)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "页面超过大小上限" in proc.stdout and "超过链接深度上限" in proc.stdout
    rows = [json.loads(x) for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    dead = {r["evidence"]["dead_url"] for r in rows if r["code"] == "QC601"}
    assert not any(u.endswith(("/huge", "/bomb")) for u in dead), dead  # our limits, not dead links
    with open(out / "crawl.warc.gz", "rb") as fh:
        urls = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh) if r.rec_type == "response"]
    assert urls and all(u.startswith(hostile) for u in urls)  # the off-site redirect was not followed
