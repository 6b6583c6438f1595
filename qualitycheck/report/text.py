"""Human-readable report: file:line:col, code, message, the line with the span marked, the fix."""

from __future__ import annotations

from ..document import SEVERITY_LABELS
from ..text.width import display_width as _width
from . import FileResult

SCOPE_LABELS = {"title": "标题", "body": "正文", "link": "链接", "hidden": "隐藏内容", "footer": "页脚",
                "meta": "页面元数据", "page": "页面", "site": "站点", "label": "标签"}


def _excerpt(line: str, col: int, length: int, room: int = 60) -> tuple[str, str]:
    """The line around the span (trimmed to about `room` chars) and a caret marker under it."""
    start = max(0, col - 1 - room // 2)
    end = min(len(line), col - 1 + length + room // 2)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(line) else ""
    shown = prefix + line[start:end] + suffix
    lead = _width(prefix + line[start : col - 1])
    marks = max(1, _width(line[col - 1 : col - 1 + length]))
    return shown, " " * lead + "^" * marks


def render(results: list[FileResult]) -> str:
    out: list[str] = []
    total = 0
    counts: dict[str, int] = {}
    for res in results:
        if res.error:
            out.append(f"{res.source}: 无法检查：{res.error}")
            continue
        for f in res.findings:
            total += 1
            counts[f.severity] = counts.get(f.severity, 0) + 1
            where = f"{res.source}:{f.line}:{f.column}" if f.line else res.source
            scope = f"［{SCOPE_LABELS.get(f.scope, f.scope)}］" if f.scope not in ("body",) else ""
            out.append(f"{where}: {f.code} {f.name} {SEVERITY_LABELS.get(f.severity, f.severity)} {f.message}{scope}")
            if res.document is not None and f.line and f.span is not None:
                line = res.document.line_text(f.line)
                shown, marker = _excerpt(line, f.column or 1, len(f.span))
                out.append(f"    {shown}")
                out.append(f"    {marker}")
            if f.suggestions:
                fixes = "、".join(f"“{s}”" if s else "删除" for s in f.suggestions)
                out.append(f"    建议：{fixes}")
            if f.rule_source:
                out.append(f"    依据：{f.rule_source}")
    if total:
        parts = "，".join(f"{SEVERITY_LABELS[s]} {counts[s]}" for s in ("error", "warning", "info") if s in counts)
        out.append(f"共发现 {total} 个问题（{parts}）。")
    else:
        checked = sum(1 for r in results if not r.error)
        if checked:
            out.append(f"未发现问题（检查了 {checked} 个文件）。")
    return "\n".join(out) + "\n"
