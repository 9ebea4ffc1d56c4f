"""All configuration, read once from environment variables.

Nothing set means the embedded default: SQLite, Huey on SQLite, local-disk storage, SMS and mail to the log.
Reading configuration never writes anything. Secrets that are not configured are generated into the data
directory by one explicit step, ``ensure_secrets`` (run by ``penhas serve``, ``penhas worker``, ``penhas db`` and
the first start of the WSGI app), so restarts keep them.

``get_settings()`` answers the settings of the app being served (``use_settings``, set by ``create_app(settings)``
for its requests) or else the process's own, read once from the environment.
"""
import base64
import binascii
import os
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path

from penhas_api.core.data_dir import secure as secure_data_dir

_settings = None
_current: ContextVar = ContextVar("penhas_settings", default=None)


class ConfigError(Exception):
    """The environment holds a value the service cannot run with; the message names the variable."""


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SMS_BACKENDS = ("log", "sns")
GEOCODERS = ("none", "here", "google")
CPF_VERIFIERS = ("checksum", "http")


def _bool(env: dict, name: str, default: bool) -> bool:
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value not in _TRUE + _FALSE:
        raise ConfigError(f"{name}={env[name]!r} is not a yes/no value: use one of {', '.join(_TRUE + _FALSE)}")
    return value in _TRUE


def _choice(env: dict, name: str, allowed: tuple, default: str) -> str:
    """An enumerated setting: surrounding whitespace is stripped and case ignored, nothing else guessed (an unknown
    SMS_BACKEND silently becoming `log` would keep panic alerts from ever leaving the server)."""
    value = (env.get(name) or "").strip()
    if not value:
        return default
    for option in allowed:
        if value.lower() == option.lower():
            return option
    raise ConfigError(f"{name}={env[name]!r} is not one of: {', '.join(allowed)}")


def _choices(env: dict, name: str, allowed: tuple, default: str) -> str:
    """A comma-separated list of enumerated values (GEOCODER=here,google), each checked like ``_choice``."""
    items = [item for item in (env.get(name) or "").split(",") if item.strip()]
    if not items:
        return default
    return ",".join(_choice({name: item.strip()}, name, allowed, default) for item in items)


def _int(env: dict, name: str, default: int) -> int:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        # A typo must stop the service, not silently become the default (a wrong port or alert limit).
        raise ConfigError(f"{name} must be a whole number") from None


def _int_set(env: dict, name: str) -> frozenset:
    items = [item.strip() for item in (env.get(name) or "").split(",") if item.strip()]
    if not all(item.isdigit() for item in items):
        raise ConfigError(f"{name} must be a comma-separated list of numbers")
    return frozenset(int(item) for item in items)


# Environment variable -> file under <data dir>/secrets/ holding the embedded setup's generated value.
SECRET_FILES = {"SECRET_KEY": "secret_key", "ENCRYPTION_KEY": "encryption_key", "HMAC_KEY": "hmac_key",
                "BACKUP_KEY": "backup_key"}


def _secret(env: dict, data_dir: Path, name: str) -> str | None:
    """From the environment, else the value an earlier ``ensure_secrets`` stored; None when neither exists."""
    if env.get(name):
        return env[name]
    path = data_dir / "secrets" / SECRET_FILES[name]
    return path.read_text().strip() if path.is_file() else None


# Every key (SECRET_KEY, ENCRYPTION_KEY, HMAC_KEY, BACKUP_KEY) is 32 random bytes, written as 64 hex characters
# or as 44 base64 characters (standard or URL-safe alphabet, with its one '=' of padding). Anything else, a
# passphrase included, is refused at start-up and by `penhas health`: the keys are used as given, so a short
# or human-chosen one would weaken every recording, backup and CPF digest it protects.
KEY_BYTES = 32
KEY_FORMAT = ("32 random bytes written as 64 hex characters or 44 base64 characters "
              "(`penhas secrets generate` prints a fresh set)")
# 32 random bytes hold about 30 distinct values; fewer than 16 means a pattern ("00…", "abab…"), not randomness.
_MIN_DISTINCT_BYTES = 16


