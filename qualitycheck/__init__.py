"""qualitycheck: find the content problems government-website inspectors find.

Public API::

    from qualitycheck import check_text, check_html, check_file, correct_batch, Finding
"""

from __future__ import annotations

from typing import Any

from .document import Document, Finding, Span

__version__ = "0.1.0"
__all__ = [
    "Document",
    "Finding",
    "Span",
    "check_document",
    "check_file",
    "check_html",
    "check_text",
    "correct_batch",
    "inspect_html",
]


def __getattr__(name: str) -> Any:
    # Heavy parts (trafilatura, jieba, the language model) load on first use.
    if name in ("check_text", "check_html", "check_file", "check_document"):
        from . import api

        return getattr(api, name)
    if name == "correct_batch":
        from .typo import correct_batch

        return correct_batch
    if name == "inspect_html":
        from .inspect import inspect_html

        return inspect_html
    raise AttributeError(f"module 'qualitycheck' has no attribute {name!r}")
