"""Trackers whose issues live in ``owner/repo`` repositories: GitHub, and forges like it
(the Gitea/Forgejo plugin)."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from webapp.trackers.base import Reply, TrackerClient
from webapp.trackers.choices import (
    PAGE_SIZE,
    ChoicePage,
    choices_from,
    has_next_page,
    items,
    matching,
)
from webapp.trackers.issues import COMMENT_PAGES, json_objects, split_list
from webapp.trackers.tickets import (
    CLOSED,
    OPEN,
    CreatedIssue,
    DeliveryFailed,
    IssueDraft,
    IssuePage,
    IssueSnapshot,
    NotModified,
    RemoteComment,
    tracker_time,
)

#: Comments scanned for a marker: the newest page (a retry follows its attempt closely).
RECENT_COMMENTS = 100


class RepositoryClient(TrackerClient):
    """A client whose target is ``owner/repo``, from two of the connector's parameters.

    A ticket may name its repository with or without the owner; without one, the
    connector's owner is used.
    """

    markdown_comments = True

    #: The parameters naming the owner (user or organisation) and the repository.
    owner_param: ClassVar[str]
    repo_param: ClassVar[str]
    target_noun = "repository"
    pickers = ("repositories", "assignees", "labels")
    #: The query parameter that sets a page's size (GitHub: per_page, Gitea: limit).
    page_size_param: ClassVar[str] = "per_page"
    #: Repositories read per page of the picker (the list has no search: it is filtered).
    repositories_per_page: ClassVar[int] = 100
    #: Lists the tracker answers whole, documenting no paging for them (Gitea: "comments",
    #: "assignees"): asked for once, without page or size (a page 2 would repeat page 1).
    unpaged_lists: ClassVar[frozenset[str]] = frozenset()

    @property
    def owner(self) -> str:
        return self.config.text(self.owner_param)

    def target_name(self) -> str | None:
        repo = self.config.text(self.repo_param)
        return f"{self.owner}/{repo}" if self.owner and repo else None

    def target_path(self, name: str) -> str:
        owner, repo = name.split("/", 1)
        return f"/repos/{quote(owner, safe='')}/{quote(repo, safe='')}"

    def issue_target(self, target: str | None) -> str:
        """``owner/repo``: the ticket's repository (with or without owner), else the
        connector's."""
        repo = (target or "").strip()
        if repo and "/" not in repo:
            if not self.owner:
                message = "No repository owner is set: enter it in the connector's form."
                raise DeliveryFailed(message, retryable=False)
            return f"{self.owner}/{repo}"
        return super().issue_target(repo)

    # ---- pickers ---------------------------------------------------------
    def choices_repositories(self, search: str, page: int, context: dict[str, Any]) -> ChoicePage:
        """``GET /user/repos``: the repositories the token can see, of the connector's owner.

        The list has no search parameter: each page read is filtered by owner and
        ``search`` (a page may then hold fewer choices; the next one may hold more).
        """
        reply = self.fetch(
            "/user/repos",
            {self.page_size_param: self.repositories_per_page, "page": page},
            "repositories",
        )
        owner = self.owner.lower()
        repos = [
            repo
            for repo in items(reply.body)
            if not owner or str((repo.get("owner") or {}).get("login") or "").lower() == owner
        ]
        found = choices_from(repos, "name", lambda repo: repo.get("full_name"))
        return ChoicePage(tuple(matching(found, search)), page, has_next_page(reply.headers))

    def choices_assignees(self, search: str, page: int, context: dict[str, Any]) -> ChoicePage:
        """``GET /repos/{owner}/{repo}/assignees``: who issues there can be assigned to."""
        return self._repository_list("/assignees", "login", "assignees", search, page, context)

    def choices_labels(self, search: str, page: int, context: dict[str, Any]) -> ChoicePage:
        """``GET /repos/{owner}/{repo}/labels``."""
        return self._repository_list("/labels", "name", "labels", search, page, context)

    def _repository_list(
        self, path: str, value: str, what: str, search: str, page: int, context: dict[str, Any]
    ) -> ChoicePage:
        repo = self.issue_target(context.get("target"))
        unpaged = what in self.unpaged_lists
        if unpaged and page > 1:
            return ChoicePage((), page, False)  # the first page held them all
        params = {} if unpaged else {self.page_size_param: PAGE_SIZE, "page": page}
        reply = self.fetch(self.target_path(repo) + path, params, what)
        found = choices_from(items(reply.body), value, lambda item: item.get(value))
        return ChoicePage(tuple(matching(found, search)), page, has_next_page(reply.headers))

    # ---- tickets ---------------------------------------------------------
    def create_issue(self, draft: IssueDraft) -> CreatedIssue:
        """``POST /repos/{owner}/{repo}/issues`` with title, body, labels and assignees."""
        repo = self.issue_target(draft.target)
        payload: dict[str, Any] = {"title": draft.title, "body": draft.body}
        if draft.labels:
            payload["labels"] = self.label_values(repo, draft.labels)
        assignees = [login.lstrip("@") for login in split_list(draft.fields.get("assignees"))]
        if assignees:
            payload["assignees"] = assignees
        issue = self.call(
            "POST",
            self.target_path(repo) + "/issues",
            json=payload,
            action="create the issue",
            creates=True,
            not_found=self.no_target(repo),
        )
        return self.created(issue)

    def label_values(self, repo: str, labels: tuple[str, ...]) -> list[Any]:
        """How the issue names its labels: by name here (GitHub creates unknown ones)."""
        return list(labels)

    def created(self, issue: Any) -> CreatedIssue:
        """The issue's ``#number`` and ``html_url``, from the tracker's answer."""
        try:
            number = int(issue["number"])
            return CreatedIssue(f"#{number}", str(issue["html_url"]), str(number))
        except (TypeError, KeyError, ValueError):
            raise self.failed(
                f"{self.name} accepted the issue but its answer has no number or link.",
                ambiguous=True,
            ) from None

    # ---- conversations -----------------------------------------------------

    def add_comment(
        self, issue_key: str, target: str | None, body: str, *, internal: bool = False
    ) -> RemoteComment:
        """``POST /repos/{owner}/{repo}/issues/{number}/comments`` (all comments are public)."""
        comment = self.call(
            "POST",
            self.issue_path(issue_key, target) + "/comments",
            json={"body": body},
            action="add the comment",
            creates=True,
            made="the comment",
            not_found=f"{self.name} has no issue {issue_key}, or this token cannot see it.",
        )
        return self.remote_comment(comment, ambiguous=True)

    def find_comment(self, issue_key: str, target: str | None, marker: str) -> RemoteComment | None:
        """The issue's comments searched for ``marker``: the last page holds the newest."""
        path = self.issue_path(issue_key, target) + "/comments"
        comments = self.issue_comments(path, action="list the issue's comments", max_pages=10)
        for comment in reversed(comments):
            if marker in str(comment.get("body") or ""):
                return self.remote_comment(comment)
        return None

    def issue_comments(
        self, path: str, *, action: str, max_pages: int = COMMENT_PAGES
    ) -> list[dict[str, Any]]:
        """The comments at ``path`` (an issue's ``…/comments``), oldest first: page after
        page of ``RECENT_COMMENTS``, or in one answer where the list is unpaged."""
        if "comments" in self.unpaged_lists:
            return json_objects(self.call("GET", path, action=action))
        return self.call_pages(
            path, {}, action=action, per_page=RECENT_COMMENTS, max_pages=max_pages
        )

    def set_state(self, issue_key: str, target: str | None, state: str) -> None:
        """``PATCH /repos/{owner}/{repo}/issues/{number}`` with ``state`` closed or open."""
        self.call(
            "PATCH",
            self.issue_path(issue_key, target),
            json={"state": "closed" if state == CLOSED else "open"},
            action=("close" if state == CLOSED else "reopen") + " the issue",
            not_found=f"{self.name} has no issue {issue_key}, or this token cannot see it.",
        )

    def remote_comment(self, comment: Any, ambiguous: bool = False) -> RemoteComment:
        if not isinstance(comment, dict) or comment.get("id") is None:
            raise self.failed(
                f"{self.name} accepted the comment but its answer has no id.",
                ambiguous=ambiguous,
            )
        user = comment.get("user") if isinstance(comment.get("user"), dict) else {}
        return RemoteComment(
            external_id=str(comment["id"]),
            author=str(user.get("login") or ""),
            body=str(comment.get("body") or ""),
            created_at=tracker_time(comment.get("created_at")),
        )

    # ---- following issues (sync, triage) -----------------------------------
    def fetch_issue(
        self, key: str, target: str | None, etag: str | None = None
    ) -> IssueSnapshot | NotModified:
        """``GET /repos/{o}/{r}/issues/{n}`` with ``If-None-Match`` (304: unchanged, and
        free of GitHub's rate limit), then ``…/comments``."""
        repo = self.issue_target(target)
        path = self.issue_path(key, target)
        reply = self.call_unless_modified(
            path,
            etag,
            action="read the issue",
            not_found=f"{self.name} has no issue {key} in {repo}, or this token cannot see it.",
        )
        if reply is None:
            return NotModified(key, etag)
        found = self.issue_comments(path + "/comments", action="read the issue's comments")
        comments = tuple(
            RemoteComment(
                str(comment["id"]),
                _login(comment.get("user")),
                str(comment.get("body") or ""),
                tracker_time(comment.get("created_at")),
            )
            for comment in found
            if comment.get("id") is not None
        )
        return self.snapshot(reply.body, key, comments, reply.headers.get("ETag"))

    def list_open_issues(self, target: str | None, page: int, per_page: int) -> IssuePage:
        """``GET /repos/{o}/{r}/issues?state=open``; pull requests (which GitHub lists as
        issues) are left out; a ``Link`` with ``rel="next"`` says more follow."""
        repo = self.issue_target(target)
        reply: Reply = self.call_reply(
            "GET",
            self.target_path(repo) + "/issues",
            params={"state": "open", self.page_size_param: per_page, "page": page},
            action="list open issues",
            not_found=self.no_target(repo),
        )
        listed = json_objects(reply.body)
        issues = [i for i in listed if i.get("pull_request") is None]
        return IssuePage(
            tuple(self.snapshot(issue, f"#{issue.get('number')}") for issue in issues),
            self.next_page(reply, len(listed), per_page),
        )

    def next_page(self, reply: Reply, count: int, per_page: int) -> bool:
        """A ``Link`` header with ``rel="next"`` says another page follows."""
        link = reply.headers.get("Link")
        if link is None:
            return super().next_page(reply, count, per_page)
        return 'rel="next"' in link

    def add_labels(self, key: str, labels: tuple[str, ...], target: str | None) -> None:
        """``POST /repos/{o}/{r}/issues/{n}/labels``: adds, keeping the issue's others."""
        repo = self.issue_target(target)
        self.call(
            "POST",
            self.issue_path(key, target) + "/labels",
            json={"labels": self.label_values(repo, labels)},
            action="label the issue",
            not_found=f"{self.name} has no issue {key} in {repo}, or this token cannot see it.",
        )

    def snapshot(
        self,
        issue: Any,
        key: str,
        comments: tuple[RemoteComment, ...] = (),
        etag: str | None = None,
    ) -> IssueSnapshot:
        """An issue's JSON as a snapshot (labels are objects with a ``name``)."""
        if not isinstance(issue, dict) or issue.get("state") not in (OPEN, CLOSED):
            raise self.failed(f"{self.name}'s answer does not describe an issue.")
        closed = issue["state"] == CLOSED
        labels = issue.get("labels") or []
        return IssueSnapshot(
            key=key,
            state=issue["state"],
            title=str(issue.get("title") or ""),
            author=_login(issue.get("user")) or None,
            labels=tuple(
                str(label.get("name") if isinstance(label, dict) else label)
                for label in labels
                if label
            ),
            assignees=tuple(
                _login(person) for person in issue.get("assignees") or [] if _login(person)
            ),
            updated_at=tracker_time(issue.get("updated_at")),
            changed_by=(_login(issue.get("closed_by")) or None) if closed else None,
            changed_at=tracker_time(issue.get("closed_at")) if closed else None,
            comments=comments,
            etag=etag,
        )


def _login(person: Any) -> str:
    return str(person.get("login") or "") if isinstance(person, dict) else ""
