"""The gunicorn worker the API runs on (``penhas serve`` and the Procfile's web line).

* Threads (gunicorn's ``gthread``): a slow request (an upload being analysed) holds one thread, never the whole
  process, and the worker keeps answering gunicorn's heartbeat, so it is not killed while others wait. A panic
  alert sent meanwhile is served by another thread.
* The errors gunicorn answers by itself (a malformed request, a request cut short when a worker is aborted) are
  the contract's JSON, like every other error, instead of gunicorn's HTML page.
"""
import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from penhas_api.core.errors import PenhasError, internal_error


def _gunicorn_error(status: int) -> PenhasError:
    if status >= 500:
        return internal_error()
    return PenhasError("bad_request", "Requisição inválida.", status)


def write_json_error(sock, status_int: int, reason: str, _mesg: str) -> None:
    # gunicorn's own message may echo the request line (a token in a query string): never sent back nor kept.
    body = json.dumps(_gunicorn_error(status_int).body(), ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin1") + body)


class ApiWorker(ThreadWorker):
    def init_process(self):
        # gunicorn writes those answers through util.write_error, which has no hook: this process only serves the
        # API, so its HTML writer is replaced before the worker starts serving.
        util.write_error = write_json_error
        super().init_process()
