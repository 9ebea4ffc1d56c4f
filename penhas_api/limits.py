"""HTTP rate limits (flask-limiter): Redis storage when REDIS_URL is set, else one SQLite file in the data dir
(``limit_store``) shared by every worker process, so a limit is per server whatever the number of workers.

Keys use the client address that ProxyFix resolved from the trusted proxies only (TRUSTED_PROXIES),
so a client cannot pick its own bucket by sending X-Forwarded-For.
"""
import ipaddress

from flask import g, request
from flask_limiter import Limiter

from penhas_api import limit_store  # noqa: F401 (registers the penhas-sqlite:// storage scheme)

# Brazilian carriers give each phone a /64: any address inside it is the same client.
IPV6_CLIENT_PREFIX = 64


def client_key(addr: str) -> str:
    """IPv4 clients by address, IPv6 clients by their /64 (IPv4-mapped IPv6 as the IPv4 address)."""
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(ip)


def ip_key() -> str:
    return client_key(request.remote_addr or "unknown")


def user_key() -> str:
    user = getattr(g, "user", None)
    return f"user:{user.id}" if user is not None else f"ip:{ip_key()}"


limiter = Limiter(key_func=ip_key, headers_enabled=False, strategy="fixed-window")


def init_limiter(app, settings):
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or f"penhas-sqlite://{settings.data_dir / 'limits.db'}"
    app.config["RATELIMIT_ENABLED"] = True
    # Redis failures must not take the API down: fall back to per-process limits.
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    app.config["RATELIMIT_KEY_PREFIX"] = "penhas"
    limiter.init_app(app)
    # Initialised enabled so storage exists; switched afterwards so tests can turn limits back on.
    limiter.enabled = settings.ratelimit_enabled
    _drop_middleware_pass(app)


def _drop_middleware_pass(app) -> None:
    """Every limit here is a route decorator (checked by the decorator itself) or a check_limit() call; with no
    default or application limits, flask-limiter's before-request pass can find nothing to count, and its
    after-request pass adds headers we do not send (headers_enabled=False). Both cost more than a whole /health
    request's own work, so they are taken off every request (issue 17's profile)."""
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits:  # they would need the middleware pass
        return
    app.before_request_funcs[None] = [f for f in app.before_request_funcs.get(None, [])
                                      if getattr(f, "__self__", None) is not limiter]
    app.after_request_funcs[None] = [f for f in app.after_request_funcs.get(None, [])
                                     if getattr(f, "args", ()) != (limiter,)]


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
