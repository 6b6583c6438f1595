"""Same-sound and similar-shape characters from pycorrector's lists (dictionaries/typo/), loaded once."""
from __future__ import annotations

from functools import lru_cache

from ..paths import DICTIONARIES_DIR


@lru_cache(maxsize=1)
def confusable_chars() -> dict[str, set[str]]:
    """char -> same-sound and similar-shape characters (pycorrector data in dictionaries/typo/)."""
    out: dict[str, set[str]] = {}
    folder = DICTIONARIES_DIR / "typo"
    for name in ("same_pinyin.txt", "same_stroke.txt"):
        path = folder / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            group = "".join(cols)
            if name == "same_pinyin.txt":  # char <TAB> same tone <TAB> other tones
                out.setdefault(cols[0], set()).update(group[1:])
            else:  # a group of similar-looking characters
                for ch in group:
                    out.setdefault(ch, set()).update(group)
    for ch, similar in out.items():
        similar.discard(ch)
    return out


@lru_cache(maxsize=1)
def wide_confusable_chars() -> dict[str, set[str]]:
    """confusable_chars widened by the idiom builder's sets (typos/idiom_confusables.txt: same
    syllable by pypinyin, one-stroke shape edits), for short fixed lists (提法, a site's leaders)
    where more candidates cost no precision: 裕 → 余 is only in the latter."""
    merged = {ch: set(alts) for ch, alts in confusable_chars().items()}
    path = DICTIONARIES_DIR / "typos" / "idiom_confusables.txt"
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                right, _, wrongs = line.partition("\t")
                merged.setdefault(right, set()).update(wrongs)
    for ch, similar in merged.items():
        similar.discard(ch)
    return merged
