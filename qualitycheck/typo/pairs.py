"""The curated wrong→right phrase pairs (dictionaries/typos/confusion_pairs.tsv).

Kept in the typo package so both the engine's table builder and the QC101 check read the
file with one loader, and dependencies point one way (checks → typo, never back).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DictionaryError
from ..paths import DICTIONARIES_DIR

CONFUSION_PAIRS_PATH = DICTIONARIES_DIR / "typos" / "confusion_pairs.tsv"


def load_confusion_pairs(path: Path = CONFUSION_PAIRS_PATH) -> dict[str, tuple[str, str]]:
    """wrong -> (right, source id) from a TSV with '#' comment lines."""
    pairs: dict[str, tuple[str, str]] = {}
    if not path.is_file():
        return pairs
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0] or not cols[1]:
            raise DictionaryError(f"{path.name}:{n}：每行应为“错误写法<TAB>正确写法<TAB>来源”")
        pairs[cols[0]] = (cols[1], cols[2].strip() if len(cols) > 2 else "")
    return pairs
