"""What trackers listed lately (choices, required fields), kept briefly per connector.

Why: a picker asks as one types, and the ticket form asks Jira for its required fields
on every page; a tracker that answered a moment ago is not asked again within
``PICKER_CACHE_SECONDS``. In-process: each worker keeps its own; keys say whose
settings (connector id and version, or a digest of unsaved settings) asked what.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from flask import current_app

#: Answers kept at most, whatever their age.
CACHE_ENTRIES = 512


class ChoiceCache:
    """Answers by key for ``PICKER_CACHE_SECONDS``, in this process only."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                self._entries.pop(key, None)
                return None
            return entry[1]

    def put(self, key: tuple, answer: Any) -> None:
        seconds = float(current_app.config.get("PICKER_CACHE_SECONDS", 60.0))
        if seconds <= 0:
            return
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, answer)
            self._entries.move_to_end(key)
            while len(self._entries) > CACHE_ENTRIES:
                self._entries.popitem(last=False)


def choice_cache() -> ChoiceCache:
    """The app's cache (one per app, so tests never share answers)."""
    return current_app.extensions.setdefault("picker_choices", ChoiceCache())
