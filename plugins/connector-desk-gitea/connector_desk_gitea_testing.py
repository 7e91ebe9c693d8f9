"""The plugin's test material: a fake Gitea (or Forgejo) REST API v1 (https://docs.gitea.com/development/api-usage),
served under ``/api/v1`` on a loopback port. Every request and answer is checked against
Gitea's own description (tests/contracts/gitea/, from its Swagger file) when it stops.

Follows the documented behaviour the plugin relies on: ``Authorization: token X`` (also
``Bearer`` and Basic with user name and password), errors as ``APIError``
``{"message": …, "url": …}``, 401 ``{"message": "user does not exist [uid: 0, name: ]"}``
for a bad token, 404 ``{"message": "The target couldn't be found.", "errors": null}``,
validation errors 422 ``{"message": "[Title]: Required"}``, repository ``permissions``
``{admin, push, pull}`` with ``has_issues``, ``archived`` and ``external_tracker``; issues
take labels *by id*, and label names are not unique (as on Gitea). Readers with ``pull``
only may open issues, whose labels and assignees are then dropped.
Simplified: ``q`` is a substring match on title and body; pagination by page and limit.

At the end, ``GITEA_MATERIAL`` and ``FORGEJO_MATERIAL``: what Connector Desk's generic tests
need for each system (registered in the ``connector_desk.testing`` entry point group, see
pyproject.toml). This module imports Connector Desk's ``tests`` package, so it loads only
inside a Connector Desk checkout, where those tests run.
"""

from __future__ import annotations

from typing import Any

from connector_desk_gitea import FORGEJO, GITEA

from tests.fakes.server import FakeServer, Request, Response, json_response, route
from tests.support.material import SystemTestMaterial
from tests.support.stage_spec import Spec
from webapp.trackers.system import System

#: The description's basePath: its operations, and so the contract's, are all under it.
API = "/api/v1"
R = API + r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
Json = dict[str, Any]
SWAGGER = "https://gitea.example/api/swagger"
NO_ISSUES = "user should have specific read permission or be a repo admin or a site admin"


