"""Fake GitHub REST API v3 (https://docs.github.com/rest), github.com or Enterprise layout.

Follows the documented paths, ``Authorization: token X`` / ``Bearer X`` (and
Basic with the token as password), error bodies ``{"message", "documentation_url",
"status"}``, 422 "Validation Failed" shapes, and headers ``X-GitHub-Media-Type``,
``X-RateLimit-*``, ``X-OAuth-Scopes``.  Realistic quirks kept on purpose:
invisible repos are 404 (not 403); issue ``labels`` are silently dropped when
the user lacks push access; unknown labels are auto-created on issue creation;
search may lag behind creation (``search_delay``); issues disabled -> 410;
``rate_limit`` exhausted -> 403 "API rate limit exceeded".
Issues carry a weak ``ETag``; ``If-None-Match`` with it answers 304 (and, as on GitHub,
costs no rate limit). Comments (``GET …/issues/{n}/comments``) and ``POST
…/issues/{n}/labels`` are served; ``open_issue``, ``open_pull_request``, ``close_issue``
and ``add_comment`` act as people on GitHub would. Lists are paged (``per_page``,
``page``, ``Link: rel="next"``).
The user's repositories (``/user/repos``) and assignees are served too.
Simplified: single token, search matches case-insensitive substrings instead of
GitHub's tokenizer.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from . import github_objects as gh
from .server import FakeServer, Request, Response, json_response, route

DOCS = "https://docs.github.com/rest"
REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
SEARCH_DENIED = (
    "The listed users and repositories cannot be searched either because the "
    "resources do not exist or you do not have permission to view them."
)
Json = dict[str, Any]


def _body(message: str, status: int, **extra: Any) -> Json:
    return {"message": message, "documentation_url": DOCS, "status": str(status), **extra}


class FakeGitHub(FakeServer):
    contract = "github"
    NOT_FOUND = _body("Not Found", 404)
    BAD_JSON = _body("Problems parsing JSON", 400)
    SERVER_HEADER = "github.com"

    def __init__(
        self,
        token: str = "ghp_testtoken",
        *,
        login: str = "octocat",  # noqa: S107
        repos: dict[str, Json] | None = None,
        users: list[str] | None = None,
        orgs: list[str] | None = None,
        labels: dict[str, list[str]] | None = None,
        scopes: str | None = "repo",
        rate_limit: int = 5000,
        search_delay: float = 0.0,
        **kw: Any,
    ) -> None:
        """``repos``: {"owner/name": {"permissions": {...}, "has_issues": bool, "private": bool}};
        ``labels``: {"owner/name": ["bug"]}; ``scopes=None`` mimics a fine-grained token."""
        super().__init__(**kw)
        self.token, self.login, self.scopes = token, login, scopes
        self.repos: dict[str, Json] = {}
        for full, cfg in (repos if repos is not None else {"octocat/hello": {}}).items():
            perms = {"admin": False, "push": True, "pull": True, **cfg.get("permissions", {})}
            self.repos[full.lower()] = {
                "full_name": full,
                "permissions": perms,
                "has_issues": cfg.get("has_issues", True),
                "private": cfg.get("private", True),
            }
        self.orgs = {o.lower(): o for o in (orgs or [])}
        names = [login, *(users or []), *(r.split("/")[0] for r in self.repos)]
        self.users = {u.lower(): u for u in names if u.lower() not in self.orgs}
        self.labels: dict[str, list[Json]] = {r: [] for r in self.repos}
        self.issues: dict[str, list[Json]] = {r: [] for r in self.repos}
        self.comments: dict[tuple[str, int], list[Json]] = {}
        self.rate_limit = self.rate_remaining = rate_limit
        self.search_delay = search_delay
        self._ids = 1000
        for full, label_names in (labels or {}).items():
            for name in label_names:
                self._add_label(full.lower(), name)

    # ---- plumbing --------------------------------------------------------
    def authenticate(self, req: Request) -> Any:
        creds = req.credentials
        if creds is None or creds.secret != self.token or creds.scheme == "private-token":
            return None
        if req.headers.get("if-none-match"):
            return self.login  # a conditional request is not counted until it costs
        if self.rate_remaining <= 0:
            return self.error(403, _body("API rate limit exceeded for user ID 1.", 403))
        self.rate_remaining -= 1
        return self.login

    def unauthorized(self, req: Request) -> Response:
        return json_response(401, _body("Bad credentials", 401))

    def error(self, status: int, body: Any = None) -> Response:
        return json_response(status, _body(self.reason(status), status) if body is None else body)

    def _invalid(self, **error: Any) -> Response:
        return self.error(422, _body("Validation Failed", 422, errors=[error]))

    def extra_headers(self, req: Request, resp: Response) -> dict[str, str]:
        h = {
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Request-Id": f"FAKE:{len(self.requests)}",
        }
        if req.identity:
            used = self.rate_limit - self.rate_remaining
            h.update(
                {
                    "X-RateLimit-Limit": str(self.rate_limit),
                    "X-RateLimit-Used": str(used),
                    "X-RateLimit-Remaining": str(self.rate_remaining),
                    "X-RateLimit-Reset": str(int(time.time()) + 3600),
                    "X-RateLimit-Resource": "core",
                }
            )
        return h

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _repo(self, owner: str, repo: str) -> Json | None:
        r = self.repos.get(f"{owner}/{repo}".lower())
        return r if r and r["permissions"]["pull"] else None

    def _add_label(self, key: str, name: str, color: str = "ededed", desc: Any = None) -> Json:
        full = self.repos[key]["full_name"]
        label = gh.label(self.base_url, full, self._next_id(), name, color, desc)
        self.labels[key].append(label)
        return label

    def _label(self, key: str, name: str) -> Json | None:
        return next((lb for lb in self.labels[key] if lb["name"].lower() == name.lower()), None)

    def _account(self, name: str, kind: str = "", detailed: bool = False) -> Json:
        kind = kind or ("Organization" if name.lower() in self.orgs else "User")
        return gh.account(self.base_url, self.url, name, kind, detailed)

    @staticmethod
    def _public(issue: Json) -> Json:
        return {k: v for k, v in issue.items() if not k.startswith("_")}

    @staticmethod
    def _now() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @staticmethod
    def etag(body: Any) -> str:
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        return f'W/"{digest[:32]}"'

    def _new_issue(self, key: str, title: str, body: Any, labels: list[Json], user: Json) -> Json:
        full, number = self.repos[key]["full_name"], len(self.issues[key]) + 1
        issue = gh.issue(
            self.base_url,
            self.url,
            full,
            (self._next_id(), number),
            user,
            {"title": title, "body": body, "labels": labels},
            self._now(),
        )
        issue["_created"] = time.monotonic()
        self.issues[key].append(issue)
        return issue

    def _paged(self, req: Request, items: list[Json]) -> Response:
        """A page of ``items`` (``per_page``, 30 by default, at most 100; ``page``), with
        GitHub's ``Link: <absolute URL>; rel="next"`` when more follow."""
        per_page = min(max(int(req.query.get("per_page") or 30), 1), 100)
        page = max(int(req.query.get("page") or 1), 1)
        shown = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if len(items) > page * per_page:
            query = urlencode({**req.query, "per_page": per_page, "page": page + 1})
            nxt = f"{self.base_url}{req.path}?{query}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return json_response(200, shown, headers)

    # ---- what people do on GitHub (not through the API under test) -------
    def open_issue(self, full: str, title: str, login: str = "mona", labels: tuple = ()) -> Json:
        key = full.lower()
        with self.lock:
            found = [self._label(key, n) or self._add_label(key, n) for n in labels]
            return self._new_issue(key, title, None, found, self._account(login, "User"))

    def open_pull_request(self, full: str, title: str, login: str = "mona") -> Json:
        """GitHub lists pull requests among issues, with a ``pull_request`` object."""
        issue = self.open_issue(full, title, login)
        with self.lock:
            url = f"{self.base_url}/repos/{issue['repository_url'].rsplit('/repos/', 1)[1]}"
            issue["pull_request"] = {
                "url": f"{url}/pulls/{issue['number']}",
                "html_url": f"{self.url}/{full}/pull/{issue['number']}",
                "diff_url": f"{self.url}/{full}/pull/{issue['number']}.diff",
                "patch_url": f"{self.url}/{full}/pull/{issue['number']}.patch",
            }
        return issue

    def close_issue(self, full: str, number: int, by: str = "hubot") -> None:
        with self.lock:
            issue = self.issues[full.lower()][number - 1]
            issue.update(state="closed", state_reason="completed", closed_at=self._now())
            issue["closed_by"] = self._account(by, "User")
            issue["updated_at"] = self._now()

    def add_comment(self, full: str, number: int, body: str, login: str = "hubot") -> Json:
        with self.lock:
            issue = self.issues[full.lower()][number - 1]
            cid, now = self._next_id(), self._now()
            comment = {
                "id": cid,
                "node_id": gh.node_id("IssueComment", cid),
                "url": f"{issue['url'].rsplit('/issues/', 1)[0]}/issues/comments/{cid}",
                "html_url": f"{issue['html_url']}#issuecomment-{cid}",
                "issue_url": issue["url"],
                "body": body,
                "user": self._account(login, "User"),
                "created_at": now,
                "updated_at": now,
                "author_association": "MEMBER",
            }
            self.comments.setdefault((full.lower(), number), []).append(comment)
            issue["comments"] += 1
            issue["updated_at"] = now
            return comment

    # ---- routes ----------------------------------------------------------
    @route("GET", r"/user")
    def get_user(self, req: Request) -> Response:
        scopes = {"X-OAuth-Scopes": self.scopes or "", "X-Accepted-OAuth-Scopes": ""}
        me = self._account(self.login, "User", detailed=True)
        return json_response(200, me, scopes if self.scopes else {})

    @route("GET", r"/user/repos")
    def list_my_repos(self, req: Request) -> Response:
        visible = [r for r in sorted(self.repos) if self.repos[r]["permissions"]["pull"]]
        return self._paged(req, [self._repository(self.repos[key]) for key in visible])

    @route("GET", REPO + r"/assignees")
    def list_assignees(self, req: Request, owner: str, repo: str) -> Response:
        r = self._repo(owner, repo)
        if r is None:
            return self.not_found()
        names = dict.fromkeys([r["full_name"].split("/")[0], self.login])
        accounts = [self._account(n) for n in names if n.lower() not in self.orgs]
        return self._paged(req, accounts)

    @route("GET", r"/users/(?P<name>[^/]+)")
    def get_account(self, req: Request, name: str) -> Response:
        found = self.orgs.get(name.lower()) or self.users.get(name.lower())
        return (
            json_response(200, self._account(found, detailed=True)) if found else self.not_found()
        )

    @route("GET", r"/orgs/(?P<org>[^/]+)")
    def get_org(self, req: Request, org: str) -> Response:
        found = self.orgs.get(org.lower())
        if not found:
            return self.not_found()
        return json_response(200, gh.organization(self.base_url, self.url, found))

    @route("GET", REPO)
    def get_repo(self, req: Request, owner: str, repo: str) -> Response:
        r = self._repo(owner, repo)
        if r is None:
            return self.not_found()
        return json_response(200, self._repository(r))

    def _repository(self, r: Json) -> Json:
        """The repository as GitHub describes it (``repos/get`` and the ``/user/repos`` list)."""
        full = r["full_name"]
        owner = self._account(full.split("/")[0])
        open_issues = sum(i["state"] == "open" for i in self.issues[full.lower()])
        return gh.repository(self.base_url, self.url, owner, full, r, open_issues)

    @route("GET", REPO + r"/labels")
    def list_labels(self, req: Request, owner: str, repo: str) -> Response:
        r = self._repo(owner, repo)
        if r is None:
            return self.not_found()
        return self._paged(req, self.labels[r["full_name"].lower()])

    @route("POST", REPO + r"/labels")
    def create_label(self, req: Request, owner: str, repo: str) -> Response:
        r = self._repo(owner, repo)
        if r is None:
            return self.not_found()
        if not r["permissions"]["push"]:
            msg = "Resource not accessible by personal access token"
            return self.error(403, _body(msg, 403))
        body, key = req.fields, r["full_name"].lower()
        name = str(body.get("name") or "")
        code = "missing_field" if not name else "already_exists" if self._label(key, name) else ""
        if code:
            return self._invalid(resource="Label", code=code, field="name")
        label = self._add_label(key, name, body.get("color", "ededed"), body.get("description"))
        return json_response(201, label, created=True)

    @route("POST", REPO + r"/issues")
    def create_issue(self, req: Request, owner: str, repo: str) -> Response:
        r = self._repo(owner, repo)
        if r is None:
            return self.not_found()
        if not r["has_issues"]:
            return self.error(410, _body("Issues are disabled for this repo", 410))
        body = req.fields
        full = r["full_name"]
        key = full.lower()
        if not body.get("title"):
            return self._invalid(resource="Issue", code="missing_field", field="title")
        wanted = (body.get("labels") or []) if r["permissions"]["push"] else []  # dropped silently
        labels = [self._label(key, n) or self._add_label(key, n) for n in wanted]
        me = self._account(self.login, "User")
        issue = self._new_issue(key, body["title"], body.get("body"), labels, me)
        return json_response(201, self._public(issue), {"Location": issue["url"]}, created=True)

    @route("GET", REPO + r"/issues")
    def list_issues(self, req: Request, owner: str, repo: str) -> Response:
        r = self._repo(owner, repo)
        if r is None:
            return self.not_found()
        state = req.query.get("state", "open")
        wanted = {x.strip().lower() for x in req.query.get("labels", "").split(",") if x.strip()}
        found = [
            self._public(i)
            for i in sorted(self.issues[r["full_name"].lower()], key=lambda i: -i["number"])
            if state in ("all", i["state"]) and wanted <= {lb["name"].lower() for lb in i["labels"]}
        ]
        return self._paged(req, found)

    def _issue(self, owner: str, repo: str, number: str) -> tuple[str, Json] | None:
        r = self._repo(owner, repo)
        issues, n = (self.issues[r["full_name"].lower()] if r else []), int(number)
        return (r["full_name"].lower(), issues[n - 1]) if 0 < n <= len(issues) else None

    @route("GET", REPO + r"/issues/(?P<number>\d+)")
    def get_issue(self, req: Request, owner: str, repo: str, number: str) -> Response:
        found = self._issue(owner, repo, number)
        if found is None:
            return self.not_found()
        public = self._public(found[1])
        etag = self.etag(public)
        if req.headers.get("if-none-match") == etag:
            return Response(304, None, {"ETag": etag})
        if req.headers.get("if-none-match"):
            self.rate_remaining -= 1  # it costs after all
        return json_response(200, public, {"ETag": etag})

    @route("GET", REPO + r"/issues/(?P<number>\d+)/comments")
    def list_comments(self, req: Request, owner: str, repo: str, number: str) -> Response:
        found = self._issue(owner, repo, number)
        if found is None:
            return self.not_found()
        return self._paged(req, self.comments.get((found[0], found[1]["number"]), []))

    @route("POST", REPO + r"/issues/(?P<number>\d+)/labels")
    def add_labels(self, req: Request, owner: str, repo: str, number: str) -> Response:
        found = self._issue(owner, repo, number)
        if found is None:
            return self.not_found()
        key, issue = found
        if not self.repos[key]["permissions"]["push"]:
            return self.error(403, _body("Resource not accessible by personal access token", 403))
        body = req.fields
        names = [n if isinstance(n, str) else n.get("name") for n in body.get("labels") or []]
        if not names:
            return self._invalid(resource="Label", code="missing_field", field="labels")
        have = {lb["name"].lower() for lb in issue["labels"]}
        for name in names:
            if name.lower() not in have:
                issue["labels"].append(self._label(key, name) or self._add_label(key, name))
                have.add(name.lower())
        issue["updated_at"] = self._now()
        return json_response(200, issue["labels"])

    @route("GET", r"/search/issues")
    def search_issues(self, req: Request) -> Response:
        """Supports ``repo:``, ``in:title|body``, ``is:``/``type:``/``state:``/``label:``, text."""
        q = req.query.get("q", "")
        if not q.strip():
            return self._invalid(resource="Search", field="q", code="missing")
        try:
            tokens = shlex.split(q)
        except ValueError:  # unbalanced quote: GitHub is lenient too
            tokens = q.split()
        repos: list[str] = []
        terms: list[str] = []
        labels: list[str] = []
        fields, state = {"title", "body"}, None
        for tok in tokens:
            qual, sep, val = tok.partition(":")
            if not sep or qual not in ("repo", "in", "is", "type", "state", "label"):
                terms.append(tok.lower())
            elif qual == "repo":
                repos.append(val.lower())
            elif qual == "in":
                fields = set(val.split(","))
            elif qual == "label":
                labels.append(val.lower())
            elif val in ("open", "closed"):
                state = val
        if any(self._repo(*rp.split("/", 1)) is None for rp in repos if "/" in rp):
            return self._invalid(
                message=SEARCH_DENIED, resource="Search", field="q", code="invalid"
            )
        cutoff = time.monotonic() - self.search_delay
        items = []
        for i in (i for key in (repos or self.issues) for i in self.issues.get(key, [])):
            text = " ".join(str(i[f] or "") for f in fields if f in i).lower()
            if (
                i["_created"] <= cutoff
                and state in (None, i["state"])
                and all(t in text for t in terms)
                and set(labels) <= {lb["name"].lower() for lb in i["labels"]}
            ):
                items.append(self._public(i) | {"score": 1.0})
        return json_response(
            200,
            {
                "total_count": len(items),
                "incomplete_results": False,
                "items": items,
                "search_type": "lexical",  # what a quoted phrase gets; required since 2026
            },
        )

    # ---- conversations: comments and state ------------------------------------
    def _issue_of(self, owner: str, repo: str, number: str) -> Json | None:
        found = self._issue(owner, repo, number)
        return found[1] if found else None

    @route("PATCH", REPO + r"/issues/(?P<number>\d+)")
    def update_issue(self, req: Request, owner: str, repo: str, number: str) -> Response:
        """Only ``state`` (open / closed) is applied."""
        issue = self._issue_of(owner, repo, number)
        if issue is None:
            return self.not_found()
        body = req.fields
        state = body.get("state")
        if state not in (None, "open", "closed"):
            return self._invalid(resource="Issue", code="invalid", field="state")
        if state and state != issue["state"]:
            issue["state"] = state
            issue["closed_at"] = self._now() if state == "closed" else None
            issue["closed_by"] = self._account(self.login, "User") if state == "closed" else None
            issue["updated_at"] = self._now()
        return json_response(200, self._public(issue))

    @route("POST", REPO + r"/issues/(?P<number>\d+)/comments")
    def create_comment(self, req: Request, owner: str, repo: str, number: str) -> Response:
        issue = self._issue_of(owner, repo, number)
        if issue is None:
            return self.not_found()
        body = req.fields
        if not body.get("body"):
            return self._invalid(resource="IssueComment", code="missing_field", field="body")
        comment_id = self._next_id()
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        comment = {
            "id": comment_id,
            "node_id": f"IC_{comment_id}",
            "url": f"{issue['url'].rsplit('/', 1)[0]}/comments/{comment_id}",
            "html_url": f"{issue['html_url']}#issuecomment-{comment_id}",
            "issue_url": issue["url"],
            "body": body["body"],
            "user": self._account(self.login, "User"),
            "created_at": now,
            "updated_at": now,
            "author_association": "OWNER",
        }
        key = (self._repo(owner, repo)["full_name"].lower(), issue["number"])
        self.comments.setdefault(key, []).append(comment)
        return json_response(201, comment, {"Location": comment["url"]}, created=True)
