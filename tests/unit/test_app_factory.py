"""create_app(settings) builds an app on the settings it is given; reading settings never writes a file."""
import sqlite3

import pytest

from penhas_api import create_app
from penhas_api.core.db import database
from penhas_api.core.fixtures import load_fixtures
from penhas_api.core.migrate import migrate
from penhas_api.core.models import Cliente
from penhas_api.core.settings import ConfigError, ensure_secrets, get_settings, load_settings
from tests.helpers import key_for
from tests.factories import auth_headers, make_user


def _settings_in(directory, secret):
    return load_settings({"PENHAS_DATA_DIR": str(directory), "DATABASE_URL": f"sqlite:///{directory}/penhas.db",
                          "SECRET_KEY": secret, "ENCRYPTION_KEY": key_for("e"), "HMAC_KEY": key_for("h"),
                          "BACKUP_KEY": key_for("b"), "RATELIMIT_ENABLED": "0", "LOG_LEVEL": "WARNING"})


def test_two_apps_in_one_process_talk_to_their_own_sqlite_files(tmp_path):
    apps, users = [], []
    for name in ("one", "two"):
        directory = tmp_path / name
        directory.mkdir()
        app = create_app(_settings_in(directory, key_for(f"secret-of-{name}")), config={"TESTING": True})
        with app.app_context():
            assert get_settings().data_dir == directory
            migrate()
            load_fixtures()
            users.append(make_user(apelido=f"apelido {name}"))
            headers = auth_headers(app, users[-1])
            database.close()
        apps.append((app, headers, directory / "penhas.db"))

    for (app, headers, path), user in zip(apps, users):
        body = app.test_client().get("/me", headers=headers).get_json()
        assert body["user_profile"]["apelido"] == user.apelido
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT apelido FROM clientes").fetchall() == [(user.apelido,)]
    # A session of one app means nothing to the other (its own secret and its own sessions table).
    (app_one, headers_one, _), (app_two, _, _) = apps
    assert app_two.test_client().get("/me", headers=headers_one).status_code in (400, 403)
    # Outside the apps' contexts the process's own database and settings are back.
    assert get_settings().data_dir != tmp_path / "one"
    with database.connection_context():
        assert not Cliente.select().where(Cliente.apelido.in_([u.apelido for u in users])).exists()


def test_reading_settings_writes_nothing(tmp_path):
    settings = load_settings({"PENHAS_DATA_DIR": str(tmp_path / "data")})
    assert not (tmp_path / "data").exists()
    assert settings.missing_secrets == ["SECRET_KEY", "ENCRYPTION_KEY", "HMAC_KEY", "BACKUP_KEY"]
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(settings)

    complete = ensure_secrets(settings)
    assert complete.missing_secrets == [] and len(complete.secret_key) == 64
    assert sorted(p.name for p in (tmp_path / "data" / "secrets").iterdir()) == [
        "backup_key", "encryption_key", "hmac_key", "secret_key"]
    assert oct((tmp_path / "data" / "secrets" / "secret_key").stat().st_mode & 0o777) == "0o600"
    # The next read finds them: a restart keeps its keys.
    again = load_settings({"PENHAS_DATA_DIR": str(tmp_path / "data")})
    assert (again.secret_key, again.backup_key) == (complete.secret_key, complete.backup_key)
    assert ensure_secrets(again) == again


@pytest.mark.parametrize("name", ["SMTP_PORT", "TRUSTED_PROXIES", "MAX_GUARDS_INVITES", "MAX_GUARD_ALERT_PER_24H",
                                  "GUARDS_ALLOWED_COUNTRY_CODES"])
def test_a_malformed_number_is_a_configuration_error_naming_the_variable(name):
    with pytest.raises(ConfigError, match=name):
        load_settings({"PENHAS_DATA_DIR": "/nonexistent", name: "abc"})
    assert load_settings({"PENHAS_DATA_DIR": "/nonexistent", "SMTP_PORT": " 2525 "}).smtp_port == 2525
