"""Hostile .docx files are refused with a Chinese message, and a batch goes on past them."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from qualitycheck.errors import InputError
from qualitycheck.extract.docx import MAX_MEMBERS, MAX_UNCOMPRESSED, docx_to_document


def _plain_docx(text: str = "这是一篇正常的文章。") -> bytes:
    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(text)
    document.save(buf)
    return buf.getvalue()


def _rewrite(data: bytes, replace: dict[str, bytes] | None = None, extra: int = 0,
             bomb_bytes: int = 0) -> bytes:
    """The same package with some members replaced, extra members, or a document.xml padded out."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                    compresslevel=1) as dst:
        for info in src.infolist():
            if bomb_bytes and info.filename == "word/document.xml":
                with dst.open("word/document.xml", "w", force_zip64=True) as fh:
                    fh.write(src.read(info)[:-1])
                    block = b" " * (1 << 20)
                    for _ in range(bomb_bytes >> 20):
                        fh.write(block)
                continue
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info)))
        for i in range(extra):
            dst.writestr(f"customXml/item{i}.bin", b"")
    return out.getvalue()


def test_plain_docx_still_reads() -> None:
    assert "正常的文章" in docx_to_document(_plain_docx()).text


def test_entity_declaration_refused() -> None:
    base = _plain_docx()
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        xml = z.read("word/document.xml")
    head, rest = xml.split(b"?>", 1)
    evil = head + b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>' + rest
    evil = evil.replace("正常的文章".encode(), b"&b;")
    with pytest.raises(InputError, match="实体声明"):
        docx_to_document(_rewrite(base, {"word/document.xml": evil}), "evil.docx")


def test_entity_in_another_part_refused() -> None:
    base = _plain_docx()
    styles = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><w:styles xmlns:w="x">&e;</w:styles>'
    with pytest.raises(InputError, match="实体声明"):
        docx_to_document(_rewrite(base, {"word/styles.xml": styles}))


def test_zip_bomb_refused() -> None:
    bomb = _rewrite(_plain_docx(), bomb_bytes=MAX_UNCOMPRESSED + (8 << 20))
    assert len(bomb) < 5 * 1024 * 1024  # under the upload cap, as a real bomb would be
    with pytest.raises(InputError, match="压缩炸弹"):
        docx_to_document(bomb, "bomb.docx")


def test_too_many_members_refused() -> None:
    with pytest.raises(InputError, match="超过"):
        docx_to_document(_rewrite(_plain_docx(), extra=MAX_MEMBERS + 1))


def test_check_batch_reports_bad_file_and_checks_the_rest(tmp_path: Path) -> None:
    base = _plain_docx()
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        xml = z.read("word/document.xml")
    head, rest = xml.split(b"?>", 1)
    evil = head + b'?><!DOCTYPE w [<!ENTITY a "x">]>' + rest
    (tmp_path / "a_evil.docx").write_bytes(_rewrite(base, {"word/document.xml": evil}))
    (tmp_path / "b_good.txt").write_text("这是另一篇正常的文章，内容完整。", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "qualitycheck", "check", "--format", "json",
                           str(tmp_path / "a_evil.docx"), str(tmp_path / "b_good.txt")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "实体声明" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "b_good.txt" in proc.stdout