def new_key() -> str:
    """A fresh key in the documented format (hex)."""
    return secrets.token_hex(KEY_BYTES)


def _decode_key(value: str) -> bytes | None:
    if len(value) == 2 * KEY_BYTES:
        try:
            return bytes.fromhex(value)
        except ValueError:
            return None
    if len(value) == 44 and value.endswith("=") and not value.endswith("=="):
        try:
            return base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


def key_format_error(name: str, value: str) -> str | None:
    """Why ``value`` is not a well-formed key for ``name`` (the message names the variable, never the value)."""
    raw = _decode_key(value)
    if raw is None or len(raw) != KEY_BYTES:
        return f"{name} must be {KEY_FORMAT}"
    if len(set(raw)) < _MIN_DISTINCT_BYTES:
        return f"{name} is a repeating pattern, not random bytes: generate one with `penhas secrets generate`"
    return None


def key_errors(settings: "Settings") -> list[str]:
    """Every malformed or reused key among the configured ones (ENCRYPTION_KEYS_OLD is not checked: a retired
    key may be the weak one being rotated away)."""
    errors, seen = [], {}
    for name in Settings.SECRET_VARIABLES:
        value = getattr(settings, name.lower())
        if not value:
            continue
        error = key_format_error(name, value)
        if error:
            errors.append(error)
        elif value in seen:
            errors.append(f"{name} holds the same value as {seen[value]}: each key must be its own")
        seen.setdefault(value, name)
    return errors


def check_keys(settings: "Settings") -> "Settings":
    errors = key_errors(settings)
    if errors:
        raise ConfigError("; ".join(errors))
    return settings


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str | None = field(repr=False)
    public_url: str
    s3_bucket: str | None
    s3_endpoint_url: str | None
    aws_access_key_id: str | None = field(repr=False)
    aws_secret_access_key: str | None = field(repr=False)
    aws_region: str
    sms_backend: str
    sns_endpoint_url: str | None
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None = field(repr=False)
    smtp_from: str
    smtp_starttls: bool
    geocoder: str
    here_api_key: str | None = field(repr=False)
    here_geocode_url: str
    google_api_key: str | None = field(repr=False)
    google_geocode_url: str
    viacep_url: str
    cpf_verifier: str
    cpf_verifier_url: str | None
    cpf_verifier_key: str | None = field(repr=False)
    ratelimit_enabled: bool
    trusted_proxies: int
    encryption_key: str | None = field(repr=False)
    hmac_key: str | None = field(repr=False)
    backup_key: str | None = field(repr=False)
    metrics_token: str | None = field(repr=False)
    log_level: str
    # Guardians and panic alerts (backend-rules §4).
    sms_guard_link: str
    guards_allowed_country_codes: frozenset
    max_guards_invites: int
    max_guard_alert_per_minute: int
    max_guard_alert_per_24h: int
    # Quiz and Manual de Fuga (backend-rules §9).
    enable_manual_fuga: bool = True
    filter_questionnaire_ids: tuple = ()
    mf_redo_addr_questionnaire_id: int = 19
    anon_quiz_secret: str | None = field(repr=False, default=None)
    # Retired master keys still able to unwrap data keys until `penhas audio rewrap` moved them to the current one.
    encryption_keys_old: tuple = field(repr=False, default=())
    # Community (backend-rules §7): the synthetic GEO:CITY badge's icons.
    badge_icon_url: str = ""
    badge_icon_url_black: str = ""
    tweet_max_length: int = 2200
    notifications_enabled: bool = True
    report_email: str | None = None
    rss_max_bytes: int = 2_000_000
    rss_timeout: float = 10.0
    news_image_max_bytes: int = 3_000_000
    news_image_timeout: float = 8.0
    android_store_url: str = ""
    ios_store_url: str = ""
    environ: dict = field(repr=False, default_factory=dict)

    # Secrets that live in environment variables in production; a generated one is fine only embedded.
    SECRET_VARIABLES = ("SECRET_KEY", "ENCRYPTION_KEY", "HMAC_KEY", "BACKUP_KEY")

    @property
    def generated_secrets(self) -> list[str]:
        return [name for name in self.SECRET_VARIABLES if not self.environ.get(name)]

    @property
    def missing_secrets(self) -> list[str]:
        """Secrets neither in the environment nor generated yet (``ensure_secrets`` makes them)."""
        return [name for name in self.SECRET_VARIABLES if not getattr(self, name.lower())]

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def storage_backend(self) -> str:
        return "s3" if self.s3_bucket else "disk"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"


