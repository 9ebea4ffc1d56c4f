"""Application factory: one Flask app answering at the host root."""
import importlib
import logging
import time
import uuid
from datetime import timedelta

from flask import Flask, g, request
from flask_jwt_extended import JWTManager
from werkzeug.middleware.proxy_fix import ProxyFix

from penhas_api.core.db import database, init_db
from penhas_api.core.logs import setup_logging
from penhas_api.core.settings import get_settings
from penhas_api.errors import register_error_handlers
from penhas_api.limits import init_limiter
from penhas_api.views import BLUEPRINTS
import tasks  # noqa: F401  (registers every task on the queue port, so services can enqueue by name)

log = logging.getLogger("penhas.api")


def create_app(config: dict | None = None) -> Flask:
    settings = get_settings()
    setup_logging(settings.log_level)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        JWT_SECRET_KEY=settings.secret_key,
        JWT_ALGORITHM="HS256",
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(days=365),
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    if config:
        app.config.update(config)
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.url_map.strict_slashes = False

    init_db()
    JWTManager(app)
    init_limiter(app, settings)
    register_error_handlers(app)
    _request_hooks(app)
    for module_name in BLUEPRINTS:
        module = importlib.import_module(f"penhas_api.views.{module_name}")
        app.register_blueprint(module.bp)
    return app


def _request_hooks(app: Flask) -> None:
    @app.before_request
    def _start():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        g.started = time.perf_counter()
        database.connect(reuse_if_open=True)

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
        if not database.is_closed():
            database.close()
