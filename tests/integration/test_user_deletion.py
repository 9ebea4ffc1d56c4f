"""LGPD: after the grace period the housekeeping job leaves nothing of hers in any table.

Tables are discovered from the migrated schema, so a table added later with a ``cliente_id`` column makes this
test fail until its feature adds a seeder to ``tests/deletion_seeders.py``.
"""
from datetime import timedelta

from penhas_api.core.db import database
from penhas_api.core.models import Cliente, DeleteLog
from tasks.base import PERIODIC_JOBS
from tests.deletion_seeders import seed_all
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user

UA = "Android 14/Google Pixel 7/3.7.4"
# Tables allowed to keep her id after deletion: the tombstone that proves it happened.
KEEPS_ID = {"delete_log"}


def tables_with_cliente_id() -> list[str]:
    return sorted(t for t in database.get_tables()
                  if t not in KEEPS_ID and any(c.name == "cliente_id" for c in database.get_columns(t)))


def rows_of(table: str, cliente_id: int) -> int:
    p = database.param
    return database.execute_sql(f"SELECT COUNT(*) FROM {table} WHERE cliente_id = {p}", (cliente_id,)).fetchone()[0]


def run_housekeeping():
    PERIODIC_JOBS["accounts.housekeeping"].task()  # huey immediate mode in tests: runs now, as the consumer would


def test_housekeeping_erases_everything_of_hers_and_nothing_else(client, app, frozen_clock):
    her = make_user()
    other = make_user()
    checks = seed_all(her)
    seed_all(other)
    tables = tables_with_cliente_id()
    assert tables, "no table references clientes?"
    empty = [t for t in tables if rows_of(t, her.id) == 0]
    assert not empty, f"tables without a seeder in tests/deletion_seeders.py: {empty}"
    others_before = {t: rows_of(t, other.id) for t in tables}

    headers = auth_headers(app, her)
    r = client.delete("/me", headers=headers, query_string={"senha_atual": DEFAULT_PASSWORD, "app_version": UA})
    assert r.status_code == 200

    # Within the grace period nothing is erased.
    frozen_clock.advance(days=29, hours=23)
    run_housekeeping()
    assert Cliente.get_or_none(Cliente.id == her.id) is not None

    frozen_clock.advance(hours=2)
    run_housekeeping()
    assert Cliente.get_or_none(Cliente.id == her.id) is None
    left = {t: rows_of(t, her.id) for t in tables if rows_of(t, her.id)}
    assert not left, f"rows of the deleted user left behind: {left}"
    for check in checks:
        check()
    assert {t: rows_of(t, other.id) for t in tables} == others_before

    tombstone = DeleteLog.get(DeleteLog.cliente_id == her.id)
    assert tombstone.reason == "scheduled"
    text = str(tombstone.data)
    for personal in (her.email, her.nome_completo, her.apelido, her.cpf_hash, her.cep):
        assert personal not in text
    # Running again changes nothing.
    run_housekeeping()
    assert DeleteLog.select().count() == 1


def test_reactivated_account_is_not_erased(client, app, frozen_clock):
    her = make_user()
    headers = auth_headers(app, her)
    client.delete("/me", headers=headers, query_string={"senha_atual": DEFAULT_PASSWORD, "app_version": UA})
    token = client.post("/login", query_string={"app_version": UA},
                        data={"email": her.email, "senha": DEFAULT_PASSWORD}).get_json()["session"]
    frozen_clock.advance(days=10)
    assert client.post("/reactivate", query_string={"api_key": token, "app_version": UA}).status_code == 200
    frozen_clock.advance(days=40)
    run_housekeeping()
    assert Cliente.get_by_id(her.id).status == "active"
    assert DeleteLog.select().count() == 0


def test_stalled_deletion_is_retried(frozen_clock):
    her = make_user(status="deleted_scheduled", perform_delete_at=frozen_clock.now - timedelta(days=1),
                    deletion_started_at=frozen_clock.now - timedelta(minutes=10))
    run_housekeeping()
    assert Cliente.get_or_none(Cliente.id == her.id) is not None  # another worker may still be on it
    frozen_clock.advance(hours=1, minutes=1)
    run_housekeeping()
    assert Cliente.get_or_none(Cliente.id == her.id) is None


def test_expired_sessions_are_purged(app, frozen_clock):
    from penhas_api.core.models import ClienteSession

    her = make_user()
    auth_headers(app, her)
    frozen_clock.advance(days=366)
    run_housekeeping()
    assert ClienteSession.select().count() == 0


def test_deleting_from_a_bare_script_removes_her_audio_objects():
    """The erasers are listed, not registered by imports: a process that imported neither the tasks nor the API
    (a one-off script) still removes her recordings from storage, and `penhas health` lines are there too."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.deletion_seeders import seed_audio

    her = make_user()
    objects_gone = seed_audio(her)
    database.close()  # the script is another process on the same database
    script = ("import sys\n"
              "from penhas_api.core.db import connection\n"
              "from penhas_api.core.services import accounts\n"
              "with connection():\n"
              f"    assert accounts.erase_user({her.id}, reason='operator')\n"
              "from penhas_api.core.services import health\n"
              "assert 'geocoder' in health.EXTRA_CHECKS\n"
              "assert not [m for m in sys.modules if m == 'tasks' or m.startswith(('tasks.', 'penhas_api.views'))]\n")
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=root, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert Cliente.get_or_none(Cliente.id == her.id) is None
    objects_gone()
