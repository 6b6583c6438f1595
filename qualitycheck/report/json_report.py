"""JSON and JSON Lines reports ("schema": "qualitycheck/findings@1")."""

from __future__ import annotations

import json

from .. import __version__
from . import SCHEMA, FileResult


def _file_entry(res: FileResult) -> dict:
    doc = res.document
    return {
        "source": res.source,
        "kind": doc.kind if doc else None,
        "url": doc.url if doc else None,
        "title": doc.title if doc else None,
        "published": doc.published.isoformat() if doc and doc.published else None,
        "error": res.error,
        "findings": [f.to_dict() for f in res.findings],
    }


def summary(results: list[FileResult]) -> dict:
    by_code: dict[str, int] = {}
    by_severity: dict[str, int] = {}
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


def render(results: list[FileResult]) -> str:
    payload = {
        "schema": SCHEMA,
        "tool": {"name": "qualitycheck", "version": __version__},
        "files": [_file_entry(r) for r in results],
        "summary": summary(results),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def render_lines(results: list[FileResult]) -> str:
    lines = []
    for res in results:
        if res.error:
            lines.append({"schema": SCHEMA, "source": res.source, "error": res.error})
        for f in res.findings:
            lines.append({"schema": SCHEMA, **f.to_dict()})
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