class FakeGitea(FakeServer):
    contract = "gitea"
    NOT_FOUND = {"message": "The target couldn't be found.", "url": SWAGGER, "errors": None}
    BAD_JSON = {"message": "invalid character in JSON body", "url": SWAGGER}
    SERVER_HEADER = "gitea"

    def __init__(
        self,
        token: str = "gitea-token",
        *,
        login: str = "ops-bot",
        password: str = "",
        repos: dict[str, Json] | None = None,
        **kw: Any,
    ) -> None:
        """``repos``: {"owner/name": {"permissions": {...}, "has_issues": True, ...}}."""
        super().__init__(**kw)
        self.token, self.login, self.password = token, login, password
        self.repos: dict[str, Json] = {}
        self.labels: dict[str, list[Json]] = {}
        self.issues: dict[str, list[Json]] = {}
        self._ids = 100
        for full_name, options in (repos if repos is not None else {"ops/desk": {}}).items():
            owner, short_name = full_name.split("/", 1)
            repo = {
                "id": self._next_id(),
                "name": short_name,
                "full_name": full_name,
                "owner": {"id": 1, "login": owner},
                "html_url": f"https://gitea.example/{full_name}",
                "has_issues": options.get("has_issues", True),
                "archived": options.get("archived", False),
                "private": options.get("private", True),
                "permissions": options.get(
                    "permissions", {"admin": False, "push": True, "pull": True}
                ),
            }
            if options.get("external_tracker"):  # Gitea leaves it out, not null, when unset
                repo["external_tracker"] = options["external_tracker"]
            self.repos[full_name.lower()] = repo
            self.labels[full_name.lower()], self.issues[full_name.lower()] = [], []
            for name in options.get("labels", []):
                self._add_label(full_name.lower(), name, "#ededed")

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _add_label(self, key: str, name: str, color: str) -> Json:
        label = {"id": self._next_id(), "name": name, "color": color.lstrip("#"), "url": ""}
        self.labels[key].append(label)
        return label

    # ---- auth and errors --------------------------------------------------
    def authenticate(self, req: Request) -> Any:
        c = req.credentials
        if c is None:
            return None
        if c.scheme in ("token", "bearer"):
            return self.login if c.secret == self.token else None
        if c.scheme == "basic" and self.password:
            return self.login if (c.user, c.secret) == (self.login, self.password) else None
        return None

    def unauthorized(self, req: Request) -> Response:
        return json_response(
            401, {"message": "user does not exist [uid: 0, name: ]", "url": SWAGGER}
        )

    def error(self, status: int, body: Any = None) -> Response:
        return json_response(
            status, body if body is not None else {"message": self.reason(status), "url": SWAGGER}
        )

    def _repo(self, owner: str, repo: str) -> Json | None:
        found = self.repos.get(f"{owner}/{repo}".lower())
        perms = (found or {}).get("permissions") or {}
        if found and found["private"] and not any(perms.values()):
            return None  # a private repository without access is not there at all
        return found

    # ---- routes -------------------------------------------------------------
    @route("GET", API + "/version", auth=False)
    def version(self, req: Request) -> Response:
        return json_response(200, {"version": "1.22.3"})

    @route("GET", API + "/user")
    def user(self, req: Request) -> Response:
        return json_response(200, {"id": 1, "login": self.login, "full_name": "Ops Bot"})

    @route("GET", API + "/user/repos")
    def my_repositories(self, req: Request) -> Response:
        """The repositories this user may see, a page at a time."""
        seen = [repo for repo in self.repos.values() if self._repo(*repo["full_name"].split("/"))]
        return json_response(200, self._page(seen, req))

    @route("GET", R + "/assignees")
    def assignees(self, req: Request, owner: str, repo: str) -> Response:
        """Who may be assigned: everyone at once (Gitea does not page this list)."""
        if not self._repo(owner, repo):
            return self.not_found()
        return json_response(200, [{"id": 1, "login": self.login}])

    @route("GET", R)
    def repository(self, req: Request, owner: str, repo: str) -> Response:
        found = self._repo(owner, repo)
        return json_response(200, found) if found else self.not_found()

    @route("GET", R + "/labels")
    def list_labels(self, req: Request, owner: str, repo: str) -> Response:
        found = self._repo(owner, repo)
        if not found:
            return self.not_found()
        return json_response(200, self._page(self.labels[found["full_name"].lower()], req))

    @route("POST", R + "/labels")
    def create_label(self, req: Request, owner: str, repo: str) -> Response:
        found = self._repo(owner, repo)
        if not found:
            return self.not_found()
        if not (found["permissions"].get("push") or found["permissions"].get("admin")):
            return json_response(403, {"message": "Forbidden", "url": SWAGGER})
        body = req.fields
        if not body.get("name"):
            return json_response(422, {"message": "[Name]: Required", "url": SWAGGER})
        label = self._add_label(
            found["full_name"].lower(), body["name"], str(body.get("color") or "")
        )
        return json_response(201, label, created=True)

    @route("GET", R + "/issues")
    def list_issues(self, req: Request, owner: str, repo: str) -> Response:
        found = self._repo(owner, repo)
        if not found:
            return self.not_found()
        issues = list(reversed(self.issues[found["full_name"].lower()]))  # newest first
        q = req.query.get("q", "").lower()
        if q:
            issues = [i for i in issues if q in (i["title"] + " " + i["body"]).lower()]
        return json_response(200, self._page(issues, req))

    @route("POST", R + "/issues")
    def create_issue(self, req: Request, owner: str, repo: str) -> Response:
        found = self._repo(owner, repo)
        if not found:
            return self.not_found()
        # Gitea's order: an archived repository is locked, then the body is validated,
        # then the issues unit must be readable.
        if found["archived"]:
            message = f"{found['full_name']} is archived"
            return json_response(423, {"message": message, "url": SWAGGER})
        body = req.fields
        if not str(body.get("title") or "").strip():
            return json_response(422, {"message": "[Title]: Required", "url": SWAGGER})
        if not found["has_issues"]:
            return json_response(403, {"message": NO_ISSUES, "url": SWAGGER})
        key = found["full_name"].lower()
        may_write = found["permissions"].get("push") or found["permissions"].get("admin")
        by_id = {label["id"]: label for label in self.labels[key]}
        label_ids = (body.get("labels") or []) if may_write else []
        if any(not isinstance(i, int) or i not in by_id for i in label_ids):
            return json_response(422, {"message": "[Labels]: label does not exist", "url": SWAGGER})
        number = len(self.issues[key]) + 1
        issue = {
            "id": self._next_id(),
            "number": number,
            "title": body["title"],
            "body": str(body.get("body") or ""),
            "state": "open",
            "html_url": f"{found['html_url']}/issues/{number}",
            "labels": [by_id[i] for i in label_ids],
            "assignees": [{"login": a} for a in (body.get("assignees") or [])] if may_write else [],
        }
        self.issues[key].append(issue)
        return json_response(201, issue, created=True)

    def _issue(self, owner: str, repo: str, number: str) -> tuple[str, Json] | None:
        found = self._repo(owner, repo)
        issues = self.issues[found["full_name"].lower()] if found else []
        n = int(number)
        return (found["full_name"].lower(), issues[n - 1]) if 0 < n <= len(issues) else None

    def close_issue(self, full_name: str, number: int) -> None:
        """Someone closes the issue on Gitea."""
        with self.lock:
            self.issues[full_name.lower()][number - 1]["state"] = "closed"

    def add_comment(self, full_name: str, number: int, body: str, login: str = "alice") -> Json:
        """Someone comments on Gitea."""
        with self.lock:
            comment = {
                "id": self._next_id(),
                "body": body,
                "user": {"login": login},
                "created_at": "2026-11-02T09:00:00Z",
            }
            self.issues[full_name.lower()][number - 1].setdefault("_comments", []).append(comment)
            return comment

    @route("GET", R + r"/issues/(?P<number>\d+)")
    def get_issue(self, req: Request, owner: str, repo: str, number: str) -> Response:
        found = self._issue(owner, repo, number)
        if found is None:
            return self.not_found()
        return json_response(200, {k: v for k, v in found[1].items() if not k.startswith("_")})

    @route("GET", R + r"/issues/(?P<number>\d+)/comments")
    def list_comments(self, req: Request, owner: str, repo: str, number: str) -> Response:
        found = self._issue(owner, repo, number)
        if found is None:
            return self.not_found()
        return json_response(200, list(found[1].get("_comments", [])))

    @route("POST", R + r"/issues/(?P<number>\d+)/labels")
    def add_labels(self, req: Request, owner: str, repo: str, number: str) -> Response:
        """Gitea takes label ids here too."""
        found = self._issue(owner, repo, number)
        if found is None:
            return self.not_found()
        key, issue = found
        by_id = {label["id"]: label for label in self.labels[key]}
        ids = req.fields.get("labels") or []
        if any(not isinstance(i, int) or i not in by_id for i in ids):
            return json_response(422, {"message": "[Labels]: label does not exist", "url": SWAGGER})
        have = {label["id"] for label in issue["labels"]}
        issue["labels"] += [by_id[i] for i in ids if i not in have]
        return json_response(200, issue["labels"])

    @route("PATCH", R + r"/issues/(?P<number>\d+)")
    def edit_issue(self, req: Request, owner: str, repo: str, number: str) -> Response:
        """Only ``state`` (open / closed) is applied."""
        found = self._issue(owner, repo, number)
        if found is None:
            return self.not_found()
        issue = found[1]
        state = req.fields.get("state")
        if state not in (None, "open", "closed"):
            return json_response(422, {"message": "[State]: invalid", "url": SWAGGER})
        issue["state"] = state or issue["state"]
        return json_response(201, {k: v for k, v in issue.items() if not k.startswith("_")})

    @route("POST", R + r"/issues/(?P<number>\d+)/comments")
    def create_comment(self, req: Request, owner: str, repo: str, number: str) -> Response:
        found = self._issue(owner, repo, number)
        if found is None:
            return self.not_found()
        issue = found[1]
        body = str(req.fields.get("body") or "")
        if not body.strip():
            return json_response(422, {"message": "[Body]: Required", "url": SWAGGER})
        comment_id = self._next_id()
        comment = {
            "id": comment_id,
            "body": body,
            "user": {"id": 1, "login": self.login},
            "html_url": f"{issue['html_url']}#issuecomment-{comment_id}",
            "created_at": "2026-01-02T03:04:05Z",
        }
        issue.setdefault("_comments", []).append(comment)
        return json_response(201, comment, created=True)

    @staticmethod
    def _page(rows: list[Json], req: Request) -> list[Json]:
        try:
            page = max(int(req.query.get("page", 1)), 1)
            limit = min(max(int(req.query.get("limit", 30)), 1), 50)
        except ValueError:
            page, limit = 1, 30
        return rows[(page - 1) * limit : page * limit]


