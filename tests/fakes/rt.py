"""Fake Request Tracker 5 REST2 API (https://docs.bestpractical.com/rt/latest/RT/REST2.html).

Follows REST2 under ``/REST/2.0/``: Basic auth or ``Authorization: token X``
(RT::Authen::Token); ``GET rt`` (``{"Version", "Plugins"}``), ``GET queue/{id or
name}``, ``POST ticket`` (201 ``{"id": "12", "type": "ticket", "_url": ...}``
plus ``Location``), ``GET ticket/{id}`` and ``GET tickets?query=<TicketSQL>``
with RT's paged collection shape (``count/page/pages/per_page/total/items``),
``GET attachments?query=<JSON search>`` (``Content LIKE``), ``GET attachment/{id}``
(``Content`` base64-encoded, as REST2 sends it) and ``GET transaction/{id}``.
Errors use REST2's ``{"message": ...}``: 401 ``Unauthorized``, 404 ``Not
Found``; a failed create is 400 with RT's message (e.g. "Could not create
ticket. Queue not set", "No permission to create tickets in the queue 'X'").
Simplified: TicketSQL supports ``Field = 'v'``, ``Field LIKE 'v'`` and ``!=``
for Queue/Subject/Content/Status/id joined by AND (LIKE is a case-insensitive
substring, as in RT); ``Content`` is kept on the fake ticket for searching
although real RT stores it as a transaction attachment (which the fake keeps too).
``full_text_search=False`` mimics RT's default: ``Content`` clauses match nothing.
A real RT is also used in separate tests, so shapes here only need to be plausible.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from .server import FakeServer, Request, Response, json_response, route

R = r"/REST/2.0"
CLAUSE = re.compile(
    r"""\s*(\w+)\s*(=|!=|NOT\s+LIKE|LIKE)\s*
                       (?:'([^']*)'|"([^"]*)"|(\d+))\s*""",
    re.I | re.X,
)
FIELDS = {
    "queue": "Queue",
    "subject": "Subject",
    "content": "Content",
    "status": "Status",
    "id": "id",
}
Json = dict[str, Any]


