"""HTTP rate limits (flask-limiter): Redis storage when REDIS_URL is set, process memory otherwise.

Keys use the client address that ProxyFix resolved from the trusted proxies only (TRUSTED_PROXIES),
so a client cannot pick its own bucket by sending X-Forwarded-For.
"""
from flask import g, request
from flask_limiter import Limiter


def ip_key() -> str:
    # The first 18 characters group IPv6 clients of one /64-ish prefix (backend-rules §2.0 "ip-prefix").
    return (request.remote_addr or "unknown")[:18]


def user_key() -> str:
    user = getattr(g, "user", None)
    return f"user:{user.id}" if user is not None else f"ip:{ip_key()}"


limiter = Limiter(key_func=ip_key, headers_enabled=False, strategy="fixed-window")


def init_limiter(app, settings):
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    app.config["RATELIMIT_ENABLED"] = True
    # Redis failures must not take the API down: fall back to per-process limits.
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    app.config["RATELIMIT_KEY_PREFIX"] = "penhas"
    limiter.init_app(app)
    # Initialised enabled so storage exists; switched afterwards so tests can turn limits back on.
    limiter.enabled = settings.ratelimit_enabled


def check_limit(limit: str, key: str) -> None:
    """Count one hit against ``limit`` (e.g. "3/minute") for ``key``; raise the contract's 429 when over."""
    from limits import parse

    from penhas_api.core.errors import too_many_requests

    if not limiter.enabled:
        return
    try:
        allowed = limiter.limiter.hit(parse(limit), "penhas-key", key)
    except Exception:  # storage down: fail open, as the original does
        return
    if not allowed:
        raise too_many_requests()
