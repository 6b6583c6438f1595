"""SARIF 2.1.0 for code-scanning dashboards.

Regions of text files are exact. For HTML and .docx the line and column refer
to the extracted text (title, then body), which ``properties.textSource`` says.
"""

from __future__ import annotations

import json

from .. import __version__
from ..checks.registry import all_checks
from . import FileResult

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(results: list[FileResult]) -> str:
    used = {f.code for r in results for f in r.findings}
    rules = []
    index = {}
    for check in all_checks():
        if check.code in used:
            index[check.code] = len(rules)
            rules.append({
                "id": check.code,
                "name": check.name,
                "shortDescription": {"text": check.summary},
                "fullDescription": {"text": check.description},
                "defaultConfiguration": {"level": _LEVEL[check.severity]},
                "properties": {"ruleSource": check.rule_source},
            })
    sarif_results = []
    invocations_notes = []
    for res in results:
        if res.error:
            invocations_notes.append({"level": "error", "message": {"text": f"{res.source}: {res.error}"}})
            continue
        extracted = res.document is not None and res.document.kind != "text"
        for f in res.findings:
            location: dict = {"physicalLocation": {"artifactLocation": {"uri": res.source}}}
            if f.line:
                location["physicalLocation"]["region"] = {
                    "startLine": f.line,
                    "startColumn": f.column,
                    "endColumn": (f.column or 1) + (len(f.span) if f.span else 0),
                    "snippet": {"text": f.match},
                }
            entry = {
                "ruleId": f.code,
                "level": _LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [location],
                "partialFingerprints": {"qualitycheck/v1": f.fingerprint},
                "properties": {"scope": f.scope, "ruleSource": f.rule_source, "ruleEntry": f.rule_id,
                               "suggestions": f.suggestions,
                               "textSource": "extracted" if extracted else "file"},
            }
            if f.code in index:
                entry["ruleIndex"] = index[f.code]
            sarif_results.append(entry)
    run = {
        "tool": {"driver": {"name": "qualitycheck", "version": __version__, "rules": rules}},
        "results": sarif_results,
        "invocations": [{"executionSuccessful": not invocations_notes,
                         "toolExecutionNotifications": invocations_notes}],
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, ensure_ascii=False, indent=2) + "\n"
