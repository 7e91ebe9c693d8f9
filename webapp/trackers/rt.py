"""Best Practical Request Tracker 5: REST 2.0."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from webapp.outbound.results import Stage, StageResult, StageStatus
from webapp.schema.fields import Field, FieldGroup, FieldKind
from webapp.trackers.argus_mapping import ArgusAuth, ArgusInformation, ArgusMapping
from webapp.trackers.base import Reply, TrackerClient
from webapp.trackers.choices import PAGE_SIZE, ChoicePage, choices_from
from webapp.trackers.common import (
    AUTH_GROUP,
    CONNECTION_GROUP,
    TASK_SYNC_GROUP,
    TICKETS_GROUP,
    connection_fields,
    override,
    task_sync_fields,
    title_format_field,
)
from webapp.trackers.config import BASIC
from webapp.trackers.issues import issue_number, split_list
from webapp.trackers.system import System
from webapp.trackers.tickets import (
    CLOSED,
    OPEN,
    CreatedIssue,
    DeliveryFailed,
    IssueDraft,
    IssueSnapshot,
    LabelOutcome,
    RemoteComment,
    tracker_time,
)

#: Words in RT's answer to a status change that mean it did not happen.
REFUSALS = ("denied", "permission", "illegal", "invalid", "could not", "couldn't")
LABEL_NOTE = "Request Tracker has no labels; the category goes into the subject."
#: RT's inactive statuses (RT 5's default lifecycle): the ticket is closed.
CLOSED_STATUSES = ("resolved", "rejected", "deleted")
#: Transactions that carry a message: replies to the requestors, and internal comments.
CORRESPOND, COMMENT = "Correspond", "Comment"
HISTORY_FIELDS = "Type,Creator,Created,Field,NewValue"
#: A sync reads at most this many pages of 100 transactions (and of 100 attachments).
HISTORY_PAGES = 5


def ticketsql_string(text: str) -> str:
    """``text`` as a single-quoted TicketSQL string."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class RTClient(TrackerClient):
    """``GET /REST/2.0/rt``, then ``/REST/2.0/queue/{name}`` whose links tell the rights."""

    user_path = "/REST/2.0/rt"
    target_noun = "queue"
    auth_scheme = "token"
    key_advice = "check it was copied whole and has not been revoked."
    basic_advice = "check them, and that the user may log in to RT."
    pickers = ("queues",)

    def signed_in_message(self, body: dict[str, Any]) -> str:
        version = f" {body['Version']}" if body.get("Version") else ""
        who = f" as {self.config.user}" if self.config.auth_mode == BASIC else ""
        return f"Signed in{who} to RT{version}."

    def target_path(self, name: str) -> str:
        return f"/REST/2.0/queue/{quote(name, safe='')}"

    def hidden_target_message(self, name: str) -> str | None:
        return f"RT refused to show queue {name} (403): the user needs the SeeQueue right on it."

    def check_permission(self, target: Reply) -> StageResult:
        """RT links a queue to ``create`` only for users with the CreateTicket right."""
        name = target.body.get("Name") or self.target_name()
        if str(target.body.get("Disabled", "0")) == "1":
            message = f"Queue {name} is disabled: RT accepts no new tickets in it."
            return StageResult(Stage.PERMISSION, StageStatus.FAILED, message)
        links = target.body.get("_hyperlinks") or []
        if any(isinstance(link, dict) and link.get("ref") == "create" for link in links):
            message = f"You may create tickets in {name}."
            return StageResult(Stage.PERMISSION, StageStatus.OK, message)
        return StageResult(
            Stage.PERMISSION,
            StageStatus.FAILED,
            f"You can see queue {name} but may not create tickets in it.",
            hint="Grant the user the CreateTicket right on the queue.",
        )

    # ---- pickers ---------------------------------------------------------
    def choices_queues(self, search: str, page: int, context: dict[str, Any]) -> ChoicePage:
        """``GET /REST/2.0/queues/all``; a search asks ``/REST/2.0/queues`` with a JSON
        query (Name LIKE). Both page with ``page`` and ``per_page``."""
        params: dict[str, Any] = {"fields": "Name,Description", "page": page}
        params["per_page"] = PAGE_SIZE
        path = "/REST/2.0/queues/all"
        if search:
            path = "/REST/2.0/queues"
            params["query"] = json.dumps([{"field": "Name", "operator": "LIKE", "value": search}])
        reply = self.fetch(path, params, "queues")
        found = choices_from(
            _items(reply.body),
            "Name",
            lambda q: f"{q['Name']}: {q['Description']}" if q.get("Description") else q["Name"],
        )
        body = reply.body if isinstance(reply.body, dict) else {}
        pages = body.get("pages")
        more = bool(body.get("next_page")) or (isinstance(pages, int) and pages > page)
        return ChoicePage(tuple(found), page, more)

    # ---- tickets ---------------------------------------------------------
    def create_issue(self, draft: IssueDraft) -> CreatedIssue:
        """``POST /REST/2.0/ticket``; RT answers ``{"id": "12", "type": "ticket", "_url"}``."""
        payload: dict[str, Any] = {
            "Queue": self.issue_target(draft.target),
            "Subject": draft.title,
            "Content": draft.body,
            "ContentType": "text/plain",
        }
        custom_fields = draft.fields.get("custom_fields")
        if isinstance(custom_fields, Mapping) and custom_fields:
            payload["CustomFields"] = dict(custom_fields)
        requestors = split_list(draft.fields.get("requestors"))
        if requestors:
            payload["Requestor"] = requestors[0] if len(requestors) == 1 else requestors
        ticket = self.call(
            "POST", "/REST/2.0/ticket", json=payload, action="create the ticket", creates=True
        )
        ticket_id = str(ticket.get("id") or "") if isinstance(ticket, dict) else ""
        if not ticket_id:
            message = "RT accepted the ticket but its answer has no ticket number."
            raise self.failed(message, ambiguous=True)
        return self._created(ticket_id)

    def find_issue(self, marker: str, target: str | None) -> CreatedIssue | None:
        """TicketSQL ``Content LIKE``, then attachments: RT's content search is often off.

        RT answers ``Content`` clauses with nothing unless full-text search is enabled
        (it is not by default), so a miss is checked again by searching attachment
        contents, which REST2 matches with SQL LIKE whatever that setting.
        """
        queue = self.issue_target(target)
        query = f"Queue = {ticketsql_string(queue)} AND Content LIKE {ticketsql_string(marker)}"
        found = self.call(
            "GET", "/REST/2.0/tickets", params={"query": query}, action="search tickets"
        )
        for item in _items(found):
            if item.get("id"):
                return self._created(str(item["id"]))
        return self._find_in_attachments(marker)

    def _find_in_attachments(self, marker: str) -> CreatedIssue | None:
        """Search stored contents for each half of the marker, and read the hits."""
        for _content, transaction in self._marked(marker):
            record = transaction.get("Object")
            if isinstance(record, dict) and record.get("type") == "ticket" and _link_id(record):
                return self._created(_link_id(record))
        return None

    def _marked(self, marker: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(content, transaction) of each stored content that holds ``marker``.

        Why halves: on PostgreSQL and SQLite, RT stores a body with non-ASCII text as
        quoted-printable, whose soft line breaks may cut the marker in two; a break
        can cut one half, never both, and reading the hit decodes the content.
        """
        checked: set[str] = set()
        for piece in marker_pieces(marker):
            search = [{"field": "Content", "operator": "LIKE", "value": piece}]
            hits = self.call(
                "GET",
                "/REST/2.0/attachments",
                params={"query": json.dumps(search)},
                action="search ticket contents",
            )
            for attachment_id in [str(item.get("id") or "") for item in _items(hits)]:
                if not attachment_id or attachment_id in checked:
                    continue
                checked.add(attachment_id)
                attachment = self.call(
                    "GET",
                    f"/REST/2.0/attachment/{quote(attachment_id, safe='')}",
                    action="read a ticket's content",
                )
                content = (
                    _decoded(attachment.get("Content")) if isinstance(attachment, dict) else ""
                )
                if marker not in content:
                    continue
                transaction_id = _link_id(attachment.get("TransactionId"))
                transaction = self.call(
                    "GET",
                    f"/REST/2.0/transaction/{quote(transaction_id, safe='')}",
                    action="read a ticket's history",
                )
                if isinstance(transaction, dict):
                    yield content, transaction

    # ---- conversations -----------------------------------------------------
    def add_comment(
        self, issue_key: str, target: str | None, body: str, *, internal: bool = False
    ) -> RemoteComment:
        """``POST /REST/2.0/ticket/{id}/correspond`` (a reply the requestors get by
        mail) or ``/comment`` (internal); RT answers with words only, so the transaction
        is then looked up by the marker in ``body`` for its id."""
        number = issue_number(issue_key)
        kind = "comment" if internal else "correspond"
        self.call(
            "POST",
            f"/REST/2.0/ticket/{number}/{kind}",
            json={"Content": body, "ContentType": "text/plain"},
            action="add the comment" if internal else "reply to the requestors",
            creates=True,
            made="the comment",
            not_found=f"RT has no ticket {number}, or you may not see it.",
        )
        marker = self.comment_marker(body)
        try:
            found = self.find_comment(number, None, marker) if marker else None
        except DeliveryFailed:
            found = None  # it was added; the id can wait for the inbound side
        return found or RemoteComment("", "", body, internal=internal)

    def find_comment(self, issue_key: str, target: str | None, marker: str) -> RemoteComment | None:
        """The ticket's reply or comment transaction whose content holds ``marker``."""
        number = issue_number(issue_key)
        for content, transaction in self._marked(marker):
            record = transaction.get("Object")
            if not isinstance(record, dict) or _link_id(record) != number:
                continue
            kind = str(transaction.get("Type") or "")
            if kind not in ("Correspond", "Comment"):
                continue
            return RemoteComment(
                external_id=str(transaction.get("id") or ""),
                author=_link_id(transaction.get("Creator")),
                body=content,
                created_at=tracker_time(transaction.get("Created")),
                internal=kind == "Comment",
            )
        return None

    def set_state(self, issue_key: str, target: str | None, state: str) -> None:
        """``PUT /REST/2.0/ticket/{id}`` with Status resolved (close) or open (reopen)."""
        number = issue_number(issue_key)
        status = "resolved" if state == CLOSED else "open"
        answer = self.call(
            "PUT",
            f"/REST/2.0/ticket/{number}",
            json={"Status": status},
            action="resolve the ticket" if state == CLOSED else "reopen the ticket",
            not_found=f"RT has no ticket {number}, or you may not see it.",
        )
        # RT answers 200 with a list of messages, also when it refused the change.
        said = [str(m) for m in (answer if isinstance(answer, list) else [])]
        refused = [m for m in said if any(word in m.lower() for word in REFUSALS)]
        if refused:
            message = "RT did not change the status: " + "; ".join(refused)
            raise self.failed(message, retryable=False)

    def ensure_label(self, name: str, colour: str, target: str | None) -> LabelOutcome:
        """Nothing to create: RT has no labels (``category_mapping`` is "subject")."""
        return LabelOutcome(name, "exists", LABEL_NOTE)

    def fetch_issue(self, key: str, target: str | None, etag: str | None = None) -> IssueSnapshot:
        """``GET /REST/2.0/ticket/{id}``, its ``history``, and the content of each
        correspondence and comment (``transaction/{id}/attachments``). Statuses resolved,
        rejected and deleted are closed; new, open and stalled are open."""
        ticket_id = str(key).strip().lstrip("#")
        if not ticket_id.isdigit():
            raise self.failed(f"{key!r} is not an RT ticket number.", retryable=False)
        ticket = self.call(
            "GET",
            f"/REST/2.0/ticket/{ticket_id}",
            action="read the ticket",
            not_found=f"RT has no ticket {ticket_id}, or this user may not see it.",
        )
        if not isinstance(ticket, dict) or not ticket.get("Status"):
            raise self.failed("RT's answer does not describe a ticket.")
        status = str(ticket["Status"]).lower()
        closed = status in CLOSED_STATUSES
        history = self._history(ticket_id)
        messages = [t for t in history if t.get("Type") in (CORRESPOND, COMMENT) and _link_id(t)]
        texts = self._contents(ticket_id) if messages else {}
        comments = tuple(
            RemoteComment(
                _link_id(transaction),
                _link_id(transaction.get("Creator")),
                texts.get(_link_id(transaction), ""),
                tracker_time(transaction.get("Created")),
                internal=transaction.get("Type") == COMMENT,
            )
            for transaction in messages
        )
        status_changes = [
            t
            for t in history
            if t.get("Type") == "Status" or (t.get("Type") == "Set" and t.get("Field") == "Status")
        ]
        last = status_changes[-1] if status_changes else None
        owner = _link_id(ticket.get("Owner"))
        return IssueSnapshot(
            key=ticket_id,
            state=CLOSED if closed else OPEN,
            title=str(ticket.get("Subject") or ""),
            author=_link_id(ticket.get("Creator")) or None,
            assignees=(owner,) if owner and owner != "Nobody" else (),
            updated_at=tracker_time(ticket.get("LastUpdated")),
            changed_by=_link_id(last.get("Creator")) or None if last else None,
            changed_at=tracker_time(last.get("Created")) if last else None,
            comments=comments,
        )

    def _history(self, ticket_id: str) -> list[dict[str, Any]]:
        """The ticket's transactions, oldest first, with their type, author and time."""
        return self._pages(
            f"/REST/2.0/ticket/{ticket_id}/history",
            HISTORY_FIELDS,
            "read the ticket's history",
        )

    def _contents(self, ticket_id: str) -> dict[str, str]:
        """Each transaction's message, from ONE paged list of the ticket's attachments:
        its first text/plain part, else its first part. (This collection gives
        ``Content`` as text; ``GET attachment/{id}`` would give it base64-encoded.)"""
        parts: dict[str, list[dict[str, Any]]] = {}
        for part in self._pages(
            f"/REST/2.0/ticket/{ticket_id}/attachments",
            "Content,ContentType,TransactionId",
            "read the ticket's replies",
        ):
            if part.get("Content"):
                parts.setdefault(_link_id(part.get("TransactionId")), []).append(part)
        texts = {}
        for transaction_id, found in parts.items():
            plain = [p for p in found if str(p.get("ContentType", "")).startswith("text/plain")]
            texts[transaction_id] = str((plain or found)[0]["Content"]).strip()
        return texts

    def _pages(self, path: str, fields: str, action: str) -> list[dict[str, Any]]:
        """The items of a REST2 collection, page after page (at most HISTORY_PAGES)."""
        items: list[dict[str, Any]] = []
        for page in range(1, HISTORY_PAGES + 1):
            found = self.call(
                "GET",
                path,
                params={"fields": fields, "per_page": 100, "page": page},
                action=action,
            )
            items += _items(found)
            pages = found.get("pages") if isinstance(found, dict) else None
            if not isinstance(pages, int) or page >= pages:
                break
        return items

    def _created(self, ticket_id: str) -> CreatedIssue:
        url = self.config.url("/Ticket/Display.html", {"id": ticket_id})
        return CreatedIssue(ticket_id, url, ticket_id)


def _items(collection: Any) -> list[dict[str, Any]]:
    """The ``items`` of a REST2 collection answer."""
    items = collection.get("items") if isinstance(collection, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _link_id(link: Any) -> str:
    """The id of a REST2 link object (or of a bare id)."""
    if isinstance(link, dict):
        return str(link.get("id") or "")
    return "" if link is None else str(link)


def _decoded(content: Any) -> str:
    """REST2 sends attachment contents base64-encoded."""
    try:
        return base64.b64decode(str(content or "")).decode("utf-8", "replace")
    except ValueError:
        return ""


def marker_pieces(marker: str) -> list[str]:
    """Two halves of the marker's random tail (24 hex digits: 12 each, still unique)."""
    tail = marker[-24:]
    half = len(tail) // 2
    return [tail[:half], tail[half:]] if half >= 8 else [marker]


# ---- the declaration: fields, groups and ticket fields --------------------

ARGUS = ArgusMapping(
    plugins=("argus_ticket_rt.RequestTrackerPlugin",),
    auth=(
        ArgusAuth(
            {"username": "issue_tracker_user", "password": "issue_tracker_pass"},
            {"issue_tracker_auth_mode": "basic"},
        ),
        ArgusAuth({"token": "issue_tracker_api_token"}, {"issue_tracker_auth_mode": "api_token"}),
    ),
    information=(ArgusInformation("queue", ("rt_queue",)),),
    custom_fields_param="rt_custom_fields",
)

QUEUE_GROUP = FieldGroup("queue", "Queue")

RT = System(
    id="rt",
    short_name="RT",
    name="Request Tracker",
    description="Tickets in a Request Tracker (RT 5) queue.",
    docs_url="https://docs.bestpractical.com/rt/latest/RT/REST2.html",
    fields=(
        *override(
            connection_fields(auth_modes=("api_token", "basic")),
            issue_tracker_server={
                "help": "Host name with optional :port and /path, e.g. rt.example.com or "
                "rt.example.com/rt; without https://.",
            },
            issue_tracker_api_token={
                "label": "Auth token",
                "help": "Created in RT under Logged in as > Settings > Auth Tokens.",
            },
        ),
        Field(
            "rt_queue",
            "Queue",
            default="General",
            group=QUEUE_GROUP.id,
            picker="queues",
            help="Name of the queue new tickets go to.",
        ),
        title_format_field(),
        Field(
            "rt_custom_fields",
            "Custom fields",
            FieldKind.KEYVALUE,
            group=TICKETS_GROUP.id,
            help="Set on every new ticket; one per line as Name=value or Name: value, "
            "e.g. Severity=High.",
        ),
        *task_sync_fields(),
    ),
    groups=(CONNECTION_GROUP, AUTH_GROUP, QUEUE_GROUP, TICKETS_GROUP, TASK_SYNC_GROUP),
    target_field="rt_queue",
    client_class=RTClient,
    ticket_fields=(
        Field(
            "custom_fields",
            "Custom fields",
            FieldKind.KEYVALUE,
            help="One per line as Name=value or Name: value, e.g. Severity=High; "
            "starts from the connector's.",
        ),
        Field(
            "requestors",
            "Requestors",
            help="E-mail addresses, comma-separated, e.g. alice@example.com; "
            "RT may write to them about the ticket.",
        ),
    ),
    ticket_defaults_from={"custom_fields": "rt_custom_fields"},
    category_mapping="subject",
    comment_label="Reply to requester",
    internal_comment_label="Internal comment",
    argus=ARGUS,
)
