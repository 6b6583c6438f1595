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