class FakeRT(FakeServer):
    NOT_FOUND = {"message": "Not Found"}
    BAD_JSON = {"message": "malformed JSON string"}
    SERVER_HEADER = "Apache"

    def __init__(
        self,
        users: dict[str, str] | None = None,
        tokens: dict[str, str] | None = None,
        *,
        queues: dict[str, Json] | None = None,
        version: str = "5.0.5",
        full_text_search: bool = True,
        **kw: Any,
    ) -> None:
        """``users``: {"root": "password"}; ``tokens``: {"token": "username"};
        ``queues``: {"General": {"id": 1, "can_create": True}}."""
        super().__init__(**kw)
        self.users = users if users is not None else {"root": "password"}
        self.tokens = tokens or {}
        self.version = version
        configured = queues if queues is not None else {"General": {}}
        self.queues = {
            name: {
                "id": int(cfg.get("id", i + 1)),
                "Name": name,
                "can_create": cfg.get("can_create", True),
            }
            for i, (name, cfg) in enumerate(configured.items())
        }
        self.full_text_search = full_text_search
        self.tickets: list[Json] = []
        self.transactions: list[Json] = []
        self.attachments: list[Json] = []

    def authenticate(self, req: Request) -> Any:
        c = req.credentials
        if c and c.scheme == "basic" and self.users.get(c.user or "") == c.secret:
            return c.user
        if c and c.scheme == "token":
            return self.tokens.get(c.secret)
        return None

    def unauthorized(self, req: Request) -> Response:
        return json_response(401, {"message": "Unauthorized"})

    def _link(self, kind: str, ident: Any) -> Json:
        return {"type": kind, "id": str(ident), "_url": f"{self.base_url}{R}/{kind}/{ident}"}

    def _queue(self, ref: Any) -> Json | None:
        ref = str(ref or "")
        by_id = (q for q in self.queues.values() if str(q["id"]) == ref)
        return self.queues.get(ref) or next(by_id, None)

    @route("GET", R + r"/rt")
    def get_rt(self, req: Request) -> Response:
        return json_response(200, {"Version": self.version, "Plugins": []})

    @route("GET", R + r"/queue/(?P<ref>[^/]+)")
    def get_queue(self, req: Request, ref: str) -> Response:
        q = self._queue(ref)
        if q is None:
            return self.not_found()
        links: list[Json] = [{"ref": "self", **self._link("queue", q["id"])}]
        if q["can_create"]:  # real RT links "create" only for users with CreateTicket
            url = f"{self.base_url}{R}/ticket?Queue={q['id']}"
            links.append({"ref": "create", "type": "ticket", "_url": url})
        return json_response(
            200,
            {
                "id": q["id"],
                "Name": q["Name"],
                "Description": "",
                "Disabled": "0",
                "_hyperlinks": links,
            },
        )

    @route("POST", R + r"/ticket")
    def create_ticket(self, req: Request) -> Response:
        body = req.fields
        q = self._queue(body.get("Queue") or req.query.get("Queue"))
        if q is None:
            return self.error(400, {"message": "Could not create ticket. Queue not set"})
        if not q["can_create"]:
            msg = f"No permission to create tickets in the queue '{q['Name']}'"
            return self.error(400, {"message": msg})
        tid = len(self.tickets) + 1
        self.tickets.append(
            {
                "id": tid,
                "Queue": q["Name"],
                "Subject": body.get("Subject", ""),
                "Content": body.get("Content", ""),
                "ContentType": body.get("ContentType", "text/plain"),
                "Status": body.get("Status", "new"),
                "Creator": req.identity,
            }
        )
        txn = {"id": len(self.transactions) + 1, "Type": "Create", "ObjectId": tid}
        self.transactions.append(txn)
        content = str(body.get("Content", ""))
        self.attachments.append(
            {"id": len(self.attachments) + 1, "TransactionId": txn["id"], "Content": content}
        )
        link = self._link("ticket", tid)
        return json_response(201, link, {"Location": link["_url"]}, created=True)

    def _ticket_json(self, t: Json) -> Json:
        q = self.queues[t["Queue"]]
        return {
            "id": t["id"],
            "Subject": t["Subject"],
            "Status": t["Status"],
            "Type": "ticket",
            "Queue": self._link("queue", q["id"]),
            "Creator": self._link("user", t["Creator"]),
            "_hyperlinks": [{"ref": "self", **self._link("ticket", t["id"])}],
        }

    @route("GET", R + r"/ticket/(?P<tid>\d+)")
    def get_ticket(self, req: Request, tid: str) -> Response:
        t = next((t for t in self.tickets if t["id"] == int(tid)), None)
        return json_response(200, self._ticket_json(t)) if t else self.not_found()

    def _matches(self, t: Json, field: str, op: str, value: str) -> bool:
        if field == "Content" and not self.full_text_search:
            return False  # RT limits to id = 0 when full-text search is off
        actual = str(t["id"] if field == "id" else t[field])
        if field == "Queue" and value.isdigit():
            actual = str(self.queues[t["Queue"]]["id"])
        hit = value.lower() in actual.lower() if "LIKE" in op else value.lower() == actual.lower()
        return not hit if op.startswith(("!", "NOT")) else hit

    @route("GET", R + r"/tickets")
    def search_tickets(self, req: Request) -> Response:
        query = req.query.get("query", "")
        parts = [c for c in re.split(r"\s+AND\s+", query.strip(), flags=re.I) if c.strip()]
        clauses = [m for m in map(CLAUSE.fullmatch, parts) if m and m.group(1).lower() in FIELDS]
        if not parts or len(clauses) != len(parts):
            return self.error(400, {"message": f"Invalid query: {query!r}"})
        found = self.tickets
        for m in clauses:
            field = FIELDS[m.group(1).lower()]
            op = re.sub(r"\s+", " ", m.group(2).upper())
            value = next(g for g in m.groups()[2:] if g is not None)
            found = [t for t in found if self._matches(t, field, op, value)]
        items = [self._link("ticket", t["id"]) for t in found]
        return json_response(
            200,
            {
                "count": len(items),
                "page": 1,
                "pages": 1 if items else 0,
                "per_page": 20,
                "total": len(items),
                "items": items,
            },
        )

    @staticmethod
    def _collection(items: list[Json]) -> Json:
        return {
            "count": len(items),
            "page": 1,
            "pages": 1 if items else 0,
            "per_page": 20,
            "total": len(items),
            "items": items,
        }

    @route("GET", R + r"/attachments")
    def search_attachments(self, req: Request) -> Response:
        """JSON search; only ``Content`` with ``LIKE`` (SQL LIKE, whatever full-text says)."""
        try:
            search = json.loads(req.query.get("query", "[]"))
        except ValueError:
            return self.error(400, {"message": "JSON object expected"})
        found = self.attachments
        for clause in search if isinstance(search, list) else []:
            if clause.get("field") != "Content" or clause.get("operator") != "LIKE":
                return self.error(400, {"message": f"Unsupported search clause {clause!r}"})
            found = [a for a in found if str(clause["value"]).lower() in a["Content"].lower()]
        fields = [f for f in req.query.get("fields", "").split(",") if f]
        items = [
            {**self._link("attachment", a["id"]), **{f: str(a[f]) for f in fields if f in a}}
            for a in found
        ]
        return json_response(200, self._collection(items))

    @route("GET", R + r"/attachment/(?P<aid>\d+)")
    def get_attachment(self, req: Request, aid: str) -> Response:
        a = next((a for a in self.attachments if a["id"] == int(aid)), None)
        if a is None:
            return self.not_found()
        content = base64.b64encode(a["Content"].encode()).decode()
        return json_response(
            200,
            {
                "id": a["id"],
                "ContentType": "text/plain",
                "Content": content,
                "TransactionId": self._link("transaction", a["TransactionId"]),
            },
        )

    @route("GET", R + r"/transaction/(?P<txn>\d+)")
    def get_transaction(self, req: Request, txn: str) -> Response:
        t = next((t for t in self.transactions if t["id"] == int(txn)), None)
        if t is None:
            return self.not_found()
        return json_response(
            200,
            {
                "id": t["id"],
                "Type": t["Type"],
                "Object": self._link("ticket", t["ObjectId"]),
                **({"Creator": self._link("user", t["Creator"])} if t.get("Creator") else {}),
                **({"Created": t["Created"]} if t.get("Created") else {}),
            },
        )

    # ---- conversations: reply, comment, status ------------------------------------
    def _reply(self, req: Request, tid: str, kind: str, said: str) -> Response:
        t = next((t for t in self.tickets if t["id"] == int(tid)), None)
        if t is None:
            return self.not_found()
        body = req.fields
        content = str(body.get("Content") or "")
        if not content:
            return self.error(400, {"message": "No content"})
        txn = {
            "id": len(self.transactions) + 1,
            "Type": kind,
            "ObjectId": t["id"],
            "Creator": str(req.identity),
            "Created": "2026-01-02T03:04:05Z",
        }
        self.transactions.append(txn)
        self.attachments.append(
            {"id": len(self.attachments) + 1, "TransactionId": txn["id"], "Content": content}
        )
        return json_response(201, [said], created=True)

    @route("POST", R + r"/ticket/(?P<tid>\d+)/correspond")
    def correspond(self, req: Request, tid: str) -> Response:
        return self._reply(req, tid, "Correspond", "Correspondence added")

    @route("POST", R + r"/ticket/(?P<tid>\d+)/comment")
    def comment(self, req: Request, tid: str) -> Response:
        return self._reply(req, tid, "Comment", "Comments added")

    @route("PUT", R + r"/ticket/(?P<tid>\d+)")
    def update_ticket(self, req: Request, tid: str) -> Response:
        """Only ``Status``; RT answers 200 with a message per change."""
        t = next((t for t in self.tickets if t["id"] == int(tid)), None)
        if t is None:
            return self.not_found()
        body = req.fields
        status = body.get("Status")
        if status is None or status == t["Status"]:
            return json_response(200, [])
        if status not in ("new", "open", "stalled", "resolved", "rejected", "deleted"):
            return json_response(200, [f"Status '{status}' isn't a valid status for this ticket."])
        old, t["Status"] = t["Status"], status
        return json_response(200, [f"Ticket {tid}: Status changed from '{old}' to '{status}'"])
