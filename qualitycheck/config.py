"""Configuration: built-in defaults merged with qualitycheck.toml or [tool.qualitycheck]."""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .document import SEVERITIES
from .errors import ConfigError, os_reason

_TYPE_CN = {"str": "文字", "int": "整数", "float": "数字", "bool": "true/false", "list": "列表", "dict": "表"}

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")
CONFIG_NAMES = ("qualitycheck.toml", "pyproject.toml")


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}：找不到配置文件") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}：不是有效的 TOML（{exc}）") from None
    except OSError as exc:
        raise ConfigError(f"{path}：无法读取配置文件（{os_reason(exc)}）") from None


_DEFAULTS: dict[str, Any] = _load_toml(DEFAULTS_PATH)


def _merge(base: dict[str, Any], override: dict[str, Any], where: str) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if key not in base:
            raise ConfigError(f"{where}：未知选项“{key}”")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}：“{key}”必须是一个表（[{key}]）")
            if key == "severity":
                out[key].update(value)
            else:
                out[key] = _merge(base[key], value, f"{where} [{key}]")
        else:
            if type(value) is not type(base[key]) and not (
                isinstance(base[key], float) and isinstance(value, int)
            ):
                raise ConfigError(
                    f"{where}：“{key}”应为 {_TYPE_CN.get(type(base[key]).__name__, type(base[key]).__name__)}，实际是 {_TYPE_CN.get(type(value).__name__, type(value).__name__)}"
                )
            out[key] = value
    return out


