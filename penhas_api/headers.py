"""Security headers on every response, for the HTML pages above all: the guardian page carries its token in the URL
and its buttons act on it, so it must never be framed (clickjacking) nor leak its URL through a Referer."""
from flask import Flask

SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
