"""Address → coordinates through HERE Geocoding & Search v7 and/or Google Geocoding, behind two cache layers.

``GEOCODER`` names the providers in the order they are asked: ``here``, ``google``, ``here,google`` or
``google,here`` (``none`` disables geocoding). A single name gets the other provider as its fallback when that
provider's API key is configured too. A provider is asked again only when the one before it *failed* (timeout,
HTTP error, quota); "no such address" is an answer and is cached.

Every answer is cached twice: in Redis (or process memory without Redis) for a short time, and in the
``geo_cache`` table for 30 days (1 hour for "not found"), so repeated queries never leave the building.
Each provider call has a timeout and retries transient errors with backoff; a circuit breaker per provider stops
calling one that keeps failing for ``BREAKER_COOLDOWN`` seconds, and ``penhas health`` reports it.
"""
import json
import logging
import threading
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from functools import lru_cache

import peewee
import requests

from penhas_api.core import clock
from penhas_api.core.retry import with_backoff
from penhas_api.core.settings import get_settings

log = logging.getLogger("penhas.geocoder")

TIMEOUT = (3, 6)
HIT_TTL = timedelta(days=30)
MISS_TTL = timedelta(hours=1)
FAST_CACHE_TTL = 3600  # seconds in Redis / process memory, in front of the table
BREAKER_THRESHOLD = 5
BREAKER_COOLDOWN = 60


@dataclass(frozen=True)
class GeoResult:
    latitude: float
    longitude: float
    label: str | None = None


class ProviderError(Exception):
    """A provider could not answer (bad key, refused request): retrying will not help."""


class TransientProviderError(ProviderError):
    """Timeout, 5xx, quota: retried with backoff before counting as one failure of the provider."""


class GeocoderUnavailable(Exception):
    """No provider could answer and nothing was cached: the address is unknown *for now*."""


def cache_key(address: str) -> str:
    return " ".join((address or "").lower().split())[:200]


def _http_get(http: requests.Session, url: str, params: dict, provider: str):
    try:
        resp = http.get(url, params=params, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise TransientProviderError(f"{provider}: {exc.__class__.__name__}") from exc
    if resp.status_code == 429 or resp.status_code >= 500:
        raise TransientProviderError(f"{provider}: HTTP {resp.status_code}")
    if resp.status_code != 200:
        raise ProviderError(f"{provider}: HTTP {resp.status_code}")
    try:
        return resp.json()
    except ValueError as exc:
        raise TransientProviderError(f"{provider}: answer is not JSON") from exc


class HereProvider:
    """HERE Geocoding & Search v7: ``GET /v1/geocode?q=…&apiKey=…`` → ``items[0].position`` and ``address.label``."""

    name = "here"

    def __init__(self, api_key: str, url: str):
        self.api_key, self.url = api_key, url
        # One session per provider: its pooled connections skip a TLS handshake on every lookup.
        self.http = requests.Session()

    def geocode(self, address: str) -> GeoResult | None:
        data = _http_get(self.http, self.url, {"q": address, "apiKey": self.api_key, "lang": "pt-BR",
                                    "in": "countryCode:BRA", "limit": 1}, self.name)
        items = data.get("items") if isinstance(data, dict) else None
        if not items:
            return None
        first = items[0]
        pos = first.get("position") or {}
        if pos.get("lat") is None or pos.get("lng") is None:
            return None
        label = (first.get("address") or {}).get("label") or first.get("title")
        return GeoResult(float(pos["lat"]), float(pos["lng"]), label)


class GoogleProvider:
    """Google Geocoding: ``GET /maps/api/geocode/json?address=…&key=…`` → ``results[0].geometry.location``."""

    name = "google"
    _TRANSIENT = {"OVER_QUERY_LIMIT", "UNKNOWN_ERROR", "OVER_DAILY_LIMIT"}

    def __init__(self, api_key: str, url: str):
        self.api_key, self.url = api_key, url
        # One session per provider: its pooled connections skip a TLS handshake on every lookup.
        self.http = requests.Session()

    def geocode(self, address: str) -> GeoResult | None:
        data = _http_get(self.http, self.url, {"address": address, "key": self.api_key, "language": "pt-BR",
                                    "region": "br"}, self.name)
        status = data.get("status") if isinstance(data, dict) else None
        if status == "ZERO_RESULTS":
            return None
        if status != "OK":
            # Google reports quota and key problems with HTTP 200 and a status word.
            raise (TransientProviderError if status in self._TRANSIENT else ProviderError)(f"google: {status}")
        first = (data.get("results") or [{}])[0]
        loc = (first.get("geometry") or {}).get("location") or {}
        if loc.get("lat") is None or loc.get("lng") is None:
            return None
        return GeoResult(float(loc["lat"]), float(loc["lng"]), first.get("formatted_address"))


class MemoryStore:
    """Process-local key/value store with expiry (the embedded stand-in for Redis)."""

    name = "memory"

    def __init__(self, now=time.time):
        self._data: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._now = now

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            if item[0] <= self._now():
                del self._data[key]
                return None
            return item[1]

    def set(self, key: str, value: str, ttl: float) -> None:
        with self._lock:
            self._data[key] = (self._now() + ttl, value)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class RedisStore:
    """Shared store, so every API worker and the CLI see the same cache and breaker state."""

    name = "redis"

    def __init__(self, url: str, prefix: str = "penhas:geo:"):
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        self.prefix = prefix

    def get(self, key: str) -> str | None:
        value = self.client.get(self.prefix + key)
        return value.decode() if value is not None else None

    def set(self, key: str, value: str, ttl: float) -> None:
        self.client.set(self.prefix + key, value, px=max(1, int(ttl * 1000)))

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)


