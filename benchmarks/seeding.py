"""Many connectors fast: one bulk INSERT instead of the service's per-row work.

The rows look like what the service writes (params, an encrypted secret, an editor), so a
page that loads too much or queries per row shows it; only the per-row encryption and
audit entries are skipped, because 10,000 of them would take minutes and measure nothing.
"""

from __future__ import annotations

from sqlalchemy import insert

from tests.factories import make_user
from tests.support.connector_data import api_params
from webapp.extensions import db
from webapp.models import Connector, User
from webapp.models.base import utcnow
from webapp.names import name_key
from webapp.services.secrets import encrypt_secrets
from webapp.services.systems import get_system

EDITORS = 50
BATCH = 1000


def seed_connectors(count: int, editors: int = EDITORS, start: int = 0) -> list[User]:
    """Insert ``count`` GitLab and Jira connectors edited by ``editors`` different users;
    a second call adds more from number ``start`` on (the count of the first)."""
    users = [
        make_user(f"editor{start + index}@example.com") for index in range(min(editors, count))
    ]
    ciphertext = encrypt_secrets({"issue_tracker_api_token": "glpat-bench-token"})
    params = {}
    for system_id in ("gitlab", "jira"):
        secret_names = get_system(system_id).secret_field_names
        params[system_id] = {
            name: value for name, value in api_params(system_id).items() if name not in secret_names
        }
    now = utcnow()
    rows = []
    for index in range(start, start + count):
        system_id = "gitlab" if index % 2 else "jira"
        editor = users[index % len(users)]
        name = f"conn {index:05d}"
        rows.append(
            {
                "name": name,
                "name_key": name_key(name),
                "system_id": system_id,
                "params": params[system_id],
                "secrets_ciphertext": ciphertext,
                "secret_names": ["issue_tracker_api_token"],
                "inaccessible": False,
                "disabled": False,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "created_by_id": editor.id,
                "updated_by_id": editor.id,
                "delivery_failures": 0,
            }
        )
        if len(rows) == BATCH:
            db.session.execute(insert(Connector), rows)
            rows = []
    if rows:
        db.session.execute(insert(Connector), rows)
    db.session.commit()
    return users
