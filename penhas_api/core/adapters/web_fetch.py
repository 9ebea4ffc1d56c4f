"""Bounded HTTP GETs of outside content (RSS feeds, news images): time and size limits, manual redirects, and
for untrusted URLs a check that every hop goes to a public address (no SSRF into our network).

The address check resolves the host before connecting; a DNS answer that changes between the check and the
connection (rebinding) is not covered, which is acceptable for images fetched only from URLs we signed.
"""
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse

import requests

USER_AGENT = "PenhaS/1.0 (+https://penhas.com.br)"
MAX_REDIRECTS = 3


class FetchError(Exception):
    """Why a fetch was refused or failed, in words safe to store and show to the operator."""


@dataclass
class Fetched:
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    url: str = ""


def is_public_host(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(_is_public(a) for a in addresses)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _check_url(url: str, public_only: bool) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise FetchError("only http and https URLs are fetched")
    if public_only and not is_public_host(parsed.hostname):
        raise FetchError("address is not public")


def fetch(url: str, *, max_bytes: int, timeout: float, headers: dict | None = None,
          public_only: bool = True) -> Fetched:
    """GET ``url`` following at most three redirects (each hop checked). Raises FetchError when refused, too
    big, too slow or unreachable; any HTTP status is returned as is."""
    deadline = time.monotonic() + timeout
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the address check must hold for the real peer
    for _ in range(MAX_REDIRECTS + 1):
        _check_url(url, public_only)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timed out")
        try:
            response = session.get(url, headers={"User-Agent": USER_AGENT, **(headers or {})}, stream=True,
                                   allow_redirects=False, timeout=(min(5.0, remaining), remaining))
        except requests.Timeout:
            raise FetchError("timed out") from None
        except requests.RequestException as exc:
            raise FetchError(f"connection failed ({type(exc).__name__})") from None
        with response:
            if response.is_redirect and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"body larger than {max_bytes} bytes")
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(65536):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(f"body larger than {max_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise FetchError("timed out")
                    chunks.append(chunk)
            except requests.RequestException as exc:
                raise FetchError(f"read failed ({type(exc).__name__})") from None
            return Fetched(response.status_code, b"".join(chunks), dict(response.headers), url)
    raise FetchError("too many redirects")
