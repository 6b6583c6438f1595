"""Inputs: encodings are detected, .docx and HTML are read, bad input gets a clear error."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from qualitycheck.errors import InputError
from qualitycheck.extract.loader import document_from_bytes, load_document, sniff_kind

ARTICLE = "关于做好政务公开工作的通知\n各单位：现将有关事项通知如下。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le"])
def test_text_encodings_are_detected(encoding):
    doc = document_from_bytes(ARTICLE.encode(encoding), "a.txt")
    assert doc.text == ARTICLE


def test_gbk_html_with_lying_meta_charset_decodes_by_bytes():
    html = '<html><head><meta charset="utf-8"><title>通知</title></head><body><p>各单位：现将有关事项通知如下。</p></body></html>'
    doc = document_from_bytes(html.encode("gbk"), "page.html")
    assert "现将有关事项通知如下" in doc.text


def test_utf8_html_declared_gb2312_decodes_as_utf8():
    html = '<html><head><meta charset="gb2312"></head><body><p>政府信息公开指南</p></body></html>'
    doc = document_from_bytes(html.encode("utf-8"), "page.html")
    assert "政府信息公开指南" in doc.text


def _docx_bytes(paragraphs: list[str], title: str | None = None) -> bytes:
    d = docx.Document()
    if title:
        d.add_heading(title, level=0)
    for p in paragraphs:
        d.add_paragraph(p)
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "联系电话"
    table.cell(0, 1).text = "028-12345678"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_title_body_and_tables():
    doc = document_from_bytes(_docx_bytes(["第一段正文。", "第二段正文。"], title="关于开展检查的通知"), "a.docx")
    assert doc.kind == "docx"
    assert doc.title == "关于开展检查的通知"
    assert [s.scope for s in doc.segments] == ["title", "body"]
    assert "第二段正文。" in doc.text and "联系电话\t028-12345678" in doc.text


def test_html_page_title_body_date_source(example_notice):
    doc = load_document(example_notice)
    assert doc.title == "四川省人民政府办公厅关于2018年第三季度全省政府网站抽查情况的通报"
    assert doc.published.isoformat() == "2018-09-19"
    assert doc.source_line == "省政府办公厅"
    assert doc.scope_at(0) == "title"
    body_start = doc.text.index("各市(州)")
    assert doc.scope_at(body_start) == "body"
    # Navigation and footer are not part of the checked text.
    assert "蜀ICP备" not in doc.text


def test_html_fragment_is_read_without_boilerplate_removal():
    doc = document_from_bytes("<p>第一段。</p><p>第二段。</p>".encode(), "frag.html")
    assert doc.text.split("\n") == ["第一段。", "第二段。"]


def test_inline_suppression_comment_maps_to_extracted_text():
    html = "<p>截止2024年底完成。</p><!-- qc: disable=QC205 --><p>截止2025年完成。</p><!-- qc: enable=QC205 --><p>尾段。</p>"
    doc = document_from_bytes(html.encode(), "frag.html")
    assert "\U000F0000" not in doc.text
    (span, codes), = doc.suppressed
    assert doc.text[span.start : span.end].strip() == "截止2025年完成。"
    assert codes == frozenset({"QC205"})


def test_data_qc_ignore_attribute():
    html = '<p>正文一。</p><p data-qc-ignore="QC101,QC102">引用原文的的。</p><p data-qc-ignore>全部忽略。</p>'
    doc = document_from_bytes(html.encode(), "frag.html")
    texts = {doc.text[s.start : s.end]: codes for s, codes in doc.suppressed}
    assert texts == {"引用原文的的。": frozenset({"QC101", "QC102"}), "全部忽略。": None}


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "为空"),
        (b"   \n\t ", "为空"),
        (bytes(range(256)) * 20, "二进制"),
        (b"\x89PNG\r\n\x1a\n" + bytes(2000), "二进制"),
    ],
)
def test_bad_bytes_raise_clear_input_errors(data, message):
    with pytest.raises(InputError, match=message):
        document_from_bytes(data, "x.txt")


def test_broken_docx_is_an_input_error():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a word document")
    with pytest.raises(InputError, match="docx"):
        document_from_bytes(buf.getvalue(), "a.docx")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="文件不存在"):
        load_document(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="目录"):
        load_document(tmp_path)


def test_oversized_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.write(b"<html><body>")
        fh.write(("<p>" + "政府网站" * 100 + "</p>").encode() * 45000)  # about 54 MB
        fh.write(b"</body></html>")
    with pytest.raises(InputError, match="MB 上限"):
        load_document(big, max_bytes=20 * 1024 * 1024)


def test_broken_html_still_yields_text():
    doc = document_from_bytes("<html><body><div><p>未闭合的段落<p>第二段<table><tr><td>单元格".encode(), "b.html")
    assert "未闭合的段落" in doc.text and "单元格" in doc.text


def test_sniff_kind():
    assert sniff_kind(b"<!DOCTYPE html><html>", "x") == "html"
    assert sniff_kind("正文".encode(), "x.txt") == "text"
    assert sniff_kind(b"PK\x03\x04....", "x") == "docx"


def test_undecodable_bytes_are_an_unknown_encoding():
    data = ("正文".encode("utf-8") + b"\x81\x30\xff\xfe\x80") * 200  # neither UTF-8, UTF-16 nor GB18030
    with pytest.raises(InputError, match="无法识别的文本编码"):
        document_from_bytes(data, "x.txt")


def test_flipped_bytes_do_not_make_a_utf8_page_unreadable_nor_a_gbk_page_utf8():
    import random

    from qualitycheck.extract.encoding import decode

    text = "国务院办公厅关于进一步加强政府网站管理工作的通知。" * 200
    damaged = bytearray(f"<html><body><p>{text}</p></body></html>".encode("utf-8"))
    rng = random.Random(5)
    for _ in range(50):  # an attacker (or a disk) flips a few bytes: the page must still be checked
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
    decoded, encoding = decode(bytes(damaged), html=True)
    assert encoding == "utf-8" and "政府网站管理" in decoded
    # mostly markup and a little Chinese in GBK: still GBK, never UTF-8 with U+FFFD
    markup = "<div class='row'>" * 400 + text[:60] + "</div>" * 400
    decoded, encoding = decode(f"<html><head><meta charset='gbk'></head><body>{markup}</body></html>".encode("gbk"), html=True)
    assert encoding == "gb18030" and text[:20] in decoded
