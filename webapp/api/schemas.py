"""Component schemas of the OpenAPI document: the API's bodies and each system's params."""

from __future__ import annotations

from typing import Any

from webapp.api.serializers import MASK
from webapp.models.ticket import TITLE_MAX_LENGTH
from webapp.schema.jsonschema import params_schema
from webapp.trackers.system import System


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _params_name(system: System, partial: bool = False) -> str:
    return f"{system.id}_params{'_update' if partial else ''}"


def _system_schemas(systems: list[System]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for system in systems:
        full = params_schema(system)
        # A PATCH may leave any param out (it keeps its stored value), so the update
        # schema drops `required` and the conditional requirements in `allOf`.
        partial = params_schema(system, secrets_optional=True)
        partial = {k: v for k, v in partial.items() if k not in ("required", "allOf")}
        for name, schema in ((_params_name(system), full), (_params_name(system, True), partial)):
            # $id would make the schema a separate resource; the document is the resource.
            schemas[name] = {k: v for k, v in schema.items() if k not in ("$id", "$schema")}
    return schemas


def _per_system(
    systems: list[System], fields: dict[str, Any], required: tuple[str, ...] = ("name",)
) -> list[dict[str, Any]]:
    """One body schema per system, pairing ``system.id`` with that system's params, so
    that ``oneOf`` picks exactly one and GitHub params sent for Jira are invalid."""
    return [
        {
            "type": "object",
            "title": system.name,
            "required": [*required, "system", "params"],
            "properties": {
                **fields,
                "system": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"const": system.id}},
                },
                "params": ref(_params_name(system)),
            },
        }
        for system in systems
    ]


