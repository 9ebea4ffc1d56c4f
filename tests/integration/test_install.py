"""`pip install .` into a fresh virtualenv, then `penhas serve` from another directory, migrates, seeds and serves
(sql/ and fixtures/ ship inside the package). .ci/run runs the same script once before the test runs and sets
PENHAS_INSTALL_CHECKED, so CI does not build the package three times."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("PENHAS_INSTALL_CHECKED") == "1", reason=".ci/run already ran .ci/install-check")
def test_installed_package_migrates_and_serves_from_any_directory():
    r = subprocess.run(["bash", str(ROOT / ".ci" / "install-check")], env=dict(os.environ, PYTHON=sys.executable),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "install check passed" in r.stdout, (r.stdout + r.stderr)[-3000:]
