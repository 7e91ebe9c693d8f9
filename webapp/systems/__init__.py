"""The systems registry: one typed declaration per issue-tracker type.

Pure Python, no Flask: forms, API and CLI all derive their fields, validation
and JSON Schema from here.
"""

from webapp.systems.base import System
from webapp.systems.fields import Field, FieldGroup, FieldKind
from webapp.systems.jsonschema import params_schema
from webapp.systems.registry import (
    BUILTIN_SYSTEMS,
    SystemRegistry,
    UnknownSystem,
    build_registry,
)
from webapp.systems.validation import ParamsResult, render_title, secret_fields, validate_params

__all__ = [
    "BUILTIN_SYSTEMS",
    "Field",
    "FieldGroup",
    "FieldKind",
    "ParamsResult",
    "System",
    "SystemRegistry",
    "UnknownSystem",
    "build_registry",
    "params_schema",
    "render_title",
    "secret_fields",
    "validate_params",
]
