"""lint-site as an inspector runs it: verdicts, reports, bad pages, workers, WARC input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualitycheck.cli import main
from qualitycheck.config import Config
from qualitycheck.batch import lint_site

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "site"
AS_OF = "2025-06-30"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(main, ["lint-site", str(EXAMPLE), "--as-of", AS_OF, "--out", str(out), "--no-lm"],
                                catch_exceptions=False)
    return result, out


def test_example_crawl_one_site_passes_one_fails(example_run):
    result, out = example_run
    assert result.exit_code == 1, result.output  # a site failed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    verdicts = {s["site"]: s["verdict"] for s in summary["sites"]}
    assert verdicts == {"www.demo-a.gov.cn": "合格", "www.demo-b.gov.cn": "不合格"}
    assert summary["totals"]["pass_rate"] == 50.0
    failing = next(s for s in summary["sites"] if s["site"] == "www.demo-b.gov.cn")
    failed = {i["item"]: i for i in failing["veto_items"] if i["failed"] and i.get("veto", True)}
    assert set(failed) == {"首页不更新", "空白栏目", "互动回应差", "严重问题（暗链、赌博色情链接）"}
    assert failed["空白栏目"]["count"] == 5 and failed["空白栏目"]["threshold"] == 5
    # Every veto verdict is traceable: clause and evidence with URLs.
    for item in failed.values():
        assert item["rule_source"].startswith("国办秘函〔2019〕19号")
    assert any(e.get("url", "").startswith("http://www.demo-b.gov.cn/") for e in failed["空白栏目"]["evidence"])
    passing = next(s for s in summary["sites"] if s["site"] == "www.demo-a.gov.cn")
    assert not any(i["failed"] for i in passing["veto_items"] if i.get("veto", True))


def test_example_reports_agree(example_run):
    _, out = example_run
    rows = read_jsonl(out / "findings.jsonl")
    assert rows and all(r["url"] or r["source"] for r in rows)
    with (out / "findings.csv").open(encoding="utf-8-sig") as fh:
        csv_rows = list(csv.reader(fh))
    assert len(csv_rows) == len(rows) + 1 and csv_rows[0][0] == "站点"
    from openpyxl import load_workbook

    wb = load_workbook(out / "findings.xlsx", read_only=True)
    sites = [s["site"] for s in json.loads((out / "summary.json").read_text(encoding="utf-8"))["sites"]]
    with_findings = [s for s in sites if any(r["site"] == s for r in rows)]
    assert wb.sheetnames == ["站点结论", *with_findings]
    for site in with_findings:  # every finding is in its site's sheet, identical ones as one row with a count
        sheet = list(wb[site].iter_rows(values_only=True))
        pages_col = sheet[0].index("出现页数")
        assert sum(r[pages_col] for r in sheet[1:]) == sum(1 for r in rows if r["site"] == site)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "总体合格率" in html and "www.demo-b.gov.cn" in html and "<svg" in html
    assert "http://" not in html.split("<body>")[0]  # self-contained: nothing loaded from elsewhere
    codes = {r["code"] for r in rows if r["site"] == "www.demo-b.gov.cn"}
    assert {"QC301", "QC303", "QC304", "QC401", "QC408", "QC501"} <= codes


def _bad_pages(root: Path) -> None:
    site = root / "www.bad.gov.cn"
    site.mkdir(parents=True)
    (site / "ok.html").write_text("<html><head><title>通知</title></head><body><h1>关于开展检查的通知</h1>"
                                  "<p>各单位：现将有关事项通知如下。</p></body></html>", encoding="utf-8")
    (site / "gbk.html").write_bytes(("<html><head><meta charset=gbk><title>关于整改情况的公告</title></head><body>"
                                     "<h1>关于整改情况的公告</h1><div>发布时间：2024-05-06</div><div class='content'><p>"
                                     + "按照工作要求，各单位认真开展自查，逐项整改落实。" * 8
                                     + "截止2024年底完成整改。</p></div></body></html>").encode("gbk"))
    (site / "empty.html").write_bytes(b"")
    (site / "junk.html").write_bytes(bytes(range(256)) * 40)
    (site / "big.html").write_bytes(b"<html><body>" + ("<p>" + "政务" * 400 + "</p>").encode() * 1200 + b"</body></html>")
    (site / "broken.html").write_text("<html><body><div><p>未闭合<table><tr><td>单元格", encoding="utf-8")


def test_one_bad_page_never_stops_the_batch(tmp_path):
    _bad_pages(tmp_path / "crawl")
    cfg = Config.from_dict({"limits": {"max_file_mb": 2, "page_timeout_s": 20}})
    summary = lint_site(tmp_path / "crawl", tmp_path / "out", config=cfg, warm=False)
    assert summary["pages"] == 6
    rows = read_jsonl(tmp_path / "out" / "findings.jsonl")
    failed = {Path(r["source"]).name: r["message"] for r in rows if r["code"] == "QC900"}
    assert set(failed) == {"empty.html", "junk.html", "big.html"}
    assert "为空" in failed["empty.html"] and "二进制" in failed["junk.html"] and "MB" in failed["big.html"]
    assert any(r["code"] == "QC205" and r["source"].endswith("gbk.html") for r in rows)  # GBK page was read
    assert summary["sites"][0]["failed_pages"] == 3


def test_a_page_over_its_time_limit_is_recorded(tmp_path):
    site = tmp_path / "crawl" / "www.slow.gov.cn"
    site.mkdir(parents=True)
    (site / "huge.html").write_bytes(b"<html><body>" + ("<div><p>" + "政务公开" * 50 + "</p></div>").encode() * 20000
                                     + b"</body></html>")
    cfg = Config.from_dict({"limits": {"page_timeout_s": 0.05}})
    lint_site(tmp_path / "crawl", tmp_path / "out", config=cfg, warm=False)
    rows = read_jsonl(tmp_path / "out" / "findings.jsonl")
    assert [r["code"] for r in rows if r["source"].endswith("huge.html")] == ["QC900"]
    assert "longer than" in rows[0]["message"]


def test_worker_processes_give_the_same_findings(tmp_path):
    cfg = Config.from_dict({"typo": {"language_model": False}})
    lint_site(EXAMPLE, tmp_path / "one", config=cfg, as_of=_date(AS_OF), jobs=1, warm=False)
    lint_site(EXAMPLE, tmp_path / "two", config=cfg, as_of=_date(AS_OF), jobs=2, warm=False)
    one = read_jsonl(tmp_path / "one" / "findings.jsonl")
    two = read_jsonl(tmp_path / "two" / "findings.jsonl")
    assert one == two


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)


def _warc(path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    home = ("<html><head><title>某县人民政府</title></head><body><h1>某县人民政府</h1>"
            "<a href='/old.html'>旧栏目</a><p>欢迎访问。</p></body></html>").encode()
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)

        def pair(url, status, body, referer=None, ctype="text/html; charset=utf-8"):
            req_headers = [("Host", "www.w.gov.cn")] + ([("Referer", referer)] if referer else [])
            req = w.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=StatusAndHeaders(
                f"GET {url} HTTP/1.1", req_headers, is_http_request=True))
            resp = w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=StatusAndHeaders(
                f"{status} X", [("Content-Type", ctype)], protocol="HTTP/1.1"))
            w.write_request_response_pair(req, resp)

        pair("http://www.w.gov.cn/", 200, home)
        pair("http://www.w.gov.cn/old.html", 404, b"not found", referer="http://www.w.gov.cn/")
        pair("http://www.w.gov.cn/logo.png", 200, b"\x89PNG...", ctype="image/png")
        meta = w.create_warc_record("http://gone.w.gov.cn/", "metadata", payload=io.BytesIO(
            json.dumps({"error": "DNSLookupError", "referer": "http://www.w.gov.cn/"}).encode()),
            warc_content_type="application/vnd.qualitycheck.fetch-error+json")
        w.write_record(meta)


def test_warc_input_pages_and_dead_links(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc)
    summary = lint_site(warc, tmp_path / "out", warm=False)
    assert summary["pages"] == 1  # the 404 and the failed fetch are dead links, the PNG is skipped
    dead = [r for r in read_jsonl(tmp_path / "out" / "findings.jsonl") if r["code"] == "QC601"]
    assert {(r["evidence"]["dead_url"], r["evidence"]["linked_from"]) for r in dead} == {
        ("http://www.w.gov.cn/old.html", "http://www.w.gov.cn/"),
        ("http://gone.w.gov.cn/", "http://www.w.gov.cn/"),
    }
    assert {r["evidence"]["problem"] for r in dead} == {"HTTP 404", "DNSLookupError"}


def test_not_a_warc_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.warc.gz"
    bad.write_bytes(b"this is not a warc file at all")
    result = CliRunner().invoke(main, ["lint-site", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "WARC" in result.output and "Traceback" not in result.output


def test_selection_and_severity_apply_to_every_finding(tmp_path):
    _bad_pages(tmp_path / "crawl")
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc)
    cfg = Config.from_dict({"ignore": ["QC900"], "severity": {"QC601": "error"},
                            "limits": {"max_file_mb": 2.0}})
    lint_site(tmp_path / "crawl", tmp_path / "out", config=cfg, warm=False)
    assert not [r for r in read_jsonl(tmp_path / "out" / "findings.jsonl") if r["code"] == "QC900"]
    lint_site(warc, tmp_path / "out2", config=cfg, warm=False)
    dead = [r for r in read_jsonl(tmp_path / "out2" / "findings.jsonl") if r["code"] == "QC601"]
    assert dead and {r["severity"] for r in dead} == {"error"}
