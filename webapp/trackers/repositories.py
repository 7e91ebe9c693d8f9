"""Trackers whose issues live in ``owner/repo`` repositories: GitHub, and forges like it
(the Gitea/Forgejo plugin)."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from webapp.trackers.base import TrackerClient
from webapp.trackers.choices import (
    PAGE_SIZE,
    ChoicePage,
    choices_from,
    has_next_page,
    items,
    matching,
)
from webapp.trackers.issues import split_list
from webapp.trackers.tickets import CreatedIssue, DeliveryFailed, IssueDraft


class RepositoryClient(TrackerClient):
    """A client whose target is ``owner/repo``, from two of the connector's parameters.

    A ticket may name its repository with or without the owner; without one, the
    connector's owner is used.
    """

    #: The parameters naming the owner (user or organisation) and the repository.
    owner_param: ClassVar[str]
    repo_param: ClassVar[str]
    target_noun = "repository"
    pickers = ("repositories", "assignees", "labels")
    #: The query parameter that sets a page's size (GitHub: per_page, Gitea: limit).
    page_size_param: ClassVar[str] = "per_page"
    #: Repositories read per page of the picker (the list has no search: it is filtered).
    repositories_per_page: ClassVar[int] = 100

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
        reply = self.fetch(
            self.target_path(repo) + path, {self.page_size_param: PAGE_SIZE, "page": page}, what
        )
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
