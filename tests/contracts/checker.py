"""Check requests to, and answers from, the fake trackers against the trackers' contracts.

Why: a fake that drifts from the real API makes every test that uses it prove
nothing.  Each tracker's contract is the subset of its official API description
the project uses (``contract.json``, written by ``scripts/extract_contract.py``)
plus hand-written entries where the description is silent or wrong
(``manual.json``, each with the documentation page it follows).  Every mismatch
names the operation id and the JSON path, e.g. ``issues/create 201 $.labels[0]``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match

HERE = Path(__file__).resolve().parent
TRACKERS = ("github", "gitlab", "jira", "gitea")
#: The error answers the coverage table asks about, besides success (Jira and GitLab
#: refuse invalid fields with 400, GitHub and Gitea with 422; a duplicate GitLab label is 409).
ERROR_STATUSES = ("401", "403", "404", "400/409/422", "429")

#: tracker -> operation id -> statuses answered to a contract-checked request
COVERAGE: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))


@dataclass
class Operation:
    """One documented operation: where it lives and what it accepts and answers."""

    id: str
    method: str
    path: str
    auth: bool
    parameters: list[dict[str, Any]]
    body: dict[str, Any] | None
    responses: dict[str, dict[str, Any]]
    hand_written: dict[str, str] | None = None
    used_by: str = "client"  # or "fake": only the fake's routes and tests use it
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(self.path))
        self.pattern = re.compile(regex)

    @property
    def literal_length(self) -> int:
        """Longer literal paths win: ``/search/jql`` before ``/search``, ``/issue`` first."""
        return len(re.sub(r"\{[^}]+\}", "", self.path))


class Contract:
    """A tracker's contract: ``contract.json`` merged with ``manual.json``."""

    def __init__(self, tracker: str, extracted: dict[str, Any], manual: dict[str, Any]) -> None:
        self.tracker = tracker
        self.source = extracted.get("source")
        self.auth: dict[str, Any] = manual["auth"]
        self.common: dict[str, Any] = manual.get("common_responses", {})
        schemas = {**extracted.get("schemas", {}), **manual.get("schemas", {})}
        for name, patch in manual.get("schema_patches", {}).items():
            schemas[name] = _patched(schemas[name], patch)
        self.document = {"schemas": schemas}
        raw = {**extracted.get("operations", {}), **manual.get("operations", {})}
        for op_id, patch in manual.get("responses", {}).items():
            raw[op_id]["responses"] = {**raw[op_id]["responses"], **patch}
        for op_id, body in manual.get("bodies", {}).items():  # where the description is silent
            raw[op_id] = {**raw[op_id], "body": body}
        self.operations = sorted(
            (
                Operation(
                    op_id,
                    op["method"],
                    op["path"],
                    op.get("auth", False) or self.auth.get("always", False),
                    op.get("parameters", []),
                    op.get("body"),
                    op["responses"],
                    op.get("hand_written"),
                    op.get("used_by", "client"),
                )
                for op_id, op in raw.items()
            ),
            key=lambda o: -o.literal_length,
        )

    @classmethod
    @cache
    def load(cls, tracker: str) -> Contract:
        folder = HERE / tracker
        extracted = folder / "contract.json"
        manual = json.loads((folder / "manual.json").read_text(encoding="utf-8"))
        data = json.loads(extracted.read_text(encoding="utf-8")) if extracted.exists() else {}
        return cls(tracker, data, manual)

    def match(self, method: str, path: str) -> Operation | None:
        wanted = "GET" if method == "HEAD" else method
        return next(
            (o for o in self.operations if o.method == wanted and o.pattern.fullmatch(path)),
            None,
        )

    # ---- requests --------------------------------------------------------
    def check_request(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any
    ) -> tuple[Operation | None, list[str]]:
        """The operation this request is, and how it breaks the contract (headers lower-case)."""
        op = self.match(method, path)
        if op is None:
            return None, [f"{method} {path}: no documented operation has this method and path"]
        problems = [f"{op.id} request: {p}" for p in self._auth_problems(op, headers)]
        params = {p["name"]: p for p in op.parameters if p["in"] == "query"}
        for name in query:
            if name not in params:
                problems.append(f"{op.id} request: query parameter {name!r} is not documented")
        for p in params.values():
            if p["required"] and p["name"] not in query:
                problems.append(f"{op.id} request: required query parameter {p['name']!r} missing")
        spec = op.body
        if spec is None:
            if body not in (b"", None, {}):
                problems.append(f"{op.id} request: a body is sent but none is documented")
        elif body in (b"", None):
            if spec.get("required"):
                problems.append(f"{op.id} request: the documented body is missing")
        else:
            problems += [
                f"{op.id} request {p}" for p in self._schema_problems(spec["schema"], body)
            ]
        return op, problems

    def _auth_problems(self, op: Operation, headers: dict[str, str]) -> list[str]:
        sent = [h for h in self.auth["headers"] if h in headers]
        if not sent:
            return ["no credentials sent"] if op.auth else []
        problems = []
        for name in sent:
            schemes = self.auth["headers"][name]
            value = headers[name]
            scheme = value.split(" ", 1)[0].lower() if " " in value else ""
            if schemes and scheme not in schemes:
                problems.append(f"{name} header scheme {scheme or '(none)'!r} not in {schemes}")
        return problems

    # ---- responses -------------------------------------------------------
    def response_spec(self, op: Operation, status: int) -> dict[str, Any] | None:
        """The documented answer for ``status``: the operation's, else the tracker-wide one."""
        code = str(status)
        for table in (op.responses, self.common):
            for key in (code, f"{code[0]}XX", "default"):
                if key in table:
                    return table[key]
        return None

    def check_response(
        self, op: Operation, status: int, headers: dict[str, str], body: Any
    ) -> list[str]:
        """How the fake's answer breaks ``op``'s documented answer for ``status``."""
        problems = self._response_problems(op, status, headers, body)
        if not problems:  # coverage counts answers that kept the contract
            COVERAGE[self.tracker][op.id].add(str(status))
        return problems

    def _response_problems(
        self, op: Operation, status: int, headers: dict[str, str], body: Any
    ) -> list[str]:
        spec = self.response_spec(op, status)
        where = f"{op.id} {status}"
        if spec is None:
            return [f"{where}: status {status} is not a documented answer"]
        lower = {k.lower(): v for k, v in headers.items()}
        problems = [
            f"{where}: header {h} missing"
            for h in spec.get("required_headers", [])
            if h.lower() not in lower
        ]
        schema = spec.get("schema")
        if schema is None:
            return problems
        if not isinstance(body, (dict, list)) or "json" not in lower.get("content-type", ""):
            return [*problems, f"{where}: the body is not JSON but a schema is documented"]
        return problems + [f"{where} {p}" for p in self._schema_problems(schema, body)]

    def _schema_problems(self, schema: dict[str, Any], instance: Any) -> list[str]:
        validator = _validator(self.tracker, json.dumps(schema, sort_keys=True))
        problems = []
        for error in validator.iter_errors(instance):
            error = best_match([error]) if error.context else error
            problems.append(f"{error.json_path}: {error.message[:300]}")
        return problems