def find_config(start: Path) -> Path | None:
    """The nearest qualitycheck.toml, or pyproject.toml with [tool.qualitycheck], upwards from start."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        candidate = folder / "qualitycheck.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = _load_toml(candidate)
            except ConfigError:
                continue
            if "qualitycheck" in data.get("tool", {}):
                return candidate
    return None


# Characters str.splitlines() breaks on besides \n: in an accept file they would cut one phrase
# into several, and a one-character "phrase" silences every finding on that character.
_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def normalize_phrase(phrase: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", phrase).strip()


def phrase_problem(phrase: str) -> str | None:
    """Why an accept-list phrase (already normalised) is refused, in Chinese; None if it is fine."""
    import unicodedata

    if not phrase:
        return "短语为空"
    if any(ch == "\n" or ch in _LINE_BREAKS for ch in phrase):
        return "短语只能是一行文字（不能含换行、行分隔符或段分隔符）"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in phrase):
        return "短语含控制字符或不可见字符"
    if len(phrase) < 2:
        return "短语至少两个字（单字会屏蔽所有同字问题）"
    if phrase.startswith("#"):
        return "短语不能以 # 开头"
    return None


def accept_lines(text: str) -> list[str]:
    """The phrases of an accept file: one per \n-separated line; blank lines, # comments and
    refused phrases (see phrase_problem) are left out."""
    out = []
    for line in text.split("\n"):
        phrase = normalize_phrase(line.rstrip("\r"))
        if phrase and not phrase.startswith("#") and not phrase_problem(phrase):
            out.append(phrase)
    return out


@dataclass
class Config:
    """The merged configuration. Build with ``Config.load`` or ``Config.from_dict``."""

    data: dict[str, Any]
    path: Path | None = None
    accepted: frozenset[str] = field(default_factory=frozenset)
    baseline: frozenset[str] = field(default_factory=frozenset)  # fingerprints not to report again
    _accepted_pattern: "re.Pattern | None" = field(default=None, repr=False, compare=False)

    @classmethod
    def default(cls) -> "Config":
        return cls.from_dict({})

    @classmethod
    def from_dict(cls, overrides: dict[str, Any], path: Path | None = None) -> "Config":
        where = str(path) if path else "configuration"
        data = _merge(_DEFAULTS, overrides, where)
        cfg = cls(data=data, path=path)
        cfg._validate(where)
        return cfg

    @classmethod
    def load(cls, path: str | Path | None = None, search_from: str | Path = ".") -> "Config":
        """Load an explicit file, or discover one from ``search_from`` upwards."""
        if path is None:
            found = find_config(Path(search_from))
            if found is None:
                return cls.default()
            path = found
        path = Path(path)
        raw = _load_toml(path)
        if path.name == "pyproject.toml":
            raw = raw.get("tool", {}).get("qualitycheck", {})
        elif "tool" in raw and "qualitycheck" in raw["tool"]:
            raw = raw["tool"]["qualitycheck"]
        return cls.from_dict(raw, path)

    def _validate(self, where: str) -> None:
        d = self.data
        if d["fail_on"] not in SEVERITIES:
            raise ConfigError(f"{where}：fail_on 必须是以下之一：{'、'.join(SEVERITIES)}")
        for code, sev in d["severity"].items():
            if sev not in SEVERITIES:
                raise ConfigError(f"{where}：{code} 的级别必须是以下之一：{'、'.join(SEVERITIES)}")
        if d["as_of"]:
            try:
                date.fromisoformat(d["as_of"])
            except ValueError:
                raise ConfigError(f"{where}：as_of 必须是 YYYY-MM-DD 格式的日期，实际为 {d['as_of']!r}") from None
        share = d["limits"].get("max_unread_share", 0.2)
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise ConfigError(f"{where}：limits.max_unread_share 必须是 0 到 1 之间的数字，实际为 {share!r}")
        base = self.path.parent if self.path else Path.cwd()
        accepted = set(d["accept"])
        if d["accept_file"]:
            accept_path = (base / d["accept_file"]).resolve()
            if accept_path.is_file():
                try:
                    text = accept_path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise ConfigError(f"{where}：accept_file {accept_path} 无法按 UTF-8 文本读取（{exc}）") from None
                accepted.update(accept_lines(text))
        self.accepted = frozenset(p for p in (normalize_phrase(x) for x in accepted) if not phrase_problem(p))
        self.baseline = frozenset()
        if d["baseline"]:
            path = (base / d["baseline"]).resolve()
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{where}：基线文件 {path} 无法读取（{exc}）") from None
            self.baseline = frozenset(ln.split()[0] for ln in lines if ln.strip() and not ln.startswith("#"))

    @property
    def accepted_pattern(self) -> "re.Pattern | None":
        """One regex for every accepted phrase, longest first (compiled once per configuration)."""
        if not self.accepted:
            return None
        if self._accepted_pattern is None:
            self._accepted_pattern = re.compile(
                "|".join(re.escape(p) for p in sorted(self.accepted, key=len, reverse=True)))
        return self._accepted_pattern

    # -- convenient views -------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    @property
    def as_of(self) -> date:
        return date.fromisoformat(self.data["as_of"]) if self.data["as_of"] else date.today()

    def resolve_path(self, value: str) -> Path:
        base = self.path.parent if self.path else Path.cwd()
        return (base / value).resolve()

    def with_overrides(self, **overrides: Any) -> "Config":
        """A copy with command-line overrides applied (None values are skipped; tables merge,
        so ``typo={"language_model": False}`` changes that one key)."""
        data = copy.deepcopy(self.data)
        for key, value in overrides.items():
            if value is None:
                continue
            if isinstance(data.get(key), dict) and isinstance(value, dict):
                data[key] = _merge(data[key], value, f"command line [{key}]") if key != "severity" else {**data[key], **value}
            else:
                data[key] = value
        cfg = Config(data=data, path=self.path)
        cfg._validate("command line")
        return cfg

    def is_selected(self, code: str, rule_id: str = "", enabled_by_default: bool = True) -> bool:
        """Ruff-style selection: the longest matching prefix among select/ignore wins."""
        def best(prefixes: list[str]) -> int:
            lengths = [len(p) for p in prefixes if p != "ALL" and (code.startswith(p) or p == rule_id)]
            if "ALL" in prefixes:
                lengths.append(0)
            return max(lengths, default=-1)

        ignored = best(self.data["ignore"])
        # extend_select switches rules on, including off-by-default ones.
        if best(self.data["extend_select"]) > ignored:
            return True
        sel = best(self.data["select"])
        if sel < 0 or ignored >= sel:
            return False
        if not enabled_by_default:
            # Off-by-default rules need an explicit selection by their own id (a dictionary
            # entry) or code (a check), not "ALL" or a family prefix.
            return (rule_id or code) in self.data["select"]
        return True

    def severity_for(self, code: str, default: str) -> str:
        return self.data["severity"].get(code, default)