# ---- test material ---------------------------------------------------------
FORM_TOKEN = "gitea-SECRET-form-token-3c4d5e"
SPEC_TOKEN = "gitea_SECRET+gt/0123=z"
HEALTHY_REPO: Json = {
    "id": 7,
    "full_name": "ops/desk",
    "private": True,
    "has_issues": True,
    "archived": False,
    "permissions": {"admin": False, "push": True, "pull": True},
}


def material(system: System) -> SystemTestMaterial:
    """The test material of ``system`` (Gitea or Forgejo: they share client and fake)."""
    host = f"{system.id}.example.com"
    form_params = {
        "issue_tracker_server": host,
        "issue_tracker_method": "https",
        "issue_tracker_validate_cert": "y",
        "issue_tracker_auth_mode": "api_token",
        "issue_tracker_api_token": FORM_TOKEN,
        "gitea_repo_owner": "ops",
        "gitea_repo_name": "desk",
        "title_format": "$title",
    }
    spec = Spec(
        system=system,
        host=host,
        params={"issue_tracker_server": host, "gitea_repo_owner": "ops", "gitea_repo_name": "desk"},
        secrets={"issue_tracker_api_token": SPEC_TOKEN},
        base=f"https://{host}/api/v1",
        credentials={"Authorization": f"token {SPEC_TOKEN}"},
        auth_path="/user",
        user_body={"id": 1, "login": "ops-bot"},
        target_path="/repos/ops/desk",
        target_body=HEALTHY_REPO,
        error_body=lambda message: {"message": message, "url": SWAGGER},
        tracker_401="user does not exist [uid: 0, name: ]",
        target_noun="repository",
        create_path="/repos/ops/desk/issues",
        create_reads={"/repos/ops/desk/labels": [{"id": 5, "name": "bug", "color": "ededed"}]},
        no_permission={"/repos/ops/desk": {**HEALTHY_REPO, "has_issues": False}},
    )
    return SystemTestMaterial(
        system=system,
        form_params=form_params,
        secret=("issue_tracker_api_token", FORM_TOKEN),
        api_params={**form_params, "issue_tracker_validate_cert": True},
        spec=spec,
        fake_server=lambda **kw: FakeGitea(token=FORM_TOKEN, repos={"ops/desk": {}}, **kw),
    )


GITEA_MATERIAL = material(GITEA)
FORGEJO_MATERIAL = material(FORGEJO)
