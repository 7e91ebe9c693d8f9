"""Remove secrets from any text that may reach a person, a page, a log or the API.

Why: trackers sometimes echo what they received (a proxy's error page, a debug
message with the Authorization header), and exception texts can quote header
values.  Every message put into a ``StageResult`` goes through ``scrub`` first,
so a token can only leak if it appears in a form we did not think of; the forms
covered are the raw value, its URL-encoded and escaped spellings and the
base64 ``user:secret`` of HTTP basic auth.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import quote, quote_plus

from webapp.trackers.results import StageResult

MASK = "********"
#: Tracker messages are for reading, not archiving: longer ones are cut.
MAX_MESSAGE_LENGTH = 500
_WHITESPACE = re.compile(r"\s+")


def secret_forms(secret: str, user: str | None = None) -> set[str]:
    """The spellings of ``secret`` that may appear in a tracker's answer or an exception."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        repr(secret)[1:-1],
        json.dumps(secret)[1:-1],
    }
    if user is not None:
        forms.add(base64.b64encode(f"{user}:{secret}".encode()).decode("ascii"))
    return {form for form in forms if form}


def scrub(text: str, secrets: Iterable[str], *, user: str | None = None) -> str:
    """``text`` with every form of every secret replaced by ``********``.

    ``user`` is the basic-auth user name, so the base64 ``user:secret``
    credential is recognised too.  Longer forms are replaced first so that a
    secret contained in another cannot leave a fragment behind.
    """
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms |= secret_forms(secret, user)
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def shorten(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """Collapse whitespace and cut ``text`` to ``limit`` characters (marked with …)."""
    text = _WHITESPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def scrub_result(result: StageResult, secrets: Iterable[str], *, user: str | None) -> StageResult:
    """``result`` with secrets removed from every text, and the tracker's message shortened."""
    secrets = list(secrets)

    def clean(text: str | None) -> str | None:
        return None if text is None else scrub(text, secrets, user=user)

    tracker_message = clean(result.tracker_message)
    return replace(
        result,
        message=clean(result.message) or "",
        tracker_message=shorten(tracker_message) if tracker_message else None,
        hint=clean(result.hint),
    )
