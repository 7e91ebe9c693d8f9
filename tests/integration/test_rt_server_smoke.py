"""Smoke tests against a REAL Request Tracker 5 (Debian request-tracker5, REST 2.0).

Why: they pin down the behaviour our RT connector relies on (status codes,
error bodies, ticket creation) on the real server, not on our fake of it.
They skip when RT is not installed (see scripts/install-rt.sh), unless
``REQUIRE_RT=1`` is set, as CI does once RT is part of the machine set-up:
then a missing or broken RT is a failure, not a silent skip.
"""

from __future__ import annotations

import requests

from tests.support.rt_server import RTServer

TIMEOUT = 15


def test_basic_auth_reaches_rest2(rt_server: RTServer) -> None:
    response = requests.get(f"{rt_server.rest2_url}/rt", auth=rt_server.auth, timeout=TIMEOUT)

    assert response.status_code == 200
    assert response.json()["Version"].startswith("5.")


def test_wrong_password_is_401_json_without_challenge(rt_server: RTServer) -> None:
    response = requests.get(
        f"{rt_server.rest2_url}/rt", auth=(rt_server.username, "wrong"), timeout=TIMEOUT
    )

    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"message": "Unauthorized"}
    # RT 5.0.3 sends no Basic challenge, so clients must not wait for one.
    assert "WWW-Authenticate" not in response.headers


def test_token_auth(rt_server: RTServer) -> None:
    good = requests.get(
        f"{rt_server.rest2_url}/rt", headers=rt_server.token_header, timeout=TIMEOUT
    )
    bad = requests.get(
        f"{rt_server.rest2_url}/rt",
        headers={"Authorization": "token 1-14-0123456789abcdef"},
        timeout=TIMEOUT,
    )

    assert good.status_code == 200
    assert bad.status_code == 401
    assert bad.json() == {"message": "Unauthorized"}


def test_existing_queue_by_name(rt_server: RTServer) -> None:
    response = requests.get(
        f"{rt_server.rest2_url}/queue/General", auth=rt_server.auth, timeout=TIMEOUT
    )

    assert response.status_code == 200
    queue = response.json()
    assert queue["Name"] == "General"
    assert queue["id"] == 1
    refs = {link["ref"] for link in queue["_hyperlinks"]}
    # The "create" link is RT's answer to "may the current user create tickets here".
    assert "create" in refs


def test_missing_queue_is_404(rt_server: RTServer) -> None:
    response = requests.get(
        f"{rt_server.rest2_url}/queue/NoSuchQueue", auth=rt_server.auth, timeout=TIMEOUT
    )

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_create_ticket_then_read_it(rt_server: RTServer) -> None:
    created = requests.post(
        f"{rt_server.rest2_url}/ticket",
        auth=rt_server.auth,
        json={"Queue": "General", "Subject": "x", "Content": "body"},
        timeout=TIMEOUT,
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["type"] == "ticket"
    ticket_id = int(body["id"])  # RT returns the id as a string
    assert created.headers["Location"] == f"/REST/2.0/ticket/{ticket_id}"

    fetched = requests.get(body["_url"], auth=rt_server.auth, timeout=TIMEOUT)
    assert fetched.status_code == 200
    assert fetched.json()["Subject"] == "x"
    assert fetched.json()["Queue"]["id"] == "1"


def test_create_ticket_in_missing_queue_is_403(rt_server: RTServer) -> None:
    response = requests.post(
        f"{rt_server.rest2_url}/ticket",
        auth=rt_server.auth,
        json={"Queue": "NoSuchQueue", "Subject": "x", "Content": "body"},
        timeout=TIMEOUT,
    )

    # RT does not distinguish "no such queue" from "no right" on create.
    assert response.status_code == 403
    assert response.json() == {
        "message": "No permission to create tickets in the queue 'NoSuchQueue'"
    }


def test_user_without_rights_gets_403_and_no_create_link(rt_server: RTServer) -> None:
    api = rt_server.rest2_url
    user = requests.post(
        f"{api}/user",
        auth=rt_server.auth,
        json={"Name": "alice", "Password": "alice-pass-1", "EmailAddress": "alice@example.com"},
        timeout=TIMEOUT,
    )
    assert user.status_code == 201, user.text
    alice = ("alice", "alice-pass-1")
    ticket = {"Queue": "General", "Subject": "from alice", "Content": "body"}

    assert requests.get(f"{api}/queue/General", auth=alice, timeout=TIMEOUT).status_code == 403
    denied = requests.post(f"{api}/ticket", auth=alice, json=ticket, timeout=TIMEOUT)
    assert denied.status_code == 403
    assert denied.json() == {"message": "No permission to create tickets in the queue 'General'"}

    rt_server.grant_queue_rights("alice", "General", "SeeQueue")
    queue = requests.get(f"{api}/queue/General", auth=alice, timeout=TIMEOUT)
    assert queue.status_code == 200
    assert "create" not in {link["ref"] for link in queue.json()["_hyperlinks"]}

    rt_server.grant_queue_rights("alice", "General", "CreateTicket")
    queue = requests.get(f"{api}/queue/General", auth=alice, timeout=TIMEOUT)
    assert "create" in {link["ref"] for link in queue.json()["_hyperlinks"]}
    allowed = requests.post(f"{api}/ticket", auth=alice, json=ticket, timeout=TIMEOUT)
    assert allowed.status_code == 201, allowed.text


_CREATE_QUEUE_CF = """
my ($name, $queue_name) = @ARGV;
my $queue = RT::Queue->new(RT->SystemUser);
$queue->Load($queue_name);
my $cf = RT::CustomField->new(RT->SystemUser);
my ($id, $msg) = $cf->Create(
    Name => $name, Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket'
);
die "$msg\\n" unless $id;
my ($ok, $msg2) = $cf->AddToObject($queue);
die "$msg2\\n" unless $ok;
print "$id\\n";
"""


def test_create_ticket_with_custom_fields(rt_server: RTServer) -> None:
    cf_id = rt_server.run_perl(_CREATE_QUEUE_CF, "Severity", "General").strip()
    api = rt_server.rest2_url

    queue = requests.get(f"{api}/queue/General", auth=rt_server.auth, timeout=TIMEOUT).json()
    assert {"id": cf_id, "name": "Severity"}.items() <= next(
        cf for cf in queue["TicketCustomFields"] if cf["name"] == "Severity"
    ).items()

    by_name = requests.post(
        f"{api}/ticket",
        auth=rt_server.auth,
        json={
            "Queue": "General",
            "Subject": "with cf",
            "Content": "body",
            # Keys are CF names or ids; unknown names are ignored (201, logged only).
            "CustomFields": {"Severity": "high", "NoSuchField": "ignored"},
        },
        timeout=TIMEOUT,
    )
    assert by_name.status_code == 201, by_name.text
    by_id = requests.post(
        f"{api}/ticket",
        auth=rt_server.auth,
        json={"Queue": "General", "Subject": "cf by id", "CustomFields": {cf_id: ["low"]}},
        timeout=TIMEOUT,
    )
    assert by_id.status_code == 201, by_id.text

    for created, expected in ((by_name, ["high"]), (by_id, ["low"])):
        ticket = requests.get(created.json()["_url"], auth=rt_server.auth, timeout=TIMEOUT).json()
        values = {cf["name"]: cf["values"] for cf in ticket["CustomFields"]}
        assert values["Severity"] == expected
