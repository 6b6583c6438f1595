"""From a path, bytes or a string to a Document: detect the kind, decode, extract."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ..document import Document
from ..errors import InputError, os_reason
from .docx import docx_to_document
from .encoding import decode
from .dates import signing_date
from .html import html_to_document

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<div|<p[\s>]|<!--|<table|<article|<section|<h[1-6])", re.I)


def sniff_kind(data: bytes, name: str = "") -> str:
    """text | html | docx, from the name's extension and the first bytes."""
    suffix = Path(name).suffix.lower()
    if suffix == ".docx" or data[:4] == b"PK\x03\x04":
        return "docx"
    if suffix in (".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"):
        return "html"
    head = data[:2000]
    for enc in ("utf-8", "utf-16", "gb18030"):
        try:
            if _HTML_START.match(head.decode(enc, errors="ignore").lstrip("\ufeff")):
                return "html"
        except LookupError:  # pragma: no cover
            pass
    return "text"


def read_input(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a file, with clear errors for what cannot be checked."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}：文件不存在") from None
    except OSError as exc:
        raise InputError(f"{path}：无法读取（{os_reason(exc)}）") from None
    if p.is_dir():
        raise InputError(f"{path}：这是一个目录，不是文件")
    if size > max_bytes:
        raise InputError(
            f"{path}：文件 {size / 1048576:.1f} MB，超过 {max_bytes / 1048576:.0f} MB 上限（limits.max_file_mb）"
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}：无法读取（{os_reason(exc)}）") from None
    if not data.strip():
        raise InputError(f"{path}：文件为空")
    return data


def document_from_bytes(
    data: bytes,
    name: str = "<input>",
    *,
    kind: str | None = None,
    url: str | None = None,
    published: date | None = None,
) -> Document:
    """Build a Document from raw bytes of text, HTML or .docx."""
    if not data.strip():
        raise InputError(f"{name}：输入为空")
    kind = kind or sniff_kind(data, name)
    if kind == "docx":
        doc = docx_to_document(data, name)
    elif kind == "html":
        text, encoding = decode(data, html=True, name=name)
        doc = html_to_document(text, name, url=url, encoding=encoding)
    else:
        text, _ = decode(data, name=name)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            raise InputError(f"{name}：输入为空")
        doc = Document(text=text, source=name, kind="text", url=url)
    if published is not None:
        doc.published = published
        doc.meta["published_from"] = "given"
    elif doc.kind in ("text", "docx") and doc.published is None:
        # An official document is judged as of its own 成文日期, as a page is as of its 发布时间.
        signed = signing_date(doc.text)
        if signed is not None:
            doc.published = signed
            doc.meta["published_from"] = "signing-line"
    return doc


def load_document(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, **kwargs) -> Document:
    return document_from_bytes(read_input(path, max_bytes), str(path), **kwargs)
