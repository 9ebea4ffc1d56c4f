"""The Procfile's `release:` step leaves a fresh production database ready for the app: schema and seed data,
so importing centers for the app's project works right after the first deploy."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "centers-2022-sample.csv"


def _env(tmp_path) -> dict:
    # A database no test has migrated: the release step must do everything.
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/fresh.db", PENHAS_DATA_DIR=str(tmp_path),
               PYTHONPATH=str(ROOT))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return env


def _penhas(env, *args):
    return subprocess.run([sys.executable, "-m", "penhas_cli.main", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
def test_release_step_leaves_a_fresh_database_ready(tmp_path):
    env = _env(tmp_path)
    _penhas(env, "db", "migrate")
    r = _penhas(env, "centers", "import", str(SAMPLE), "--add-project", "Penhas")
    assert r.returncode == 1
    said = " ".join(r.stderr.split())
    assert "no projects yet" in said and "`penhas fixtures load`" in said, r.stderr

    release = next(l for l in (ROOT / "Procfile").read_text().splitlines() if l.startswith("release:"))
    command = release.split(":", 1)[1].strip().replace("penhas ", f"{sys.executable} -m penhas_cli.main ")
    for _ in range(2):  # every deploy runs it: the second run changes nothing and still succeeds
        r = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
    r = _penhas(env, "centers", "import", str(SAMPLE), "--add-project", "Penhas", "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    assert '"inserted": 4' in r.stdout
