"""Showing what came from a crawled page in HTML without letting it run.

A URL is linked only when a browser would fetch it over http(s). Browsers decode
entities in attribute values, drop tabs and newlines anywhere in a URL, strip
leading and trailing control characters and spaces, and compare schemes without
case, so `java&#9;script:`, ` JaVaScRiPt:` and `&#106;avascript:` all run script.
A URL is linked only when both its literal form and its entity-decoded form start
with http: or https: after that normalisation; the literal form is what goes into
the (escaped) href. Everything else is shown as escaped text.
"""

from __future__ import annotations

import html
import re

_STRIPPED_ANYWHERE = re.compile(r"[\t\n\r]")
_EDGES = "".join(chr(c) for c in range(0x21)) + "\x7f"  # C0 controls and space, as the URL parser strips
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
LINKABLE_SCHEMES = ("http", "https")

# The HTML writers use no script at all; styles are inline, images inline SVG or data: URLs.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; form-action 'none'; base-uri 'none'"
CSP_META = f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"


def normalised_url(raw: str, *, decode_entities: bool = True) -> str:
    """The URL as a browser reads it from an href attribute."""
    text = html.unescape(raw) if decode_entities else raw
    return _STRIPPED_ANYWHERE.sub("", text).strip(_EDGES)


def _scheme(url: str) -> str | None:
    m = _SCHEME.match(url)
    return m.group(1).lower() if m else None


def safe_href(raw: str | None) -> str | None:
    """The URL to put in href, or None when it must not be a link (no scheme, or not http/https)."""
    if not raw:
        return None
    literal = normalised_url(str(raw), decode_entities=False)
    if _scheme(literal) not in LINKABLE_SCHEMES or _scheme(normalised_url(str(raw))) not in LINKABLE_SCHEMES:
        return None
    return literal


def link_html(raw: str | None, text: str | None = None) -> str:
    """An <a> for an http(s) URL, else the URL (or text) as plain escaped text."""
    shown = html.escape(text if text is not None else str(raw or ""))
    href = safe_href(raw)
    if href is None:
        return shown
    return f'<a href="{html.escape(href, quote=True)}" rel="noopener noreferrer nofollow">{shown}</a>'
