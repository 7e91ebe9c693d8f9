"""Credential-shaped text never reaches log output, whichever logger writes it."""

from __future__ import annotations

import logging

import pytest

from webapp import log_redaction
from webapp.log_redaction import MASK, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Basic dXNlcjpwYXNz", f"Authorization: Basic {MASK}"),
        ("authorization=Bearer abc.def", f"authorization=Bearer {MASK}"),
        ("{'Authorization': 'Token cdk_123'}", f"{{'Authorization': 'Token {MASK}'}}"),
        ("PRIVATE-TOKEN: glpat-123", f"PRIVATE-TOKEN: {MASK}"),
        ("user=root&password=s3cret&next=/", f"user=root&password={MASK}&next=/"),
        ('{"issue_tracker_pass": "hunter2"}', f'{{"issue_tracker_pass": "{MASK}"}}'),
        ("GET https://root:s3cret@rt.example.com/x", f"GET https://root:{MASK}@rt.example.com/x"),
    ],
)
def test_credentials_are_masked(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Connector 3 saved by admin@example.com", "tokens: 3 active", "secrets_changed=['x']"],
)
def test_ordinary_text_is_left_alone(text):
    assert redact(text) == text


def test_records_of_any_logger_are_redacted(app, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3.somewhere").debug("headers %s", {"PRIVATE-TOKEN": "glpat-LEAK"})
    app.logger.info("calling https://bob:LEAK-pass@example.com/")
    assert "LEAK" not in caplog.text
    assert MASK in caplog.text


def test_tracebacks_are_redacted(app, caplog):
    try:
        raise RuntimeError("request failed with Authorization: Bearer LEAK-bearer")
    except RuntimeError:
        logging.getLogger("webapp.anything").exception("Delivery failed")
    assert "LEAK-bearer" not in caplog.text
    assert "Delivery failed" in caplog.text and "RuntimeError" in caplog.text


def test_installing_twice_wraps_the_factory_once(app):
    factory = logging.getLogRecordFactory()
    log_redaction.install()
    assert logging.getLogRecordFactory() is factory
