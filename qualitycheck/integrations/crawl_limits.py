"""What a crawl will not do, and the words its summaries use for each limit it hits."""

from __future__ import annotations

HTML_TYPES = (b"text/html", b"application/xhtml")

# Not pages: skip them so a crawl does not fetch documents and media.
SKIP_EXTENSIONS = [
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "rar", "7z", "gz", "jpg", "jpeg", "png", "gif",
    "bmp", "svg", "webp", "ico", "mp3", "mp4", "avi", "wmv", "flv", "mov", "css", "js", "json", "xml", "txt", "wps",
    "ofd", "apk", "exe",
]


# The limits a crawl can hit, as the crawl summary names them.
OFF_SITE = "跳转到站外"
OUT_OF_TIME = "站点抓取时间已用完"
ROBOTS = "robots.txt 禁止"
TOO_MANY_REDIRECTS = "重定向次数过多"
TOO_BIG = "页面超过大小上限"
TOO_DEEP = "超过链接深度上限"
URL_TOO_LONG = "网址过长"
PAGE_BUDGET = "页面数达到上限"
MAX_URL_CHARS = 2000


def skip_reason(message: str) -> str:
    """A dropped request's reason in the summary's words (Scrapy's messages are English)."""
    low = message.lower()
    if not message or "robots" in low:
        return ROBOTS
    if "redirect" in low:
        return TOO_MANY_REDIRECTS
    if "max size" in low or "maxsize" in low or "larger than" in low:
        return TOO_BIG
    return message
