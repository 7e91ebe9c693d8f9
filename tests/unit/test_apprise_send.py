"""The Apprise bridge: which URLs make a channel, how Retry-After reads, what is masked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webapp.outbound.apprise_send import (
    ChannelURLError,
    check_url,
    mask_pieces,
    retry_after_seconds,
    secret_pieces,
)


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("discord://4242424242/webhook-token", "discord"),
        ("json://127.0.0.1:8080/hook", "json"),
        ("jsons://hooks.example.com/in", "jsons"),
        ("mailto://user:password@example.com", "mailto"),
        ("matrix://user:password@matrix.example.com/#room", "matrix"),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", "slack"),
    ],
)
def test_services_apprise_knows_are_accepted(url, scheme):
    assert check_url(url) == scheme


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("gopher://example.com/", "does not know the scheme “gopher://”"),
        ("windows://", "does not know the scheme"),  # a desktop pop-up, not a service
        ("discord://only-an-id", "incomplete or malformed"),
        ("https://example.com/hook", "does not know the scheme"),
        ("not a url", "Enter an Apprise URL"),
        ("json://" + "a" * 2000, "at most 2000"),
    ],
)
def test_other_urls_get_a_reason_that_does_not_quote_them(url, words):
    with pytest.raises(ChannelURLError) as raised:
        check_url(url)
    assert words in str(raised.value)
    assert "only-an-id" not in str(raised.value)


def test_retry_after_in_seconds_or_as_a_date():
    now = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("30") == 30.0
    assert retry_after_seconds("Sun, 29 Nov 2026 12:01:00 GMT", now) == 60.0
    assert retry_after_seconds("Sun, 29 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("999999") == 3600.0  # capped
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_url_pieces_are_masked_whole():
    url = "discord://4242424242/Webhook-Token-Value?avatar_url=https%3A%2F%2Fx"
    pieces = secret_pieces(url)
    text = "POST https://discord.com/api/webhooks/4242424242/Webhook-Token-Value failed"
    masked = mask_pieces(text, pieces)
    assert "4242424242" not in masked and "Webhook-Token-Value" not in masked
    assert "discord.com/api/webhooks" in masked
