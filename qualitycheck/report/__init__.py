"""Reporters: one module per output format. Each takes a list of FileResult."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..document import Document, Finding

SCHEMA = "qualitycheck/findings@1"  # a whole report (check --format json, POST /v1/check)
LINE_SCHEMA = "qualitycheck/finding@1"  # one line of --format jsonl
# Both are defined in qualitycheck/schemas/findings.schema.json.


@dataclass
class FileResult:
    """What checking one input produced: its findings, or the error that stopped it."""

    source: str
    document: Document | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None


def get_reporter(name: str) -> Callable[[list[FileResult]], str]:
    from . import github, json_report, sarif, text

    return {
        "text": text.render,
        "json": json_report.render,
        "jsonl": json_report.render_lines,
        "sarif": sarif.render,
        "github": github.render,
    }[name]


