"""One JSON shape for the CLI and the HTTP API: every JSON output validates against the schema file
the package ships (qualitycheck/schemas/findings.schema.json)."""

from __future__ import annotations

import json
import threading
from importlib import resources

import jsonschema
import pytest
from click.testing import CliRunner

from qualitycheck.cli import main
from qualitycheck.config import Config
from qualitycheck.integrations.server import make_server
from test_server import request

DIRTY = "我们的的工作截止2024年底已完成。请登陆网站查看。\n"


@pytest.fixture(scope="module")
def schema() -> dict:
    text = resources.files("qualitycheck").joinpath("schemas/findings.schema.json").read_text(encoding="utf-8")
    data = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(data)
    return data


def validator(schema: dict, part: str | None = None) -> jsonschema.Draft202012Validator:
    target = schema if part is None else {"$ref": f"#/$defs/{part}", "$defs": schema["$defs"]}
    return jsonschema.Draft202012Validator(target)


def cli(tmp_path, monkeypatch, *args) -> str:
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, list(args), catch_exceptions=False).stdout


def test_cli_json_report_is_valid(schema, tmp_path, monkeypatch):
    (tmp_path / "bad.txt").write_text(DIRTY, encoding="utf-8")
    out = cli(tmp_path, monkeypatch, "check", "--no-lm", "bad.txt", "missing.txt", "--format", "json")
    report = json.loads(out)
    validator(schema, "report").validate(report)
    validator(schema).validate(report)
    assert report["files"][0]["findings"] and report["files"][1]["error"]


def test_cli_jsonl_lines_are_valid(schema, tmp_path, monkeypatch):
    (tmp_path / "bad.txt").write_text(DIRTY, encoding="utf-8")
    out = cli(tmp_path, monkeypatch, "check", "--no-lm", "bad.txt", "missing.txt", "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert any("error" in line for line in lines) and any("code" in line for line in lines)
    for line in lines:
        validator(schema).validate(line)


def test_api_answer_has_the_cli_shape(schema, tmp_path):
    srv = make_server("127.0.0.1", 0, Config.default(), tmp_path / "accept.txt", quiet=True)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        status, _, data = request(srv, "POST", "/v1/check", {"text": DIRTY})
    finally:
        srv.shutdown()
        srv.server_close()
    assert status == 200
    validator(schema, "report").validate(data)
    entry = data["files"][0]
    assert entry["text"] == DIRTY and {f["code"] for f in entry["findings"]} >= {"QC102", "QC205"}


def test_lint_site_findings_jsonl_rows_are_valid(schema, tmp_path, root):
    out = tmp_path / "out"
    CliRunner().invoke(main, ["lint-site", str(root / "examples" / "site"), "--as-of", "2025-06-30", "--out", str(out),
                              "--no-lm"], catch_exceptions=False)
    rows = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows
    check = validator(schema, "siteFinding")
    for row in rows:
        check.validate(row)


def test_schema_rejects_the_old_api_shape(schema):
    """The API once answered {document, findings} under the same name: that shape no longer passes."""
    old = {"schema": "qualitycheck/findings@1", "document": {"kind": "text", "text": "x"}, "findings": [],
           "summary": {"findings": 0, "by_severity": {}}}
    with pytest.raises(jsonschema.ValidationError):
        validator(schema).validate(old)
