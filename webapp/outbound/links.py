"""Links that trackers hand back, checked before they are stored or shown.

Why: a tracker's answer is not trusted input. An issue's ``web_url`` of
``javascript:alert(document.domain)`` would become a clickable script on the ticket
pages; only absolute http(s) URLs become links, anything else is shown as text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: The longest link stored (the ``tickets.external_url`` column).
MAX_LINK_LENGTH = 1000
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")  # controls, whitespace, backslash


def web_link(url: object) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host, else ``None``."""
    if not isinstance(url, str) or not url or len(url) > MAX_LINK_LENGTH or _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 literal or port
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return url
