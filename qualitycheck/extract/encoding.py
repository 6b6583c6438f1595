"""Decoding bytes whose encoding is detected, not assumed.

Government pages and text files come in UTF-8 (with or without BOM),
GB18030/GBK/GB2312 and UTF-16; some declare a charset that does not match
their bytes, so the bytes decide first: BOM, then UTF-8 validity, then a
declared charset, then GB18030.
"""

from __future__ import annotations

import codecs
import re

from ..errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_-]{2,20})""", re.I)


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly ASCII text has a NUL in every other byte."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0xFFFD == ord(ch))
    return bad / len(sample)


def decode(data: bytes, *, declared: str | None = None, html: bool = False, name: str = "input") -> tuple[str, str]:
    """Return (text, encoding). Raise InputError for binary data or an unknown encoding."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(enc, errors="replace"), enc, name)
    utf16 = _looks_utf16(data)
    if utf16:
        return _checked(data.decode(utf16, errors="replace"), utf16, name)
    if b"\x00" in data[:8000]:
        raise InputError(f"{name}: looks like a binary file, not text or HTML")
    try:
        return _checked(data.decode("utf-8"), "utf-8", name)
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    if declared:
        candidates.append(declared)
    if html:
        m = _META_CHARSET.search(data[:5000])
        if m:
            candidates.append(m.group(1).decode("ascii").lower())
    candidates.append("gb18030")
    for enc in candidates:
        if enc.lower() in ("gb2312", "gbk", "x-gbk"):
            enc = "gb18030"  # a superset: pages labelled gb2312 often use GBK characters
        try:
            codecs.lookup(enc)
            return _checked(data.decode(enc), enc, name)
        except (LookupError, UnicodeDecodeError):
            continue
    # Last resort for mostly-valid GB text with a few broken bytes.
    text = data.decode("gb18030", errors="replace")
    if text.count("\ufffd") / max(len(text), 1) < 0.01:
        return _checked(text, "gb18030", name)
    raise InputError(f"{name}: unknown text encoding (not UTF-8, UTF-16 or GB18030)")


def _checked(text: str, encoding: str, name: str) -> tuple[str, str]:
    if _control_ratio(text) > 0.05:
        raise InputError(f"{name}: looks like a binary file, not text or HTML")
    return text, encoding
