"""Word documents (.docx): paragraphs and table cells in reading order."""

from __future__ import annotations

import io
import zipfile

from ..document import Document, Segment
from ..errors import InputError

# A .docx is a zip: its header sizes are the sender's word, so members are inflated by streaming
# and counted, and the reading stops at these bounds (a 3 MB zip bomb can claim 1 GB of XML).
MAX_MEMBERS = 2000
MAX_UNCOMPRESSED = 64 * 1024 * 1024
_CHUNK = 1 << 16
# Entity declarations serve nothing in a Word document and are how XML expansion attacks start.
_FORBIDDEN = (b"<!doctype", b"<!entity")


def _inspect_zip(data: bytes, source: str) -> None:
    """Refuse a zip with too many members, too many inflated bytes, or XML entity declarations."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError(f"{source}：不是可读取的 .docx 文件（{exc.__class__.__name__}）") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise InputError(f"{source}：.docx 内含文件超过 {MAX_MEMBERS} 个，拒绝读取")
        total = 0
        for info in members:
            is_xml = info.filename.lower().endswith((".xml", ".rels"))
            tail = b""
            try:
                with archive.open(info) as fh:
                    while True:
                        chunk = fh.read(_CHUNK)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > MAX_UNCOMPRESSED:
                            raise InputError(f"{source}：.docx 解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB"
                                             f"（疑似压缩炸弹），拒绝读取")
                        if is_xml:
                            window = (tail + chunk).lower()
                            if any(marker in window for marker in _FORBIDDEN):
                                raise InputError(f"{source}：.docx 中的 {info.filename} 含 XML 实体声明"
                                                 f"（DOCTYPE/ENTITY），拒绝读取")
                            tail = window[-16:]
            except InputError:
                raise
            except Exception as exc:  # zlib.error and the like: a damaged member, never a traceback
                raise InputError(f"{source}：.docx 已损坏（{info.filename}：{exc.__class__.__name__}）") from None


def docx_to_document(data: bytes, source: str = "<docx>") -> Document:
    """The text of a .docx; a paragraph styled Title (or 标题) becomes the title scope."""
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise InputError(f"{source}：未安装 python-docx，无法读取 .docx") from exc
    _inspect_zip(data, source)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{source}：不是可读取的 .docx 文件（{exc.__class__.__name__}）") from None
    except Exception as exc:  # lxml syntax errors and the like: this file is reported, the batch goes on
        raise InputError(f"{source}：无法解析 .docx（{exc.__class__.__name__}）") from None
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
