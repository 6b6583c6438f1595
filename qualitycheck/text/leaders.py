"""A site's own leaders: names harvested from its 领导信息 pages, and the places where other pages
name someone beside a leader's title (县长张三, 张三书记). Used by QC107, which compares the two.

Only compact strings leave the page (they travel in PageFacts to the site step), so a site's
pages can be read in any process and compared once per site.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..paths import DICTIONARIES_DIR

#: Titles of a local Party committee's and government's leaders, longest first in the pattern.
TITLES = (
    "党组书记", "党委书记", "党工委书记", "副书记", "书记", "常务副县长", "常务副市长", "常务副区长",
    "副县长", "县长", "副市长", "市长", "副区长", "区长", "副州长", "州长", "副旗长", "旗长",
    "副镇长", "镇长", "副乡长", "乡长", "副局长", "局长", "副主任", "主任", "副厅长", "厅长",
    "秘书长", "副主席", "主席", "常委",
)
_TITLE = "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True))
_HAN = "\u4e00-\u9fff"
#: A page that presents the site's leaders (its title or first lines say so).
_LEADER_PAGE = re.compile("领导之窗|领导信息|领导简介|领导班子|领导分工|政府领导|领导介绍|现任领导|领导成员")
_HARVEST = (
    re.compile(f"姓\\s*名[:：]\\s*([{_HAN}]{{2,3}})(?![{_HAN}])"),
    re.compile(f"(?:^|[\\s。；>])([{_HAN}]{{2,3}})[，,]\\s*[男女][，,、]", re.M),
    re.compile(f"(?:{_TITLE})\\s*[:：]\\s*([{_HAN}]{{2,3}})(?![{_HAN}])"),
    re.compile(f"(?:^|[\\s>])([{_HAN}]{{2,3}})\\s+[{_HAN}]{{0,6}}(?:{_TITLE})(?![{_HAN}])", re.M),
)
_TITLE_AT = re.compile(f"(?:{_TITLE})")
#: Characters kept on each side of a title: a name is two or three characters, plus 同志 or a space.
WINDOW = 5
MAX_MENTIONS = 40
_MAX_TEXT = 20_000


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    path = DICTIONARIES_DIR / "typos" / "surnames.txt"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return frozenset("".join(line.strip() for line in text.splitlines() if not line.startswith("#")))


def is_leader_page(title: str | None, text: str) -> bool:
    return bool(_LEADER_PAGE.search(title or "") or _LEADER_PAGE.search(text[:300]))


def harvest_leaders(title: str | None, text: str) -> tuple[str, ...]:
    """The leaders' names a 领导信息 page lists (张三，男，汉族……; 县长：张三; 姓名：张三)."""
    if not is_leader_page(title, text):
        return ()
    text = text[:_MAX_TEXT]
    found: dict[str, None] = {}
    first = surnames()
    for pattern in _HARVEST:
        for m in pattern.finditer(text):
            name = m.group(1)
            if name[0] in first and not _TITLE_AT.search(name):
                found.setdefault(name)
    return tuple(found)[:60]


def title_mentions(text: str) -> tuple[str, ...]:
    """Short stretches of text around each leader's title (县长张三强调 → 县长张三强调), where a
    misspelled leader's name would be; at most MAX_MENTIONS per page, each once."""
    out: dict[str, None] = {}
    for m in _TITLE_AT.finditer(text[:_MAX_TEXT]):
        window = text[max(0, m.start() - WINDOW):m.end() + WINDOW]
        if re.search(f"[{_HAN}]", window):
            out.setdefault(window)
            if len(out) >= MAX_MENTIONS:
                break
    return tuple(out)
