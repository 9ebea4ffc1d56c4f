"""gunicorn as the app needs it: every request line the app can send is accepted, and whatever gunicorn refuses
itself (a line over the limit, a malformed request, too many headers, a worker timeout) is answered with the
contract's JSON error body instead of gunicorn's HTML page.

Limits (docs/operations.md): the app sends ``PUT /me`` fields in the query string, and its largest request (a
2 200-character ``minibio`` of emoji plus every other field, percent-encoded) is under 40 KiB, so the request line
may be up to ``REQUEST_LINE_LIMIT`` (64 KiB); a header field up to 16 KiB; at most 100 header fields.
"""
import json
import logging

from gunicorn.glogging import Logger
from gunicorn.http import errors as http_errors
from gunicorn.util import write_nonblock
from gunicorn.workers.gthread import ThreadWorker

from penhas_api.core.logs import gunicorn_logconfig

REQUEST_LINE_LIMIT = 64 * 1024
HEADER_FIELD_LIMIT = 16 * 1024
HEADER_COUNT_LIMIT = 100
# Threads per worker process (`penhas serve --threads` overrides it).
THREADS = 8

log = logging.getLogger("penhas.web")


class RequestLineTooLong(Exception):
    """A request line over REQUEST_LINE_LIMIT (gunicorn's own limit is lifted: it cannot exceed 8 190 bytes)."""


def check_request_line(worker, req):
    """gunicorn ``pre_request`` hook: refuse a request line over our documented limit before the app runs."""
    if len(req.uri) > REQUEST_LINE_LIMIT:
        raise RequestLineTooLong()


# exception class → (status, reason phrase, error code, app-facing message); the first match wins
_ANSWERS = [
    ((RequestLineTooLong, http_errors.LimitRequestLine),
     (414, "URI Too Long", "request_line_too_long", "O endereço da requisição é longo demais.")),
    ((http_errors.LimitRequestHeaders,),
     (431, "Request Header Fields Too Large", "request_headers_too_large",
      "Os cabeçalhos da requisição são grandes demais.")),
    ((http_errors.InvalidResponseHeader, http_errors.InvalidResponseHeaderName),
     (500, "Internal Server Error", "Internal server error", "Erro interno")),
    ((http_errors.UnsupportedTransferCoding,),
     (501, "Not Implemented", "not_implemented", "Codificação de transferência não suportada.")),
    ((http_errors.ExpectationFailed,), (417, "Expectation Failed", "bad_request", "Requisição inválida.")),
    ((http_errors.ParseException,), (400, "Bad Request", "bad_request", "Requisição inválida.")),
    # A worker timeout (SIGABRT) or shutdown ends the request with SystemExit.
    ((SystemExit, KeyboardInterrupt),
     (503, "Service Unavailable", "service_unavailable",
      "O servidor demorou demais para responder. Tente novamente em instantes.")),
]
_CRASH = (500, "Internal Server Error", "Internal server error", "Erro interno")


def error_answer(exc: BaseException) -> tuple[int, str, bytes]:
    """(status, reason phrase, JSON body) for what gunicorn would have answered with an HTML page."""
    status, reason, error, message = next((answer for classes, answer in _ANSWERS if isinstance(exc, classes)),
                                          _CRASH)
    return status, reason, json.dumps({"error": error, "message": message}, ensure_ascii=False).encode()


class JsonErrorWorker(ThreadWorker):
    """gunicorn's threaded worker, answering its own errors with the contract's JSON.

    Threads: a slow request (an upload being analysed) holds one thread, never the whole process, and the worker
    keeps answering gunicorn's heartbeat, so it is not killed while others wait; a panic alert sent meanwhile is
    served by another thread.
    """

    def handle_request(self, req, conn):
        # gunicorn's timeout never aborts a thread, so a client that stops sending its body would hold one for
        # ever: the socket itself gives up after `timeout` seconds of silence, answered as the contract's 503.
        conn.sock.settimeout(self.cfg.timeout)
        return super().handle_request(req, conn)

    def handle_error(self, req, client, addr, exc):
        status, reason, body = error_answer(exc)
        log.log(logging.WARNING if status < 500 else logging.ERROR, "request refused by the server: %s %s",
                status, exc.__class__.__name__, extra={"status": status})
        head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
        try:
            write_nonblock(client, head + body)
        except OSError:
            log.debug("client gone before the error answer")


class NoAccessLogger(Logger):
    """gunicorn's logger without its access log (see ``gunicorn_logconfig``). Given a ``logconfig_dict``, gunicorn
    would still build every request's access-log atoms (each header and environ entry, lowercased) for a logger that
    drops them: measurable on a sub-millisecond request (issue 17)."""

    def access(self, resp, req, environ, request_time):
        return None


def gunicorn_settings(log_level: str) -> dict:
    """The settings both `penhas serve` and the Procfile's `web:` line (via penhas_api.gunicorn_conf) run with."""
    return {
        "worker_class": "penhas_api.web_server.JsonErrorWorker",
        "threads": THREADS,
        "limit_request_line": 0,  # 0 lifts gunicorn's 8 190-byte cap; check_request_line applies ours
        "limit_request_field_size": HEADER_FIELD_LIMIT,
        "limit_request_fields": HEADER_COUNT_LIMIT,
        "pre_request": check_request_line,
        "logconfig_dict": gunicorn_logconfig(log_level),
        "logger_class": "penhas_api.web_server.NoAccessLogger",
    }
