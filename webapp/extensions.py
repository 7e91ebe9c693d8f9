"""Extension objects, created unbound and attached to the app in create_app()."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints keep migrations identical on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"


def init_app(app) -> None:
    """Bind every extension to ``app``; the login guard must run before CSRF checks."""
    from webapp import models  # noqa: F401  (register the tables with the metadata)
    from webapp.services import rate_limits
    from webapp.web.access import install_login_guard
    from webapp.web.sessions import SecureWhenHttpsSessionInterface

    db.init_app(app)
    from webapp import PROJECT_ROOT

    # Batch mode lets SQLite alter tables; compare_type keeps the schema test strict.
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    app.session_interface = SecureWhenHttpsSessionInterface()
    install_login_guard(app)
    csrf.init_app(app)
    rate_limits.init_app(app)  # one limiter per app: its memory storage is not shared
