"""A tiny threaded HTTP server on loopback, for fakes of outside APIs that speak their real wire format."""
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeHandler(BaseHTTPRequestHandler):
    """Subclass and implement ``route(method, path, query) -> (status, body_dict_or_bytes)``.

    Every request is recorded on ``server.calls`` as (method, path, query).
    """

    def log_message(self, *args):  # keep test output quiet
        pass

    def _handle(self, method):
        parsed = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        self.server.calls.append((method, parsed.path, query))
        status, body = self.route(method, parsed.path, query)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def route(self, method, path, query):
        raise NotImplementedError


@contextmanager
def fake_server(handler_cls):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
    server.daemon_threads = True  # a handler still sleeping (a slow fake) never holds up shutdown
    server.calls = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        server.url = f"http://127.0.0.1:{server.server_address[1]}"
        yield server
    finally:
        server.shutdown()
        server.server_close()
