"""The inbound webhook: read the raw body (bounded), hand it to the service, answer JSON."""

from __future__ import annotations

from flask import current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.extensions import csrf
from webapp.http.access import public
from webapp.services import webhooks
from webapp.web.hooks import bp

#: Hook ids are 32 characters; anything much longer is not one.
HOOK_ID_MAX = 64


def _answer(status: int, body: dict, retry_after: int | None = None):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.post("/hooks/<hook_id>")
@public  # the signature is the credential: no session, no login
@csrf.exempt  # trackers cannot send a CSRF token; the signature proves the sender instead
def receive(hook_id: str):
    if len(hook_id) > HOOK_ID_MAX:
        return _answer(404, {"detail": "No webhook has this address."})
    limit = int(current_app.config["WEBHOOK_MAX_BODY"])
    too_large = _answer(413, {"detail": f"The body is larger than {limit} bytes."})
    if request.content_length is not None and request.content_length > limit:
        return too_large
    try:
        body = request.stream.read(limit + 1)
    except RequestEntityTooLarge:
        return too_large
    if len(body) > limit:
        return too_large
    receipt = webhooks.receive(hook_id, request.headers, body)
    return _answer(receipt.status, receipt.body, receipt.retry_after)
