"""办事指南 (service guide) elements: which are present, which are blank.

国办秘函〔2019〕19号 单项否决·服务不实用 (SITE-007): a site fails when it offers no 办事服务, or when
its 办事指南 lack key-element categories.  The reprint of the criteria that was read lists
**事项名称, 设定依据, 申请条件, 办理材料** and is cut off there (evidence [R]); those four are the
*verified* elements.  办理地点, 办理机构, 收费标准, 办理时间, 联系电话, 办理流程 complete the list in
secondary sources only and are **unverified** ([U] in ../shared/research/inspection-rules.md §2);
the numeric threshold of the veto is unverified too.

A guide's text is read as ``label[:：] value`` pairs, where a label starts a line (after an
optional 一、/1./（一） number) and its value runs to the next label.  Table layouts extract as
one cell per line, so an empty cell leaves a label directly followed by the next label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# element → label forms seen on guides (the first is the element's name)
VERIFIED: dict[str, tuple[str, ...]] = {
    "事项名称": ("事项名称", "项目名称", "服务事项名称", "审批事项名称", "实施事项名称", "服务名称"),
    "设定依据": ("设定依据", "法律依据", "实施依据", "办理依据", "设立依据", "法定依据", "政策依据", "受理依据"),
    "申请条件": ("申请条件", "受理条件", "办理条件", "申办条件", "申报条件", "申请人条件"),
    "办理材料": ("办理材料", "申请材料", "申报材料", "提交材料", "所需材料", "申请材料目录", "材料目录", "材料清单"),
}
UNVERIFIED: dict[str, tuple[str, ...]] = {
    "办理地点": ("办理地点", "受理地点", "办公地点", "办理地址", "受理地址", "办事地点"),
    "办理机构": ("办理机构", "实施机构", "受理机构", "实施主体", "办理部门", "受理部门", "承办机构", "决定机构"),
    "收费标准": ("收费标准", "收费依据", "是否收费", "收费情况", "收费项目"),
    "办理时间": ("办理时间", "受理时间", "办公时间", "工作时间", "办理时限"),
    "联系电话": ("联系电话", "咨询电话", "咨询方式", "联系方式"),
    "办理流程": ("办理流程", "办事流程", "办理程序", "受理流程", "审批流程", "办理环节"),
}
ELEMENTS = {**VERIFIED, **UNVERIFIED}
_LABEL_TO_ELEMENT = {label: element for element, labels in ELEMENTS.items() for label in labels}

_LABEL = re.compile(
    r"(?m)^[ \t\u3000]*(?:[（(]?[一二三四五六七八九十\d]{1,3}[）)、.．]\s*)?"
    r"(?P<label>" + "|".join(sorted(map(re.escape, _LABEL_TO_ELEMENT), key=len, reverse=True)) + r")"
    r"[ \t\u3000]*(?:[:：]|(?=\n)|$|[ \t\u3000]+)"
)
# A value that says nothing.  收费标准 "无" means "free" and is a real answer, so for the
# unverified elements only an empty value counts as blank.
_EMPTY_VALUE = re.compile(r"^[\s\u3000:：。.、,，;；/\\|\-—_－*#]*$")
_NO_CONTENT = re.compile(r"^(?:无|暂无|暂无信息|暂无内容|空|略|待定|待补充|不详|未知|null|none|n/?a)[。.]?$", re.I)
_GUIDE_TITLE = re.compile(r"办事指南|服务指南|办理指南|申报指南")


@dataclass
class Element:
    element: str  # the element's name (设定依据)
    label: str  # the label as written (法律依据)
    start: int  # label offset in the text
    end: int  # end of the label (and colon)
    value: str  # stripped value text
    value_start: int
    value_end: int


@dataclass
class GuideResult:
    is_guide: bool
    elements: dict[str, Element] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # verified elements not on the page
    blank: list[str] = field(default_factory=list)  # verified elements present but empty / 无 / 暂无
    unverified_blank: list[str] = field(default_factory=list)  # unverified elements present but empty

    @property
    def problems(self) -> list[str]:
        """Verified elements missing or blank, in the criteria's order."""
        bad = set(self.missing) | set(self.blank)
        return [e for e in VERIFIED if e in bad]


def read_guide(text: str, title: str | None = None, *, min_labels: int = 4) -> GuideResult:
    """The 办事指南 elements found in text.

    A text is a guide when it shows at least ``min_labels`` distinct element labels, or its
    title names a guide (办事指南 …) and it shows at least two.  Missing verified elements are
    reported only for texts that are guides by the first test, so a page that merely mentions
    申请条件 is never asked for a 设定依据.
    """
    hits = list(_LABEL.finditer(text))
    found: dict[str, Element] = {}
    for i, m in enumerate(hits):
        element = _LABEL_TO_ELEMENT[m.group("label")]
        value_start = m.end()
        value_end = hits[i + 1].start() if i + 1 < len(hits) else len(text)
        raw = text[value_start:value_end]
        value = raw.strip(" \t\n\r\u3000:：")
        lead = len(raw) - len(raw.lstrip(" \t\n\r\u3000:："))
        if element not in found:
            found[element] = Element(
                element, m.group("label"), m.start("label"), m.end(), value,
                value_start + lead, value_start + lead + len(value),
            )
    n = len(found)
    titled = bool(title and _GUIDE_TITLE.search(title))
    strong = n >= min_labels
    is_guide = strong or (titled and n >= 2)
    result = GuideResult(is_guide, found)
    if not is_guide:
        return result
    for element in VERIFIED:
        el = found.get(element)
        if el is None:
            if strong:
                result.missing.append(element)
        elif _EMPTY_VALUE.match(el.value) or _NO_CONTENT.match(el.value):
            result.blank.append(element)
    for element in UNVERIFIED:
        el = found.get(element)
        if el is not None and _EMPTY_VALUE.match(el.value):
            result.unverified_blank.append(element)
    return result
