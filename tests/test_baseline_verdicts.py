"""A baseline decides which findings are listed, never the verdict, and every report says what it hid."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from qualitycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "site"
AS_OF = "2025-06-30"
FAILING = "www.demo-b.gov.cn"


def _lint(out: Path, *extra: str):
    return CliRunner().invoke(main, ["lint-site", str(EXAMPLE), "--as-of", AS_OF, "--out", str(out), "--no-lm", *extra],
                              catch_exceptions=False)


def _site(out: Path) -> dict:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return next(s for s in summary["sites"] if s["site"] == FAILING)


def test_a_baseline_of_the_failing_site_keeps_it_failing_and_says_what_it_hid(tmp_path):
    first = tmp_path / "first"
    assert _lint(first).exit_code == 1
    before = _site(first)
    serious_before = next(i for i in before["veto_items"] if i["item"].startswith("严重问题"))
    assert serious_before["failed"] and serious_before["count"] > 0

    baseline = tmp_path / "baseline.txt"
    made = CliRunner().invoke(main, ["baseline", str(first / "findings.jsonl"), "-o", str(baseline)])
    assert made.exit_code == 0, made.output
    config = tmp_path / "qualitycheck.toml"
    config.write_text(f"baseline = {str(baseline)!r}\n", encoding="utf-8")

    second = tmp_path / "second"
    result = _lint(second, "--config", str(config))
    assert result.exit_code == 1
    after = _site(second)
    assert after["verdict"] == "不合格"
    assert [(i["item"], i["failed"]) for i in after["veto_items"]] == [(i["item"], i["failed"]) for i in before["veto_items"]]
    serious = next(i for i in after["veto_items"] if i["item"].startswith("严重问题"))
    assert serious["failed"] and serious["hidden_by_baseline"] == serious["count"] == serious_before["count"]
    hidden = sum(after["hidden_by_baseline"].values())
    assert hidden == before["findings"] and after["findings_listed"] == 0
    listed = [json.loads(line) for line in (second / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert not [r for r in listed if r["site"] == FAILING]
    report = (second / "report.html").read_text(encoding="utf-8")
    assert f"基线隐藏已知问题 {hidden} 条" in report
    assert f"其中基线隐藏 {hidden}" in result.output
