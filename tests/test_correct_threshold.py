"""`qualitycheck correct` applies the QC103 confidence threshold and honours --config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = sorted((ROOT.parent / "shared" / "seed").glob("*.txt"))
REAL_TYPO = "我们要再接再励，把各项工作做得更好。"


def _correct(path: Path, *extra: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "qualitycheck", "correct", *extra, str(path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_a_sure_correction_is_still_made(tmp_path):
    source = tmp_path / "s.txt"
    source.write_text(REAL_TYPO + "\n", encoding="utf-8")
    [row] = _correct(source)
    assert "再接再厉" in row["target"]
    assert all(e["confidence"] >= 0.8 for e in row["edits"] if e["code"] == "QC103")


@pytest.mark.skipif(not SEED, reason="the seed notice is in ../shared/seed")
def test_the_real_notice_gets_no_edit_at_the_default_threshold_and_config_is_honoured(tmp_path):
    rows = _correct(SEED[0])
    assert [r for r in rows if r["edits"]] == []
    loose = tmp_path / "qualitycheck.toml"
    loose.write_text("[typo]\nmin_confidence = 0.0\n", encoding="utf-8")
    # Below the threshold the engine does propose edits on this notice, so the threshold is what stops them.
    assert any(r["edits"] for r in _correct(SEED[0], "--config", str(loose)))
    assert any(r["edits"] for r in _correct(SEED[0], "--min-confidence", "0"))
