"""Fake GitLab REST API v4 (https://docs.gitlab.com/ee/api/rest/), under ``/api/v4``.

Follows the documented auth (``PRIVATE-TOKEN: X`` or ``Authorization: Bearer X``),
project lookup by numeric id or URL-encoded path (``group%2Fproj``: the raw
path keeps ``%2F``, the router matches one segment and then decodes it; an
unencoded ``group/proj`` hits no route -> ``{"error":"404 Not Found"}`` as on
real GitLab), error bodies ``{"message": "401 Unauthorized"}``, ``"404 Project
Not Found"``, ``"403 Forbidden"``, Grape validation errors ``{"error": "title is
missing"}``, 409 ``{"message": "Label already exists"}`` and ``X-Total``
pagination headers.  Access levels: private projects without membership are
404; creating issues needs Guest (10), creating labels Reporter (20); issue
labels that do not exist are auto-created.  Both JSON and form bodies accepted.
Issues are read back with their notes (``GET …/issues/{iid}/notes``, system notes for
closing and labelling as GitLab writes them) and edited with ``PUT …/issues/{iid}``
(``add_labels``, ``state_event``); ``open_issue``, ``close_issue`` and ``add_note`` act as
people on GitLab would (a Service Desk e-mail opens an issue by ``support-bot``).
Project lists (``GET /api/v4/projects``) page with ``page``/``per_page`` and answer
X-Page, X-Per-Page, X-Next-Page and a Link header as GitLab does.
Simplified: ``search`` is a case-insensitive substring match.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .server import FakeServer, Request, Response, json_response, route

P = r"/api/v4/projects/(?P<pid>[^/]+)"
Json = dict[str, Any]
DEFAULT_PERMS: Json = {"project_access": {"access_level": 30}, "group_access": None}


class FakeGitLab(FakeServer):
    contract = "gitlab"
    NOT_FOUND = {"error": "404 Not Found"}
    BAD_JSON = {"error": "The provided content-type 'application/json' is not supported."}
    SERVER_HEADER = "nginx"

    def __init__(
        self,
        token: str = "glpat-testtoken",
        *,
        username: str = "root",  # noqa: S107
        projects: dict[str, Json] | None = None,
        version: str = "16.11.0",
        issue_web_url: str | None = None,
        scopes: list[str] | None = None,
        **kw: Any,
    ) -> None:
        """``projects``: {"group/proj": {"id": 7, "permissions": {"project_access":
        {"access_level": 30}, "group_access": None}, "issues_enabled": True,
        "visibility": "private", "labels": ["bug"]}}; ``scopes``: the token's (default api);
        ``issue_web_url``: the ``web_url`` of every created issue, as a hostile tracker might
        send it."""
        super().__init__(**kw)
        self.token, self.username, self.version = token, username, version
        self.issue_web_url = issue_web_url
        self.scopes = ["api"] if scopes is None else scopes
        self.projects: dict[int, Json] = {}
        self.labels: dict[int, list[Json]] = {}
        self.issues: dict[int, list[Json]] = {}
        #: (project id, issue iid) -> notes, oldest first
        self.notes: dict[tuple[int, int], list[Json]] = {}
        self._ids = 100
        configured = projects if projects is not None else {"group/proj": {}}
        for i, (path, cfg) in enumerate(configured.items()):
            pid = int(cfg.get("id", 7 + i))
            self.projects[pid] = {
                "id": pid,
                "path_with_namespace": path,
                "permissions": cfg.get("permissions", DEFAULT_PERMS),
                "issues_enabled": cfg.get("issues_enabled", True),
                "visibility": cfg.get("visibility", "private"),
            }
            self.labels[pid], self.issues[pid] = [], []
            for name in cfg.get("labels", []):
                self._add_label(pid, name, "#428BCA", None)

    def authenticate(self, req: Request) -> Any:
        c = req.credentials
        ok = c is not None and c.scheme in ("private-token", "bearer") and c.secret == self.token
        return self.username if ok else None

    def unauthorized(self, req: Request) -> Response:
        return json_response(401, {"message": "401 Unauthorized"})

    def extra_headers(self, req: Request, resp: Response) -> dict[str, str]:
        return {
            "X-Request-Id": f"fake-{len(self.requests)}",
            "X-Gitlab-Meta": '{"correlation_id":"fake"}',
        }

    def _missing(self) -> Response:
        return json_response(404, {"message": "404 Project Not Found"})

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    @staticmethod
    def _access(p: Json) -> int:
        perms = p["permissions"]
        return max(
            (perms.get(k) or {}).get("access_level") or 0
            for k in ("project_access", "group_access")
        )

    def _project(self, pid: str) -> Json | None:
        p = (
            self.projects.get(int(pid))
            if pid.isdigit()
            else next(
                (
                    x
                    for x in self.projects.values()
                    if x["path_with_namespace"].lower() == pid.lower()
                ),
                None,
            )
        )
        return p if p and (self._access(p) or p["visibility"] != "private") else None

    def _add_label(self, pid: int, name: str, color: str, description: Any) -> Json:
        label = {
            "id": self._next_id(),
            "name": name,
            "color": color,
            "description": description,
            "text_color": "#FFFFFF",
            "open_issues_count": 0,
            "is_project_label": True,
        }
        self.labels[pid].append(label)
        return label

    @staticmethod
    def _now() -> str:
        return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _pid(self, project: str | int) -> int:
        return int(project) if str(project).isdigit() else self._project(str(project))["id"]

    def _touch(self, issue: Json) -> None:
        issue["updated_at"] = self._now()

    def _label_names(self, pid: int, names: list[str]) -> list[str]:
        """Labels as stored: created when new, spelt as the project spells them."""
        known = {lb["name"].lower(): lb["name"] for lb in self.labels[pid]}
        out = []
        for name in names:
            if name.lower() not in known:
                known[name.lower()] = self._add_label(pid, name, "#6699cc", None)["name"]
            out.append(known[name.lower()])
        return out

    # ---- what people do on GitLab (not through the API under test) -------
    def open_issue(
        self, project: str | int, title: str, author: str = "support-bot", labels: tuple = ()
    ) -> Json:
        """An issue someone else opened (by default: a Service Desk e-mail)."""
        pid = self._pid(project)
        with self.lock:
            issue = self._new_issue(pid, title, None, self._label_names(pid, list(labels)))
            issue["author"] = {"id": 99, "username": author}
            return issue

    def close_issue(self, project: str | int, iid: int, by: str = "jane") -> None:
        pid = self._pid(project)
        with self.lock:
            issue = self.issues[pid][iid - 1]
            issue.update(state="closed", closed_at=self._now(), closed_by={"id": 5, "username": by})
            self._touch(issue)
            self._system_note(pid, iid, by, "closed")

    def reopen_issue(self, project: str | int, iid: int, by: str = "jane") -> None:
        pid = self._pid(project)
        with self.lock:
            issue = self.issues[pid][iid - 1]
            issue.update(state="opened", closed_at=None, closed_by=None)
            self._touch(issue)
            self._system_note(pid, iid, by, "reopened")

    def add_note(
        self, project: str | int, iid: int, body: str, author: str = "jane", internal: bool = False
    ) -> Json:
        pid = self._pid(project)
        with self.lock:
            note = self._note(pid, iid, author, body, system=False, internal=internal)
            self._touch(self.issues[pid][iid - 1])
            return note

    def _system_note(self, pid: int, iid: int, author: str, body: str) -> None:
        self._note(pid, iid, author, body, system=True, internal=False)

    def _note(self, pid: int, iid: int, author: str, body: str, *, system: bool, internal: bool):
        note = {
            "id": self._next_id(),
            "body": body,
            "author": {"id": 5, "username": author},
            "created_at": self._now(),
            "updated_at": self._now(),
            "system": system,
            "internal": internal,
            "confidential": internal,
            "noteable_iid": iid,
            "noteable_type": "Issue",
        }
        self.notes.setdefault((pid, iid), []).append(note)
        return note

    def _new_issue(self, pid: int, title: str, description: Any, labels: list[str]) -> Json:
        p = self.projects[pid]
        iid, path = len(self.issues[pid]) + 1, p["path_with_namespace"]
        issue = {
            "id": self._next_id(),
            "iid": iid,
            "project_id": pid,
            "title": title,
            "description": description,
            "state": "opened",
            "labels": labels,
            "author": {"id": 1, "username": self.username},
            "assignees": [],
            "created_at": self._now(),
            "updated_at": self._now(),
            "closed_at": None,
            "closed_by": None,
            "web_url": self.issue_web_url or f"{self.url}/{path}/-/issues/{iid}",
            "references": {"short": f"#{iid}", "full": f"{path}#{iid}"},
        }
        self.issues[pid].append(issue)
        return issue

    @staticmethod
    def _list(value: Any) -> list[str]:
        items = value if isinstance(value, list) else str(value or "").split(",")
        return [s.strip() for s in items if s.strip()]

    @route("GET", r"/api/v4/version")
    def get_version(self, req: Request) -> Response:
        return json_response(200, {"version": self.version, "revision": "fake"})

    @route("GET", r"/api/v4/user")
    def get_user(self, req: Request) -> Response:
        return json_response(
            200,
            {
                "id": 1,
                "username": self.username,
                "name": self.username.title(),
                "state": "active",
                "web_url": f"{self.url}/{self.username}",
            },
        )

    @route("GET", r"/api/v4/personal_access_tokens/self")
    def get_token(self, req: Request) -> Response:
        """GitLab 15.5+ describes the token a request was made with."""
        return json_response(
            200,
            {
                "id": 1,
                "name": "connector-desk",
                "revoked": False,
                "created_at": "2024-01-01T00:00:00.000Z",
                "scopes": self.scopes,
                "user_id": 1,
                "last_used_at": None,
                "active": True,
                "expires_at": None,
            },
        )

    @route("GET", r"/api/v4/projects")
    def list_projects(self, req: Request) -> Response:
        """Projects the user is a member of (``membership=true``), else every one they see;
        ``search`` matches the name or path (and the namespace with ``search_namespaces``)."""
        term = req.query.get("search", "").lower()
        members_only = req.query.get("membership") == "true"
        found = []
        for p in sorted(self.projects.values(), key=lambda x: x["path_with_namespace"]):
            path = p["path_with_namespace"]
            name = path.rsplit("/", 1)[-1]
            where = path if req.query.get("search_namespaces") == "true" else name
            visible = self._access(p) or (not members_only and p["visibility"] != "private")
            if visible and term in where.lower():
                found.append(p)
        per_page = max(1, min(100, int(req.query.get("per_page") or 20)))
        page = max(1, int(req.query.get("page") or 1))
        shown = found[(page - 1) * per_page : page * per_page]
        more = len(found) > page * per_page
        headers = {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Next-Page": str(page + 1) if more else "",
            "X-Prev-Page": str(page - 1) if page > 1 else "",
        }
        if more:
            headers["Link"] = (
                f'<{self.url}/api/v4/projects?page={page + 1}&per_page={per_page}>; rel="next"'
            )
        body = [
            {
                "id": p["id"],
                "name": p["path_with_namespace"].rsplit("/", 1)[-1],
                "name_with_namespace": " / ".join(p["path_with_namespace"].split("/")),
                "path": p["path_with_namespace"].rsplit("/", 1)[-1],
                "path_with_namespace": p["path_with_namespace"],
                "web_url": f"{self.url}/{p['path_with_namespace']}",
            }
            for p in shown
        ]
        return json_response(200, body, headers)

    @route("GET", P)
    def get_project(self, req: Request, pid: str) -> Response:
        p = self._project(pid)
        if p is None:
            return self._missing()
        path = p["path_with_namespace"]
        return json_response(
            200,
            {
                "id": p["id"],
                "path_with_namespace": path,
                "name": path.rsplit("/", 1)[-1],
                "web_url": f"{self.url}/{path}",
                "visibility": p["visibility"],
                "issues_enabled": p["issues_enabled"],
                "issues_access_level": "enabled" if p["issues_enabled"] else "disabled",
                "permissions": p["permissions"],
            },
        )

    @route("GET", P + r"/labels")
    def list_labels(self, req: Request, pid: str) -> Response:
        p = self._project(pid)
        if p is None:
            return self._missing()
        term = req.query.get("search", "").lower()
        labels = [label for label in self.labels[p["id"]] if term in label["name"].lower()]
        return json_response(200, labels, {"X-Total": str(len(labels))})

    @route("POST", P + r"/labels")
    def create_label(self, req: Request, pid: str) -> Response:
        p = self._project(pid)
        if p is None:
            return self._missing()
        body = req.fields
        missing = [f"{k} is missing" for k in ("name", "color") if not body.get(k)]
        if missing:
            return json_response(400, {"error": ", ".join(missing)})
        if self._access(p) < 20:
            return json_response(403, {"message": "403 Forbidden"})
        if any(lb["name"].lower() == body["name"].lower() for lb in self.labels[p["id"]]):
            return json_response(409, {"message": "Label already exists"})
        label = self._add_label(p["id"], body["name"], body["color"], body.get("description"))
        return json_response(201, label, created=True)

    @route("POST", P + r"/issues")
    def create_issue(self, req: Request, pid: str) -> Response:
        p = self._project(pid)
        if p is None:
            return self._missing()
        body = req.fields
        if not body.get("title"):
            return json_response(400, {"error": "title is missing"})
        guest_denied = self._access(p) < 10 and p["visibility"] == "private"
        if not p["issues_enabled"] or guest_denied:
            return json_response(403, {"message": "403 Forbidden"})
        labels = self._label_names(p["id"], self._list(body.get("labels")))
        issue = self._new_issue(p["id"], body["title"], body.get("description"), labels)
        return json_response(201, issue, created=True)

    @route("GET", P + r"/issues")
    def list_issues(self, req: Request, pid: str) -> Response:
        p = self._project(pid)
        if p is None:
            return self._missing()
        term, state = req.query.get("search", "").lower(), req.query.get("state", "all")
        fields = self._list(req.query.get("in", "title,description"))
        wanted = {x.lower() for x in self._list(req.query.get("labels"))}
        found = [
            i
            for i in sorted(self.issues[p["id"]], key=lambda i: -i["iid"])
            if state in ("all", i["state"])
            and wanted <= {x.lower() for x in i["labels"]}
            and term in " ".join(i.get(f) or "" for f in fields).lower()
        ]
        return self._paged(req, found)

    @staticmethod
    def _paged(req: Request, found: list[Json]) -> Response:
        """GitLab's offset pagination: ``page``/``per_page`` (20, at most 100), X-* headers."""
        per_page = min(max(int(req.query.get("per_page") or 20), 1), 100)
        page = max(int(req.query.get("page") or 1), 1)
        pages = max((len(found) + per_page - 1) // per_page, 1)
        shown = found[(page - 1) * per_page : page * per_page]
        headers = {
            "X-Total": str(len(found)),
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Total-Pages": str(pages),
            "X-Next-Page": str(page + 1) if page < pages else "",
        }
        return json_response(200, shown, headers)

    @route("GET", P + r"/issues/(?P<iid>\d+)")
    def get_issue(self, req: Request, pid: str, iid: str) -> Response:
        p = self._project(pid)
        issues, n = (self.issues[p["id"]] if p else []), int(iid)
        if not 0 < n <= len(issues):
            return json_response(404, {"message": "404 Not found"})
        return json_response(200, issues[n - 1])

    def _issue(self, pid: str, iid: str) -> Json | None:
        p = self._project(pid)
        issues, n = (self.issues[p["id"]] if p else []), int(iid)
        return issues[n - 1] if 0 < n <= len(issues) else None

    @route("PUT", P + r"/issues/(?P<iid>\d+)")
    def edit_issue(self, req: Request, pid: str, iid: str) -> Response:
        """Labels (``labels``, ``add_labels``, ``remove_labels``), title, description and
        ``state_event`` (close / reopen) are applied."""
        p = self._project(pid)
        issues, n = (self.issues[p["id"]] if p else []), int(iid)
        if not 0 < n <= len(issues):
            return json_response(404, {"message": "404 Not found"})
        if self._access(p) < 15:
            return json_response(403, {"message": "403 Forbidden"})
        body, issue = req.fields, issues[n - 1]
        event = body.get("state_event")
        if event not in (None, "close", "reopen"):
            return json_response(400, {"error": "state_event does not have a valid value"})
        before = list(issue["labels"])
        if "labels" in body:
            issue["labels"] = self._label_names(p["id"], self._list(body["labels"]))
        added = self._label_names(p["id"], self._list(body.get("add_labels")))
        issue["labels"] += [
            x for x in added if x.lower() not in {y.lower() for y in issue["labels"]}
        ]
        gone = {x.lower() for x in self._list(body.get("remove_labels"))}
        issue["labels"] = [x for x in issue["labels"] if x.lower() not in gone]
        for name in ("title", "description"):
            if name in body:
                issue[name] = body[name]
        if issue["labels"] != before:
            self._system_note(p["id"], n, self.username, "changed labels")
        if event == "close" and issue["state"] != "closed":
            by = {"id": 1, "username": self.username}
            issue.update(state="closed", closed_at=self._now(), closed_by=by)
            self._system_note(p["id"], n, self.username, "closed")
        elif event == "reopen" and issue["state"] == "closed":
            issue.update(state="opened", closed_at=None, closed_by=None)
            self._system_note(p["id"], n, self.username, "reopened")
        self._touch(issue)
        return json_response(200, issue)

    @route("POST", P + r"/issues/(?P<iid>\d+)/notes")
    def create_note(self, req: Request, pid: str, iid: str) -> Response:
        issue = self._issue(pid, iid)
        if issue is None:
            return json_response(404, {"message": "404 Not found"})
        body = req.fields
        if not body.get("body"):
            return json_response(400, {"error": "body is missing"})
        internal = bool(body.get("internal") or body.get("confidential"))
        note = self._note(
            issue["project_id"],
            issue["iid"],
            self.username,
            body["body"],
            system=False,
            internal=internal,
        )
        self._touch(issue)
        return json_response(201, note, created=True)

    @route("GET", P + r"/issues/(?P<iid>\d+)/notes")
    def list_notes(self, req: Request, pid: str, iid: str) -> Response:
        p = self._project(pid)
        issues, n = (self.issues[p["id"]] if p else []), int(iid)
        if not 0 < n <= len(issues):
            return json_response(404, {"message": "404 Not found"})
        notes = list(self.notes.get((p["id"], n), []))
        if req.query.get("sort", "desc") == "desc":
            notes.reverse()
        return self._paged(req, notes)
