"""Configuration: discovery, merging, selection and validation."""

from __future__ import annotations

import pytest

from qualitycheck.config import Config, find_config
from qualitycheck.errors import ConfigError


def test_pyproject_table_is_discovered_upwards(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.qualitycheck]\nignore = ["QC203"]\nfail_on = "error"\n', encoding="utf-8")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_config(sub) == tmp_path / "pyproject.toml"
    cfg = Config.load(search_from=sub)
    assert cfg["ignore"] == ["QC203"] and cfg["fail_on"] == "error"
    assert cfg["columns"]["news_days"] == 14  # defaults survive the merge


def test_qualitycheck_toml_wins_over_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.qualitycheck]\nfail_on = "error"\n', encoding="utf-8")
    (tmp_path / "qualitycheck.toml").write_text('fail_on = "info"\n[columns]\nnews_days = 10\n', encoding="utf-8")
    cfg = Config.load(search_from=tmp_path)
    assert cfg["fail_on"] == "info" and cfg["columns"]["news_days"] == 10


@pytest.mark.parametrize(
    "content, message",
    [
        ("fail_on = 3\n", "应为 文字"),
        ('fail_on = "fatal"\n', "fail_on 必须是以下之一"),
        ('unknown_key = 1\n', "未知选项“unknown_key”"),
        ("select = [\n", "不是有效的 TOML"),
        ('as_of = "yesterday"\n', "as_of 必须是 YYYY-MM-DD"),
        ('[severity]\nQC201 = "loud"\n', "QC201 的级别"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "qualitycheck.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        Config.load(path)


def test_selection_longest_prefix_wins():
    cfg = Config.from_dict({"select": ["QC2"], "ignore": ["QC20"], "extend_select": []})
    assert not cfg.is_selected("QC201")
    cfg = Config.from_dict({"select": ["QC201"], "ignore": ["QC2"]})
    assert cfg.is_selected("QC201") and not cfg.is_selected("QC202")
    cfg = Config.from_dict({"select": ["ALL"], "ignore": ["QC1"]})
    assert cfg.is_selected("QC201") and not cfg.is_selected("QC101")


def test_off_by_default_rules_need_explicit_selection():
    cfg = Config.default()
    assert not cfg.is_selected("QC203", "GF-099", enabled_by_default=False)
    assert Config.from_dict({"extend_select": ["GF-099"]}).is_selected("QC203", "GF-099", False)
    assert Config.from_dict({"select": ["ALL", "GF-099"]}).is_selected("QC203", "GF-099", False)


def test_accept_file_is_read_relative_to_the_config(tmp_path):
    (tmp_path / "accept.txt").write_text("# local names\n柳萍\n钟书\n", encoding="utf-8")
    (tmp_path / "qualitycheck.toml").write_text('accept = ["青白江"]\naccept_file = "accept.txt"\n', encoding="utf-8")
    cfg = Config.load(tmp_path / "qualitycheck.toml")
    assert cfg.accepted == {"青白江", "柳萍", "钟书"}
