"""Server-side validation of connector params, shared by the form, API and CLI.

``validate_params`` never raises for bad input: it returns every problem at
once, keyed by parameter name, so the form can show each message next to its
field and the API can return them as a 400 body.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from copy import deepcopy
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from webapp.schema.coercion import REQUIRED_MESSAGE, Invalid, coerce
from webapp.schema.declaration import Declaration
from webapp.schema.fields import Field
from webapp.schema.titles import check_title_format, render_title

__all__ = ["ParamsResult", "check_title_format", "render_title", "secret_fields", "validate_params"]


@dataclass
class ParamsResult:
    """The outcome of validating one params body.

    ``values`` holds clean non-secret params (defaults filled in), ``secrets``
    only the secrets actually typed in this time, ``errors`` a list of
    messages per parameter.  ``shown_secret_names`` lists the secrets that
    apply to the chosen options: stored secrets outside it (say the API token
    after switching to basic auth) are stale and may be discarded.
    """

    values: dict[str, Any] = dataclass_field(default_factory=dict)
    secrets: dict[str, str] = dataclass_field(default_factory=dict)
    errors: dict[str, list[str]] = dataclass_field(default_factory=dict)
    shown_secret_names: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        """True when there are no errors."""
        return not self.errors

    def add_error(self, name: str, message: str) -> None:
        """Record ``message`` against parameter ``name``."""
        self.errors.setdefault(name, []).append(message)

    def __repr__(self) -> str:
        # Secret values must never reach logs, so only their names are shown.
        return (
            f"ParamsResult(values={self.values!r}, secrets={sorted(self.secrets)!r}, "
            f"errors={self.errors!r})"
        )


def secret_fields(system: Declaration) -> tuple[Field, ...]:
    """The write-only fields of ``system`` (tokens, passwords)."""
    return tuple(field for field in system.fields if field.secret)


def validate_params(
    system: Declaration, raw: Mapping[str, Any], *, stored_secrets: Collection[str] = ()
) -> ParamsResult:
    """Validate and coerce ``raw`` params for ``system``.

    ``raw`` may come from an HTML form (strings; lists when posted with
    ``to_dict(flat=False)``) or from JSON (typed values).  Fields hidden by
    ``shown_when`` are ignored entirely; missing optional values get their
    defaults; a required secret left blank is fine when its name is in
    ``stored_secrets`` (the edit form leaves the stored token untouched).
    """
    result = ParamsResult()
    for name in raw:
        if not system.has_field(name):
            result.add_error(name, f"Unknown parameter for {system.name}.")
    shown = system.shown_fields(raw)
    for field in shown:
        try:
            clean = coerce(field, raw.get(field.name))
        except Invalid as exc:
            result.add_error(field.name, str(exc))
            continue
        if clean is None:
            _fill_missing(result, field, stored_secrets)
        elif field.secret:
            result.secrets[field.name] = clean
        else:
            result.values[field.name] = clean
    result.shown_secret_names = frozenset(field.name for field in shown if field.secret)
    return result


def _fill_missing(result: ParamsResult, field: Field, stored_secrets: Collection[str]) -> None:
    if field.secret:
        if field.required and field.name not in stored_secrets:
            result.add_error(field.name, REQUIRED_MESSAGE)
    elif field.default is not None:
        result.values[field.name] = deepcopy(field.default)
    elif field.required:
        result.add_error(field.name, REQUIRED_MESSAGE)
