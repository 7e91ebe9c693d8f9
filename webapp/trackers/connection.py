"""``TrackerConnection``: what the connection check and ticket delivery share.

Why one piece under both: a request to a tracker is built, sent and judged the same
way whether it checks a connector or delivers a ticket - the URL from ``api_url``,
the credentials from the one overridable ``auth_headers``, the words for a failure
from the one table (``diagnosis.Wording.refused``).  The check (``check.py``) and
delivery (``issues.py``) only turn a ``RequestFailed`` into a failed stage or a
failed ticket; ``TrackerClient`` (``base.py``) is both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Self

import requests

from webapp.outbound.diagnosis import RequestFailed, Wording, flatten, json_error_body, unanswered
from webapp.outbound.http import OutboundSettings, TrackerHTTP
from webapp.outbound.network import OutboundError
from webapp.outbound.scrub import quote
from webapp.trackers.config import BASIC, TrackerConfig

if TYPE_CHECKING:  # the declaration (webapp.trackers.system) is only a type here
    from webapp.trackers.system import System


@dataclass(frozen=True)
class Reply:
    """A successful JSON answer: status, headers and the decoded JSON.

    ``get_json`` (the connection check) always gives an object here.
    """

    status: int
    headers: Mapping[str, str]
    body: Any


class TrackerConnection:
    """One connector's way to its tracker: address, credentials, requests and their words.

    ``params`` are the connector's non-secret parameters (missing ones take the
    system's defaults), ``secrets`` its token or password by parameter name.
    """

    #: Name used in messages; defaults to the system's short name.
    product: ClassVar[str] = ""
    #: What the target parameter names: repository, project, queue.
    target_noun: ClassVar[str] = "project"
    #: How the API token mode sends its key: ``{auth_header}: {auth_scheme} KEY``.
    auth_header: ClassVar[str] = "Authorization"
    auth_scheme: ClassVar[str] = "Bearer"
    #: What to check when the tracker rejects the credentials (401), per auth mode.
    key_advice: ClassVar[str] = "check it was copied whole and has not expired or been revoked."
    basic_advice: ClassVar[str] = "check the user name and password."
    extra_headers: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self,
        system: System,
        params: Mapping[str, Any],
        secrets: Mapping[str, str],
        settings: OutboundSettings,
    ) -> None:
        self.system = system
        self.config = TrackerConfig(system, params, secrets)
        self.params = self.config.params
        self.settings = replace(settings, verify_tls=self.config.validate_cert)
        self.http = TrackerHTTP(self.settings)

    @property
    def name(self) -> str:
        return self.product or self.system.short_name

    @property
    def api_prefix(self) -> str:
        """What API paths start with under the server's own /path ("" unless the tracker says)."""
        return ""

    def api_url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        """The URL of the API ``path`` (percent-encoded), joined from the server's parts.

        ``ValueError`` (with a message) when the server or method is not valid.
        """
        return self.config.url(self.api_prefix + path, query)

    def auth_headers(self) -> dict[str, str]:
        """The credential headers for the connector's auth mode, sent with every request.

        ``MissingCredentials`` (a ``ValueError`` saying what to enter) when unset.
        """
        return self.config.auth_headers(self.auth_header, self.auth_scheme)

    def target_name(self) -> str | None:
        """The repository, project or queue tickets go to (``None``: ask per ticket)."""
        field = self.system.target_field
        return (self.config.text(field) if field else "") or None

    def target_path(self, name: str) -> str:
        """The API path of target ``name`` (issues and labels live under it)."""
        raise NotImplementedError

    def no_target(self, name: str) -> str:
        """What a 404 for target ``name`` means, in a check and in a delivery alike."""
        who = "this user" if self.config.auth_mode == BASIC else "this token"
        return f"{self.name} has no {self.target_noun} {name}, or {who} cannot see it."

    # ---- the one request pipeline ----------------------------------------
    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """One request to the API ``path`` with the connector's credentials (any status).

        ``headers`` adds request headers (e.g. ``If-None-Match``); credentials win.

        ``RequestFailed`` when it cannot be sent (no valid address, no credentials:
        ``auth_headers`` raised ``ValueError``) or got no answer.
        """
        try:
            url = self.api_url(path)
            credentials = self.auth_headers()
        except ValueError as exc:
            raise RequestFailed(str(exc)) from None
        sent = {**self.extra_headers, **(headers or {}), **credentials}
        try:
            return self.http.request(method, url, headers=sent, params=params, json=json)
        except (requests.RequestException, OutboundError) as exc:
            raise unanswered(exc, url, self.settings) from exc

    def answer(
        self,
        method: str,
        path: str,
        *,
        action: str | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        not_found: str | None = None,
        forbidden: str | None = None,
        object_only: bool = False,
    ) -> Reply:
        """The JSON of a 2xx answer to one request (an object if ``object_only``).

        Anything else raises ``RequestFailed`` in words; ``action``, ``not_found``
        and ``forbidden`` as for ``refused``.
        """
        response = self.send(method, path, params=params, json=json)
        with response:
            if not 200 <= response.status_code < 300:
                raise self.refused(response, action, not_found=not_found, forbidden=forbidden)
            if response.status_code == 204 and not object_only:  # done, nothing to say
                return Reply(response.status_code, response.headers, None)
            try:
                body = response.json()
            except ValueError:
                raise self.wording.not_json(response) from None
            if object_only and not isinstance(body, dict):
                raise self.wording.not_json(response)
            return Reply(response.status_code, response.headers, body)

    # ---- failures in words -----------------------------------------------
    @property
    def wording(self) -> Wording:
        config = self.config
        advice = self.basic_advice if config.auth_mode == BASIC else self.key_advice
        return Wording(self.name, config.server_url, f"the {config.credential_name}", advice)

    def refused(
        self,
        response: requests.Response,
        action: str | None = None,
        *,
        not_found: str | None = None,
        forbidden: str | None = None,
    ) -> RequestFailed:
        """The failure for an HTTP error answer (``diagnosis.Wording.refused``).

        ``action`` names what was asked ("create the issue"; default: the request).
        """
        return self.wording.refused(
            response,
            self.tracker_message(response),
            action=action,
            rate_limited=self.rate_limited(response),
            not_found=not_found,
            forbidden=forbidden,
        )

    def rate_limited(self, response: requests.Response) -> bool:
        """Whether an error answer only means "not so fast" (GitHub also uses 403)."""
        return response.status_code == 429

    def tracker_message(self, response: requests.Response) -> str | None:
        """What may be quoted of an error answer: its recognised JSON error fields only.

        Anything else (a text/plain debug page, an HTML error page, unknown JSON keys)
        is not quoted at all: messages name its status and content type instead.
        The quote is scrubbed and capped (``scrub.quote``).
        """
        body = json_error_body(response)
        text = self.error_text(body) if body is not None else ""
        return quote(text, self.config.secret_values, user=self.config.user) if text else None

    def error_text(self, body: dict[str, Any]) -> str:
        """This tracker's error fields in an error body (RT and GitHub: ``message``)."""
        return flatten(body.get("message"))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
