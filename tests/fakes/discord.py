"""A fake Discord API: the two calls the app makes (register commands, edit a deferred
answer), recorded so tests can assert what was sent.

Discord publishes no contract in tests/contracts; the routes follow its documentation
(``PUT /applications/{id}/commands``, ``PATCH /webhooks/{id}/{token}/messages/@original``).
"""

from __future__ import annotations

from typing import Any

from .messages import Request, Response, json_response
from .server import FakeServer, route

API_PREFIX = "/api/v10"
BOT_TOKEN = "fake-discord-bot-token.abc123"


class FakeDiscord(FakeServer):
    SERVER_HEADER = "fake-discord"

    def __init__(self, *, bot_token: str = BOT_TOKEN, **options: Any) -> None:
        super().__init__(prefix=API_PREFIX, **options)
        self.bot_token = bot_token
        #: application id -> the commands registered last (Discord's answer)
        self.commands: dict[str, list[dict[str, Any]]] = {}
        #: (application id, interaction token, body) of every edit of a deferred answer
        self.edits: list[tuple[str, str, Any]] = []

    def authenticate(self, req: Request) -> Any:
        return req.headers.get("authorization") == f"Bot {self.bot_token}"

    def unauthorized(self, req: Request) -> Response:
        return json_response(401, {"message": "401: Unauthorized", "code": 0})

    @route("PUT", r"/applications/(?P<application_id>[0-9]+)/commands")
    def put_commands(self, req: Request, application_id: str) -> Response:
        if not isinstance(req.body, list):
            return json_response(400, {"message": "Invalid Form Body", "code": 50035})
        registered = [
            {**command, "id": str(9000 + index), "application_id": application_id, "version": "1"}
            for index, command in enumerate(req.body)
        ]
        self.commands[application_id] = registered
        return json_response(200, registered)

    @route(
        "PATCH",
        r"/webhooks/(?P<application_id>[0-9]+)/(?P<token>[^/]+)/messages/(?:@|%40)original",
        auth=False,
    )
    def edit_original(self, req: Request, application_id: str, token: str) -> Response:
        self.edits.append((application_id, token, req.body))
        body = req.fields
        return json_response(200, {"id": "1", "content": body.get("content", "")})
