"""Spreadsheet output that opens ready to use in Excel and WPS, and is safe with page content.

Every cell from a page is hostile: control characters (which openpyxl refuses and XML forbids) are
shown as ``\\x07``-style escapes, and text that a spreadsheet would run as a formula (``=``, ``+``,
``-``, ``@``, tab, CR …: OWASP's CSV injection) gets a leading apostrophe. Every sheet has a bold
frozen header, an autofilter over its rows and column widths fitted to its content; numbers stay
numbers so they sort and sum.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from ..text.width import display_width

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")
EXCEL_CELL_LIMIT = 32000  # Excel keeps 32,767 characters in a cell
_MIN_WIDTH, _MAX_WIDTH = 6, 60


def clean_text(value: object, limit: int = 500) -> str:
    """Text without XML-illegal characters, at most ``limit`` characters (for .docx paragraphs)."""
    text = _CONTROL.sub("", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape_control(match: re.Match) -> str:
    return f"\\x{ord(match.group()):02x}" if ord(match.group()) < 0x100 else f"\\u{ord(match.group()):04x}"


def safe_cell(value: object, limit: int = EXCEL_CELL_LIMIT) -> object:
    """A cell value that is never run as a formula and never breaks the file: numbers pass as
    numbers, None as an empty cell, text has its control characters escaped visibly."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = _CONTROL.sub(_escape_control, str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def safe_csv_row(values: Iterable[object]) -> list[str]:
    """A CSV row with the same protection (CSV has no cell types, so numbers are written as text)."""
    out = []
    for value in values:
        cell = safe_cell(value)
        out.append("" if cell is None else str(cell))
    return out


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def sheet_title(name: str, taken: set[str]) -> str:
    """A legal, unique sheet name (31 characters, none of []:*?/\\) for a site or other label."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "sheet"
    base = base[:31]
    title, n = base, 2
    while title.lower() in taken:
        suffix = f"~{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def write_sheet(wb: Any, title: str, header: Sequence[str], rows: Sequence[Sequence[object]],
                widths: dict[int, int] | None = None) -> None:
    """A sheet of ``rows`` under a bold frozen ``header``, filtered and fitted; works on a
    write-only workbook (the rows are at hand, so the widths are known before the first row)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(title)
    fitted = [display_width(h) + 2 for h in header]
    for row in rows[:2000]:  # the first rows are a fair sample; long texts are capped anyway
        for i, value in enumerate(row):
            if value is not None and i < len(fitted):
                fitted[i] = max(fitted[i], display_width(str(value)[:80]) + 2)
    for i, width in enumerate(fitted):
        if widths and i in widths:
            width = widths[i]
        ws.column_dimensions[_column_letter(i)].width = max(_MIN_WIDTH, min(_MAX_WIDTH, width))
    ws.freeze_panes = "A2"
    bold, top = Font(bold=True), Alignment(vertical="top", wrap_text=True)
    head_cells = []
    for h in header:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        head_cells.append(cell)
    ws.append(head_cells)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=safe_cell(value))
            if isinstance(cell.value, str) and len(cell.value) > _MAX_WIDTH:
                cell.alignment = top
            cells.append(cell)
        ws.append(cells)
    ws.auto_filter.ref = f"A1:{_column_letter(max(len(header) - 1, 0))}{len(rows) + 1}"
