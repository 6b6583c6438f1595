"""Report files appear complete or not at all.

Each file is written under a temporary name in its own folder, flushed to disk and
renamed over the final name, so a run killed at any moment leaves either the
previous complete file, the new complete file, or none: never half of one.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


PART_SUFFIX = ".partial"


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}{PART_SUFFIX}")


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some filesystems cannot open a folder; the rename itself is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write to (by any library); it replaces `path` on success."""
    final = Path(path)
    tmp = _temporary(final)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(final.parent)


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", **kwargs) -> Iterator[IO]:
    """open() whose file takes its final name only once it is complete.

    Text from pages can hold lone surrogates (a broken \\ud800 escape); they are written as
    backslash escapes, which in JSON is the same character, instead of failing the report."""
    if "b" not in mode:
        kwargs.setdefault("errors", "backslashreplace")
    with atomic_path(path) as tmp:
        with open(tmp, mode, **kwargs) as fh:
            yield fh
            fh.flush()


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    with atomic_open(path, "w", encoding=encoding) as fh:
        fh.write(text)
    return Path(path)
