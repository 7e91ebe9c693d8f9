"""`flask discord configure` and `flask discord register-commands` (against a fake Discord)."""

from __future__ import annotations

from sqlalchemy import select

from tests.fakes.discord import BOT_TOKEN
from tests.support.discord import ALLOWED_ROLE, APPLICATION_ID, PUBLIC_KEY, set_up_discord
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.services.discord.commands import COMMANDS
from webapp.services.discord.settings import bot_token, integration


def configure(runner, *extra: str, token: str | None = None):
    args = ["discord", "configure", "--application-id", APPLICATION_ID, "--public-key", PUBLIC_KEY]
    if token is not None:
        args.append("--bot-token-stdin")
    return runner.invoke(args=[*args, *extra], input=(token + "\n") if token else None)


def test_configure_saves_the_settings_and_reads_the_token_from_stdin(app, runner, connector):
    result = configure(
        runner, "--connector", str(connector.id), "--role", ALLOWED_ROLE, token=BOT_TOKEN
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"Discord application {APPLICATION_ID} configured.\n"
    row = integration()
    assert (row.application_id, row.public_key) == (APPLICATION_ID, PUBLIC_KEY)
    assert (row.default_connector_id, row.allowed_role_ids) == (connector.id, [ALLOWED_ROLE])
    assert bot_token(row) == BOT_TOKEN
    assert BOT_TOKEN not in row.secrets_ciphertext


def test_configure_without_a_token_or_roles_keeps_the_stored_ones(app, runner):
    set_up_discord(bot_token=BOT_TOKEN)
    result = configure(runner)
    assert result.exit_code == 0, result.output
    row = integration()
    assert bot_token(row) == BOT_TOKEN and row.allowed_role_ids == [ALLOWED_ROLE]


def test_configure_without_roles_says_nobody_can_use_the_commands(app, runner):
    result = configure(runner)
    assert "nobody can use the commands" in result.output


def test_configure_refuses_a_key_that_is_not_an_ed25519_key_in_hex(app, runner):
    result = runner.invoke(
        args=["discord", "configure", "--application-id", "12", "--public-key", "abcd"]
    )
    assert result.exit_code == 1
    assert "public_key: Use 64 hexadecimal digits (4 given)." in result.output
    assert integration() is None


def test_register_commands_overwrites_the_commands_with_the_bot_token(app, runner, discord_api):
    set_up_discord(bot_token=BOT_TOKEN)
    result = runner.invoke(args=["discord", "register-commands"])
    assert result.exit_code == 0, result.output
    assert result.output == "Registered 3 commands: /ticket, /reply, /status.\n"
    [request] = discord_api.requests
    assert request.method == "PUT"
    assert request.path == f"/api/v10/applications/{APPLICATION_ID}/commands"
    assert request.headers["Authorization"] == f"Bot {BOT_TOKEN}"
    assert request.body == list(COMMANDS)
    assert [c["name"] for c in request.body] == ["ticket", "reply", "status"]
    reply = request.body[1]
    assert [(o["name"], o["type"], o["required"]) for o in reply["options"]] == [
        ("ticket", 3, True),
        ("text", 3, True),
    ]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "discord.register_commands")
    )
    assert entry.details == {"commands": 3}


def test_register_commands_with_a_wrong_token_says_so_without_showing_it(app, runner, discord_api):
    set_up_discord(bot_token="a-wrong-token")
    result = runner.invoke(args=["discord", "register-commands"])
    assert result.exit_code == 1
    assert "Discord refused the bot token (401 Unauthorized)" in result.output
    assert "a-wrong-token" not in result.output


def test_register_commands_when_rate_limited_says_when_to_try_again(app, runner, discord_api):
    set_up_discord(bot_token=BOT_TOKEN)
    discord_api.fail_next(
        429,
        {"message": "You are being rate limited.", "retry_after": 12.5, "global": False},
        headers={"Retry-After": "13"},
    )
    result = runner.invoke(args=["discord", "register-commands"])
    assert result.exit_code == 1
    assert "rate-limiting these calls (429): try again in 12.5 seconds" in result.output


def test_register_commands_without_a_bot_token_says_what_to_do(app, runner, discord_api):
    set_up_discord()
    result = runner.invoke(args=["discord", "register-commands"])
    assert result.exit_code == 1
    assert "No bot token is stored" in result.output
    assert discord_api.requests == []


def test_register_commands_when_discord_cannot_be_reached(app, runner):
    from tests.fakes import refused_address

    app.config["DISCORD_API_URL"] = f"http://{refused_address()}/api/v10"
    set_up_discord(bot_token=BOT_TOKEN)
    result = runner.invoke(args=["discord", "register-commands"])
    assert result.exit_code == 1
    assert "Could not reach Discord's API" in result.output
    assert BOT_TOKEN not in result.output
