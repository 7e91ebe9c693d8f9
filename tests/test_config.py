import os
import stat

from cryptography.fernet import Fernet

from webapp import create_app
from webapp.config import settings_from_environment


def clear_key_env(monkeypatch):
    for name in ("SECRET_KEY", "CONNECTOR_SECRETS_KEY", "DATABASE_URL", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def test_missing_keys_are_generated_once_into_private_files(tmp_path, monkeypatch):
    clear_key_env(monkeypatch)
    first = settings_from_environment(str(tmp_path))
    second = settings_from_environment(str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 64
    Fernet(first["CONNECTOR_SECRETS_KEY"].encode())  # a valid Fernet key
    for name in ("secret_key", "connector_secrets.key"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600


def test_each_installation_gets_its_own_keys(tmp_path, monkeypatch):
    clear_key_env(monkeypatch)
    one = settings_from_environment(str(tmp_path / "one"))
    two = settings_from_environment(str(tmp_path / "two"))
    assert one["SECRET_KEY"] != two["SECRET_KEY"]
    assert one["CONNECTOR_SECRETS_KEY"] != two["CONNECTOR_SECRETS_KEY"]


def test_environment_overrides_and_defaults(tmp_path, monkeypatch):
    clear_key_env(monkeypatch)
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    settings = settings_from_environment(str(tmp_path))
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:///elsewhere.db"
    assert not (tmp_path / "secret_key").exists()


def test_default_database_lives_in_the_instance_folder(tmp_path, monkeypatch):
    clear_key_env(monkeypatch)
    settings = settings_from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/connector_desk.db"


def test_debug_is_off_unless_asked_for(tmp_path, monkeypatch):
    clear_key_env(monkeypatch)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.debug is False
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert settings_from_environment(str(tmp_path))["DEBUG"] is True


def test_delivery_settings_have_defaults_and_come_from_the_environment(tmp_path, monkeypatch):
    clear_key_env(monkeypatch)
    for name in ("DELIVERY_LEASE_SECONDS", "DELIVERY_BATCH_SIZE", "EMBEDDED_WORKER"):
        monkeypatch.delenv(name, raising=False)
    defaults = settings_from_environment(str(tmp_path))
    assert defaults["DELIVERY_LEASE_SECONDS"] == 120.0
    assert defaults["DELIVERY_BATCH_SIZE"] == 5
    assert defaults["EMBEDDED_WORKER"] is True
    monkeypatch.setenv("DELIVERY_LEASE_SECONDS", "30")
    monkeypatch.setenv("DELIVERY_BATCH_SIZE", "2")
    monkeypatch.setenv("EMBEDDED_WORKER", "0")
    settings = settings_from_environment(str(tmp_path))
    assert settings["DELIVERY_LEASE_SECONDS"] == 30.0
    assert settings["DELIVERY_BATCH_SIZE"] == 2
    assert settings["EMBEDDED_WORKER"] is False
