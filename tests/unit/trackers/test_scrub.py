"""Secrets are removed from every text, in every spelling a tracker might echo."""

from __future__ import annotations

import base64
from urllib.parse import quote, quote_plus

from tests.unit.trackers.specs import SPECS
from webapp.outbound.results import Stage, StageResult, StageStatus
from webapp.outbound.scrub import MASK, scrub, scrub_result, shorten
from webapp.trackers import check_connection

SECRET = "s3cr3t+/=&é"


def test_raw_secret_is_masked() -> None:
    assert scrub(f"token {SECRET} rejected", [SECRET]) == f"token {MASK} rejected"


def test_url_encoded_forms_are_masked() -> None:
    text = f"url=?t={quote(SECRET, safe='')} or {quote_plus(SECRET)}"

    assert SECRET not in scrub(text, [SECRET])
    assert scrub(text, [SECRET]) == f"url=?t={MASK} or {MASK}"


def test_basic_auth_credential_is_masked_when_the_user_is_known() -> None:
    pair = base64.b64encode(f"root:{SECRET}".encode()).decode()
    scrubbed = scrub(f"Authorization: Basic {pair}", [SECRET], user="root")

    assert scrubbed == f"Authorization: Basic {MASK}"


def test_escaped_forms_from_reprs_and_json_are_masked() -> None:
    secret = 'new\nline"quote'

    assert scrub(repr({"a": secret}), [secret]) == "{'a': '" + MASK + "'}"
    assert scrub('{"a": "new\\nline\\"quote"}', [secret]) == '{"a": "' + MASK + '"}'


def test_empty_secrets_are_ignored() -> None:
    assert scrub("nothing to hide", ["", None or ""]) == "nothing to hide"


def test_longer_secret_is_masked_whole_when_it_contains_a_shorter_one() -> None:
    assert scrub("abcd-abcdefgh", ["abcd", "abcdefgh"]) == f"{MASK}-{MASK}"


def test_shorten_collapses_whitespace_and_caps_at_500_characters() -> None:
    long = "word\n\n  " * 200

    short = shorten(long)

    assert len(short) == 500 and short.endswith("…")
    assert "\n" not in short and "  " not in short


def test_scrub_result_cleans_message_tracker_message_and_hint() -> None:
    result = StageResult(
        Stage.AUTHENTICATE,
        StageStatus.FAILED,
        f"m {SECRET}",
        401,
        f"t {SECRET} " + "x" * 600,
        hint=f"h {SECRET}",
    )

    cleaned = scrub_result(result, [SECRET], user=None)

    assert SECRET not in cleaned.message + (cleaned.tracker_message or "") + (cleaned.hint or "")
    assert len(cleaned.tracker_message or "") == 200


# ---- what counts as the secret: whole values of a sensible length -----------


def test_a_one_letter_secret_masks_nothing() -> None:
    text = "Could not connect to jira.example.com:8443: check the port."

    assert scrub(text, ["p"]) == text
    assert scrub(text, ["por"]) == text  # shorter than MIN_SECRET_LENGTH


def test_a_secret_inside_another_word_is_left_alone() -> None:
    assert scrub("report the port, port=8443", ["port"]) == f"report the {MASK}, {MASK}=8443"


def test_a_secret_after_a_percent_escape_is_still_masked() -> None:
    assert scrub("GET /login?next=%2Fx%3Dhunter2", ["hunter2"]) == f"GET /login?next=%2Fx%3D{MASK}"


def test_masks_are_never_masked_again() -> None:
    assert scrub("token ***** and ****", ["****", "*****"]) == f"token {MASK} and {MASK}"


def test_a_one_letter_password_leaves_the_check_messages_readable(api, settings) -> None:
    spec = next(spec for spec in SPECS if spec.id == "jira")
    spec.serve(api, **{spec.auth_path: {"status": 401, "json": spec.error_body("Wrong password")}})
    secrets = {"issue_tracker_pass": "p"}

    result = check_connection(spec.system, spec.params, secrets, settings)

    auth = result.stage(Stage.AUTHENTICATE)
    assert MASK not in auth.message + (auth.tracker_message or "")
    assert auth.tracker_message == "Wrong password"
