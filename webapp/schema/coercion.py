"""Turn one submitted value into a clean, typed value, or explain why not.

HTML forms send strings ("on", "7", "a=b" lines) and JSON sends typed values;
both go through the same coercers so the form and the API share every rule
and every error message.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from webapp.schema.addresses import server_problem
from webapp.schema.fields import Field, FieldKind

REQUIRED_MESSAGE = "This field is required."
_TRUE = frozenset({"true", "on", "1", "yes"})
_FALSE = frozenset({"false", "off", "0", "no", ""})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_HOST_PARTS = re.compile(r"(?P<host>\[[^\]]*\]|[^:/\[\]]+)(?::(?P<port>[^/]*))?(?P<path>/\S*)?")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
HOST_MESSAGE = (
    "Enter a host name or IP address, optionally with :port and /path "
    "(e.g. jira.example.com:8443/jira)."
)


class Invalid(ValueError):
    """A value that cannot be accepted; ``str(exc)`` is the user-facing message."""


def is_missing(value: Any) -> bool:
    """Empty strings, blank strings and empty lists count as "not given"."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | dict) and not value


def coerce(field: Field, value: Any) -> Any:
    """Clean ``value`` for ``field``; ``None`` means missing. Raises ``Invalid``."""
    if field.kind is not FieldKind.MULTICHOICE:
        value = _single(field, value)
    if field.kind is FieldKind.BOOL:
        clean = _coerce_bool(value)
    elif is_missing(value):
        return None
    else:
        clean = _COERCERS[field.kind](field, value)
    if clean is not None and field.validator is not None:
        message = field.validator(clean)
        if message:
            raise Invalid(message)
    return clean


def _single(field: Field, value: Any) -> Any:
    # Multi-value form posts (``to_dict(flat=False)``) give lists.  For bools
    # the last value wins, so a hidden "false" before a checkbox works.
    if not isinstance(value, list | tuple):
        return value
    if not value:
        return None
    if len(value) == 1 or field.kind is FieldKind.BOOL:
        return value[-1]
    raise Invalid("Expected a single value.")


def _coerce_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise Invalid("Enter true or false.")


def _coerce_int(field: Field, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid("Enter a whole number.")
    if isinstance(value, str):
        if not re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            raise Invalid("Enter a whole number.")
        value = int(value.strip())
    low, high = field.min, field.max
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            raise Invalid(f"Must be between {low} and {high}.")
        raise Invalid(f"Must be at least {low}." if low is not None else f"Must be at most {high}.")
    return value


def _check_choice(field: Field, value: str) -> str:
    if value not in field.choice_values:
        allowed = ", ".join(field.choice_values)
        raise Invalid(f"Select a valid choice: {value} is not one of {allowed}.")
    return value


def _coerce_choice(field: Field, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Invalid("Enter text.")
    return _check_choice(field, str(value).strip())


def _coerce_multichoice(field: Field, value: Any) -> str | None:
    # Stored as SD Elements stores it: a comma-separated string in declared order.
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise Invalid("Enter a list of choices or a comma-separated string.")
    pieces = [piece.strip() for item in items for piece in item.split(",")]
    chosen = {_check_choice(field, piece) for piece in pieces if piece}
    return ",".join(v for v in field.choice_values if v in chosen) or None


def _coerce_keyvalue(field: Field, value: Any) -> dict[str, str] | None:
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, str):
        pairs = [_split_line(number, line) for number, line in _numbered_lines(value)]
    else:
        raise Invalid("Enter key=value lines or an object of strings.")
    clean: dict[str, str] = {}
    for key, item in pairs:
        if not isinstance(key, str) or not key.strip():
            raise Invalid("Keys must be non-empty text.")
        if isinstance(item, bool):
            item = "true" if item else "false"
        if not isinstance(item, str | int | float):
            raise Invalid(f"The value of {key.strip()} must be text.")
        clean[key.strip()] = str(item).strip()
    return clean or None


def _numbered_lines(text: str) -> list[tuple[int, str]]:
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def _split_line(number: int, line: str) -> tuple[str, str]:
    positions = [p for p in (line.find("="), line.find(":")) if p > 0]
    if not positions:
        raise Invalid(f"Line {number}: expected key=value or key: value.")
    cut = min(positions)
    return line[:cut], line[cut + 1 :]


def _coerce_text(field: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("Enter text.")
    value = value.strip()
    if field.max_length is not None and len(value) > field.max_length:
        raise Invalid(
            f"Ensure this value has at most {field.max_length} characters (it has {len(value)})."
        )
    if field.kind is FieldKind.HOST:
        value = normalise_host(value)
    elif field.kind is FieldKind.URL:
        check_url(value)
    if field.pattern is not None and not re.fullmatch(field.pattern, value):
        raise Invalid(field.pattern_message)
    return value


def normalise_host(value: str) -> str:
    """Accept ``host[:port][/path]`` (host: name, IPv4 or ``[IPv6]``); drop trailing "/"."""
    scheme = _SCHEME.match(value)
    if scheme:
        bare = value[scheme.end() :].rstrip("/") or "tracker.example.com"
        raise Invalid(
            f'Enter the host without "{scheme.group(1)}://" (e.g. {bare}); '
            "choose HTTPS or HTTP in the Method field."
        )
    if "[" not in value and value.split("/", 1)[0].count(":") > 1:
        raise Invalid("Put an IPv6 address in brackets, e.g. [2001:db8::1].")
    parts = _HOST_PARTS.fullmatch(value)
    if parts is None or not _valid_host(parts.group("host")):
        raise Invalid(HOST_MESSAGE)
    port = parts.group("port")
    if port is not None and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise Invalid("Port must be between 1 and 65535.")
    problem = server_problem(value)  # e.g. a "?" that would turn API paths into a query
    if problem:
        raise Invalid(problem)
    return value.rstrip("/")


def _valid_host(host: str) -> bool:
    try:
        if host.startswith("["):
            ipaddress.IPv6Address(host[1:-1])
        elif re.fullmatch(r"[0-9.]+", host):
            ipaddress.IPv4Address(host)
        else:
            return len(host) <= 253 and all(_LABEL.fullmatch(p) for p in host.split("."))
    except ValueError:
        return False
    return True


def check_url(value: str) -> None:
    """Only absolute http(s) URLs: they are followed by the server and shown as links."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        raise Invalid("Enter a valid URL starting with http:// or https://.")


_COERCERS: dict[FieldKind, Callable[[Field, Any], Any]] = {
    FieldKind.STRING: _coerce_text,
    FieldKind.TEXT: _coerce_text,
    FieldKind.URL: _coerce_text,
    FieldKind.HOST: _coerce_text,
    FieldKind.SECRET: _coerce_text,
    FieldKind.CHOICE: _coerce_choice,
    FieldKind.MULTICHOICE: _coerce_multichoice,
    FieldKind.INT: _coerce_int,
    FieldKind.KEYVALUE: _coerce_keyvalue,
}
