"""What the schema functions need of a tracker's declaration, without knowing trackers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from webapp.schema.fields import Field


class Declaration(Protocol):
    """A named, typed list of parameters; ``webapp.trackers.system.System`` is one."""

    id: str
    name: str
    description: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field: ...

    def has_field(self, name: str) -> bool: ...

    def shown_fields(self, values: Mapping[str, Any]) -> tuple[Field, ...]: ...
