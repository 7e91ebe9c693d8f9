"""Fake Jira REST API v2 (https://developer.atlassian.com/cloud/jira/platform/rest/v2/).

Follows Cloud/Data Center paths under ``/rest/api/2``: Basic auth (email or
username + API token/password) and ``Authorization: Bearer <PAT>`` (DC
personal access tokens); ``myself``, ``serverInfo``, ``project/{key}``,
``mypermissions``, ``issue`` (create/get), ``search`` and Cloud's newer
``search/jql``.  Error bodies use Jira's ``{"errorMessages": [...], "errors":
{field: msg}}``.  Bad credentials get a Cloud-like 401 whose body is the
*plain text* "Client must be authenticated to access this resource." (not
JSON; Data Center would send an HTML page) plus ``X-Seraph-LoginReason:
AUTHENTICATED_FAILED`` when Basic auth was tried.  Every response carries
``X-AREQUESTID`` and ``X-AUSERNAME``.  Field errors on create: summary
missing -> ``errors.summary``; unknown issue type -> ``errors.issuetype``;
unknown project / no CREATE_ISSUES -> ``errors.project``; labels with spaces
-> ``errors.labels``; a required field of the issue type missing (or an option
that is not allowed) -> ``errors.<fieldId>``.  Create metadata per project and issue
type (``issue/createmeta/{key}/issuetypes[/{id}]``), paged with ``startAt`` and
``maxResults``: Cloud lists under ``issueTypes`` / ``fields``, Data Center under
``values``.  Simplified: JQL supports only ``project = KEY`` and
``text|summary|description ~ "term"`` (or a ``"\\"phrase\\""``) joined by AND, matched
as case-insensitive substrings (real Jira tokenizes); no pagination.  ``GET issue/{key}``
honours ``fields=`` and answers ``status`` with its ``statusCategory``, ``labels``,
``assignee``, ``updated`` and ``comment`` as Jira does; ``transition``, ``assign`` and
``add_comment`` act as people on Jira would.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from .server import FakeServer, Request, Response, json_response, route, text_response

A = r"/rest/api/2"
A3 = r"/rest/api/3"
#: The workflow every fake issue follows: status name -> status category key.
STATUSES = {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}
TRANSITIONS = (("11", "To Do"), ("21", "In Progress"), ("31", "Done"))
Json = dict[str, Any]
PERMISSION_META = {
    "CREATE_ISSUES": ("11", "Create Issues"),
    "BROWSE_PROJECTS": ("10", "Browse Projects"),
}
#: Status name -> its category (Jira's three: new, indeterminate, done).
STATUS_CATEGORIES = {
    "To Do": (2, "new", "To Do"),
    "In Progress": (4, "indeterminate", "In Progress"),
    "Done": (3, "done", "Done"),
    "Resolved": (3, "done", "Done"),
}
TEXT_CLAUSE = re.compile(r'(text|summary|description)\s*~\s*"((?:[^"\\]|\\.)*)"', re.I)


def _meta(field_id: str, name: str, kind: str, *, required: bool = False) -> Json:
    """A system field's create metadata."""
    return {
        "fieldId": field_id,
        "name": name,
        "required": required,
        "schema": {"type": kind, "system": field_id},
    }


def _errors(*messages: str, **fields: str) -> Json:
    return {"errorMessages": list(messages), "errors": fields}


