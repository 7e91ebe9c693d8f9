"""Self-tests for the fake trackers: they must behave like the real APIs the app targets.

Uses plain ``requests`` with short timeouts; every server is stopped by its
context manager and the last test checks that no thread was leaked.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from urllib3.exceptions import InsecureRequestWarning

from tests.fakes import (
    FakeGitHub,
    FakeGitLab,
    FakeJira,
    FakeRT,
    HangingServer,
    free_port,
    refused_address,
)

T = 2.0  # timeout for normal calls; hang tests use 0.3-0.5 s read timeouts
BASELINE_THREADS = {t.ident for t in threading.enumerate()}


class Client:
    """requests.Session with a default timeout and optional default headers/auth."""

    def __init__(self, session: requests.Session, **defaults: Any) -> None:
        self.s, self.defaults = session, defaults

    def __call__(self, method: str, url: str, **kw: Any) -> requests.Response:
        return self.s.request(method, url, **{"timeout": T, **self.defaults, **kw})

    def get(self, url: str, **kw: Any) -> requests.Response:
        return self("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> requests.Response:
        return self("POST", url, **kw)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


def tok(t: str, scheme: str = "token") -> dict[str, str]:
    return {"Authorization": f"{scheme} {t}"}


# ---- GitHub -----------------------------------------------------------------


def test_github_auth_repo_labels_issue_search(session: requests.Session) -> None:
    repos = {
        "acme/app": {"permissions": {"push": True}},
        "acme/ro": {"permissions": {"push": False}},
    }
    with FakeGitHub(token="ghp_ok", repos=repos, orgs=["acme"], labels={"acme/app": ["bug"]}) as gh:
        anon, c = Client(session), Client(session, headers=tok("ghp_ok"))
        bad = anon.get(f"{gh.url}/user", headers=tok("nope"))
        assert bad.status_code == 401 and bad.json()["message"] == "Bad credentials"
        assert bad.headers["Content-Type"] == "application/json; charset=utf-8"
        me = anon.get(f"{gh.url}/user", headers=tok("ghp_ok", "Bearer"))
        assert me.status_code == 200 and me.json()["login"] == "octocat"
        assert me.headers["X-GitHub-Media-Type"].startswith("github.v3")
        assert me.headers["X-RateLimit-Remaining"] == "4999"
        assert c.get(f"{gh.url}/orgs/acme").json()["type"] == "Organization"
        assert c.get(f"{gh.url}/repos/acme/nope").json()["message"] == "Not Found"
        assert c.get(f"{gh.url}/repos/acme/app").json()["permissions"]["push"] is True
        dup = c.post(f"{gh.url}/repos/acme/app/labels", json={"name": "BUG"})
        assert dup.status_code == 422 and dup.json()["errors"][0]["code"] == "already_exists"
        new = c.post(
            f"{gh.url}/repos/acme/app/issues",
            json={"title": "Disk full", "body": "cd-marker-42", "labels": ["bug", "ops"]},
        )
        assert new.status_code == 201
        issue = new.json()
        assert issue["number"] == 1 and issue["html_url"].endswith("/acme/app/issues/1")
        assert [lb["name"] for lb in issue["labels"]] == ["bug", "ops"]  # "ops" auto-created
        ro = c.post(f"{gh.url}/repos/acme/ro/issues", json={"title": "x", "labels": ["bug"]})
        assert ro.status_code == 201 and ro.json()["labels"] == []  # dropped: no push access
        q = '"cd-marker-42" in:body repo:acme/app is:issue'
        found = c.get(f"{gh.url}/search/issues", params={"q": q}).json()
        assert found["total_count"] == 1 and found["items"][0]["number"] == 1
        listed = c.get(f"{gh.url}/repos/acme/app/issues", params={"labels": "ops"})
        assert [i["number"] for i in listed.json()] == [1]
        assert gh.requests[-1].method == "GET" and gh.errors == []


def test_github_lists_page_with_per_page_and_link(session: requests.Session) -> None:
    names = [f"label-{n:02}" for n in range(45)]
    with FakeGitHub(token="t", repos={"acme/app": {}}, labels={"acme/app": names}) as gh:
        c = Client(session, headers=tok("t"))
        first = c.get(f"{gh.url}/repos/acme/app/labels")  # 30 a page unless per_page says
        assert len(first.json()) == 30 and first.links["next"]["url"].endswith(
            "/repos/acme/app/labels?per_page=30&page=2"
        )
        last = c.get(first.links["next"]["url"])
        assert [lb["name"] for lb in last.json()] == names[30:] and "Link" not in last.headers
        people = c.get(f"{gh.url}/repos/acme/app/assignees", params={"per_page": 1})
        assert len(people.json()) == 1 and "next" in people.links


def test_github_enterprise_prefix(session: requests.Session) -> None:
    with FakeGitHub(token="t", prefix="/api/v3") as gh:
        c = Client(session, headers=tok("t"))
        assert gh.base_url == f"{gh.url}/api/v3"
        assert c.get(f"{gh.base_url}/user").status_code == 200
        assert c.get(f"{gh.url}/user").status_code == 404
        # the contract check notices the missing prefix too (then forgets: it is on purpose)
        assert gh.contract_violations == ["GET /user: outside the API prefix /api/v3"]
        gh.contract_violations.clear()


# ---- GitLab -----------------------------------------------------------------


def test_gitlab_encoded_path_labels_issues(session: requests.Session) -> None:
    guest = {"project_access": {"access_level": 10}, "group_access": None}
    projects: dict[str, dict[str, Any]] = {
        "group/proj": {"id": 7},
        "group/guest": {"id": 8, "permissions": guest},
    }
    with FakeGitLab(token="glpat-ok", projects=projects) as gl:
        api, c = f"{gl.url}/api/v4", Client(session, headers={"PRIVATE-TOKEN": "glpat-ok"})
        bad = c.get(f"{api}/user", headers={"PRIVATE-TOKEN": "x"})
        assert bad.status_code == 401 and bad.json() == {"message": "401 Unauthorized"}
        assert c.get(f"{api}/user", headers=tok("glpat-ok", "Bearer")).json()["username"] == "root"
        assert c.get(f"{api}/projects/group%2Fproj").json()["id"] == 7
        assert c.get(f"{api}/projects/group/proj").status_code == 404
        assert c.get(f"{api}/projects/gone%2Fx").json() == {"message": "404 Project Not Found"}
        lab = {"name": "ops", "color": "#ff0000"}
        assert c.post(f"{api}/projects/7/labels", json=lab).status_code == 201
        dup = c.post(f"{api}/projects/7/labels", json=lab)
        assert dup.status_code == 409 and dup.json() == {"message": "Label already exists"}
        denied = c.post(f"{api}/projects/8/labels", json=lab)
        assert denied.status_code == 403 and denied.json() == {"message": "403 Forbidden"}
        assert c.post(f"{api}/projects/7/issues", json={}).json() == {"error": "title is missing"}
        form = {"title": "Disk full", "description": "cd-marker-7", "labels": "ops,new"}
        new = c.post(f"{api}/projects/group%2Fproj/issues", data=form)
        assert new.status_code == 201 and new.json()["iid"] == 1
        assert new.json()["web_url"].endswith("/group/proj/-/issues/1")
        hits = c.get(f"{api}/projects/7/issues", params={"search": "cd-marker-7"})
        assert [i["iid"] for i in hits.json()] == [1] and hits.headers["X-Total"] == "1"
        # the off-contract requests above were on purpose; the contract check saw them
        assert gl.contract_violations == [
            "GET /api/v4/projects/group/proj: no documented operation has this method and path",
            "postApiV4ProjectsIdIssues request $: 'title' is a required property",
        ]
        gl.contract_violations.clear()


# ---- Jira -------------------------------------------------------------------


def test_jira_auth_permissions_create_search(session: requests.Session) -> None:
    users = {"me@example.com": "api-tok"}
    with FakeJira(users=users, pat="pat-1", projects={"OPS": {"name": "Ops"}}) as jira:
        api, anon = f"{jira.url}/rest/api/2", Client(session)
        c = Client(session, auth=("me@example.com", "api-tok"))
        bad = anon.get(f"{api}/myself", auth=("me@example.com", "wrong"))
        assert bad.status_code == 401 and bad.text.startswith("Client must be authenticated")
        assert bad.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"
        assert "X-AREQUESTID" in bad.headers
        assert c.get(f"{api}/myself").json()["active"] is True
        assert anon.get(f"{api}/myself", headers=tok("pat-1", "Bearer")).status_code == 200
        missing = c.get(f"{api}/project/NOPE")
        assert missing.status_code == 404
        assert missing.json()["errorMessages"] == ["No project could be found with key 'NOPE'."]
        params = {"projectKey": "OPS", "permissions": "CREATE_ISSUES"}
        perms = c.get(f"{api}/mypermissions", params=params).json()
        assert perms["permissions"]["CREATE_ISSUES"]["havePermission"] is True
        fields: dict[str, Any] = {
            "project": {"key": "OPS"},
            "issuetype": {"name": "Task"},
            "description": "jm-1",
        }
        err = c.post(f"{api}/issue", json={"fields": fields})
        assert err.status_code == 400
        assert err.json()["errors"] == {"summary": "You must specify a summary of the issue."}
        epic = {**fields, "summary": "s", "issuetype": {"name": "Epic"}}
        err = c.post(f"{api}/issue", json={"fields": epic})
        assert err.status_code == 400 and "issuetype" in err.json()["errors"]
        new = c.post(f"{api}/issue", json={"fields": {**fields, "summary": "Disk full"}})
        assert new.status_code == 201 and new.json()["key"] == "OPS-1"
        assert new.json()["self"].startswith(api)
        res = c.get(f"{api}/search", params={"jql": 'project = OPS AND text ~ "jm-1"'})
        assert [i["key"] for i in res.json()["issues"]] == ["OPS-1"]
        assert c.get(f"{api}/search", params={"jql": 'description ~ "x"'}).json()["total"] == 0


def test_jira_without_create_permission(session: requests.Session) -> None:
    with FakeJira(users={"u": "p"}, permissions={"CREATE_ISSUES": False}) as jira:
        c = Client(session, auth=("u", "p"))
        perms = c.get(
            f"{jira.url}/rest/api/2/mypermissions", params={"permissions": "CREATE_ISSUES"}
        ).json()
        assert perms["permissions"]["CREATE_ISSUES"]["havePermission"] is False


# ---- RT ---------------------------------------------------------------------


def test_rt_auth_queue_create_search(session: requests.Session) -> None:
    queues = {"General": {"id": 1}}
    with FakeRT(users={"root": "password"}, tokens={"1-abc": "root"}, queues=queues) as rt:
        api, c = f"{rt.url}/REST/2.0", Client(session, headers=tok("1-abc"))
        bad = Client(session).get(f"{api}/rt", auth=("root", "nope"))
        assert bad.status_code == 401 and bad.json() == {"message": "Unauthorized"}
        assert c.get(f"{api}/rt").json()["Version"].startswith("5.")
        basic = Client(session, auth=("root", "password"))
        assert basic.get(f"{api}/queue/General").json()["id"] == 1
        assert basic.get(f"{api}/queue/9").json() == {"message": "Not Found"}
        ticket = {"Queue": "General", "Subject": "Disk full", "Content": "rt-marker-9"}
        new = c.post(f"{api}/ticket", json=ticket)
        assert new.status_code == 201
        assert new.json() == {"id": "1", "type": "ticket", "_url": f"{api}/ticket/1"}
        bad_q = c.post(f"{api}/ticket", json={"Queue": "Nope", "Subject": "x"})
        assert bad_q.status_code == 400 and "Queue" in bad_q.json()["message"]
        query = "Queue = 'General' AND Content LIKE 'rt-marker-9'"
        res = c.get(f"{api}/tickets", params={"query": query}).json()
        assert res["count"] == 1 and res["items"][0]["id"] == "1"


# ---- transport-level behaviour ----------------------------------------------


def test_tls_self_signed(session: requests.Session) -> None:
    with FakeRT(tls=True) as rt:
        url, c = f"{rt.url}/REST/2.0/rt", Client(session, auth=("root", "password"))
        assert rt.url.startswith("https://127.0.0.1:")
        with pytest.raises(requests.exceptions.SSLError):
            c.get(url)
        with pytest.warns(InsecureRequestWarning):
            assert c.get(url, verify=False).status_code == 200
        assert rt.cert_path is not None
        with requests.Session() as fresh:  # trusting the cert as a custom CA bundle works
            assert Client(fresh, auth=("root", "password")).get(url, verify=rt.cert_path).ok


def test_hanging_and_refused() -> None:
    with HangingServer() as hs:
        start = time.monotonic()
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(f"{hs.url}/user", timeout=(T, 0.3))
        assert time.monotonic() - start < 2
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://{refused_address()}/", timeout=T)
    assert 0 < free_port() < 65536


def test_hang_after_create_creates_then_times_out(session: requests.Session) -> None:
    with FakeGitHub(token="t", repos={"a/b": {}}, hang_after_create=True) as gh:
        c = Client(session, headers=tok("t"))
        with pytest.raises(requests.exceptions.ReadTimeout):
            c.post(
                f"{gh.url}/repos/a/b/issues", json={"title": "x", "body": "m-1"}, timeout=(T, 0.5)
            )
        assert len(gh.issues["a/b"]) == 1  # created although the client never heard back
        gh.hang_after_create = False
        got = c.get(f"{gh.url}/search/issues", params={"q": "m-1 in:body repo:a/b"})
        assert got.json()["total_count"] == 1


def test_fail_delay_garbage_hooks(session: requests.Session) -> None:
    with FakeGitLab(token="g") as gl:
        url, c = f"{gl.url}/api/v4/user", Client(session, headers={"PRIVATE-TOKEN": "g"})
        gl.fail_next(503, times=2)
        assert [c.get(url).status_code for _ in range(3)] == [503, 503, 200]
        gl.fail_next(502, {"message": "bad gateway"}, method="POST")
        assert c.get(url).status_code == 200  # filtered: only POSTs fail
        assert c.post(f"{gl.url}/api/v4/projects/7/issues", json={"title": "x"}).status_code == 502
        gl.garbage_next()
        g = c.get(url)
        assert g.status_code == 200 and g.headers["Content-Type"].startswith("text/html")
        with pytest.raises(ValueError):
            g.json()
        gl.delay_next(1.0)
        with pytest.raises(requests.exceptions.ReadTimeout):
            c.get(url, timeout=(T, 0.3))
        assert gl.issues[7] == []


def test_echo_credentials_in_errors(session: requests.Session) -> None:
    c = Client(session)
    with FakeJira(users={"u": "p"}, echo_credentials_in_errors=True) as jira:
        r = c.get(f"{jira.url}/rest/api/2/myself", auth=("u", "s3cret-pw"))
        assert r.status_code == 401 and "s3cret-pw" in r.text and "Basic " in r.text
    with FakeGitHub(token="t", echo_credentials_in_errors=True) as gh:
        body = c.get(f"{gh.url}/user", headers=tok("ghp_leaky")).json()
        assert "ghp_leaky" in body["message"]
        assert body["received_credentials"]["authorization"] == "token ghp_leaky"


def _is_fake_thread(thread: threading.Thread) -> bool:
    return thread.name.startswith(("Fake", "HangingServer")) or "process_request" in thread.name


def test_no_leaked_threads() -> None:
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        # Only the fakes' own threads: other tests (a browser driver, say) may keep theirs.
        leaked = [
            t
            for t in threading.enumerate()
            if t.ident not in BASELINE_THREADS and _is_fake_thread(t)
        ]
        if not leaked:
            break
        time.sleep(0.05)
    assert leaked == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with FakeRT() as rt:
            assert requests.get(f"{rt.url}/REST/2.0/rt", auth=("root", "password"), timeout=T).ok
