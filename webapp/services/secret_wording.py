"""The stored-secret rule in words: one wording for the form, its help, the API and errors.

The rule itself is enforced in ``webapp.services.connectors``: a blank secret keeps the
stored one while the server, method and authentication stay the same; after any of
them changes it must be entered again, so a stored secret only ever goes to the server
it was entered for. Editing and copying a connector follow the same rule.
"""

from __future__ import annotations

#: The rule, as one sentence (form footer, README).
RULE = (
    "A blank secret keeps the stored one while the server, method and authentication stay the same."
)
#: Placeholder of a secret input whose stored value is kept when left blank.
PLACEHOLDER = "stored — leave blank to keep"
#: Help under such an input.
STORED_HELP = (
    "Stored — leave blank to keep it while the server, method and authentication stay the same."
)
#: Error when a blank secret cannot keep the stored value because its destination changed.
REENTER_MESSAGE = (
    "Enter it again: the server, method or authentication changed, and a stored "
    "secret is only ever sent to the server it was entered for."
)
#: Help after a failed submit that included a typed secret (it is not sent back).
RETYPE_HELP = "Type it again: secrets are never sent back to the browser."
#: Error and help when the stored value cannot be decrypted with the configured keys.
UNREADABLE_MESSAGE = "The stored value cannot be decrypted — enter it again."
#: The checkbox next to a stored secret.
CLEAR_LABEL = "Clear the stored value"
