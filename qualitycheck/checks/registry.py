"""The check registry: every check by its stable code."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DictionaryError
from .base import Check

if TYPE_CHECKING:
    from ..config import Config

_BUILTIN: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: add a built-in check under its code."""
    if cls.code in _BUILTIN:
        raise ValueError(f"duplicate check code {cls.code}")
    _BUILTIN[cls.code] = cls
    return cls


def _import_builtin_modules() -> None:
    # Importing a module registers its checks.
    from . import formulations, idioms, meta, typos  # noqa: F401

    for name in ("columns", "identity", "links", "interaction", "spam_text", "site_leaders"):
        try:
            __import__(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise


@lru_cache(maxsize=8)
def _checks_for(extra: tuple[Path, ...]) -> tuple[Check, ...]:
    from .dictionary import rule_files
    from .wording import WordingCheck

    _import_builtin_modules()
    checks: dict[str, Check] = {code: cls() for code, cls in _BUILTIN.items()}
    for rule_file in rule_files(list(extra)):
        existing = checks.get(rule_file.code)
        if existing is None:
            checks[rule_file.code] = WordingCheck(rule_file)
        elif isinstance(existing, WordingCheck):
            existing.merge(rule_file)
        else:
            raise DictionaryError(f"{rule_file.path}：规则代码 {rule_file.code} 已被内置规则使用")
    return tuple(sorted(checks.values(), key=lambda c: c.code))


def all_checks(config: "Config | None" = None) -> tuple[Check, ...]:
    """Every check, built-in and dictionary-driven, sorted by code (built once per process)."""
    extra: tuple[Path, ...] = ()
    if config is not None:
        extra = tuple(config.resolve_path(p) for p in config["extra_dictionaries"])
    return _checks_for(extra)


def get_check(code: str, config: "Config | None" = None) -> Check | None:
    code = code.upper()
    for check in all_checks(config):
        if check.code == code:
            return check
    return None