class FakeJira(FakeServer):
    contract = "jira"
    NOT_FOUND = _errors("null for uri")
    BAD_JSON = _errors("Unexpected character: was expecting a JSON value")
    SERVER_HEADER = "AtlassianEdge"

    def __init__(
        self,
        users: dict[str, str] | None = None,
        pat: str | None = None,
        *,
        projects: dict[str, Json] | None = None,
        permissions: dict[str, bool] | None = None,
        deployment: str = "Cloud",
        **kw: Any,
    ) -> None:
        """``users``: {"email or name": "api token or password"}; ``projects``: {"OPS":
        {"name": "Operations", "issue_types": ["Task", "Bug"], "fields": {"Bug": [createmeta
        field objects: fieldId, name, required, schema, allowedValues]}}}; ``permissions``:
        {"CREATE_ISSUES": True, "BROWSE_PROJECTS": True}; ``deployment``: Cloud|Server."""
        super().__init__(**kw)
        self.users = users if users is not None else {"me@example.com": "api-token"}
        self.pat, self.deployment = pat, deployment
        self.permissions = {"BROWSE_PROJECTS": True, "CREATE_ISSUES": True, **(permissions or {})}
        self.projects: dict[str, Json] = {}
        for n, (key, cfg) in enumerate((projects if projects is not None else {"OPS": {}}).items()):
            self.projects[key] = {
                "id": str(10000 + n),
                "key": key,
                "name": cfg.get("name", key.title()),
                "issue_types": cfg.get("issue_types", ["Task", "Bug", "Story"]),
                "fields": cfg.get("fields", {}),
            }
        self.issues: list[Json] = []
        #: issue key -> comments, oldest first (bodies as sent: text on v2, ADF on v3)
        self.comments: dict[str, list[Json]] = {}

    def authenticate(self, req: Request) -> Any:
        c = req.credentials
        if c and c.scheme == "basic" and c.user in self.users and self.users[c.user] == c.secret:
            return c.user
        if c and c.scheme == "bearer" and self.pat is not None and c.secret == self.pat:
            return "pat-user"
        return None

    def unauthorized(self, req: Request) -> Response:
        resp = text_response(401, "Client must be authenticated to access this resource.")
        c = req.credentials
        if c is not None and c.scheme == "basic":
            resp.headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
        return resp

    def error(self, status: int, body: Any = None) -> Response:
        return json_response(status, _errors(self.reason(status)) if body is None else body)

    def extra_headers(self, req: Request, resp: Response) -> dict[str, str]:
        return {
            "X-AREQUESTID": f"{len(self.requests)}x1x1",
            "X-AUSERNAME": str(req.identity or "anonymous"),
        }

    def _missing_project(self, key: str) -> Response:
        return self.error(404, _errors(f"No project could be found with key '{key}'."))

    def _find_project(self, ref: Json) -> Json | None:
        by_id = (p for p in self.projects.values() if p["id"] == ref.get("id"))
        return self.projects.get(ref.get("key", "")) or next(by_id, None)

    def _issue_json(self, issue: Json, wanted: str | None = None) -> Json:
        fields = issue["fields"]
        if wanted:
            names = {n.strip() for n in wanted.split(",")}
            if "*all" not in names:
                fields = {k: v for k, v in fields.items() if k in names}
        return {
            "id": issue["id"],
            "key": issue["key"],
            "self": f"{self.base_url}{A}/issue/{issue['id']}",
            "fields": fields,
        }

    @staticmethod
    def _now() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    def _status(self, name: str) -> Json:
        cid, key, cname = STATUS_CATEGORIES[name]
        return {
            "self": f"{self.base_url}{A}/status/{cid}",
            "name": name,
            "id": str(cid),
            "statusCategory": {"id": cid, "key": key, "name": cname, "colorName": "blue-gray"},
        }

    def _user(self, name: str) -> Json:
        return {"name": name, "displayName": name.title(), "active": True}

    def _by_key(self, key: str) -> Json:
        return next(i for i in self.issues if i["key"] == key)

    # ---- what people do on Jira (not through the API under test) ---------
    def transition(self, key: str, status: str) -> None:
        """Move the issue to ``status`` (To Do, In Progress, Done, Resolved)."""
        with self.lock:
            fields = self._by_key(key)["fields"]
            fields["status"], fields["updated"] = self._status(status), self._now()

    def assign(self, key: str, user: str | None) -> None:
        with self.lock:
            fields = self._by_key(key)["fields"]
            fields["assignee"] = self._user(user) if user else None
            fields["updated"] = self._now()

    def add_comment(self, key: str, body: str, author: str = "jane") -> Json:
        with self.lock:
            issue = self._by_key(key)
            comments = issue["fields"]["comment"]["comments"]
            comment = {
                "id": str(
                    20000 + sum(len(i["fields"]["comment"]["comments"]) for i in self.issues)
                ),
                "author": self._user(author),
                "body": body,
                "created": self._now(),
                "updated": self._now(),
            }
            comments.append(comment)
            issue["fields"]["comment"].update(total=len(comments), maxResults=len(comments))
            issue["fields"]["updated"] = self._now()
            return comment

    @route("GET", A + r"/serverInfo", auth=False)
    def server_info(self, req: Request) -> Response:
        version = "1001.0.0-SNAPSHOT" if self.deployment == "Cloud" else "9.12.2"
        return json_response(
            200,
            {
                "baseUrl": self.base_url,
                "version": version,
                "deploymentType": self.deployment,
                "serverTitle": "Jira",
            },
        )

    @route("GET", A + r"/myself")
    def myself(self, req: Request) -> Response:
        name = str(req.identity)
        return json_response(
            200,
            {
                "self": f"{self.base_url}{A}/user?accountId=fake-{name}",
                "accountId": f"fake-{name}",
                "name": name,
                "emailAddress": name if "@" in name else f"{name}@example.com",
                "displayName": name.split("@")[0].title(),
                "active": True,
            },
        )

    def _project_json(self, p: Json) -> Json:
        return {"id": p["id"], "key": p["key"], "name": p["name"]}

    @route("GET", A + r"/project")
    def all_projects(self, req: Request) -> Response:
        """Every project the user can browse, in one list (Data Center's only way)."""
        visible = self.permissions.get("BROWSE_PROJECTS")
        return json_response(
            200, [self._project_json(p) for p in self.projects.values()] if visible else []
        )

    @route("GET", A + r"/project/search")
    def find_projects(self, req: Request) -> Response:
        """Cloud's paged project search (``query`` matches the key or name)."""
        if self.deployment != "Cloud":
            return self.not_found()
        term = req.query.get("query", "").lower()
        found = [
            self._project_json(p)
            for p in self.projects.values()
            if self.permissions.get("BROWSE_PROJECTS")
            and (term in p["key"].lower() or term in p["name"].lower())
        ]
        start = int(req.query.get("startAt") or 0)
        size = max(1, min(100, int(req.query.get("maxResults") or 50)))
        shown = found[start : start + size]
        last = start + size >= len(found)
        body = {"startAt": start, "maxResults": size, "total": len(found), "isLast": last}
        return json_response(200, {**body, "values": shown})

    @route("GET", A + r"/priority")
    def list_priorities(self, req: Request) -> Response:
        names = ("Highest", "High", "Medium", "Low", "Lowest")
        return json_response(200, [{"id": str(n + 1), "name": x} for n, x in enumerate(names)])

    @route("GET", A + r"/issuetype")
    def list_issue_types(self, req: Request) -> Response:
        names = sorted({t for p in self.projects.values() for t in p["issue_types"]})
        return json_response(200, [{"id": str(10001 + n), "name": x} for n, x in enumerate(names)])

    @route("GET", A + r"/project/(?P<key>[^/]+)")
    def get_project(self, req: Request, key: str) -> Response:
        p = self._find_project({"key": key.upper(), "id": key})
        if p is None or not self.permissions.get("BROWSE_PROJECTS"):
            return self._missing_project(key)
        types = [
            {"id": str(10001 + i), "name": t, "subtask": False}
            for i, t in enumerate(p["issue_types"])
        ]
        return json_response(
            200,
            {
                "id": p["id"],
                "key": p["key"],
                "name": p["name"],
                "self": f"{self.base_url}{A}/project/{p['id']}",
                "issueTypes": types,
            },
        )

    def _type_id(self, p: Json, name: str) -> str:
        return str(10001 + p["issue_types"].index(name))

    def _page(self, req: Request, found: list[Any], key: str) -> Response:
        start = int(req.query.get("startAt") or 0)
        size = max(1, min(200, int(req.query.get("maxResults") or 50)))
        shown = found[start : start + size]
        body: Json = {"startAt": start, "maxResults": size, "total": len(found)}
        cloud = self.deployment == "Cloud"
        body[key if cloud else "values"] = shown
        if not cloud:
            body["isLast"] = start + size >= len(found)
        return json_response(200, body)

    @route("GET", A + r"/issue/createmeta/(?P<key>[^/]+)/issuetypes")
    def createmeta_types(self, req: Request, key: str) -> Response:
        p = self._find_project({"key": key.upper(), "id": key})
        if p is None:
            return self._missing_project(key)
        types = [
            {"id": self._type_id(p, t), "name": t, "subtask": False, "description": ""}
            for t in p["issue_types"]
        ]
        return self._page(req, types, "issueTypes")

    @route("GET", A + r"/issue/createmeta/(?P<key>[^/]+)/issuetypes/(?P<tid>[^/]+)")
    def createmeta_fields(self, req: Request, key: str, tid: str) -> Response:
        p = self._find_project({"key": key.upper(), "id": key})
        if p is None:
            return self._missing_project(key)
        name = next((t for t in p["issue_types"] if self._type_id(p, t) == tid), None)
        if name is None:
            return self.error(400, _errors("The issue type selected is invalid."))
        standard = [
            _meta("summary", "Summary", "string", required=True),
            _meta("issuetype", "Issue Type", "issuetype", required=True),
            _meta("project", "Project", "project", required=True),
            {**_meta("reporter", "Reporter", "user", required=True), "hasDefaultValue": True},
            _meta("description", "Description", "string"),
        ]
        return self._page(req, standard + list(p["fields"].get(name, [])), "fields")

    def _field_errors(self, p: Json, type_name: str, fields: Json) -> dict[str, str]:
        """Required fields of the issue type that are missing; options not allowed."""
        errors = {}
        for meta in p["fields"].get(type_name, []):
            fid, value = meta["fieldId"], fields.get(meta["fieldId"])
            if meta.get("required") and not meta.get("hasDefaultValue") and value in (None, "", []):
                errors[fid] = f"{meta['name']} is required."
                continue
            allowed = {str(v.get("id")) for v in meta.get("allowedValues") or []}
            chosen = value if isinstance(value, list) else [value] if value else []
            for option in chosen:
                if allowed and isinstance(option, dict) and str(option.get("id")) not in allowed:
                    errors[fid] = f"Option id '{option.get('id')}' is not valid"
        return errors

    @route("GET", A + r"/mypermissions")
    def my_permissions(self, req: Request) -> Response:
        key = req.query.get("projectKey")
        if key is not None and key not in self.projects:
            return self._missing_project(key)
        asked = [p for p in req.query.get("permissions", "").split(",") if p]
        perms = {}
        for p in asked or list(self.permissions):
            pid, name = PERMISSION_META.get(p, ("0", p.replace("_", " ").title()))
            perms[p] = {
                "id": pid,
                "key": p,
                "name": name,
                "type": "PROJECT",
                "description": name,
                "havePermission": bool(self.permissions.get(p)),
            }
        return json_response(200, {"permissions": perms})

    @route("POST", A + r"/issue")
    def create_issue(self, req: Request) -> Response:
        fields = req.fields.get("fields") or {}
        p = self._find_project(fields.get("project") or {})
        itype = fields.get("issuetype") or {}
        errors: dict[str, str] = {}
        if p is None or not self.permissions.get("BROWSE_PROJECTS"):
            errors["project"] = "valid project is required"
        elif not self.permissions.get("CREATE_ISSUES"):
            errors["project"] = "You do not have permission to create issues in this project."
        elif itype.get("name") not in p["issue_types"] and itype.get("id") not in {
            str(10001 + i) for i in range(len(p["issue_types"]))
        }:
            errors["issuetype"] = "valid issue type is required"
        if not errors and p is not None:
            type_name = itype.get("name") or next(
                (t for t in p["issue_types"] if self._type_id(p, t) == itype.get("id")), ""
            )
            errors.update(self._field_errors(p, type_name, fields))
        if not fields.get("summary"):
            errors["summary"] = "You must specify a summary of the issue."
        bad = [lb for lb in fields.get("labels") or [] if " " in lb]
        if bad:
            errors["labels"] = f"The label '{bad[0]}' contains spaces which is invalid."
        if errors or p is None:
            return self.error(400, _errors(**errors))
        number = sum(i["project"] == p["key"] for i in self.issues) + 1
        issue = {
            "id": str(10000 + len(self.issues) + 1),
            "key": f"{p['key']}-{number}",
            "project": p["key"],
            "fields": {
                "labels": [],
                "assignee": None,
                **fields,
                "status": self._status("To Do"),
                "project": {"key": p["key"], "id": p["id"]},
                "updated": self._now(),
                "comment": {"comments": [], "maxResults": 0, "total": 0, "startAt": 0},
            },
        }
        self.issues.append(issue)
        out = self._issue_json(issue)
        del out["fields"]
        return json_response(201, out, created=True)

    @route("GET", A + r"/issue/(?P<key>[^/]+)")
    def get_issue(self, req: Request, key: str) -> Response:
        issue = next((i for i in self.issues if key in (i["id"], i["key"])), None)
        if issue is None:
            msg = "Issue does not exist or you do not have permission to see it."
            return self.error(404, _errors(msg))
        return json_response(200, self._issue_json(issue, req.query.get("fields")))

    def _search(self, req: Request, legacy: bool) -> Response:
        jql = req.query.get("jql", "").strip()
        found = list(self.issues)
        for clause in re.split(r"\s+AND\s+", jql, flags=re.I) if jql else []:
            m = re.fullmatch(r'project\s*=\s*"?([\w-]+)"?', clause, re.I)
            if m:
                key = m.group(1).upper()
                if key not in self.projects:
                    msg = f"The value '{m.group(1)}' does not exist for the field 'project'."
                    return self.error(400, _errors(msg))
                found = [i for i in found if i["project"] == key]
                continue
            m = TEXT_CLAUSE.fullmatch(clause)
            if m is None:
                return self.error(400, _errors(f"Error in the JQL Query: unsupported '{clause}'"))
            term, field = m.group(2).replace('\\"', '"').lower(), m.group(1).lower()
            if len(term) > 1 and term[0] == term[-1] == '"':  # "\"a phrase\"": exact words
                term = term[1:-1]
            names = ["summary", "description"] if field == "text" else [field]
            found = [
                i
                for i in found
                if any(term in str(i["fields"].get(n) or "").lower() for n in names)
            ]
        issues = [self._issue_json(i) for i in reversed(found)]
        if legacy:
            return json_response(
                200, {"startAt": 0, "maxResults": 50, "total": len(issues), "issues": issues}
            )
        return json_response(200, {"issues": issues, "isLast": True})

    @route("GET", A + r"/search")
    def search(self, req: Request) -> Response:
        return self._search(req, legacy=True)

    @route("GET", A + r"/search/jql")
    def search_jql(self, req: Request) -> Response:
        return self._search(req, legacy=False)

    # ---- conversations: comments and transitions ---------------------------------
    def _issue_by(self, key: str) -> Json | None:
        return next((i for i in self.issues if key in (i["id"], i["key"])), None)

    def _no_issue(self) -> Response:
        msg = "Issue does not exist or you do not have permission to see it."
        return self.error(404, _errors(msg))

    def _add_comment(self, req: Request, key: str) -> Response:
        issue = self._issue_by(key)
        if issue is None:
            return self._no_issue()
        body = req.fields.get("body")
        if not body:
            return self.error(400, _errors(comment="Comment body can not be empty!"))
        comments = self.comments.setdefault(issue["key"], [])
        comment_id = str(10000 + sum(len(c) for c in self.comments.values()) + 1)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        comment = {
            "self": f"{self.base_url}{A}/issue/{issue['id']}/comment/{comment_id}",
            "id": comment_id,
            "author": {"accountId": "5b10a2844c20165700ede21g", "displayName": str(req.identity)},
            "body": body,
            "created": now,
            "updated": now,
        }
        comments.append(comment)
        return json_response(201, comment, created=True)

    @route("POST", A + r"/issue/(?P<key>[^/]+)/comment")
    def add_comment_v2(self, req: Request, key: str) -> Response:
        return self._add_comment(req, key)

    @route("POST", A3 + r"/issue/(?P<key>[^/]+)/comment")
    def add_comment_v3(self, req: Request, key: str) -> Response:
        body = req.fields.get("body")
        if body is not None and not (isinstance(body, dict) and body.get("type") == "doc"):
            return self.error(400, _errors(comment="Comment body is not valid!"))
        return self._add_comment(req, key)

    @route("GET", A + r"/issue/(?P<key>[^/]+)/comment")
    def get_comments(self, req: Request, key: str) -> Response:
        """Bodies come back as text on v2, as Jira Cloud does for ADF comments too."""
        issue = self._issue_by(key)
        if issue is None:
            return self._no_issue()
        comments = [{**c, "body": _plain(c["body"])} for c in self.comments.get(issue["key"], [])]
        if req.query.get("orderBy") == "-created":
            comments.reverse()
        limit = int(req.query.get("maxResults") or 50)
        return json_response(
            200,
            {
                "startAt": 0,
                "maxResults": limit,
                "total": len(comments),
                "comments": comments[:limit],
            },
        )

    def _status(self, name: str) -> Json:
        key = STATUSES[name]
        return {
            "name": name,
            "id": str(list(STATUSES).index(name) + 1),
            "statusCategory": {"id": list(STATUSES.values()).index(key) + 2, "key": key},
        }

    @route("GET", A + r"/issue/(?P<key>[^/]+)/transitions")
    def get_transitions(self, req: Request, key: str) -> Response:
        issue = self._issue_by(key)
        if issue is None:
            return self._no_issue()
        current = issue["fields"]["status"]["name"]
        offered = [
            {"id": tid, "name": name, "to": self._status(name), "hasScreen": False}
            for tid, name in TRANSITIONS
            if name != current
        ]
        return json_response(200, {"transitions": offered})

    @route("POST", A + r"/issue/(?P<key>[^/]+)/transitions")
    def do_transition(self, req: Request, key: str) -> Response:
        issue = self._issue_by(key)
        if issue is None:
            return self._no_issue()
        wanted = (req.fields.get("transition") or {}).get("id")
        current = issue["fields"]["status"]["name"]
        target = next((n for tid, n in TRANSITIONS if tid == str(wanted) and n != current), None)
        if target is None:
            return self.error(
                400, _errors(f"Transition id '{wanted}' is not valid for this issue.")
            )
        issue["fields"]["status"] = self._status(target)
        return Response(204, b"", {})


def _plain(body: Any) -> str:
    """An ADF document as text (what v2 shows of it), or the text itself."""
    if isinstance(body, str):
        return body
    if not isinstance(body, dict):
        return ""
    if body.get("type") == "text":
        return str(body.get("text") or "")
    if body.get("type") == "hardBreak":
        return "\n"
    parts = [_plain(node) for node in body.get("content") or []]
    return ("\n\n" if body.get("type") == "doc" else "").join(parts)
