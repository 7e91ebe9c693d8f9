"""``TrackerClient``: the class every tracker client subclasses (see ``webapp.trackers.plugin``).

It is the connection check (``check.ConnectionCheck``) and ticket delivery
(``issues.IssueRequests``) over one shared ``connection.TrackerConnection``: one
request pipeline (credentials from the one overridable ``auth_headers``) and one
table of what an HTTP status means, so a check and a delivery that get the same
answer say the same thing.  A subclass declares what differs for its tracker
(paths, how its token is sent, how to read its answers).
"""

from __future__ import annotations

from webapp.trackers.check import ConnectionCheck, StageFailed
from webapp.trackers.choices import ChoiceLists
from webapp.trackers.connection import Reply
from webapp.trackers.issues import IssueRequests

__all__ = ["Reply", "StageFailed", "TrackerClient"]


class TrackerClient(ConnectionCheck, IssueRequests, ChoiceLists):
    """Talks to one connector's tracker: checks the connection, creates and finds issues,
    lists the choices of its pickers (``choices.ChoiceLists``).

    ``params`` are the connector's non-secret parameters (missing ones take the
    system's defaults), ``secrets`` its token or password by parameter name.
    """