def load_settings(environ=None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    data_dir = Path(env.get("PENHAS_DATA_DIR") or "./var").resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'penhas.db'}"
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=env.get("REDIS_URL") or None,
        secret_key=_secret(env, data_dir, "SECRET_KEY"),
        public_url=(env.get("PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
        s3_bucket=env.get("S3_BUCKET") or None,
        s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
        aws_region=env.get("AWS_REGION") or "us-east-1",
        sms_backend=_choice(env, "SMS_BACKEND", SMS_BACKENDS, "log"),
        sns_endpoint_url=env.get("SNS_ENDPOINT_URL") or None,
        smtp_host=env.get("SMTP_HOST") or None,
        smtp_port=_int(env, "SMTP_PORT", 25),
        smtp_user=env.get("SMTP_USER") or None,
        smtp_password=env.get("SMTP_PASSWORD") or None,
        smtp_from=env.get("SMTP_FROM") or "PenhaS <no-reply@penhas.com.br>",
        smtp_starttls=_bool(env, "SMTP_STARTTLS", False),
        geocoder=_choices(env, "GEOCODER", GEOCODERS, "none"),
        here_api_key=env.get("HERE_API_KEY") or None,
        here_geocode_url=env.get("HERE_GEOCODE_URL") or "https://geocode.search.hereapi.com/v1/geocode",
        google_api_key=env.get("GOOGLE_API_KEY") or None,
        google_geocode_url=env.get("GOOGLE_GEOCODE_URL") or "https://maps.googleapis.com/maps/api/geocode/json",
        viacep_url=(env.get("VIACEP_URL") or "https://viacep.com.br/ws").rstrip("/"),
        cpf_verifier=_choice(env, "CPF_VERIFIER", CPF_VERIFIERS, "checksum"),
        cpf_verifier_url=env.get("CPF_VERIFIER_URL") or None,
        cpf_verifier_key=env.get("CPF_VERIFIER_KEY") or None,
        ratelimit_enabled=_bool(env, "RATELIMIT_ENABLED", True),
        trusted_proxies=_int(env, "TRUSTED_PROXIES", 0),
        encryption_key=_secret(env, data_dir, "ENCRYPTION_KEY"),
        # Keys CPF digests and reset codes; never rotate it (stored CPF digests could no longer be matched).
        hmac_key=_secret(env, data_dir, "HMAC_KEY"),
        backup_key=_secret(env, data_dir, "BACKUP_KEY"),
        metrics_token=env.get("METRICS_TOKEN") or None,
        log_level=_choice(env, "LOG_LEVEL", LOG_LEVELS, "INFO"),
        sms_guard_link=env.get("SMS_GUARD_LINK") or (
            (env.get("PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/") + "/web/guardiao?token="),
        guards_allowed_country_codes=_int_set(env, "GUARDS_ALLOWED_COUNTRY_CODES"),
        max_guards_invites=_int(env, "MAX_GUARDS_INVITES", 5),
        max_guard_alert_per_minute=_int(env, "MAX_GUARD_ALERT_PER_MINUTE", 1),
        max_guard_alert_per_24h=_int(env, "MAX_GUARD_ALERT_PER_24H", 10),
        enable_manual_fuga=_bool(env, "ENABLE_MANUAL_FUGA", True),
        filter_questionnaire_ids=tuple(sorted(_int_set(env, "FILTER_QUESTIONNAIRE_IDS"))),
        mf_redo_addr_questionnaire_id=_int(env, "MF_REDO_ADDR_QUESTIONNAIRE_ID", 19),
        anon_quiz_secret=env.get("ANON_QUIZ_SECRET") or None,
        encryption_keys_old=tuple(k.strip() for k in (env.get("ENCRYPTION_KEYS_OLD") or "").split(",") if k.strip()),
        badge_icon_url=env.get("PENHAS_DEFAULT_BADGE_ICON_URL") or (
            (env.get("PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/") + "/i/0.svg"),
        badge_icon_url_black=env.get("PENHAS_DEFAULT_BADGE_ICON_URL_BLACK") or env.get(
            "PENHAS_DEFAULT_BADGE_ICON_URL") or ((env.get("PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
                                                + "/i/0.svg"),
        tweet_max_length=_int(env, "TWEET_CONTENT_MAX_LENGTH", 2200),
        notifications_enabled=_bool(env, "NOTIFICATIONS_ENABLED", True),
        report_email=env.get("EMAIL_TWEET_REPORTADO") or None,
        rss_max_bytes=_int(env, "RSS_MAX_BYTES", 2_000_000),
        rss_timeout=float(_int(env, "RSS_TIMEOUT_SECONDS", 10)),
        news_image_max_bytes=_int(env, "NEWS_IMAGE_MAX_BYTES", 3_000_000),
        news_image_timeout=float(_int(env, "NEWS_IMAGE_TIMEOUT_SECONDS", 8)),
        android_store_url=env.get("ANDROID_STORE_URL") or "https://play.google.com/store/search?q=penhas&c=apps",
        ios_store_url=env.get("IOS_STORE_URL") or "https://apps.apple.com/br/search?term=penhas",
        environ=env,
    )


def ensure_secrets(settings: Settings) -> Settings:
    """The explicit first-start step of the embedded setup: generate each missing secret once into
    ``<data dir>/secrets/`` (owner-only) and return the settings holding them. Changes nothing when all are set."""
    missing = settings.missing_secrets
    if not missing:
        return settings
    directory = settings.data_dir / "secrets"
    directory.mkdir(parents=True, exist_ok=True)
    values = {}
    for name in missing:
        path = directory / SECRET_FILES[name]
        try:
            # Owner-only: the file is as sensitive as the environment variable it replaces.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of this first start wrote it first
            values[name.lower()] = path.read_text().strip()
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(new_key())
        values[name.lower()] = path.read_text().strip()
    return replace(settings, **values)


def provision() -> Settings:
    """Make the process's settings complete (generated secrets, data dir) and use them from now on."""
    settings = _settings if _settings is not None else load_settings()
    # Private first (umask 077, dir 0700): the secrets and databases created next are the owner's only.
    secure_data_dir(settings.data_dir)
    settings = check_keys(ensure_secrets(settings))
    reset_settings(settings)
    return settings


def check_complete(settings: Settings, *, keys: bool = True) -> Settings:
    if settings.missing_secrets:
        raise ConfigError(", ".join(settings.missing_secrets) + " not set: set them in the environment, or run "
                          "`penhas db migrate` once to generate the embedded setup's")
    return check_keys(settings) if keys else settings


def get_settings() -> Settings:
    """The settings of the app serving this request (``use_settings``), else the process's own."""
    current = _current.get()
    if current is not None:
        return current
    global _settings
    if _settings is None:
        _settings = check_complete(load_settings())
    return _settings


def settings_without_keys() -> Settings:
    """The current settings, else the environment's read afresh without requiring the keys: for what needs no
    key and is built when a process starts, before its first-start step (the queue's location)."""
    return _current.get() or _settings or load_settings()


def diagnostic_settings() -> Settings:
    """The process's settings for `penhas health`: malformed keys are let through so that its secrets check
    reports them as down next to everything else, instead of stopping the command (every other start refuses)."""
    global _settings
    if _settings is None:
        _settings = check_complete(load_settings(), keys=False)
    return _settings


@contextmanager
def use_settings(settings: Settings):
    """Answer ``settings`` from ``get_settings()`` in this context (an app built by ``create_app(settings)``)."""
    token = _current.set(settings)
    try:
        yield settings
    finally:
        _current.reset(token)


def reset_settings(settings: Settings | None = None) -> None:
    """Forget the cached settings (tests, and the CLI after it changed the environment)."""
    global _settings
    _settings = settings
