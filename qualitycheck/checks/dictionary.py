"""Loading wording rules from dictionaries/wording/*.yaml (schema: dictionaries/README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..errors import DictionaryError
from ..paths import DICTIONARIES_DIR
from ..yamlfile import safe_load

WORDING_DIR = DICTIONARIES_DIR / "wording"
_REQUIRED_FILE_KEYS = ("code", "name", "rules")
_CODE = re.compile(r"^QC\d{3}$")


@dataclass
class Example:
    text: str
    published: date | None = None


@dataclass
class WordingRule:
    id: str
    message: str
    source: str
    wrong: list[str] = field(default_factory=list)
    pattern: re.Pattern | None = None
    right: list[str] = field(default_factory=list)
    fix: str | None = None  # regex replacement template (\1, \g<name>) giving the corrected text
    since: date | None = None
    severity: str | None = None
    enabled: bool = True
    not_before: re.Pattern | None = None
    not_after: re.Pattern | None = None
    flag_examples: list[Example] = field(default_factory=list)
    pass_examples: list[Example] = field(default_factory=list)


@dataclass
class RuleFile:
    path: Path
    code: str
    name: str
    severity: str
    description: str
    family: str
    rules: list[WordingRule]


def _as_date(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        text = str(value)
        if len(text) == 7:  # YYYY-MM: the first day of the month
            text += "-01"
        return date.fromisoformat(text)
    except ValueError:
        raise DictionaryError(f"{where}：不是日期：{value!r}") from None


def _compile(pattern: str, where: str, anchor: str = "") -> re.Pattern:
    try:
        if anchor == "end":
            return re.compile(f"(?:{pattern})$")
        if anchor == "start":
            return re.compile(f"^(?:{pattern})")
        return re.compile(pattern)
    except re.error as exc:
        raise DictionaryError(f"{where}：正则表达式 {pattern!r} 有误：{exc}") from None


def _examples(raw: Any, where: str) -> list[Example]:
    out = []
    for item in raw or []:
        if isinstance(item, str):
            out.append(Example(item))
        elif isinstance(item, dict) and "text" in item:
            out.append(Example(str(item["text"]), _as_date(item.get("published"), where)))
        else:
            raise DictionaryError(f"{where}：示例应为字符串或 {{text, published}}")
    return out


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def load_rule_file(path: Path) -> RuleFile:
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DictionaryError(f"{path}：无法读取：{exc}") from None
    except yaml.YAMLError as exc:
        raise DictionaryError(f"{path}：YAML 格式有误：{exc}") from None
    if not isinstance(data, dict) or any(k not in data for k in _REQUIRED_FILE_KEYS):
        raise DictionaryError(f"{path}：规则文件需要这些键：{'、'.join(_REQUIRED_FILE_KEYS)}")
    code = str(data["code"])
    if not _CODE.match(code):
        raise DictionaryError(f"{path}：code 应形如 QC201，收到 {code!r}")
    rules: list[WordingRule] = []
    for i, raw in enumerate(data["rules"] or []):
        where = f"{path.name} rule {raw.get('id', i) if isinstance(raw, dict) else i}"
        if not isinstance(raw, dict) or "id" not in raw:
            raise DictionaryError(f"{where}：每条规则都需要 id")
        wrong = _as_list(raw.get("wrong"))
        pattern = raw.get("pattern")
        if bool(wrong) == bool(pattern):
            raise DictionaryError(f"{where}：wrong 与 pattern 必须且只能给一个")
        if raw.get("fix") and not pattern:
            raise DictionaryError(f"{where}：fix 需要 pattern（用于展开其分组）")
        if not raw.get("source"):
            raise DictionaryError(f"{where}：每条规则都需要 source（来源）")
        examples = raw.get("examples") or {}
        rules.append(
            WordingRule(
                id=str(raw["id"]),
                message=str(raw.get("message") or ""),
                source=str(raw["source"]),
                wrong=wrong,
                pattern=_compile(pattern, where) if pattern else None,
                right=_as_list(raw.get("right")),
                fix=str(raw["fix"]) if raw.get("fix") else None,
                since=_as_date(raw.get("since"), where),
                severity=raw.get("severity"),
                enabled=bool(raw.get("enabled", True)),
                not_before=_compile(raw["not_before"], where, "end") if raw.get("not_before") else None,
                not_after=_compile(raw["not_after"], where, "start") if raw.get("not_after") else None,
                flag_examples=_examples(examples.get("flag"), where),
                pass_examples=_examples(examples.get("pass"), where),
            )
        )
    return RuleFile(
        path=path,
        code=code,
        name=str(data["name"]),
        severity=str(data.get("severity", "warning")),
        description=str(data.get("description", "")),
        family=str(data.get("family", data["name"])),
        rules=rules,
    )


def rule_files(extra: list[Path] | None = None) -> list[RuleFile]:
    """The project's wording rule files plus any extra ones from configuration."""
    if not WORDING_DIR.is_dir():
        # An install without its data would otherwise run with empty rules (and used to crash).
        raise DictionaryError(f"找不到规则词典目录 {WORDING_DIR}：安装包不完整，请重新安装 qualitycheck")
    paths = sorted(WORDING_DIR.glob("*.yaml"))
    for p in extra or []:
        if not p.is_file():
            raise DictionaryError(f"{p}：找不到配置中指定的附加词典文件")
        paths.append(p)
    return [load_rule_file(p) for p in paths]
