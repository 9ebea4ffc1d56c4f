"""Run the real `penhas` command in a subprocess (its own settings from the given environment)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def penhas(*args, **env) -> subprocess.CompletedProcess:
    """``env`` overrides the test environment; a value of None removes the variable."""
    full = dict(os.environ, PYTHONPATH=str(ROOT))
    for name, value in env.items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    return subprocess.run([sys.executable, "-m", "penhas_cli.main", *args], cwd=ROOT, env=full, capture_output=True,
                          text=True, timeout=120)
