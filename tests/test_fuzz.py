"""Hostile input never crashes lint-site or loses a page (the short run of `qualitycheck bench fuzz`).

The corpus is made at test time from the real pages in the repo, so the test cannot
pass on inputs it was written for; the 10,000-page run is the benchmark.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualitycheck.bench.fuzz import PAGE_CLASSES, WARC_CLASSES, Scale, run_fuzz, write_corpus

# Classes a reader must still read: the damage is a few bytes or a lie about the encoding,
# and an attacker can produce every one of them on purpose to hide a page from the check.
READABLE = set(PAGE_CLASSES) - {"binary-junk"}


@pytest.fixture(scope="module")
def fuzz_run(tmp_path_factory) -> dict:
    return run_fuzz(tmp_path_factory.mktemp("fuzz"), 2 * len(PAGE_CLASSES), scale=Scale.quick(), seed=7)


def test_corpus_is_reproducible_and_covers_every_class(tmp_path):
    a = write_corpus(tmp_path / "a", len(PAGE_CLASSES), seed=3, scale=Scale.quick())
    b = write_corpus(tmp_path / "b", len(PAGE_CLASSES), seed=3, scale=Scale.quick())
    assert {e["class"] for e in a["pages"]} == set(PAGE_CLASSES)
    assert {w["class"] for w in a["warcs"]} == set(WARC_CLASSES)
    for ea, eb in zip(a["pages"], b["pages"]):
        assert (tmp_path / "a" / ea["file"]).read_bytes() == (tmp_path / "b" / eb["file"]).read_bytes()


def test_lint_site_survives_mangled_pages_and_accounts_for_every_one(fuzz_run):
    run = fuzz_run["lint_site"]
    assert not run["traceback"], run["stderr_tail"]
    assert run["returncode"] in (0, 1)
    assert run["pages_accounted"] == run["pages_in"]


def test_damaged_but_readable_pages_are_checked_not_dropped(fuzz_run):
    unread = {kind: row for kind, row in fuzz_run["per_class"].items() if kind in READABLE and row["qc900"]}
    assert not unread, unread
    assert fuzz_run["per_class"]["binary-junk"]["qc900"] == fuzz_run["per_class"]["binary-junk"]["pages"]


def test_no_page_outlives_the_time_limit(fuzz_run):
    assert fuzz_run["time_limit_held"], fuzz_run["slowest_page_s"]


@pytest.mark.parametrize("kind", WARC_CLASSES)
def test_broken_warcs_give_every_complete_record_and_name_the_damage(fuzz_run, kind):
    (row,) = [w for w in fuzz_run["warcs"] if w["class"] == kind]
    assert not row["traceback"], row["stderr_tail"]
    assert row["returncode"] in (0, 1)
    assert row["pages_read"] >= row["complete"]
    if kind != "warc-non-http":
        assert row["damage_reported"]


def test_benchmark_prints_its_table(tmp_path):
    from click.testing import CliRunner

    from qualitycheck.cli import main

    result = CliRunner().invoke(main, ["bench", "fuzz", "--pages", "13", "--quick", "--work", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["lint_site"]["pages_in"] == 13
    assert set(figures["per_class"]) == set(PAGE_CLASSES)
    assert (Path(tmp_path) / "corpus" / "manifest.json").exists()
