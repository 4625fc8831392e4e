"""A latency-injecting HTTP proxy in front of the moto server, for `make bench`'s latency mode.

Real IAM answers in 50-150 ms; moto in a few. The proxy (a threaded `http.server` on 127.0.0.1) holds every
request `delay` seconds before forwarding it, and records each request's start and end, so a run's number of
sequential round trips (`depth`: the longest chain of requests each starting after the previous one ended) can be
read off its log. With `lag` it also models IAM's eventual consistency: a role (or an inline policy) written
through it is reported missing (NoSuchEntity) by reads for `lag` seconds after the write.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MISSING = (
    b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
    b"<Code>NoSuchEntity</Code><Message>not found (propagation lag)</Message></Error>"
    b"<RequestId>lag</RequestId></ErrorResponse>"
)
ROLE_READS = {"GetRole", "ListRolePolicies", "ListAttachedRolePolicies", "ListRoleTags"}


def depth(intervals: list[tuple[float, float]]) -> int:
    """The number of sequential round trips: the most requests that do not overlap (greedy by end time)."""
    count, last_end = 0, float("-inf")
    for start, end in sorted(intervals, key=lambda i: i[1]):
        if start >= last_end:
            count, last_end = count + 1, end
    return count


class LatencyProxy:
    def __init__(self, upstream: str, delay: float = 0.08) -> None:
        self.upstream = urlsplit(upstream)
        self.delay = delay
        self.lag = 0.0
        self.log: list[tuple[float, float, str]] = []
        self.lock = threading.Lock()
        self.written: dict[str, float] = {}  # "role" or "role/policy" -> time of the write
        self._local = threading.local()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def mark(self) -> int:
        with self.lock:
            return len(self.log)

    def since(self, mark: int) -> list[tuple[float, float, str]]:
        with self.lock:
            return self.log[mark:]

    def depth_since(self, mark: int) -> tuple[int, int]:
        """(sequential round trips, requests) since mark."""
        entries = self.since(mark)
        return depth([(s, e) for s, e, _ in entries]), len(entries)

    def record(self, start: float, end: float, what: str) -> None:
        with self.lock:
            self.log.append((start, end, what))

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=30)
            self._local.conn = conn
        return conn

    def _lagged(self, form: dict[str, list[str]], now: float) -> bool:
        action = (form.get("Action") or [""])[0]
        role = (form.get("RoleName") or [""])[0]
        if not role or not self.lag:
            return False
        created = self.written.get(role)
        if (action in ROLE_READS or action == "GetRolePolicy") and created is not None and now < created + self.lag:
            return True
        if action == "GetRolePolicy":
            put = self.written.get(f"{role}/{(form.get('PolicyName') or [''])[0]}")
            return put is not None and now < put + self.lag
        return False

    def _note_write(self, form: dict[str, list[str]], now: float) -> None:
        action = (form.get("Action") or [""])[0]
        role = (form.get("RoleName") or [""])[0]
        if action == "CreateRole":
            self.written[role] = now
        elif action == "PutRolePolicy":
            self.written[f"{role}/{(form.get('PolicyName') or [''])[0]}"] = now

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                start = time.perf_counter()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                form = parse_qs(body.decode("utf-8", "replace")) if body else {}
                time.sleep(proxy.delay)
                if proxy._lagged(form, time.perf_counter()):
                    status, headers, data = 404, [("Content-Type", "text/xml")], MISSING
                else:
                    headers_out = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                    for attempt in range(2):
                        conn = proxy._conn()
                        try:
                            conn.request(self.command, self.path, body=body, headers=headers_out)
                            resp = conn.getresponse()
                            data = resp.read()
                            break
                        except (OSError, http.client.HTTPException):
                            conn.close()
                            proxy._local.conn = None
                            if attempt:
                                raise
                    status = resp.status
                    skip = {"connection", "transfer-encoding", "content-length", "keep-alive"}
                    headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in skip]
                    if status < 300:
                        proxy._note_write(form, time.perf_counter())
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                proxy.record(start, time.perf_counter(), (form.get("Action") or [self.command])[0])

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        return Handler


@contextlib.contextmanager
def latency_proxy(upstream: str, delay: float = 0.08) -> Iterator[LatencyProxy]:
    proxy = LatencyProxy(upstream, delay)
    thread = threading.Thread(target=proxy.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()
