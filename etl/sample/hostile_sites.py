"""A hostile website on loopback, for the collector's tests and bench/fuzz_sites.py: the pages a broken or
malicious site serves to a crawler. Every request is logged (time, method, path), so a test can check what
reached the server, and that nothing did.

    /listing/N          a listing of N annual-report links (to /report/I.html)
    /report/I.html      a small report page (stored by the collector)
    /big/MB             a listing page of MB megabytes, streamed without a Content-Length
    /tree/I/            a tree that grows as it is walked: every page has three new numbered page links
                        (/tree/3I+1/ …) and five report links that lead to more of the tree
    /redirect?to=URL    302 to URL (an internal address, say)
    /loop/a, /loop/b    302 to each other
    /trickle            an HTML page sent one byte every half second
    /robots.txt         404: everything may be walked
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

REPORT_TITLE = "2023年政府信息公开工作年度报告"
_ROW = '<li><a href="/report/{i}.html">某局' + REPORT_TITLE + '{i}</a><span>2024-01-25</span></li>\n'


@dataclass
class Hit:
    t: float
    method: str
    path: str


@dataclass
class Hostile:
    base: str
    log: list[Hit] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def paths(self) -> list[str]:
        return [h.path for h in self.log]

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> Hostile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def listing_html(n: int) -> bytes:
    rows = "".join(_ROW.format(i=i) for i in range(n))
    return f"<html><head><title>年报</title></head><body><ul>{rows}</ul></body></html>".encode()


def _report_html(i: str) -> bytes:
    return (f"<html><head><title>某局{REPORT_TITLE}</title><meta name=\"PubDate\" content=\"2024-01-25\"></head>"
            f"<body><h1>某局{REPORT_TITLE}</h1><p>一、总体情况 {i}</p><p>二、主动公开政府信息情况</p>"
            "<p>本机关主动公开政府信息。</p></body></html>").encode()


def _tree_html(i: int) -> bytes:
    pages = "".join(f'<a href="/tree/{3 * i + k}/">{k}</a> ' for k in (1, 2, 3))
    reports = "".join(f'<li><a href="/tree/{10 * i + k + 7}/">某局{REPORT_TITLE}{i}-{k}</a></li>' for k in range(5))
    return f"<html><body><ul>{reports}</ul><div>{pages}</div></body></html>".encode()


def _handler(log: list[Hit], lock: threading.Lock, delay: float):
    class Handler(BaseHTTPRequestHandler):
        server_version = "Hostile/1.0"

        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
            try:
                self.send_response(status)
                for k, v in {"Content-Type": "text/html; charset=utf-8", **(headers or {})}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _stream(self, chunks) -> None:
            """A body with no Content-Length, ended by closing the connection (HTTP/1.0)."""
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                for chunk in chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
                pass

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            with lock:
                log.append(Hit(time.monotonic(), self.command, self.path))
            if delay:
                time.sleep(delay)
            url = urlparse(self.path)
            parts = [p for p in url.path.split("/") if p]
            head = parts[0] if parts else ""
            if head == "listing" and len(parts) == 2:
                return self._send(200, listing_html(int(parts[1])))
            if head == "report":
                return self._send(200, _report_html(parts[-1]))
            if head == "big" and len(parts) == 2:
                total = int(float(parts[1]) * 1024 * 1024)
                block = "".join(_ROW.format(i=i) for i in range(1000)).encode()
                n = max(1, total // len(block))
                return self._stream([b"<html><body><ul>", *(block for _ in range(n)), b"</ul></body></html>"])
            if head == "tree" and len(parts) == 2:
                return self._send(200, _tree_html(int(parts[1])))
            if head == "redirect":
                return self._send(302, b"", {"Location": parse_qs(url.query).get("to", ["/"])[0]})
            if head == "loop" and len(parts) == 2:
                return self._send(302, b"", {"Location": "/loop/b" if parts[1] == "a" else "/loop/a"})
            if head == "trickle":
                def slow():
                    yield b"<html><body>"
                    for _ in range(600):
                        time.sleep(0.5)
                        yield b"."
                return self._stream(slow())
            return self._send(404, b"<html><body>404</body></html>")

        do_HEAD = do_GET

    return Handler


def serve_hostile(ip: str = "127.0.0.2", port: int = 0, delay: float = 0.0) -> Hostile:
    """Start the hostile site on `ip` (any loopback address: 127.0.0.1 plays the internal server);
    close() it after."""
    log: list[Hit] = []
    server = ThreadingHTTPServer((ip, port), _handler(log, threading.Lock(), delay))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=f"hostile-{ip}", daemon=True).start()
    return Hostile(f"http://{ip}:{server.server_address[1]}", log, server)
