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


def _plausibility(text: str) -> float:
    """Share of characters that Chinese text is made of: Han, CJK punctuation, digits, spaces."""
    if not text:
        return 0.0
    good = 0.0
    for ch in text[:4000]:
        code = ord(ch)
        if 0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF:
            good += 1
        elif ch.isdigit() or ch.isspace() or ch in ",.;:!?()-":
            good += 0.5
    return good / min(len(text), 4000)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16-LE Chinese text without a BOM has no NUL bytes; GB18030 reads it as junk."""
    if len(data) % 2:
        return None
    try:
        as_utf16 = data.decode("utf-16-le")
    except UnicodeDecodeError:
        return None
    try:
        as_gb = data.decode("gb18030")
    except UnicodeDecodeError:
        as_gb = ""
    score = _plausibility(as_utf16)
    return as_utf16 if score > 0.8 and score > _plausibility(as_gb) + 0.2 else None


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _control_ratio(text: str) -> float:
    """Share of control characters and U+FFFD in the first 20,000 characters (binary data)."""
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) / len(sample) if sample else 0.0


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _drop_stray_nuls(data: bytes) -> bytes:
    """Text with a few NUL bytes in it is text: browsers ignore them, so must the reader.

    One NUL after <head> used to make every page "binary" and the site pass unchecked.
    NUL never occurs inside a UTF-8 or GB18030 character, so dropping it is safe there;
    UTF-16 is recognised before this is called. Real binary data has far more NULs."""
    if b"\x00" not in data:
        return data
    sample = data[:20000]
    limit = max(16, len(sample) // 100)
    if sample.count(0) > limit or len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > limit:
        return data
    return data.replace(b"\x00", b"")


def _as_utf8(data: bytes, name: str) -> tuple[str, str] | None:
    try:
        return _checked(data.decode("utf-8"), "utf-8", name)
    except UnicodeDecodeError:
        pass
    # A byte flipped or a character cut in two must not turn a UTF-8 page into junk
    # (or into an unreadable page, which an attacker can do on purpose).
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    # Measured against the non-ASCII characters: GBK read as UTF-8 is nearly all U+FFFD there,
    # a UTF-8 page with a few dozen flipped bytes is not (markup would hide either in a page-wide ratio).
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    if bad <= max(2, len(text) // 500) or bad <= 0.05 * non_ascii:
        return _checked(text, "utf-8", name)
    return None


def decode(data: bytes, *, declared: str | None = None, html: bool = False, name: str = "input") -> tuple[str, str]:
    """Return (text, encoding). Raise InputError for binary data or an unknown encoding."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(enc, errors="replace"), enc, name)
    utf16 = _looks_utf16(data)
    if utf16:
        return _checked(data.decode(utf16, errors="replace"), utf16, name)
    if b"\x00" not in data[:8000]:
        found = _as_utf8(data, name)
        if found is not None:
            return found
    # Chinese UTF-16-LE without a BOM has no NUL bytes in its characters and is not UTF-8.
    utf16_text = _utf16_without_bom(data)
    if utf16_text is not None:
        return _checked(utf16_text, "utf-16-le", name)
    stripped = _drop_stray_nuls(data)
    if stripped is not data:
        data = stripped
        found = _as_utf8(data, name)
        if found is not None:
            return found
    if b"\x00" in data[:8000]:
        raise InputError(f"{name}：看起来是二进制文件，不是文本或 HTML")
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
    raise InputError(f"{name}：无法识别的文本编码（不是 UTF-8、UTF-16 或 GB18030）")


def _checked(text: str, encoding: str, name: str) -> tuple[str, str]:
    if _control_ratio(text) > 0.05:
        raise InputError(f"{name}：看起来是二进制文件，不是文本或 HTML")
    return text, encoding
