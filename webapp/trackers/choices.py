"""Choices a tracker lists for a field: projects, repositories, queues, issue types, …

Why here, under every client: a picker's request is built, sent, timed out and worded
like any other request to the tracker (``TrackerConnection.answer``), with the
connector's own credentials, so the browser never sees them.  A client lists the
choices of picker ``name`` in a method ``choices_<name>(search, page, context)``;
``Field.picker`` names the picker a field offers.  One page at a time: the tracker's
own paging where it has one (Link / X-Next-Page headers, ``startAt`` / ``isLast``,
RT's ``pages``), else a slice of the short list it answers (priorities).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from webapp.outbound.diagnosis import RequestFailed
from webapp.outbound.scrub import scrub
from webapp.trackers.connection import Reply, TrackerConnection
from webapp.trackers.tickets import DeliveryFailed

#: Choices per page: enough to pick from, few enough to stay quick.
PAGE_SIZE = 20
#: Longest search text sent to a tracker.
SEARCH_MAX = 100


@dataclass(frozen=True)
class Choice:
    """One choice: ``value`` goes into the field, ``label`` is what people read."""

    value: str
    label: str


@dataclass(frozen=True)
class ChoicePage:
    """One page of choices; ``has_next`` says whether the tracker has more."""

    choices: tuple[Choice, ...]
    page: int = 1
    has_next: bool = False


class ChoicesFailed(Exception):
    """The tracker could not list the choices; ``message`` (scrubbed) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def has_next_page(headers: Mapping[str, str]) -> bool:
    """GitHub, GitLab and Gitea say so in ``Link: <…>; rel="next"``; GitLab also in
    ``X-Next-Page``."""
    if str(headers.get("X-Next-Page") or "").strip():
        return True
    return any('rel="next"' in part for part in str(headers.get("Link") or "").split(","))


def matching(choices: Iterable[Choice], search: str) -> list[Choice]:
    """The choices whose value or label holds ``search`` (any case)."""
    wanted = search.strip().lower()
    return [c for c in choices if not wanted or wanted in f"{c.value} {c.label}".lower()]


def page_of(choices: list[Choice], page: int, size: int = PAGE_SIZE) -> ChoicePage:
    """Page ``page`` of a list the tracker answers whole."""
    start = (page - 1) * size
    return ChoicePage(tuple(choices[start : start + size]), page, len(choices) > start + size)


def items(body: Any, *keys: str) -> list[dict[str, Any]]:
    """The objects of a list answer, or of its ``keys`` member (the first one present)."""
    for key in keys:
        if isinstance(body, dict) and isinstance(body.get(key), list):
            body = body[key]
            break
    return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


def choices_from(
    objects: Iterable[dict[str, Any]], value: str, label: Callable[[dict[str, Any]], Any]
) -> list[Choice]:
    """A choice per object that has ``value``, labelled by ``label(object)``."""
    found = []
    for item in objects:
        if item.get(value) in (None, ""):
            continue
        found.append(Choice(str(item[value]), str(label(item) or item[value])))
    return found


class ChoiceLists(TrackerConnection):
    """``list_choices``: one page of the choices of a picker, or ``ChoicesFailed``."""

    #: The pickers this client lists, by name (methods ``choices_<name>``).
    pickers: ClassVar[tuple[str, ...]] = ()

    def list_choices(
        self, picker: str, search: str = "", page: int = 1, context: Mapping[str, Any] | None = None
    ) -> ChoicePage:
        """Page ``page`` of picker ``picker``'s choices matching ``search``.

        ``context`` holds what the choices depend on beyond the connector, e.g. the
        ticket's project (``target``). Failures come back as ``ChoicesFailed`` in words.
        """
        method = getattr(self, f"choices_{picker}", None) if picker in self.pickers else None
        if method is None:
            raise ChoicesFailed(f"{self.name} cannot list {picker.replace('_', ' ')}.")
        try:
            return method(search.strip()[:SEARCH_MAX], max(1, page), dict(context or {}))
        except RequestFailed as failure:
            raise self.choices_failed(failure.in_full) from failure.__cause__
        except DeliveryFailed as failure:  # e.g. no project to list the labels of
            raise self.choices_failed(failure.message) from None

    def choices_failed(self, message: str) -> ChoicesFailed:
        return ChoicesFailed(scrub(message, self.config.secret_values, user=self.config.user))

    def fetch(self, path: str, params: Mapping[str, Any], what: str) -> Reply:
        """GET one page of a list (``RequestFailed`` in words if it cannot be had)."""
        return self.answer("GET", path, params=params, action=f"list {what}")
