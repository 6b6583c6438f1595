"""Crash safety of the report files: written under a temporary name and renamed when complete, so a
run killed at any point leaves each final-named file either absent or complete (issue 11 item 5)."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from qualitycheck.report.atomic import PART_SUFFIX, atomic_open, atomic_path, write_text

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "examples" / "site"
FINAL_NAMES = ("report.html", "summary.json", "findings.jsonl", "findings.csv", "findings.xlsx",
               "notice.docx", "annex.xlsx", "province.json", "province.html")


def test_a_writer_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "summary.json"
    path.write_text('{"old": true}', encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_open(path) as fh:
            fh.write('{"new": ')
            raise RuntimeError("disk full half-way")
    assert json.loads(path.read_text(encoding="utf-8")) == {"old": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_nothing_appears_under_the_final_name_before_the_file_is_closed(tmp_path):
    path = tmp_path / "findings.jsonl"
    with atomic_open(path) as fh:
        fh.write('{"a": 1}\n')
        fh.flush()
        assert not path.exists()  # readers never see the half-written file
    assert path.read_text(encoding="utf-8") == '{"a": 1}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.jsonl"]


def test_atomic_path_for_libraries_that_save_to_a_path(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "合格"
    with atomic_path(tmp_path / "annex.xlsx") as temp:
        assert temp.parent == tmp_path and temp.name != "annex.xlsx"
        wb.save(temp)
    assert openpyxl.load_workbook(tmp_path / "annex.xlsx").active["A1"].value == "合格"
    assert [p.name for p in tmp_path.iterdir()] == ["annex.xlsx"]


def test_a_lone_surrogate_from_a_page_is_written_as_a_json_escape(tmp_path):
    row = {"match": "暗链\udc80", "url": "http://x.gov.cn/\ud800"}
    write_text(tmp_path / "summary.json", json.dumps(row, ensure_ascii=False))
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8")) == row


def _complete(path: Path) -> str | None:
    """Why ``path`` is not a complete, parseable report file (None when it is)."""
    name = path.name
    try:
        if name.endswith(".json"):
            json.loads(path.read_text(encoding="utf-8"))
        elif name.endswith(".jsonl"):
            lines = path.read_text(encoding="utf-8").splitlines()
            rows = [json.loads(line) for line in lines]
            if not rows or not path.read_bytes().endswith(b"\n"):
                return "no rows or a cut last line"
        elif name.endswith(".csv"):
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.reader(fh))
            if not rows or any(len(r) != len(rows[0]) for r in rows):
                return "ragged rows"
        elif name.endswith(".xlsx") or name.endswith(".docx"):
            with zipfile.ZipFile(path) as zf:
                if zf.testzip() is not None:
                    return "corrupt member"
            if name.endswith(".xlsx"):
                import openpyxl

                openpyxl.load_workbook(path, read_only=True).close()
            else:
                import docx

                docx.Document(str(path))
        elif name.endswith(".html"):
            if not path.read_text(encoding="utf-8").rstrip().endswith("</html>"):
                return "cut before </html>"
    except Exception as exc:  # noqa: BLE001 - any parse failure is the finding
        return f"{exc.__class__.__name__}: {exc}"
    return None


def _lint(out: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "qualitycheck", "lint-site", str(SITE), "--as-of", "2025-06-30", "--no-lm",
           "--out", str(out)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)


def test_a_run_killed_at_random_points_leaves_only_complete_files(tmp_path):
    # One full run gives the time scale; then runs are SIGKILLed at random points of it (seeded, and
    # printed, so a failure can be replayed), several in the report-writing phase at the end.
    started = time.perf_counter()
    full = _lint(tmp_path / "full")
    assert full.wait(timeout=300) == 1  # the demo has a failing site
    duration = time.perf_counter() - started
    assert _complete(tmp_path / "full" / "report.html") is None
    seed = int(os.environ.get("QC_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    kills = int(os.environ.get("QC_KILLS", "10"))
    seen: dict[str, int] = {name: 0 for name in FINAL_NAMES}
    half_written: list[str] = []
    for k in range(kills):
        out = tmp_path / f"kill{k}"
        at = duration * (rng.uniform(0.5, 1.0) if k % 2 else rng.uniform(0.0, 1.0))
        proc = _lint(out)
        time.sleep(at)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if not out.exists():
            continue
        for path in out.iterdir():
            if path.name.endswith(PART_SUFFIX):
                continue  # a temporary: the name says it is not a report
            if path.name == "shards" and path.is_dir():
                continue  # the resume work folder: its completeness is what tests/test_batch.py resumes from
            assert path.name in FINAL_NAMES, path.name
            seen[path.name] += 1
            problem = _complete(path)
            if problem:
                half_written.append(f"{path.name} (kill {k} at {at:.2f}s): {problem}")
    print(f"seed {seed}, {kills} kills over a {duration:.2f}s run; files found complete: {seen}")
    assert not half_written, f"seed {seed}: {half_written}"
