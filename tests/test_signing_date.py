"""Plain-text and .docx documents are judged as of their own 成文日期 (the date line under the 落款)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import pytest

from qualitycheck.extract.dates import signing_date
from qualitycheck.extract.loader import document_from_bytes

ROOT = Path(__file__).resolve().parent.parent
SEED = sorted((ROOT.parent / "shared" / "seed").glob("*.txt"))
BODY = "根据省工商局的通知，现将有关事项通知如下。\n"


def _letter(signed: str) -> str:
    return f"{BODY}\n某某县人民政府办公室\n{signed}\n"


@pytest.mark.parametrize("line, expected", [
    ("2018年9月19日", date(2018, 9, 19)),
    ("二〇一八年九月十九日", date(2018, 9, 19)),
    ("（2017年12月31日）", date(2017, 12, 31)),
    ("  2019 年 3 月 1 日  ", date(2019, 3, 1)),
])
def test_signing_line_forms(line, expected):
    assert signing_date(_letter(line)) == expected


def test_dates_inside_sentences_are_not_a_signing_date():
    assert signing_date("会议于2018年9月19日召开，研究部署有关工作。\n") is None
    assert signing_date("2018年9月31日\n") is None  # no such day


def _check(path: Path, *extra: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "qualitycheck", "check", "--no-lm", "--format", "json", *extra, str(path)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode in (0, 1), done.stderr
    return [f for file in json.loads(done.stdout)["files"] for f in file["findings"] if f["code"] == "QC201"]


def test_a_document_signed_before_the_reform_keeps_its_old_agency_name(tmp_path):
    before, after = tmp_path / "2017.txt", tmp_path / "2019.txt"
    before.write_text(_letter("2017年6月1日"), encoding="utf-8")
    after.write_text(_letter("2019年6月1日"), encoding="utf-8")
    assert _check(before) == []
    [finding] = _check(after)
    assert finding["evidence"]["document_date"] == "2019-06-01"
    assert finding["evidence"]["document_date_from"] == "signing-line"


def test_published_option_wins_over_the_signing_line(tmp_path):
    before = tmp_path / "2017.txt"
    before.write_text(_letter("2017年6月1日"), encoding="utf-8")
    [finding] = _check(before, "--published", "2020-01-01")
    assert finding["evidence"]["document_date_from"] == "given"


def test_docx_signing_line_is_read():
    document = docx.Document()
    for line in _letter("二〇一七年六月一日").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    doc = document_from_bytes(buffer.getvalue(), "letter.docx")
    assert doc.published == date(2017, 6, 1)


@pytest.mark.skipif(not SEED, reason="the seed notice is in ../shared/seed")
def test_the_real_2018_notice_gives_no_outdated_agency_finding():
    for path in SEED:
        assert _check(path) == []