def components(systems: list[System]) -> dict[str, Any]:
    system_ids = [system.id for system in systems]
    summary = {
        "type": "object",
        "required": ["id", "short_name", "name"],
        "properties": {key: {"type": "string"} for key in ("id", "short_name", "name")},
    }
    system_ref = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string", "enum": system_ids}},
        "description": "The system; only `id` is read, other keys are ignored.",
    }
    # anyOf, not oneOf: partial schemas overlap (`{}` fits every system).
    update_params = {"anyOf": [ref(_params_name(s, True)) for s in systems]}
    name = {"type": "string", "minLength": 1, "maxLength": 100}
    boolean = {"type": "boolean", "default": False}
    return {
        "securitySchemes": {
            "Token": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": 'Send `Authorization: Token <key>` (`Token "<key>"` works too). '
                "Create keys on your account page or with `flask tokens create`.",
            }
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["detail"],
                "properties": {
                    "detail": {"type": "string"},
                    "errors": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "SystemSummary": summary,
            "SystemRef": system_ref,
            "System": {
                **summary,
                "required": [*summary["required"], "params_schema"],
                "properties": {**summary["properties"], "params_schema": {"type": "object"}},
            },
            "Connector": {
                "type": "object",
                "required": [
                    "id",
                    "name",
                    "system",
                    "inaccessible",
                    "params",
                    "secure_fields",
                    "version",
                ],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "system": ref("SystemSummary"),
                    "inaccessible": {"type": "boolean"},
                    "params": {
                        "type": "object",
                        "description": f"Every stored param; stored secrets read `{MASK}`.",
                    },
                    "secure_fields": {
                        "type": "object",
                        "description": "The secrets that are stored, each `true`.",
                        "additionalProperties": {"const": True},
                    },
                    "version": {"type": "integer", "description": "Send as `If-Match`."},
                    "webhook": ref("WebhookStatus"),
                },
            },
            "WebhookStatus": {
                "type": "object",
                "description": "Where the tracker posts events; the secret is never shown "
                "here (rotate it to get a new one).",
                "properties": {
                    "url": {
                        "type": ["string", "null"],
                        "description": "null until a secret is generated, or when the "
                        "tracker sends no webhooks.",
                    },
                    "configured": {"type": "boolean"},
                    "last_received_at": {"type": ["string", "null"], "format": "date-time"},
                    "events_received": {"type": "integer"},
                },
            },
            "WebhookSecret": {
                "type": "object",
                "required": ["url", "secret"],
                "properties": {
                    "url": {"type": "string"},
                    "secret": {
                        "type": "string",
                        "description": "Shown in this answer only: paste it into the tracker.",
                    },
                },
            },
            "ConnectorCreate": {
                "description": "One shape per system: `params` must suit `system.id`.",
                "oneOf": _per_system(systems, {"name": name, "inaccessible": boolean}),
            },
            "ConnectorUpdate": {
                "type": "object",
                "description": f"Params given replace those keys; others, and secrets left "
                f"out or sent as `{MASK}`, keep their stored values.",
                "properties": {
                    "name": name,
                    "system": ref("SystemRef"),
                    "inaccessible": {"type": "boolean"},
                    "params": update_params,
                },
            },
            "ConnectorVersion": {
                "type": "object",
                "required": [
                    "number",
                    "at",
                    "by",
                    "via",
                    "name",
                    "params",
                    "categories",
                    "inaccessible",
                    "disabled",
                    "secure_fields",
                    "secrets_changed",
                    "changes",
                ],
                "properties": {
                    "number": {"type": "integer", "description": "1, 2, 3 … per connector."},
                    "at": {"type": "string", "format": "date-time"},
                    "by": {
                        "type": "object",
                        "properties": {
                            "id": {"type": ["integer", "null"]},
                            "email": {"type": ["string", "null"]},
                        },
                    },
                    "via": {
                        "type": "string",
                        "description": "Where the change was made: page, api, cli, import, "
                        "restore, … (`migration`: recorded when history began).",
                    },
                    "name": {"type": "string"},
                    "params": {"type": "object", "description": "Non-secret params only."},
                    "categories": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                key: {"type": "string"} for key in ("name", "label", "colour")
                            },
                        },
                    },
                    "inaccessible": {"type": "boolean"},
                    "disabled": {"type": "boolean"},
                    "secure_fields": {
                        "type": "object",
                        "description": "The secrets stored in this version, each `true`.",
                        "additionalProperties": {"const": True},
                    },
                    "secrets_changed": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Names of secrets this change set, changed or removed.",
                    },
                    "changes": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "What differs from the version before: `name`, "
                        "`params.<name>`, `categories`, `inaccessible`, `disabled`, "
                        "`secrets.<name>`.",
                    },
                    "restored_from": {"type": ["integer", "null"]},
                    "note": {"type": ["string", "null"]},
                },
            },
            "ConnectorRestoreBody": {
                "type": "object",
                "properties": {
                    "params": {
                        "type": "object",
                        "description": "Secrets only, when the stored ones cannot be kept "
                        "(see 409); other values come from the version.",
                    }
                },
            },
            "ConnectorRestore": {
                "type": "object",
                "required": ["version", "connector"],
                "properties": {
                    "version": ref("ConnectorVersion"),
                    "connector": ref("Connector"),
                },
            },
            "ConnectorTest": {
                "description": "Settings to test, shaped like a new connector's.",
                "oneOf": _per_system(systems, {"name": {"type": "string"}}, required=()),
            },
            "TestResult": {
                "type": "object",
                "required": ["success"],
                "properties": {
                    "success": {"type": "boolean"},
                    "contacted": {
                        "type": "boolean",
                        "description": "False when nothing was sent to the tracker's address.",
                    },
                    "failed_stage": {"type": ["string", "null"]},
                    "summary": {"type": "string"},
                    "stages": {"type": "array", "items": {"type": "object"}},
                },
            },
            "Ticket": {
                "type": "object",
                "required": ["id", "connector", "system", "status", "title", "final_title"],
                "properties": {
                    "id": {"type": "integer"},
                    "connector": {"type": "object"},
                    "system": {"type": "string"},
                    "status": {"enum": ["pending", "sending", "sent", "failed", "discarded"]},
                    "title": {"type": "string"},
                    "final_title": {"type": "string"},
                    "external_key": {"type": ["string", "null"]},
                    "external_url": {
                        "type": ["string", "null"],
                        "description": "The issue's http(s) link; null when the tracker "
                        "gave none, or another kind of URL.",
                    },
                    "last_error": {"type": ["string", "null"]},
                    "tracker_state": {
                        "enum": ["open", "closed", None],
                        "description": "The issue's state as the tracker last told it "
                        "(webhook or sync); null until it has.",
                    },
                    "tracker_updated_at": {"type": ["string", "null"], "format": "date-time"},
                    "tracker_labels": {"type": ["array", "null"], "items": {"type": "string"}},
                    "tracker_assignees": {
                        "type": ["array", "null"],
                        "items": {"type": "string"},
                    },
                    "reporter": {
                        "type": ["object", "null"],
                        "description": "Who reported it from outside the dashboard (a "
                        "Discord member: source, their id there, their name then); null when "
                        "a dashboard user raised it.",
                        "properties": {
                            "source": {"type": "string"},
                            "id": {"type": ["string", "null"]},
                            "name": {"type": ["string", "null"]},
                        },
                    },
                    "comments": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Comment"},
                    },
                },
            },
            "Comment": {
                "type": "object",
                "required": ["id", "direction", "author", "body", "created_at"],
                "properties": {
                    "id": {"type": "integer"},
                    "direction": {
                        "enum": ["inbound", "outbound"],
                        "description": "inbound: written on the tracker; outbound: sent from here.",
                    },
                    "author": {"type": "string"},
                    "body": {"type": "string"},
                    "internal": {"type": "boolean"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "status": {
                        "enum": ["pending", "sending", "sent", "failed", None],
                        "description": "Delivery of an outbound comment; null for inbound ones.",
                    },
                    "last_error": {"type": ["string", "null"]},
                    "external_id": {
                        "type": ["string", "null"],
                        "description": "The tracker's id of the comment, once known.",
                    },
                    "via": {"type": "string", "description": "page, api, discord, webhook, sync…"},
                    "attempts": {"type": "integer"},
                    "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
                },
            },
            "CommentCreate": {
                "type": "object",
                "required": ["body"],
                "properties": {
                    "body": {"type": "string", "minLength": 1},
                    "internal": {
                        "type": "boolean",
                        "default": False,
                        "description": "Only the tracker's people see it (GitLab internal "
                        "note, RT comment rather than reply); refused where the tracker "
                        "has no internal comments.",
                    },
                },
            },
            "TicketCreate": {
                "type": "object",
                "required": ["connector", "title"],
                "properties": {
                    "connector": {"type": "object", "properties": {"id": {"type": "integer"}}},
                    "title": {"type": "string", "maxLength": TITLE_MAX_LENGTH},
                    "description": {"type": "string"},
                    "category": {"type": "string"},
                    "fields": {"type": "object", "description": "The system's ticket fields."},
                    "idempotency_key": {
                        "type": "string",
                        "description": "Send the same key again and get the same ticket.",
                    },
                },
            },
            **_system_schemas(systems),
        },
    }
