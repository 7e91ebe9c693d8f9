"""The slash commands, declared once: registered with Discord and read by the handler."""

from __future__ import annotations

from typing import Any

TICKET, REPLY, STATUS = "ticket", "reply", "status"
#: Option types (Discord's numbers) and where a command may be used (0: servers only).
STRING_OPTION, CHAT_INPUT, GUILD_CONTEXT = 3, 1, 0
#: The /ticket modal's id, and its inputs' ids.
TICKET_MODAL = "ticket"
TITLE_INPUT, DESCRIPTION_INPUT, CATEGORY_INPUT = "title", "description", "category"
COMMENT_MAX = 2000

_TICKET_OPTION = {
    "type": STRING_OPTION,
    "name": "ticket",
    "description": "The ticket's number here, or its key on the tracker (#12, PROJ-3)",
    "required": True,
    "max_length": 100,
}

COMMANDS: tuple[dict[str, Any], ...] = (
    {
        "name": TICKET,
        "type": CHAT_INPUT,
        "description": "Report a new ticket",
        "contexts": [GUILD_CONTEXT],
    },
    {
        "name": REPLY,
        "type": CHAT_INPUT,
        "description": "Add a comment to a ticket's issue",
        "contexts": [GUILD_CONTEXT],
        "options": [
            _TICKET_OPTION,
            {
                "type": STRING_OPTION,
                "name": "text",
                "description": "Your comment",
                "required": True,
                "max_length": COMMENT_MAX,
            },
        ],
    },
    {
        "name": STATUS,
        "type": CHAT_INPUT,
        "description": "Show a ticket's state, labels and last comment",
        "contexts": [GUILD_CONTEXT],
        "options": [_TICKET_OPTION],
    },
)


def registration_payload() -> list[dict[str, Any]]:
    """The body of Discord's bulk overwrite: every command, so removed ones disappear."""
    return [dict(command) for command in COMMANDS]


def option_values(data: dict[str, Any]) -> dict[str, str]:
    """A command's options as {name: value} (all of ours are strings)."""
    return {
        str(option.get("name")): str(option.get("value", ""))
        for option in data.get("options") or ()
        if isinstance(option, dict)
    }


def modal_values(data: dict[str, Any]) -> dict[str, str]:
    """A submitted modal's text inputs as {custom_id: value}."""
    values: dict[str, str] = {}
    for row in data.get("components") or ():
        for component in (row or {}).get("components") or ():
            if isinstance(component, dict) and "custom_id" in component:
                values[str(component["custom_id"])] = str(component.get("value") or "")
    return values
