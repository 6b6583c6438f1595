"""JSON and JSON Lines reports.

One shape for the CLI and the HTTP API, published as qualitycheck/schemas/findings.schema.json:
a report (``"schema": "qualitycheck/findings@1"``) from ``check --format json`` and ``POST
/v1/check``, and one finding per line (``qualitycheck/finding@1``) from ``--format jsonl``.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..document import SEVERITIES
from . import LINE_SCHEMA, SCHEMA, FileResult


def file_entry(res: FileResult, *, include_text: bool = False) -> dict[str, Any]:
    """One checked input; ``include_text`` adds the checked text (the API does, so spans can be placed)."""
    doc = res.document
    entry: dict[str, Any] = {
        "source": res.source,
        "kind": doc.kind if doc else None,
        "url": doc.url if doc else None,
        "title": doc.title if doc else None,
        "published": doc.published.isoformat() if doc and doc.published else None,
        "error": res.error,
        "findings": [f.to_dict() for f in res.findings],
    }
    if doc is not None and doc.meta.get("published_from"):
        entry["published_from"] = doc.meta["published_from"]
    if include_text and doc is not None:
        entry["text"] = doc.text
    return entry


def summary(results: list[FileResult]) -> dict:
    by_code: dict[str, int] = {}
    by_severity: dict[str, int] = {sev: 0 for sev in reversed(SEVERITIES)}
    for res in results:
        for f in res.findings:
            by_code[f.code] = by_code.get(f.code, 0) + 1
            by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
    return {
        "files": len(results),
        "errors": sum(1 for r in results if r.error),
        "findings": sum(len(r.findings) for r in results),
        "by_code": dict(sorted(by_code.items())),
        "by_severity": by_severity,
    }


def report_payload(results: list[FileResult], *, include_text: bool = False) -> dict[str, Any]:
    """The qualitycheck/findings@1 object, shared by ``check --format json`` and the HTTP API."""
    return {
        "schema": SCHEMA,
        "tool": {"name": "qualitycheck", "version": __version__},
        "files": [file_entry(r, include_text=include_text) for r in results],
        "summary": summary(results),
    }


def render(results: list[FileResult]) -> str:
    return json.dumps(report_payload(results), ensure_ascii=False, indent=2) + "\n"


def render_lines(results: list[FileResult]) -> str:
    lines = []
    for res in results:
        if res.error:
            lines.append({"schema": LINE_SCHEMA, "source": res.source, "error": res.error})
        for f in res.findings:
            lines.append({"schema": LINE_SCHEMA, **f.to_dict()})
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
