"""The fake GitHub's resources in full: every property GitHub's REST description requires.

Why separate: ``github.py`` decides *what* the fake answers; this module only
spells those answers out the way api.github.com does (users, organisations,
repositories, labels, issues with their hypermedia ``*_url`` properties), so the
contract check (tests/contracts/github/) sees the documented shapes.
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

Json = dict[str, Any]
#: A fixed, plausible timestamp for things the fake does not date itself.
EPOCH = "2020-01-01T00:00:00Z"


def numeric_id(name: str) -> int:
    """A stable id for a name: the fake's accounts and repositories are never renamed."""
    return zlib.crc32(name.lower().encode()) % 10**6


def node_id(kind: str, number: int) -> str:
    """GraphQL global ids look like base64 of ``<index>:<Type><id>``."""
    return base64.b64encode(f"0:{kind}{number}".encode()).decode()


def account(api: str, web: str, name: str, kind: str, detailed: bool = False) -> Json:
    """A ``simple-user`` (or, ``detailed``, a ``public-user``) for a user or organisation."""
    number = numeric_id(name)
    home = f"{api}/{'orgs' if kind == 'Organization' else 'users'}/{name}"
    user = f"{api}/users/{name}"
    out: Json = {
        "login": name,
        "id": number,
        "node_id": node_id(kind, number),
        "avatar_url": f"{web}/avatars/u/{number}",
        "gravatar_id": "",
        "url": home,
        "html_url": f"{web}/{name}",
        "followers_url": f"{user}/followers",
        "following_url": f"{user}/following{{/other_user}}",
        "gists_url": f"{user}/gists{{/gist_id}}",
        "starred_url": f"{user}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{user}/subscriptions",
        "organizations_url": f"{user}/orgs",
        "repos_url": f"{user}/repos",
        "events_url": f"{user}/events{{/privacy}}",
        "received_events_url": f"{user}/received_events",
        "type": kind,
        "site_admin": False,
    }
    if detailed:
        out.update(
            {
                "name": name.title(),
                "company": None,
                "blog": "",
                "location": None,
                "email": None,
                "hireable": None,
                "bio": None,
                "public_repos": 0,
                "public_gists": 0,
                "followers": 0,
                "following": 0,
                "created_at": EPOCH,
                "updated_at": EPOCH,
            }
        )
    return out


def organization(api: str, web: str, name: str) -> Json:
    """An ``organization-full``."""
    number = numeric_id(name)
    org = f"{api}/orgs/{name}"
    return {
        "login": name,
        "id": number,
        "node_id": node_id("Organization", number),
        "url": org,
        "repos_url": f"{org}/repos",
        "events_url": f"{org}/events",
        "hooks_url": f"{org}/hooks",
        "issues_url": f"{org}/issues",
        "members_url": f"{org}/members{{/member}}",
        "public_members_url": f"{org}/public_members{{/member}}",
        "avatar_url": f"{web}/avatars/u/{number}",
        "description": None,
        "html_url": f"{web}/{name}",
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "type": "Organization",
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "archived_at": None,
    }


#: A repository's hypermedia links: property -> path below the repository (templated).
REPO_LINKS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def repository(api: str, web: str, owner: Json, full: str, state: Json, open_issues: int) -> Json:
    """A ``full-repository``; ``state`` holds the fake's private/has_issues/permissions."""
    number = numeric_id(full)
    url = f"{api}/repos/{full}"
    host = web.split("://", 1)[-1]
    return {
        "id": number,
        "node_id": node_id("Repository", number),
        "name": full.split("/")[1],
        "full_name": full,
        "owner": owner,
        "private": state["private"],
        "visibility": "private" if state["private"] else "public",
        "html_url": f"{web}/{full}",
        "description": None,
        "fork": False,
        "url": url,
        **{key: url + path for key, path in REPO_LINKS.items()},
        "clone_url": f"{web}/{full}.git",
        "git_url": f"git://{host}/{full}.git",
        "ssh_url": f"git@{host}:{full}.git",
        "svn_url": f"{web}/{full}",
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "size": 0,
        "default_branch": "main",
        "open_issues": open_issues,
        "open_issues_count": open_issues,
        "has_issues": state["has_issues"],
        "has_downloads": True,
        "has_projects": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "license": None,
        "pushed_at": EPOCH,
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "permissions": state["permissions"],
        "network_count": 0,
        "subscribers_count": 0,
    }


def label(api: str, full: str, number: int, name: str, color: str, description: Any) -> Json:
    """A ``label``."""
    return {
        "id": number,
        "node_id": node_id("Label", number),
        "url": f"{api}/repos/{full}/labels/{name}",
        "name": name,
        "description": description,
        "color": color,
        "default": False,
    }


def issue(
    api: str, web: str, full: str, ids: tuple[int, int], user: Json, fields: Json, created: str
) -> Json:
    """An ``issue`` (``ids``: global id and number); ``fields``: title, body, labels."""
    number_id, number = ids
    repo = f"{api}/repos/{full}"
    url = f"{repo}/issues/{number}"
    return {
        "id": number_id,
        "node_id": node_id("Issue", number_id),
        "url": url,
        "repository_url": repo,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{web}/{full}/issues/{number}",
        "number": number,
        "state": "open",
        "state_reason": None,
        "title": fields["title"],
        "body": fields.get("body"),
        "user": user,
        "labels": fields["labels"],
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "locked": False,
        "active_lock_reason": None,
        "comments": 0,
        "closed_at": None,
        "created_at": created,
        "updated_at": created,
        "author_association": "OWNER",
    }
