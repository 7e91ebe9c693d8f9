"""Trackers whose issues live in ``owner/repo`` repositories: GitHub, and forges like it
(the Gitea/Forgejo plugin)."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from webapp.trackers.base import TrackerClient
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
