"""Lexicon tables stored ready-made beside the files they are built from.

Some tables are derived from dictionary files at every cold start, at a cost of tenths of a
second (jieba's prefix dictionary, the merged word list, the idiom near-miss index, the
misspellings of the fixed formulations). They can be
written once as plain arrays (strings as one UTF-8 blob, numbers as integer arrays) with a digest
of their sources; a process whose sources still have that digest loads the arrays instead of
building the table, and one whose sources changed builds it as before. No pickle: the files are
data, readable by numpy alone.
"""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Callable, Iterable, TypeVar

import numpy as np

_SEP = "\n"
T = TypeVar("T")


def source_digest(paths: Iterable[Path], *settings: object) -> str:
    """SHA-256 over the files' names and bytes and the given settings (a missing file counts)."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode("utf-8") + b"\0")
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
        h.update(b"\0")
    h.update(repr(settings).encode("utf-8"))
    return h.hexdigest()


def pack_strings(strings: Iterable[str]) -> np.ndarray:
    """One uint8 array holding the strings, separated by line breaks (which none may contain)."""
    strings = list(strings)
    if any(_SEP in s for s in strings):
        raise ValueError("a stored string may not hold a line break")
    return np.frombuffer(_SEP.join(strings).encode("utf-8"), dtype=np.uint8)


def unpack_strings(array: np.ndarray, count: int) -> list[str]:
    if count == 0:
        return []
    out = array.tobytes().decode("utf-8").split(_SEP)
    if len(out) != count:
        raise ValueError("stored strings do not match their count")
    return out


def save(path: Path, digest: str, arrays: dict[str, np.ndarray]) -> None:
    np.savez(path, digest=np.array(digest), **arrays)


def load(path: Path, digest: str) -> dict[str, np.ndarray] | None:
    """The stored arrays, or None when the file is missing, unreadable or made from other sources."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["digest"]) != digest:
                return None
            return {name: z[name] for name in z.files if name != "digest"}
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def load_as(path: Path, digest: str, decode: Callable[[dict[str, np.ndarray]], T]) -> T | None:
    """``decode`` of the stored arrays, or None when they are missing, stale or malformed."""
    arrays = load(path, digest)
    if arrays is None:
        return None
    try:
        return decode(arrays)
    except (KeyError, ValueError):
        return None
