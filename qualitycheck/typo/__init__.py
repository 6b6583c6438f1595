"""Chinese spelling (错别字) engine: a character n-gram model trained on official-register text,
precomputed confusion sets, and a precision-first decision rule.

Importing this package is cheap; the model loads on the first call (see :func:`get_engine`).
"""
from __future__ import annotations

__all__ = ["correct_batch", "get_engine", "TypoEngine", "Edit"]


def correct_batch(sentences: list[str], min_confidence: float = 0.0) -> list[dict]:
    """Correct each sentence: ``[{"source", "target", "edits": [{"pos", "wrong", "right", "code", "confidence"}]}]``.

    Model edits below ``min_confidence`` are not applied (``qualitycheck correct`` passes the
    configured ``[typo] min_confidence``, the same threshold QC103 reports at). ``target``
    always has the same length as ``source``.
    """
    from .engine import get_engine
    return get_engine().correct_batch(list(sentences), min_confidence=min_confidence)


def __getattr__(name):
    if name in ("get_engine", "TypoEngine", "Edit"):
        from . import engine
        return getattr(engine, name)
    raise AttributeError(name)
