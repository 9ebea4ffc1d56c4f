"""The data dir is private (issue 11, item 9): 0700, every file in it 0600 whatever the umask the service was
started with, and `penhas health` says so (or says what is readable)."""
import json
import stat
import subprocess
import sys

from penhas_api.core import data_dir as data_dir_module
from tests.embedded_server import ROOT, embedded_env


def penhas(data_dir, *args):
    # umask 022, as a login shell usually has: what the service creates must not depend on it.
    return subprocess.run(["sh", "-c", 'umask 022; exec "$@"', "sh", sys.executable, "-m", "penhas_cli.main", *args],
                          env=embedded_env(data_dir), cwd=ROOT, capture_output=True, text=True, timeout=120)


def modes(root):
    return {str(p.relative_to(root.parent)): stat.S_IMODE(p.lstat().st_mode) for p in [root, *root.rglob("*")]}


def data_dir_check(data_dir):
    r = penhas(data_dir, "health", "--json")
    return next(c for c in json.loads(r.stdout)["checks"] if c["name"] == "data_dir")


def test_every_file_the_service_creates_is_private(tmp_path):
    data_dir = tmp_path / "var"
    assert penhas(data_dir, "db", "migrate").returncode == 0
    assert penhas(data_dir, "health").returncode in (0, 1)  # opens the queue's database too
    found = modes(data_dir)
    assert "var/penhas.db" in found and "var/huey.db" in found, found
    loose = {name: oct(mode) for name, mode in found.items()
             if mode & 0o077 or (mode != 0o700 if (tmp_path / name).is_dir() else mode != 0o600)}
    assert not loose, loose
    assert data_dir_check(data_dir)["ok"]


def test_health_names_what_is_readable_and_start_up_tightens_it(tmp_path):
    data_dir = tmp_path / "var"
    assert penhas(data_dir, "db", "migrate").returncode == 0
    data_dir.chmod(0o755)
    (data_dir / "penhas.db").chmod(0o644)
    (data_dir / "old-export.csv").write_text("x")
    (data_dir / "old-export.csv").chmod(0o644)
    assert {p.split()[0] for p in data_dir_module.problems(data_dir)} == {str(data_dir), "penhas.db", "old-export.csv"}
    # Every door starts by making the dir private again, `penhas health` included, which then finds it so.
    check = data_dir_check(data_dir)
    assert check["ok"], check
    assert not data_dir_module.problems(data_dir)


def test_health_reports_a_readable_data_dir():
    from penhas_api.core.services.health import extra_checks
    from penhas_api.core.settings import get_settings

    loose = get_settings().data_dir / "loose.txt"
    loose.write_text("x")
    loose.chmod(0o644)
    try:
        check = next(c for c in extra_checks() if c.name == "data_dir")
        assert not check.ok and "loose.txt -rw-r--r--" in check.detail
    finally:
        loose.unlink()