class Breaker:
    """Opens after ``threshold`` consecutive failures; after ``cooldown`` seconds one call is let through again."""

    def __init__(self, name: str, store, threshold: int = BREAKER_THRESHOLD, cooldown: float = BREAKER_COOLDOWN,
                 now=time.time):
        self.name, self.store, self.threshold, self.cooldown, self._now = name, store, threshold, cooldown, now

    def _state(self) -> dict:
        try:
            raw = self.store.get(f"breaker:{self.name}")
        except Exception:  # the store being down must not stop geocoding
            return {"failures": 0, "open_until": 0}
        return json.loads(raw) if raw else {"failures": 0, "open_until": 0}

    def _save(self, state: dict) -> None:
        try:
            self.store.set(f"breaker:{self.name}", json.dumps(state), self.cooldown * 10)
        except Exception:
            log.warning("geocoder breaker state not saved (store down)")

    def allows(self) -> bool:
        return self._state()["open_until"] <= self._now()

    def seconds_open(self) -> int:
        return max(0, int(self._state()["open_until"] - self._now() + 0.999))

    def success(self) -> None:
        if self._state() != {"failures": 0, "open_until": 0}:
            self._save({"failures": 0, "open_until": 0})

    def failure(self) -> None:
        state = self._state()
        state["failures"] += 1
        if state["failures"] >= self.threshold:
            state["open_until"] = self._now() + self.cooldown
            log.warning("geocoder %s: circuit open for %ss after %s failures", self.name, self.cooldown,
                        state["failures"])
        self._save(state)


