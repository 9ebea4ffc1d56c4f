"""Session tokens for the app.

A token is a JWT (flask-jwt-extended) naming a server-side session row; deleting the row revokes it at once.
The app has no refresh flow and keeps its token for as long as the user stays logged in, so a session lives
``SESSION_DAYS`` (one year) from login and is also ended by logout, password reset, deletion, ban and
``penhas users sessions revoke``.

Every authenticated request reads the session and its account in one query on the session's primary key
(``core/services/session_lookup.py``), with no cache in front of it: a revocation made by any process (another
gunicorn worker, the CLI) is seen by the very next request.
"""
import time
from datetime import timedelta
from functools import wraps

import jwt
from flask import current_app, g, has_request_context, request
from flask_jwt_extended import create_access_token
from jwt import ExpiredSignatureError, PyJWTError

from penhas_api.core import clock
from penhas_api.core.errors import PenhasError, missing_module, not_found
from penhas_api.core.models import Cliente, ClienteSession
from penhas_api.core.services.session_lookup import session_with_user
from penhas_api.core.services.modules import user_modules
from penhas_api.declarations import before
from penhas_api.limits import check_limit

SESSION_DAYS = 365
TOKEN_TYPE = "usr"
# How stale a session's last_seen_at may be: written at most this often, to keep the hot path free of writes.
LAST_SEEN_EVERY = timedelta(minutes=5)


def missing_jwt():
    return PenhasError("missing_jwt", "Not Authenticated", 401)


def expired_jwt():
    # The original says "nessage" (sic); the app only reads `error`, so we send the correct key.
    return PenhasError("expired_jwt", "Bad request - Invalid JWT", 400)


def jwt_logout():
    return PenhasError("jwt_logout", "Está sessão não está mais válida (Usuário saiu)", 403)


def open_session(cliente: Cliente) -> tuple[ClienteSession, str]:
    now = clock.now()
    session = ClienteSession.create(cliente=cliente, created_at=now, expires_at=now + timedelta(days=SESSION_DAYS),
                                    last_seen_at=now, user_agent=_device())
    token = create_access_token(
        identity=str(session.id),
        additional_claims={"ses": session.id, "typ": TOKEN_TYPE},
        expires_delta=timedelta(days=SESSION_DAYS),
    )
    return session, token


def _device() -> str | None:
    """What the device logging in says it is, for `penhas users sessions list`: the app's `app_version` (device
    model and app version), else the User-Agent header."""
    if not has_request_context():
        return None
    from penhas_api.params import get_params

    return (get_params().get("app_version") or request.headers.get("User-Agent") or "")[:300] or None


def token_from_request() -> str:
    """`api_key` parameter first (POST /reactivate relies on it), then the X-Api-Key header."""
    from penhas_api.params import get_params

    return (get_params().get("api_key") or request.headers.get("X-Api-Key") or "").strip()


# A token's signature check gives the same answer every time for the same token and key, so the claims of a
# verified token are remembered (bounded; keyed by the key too, for apps with their own). Expiry is checked on
# every use, and the session row is still read on every request: a revoked session is refused at once.
_VERIFIED: dict[tuple[str, str], dict] = {}
_VERIFIED_MAX = 10_000


def _verified_claims(token: str, key: str) -> dict:
    claims = _VERIFIED.get((key, token))
    if claims is None:
        # PyJWT directly (signature and expiry): flask-jwt-extended's decode_token parses every token twice.
        claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp"]})
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[(key, token)] = claims
    elif claims["exp"] <= time.time():
        raise ExpiredSignatureError()
    return claims


def load_session(along=None) -> ClienteSession:
    """``along``: a callable giving the subqueries the route wants answered in the session query (session_lookup)."""
    token = token_from_request()
    if not token:
        raise missing_jwt()
    try:
        claims = _verified_claims(token, current_app.config["JWT_SECRET_KEY"])
    except (PyJWTError, ValueError, KeyError):
        raise expired_jwt() from None
    if claims.get("typ") != TOKEN_TYPE or not isinstance(claims.get("ses"), int):
        raise expired_jwt()
    session = session_with_user(claims["ses"], along() if along else ())
    if session is None:
        raise jwt_logout()
    now = clock.now()
    if session.expires_at <= now:
        raise expired_jwt()
    if session.last_seen_at is None or now - session.last_seen_at > LAST_SEEN_EVERY:
        ClienteSession.update(last_seen_at=now).where(ClienteSession.id == session.id).execute()
        session.last_seen_at = now
    g.session = session
    g.user = session.cliente
    return session


def require_session(view):
    """A valid session, whatever the account status (/logout, /reactivate, /filter-skills)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        load_session()
        check_limit("120/minute", f"D{g.user.id}")
        return view(*args, **kwargs)

    wrapper.auth = "session"  # read by the OpenAPI generator
    return wrapper


def require_user(view=None, *, along=None):
    """A valid session of an active account (every /me* route). ``@require_user(along=checks)``: see load_session."""
    if view is None:
        return lambda inner: require_user(inner, along=along)

    @wraps(view)
    def wrapper(*args, **kwargs):
        load_session(along)
        if g.user.status != "active":
            raise not_found()
        check_limit("120/minute", f"D{g.user.id}")
        _touch_activity(g.user)
        return view(*args, **kwargs)

    wrapper.auth = "user"
    return wrapper


def _touch_activity(user: Cliente) -> None:
    now = clock.now()
    # Written at most every 5 minutes per user (contract §1.10 only needs minutes): no write on the hot path.
    if user.last_activity_at is None or now - user.last_activity_at > timedelta(minutes=5):
        Cliente.update(last_activity_at=now).where(Cliente.id == user.id).execute()
        user.last_activity_at = now


def require_module(module: str) -> None:
    if module not in user_modules(g.user):
        raise missing_module(module)


def module_required(module: str):
    """``require_module`` before the parameters are validated (see ``declarations.before``)."""
    return before(lambda **_: require_module(module))
