"""Hosts and registrable domains of URLs (www.example.gov.cn → example.gov.cn).

The lowest layer of the page reader: the page view, the link reader and the site model use it,
and it uses nothing of theirs.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TWO_LEVEL_SUFFIXES = frozenset({
    "gov.cn", "com.cn", "edu.cn", "org.cn", "net.cn", "ac.cn", "mil.cn", "gov.hk", "com.hk",
    "org.hk", "edu.hk", "gov.mo", "com.tw", "co.uk", "co.jp", "com.au", "gov.tw",
})

_IP = re.compile(r"[\d.]+")


@lru_cache(maxsize=4096)
def registrable_domain(host: str | None) -> str | None:
    """example.gov.cn for www.example.gov.cn; sc.gov.cn style province suffixes kept."""
    if not host:
        return None
    host = host.lower().strip(".").split(":")[0]
    if _IP.fullmatch(host):
        return host
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    last2 = ".".join(labels[-2:])
    if last2 in _TWO_LEVEL_SUFFIXES:
        return ".".join(labels[-3:])
    return last2


_HOST = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*:)?//(?:[^/?#@]*@)?(\[[^\]]*\]|[^/?#:\\]+)")


def host_of(url: str) -> str:
    """The host of an absolute (or scheme-relative) URL, lower-case; '' if none."""
    m = _HOST.match(url)
    return m.group(1).lower() if m else ""


def is_gov_host(host: str) -> bool:
    host = host.lower()
    return host.endswith(".gov.cn") or host == "gov.cn" or host.endswith(".政务") or host.endswith(".gov")
