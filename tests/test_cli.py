"""The command line as a user runs it: exit codes, formats, rule listings, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualitycheck.cli import main

CLEAN = "各地区各部门要认真贯彻落实，确保各项工作取得实效。\n"
DIRTY = "我们的的工作研究了了有关事项。\n"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray config from the repo

    def _run(*args, input=None):
        return CliRunner().invoke(main, ["check", "--no-lm", *args] if args and args[0] != "--raw" else list(args[1:]),
                                  input=input, catch_exceptions=False)

    return _run


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_clean_text_exits_0(run, tmp_path):
    result = run(write(tmp_path, "ok.txt", CLEAN))
    assert result.exit_code == 0, result.output
    assert "未发现问题" in result.output


def test_findings_exit_1_with_location_marker_and_fix(run, tmp_path):
    path = write(tmp_path, "bad.txt", DIRTY)
    result = run(path)
    assert result.exit_code == 1
    assert f"{path}:1:4: QC102" in result.output
    assert "^^" in result.output and "建议：删除" in result.output


def test_fail_on_error_ignores_lower_severities(run, tmp_path):
    path = write(tmp_path, "bad.txt", DIRTY)
    assert run(path, "--severity-placeholder").exit_code == 2  # unknown option is a usage error
    (tmp_path / "qualitycheck.toml").write_text('[severity]\nQC102 = "info"\n', encoding="utf-8")
    assert run(path, "--fail-on", "warning").exit_code == 0
    assert run(path, "--fail-on", "info").exit_code == 1


def test_select_and_ignore(run, tmp_path):
    path = write(tmp_path, "bad.txt", DIRTY)
    assert run(path, "--ignore", "QC102").exit_code == 0
    assert run(path, "--select", "QC2").exit_code == 0
    assert run(path, "--select", "QC1").exit_code == 1


def test_stdin_is_read(run):
    result = run("-", input=DIRTY.encode("gb18030"))
    assert result.exit_code == 1 and "<stdin>:1:4" in result.output


def test_missing_file_exits_2_but_other_files_are_still_checked(run, tmp_path):
    path = write(tmp_path, "bad.txt", DIRTY)
    result = run(str(tmp_path / "missing.txt"), path, "--format", "json")
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    errors = [f for f in payload["files"] if f["error"]]
    assert len(errors) == 1 and "文件不存在" in errors[0]["error"]
    assert payload["summary"]["findings"] == 2


def test_json_schema_and_fields(run, tmp_path):
    result = run(write(tmp_path, "bad.txt", DIRTY), "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["schema"] == "qualitycheck/findings@1"
    finding = payload["files"][0]["findings"][0]
    for key in ("code", "name", "severity", "message", "span", "line", "column", "match", "suggestions",
                "scope", "rule_source", "fingerprint"):
        assert key in finding
    assert finding["span"] == {"start": 3, "end": 4}


def test_jsonl_one_finding_per_line(run, tmp_path):
    result = run(write(tmp_path, "bad.txt", DIRTY), "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["match"] for r in rows] == ["的", "了"]


def test_sarif_is_valid_2_1_0_shape(run, tmp_path):
    result = run(write(tmp_path, "bad.txt", DIRTY), "--format", "sarif")
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    run0 = sarif["runs"][0]
    assert run0["tool"]["driver"]["rules"][0]["id"] == "QC102"
    res = run0["results"][0]
    assert res["ruleId"] == "QC102" and res["level"] == "error"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert res["ruleIndex"] == 0


def test_github_annotations(run, tmp_path):
    path = write(tmp_path, "bad.txt", DIRTY)
    result = run(path, "--format", "github")
    assert result.stdout.startswith(f"::error file={path},line=1,col=4,title=QC102 typo.repeated-char::")


def test_bad_config_exits_2_with_one_line(run, tmp_path):
    (tmp_path / "qualitycheck.toml").write_text("fail_on = [\n", encoding="utf-8")
    result = run(write(tmp_path, "ok.txt", CLEAN))
    assert result.exit_code == 2
    assert "不是有效的 TOML" in result.output and "Traceback" not in result.output


def test_rules_and_rule_commands(run):
    listing = run("--raw", "rules")
    assert listing.exit_code == 0
    assert re.search(r"^QC102  字词重复 +typo.repeated-char +错误", listing.output, re.M)
    explained = run("--raw", "rule", "qc102")
    assert explained.exit_code == 0 and "repeated.yaml" in explained.output
    assert run("--raw", "rule", "QC999").exit_code == 2


def test_binary_and_empty_files_exit_2(run, tmp_path):
    (tmp_path / "junk.bin").write_bytes(bytes(range(256)) * 50)
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run(str(tmp_path / "junk.bin"), str(tmp_path / "empty.txt"))
    assert result.exit_code == 2
    assert "二进制" in result.output and "为空" in result.output


def test_correct_reads_lines_and_writes_json_lines(run, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("各地各部门要认真布署本地区工作。\n《布署工作的通知》已印发。\n", encoding="utf-8")
    result = run("--raw", "correct", str(src))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in rows] == src.read_text(encoding="utf-8").splitlines()
    assert rows[0]["target"] == "各地各部门要认真部署本地区工作。"
    [edit] = rows[0]["edits"]
    assert (edit["pos"], edit["wrong"], edit["right"], edit["code"]) == (8, "布", "部", "QC103")
    assert rows[1]["target"] == rows[1]["source"]  # inside 《》: untouched
    assert all(len(r["target"]) == len(r["source"]) for r in rows)


def test_bench_csc_prints_metrics_and_speed(run, tmp_path):
    data = tmp_path / "dev.jsonl"
    rows = [{"id": "1", "source": "各地各部门要认真布署本地区工作。", "target": "各地各部门要认真部署本地区工作。"},
            {"id": "2", "source": "坚持以人民为中心的发展思想。", "target": "坚持以人民为中心的发展思想。"}]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result = run("--raw", "bench", "csc", str(data), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["lenient"]["tp"] == 1 and out["lenient"]["fp"] == 0
    assert out["lenient"]["f1"] == 1.0
    assert out["clean_changed"] == 0 and out["rows"] == 2
    assert out["sentences_per_s"] > 0 and out["chars_per_s"] > 0 and out["load_s"] > 0 and out["peak_rss_mb"] > 0


def test_show_config_and_inspect(run, tmp_path, root):
    result = run("--raw", "show-config")
    assert result.exit_code == 0 and '"news_days": 14' in result.output
    page = root / "examples" / "site" / "www.demo-b.gov.cn" / "index.html"
    result = run("--raw", "inspect", str(page), "--url", "http://www.demo-b.gov.cn/", "--as-of", "2025-06-30", "--no-lm")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["kind"] == "home" and out["marks"]["site_code"] is None
    assert {lst["heading"]: lst["status"] for lst in out["lists"]} == {"工作动态": "stale", "通知公告": "stale"}
    assert {f["code"] for f in out["findings"]} >= {"QC401", "QC501"}


def test_missing_typo_model_is_a_clear_error(run, tmp_path, monkeypatch):
    from qualitycheck.api import warm_up
    from qualitycheck.config import Config
    from qualitycheck.typo import engine

    monkeypatch.setattr(engine, "DEFAULT_MODEL_DIR", tmp_path / "no-model")
    monkeypatch.setattr(engine, "_ENGINE", None)
    path = write(tmp_path, "ok.txt", CLEAN)
    result = CliRunner().invoke(main, ["check", path])
    assert result.exit_code == 2
    assert "typo model file missing" in result.output and "Traceback" not in result.output
    assert run(path).exit_code == 0  # --no-lm still works
    cfg = Config.default()
    models = warm_up(cfg, tolerate_missing_model=True)  # a service keeps answering without QC103
    assert models["typo_model"].startswith("missing") and cfg["typo"]["language_model"] is False


def test_unwritable_output_bad_accept_file_and_bad_bench_rows_are_clear_errors(run, tmp_path):
    path = write(tmp_path, "bad.txt", DIRTY)
    result = run(path, "-o", str(tmp_path / "no-such-dir" / "report.txt"))
    assert result.exit_code == 2 and "无法写入报告（文件或目录不存在" in result.output
    (tmp_path / "accept.txt").write_bytes("柳萍".encode("gbk"))
    (tmp_path / "qualitycheck.toml").write_text('accept_file = "accept.txt"\n', encoding="utf-8")
    result = run(path)
    assert result.exit_code == 2 and "accept_file" in result.output
    (tmp_path / "qualitycheck.toml").unlink()
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"source": "甲", "target": "甲"}\nnot json\n', encoding="utf-8")
    result = run("--raw", "bench", "csc", str(rows))
    assert result.exit_code == 2 and "rows.jsonl:2" in result.output and "Traceback" not in result.output


def test_folders_are_checked_file_by_file(run, tmp_path):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    write(tmp_path / "docs", "a.txt", CLEAN)
    write(tmp_path / "docs" / "sub", "b.html", "<p>我们的的工作。</p>")
    write(tmp_path / "docs", "notes.csv", "a,b\n")  # not checkable: skipped
    result = run(str(tmp_path / "docs"), "--format", "json")
    assert result.exit_code == 1
    files = [f["source"] for f in json.loads(result.stdout)["files"]]
    assert [Path(f).name for f in files] == ["a.txt", "b.html"]


def test_lint_site_on_a_folder_without_pages_is_an_error(run, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("--raw", "lint-site", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "没有找到页面" in result.output


def test_baseline_hides_known_findings_and_shows_new_ones(run, tmp_path):
    path = write(tmp_path, "a.txt", DIRTY)
    first = run(path, "--format", "jsonl")
    (tmp_path / "findings.jsonl").write_text(first.stdout, encoding="utf-8")
    made = run("--raw", "baseline", str(tmp_path / "findings.jsonl"), "-o", str(tmp_path / "baseline.txt"))
    assert made.exit_code == 0 and "已将 2 个问题的指纹写入" in made.output
    (tmp_path / "qualitycheck.toml").write_text('baseline = "baseline.txt"\n', encoding="utf-8")
    assert run(path).exit_code == 0  # the known ones are gone
    write(tmp_path, "a.txt", DIRTY + "截止2024年底完成。\n")
    again = run(path, "--format", "jsonl")
    assert again.exit_code == 1 and [json.loads(x)["code"] for x in again.stdout.splitlines()] == ["QC205"]


def test_rule_help_is_chinese_with_the_english_name_beside_the_code(run):
    from qualitycheck.checks.help_zh import HELP
    from qualitycheck.checks.registry import all_checks

    missing = [c.code for c in all_checks() if c.code not in HELP]
    assert not missing, f"rules without Chinese help (qualitycheck/checks/help_zh.py): {missing}"
    listing = run("--raw", "rules").stdout
    for check in all_checks():
        line = next(line for line in listing.splitlines() if line.startswith(check.code))
        assert check.name in line and HELP[check.code].title in line
        assert any("\u4e00" <= ch <= "\u9fff" for ch in line.split(check.name, 1)[1]), line  # the summary
    explained = run("--raw", "rule", "QC301").stdout
    assert explained.startswith("QC301 空白栏目（column.blank），默认级别：警告")
    assert "国办秘函〔2019〕19号" in explained and "Why:" not in explained