class Geocoder:
    def __init__(self, providers: list, store, retries: int = 3, backoff: float = 0.3, sleep=time.sleep,
                 breaker_threshold: int = BREAKER_THRESHOLD, breaker_cooldown: float = BREAKER_COOLDOWN,
                 now=time.time):
        self.providers = providers
        self.store = store
        self.retries, self.backoff, self.sleep = retries, backoff, sleep
        self.breakers = {p.name: Breaker(p.name, store, breaker_threshold, breaker_cooldown, now) for p in providers}

    # -- cache layers -------------------------------------------------------------------------------------------
    def _fast_get(self, key: str):
        try:
            return self.store.get(f"cache:{key}")
        except Exception:
            return None

    def _fast_set(self, key: str, raw: str, ttl: float) -> None:
        try:
            self.store.set(f"cache:{key}", raw, ttl)
        except Exception:
            log.warning("geocoder fast cache not written (store down)")

    def cached(self, key: str) -> tuple[bool, str | None]:
        """(found, raw value) from the fast store, then the table. Raw '' means a cached "not found"."""
        from penhas_api.core.models import GeoCache

        raw = self._fast_get(key)
        if raw is not None:
            return True, raw
        row = (GeoCache.select(GeoCache.value, GeoCache.valid_until)
               .where((GeoCache.key == key) & (GeoCache.valid_until >= clock.now())).first())
        if row is None:
            return False, None
        ttl = min(FAST_CACHE_TTL, (row.valid_until - clock.now()).total_seconds())
        if ttl > 0:
            self._fast_set(key, row.value, ttl)
        return True, row.value

    def remember(self, key: str, raw: str) -> None:
        from penhas_api.core.db import database
        from penhas_api.core.models import GeoCache

        now = clock.now()
        valid_until = now + (HIT_TTL if raw else MISS_TTL)
        try:
            with database.atomic():
                updated = (GeoCache.update(value=raw, created_at=now, valid_until=valid_until)
                           .where(GeoCache.key == key).execute())
                if not updated:
                    GeoCache.create(key=key, value=raw, created_at=now, valid_until=valid_until)
        except peewee.IntegrityError:  # another process stored the same key a moment ago
            pass
        self._fast_set(key, raw, min(FAST_CACHE_TTL, (valid_until - now).total_seconds()))

    # -- lookups ------------------------------------------------------------------------------------------------
    def ask_providers(self, address: str) -> GeoResult | None:
        """The first answer of a working provider; raise GeocoderUnavailable when none answered."""
        problems = []
        for provider in self.providers:
            breaker = self.breakers[provider.name]
            if not breaker.allows():
                problems.append(f"{provider.name}: circuit open")
                continue
            try:
                result = with_backoff(lambda p=provider: p.geocode(address), attempts=self.retries,
                                      base_delay=self.backoff, sleep=self.sleep,
                                      retry_on=(TransientProviderError,))
            except ProviderError as exc:
                breaker.failure()
                problems.append(str(exc))
                log.warning("geocoder provider failed: %s", exc)
                continue
            breaker.success()
            return result
        raise GeocoderUnavailable("; ".join(problems) or "no geocoder configured")

    def lookup(self, key: str, compute) -> dict | None:
        """Cached ``compute()`` (a JSON-able dict or None) under ``key``; GeocoderUnavailable is not cached."""
        found, raw = self.cached(key)
        if found:
            return json.loads(raw) if raw else None
        value = compute()
        self.remember(key, json.dumps(value, ensure_ascii=False) if value else "")
        return value

    def geocode(self, address: str) -> GeoResult | None:
        key = cache_key(address)
        if not key:
            return None
        if not self.providers:
            # Cached answers only: a miss is "unknown for now", never "no such address" (README, GEOCODER=none).
            found, raw = self.cached(key)
            if not found:
                raise GeocoderUnavailable("no geocoder configured (GEOCODER=none or no API key)")
            return GeoResult(**json.loads(raw)) if raw else None

        def compute():
            result = self.ask_providers(address)
            return asdict(result) if result else None

        value = self.lookup(key, compute)
        return GeoResult(**value) if value else None

    def status(self) -> list[tuple[str, bool, int]]:
        """(provider, circuit closed?, seconds until it is tried again) for each configured provider."""
        return [(name, b.allows(), b.seconds_open()) for name, b in self.breakers.items()]


def provider_names(settings) -> list[str]:
    names = [n.strip() for n in settings.geocoder.split(",") if n.strip() and n.strip() != "none"]
    keys = {"here": settings.here_api_key, "google": settings.google_api_key}
    names = [n for n in dict.fromkeys(names) if n in keys and keys[n]]
    if len(names) == 1:
        other = "google" if names[0] == "here" else "here"
        if keys[other]:
            names.append(other)
    return names


@lru_cache(maxsize=8)
def _geocoder_for(names: tuple, here_key, here_url, google_key, google_url, redis_url):
    build = {"here": lambda: HereProvider(here_key, here_url), "google": lambda: GoogleProvider(google_key, google_url)}
    store = RedisStore(redis_url) if redis_url else MemoryStore()
    return Geocoder([build[n]() for n in names], store)


def get_geocoder() -> Geocoder:
    s = get_settings()
    return _geocoder_for(tuple(provider_names(s)), s.here_api_key, s.here_geocode_url, s.google_api_key,
                         s.google_geocode_url, s.redis_url)


def geocode(address: str) -> GeoResult | None:
    return get_geocoder().geocode(address)


def health_check() -> str:
    """`penhas health` line: providers and their circuit breakers; down while any breaker is open."""
    geocoder = get_geocoder()
    if not geocoder.providers:
        return "disabled (GEOCODER=none or no API key)"
    states = geocoder.status()
    detail = ", ".join(f"{name}: {'closed' if ok else f'OPEN, retry in {secs}s'}" for name, ok, secs in states)
    if not all(ok for _, ok, _ in states):
        raise RuntimeError(detail)
    return f"{detail} (cache: {geocoder.store.name})"
