"""Serving the fake sites (etl.sample.sites) on loopback, one HTTP server per host, with a request log.

Each host gets its own loopback address (127.0.0.11, .12, …): Scrapy's per-host politeness is keyed by host
name, so hosts on one address would share one slot. The servers answer like a plain CMS front end: ETag and
Last-Modified on every file, 304 to a matching conditional request, 301 for a moved column, robots.txt,
and a per-host delay. Every request is logged (time, path, status, whether it was conditional, User-Agent),
so tests measure politeness from the server's side.
"""

from __future__ import annotations

import csv
import email.utils
import hashlib
import json
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

_TYPES = {".html": "text/html", ".pdf": "application/pdf", ".doc": "application/msword",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".txt": "text/plain", ".js": "application/javascript"}
_LAST_MODIFIED = email.utils.formatdate(time.mktime((2025, 3, 1, 8, 0, 0, 0, 0, 0)), usegmt=True)


@dataclass
class Logged:
    t: float  # when the request arrived (time.monotonic)
    host: str
    method: str
    path: str
    status: int
    conditional: bool
    user_agent: str


@dataclass
class Served:
    """The running sites: base URL per host name, and the shared request log."""
    sites_dir: Path
    bases: dict[str, str]
    log: list[Logged] = field(default_factory=list)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)

    def write_sources(self, path: str | Path, extra: list[dict] | None = None) -> Path:
        """SOURCES.csv for the collector: each agency's column (or its old address), and the walls."""
        sites = json.loads((self.sites_dir / "sites.json").read_text(encoding="utf-8"))
        rows = [{"agency": a["name"], "url": self.bases[h["name"]] + a["source"], "region": a.get("region", ""),
                 "level": a.get("level", ""), "kind": a.get("kind", "")} for h in sites["hosts"] for a in h["agencies"]]
        rows += [{"agency": w["agency"], "url": self.bases[w["host"]] + w["source"]} for w in sites["walls"]]
        rows += extra or []
        path = Path(path)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["agency", "url", "region", "level", "kind"], restval="")
            w.writeheader()
            w.writerows(rows)
        return path

    def close(self) -> None:
        for s in self.servers:
            s.shutdown()
            s.server_close()

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _handler(root: Path, host: str, log: list[Logged], lock: threading.Lock):
    conf = json.loads((root / "_site.json").read_text(encoding="utf-8"))
    delay, redirects = float(conf.get("delay", 0)), conf.get("redirects", {})

    class Handler(BaseHTTPRequestHandler):
        server_version = "SampleCMS/1.0"

        def log_message(self, *args) -> None:  # the log below replaces stderr noise
            pass

        def _log(self, status: int) -> None:
            with lock:
                log.append(Logged(self._arrived, host, self.command, self.path, status,
                                  bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")),
                                  self.headers.get("User-Agent", "")))

        def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            try:
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client went away (a killed collector)
                status = -1
            self._log(status)

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            self._arrived = time.monotonic()  # politeness is measured between arrivals
            if delay:
                time.sleep(delay)
            path = unquote(urlparse(self.path).path)
            if path in redirects:
                return self._send(301, b"", {"Location": redirects[path]})
            rel = path.lstrip("/")
            if not rel or rel.endswith("/"):
                rel += "index.html"
            target = (root / rel).resolve()
            if root.resolve() not in target.parents or target.name.startswith("_") or not target.is_file():
                return self._send(404, b"<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"})
            data = target.read_bytes()
            etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
            headers = {"ETag": etag, "Last-Modified": _LAST_MODIFIED,
                       "Content-Type": _TYPES.get(target.suffix, mimetypes.guess_type(target.name)[0]
                                                  or "application/octet-stream")}
            if self.headers.get("If-None-Match") == etag or (
                    not self.headers.get("If-None-Match")
                    and self.headers.get("If-Modified-Since") == _LAST_MODIFIED):
                return self._send(304, b"", {"ETag": etag, "Last-Modified": _LAST_MODIFIED})
            return self._send(200, data, headers)

        do_HEAD = do_GET

    return Handler


def serve(sites_dir: str | Path, first_address: int = 11, port: int = 0) -> Served:
    """Start one server per host of a fake-sites tree; returns the running sites (close() them). With a
    port, every host listens on it (on its own address), so a restarted server keeps the same URLs."""
    sites_dir = Path(sites_dir)
    sites = json.loads((sites_dir / "sites.json").read_text(encoding="utf-8"))
    served = Served(sites_dir, {})
    lock = threading.Lock()
    for n, h in enumerate(sites["hosts"]):
        ip = f"127.0.0.{first_address + n}"
        server = ThreadingHTTPServer((ip, port), _handler(sites_dir / h["name"], h["name"], served.log, lock))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name=f"site-{h['name']}", daemon=True).start()
        served.servers.append(server)
        served.bases[h["name"]] = f"http://{ip}:{server.server_address[1]}"
    return served


def main() -> None:
    """`python -m etl.sample.site_server SITES_DIR SOURCES.csv`: serve until Ctrl+C (for trying collect)."""
    import sys

    served = serve(sys.argv[1])
    served.write_sources(sys.argv[2])
    print("serving", ", ".join(f"{k} {v}" for k, v in served.bases.items()), "- SOURCES at", sys.argv[2])
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        served.close()


if __name__ == "__main__":
    main()
