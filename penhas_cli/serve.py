import errno
import socket
import subprocess
import sys

import typer

from penhas_api.core import migrate as migrations
from penhas_api.core import serving_lock
from penhas_api.core.fixtures import load_fixtures
from penhas_api.core.settings import get_settings
from penhas_cli.output import console, fail


def _check_port(host: str, port: int) -> None:
    """Fail in one line when the address cannot be bound, before migrating or starting anything (gunicorn
    would announce itself, then retry for seconds and end in a traceback)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        probe.bind((host, port))
    except OSError as exc:
        reason = {errno.EADDRINUSE: "is already in use (another penhas serve?): stop it or pick another --port",
                  errno.EACCES: "needs privileges: pick a port above 1023",
                  errno.EADDRNOTAVAIL: "is not an address of this machine: check --host"}.get(
            exc.errno, f"cannot be bound: {exc.strerror}")
        fail(f"{host}:{port} {reason}")
    finally:
        probe.close()


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(2, help="gunicorn worker processes."),
    threads: int = typer.Option(8, help="Threads per worker process: a slow request holds one thread, not the "
                                         "process (rate limits are per server whatever these numbers)."),
    worker: bool = typer.Option(None, "--worker/--no-worker",
                                help="Also run the job consumer (default: on for the embedded setup, "
                                     "off when REDIS_URL is set, where `penhas worker` runs apart)."),
    setup: bool = typer.Option(True, "--setup/--no-setup", help="Migrate and load fixtures before serving."),
):
    """Serve the API with gunicorn (migrating and loading fixtures first).

    Example: penhas serve --host 0.0.0.0 --port 8000 --workers 2 --threads 8
    """
    from gunicorn.app.base import BaseApplication

    _check_port(host, port)
    if setup:
        migrations.migrate()
        load_fixtures()
        console.print("database ready (migrations applied, fixtures loaded)")
    if worker is None:
        worker = not get_settings().redis_url
    # Held by this process and the workers gunicorn forks: a restore onto this SQLite database sees us.
    serving_lock.hold(get_settings().database_url)
    consumer = None
    if worker:
        consumer = subprocess.Popen([sys.executable, "-m", "penhas_cli.main", "worker"])

    class App(BaseApplication):
        def load_config(self):
            from penhas_api.web_server import gunicorn_settings

            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            for name, value in gunicorn_settings(get_settings().log_level).items():
                self.cfg.set(name, value)
            self.cfg.set("threads", threads)

        def load(self):
            from penhas_api import create_app

            return create_app()

    console.print(f"serving on http://{host}:{port}")
    try:
        App().run()
    finally:
        if consumer:
            consumer.terminate()
            consumer.wait(10)


def worker(
    threads: int = typer.Option(4, help="Worker threads."),
    scheduler: bool = typer.Option(True, "--scheduler/--no-scheduler",
                                   help="Run periodic tasks from this consumer (exactly one should)."),
):
    """Run the Huey job consumer (SMS, deletions, notifications, periodic housekeeping).

    Example: penhas worker --threads 8 --no-scheduler
    """
    import tasks  # noqa: F401  (registers every task)
    from penhas_api.core.queue import huey

    serving_lock.hold(get_settings().database_url)

    # The priority queue is polled, not blocking: an idle worker backs off up to max_delay between polls, and
    # Huey's 10 s default would sit on a panic alert for up to 10 s; a quarter second keeps alerts well under
    # a second at the cost of a few idle Redis polls per second.
    consumer = huey.create_consumer(workers=threads, worker_type="thread", periodic=scheduler,
                                    check_worker_health=True, max_delay=0.25)
    consumer.run()
