"""Word documents (.docx): paragraphs and table cells in reading order."""

from __future__ import annotations

import io
import zipfile

from ..document import Document, Segment
from ..errors import InputError


def docx_to_document(data: bytes, source: str = "<docx>") -> Document:
    """The text of a .docx; a paragraph styled Title (or 标题) becomes the title scope."""
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise InputError(f"{source}：未安装 python-docx，无法读取 .docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{source}：不是可读取的 .docx 文件（{exc.__class__.__name__}）") from None
    title = None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(node.text or "" for node in block.iter() if node.tag.endswith("}t"))
            style = block.xpath("./w:pPr/w:pStyle/@w:val")
            if title is None and not lines and style and style[0].lower() in ("title", "标题", "heading1", "1"):
                title = text.strip() or None
                if title:
                    continue
            lines.append(text)
        elif tag == "tbl":
            for row in block.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if cell.tag.endswith("}tc"):
                            cells.append("".join(n.text or "" for n in cell.iter() if n.tag.endswith("}t")))
                    lines.append("\t".join(cells))
    body = "\n".join(lines).strip("\n")
    if not body.strip() and not title:
        raise InputError(f"{source}：文档中没有文字")
    if title:
        text = title + "\n\n" + body
        segments = [Segment("title", 0, len(title)), Segment("body", len(title) + 2, len(text))]
    else:
        text, segments = body, [Segment("body", 0, len(body))]
    return Document(text=text, source=source, kind="docx", title=title, segments=segments)
