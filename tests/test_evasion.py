"""A hacked site must not pass by breaking its own pages (issue 15).

Each attack is made at test time from the failing demo site: a NUL byte after <head>,
hundreds to thousands of empty nested <div>s after <body>, pages that cannot be read at
all, and a page crafted against the canonical-link pattern. The verdict and findings must
be those of the original site, and a site that could not be read is never 合格.
"""

from __future__ import annotations

import shutil
import signal
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from qualitycheck.config import Config
from qualitycheck.batch import lint_site

ROOT = Path(__file__).resolve().parent.parent
FAILING = ROOT / "examples" / "site" / "www.demo-b.gov.cn"
PASSING = ROOT / "examples" / "site" / "www.demo-a.gov.cn"
CONFIG = Config.default().with_overrides(typo={"language_model": False})
AS_OF = date(2025, 6, 30)  # the demo sites' inspection day


def _copy(site: Path, dest: Path, mangle=None) -> Path:
    root = dest / "pages"
    shutil.copytree(site, root / site.name)
    if mangle is not None:
        for page in (root / site.name).rglob("*.html"):
            page.write_bytes(mangle(page.read_bytes()))
    return root


def _run(root: Path, out: Path) -> tuple[dict, Counter]:
    import json

    summary = lint_site(root, out, config=CONFIG, as_of=AS_OF, warm=False)
    (site,) = summary["sites"]
    codes = Counter(json.loads(line)["code"] for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines())
    return site, codes


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("original")
    return _run(_copy(FAILING, tmp), tmp / "out")


def _after_body(data: bytes, insert: bytes) -> bytes:
    at = data.find(b">", data.find(b"<body")) + 1
    return data[:at] + insert + data[at:]


@pytest.mark.parametrize("attack", ["nul-after-head", "divs-300", "divs-5000", "divs-20000"])
def test_a_failing_site_stays_failing_with_the_same_findings(tmp_path, original, attack):
    if attack == "nul-after-head":
        def mangle(data):
            return data.replace(b"<head>", b"<head>\x00", 1)
    else:
        depth = int(attack.split("-")[1])

        def mangle(data):
            return _after_body(data, b"<div>" * depth + b"</div>" * depth)
    site, codes = _run(_copy(FAILING, tmp_path, mangle), tmp_path / "out")
    base_site, base_codes = original
    assert base_site["verdict"] == "不合格"
    assert site["verdict"] == "不合格"
    assert site["failed_pages"] == 0
    assert codes == base_codes


def test_a_site_whose_pages_cannot_be_read_gets_no_verdict(tmp_path):
    site, codes = _run(_copy(PASSING, tmp_path, lambda data: b"\x00\x01\x02\xff" * 2000), tmp_path / "out")
    assert site["verdict"] == "无法判定" and not site["passed"]
    assert site["failed_pages"] == site["pages"] and codes["QC900"] == site["pages"]


def test_a_few_unread_pages_leave_the_verdict_to_the_rest(tmp_path):
    root = _copy(PASSING, tmp_path)
    # one news article in many (its column page still lists it): under max_unread_share
    (root / PASSING.name / "gzdt" / "t5.html").write_bytes(b"\x00\x01\x02\xff" * 2000)
    site, _ = _run(root, tmp_path / "out")
    assert site["failed_pages"] == 1 and site["verdict"] == "合格"
    strict = Config.default().with_overrides(typo={"language_model": False}, limits={"max_unread_share": 0.0})
    summary = lint_site(root, tmp_path / "strict", config=strict, as_of=AS_OF, warm=False)
    assert summary["sites"][0]["verdict"] == "无法判定"


def test_the_canonical_link_of_a_crafted_page_is_read_quickly_and_right():
    from qualitycheck import sources

    def alarm(signum, frame):
        raise TimeoutError("canonical-link scan took more than 5 s")

    crafted = b"<link " + b"rel='canonical' " * 2000 + b"x" * 20000  # the old pattern backtracked for ~20 s
    good = b"<html><head><link rel='canonical' href='http://www.demo-b.gov.cn/a/1.html'></head></html>"
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(5)
    try:
        assert sources.canonical_link(crafted) is None
        assert sources.canonical_link(good) == "http://www.demo-b.gov.cn/a/1.html"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
