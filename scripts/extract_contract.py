#!/usr/bin/env python3
"""Extract the subset of a tracker's official API description that Connector Desk uses.

Why: the integration tests talk to fake trackers (tests/fakes/); checking every request
and every fake answer against the trackers' own descriptions keeps the fakes honest.
Only the operations listed in ``USED`` below (what webapp/trackers/*.py sends and the
fakes route) are kept, with every schema they reference, so the committed contract is
small and a refresh is one command::

    python scripts/extract_contract.py github --spec api.github.com.json \\
        --repository github/rest-api-description \\
        --file descriptions/api.github.com/api.github.com.json --commit SHA --date YYYY-MM-DD

A ``.tmpl`` description (Gitea serves its Swagger file through a Go template) has its
placeholders substituted first, see ``TEMPLATE_VALUES``.  It writes
``tests/contracts/<tracker>/contract.json``.  Hand-written entries (for
operations the official description lacks, or where it is wrong) live next to it in
``manual.json`` and are never touched by this script.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "tests" / "contracts"

#: Per tracker: the (method, path) pairs the project uses, as the description spells them.
#: The tracker clients (webapp/trackers/<id>.py) send all but those in ``FAKE_ONLY``,
#: which only the fakes' own routes (and tests reading the fakes) use.
USED: dict[str, list[tuple[str, str]]] = {
    "github": [
        ("GET", "/user"),
        ("GET", "/users/{username}"),
        ("GET", "/orgs/{org}"),
        ("GET", "/repos/{owner}/{repo}"),
        ("GET", "/repos/{owner}/{repo}/labels"),
        ("POST", "/repos/{owner}/{repo}/labels"),
        ("POST", "/repos/{owner}/{repo}/issues"),
        ("GET", "/repos/{owner}/{repo}/issues"),
        ("GET", "/repos/{owner}/{repo}/issues/{issue_number}"),
        ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}"),
        ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
        ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
        ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
        ("GET", "/repos/{owner}/{repo}/assignees"),
        ("GET", "/user/repos"),
        ("GET", "/search/issues"),
    ],
    "gitlab": [
        ("GET", "/api/v4/version"),
        ("GET", "/api/v4/user"),
        ("GET", "/api/v4/personal_access_tokens/self"),
        ("GET", "/api/v4/projects"),
        ("GET", "/api/v4/projects/{id}"),
        ("GET", "/api/v4/projects/{id}/labels"),
        ("POST", "/api/v4/projects/{id}/labels"),
        ("POST", "/api/v4/projects/{id}/issues"),
        ("GET", "/api/v4/projects/{id}/issues"),
        ("GET", "/api/v4/projects/{id}/issues/{issue_iid}"),
        ("PUT", "/api/v4/projects/{id}/issues/{issue_iid}"),
        ("POST", "/api/v4/projects/{id}/issues/{issue_iid}/notes"),
        ("GET", "/api/v4/projects/{id}/issues/{issue_iid}/notes"),
    ],
    "jira": [
        ("GET", "/rest/api/3/serverInfo"),
        ("GET", "/rest/api/3/myself"),
        ("GET", "/rest/api/3/project"),
        ("GET", "/rest/api/3/project/search"),
        ("GET", "/rest/api/3/project/{projectIdOrKey}"),
        ("GET", "/rest/api/3/mypermissions"),
        ("GET", "/rest/api/3/priority"),
        ("GET", "/rest/api/3/issuetype"),
        ("GET", "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes"),
        ("GET", "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}"),
        ("POST", "/rest/api/3/issue"),
        ("GET", "/rest/api/3/issue/{issueIdOrKey}"),
        ("GET", "/rest/api/3/issue/{issueIdOrKey}/comment"),
        ("POST", "/rest/api/3/issue/{issueIdOrKey}/comment"),
        ("GET", "/rest/api/3/issue/{issueIdOrKey}/transitions"),
        ("POST", "/rest/api/3/issue/{issueIdOrKey}/transitions"),
        ("GET", "/rest/api/3/search"),
        ("GET", "/rest/api/3/search/jql"),
    ],
    # the Gitea/Forgejo plugin (plugins/connector-desk-gitea): its client and FakeGitea
    "gitea": [
        ("GET", "/version"),
        ("GET", "/user"),
        ("GET", "/user/repos"),
        ("GET", "/repos/{owner}/{repo}"),
        ("GET", "/repos/{owner}/{repo}/assignees"),
        ("GET", "/repos/{owner}/{repo}/labels"),
        ("POST", "/repos/{owner}/{repo}/labels"),
        ("GET", "/repos/{owner}/{repo}/issues"),
        ("POST", "/repos/{owner}/{repo}/issues"),
        ("GET", "/repos/{owner}/{repo}/issues/{index}"),
        ("PATCH", "/repos/{owner}/{repo}/issues/{index}"),
        ("GET", "/repos/{owner}/{repo}/issues/{index}/comments"),
        ("POST", "/repos/{owner}/{repo}/issues/{index}/comments"),
        ("POST", "/repos/{owner}/{repo}/issues/{index}/labels"),
    ],
}

#: Per tracker: two trackers may spell one path alike yet use it differently.
FAKE_ONLY: dict[str, set[tuple[str, str]]] = {
    "github": {("GET", "/orgs/{org}")},
    "gitlab": {("GET", "/api/v4/version")},
    "jira": {("GET", "/rest/api/3/serverInfo")},
    "gitea": {("GET", "/version")},
}

#: The project speaks Jira's REST API v2; v2 and v3 share paths, parameters and
#: answers except rich text (v3 wants Atlassian Document Format where v2 takes a
#: string), and Atlassian publishes only the v3 description.
#: Gitea's description is Swagger 2 with ``basePath`` ``/api/v1`` (once its sub-URL
#: placeholder is substituted): its paths are relative to that, and the client sends it.
PATH_REWRITE = {"jira": ("/rest/api/3/", "/rest/api/2/"), "gitea": ("/", "/api/v1/")}

#: Go template placeholders in a ``.tmpl`` description and what they stand for: Gitea fills
#: them in per server when it serves ``/swagger.v1.json``.  A server at the root of its
#: host has no sub-URL; the version is that of the server, which the contract does not
#: depend on (the source commit names the description).  An unknown placeholder stops
#: the extraction, so a changed template is noticed.
TEMPLATE_VALUES = {"AppSubUrl": "", "AppVer": ""}
PLACEHOLDER = re.compile(r"\{\{\s*\.?(?P<name>\w+)(?:\s*\|\s*\w+)*\s*\}\}")

#: Operations also sent under the description's own path, extracted a second time
#: unrewritten with this suffix on their id: Jira Cloud takes a comment as an Atlassian
#: Document only on REST v3 (v2 wants text; the description's body schema allows both).
UNREWRITTEN = {"jira": {("POST", "/rest/api/3/issue/{issueIdOrKey}/comment"): "V3"}}

#: Keys that document but do not constrain: dropped to keep the subset small.
PROSE = {"description", "example", "examples", "externalDocs", "x-github", "x-octokit", "title"}


class Extractor:
    """Copies operations out of an OpenAPI 3 or Swagger 2 document, refs and all."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.swagger2 = str(spec.get("swagger", "")).startswith("2")
        self.schemas: dict[str, Any] = {}

    def lookup(self, ref: str) -> Any:
        node: Any = self.spec
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def deref(self, node: Any) -> Any:
        """Inline a non-schema ``$ref`` (parameter, response, header, request body)."""
        while isinstance(node, dict) and "$ref" in node:
            node = self.lookup(node["$ref"])
        return node

    def schema(self, node: Any) -> Any:
        """Copy a schema: named ones become ``#/schemas/<name>``, nullable becomes JSON Schema."""
        if isinstance(node, list):
            return [self.schema(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in self.schemas:
                self.schemas[name] = {}  # placeholder first: schemas may be recursive
                self.schemas[name] = self.schema(self.lookup(node["$ref"]))
            return {"$ref": f"#/schemas/{name}"}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in PROSE or key.startswith("x-"):
                continue
            if key == "properties":
                out[key] = {k: self.schema(v) for k, v in value.items()}
            elif isinstance(value, (dict, list)):
                out[key] = self.schema(value)
            else:
                out[key] = value
        if out.pop("nullable", False):
            if isinstance(out.get("type"), str):
                out["type"] = [out["type"], "null"]
                if "enum" in out:
                    out["enum"] = [*out["enum"], None]
            else:
                out = {"anyOf": [out, {"type": "null"}]}
        return out

    def parameters(self, path_item: dict[str, Any], op: dict[str, Any]) -> list[dict[str, Any]]:
        params = [
            self.deref(p) for p in [*path_item.get("parameters", []), *op.get("parameters", [])]
        ]
        return [
            {"name": p["name"], "in": p["in"], "required": bool(p.get("required"))}
            for p in params
            if p.get("in") in ("path", "query", "header", "formData")
        ]

    def body(self, op: dict[str, Any]) -> dict[str, Any] | None:
        if self.swagger2:
            found = [self.deref(p) for p in op.get("parameters", [])]
            body = next((p for p in found if p.get("in") == "body"), None)
            if body is None:
                return None
            return {"required": bool(body.get("required")), "schema": self.schema(body["schema"])}
        request = self.deref(op.get("requestBody"))
        if not request:
            return None
        media = request.get("content", {}).get("application/json") or {}
        return {
            "required": bool(request.get("required")),
            "schema": self.schema(media.get("schema", {})),
        }

    def responses(self, op: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for status, raw in op.get("responses", {}).items():
            resp = self.deref(raw)
            schema = (
                resp.get("schema")
                if self.swagger2
                else (resp.get("content", {}).get("application/json") or {}).get("schema")
            )
            entry: dict[str, Any] = {"schema": self.schema(schema) if schema else None}
            headers = sorted((resp.get("headers") or {}).keys())
            if headers:
                entry["headers"] = headers
            out[str(status)] = entry
        return out

    def operation(self, method: str, path: str) -> dict[str, Any]:
        path_item = self.spec["paths"][path]
        op = path_item[method.lower()]
        security = op.get("security", self.spec.get("security"))
        doc = (op.get("externalDocs") or {}).get("url")
        return {
            "id": op.get("operationId") or f"{method} {path}",
            "method": method,
            "summary": op.get("summary", ""),
            "doc": doc,
            # ``[]`` or an empty requirement ``{}`` means callers may be anonymous
            "auth": bool(security) and {} not in security,
            "parameters": self.parameters(path_item, op),
            "body": self.body(op),
            "responses": self.responses(op),
        }


def extract(tracker: str, spec: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """The contract subset for ``tracker``; operations missing from ``spec`` are listed."""
    ex = Extractor(spec)
    old, new = PATH_REWRITE.get(tracker, ("", ""))
    operations, missing = {}, []
    for method, path in USED[tracker]:
        try:
            op = ex.operation(method, path)
        except KeyError:
            missing.append(f"{method} {path}")
            continue
        op_id = op.pop("id")
        used_by = "fake" if (method, path) in FAKE_ONLY.get(tracker, ()) else "client"
        suffix = UNREWRITTEN.get(tracker, {}).get((method, path))
        if suffix:
            operations[op_id + suffix] = {**op, "path": path, "used_by": used_by}
        operations[op_id] = {**op, "path": path.replace(old, new, 1) if old else path}
        operations[op_id]["used_by"] = used_by
    return {
        "source": source,
        "missing_from_source": missing,
        "operations": operations,
        "schemas": dict(sorted(ex.schemas.items())),
    }


def fill_template(text: str) -> str:
    """``text`` with every ``{{Name | Filter}}`` placeholder replaced by its ``TEMPLATE_VALUES``."""

    def value(match: re.Match[str]) -> str:
        if match["name"] not in TEMPLATE_VALUES:
            raise SystemExit(f"unknown template placeholder {match[0]}: add it to TEMPLATE_VALUES")
        return TEMPLATE_VALUES[match["name"]]

    return PLACEHOLDER.sub(value, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tracker", choices=sorted(USED))
    parser.add_argument(
        "--spec",
        required=True,
        type=Path,
        help="the official description (JSON, YAML, or JSON in a Go template: .tmpl)",
    )
    parser.add_argument("--repository", required=True, help="where it comes from, owner/name")
    parser.add_argument("--file", required=True, help="its path in that repository")
    parser.add_argument("--commit", required=True, help="the commit (or package version) read")
    parser.add_argument("--date", required=True, help="that commit's date")
    parser.add_argument("--via", default="", help="how it was obtained, if not from the repository")
    args = parser.parse_args(argv)
    text = args.spec.read_text(encoding="utf-8")
    if args.spec.suffix == ".tmpl":
        text = fill_template(text)
    if args.spec.suffix in (".yaml", ".yml"):
        import yaml  # only GitLab's description is YAML

        spec = yaml.safe_load(text)
    else:
        spec = json.loads(text)
    source = {
        "repository": args.repository,
        "file": args.file,
        "commit": args.commit,
        "date": args.date,
        "version": str((spec.get("info") or {}).get("version", "")),
    }
    if args.via:
        source["via"] = args.via
    contract = extract(args.tracker, spec, source)
    out = CONTRACTS / args.tracker / "contract.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(contract, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    ops, missing = len(contract["operations"]), contract["missing_from_source"]
    print(f"{out.relative_to(ROOT)}: {ops} operations, {len(contract['schemas'])} schemas")
    for m in missing:
        print(f"  not in the description (write it in manual.json): {m}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
