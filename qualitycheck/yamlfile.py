"""Reading the YAML dictionaries: libyaml's C parser when PyYAML has it (five times faster on the
~1 MB of dictionaries/ a cold `check` reads), the pure-Python one otherwise. Both are safe
loaders: plain data, no Python objects."""
from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """yaml.safe_load, faster; raises yaml.YAMLError on bad input as it does."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
