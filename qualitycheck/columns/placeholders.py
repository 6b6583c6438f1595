"""Placeholder text: what a blank column shows instead of items (暂无信息, 正在建设中 ...).

国办发〔2015〕15号 普查答疑: a blank column (空白栏目) is one that has never held content since
it was created; in practice inspectors recognise it by an empty list or by a placeholder such as
"暂无信息" or "栏目正在建设中".  A column whose only "items" are such placeholders is blank.
"""

from __future__ import annotations

import re

# Whole-item placeholders: a list item or a short block consisting of just this text.
_PLACEHOLDER = re.compile(
    r"^[\s\[【(（<]*(?:"
    r"暂无(?:相关)?(?:信息|内容|数据|记录|文章|新闻|公告|资料|留言|更新)?"
    r"|(?:本)?栏目(?:正在|正|内容)?(?:建设|维护|完善|更新)中"
    r"|(?:内容|页面|信息)?正在(?:建设|维护|完善|更新|整理)(?:中)?"
    r"|建设中|维护中|敬请期待"
    r"|没有(?:相关|找到|任何)?(?:信息|内容|数据|记录)"
    r"|(?:无|没有)(?:相关)?(?:记录|信息|数据)"
    r"|(?:共|总计)\s*0\s*条(?:记录|信息|数据)?"
    r"|no\s+(?:data|records?|items?)"
    r")[\s\]】)）>。.!！…]*(?:…+)?[\s]*$",
    re.I,
)
# Placeholder phrases anywhere in a short page body.
_PLACEHOLDER_IN_TEXT = re.compile(
    r"暂无(?:相关)?(?:信息|内容|数据|记录|文章|新闻|公告|资料)"
    r"|(?:本)?栏目(?:正在|正)?(?:建设|维护|完善)中"
    r"|(?:内容|页面|信息)?正在(?:建设|维护|完善)中"
    r"|敬请期待"
    r"|(?:共|总计)\s*0\s*条"
)


def is_placeholder(text: str | None) -> bool:
    """True if the text is nothing but a placeholder (a list item reading 暂无信息)."""
    if not text:
        return False
    return len(text) <= 30 and _PLACEHOLDER.match(text) is not None


def find_placeholder(text: str | None) -> str | None:
    """The first placeholder phrase in a text, or None."""
    if not text:
        return None
    m = _PLACEHOLDER_IN_TEXT.search(text)
    return m.group(0) if m else None
