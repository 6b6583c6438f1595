"""GitHub Actions workflow commands (::error file=…,line=…::message)."""

from __future__ import annotations

from . import FileResult

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render(results: list[FileResult]) -> str:
    out = []
    for res in results:
        if res.error:
            out.append(f"::error file={_escape(res.source, True)},title=QC900::{_escape(res.error)}")
            continue
        for f in res.findings:
            props = [f"file={_escape(res.source, True)}"]
            if f.line:
                props += [f"line={f.line}", f"col={f.column}"]
            props.append(f"title={_escape(f.code + ' ' + f.name, True)}")
            msg = f.message + (f" 建议：{'、'.join(f.suggestions)}" if any(f.suggestions) else "")
            out.append(f"::{_LEVEL[f.severity]} {','.join(props)}::{_escape(msg)}")
    return "".join(line + "\n" for line in out)
