"""Local fake issue trackers (GitHub, GitLab, Jira, RT5) for integration tests.

Why: mocking ``requests`` cannot catch wrong paths, auth headers, status-code
handling, TLS verification, timeouts or ambiguous delivery.  These fakes are
real HTTP(S) servers on 127.0.0.1 that follow each tracker's documented REST
API closely enough for the app's connectors to be exercised end to end.
"""

from .github import FakeGitHub
from .gitlab import FakeGitLab
from .jira import FakeJira
from .net import HangingServer, free_port, refused_address
from .rt import FakeRT
from .server import FakeServer, RecordedRequest, Request, Response
from .tls import self_signed_cert

__all__ = [
    "FakeGitHub",
    "FakeGitLab",
    "FakeJira",
    "FakeRT",
    "FakeServer",
    "HangingServer",
    "RecordedRequest",
    "Request",
    "Response",
    "free_port",
    "refused_address",
    "self_signed_cert",
]
