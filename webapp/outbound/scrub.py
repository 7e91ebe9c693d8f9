"""Remove secrets from any text that may reach a person, a page, a log or the API.

Why: trackers sometimes echo what they received (a proxy's error page, a debug
message with the Authorization header), and exception texts can quote header
values.  Every message put into a ``StageResult`` goes through ``scrub`` first,
so a token can only leak if it appears in a form we did not think of; the forms
covered are the raw value, its URL-encoded and escaped spellings and the
base64 ``user:secret`` of HTTP basic auth.

What is masked, and why not more:
- only secrets of at least ``MIN_SECRET_LENGTH`` (4) characters: a shorter value
  cannot be told from ordinary text (a one-letter password "p" would otherwise mask
  every "p" of every message), and hides nothing worth hiding anyway;
- only whole values: an occurrence glued to a letter or digit on either side is part
  of another word ("port" is not the secret "por"), unless a percent-escape such as
  ``%3D`` precedes it (an encoded "=" in a quoted URL); a form that starts or ends
  with punctuation needs no such boundary on that side;
- in one pass, longest form first, so a mask is never masked again and a secret
  contained in another cannot leave a fragment behind.

What a message may *quote* of a tracker's answer is stricter still (``quote``): only
recognised error fields of a JSON answer, scrubbed, credential-shaped values masked
and at most ``QUOTE_LIMIT`` characters; the callers decide which fields those are.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import quote as url_quote
from urllib.parse import quote_plus

from webapp.log_redaction import MASK, redact
from webapp.outbound.results import StageResult

#: Shorter secrets are not masked: see the module's docstring.
MIN_SECRET_LENGTH = 4
#: Tracker messages are for reading, not archiving: longer ones are cut.
MAX_MESSAGE_LENGTH = 500
#: How much of a tracker's own error text a message may quote.
QUOTE_LIMIT = 200
_WHITESPACE = re.compile(r"\s+")
_NOT_AFTER_WORD = r"(?:(?<![^\W_])|(?<=%[0-9A-Fa-f]{2}))"
_NOT_BEFORE_WORD = r"(?![^\W_])"


def secret_forms(secret: str, user: str | None = None) -> set[str]:
    """The spellings of ``secret`` that may appear in a tracker's answer or an exception."""
    forms = {
        secret,
        url_quote(secret, safe=""),
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
    credential is recognised too.  Which occurrences count is explained in the
    module's docstring: whole values of secrets of ``MIN_SECRET_LENGTH`` or more.
    """
    return Scrubber(secrets, user=user)(text)


class Scrubber:
    """``scrub`` for one set of secrets, built once for every text of a check."""

    def __init__(self, secrets: Iterable[str], *, user: str | None = None) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET_LENGTH:
                forms |= secret_forms(secret, user)
        longest_first = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(_whole, longest_first))) if forms else None

    def __repr__(self) -> str:  # the pattern spells the secrets out
        return "Scrubber(...)"

    def __call__(self, text: str) -> str:
        return text if self._pattern is None else self._pattern.sub(MASK, text)

    def result(self, result: StageResult, **changes: Any) -> StageResult:
        """``result`` with secrets removed from every text, the tracker's message
        shortened, and ``changes`` made in the same copy."""

        def clean(text: str | None) -> str | None:
            return None if text is None else self(text)

        tracker_message = clean(result.tracker_message)
        return replace(
            result,
            message=clean(result.message) or "",
            tracker_message=shorten(tracker_message, QUOTE_LIMIT) if tracker_message else None,
            hint=clean(result.hint),
            **changes,
        )


def _whole(form: str) -> str:
    """A pattern for ``form`` standing as a whole value (not inside a word)."""
    before = _NOT_AFTER_WORD if form[0].isalnum() else ""
    after = _NOT_BEFORE_WORD if form[-1].isalnum() else ""
    return f"{before}{re.escape(form)}{after}"


def quote(text: str, secrets: Iterable[str], *, user: str | None = None) -> str | None:
    """What a message may quote of a tracker's error text (``None``: nothing).

    Secrets and credential-shaped values (``password=…``) are masked before the text
    is cut to ``QUOTE_LIMIT`` characters, so a cut can never leave part of one.
    """
    return shorten(redact(scrub(text, secrets, user=user)), QUOTE_LIMIT) or None


def shorten(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """Collapse whitespace and cut ``text`` to ``limit`` characters (marked with …)."""
    text = _WHITESPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def scrub_result(result: StageResult, secrets: Iterable[str], *, user: str | None) -> StageResult:
    """``result`` with secrets removed from every text, and the tracker's message shortened."""
    return Scrubber(secrets, user=user).result(result)
