"""`penhas serve` on an address it cannot bind fails at once, in one line naming it, before doing anything."""
import os
import socket
import subprocess
import sys


def test_serve_on_a_busy_port_fails_in_one_line_naming_it(tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        run = subprocess.run([sys.executable, "-m", "penhas_cli.main", "serve", "--port", str(port), "--no-worker"],
                             env=dict(os.environ, PENHAS_DATA_DIR=str(tmp_path / "data"), COLUMNS="80"),
                             capture_output=True, text=True, timeout=60)
    finally:
        busy.close()
    assert run.returncode == 1
    assert run.stdout == "" and len(run.stderr.strip().splitlines()) == 1, (run.stdout, run.stderr)
    assert f"127.0.0.1:{port} is already in use" in run.stderr
