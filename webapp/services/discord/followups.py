"""Discord waits 3 seconds for an answer. Work that may take longer (a slow tracker)
runs in a thread: if it finishes within the budget its result is the answer; if not,
Discord gets a deferred answer ("thinking…") and the thread edits it when done."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from webapp.services.change_context import changes_via
from webapp.services.discord.api import DiscordAPIError, edit_original

logger = logging.getLogger(__name__)

FAILED_TEXT = (
    "Something went wrong on the desk while doing this; an administrator can see why in its log."
)
EDIT_RETRY_SECONDS = 1.0
NO_PINGS: dict[str, list[str]] = {"parse": []}
_THREADS_KEY = "connector_desk.discord_followups"


class Followup:
    """One piece of work, answered now or later: whichever comes first decides."""

    def __init__(
        self, app: Flask, application_id: str, token: str, work: Callable[[], dict[str, Any]]
    ) -> None:
        self.app, self.application_id, self.token, self.work = app, application_id, token, work
        self.lock = threading.Lock()
        self.finished = threading.Event()
        self.result: dict[str, Any] | None = None
        self.deferred = False

    def run(self) -> None:
        with self.app.app_context():
            try:
                with changes_via("discord"):
                    result = self.work()
            except Exception:  # the member is still waiting: say so, and log why
                logger.exception("A Discord interaction failed in the background")
                result = {"content": FAILED_TEXT}
            with self.lock:
                self.result, deferred = result, self.deferred
            self.finished.set()
            if deferred:
                self._edit(result)

    def _edit(self, result: dict[str, Any]) -> None:
        # The deferred answer is ephemeral already (its flags cannot change); mention nobody.
        edit = {"content": str(result.get("content", ""))[:2000], "allowed_mentions": NO_PINGS}
        for attempt in range(2):
            try:
                edit_original(self.application_id, self.token, edit)
                return
            except DiscordAPIError as error:
                # Work that ends just after the budget can beat the deferred answer to
                # Discord, which then knows no message yet: one more try, a moment later.
                if error.status == 404 and attempt == 0:
                    time.sleep(EDIT_RETRY_SECONDS)
                    continue
                logger.warning("Could not edit the deferred Discord answer: %s", error.message)
                return

    def result_within(self, seconds: float) -> dict[str, Any] | None:
        """The result if it is ready within ``seconds``; else None, and the thread will
        edit the deferred answer instead."""
        self.finished.wait(seconds)
        with self.lock:
            if self.result is None:
                self.deferred = True
            return self.result


def within_budget(
    application_id: str, token: str, work: Callable[[], dict[str, Any]]
) -> dict[str, Any] | None:
    """Start ``work`` (returns a message: {"content": …}) in a thread; its message if it
    finishes within DISCORD_RESPONSE_BUDGET_SECONDS, else None (answer "deferred")."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    followup = Followup(app, application_id, token, work)
    thread = threading.Thread(target=followup.run, name="discord-followup", daemon=True)
    threads = app.extensions.setdefault(_THREADS_KEY, [])
    threads[:] = [t for t in threads if t.is_alive()] + [thread]
    thread.start()
    return followup.result_within(float(app.config["DISCORD_RESPONSE_BUDGET_SECONDS"]))


def wait_for_followups(app: Flask, timeout: float = 30.0) -> None:
    """Let background work finish (tests, and a clean shutdown)."""
    for thread in list(app.extensions.get(_THREADS_KEY, [])):
        thread.join(timeout)
