"""Application factory: one Flask app answering at the host root, built against the settings it is given.

``create_app()`` is the process's app (the WSGI entry point): its first start generates the embedded setup's
secrets. ``create_app(settings)`` builds an app on those settings alone: its own database, secrets and storage,
made current (``use_settings``/``use_database``) in every app context it pushes, so two apps can live in one process.
"""
import logging
import time
import uuid
from datetime import timedelta

from contextlib import ExitStack

from flask import Flask, g, request
from flask.ctx import AppContext
from flask.sessions import SessionInterface
from flask_jwt_extended import JWTManager
from werkzeug.middleware.proxy_fix import ProxyFix

from penhas_api.core.db import database, init_db, is_postgres, make_database, use_database
from penhas_api.core.logs import setup_logging
from penhas_api.core.settings import Settings, check_complete, provision, use_settings
from penhas_api.errors import register_error_handlers
from penhas_api.headers import init_security_headers
from penhas_api.json_provider import OrjsonProvider
from penhas_api.limits import init_limiter
from penhas_api.routes import register_blueprints
import tasks  # noqa: F401  (registers every task on the queue port, so services can enqueue by name)

log = logging.getLogger("penhas.api")


class _BoundAppContext(AppContext):
    """An app context that makes its app's settings and database the current ones until it is popped."""

    def push(self) -> None:
        super().push()
        self._bound = ExitStack()
        self._bound.enter_context(use_settings(self.app.penhas_settings))
        self._bound.enter_context(use_database(self.app.penhas_database))

    def pop(self, *args, **kwargs) -> None:
        try:
            super().pop(*args, **kwargs)
        finally:
            self._bound.close()


class _NoCookieSession(SessionInterface):
    """The API keeps no cookie session (a request is authenticated by its X-Api-Key token): Flask's default would
    build a signing serializer and look for a cookie on every request."""

    def open_session(self, app, request):
        return None  # Flask falls back to a null session, which refuses writes

    def save_session(self, app, session, response):
        return None


class _BoundFlask(Flask):
    penhas_settings: Settings
    penhas_database = None

    def app_context(self) -> AppContext:
        return _BoundAppContext(self)


def create_app(settings: Settings | None = None, config: dict | None = None) -> Flask:
    if settings is None:
        # The first start of the process's app: generate the embedded setup's secrets now, explicitly.
        settings = provision()
        init_db()
        app = Flask(__name__)
    else:
        check_complete(settings)
        app = _BoundFlask(__name__)
        app.penhas_settings = settings
        app.penhas_database = make_database(settings.database_url)
    setup_logging(settings.log_level)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        JWT_SECRET_KEY=settings.secret_key,
        JWT_ALGORITHM="HS256",
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(days=365),
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
    )
    app.json = OrjsonProvider(app)
    app.session_interface = _NoCookieSession()
    if config:
        app.config.update(config)
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.url_map.strict_slashes = False

    JWTManager(app)
    init_limiter(app, settings)
    register_error_handlers(app)
    init_security_headers(app)
    _request_hooks(app)
    register_blueprints(app)
    return app


def _request_hooks(app: Flask) -> None:
    @app.before_request
    def _start():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        g.started = time.perf_counter()
        # No connection here: the first query opens one (peewee autoconnect), so /health answers with the
        # database down and /health/ready can report it.

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        user = g.get("user")
        # The path only: query strings may carry api_key, senha or tokens.
        log.info("request", extra={
            "request_id": g.get("request_id"), "method": request.method, "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
            "user_id": user.id if user is not None else None,
        })
        return response

    @app.teardown_request
    def _close(_exc):
        # PostgreSQL: back to the pool. SQLite: a worker keeps its connection (one file, no pool), because opening
        # one runs four PRAGMAs, which cost more than a typical request's query.
        if not database.is_closed() and (is_postgres() or database.in_transaction()):
            database.close()
