"""lint-site as shards: a folder of WARC files, kill and resume, and the same run on a Dask cluster.

Parity is the point: a sharded run, a killed-and-resumed run and a cluster run must give the
identical multiset of findings and identical verdicts on the same input.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from qualitycheck.batch import lint_site
from qualitycheck.bench.scale import EXAMPLE_SITE, LocalDaskCluster, pack_warc_shards
from qualitycheck.config import Config
from qualitycheck.errors import InputError

AS_OF = date(2025, 6, 30)


def _config() -> Config:
    # The LM is not what these tests are about; without it they stay fast.
    return Config.default().with_overrides(typo={"language_model": False})


def _findings(out: Path, *, with_source: bool = True) -> Counter:
    rows = Counter()
    with (out / "findings.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if not with_source:
                row.pop("source", None)
            rows[json.dumps(row, sort_keys=True, ensure_ascii=False)] += 1
    return rows


def _verdicts(summary: dict) -> dict:
    return {s["site"]: (s["verdict"], s["pages"], s["dead_links"], s["findings_by_code"],
                        [(i["item"], i["failed"], i.get("count")) for i in s["veto_items"]])
            for s in summary["sites"]}


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> Path:
    """The bundled example sites (real pages) as 6 WARC shards, a dead link in some of them."""
    folder = tmp_path_factory.mktemp("warcs")
    written = pack_warc_shards(EXAMPLE_SITE, folder, pages_per_warc=10, dead_link_every=17)
    assert written > 40
    return folder


@pytest.fixture(scope="module")
def reference(shards, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("reference")
    return out, lint_site(shards, out, config=_config(), as_of=AS_OF)


def test_a_folder_of_warc_shards_is_one_run(shards, reference):
    out, summary = reference
    assert len(list(shards.glob("*.warc.gz"))) >= 5 and summary["shards"] == len(list(shards.glob("*.warc.gz")))
    verdicts = {s["site"]: s["verdict"] for s in summary["sites"]}
    assert verdicts == {"www.demo-a.gov.cn": "合格", "www.demo-b.gov.cn": "不合格"}
    assert sum(s["dead_links"] for s in summary["sites"]) >= 2  # the recorded 404s are dead links, not pages


def test_warc_shards_give_the_findings_of_the_saved_pages(reference, tmp_path):
    out, summary = reference
    pages = lint_site(EXAMPLE_SITE, tmp_path / "pages", config=_config(), as_of=AS_OF)
    assert summary["pages"] == pages["pages"]
    from_pages = Counter({k: v for k, v in _findings(tmp_path / "pages", with_source=False).items()})
    from_warcs = Counter({k: v for k, v in _findings(out, with_source=False).items() if '"QC601"' not in k})
    assert from_warcs == from_pages
    strip = lambda v: {s: (x[0], x[1], {c: n for c, n in x[3].items() if c != "QC601"}) for s, x in v.items()}  # noqa: E731
    assert strip(_verdicts(summary)) == strip(_verdicts(pages))


def test_shard_size_does_not_change_the_findings(tmp_path):
    one = lint_site(EXAMPLE_SITE, tmp_path / "one", config=_config(), as_of=AS_OF, shard_pages=1000)
    many = lint_site(EXAMPLE_SITE, tmp_path / "many", config=_config(), as_of=AS_OF, shard_pages=4, jobs=2)
    assert one["shards"] == 1 and many["shards"] > 10
    assert _findings(tmp_path / "one") == _findings(tmp_path / "many")
    assert _verdicts(one) == _verdicts(many)


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "qualitycheck", "lint-site", *args, "--as-of", "2025-06-30",
                             "--no-lm", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _manifest_lines(out: Path) -> int:
    try:
        return (out / "shards" / "manifest.jsonl").read_text(encoding="utf-8").count("\n")
    except OSError:
        return 0


def test_a_run_killed_with_sigkill_and_resumed_gives_the_same_report(tmp_path):
    whole = tmp_path / "whole"
    proc = _cli(str(EXAMPLE_SITE), "--out", str(whole), "--shard-pages", "3")
    assert proc.wait(timeout=600) == 1, proc.stderr.read().decode()
    total_shards = _manifest_lines(whole) - 1
    assert total_shards > 10

    cut = tmp_path / "cut"
    proc = _cli(str(EXAMPLE_SITE), "--out", str(cut), "--shard-pages", "3")
    deadline = time.monotonic() + 300
    while _manifest_lines(cut) < 1 + total_shards // 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    done_at_kill = _manifest_lines(cut) - 1
    assert 0 < done_at_kill < total_shards
    # Nothing under a report's final name was left half-written: the reports do not exist yet.
    assert not (cut / "findings.jsonl").exists() and not (cut / "report.html").exists()

    resumed = _cli(str(EXAMPLE_SITE), "--out", str(cut), "--shard-pages", "3", "--resume")
    assert resumed.wait(timeout=600) == 1, resumed.stderr.read().decode()
    assert _findings(cut) == _findings(whole)
    assert _verdicts(json.loads((cut / "summary.json").read_text())) == \
        _verdicts(json.loads((whole / "summary.json").read_text()))
    assert _manifest_lines(cut) - 1 == total_shards  # finished shards were not redone: one line each


def test_resume_refuses_a_different_configuration_or_input(tmp_path, shards):
    out = tmp_path / "out"
    lint_site(shards, out, config=_config(), as_of=AS_OF)
    with pytest.raises(InputError, match="无法续跑"):
        lint_site(shards, out, config=_config(), as_of=date(2025, 7, 1), resume=True)
    with pytest.raises(InputError, match="无法续跑"):
        lint_site(EXAMPLE_SITE, out, config=_config(), as_of=AS_OF, resume=True)
    # The same job resumed from a finished run redoes nothing and writes the same reports.
    again = lint_site(shards, out, config=_config(), as_of=AS_OF, resume=True)
    assert again["shards"] == len(list(shards.glob("*.warc.gz")))


def test_a_bad_file_among_the_shards_is_reported_and_the_rest_checked(tmp_path, shards, reference):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for warc in shards.glob("*.warc.gz"):
        (folder / warc.name).write_bytes(warc.read_bytes())
    (folder / "crawl-00002b.warc.gz").write_bytes(b"this is not a WARC file")
    summary = lint_site(folder, tmp_path / "out", config=_config(), as_of=AS_OF)
    assert summary["pages"] == reference[1]["pages"] + 1
    failed = [json.loads(line) for line in (tmp_path / "out" / "findings.jsonl").open(encoding="utf-8")
              if '"QC900"' in line]
    assert len(failed) == 1 and "crawl-00002b.warc.gz" in failed[0]["source"]


pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with LocalDaskCluster(workers=2) as running:
        yield running


def test_the_cluster_run_equals_lint_site(cluster, shards, reference, tmp_path):
    out, summary = reference
    on_cluster = lint_site(shards, tmp_path / "dask", config=_config(), as_of=AS_OF, cluster=cluster.address)
    assert _findings(tmp_path / "dask") == _findings(out)
    assert _verdicts(on_cluster) == _verdicts(summary)


def test_the_cluster_run_survives_a_killed_worker(shards, reference, tmp_path):
    out, summary = reference
    with LocalDaskCluster(workers=2) as running:
        killer = threading.Thread(target=_kill_when_started, args=(tmp_path / "dask", running), daemon=True)
        killer.start()
        on_cluster = lint_site(shards, tmp_path / "dask", config=_config(), as_of=AS_OF, cluster=running.address,
                               shard_pages=2)
        killer.join(timeout=5)
    assert running.worker_procs[0].poll() is not None  # the worker really died mid-job
    assert on_cluster["pages"] == summary["pages"]
    assert _findings(tmp_path / "dask") == _findings(out)
    assert _verdicts(on_cluster) == _verdicts(summary)


def _kill_when_started(out: Path, running: LocalDaskCluster) -> None:
    deadline = time.monotonic() + 120
    while _manifest_lines(out) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    running.kill_worker(0)


def test_the_order_pages_arrive_in_does_not_change_findings_or_verdicts(tmp_path):
    """A crawl fetches pages in whatever order the network allows: the same pages in another order,
    split into other shards, must be judged the same, evidence included."""
    runs = []
    for seed, per_warc in ((None, 10), (1, 7), (2, 25)):
        folder = tmp_path / f"warc-{seed}"
        pack_warc_shards(EXAMPLE_SITE, folder, pages_per_warc=per_warc, shuffle_seed=seed)
        summary = lint_site(folder, tmp_path / f"out-{seed}", config=_config(), as_of=AS_OF)
        evidence = {s["site"]: [(i["item"], json.dumps(i.get("evidence"), sort_keys=True, ensure_ascii=False))
                                for i in s["veto_items"]] for s in summary["sites"]}
        runs.append((_findings(tmp_path / f"out-{seed}", with_source=False), _verdicts(summary), evidence))
    assert runs[1] == runs[0] and runs[2] == runs[0]