def _patched(schema: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """``schema`` corrected by ``patch``: its ``properties`` replace those of the same name,
    its other keys (``doc`` and ``why`` aside) replace the schema's."""
    fixed = {k: v for k, v in patch.items() if k not in ("doc", "why", "properties")}
    properties = {**schema.get("properties", {}), **patch.get("properties", {})}
    return {**schema, **fixed, "properties": properties}


@cache
def _validator(tracker: str, schema_json: str) -> Draft4Validator:
    """OpenAPI 3.0 schemas are (nearly) JSON Schema draft 4; refs point into the contract."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    root = Contract.load(tracker).document
    registry = Registry().with_resource("urn:contract", Resource(root, DRAFT4))
    schema = json.loads(schema_json)
    return Draft4Validator(_rebase(schema), registry=registry)


def _rebase(node: Any) -> Any:
    """``#/schemas/x`` -> ``urn:contract#/schemas/x`` so refs resolve in the shared document."""
    if isinstance(node, dict):
        return {
            k: (f"urn:contract{v}" if k == "$ref" and isinstance(v, str) else _rebase(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase(n) for n in node]
    return node


def coverage_rows(tracker: str) -> list[tuple[str, str, str, list[str]]]:
    """(operation, method + path, success covered, error statuses covered) per operation."""
    contract = Contract.load(tracker)
    seen = COVERAGE.get(tracker, {})
    rows = []
    for op in sorted(contract.operations, key=lambda o: (o.path, o.method)):
        statuses = seen.get(op.id, set())
        ok = "yes" if any(s.startswith("2") for s in statuses) else "no"
        errors = []
        for wanted in ERROR_STATUSES:
            hit = any(s in wanted.split("/") for s in statuses)
            errors.append(wanted if hit else "-")
        name = op.id + (" (fake only)" if op.used_by == "fake" else "")
        name += " (hand-written)" if op.hand_written else ""
        rows.append((name, f"{op.method} {op.path}", ok, errors))
    return rows


def coverage_table() -> str:
    """The coverage table as Markdown, one section per tracker."""
    head = "| operation | request | 2xx | " + " | ".join(ERROR_STATUSES) + " |"
    rule = "|" + " --- |" * (3 + len(ERROR_STATUSES))
    lines = []
    for tracker in TRACKERS:
        lines += [f"**{tracker}**", "", head, rule]
        for op_id, request, ok, errors in coverage_rows(tracker):
            lines.append(f"| {op_id} | `{request}` | {ok} | " + " | ".join(errors) + " |")
        lines.append("")
    return "\n".join(lines)
