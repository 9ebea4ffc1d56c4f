"""A local web server for RSS/Atom feeds and news images, speaking real HTTP (ETag, redirects, slow bodies)."""
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from tests.fakes.http import fake_server

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Fonte RSS</title><link>https://rss.example/</link><description>d</description>
<item><title>Lei Maria da Penha completa anos</title><link>https://rss.example/n1</link>
<description>&lt;p&gt;Texto sobre violência doméstica&lt;/p&gt;</description>
<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate><category>Direitos</category>
<media:content url="https://img.example/n1.jpg" medium="image"/></item>
<item><title>&#8220;Mulher&#8221; teste decode encoded titles</title><link>https://rss.example/n2</link>
<description>outra</description><pubDate>Sun, 22 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>Sem link</title></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Fonte Atom</title><id>urn:x</id>
<updated>2026-11-21T09:00:00Z</updated>
<entry><title>this is page1 title</title><link href="https://atom.example/a1"/><id>urn:a1</id>
<updated>2026-11-21T09:00:00Z</updated><summary>resumo</summary></entry>
</feed>"""

MALFORMED = "<html><body>isto não é um feed <rss></body>"


class FeedHandler(BaseHTTPRequestHandler):
    """Routes: /rss, /atom, /malformed, /slow (sleeps past any timeout), /big (declares no length, streams too
    much), /etag (304 when If-None-Match matches), /image.png, /redirect?to=URL, /missing (404)."""

    def log_message(self, *args):
        pass

    def _send(self, status, body: bytes = b"", ctype="application/xml", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the slow route): nothing to do

    def do_GET(self):
        path, _, query = self.path.partition("?")
        self.server.calls.append((path, dict(self.headers)))
        if path == "/rss":
            self._send(200, self.server.rss.encode())
        elif path == "/atom":
            self._send(200, ATOM.encode(), "application/atom+xml")
        elif path == "/malformed":
            self._send(200, MALFORMED.encode(), "text/html")
        elif path == "/slow":
            time.sleep(self.server.slow_seconds)
            self._send(200, ATOM.encode())
        elif path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            try:
                for _ in range(64):
                    self.wfile.write(b"x" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/etag":
            if self.headers.get("If-None-Match") == '"v1"':
                self._send(304, None)
            else:
                self._send(200, self.server.rss.encode(), headers={"ETag": '"v1"'})
        elif path == "/image.png":
            self._send(200, b"\x89PNG fake image bytes", "image/png")
        elif path == "/redirect":
            self._send(302, b"", headers={"Location": query.split("to=", 1)[1]})
        else:
            self._send(404, b"not found", "text/plain")


@contextmanager
def feed_server(slow_seconds: float = 2.0):
    with fake_server(FeedHandler) as server:
        server.rss = RSS
        server.slow_seconds = slow_seconds
        yield server
