"""Same-sound and similar-shape characters from pycorrector's lists (dictionaries/typo/), loaded once."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

from ..paths import DICTIONARIES_DIR


#: Every file the confusion sets are read from (for digests of tables built from them).
CONFUSABLE_FILES = (DICTIONARIES_DIR / "typo" / "same_pinyin.txt", DICTIONARIES_DIR / "typo" / "same_stroke.txt",
                    DICTIONARIES_DIR / "typos" / "idiom_confusables.txt")


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


class _WidenedConfusables(Mapping):
    """confusable_chars() plus extra alternatives per character, merged per character on first
    lookup: its users ask about the few hundred characters of a short list, and merging all
    21k characters' sets up front was a tenth of a second of every cold `check`."""

    def __init__(self, base: Mapping[str, set[str]], extra: dict[str, str]):
        self._base, self._extra = base, extra
        self._merged: dict[str, frozenset[str]] = {}

    def __getitem__(self, ch: str) -> frozenset[str]:
        hit = self._merged.get(ch)
        if hit is None:
            if ch not in self._base and ch not in self._extra:
                raise KeyError(ch)
            hit = self._merged[ch] = frozenset(self._base.get(ch, ())).union(self._extra.get(ch, "")) - {ch}
        return hit

    def __iter__(self) -> Iterator[str]:
        return iter(self._base.keys() | self._extra.keys())

    def __len__(self) -> int:
        return len(self._base.keys() | self._extra.keys())


@lru_cache(maxsize=1)
def wide_confusable_chars() -> Mapping[str, frozenset[str]]:
    """confusable_chars widened by the idiom builder's sets (typos/idiom_confusables.txt: same
    syllable by pypinyin, one-stroke shape edits), for short fixed lists (提法, a site's leaders)
    where more candidates cost no precision: 裕 → 余 is only in the latter."""
    extra: dict[str, str] = {}
    path = DICTIONARIES_DIR / "typos" / "idiom_confusables.txt"
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                right, _, wrongs = line.partition("\t")
                extra[right] = extra.get(right, "") + wrongs.partition("\t")[0]
    return _WidenedConfusables(confusable_chars(), extra)
