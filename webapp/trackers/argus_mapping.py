"""How one tracker's connector params read and write Argus's ticket-plugin settings.

Argus (https://github.com/Uninett/argus-server) configures its ticket plugins with
``TICKET_PLUGIN``, ``TICKET_ENDPOINT``, ``TICKET_AUTHENTICATION_SECRET`` and
``TICKET_INFORMATION``. What differs per tracker (the plugin classes, which secret keys
mean which authentication, which information keys name the target) is declared here,
on each tracker's ``System``; the parts every tracker shares (endpoint, labels, custom
fields) are mapped once in ``webapp.services.argus_settings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from webapp.trackers.common import AUTH_MODE


@dataclass(frozen=True)
class ArgusAuth:
    """One shape of ``TICKET_AUTHENTICATION_SECRET``: its keys and the params they fill.

    ``secrets`` maps each Argus key to the connector param that holds it (a secret or,
    like Jira's ``email``, a plain param); ``params`` are the non-secret params this shape
    implies (the authentication mode, Jira's Cloud or Data Center flavour). Export picks
    the first shape whose ``params`` the connector has.
    """

    secrets: Mapping[str, str] = field(hash=False)
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.secrets)


@dataclass(frozen=True)
class ArgusInformation:
    """A ``TICKET_INFORMATION`` key and the param(s) it fills.

    With several params the value is their parts joined by "/", e.g. GitHub's
    ``project_namespace_and_name`` "owner/repo" is the owner and the repository name.
    """

    key: str
    params: tuple[str, ...]

    def to_params(self, value: str) -> dict[str, str] | None:
        """The params ``value`` stands for; None when it has the wrong number of parts."""
        if len(self.params) == 1:
            return {self.params[0]: value}
        parts = value.split("/", len(self.params) - 1)
        if len(parts) != len(self.params) or not all(part.strip() for part in parts):
            return None
        return dict(zip(self.params, (part.strip() for part in parts), strict=True))

    def from_params(self, params: Mapping[str, Any]) -> str | None:
        """The value for ``params``; None when a part is empty (the key is then left out)."""
        values = [str(params.get(name) or "").strip() for name in self.params]
        return "/".join(values) if all(values) else None

    @property
    def shape(self) -> str:
        """How the value is written, for error messages: "owner/name"-style or plain."""
        return "/".join(self.params)


@dataclass(frozen=True)
class ArgusMapping:
    """Everything tracker-specific about Argus settings for one system.

    ``plugins`` are the ``TICKET_PLUGIN`` class paths that mean this system (the first is
    exported). ``server_aliases`` maps an endpoint host Argus uses to the API host a
    connector needs (GitHub's "github.com" is "api.github.com"). ``labels_param`` and
    ``custom_fields_param`` name the params that take ``labels_set`` and
    ``custom_fields_set``; None where the system has no such param.
    """

    plugins: tuple[str, ...]
    auth: tuple[ArgusAuth, ...]
    information: tuple[ArgusInformation, ...]
    server_aliases: Mapping[str, str] = field(default_factory=dict, hash=False)
    labels_param: str | None = None
    custom_fields_param: str | None = None

    def __post_init__(self) -> None:
        if not self.plugins:
            raise ValueError("An Argus mapping names at least one plugin class.")

    def auth_for_keys(self, keys: frozenset[str]) -> ArgusAuth | None:
        """The first authentication shape with exactly ``keys`` (the one import uses)."""
        return next((auth for auth in self.auth if auth.keys == keys), None)

    def auth_for_params(self, params: Mapping[str, Any]) -> ArgusAuth | None:
        """The first shape whose implied params ``params`` all has, else the first with the
        same authentication mode (e.g. Jira "5" is Data Center under another name)."""
        for auth in self.auth:
            if all(params.get(name) == value for name, value in auth.params.items()):
                return auth
        mode = params.get(AUTH_MODE)
        return next((auth for auth in self.auth if auth.params.get(AUTH_MODE) == mode), None)

    def params_of(self) -> set[str]:
        """Every param this mapping fills (besides the shared server and method)."""
        names = {name for info in self.information for name in info.params}
        for auth in self.auth:
            names |= set(auth.secrets.values()) | set(auth.params)
        names |= {name for name in (self.labels_param, self.custom_fields_param) if name}
        return names
