"""Names people choose, in one normal form, and the key that keeps them unique.

"Legit GitLab", "legit  gitlab", "Legit\\tGitLab", "Legit GitLab\\u200b" (a zero-width
space) and "Ｌegit GitLab" (full-width) read as one name, so they are one name: stored
normalised, and unique by their case-folded key under a database index.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def normalise_name(text: str) -> str:
    """``text`` in Unicode NFKC, without format characters (category Cf: zero-width
    spaces, direction marks), each run of whitespace one space, trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return _WHITESPACE.sub(" ", text).strip()


def name_key(text: str) -> str:
    """What two names share when they differ only in case or in what normalising drops."""
    return unicodedata.normalize("NFKC", normalise_name(text).casefold())
