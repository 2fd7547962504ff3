"""A local collector that speaks Segment's HTTP tracking API and lands each request as one file.

It stands in for the production collector that writes to the landing-zone bucket.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .settings import Settings
from .steps import PipelineError, console

SEGMENT_DIR = Path("raw") / "segment"
# Single-call endpoint -> the message type it implies.
SINGLE_CALLS = {f"/v1/{kind}": kind for kind in ("track", "identify", "page", "screen", "group")}
SINGLE_CALLS["/v1/alias"] = "alias"
BATCH_PATHS = {"/v1/batch", "/v1/import"}
# Segment caps a batch at 500 KB; a local collector can afford more, but not unbounded.
MAX_BODY_BYTES = 16 * 1024 * 1024


class RequestError(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class Collector(ThreadingHTTPServer):
    """The HTTP server, with where it lands files and what it has received so far."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], landing_dir: Path) -> None:
        super().__init__(address, CollectorHandler)
        self.landing_dir = landing_dir
        self.messages = 0
        self.files = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def land(self, messages: list[Any]) -> Path:
        """Write one request's messages as one immutable NDJSON file; return its path."""
        now = datetime.now(UTC)
        received_at = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        folder = self.landing_dir / SEGMENT_DIR / f"date={now:%Y-%m-%d}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{now:%H%M%S}-{uuid.uuid4().hex}.jsonl"
        lines = []
        for message in messages:
            if isinstance(message, dict):
                message["receivedAt"] = received_at
            line = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
            if not line.isascii() and not _encodable(line):
                raise RequestError(HTTPStatus.BAD_REQUEST, "body has text that is not valid UTF-8")
            lines.append(line)
        # A dot-name without .jsonl is invisible to the loader until the rename makes it whole.
        partial = folder / f".{name}.partial"
        partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
        # Read-only once landed: the loader records a file once and never reads it again.
        partial.chmod(0o444)
        os.replace(partial, folder / name)
        with self._lock:
            self.messages += len(messages)
            self.files += 1
        return folder / name


class CollectorHandler(BaseHTTPRequestHandler):
    server: Collector
    # Keep-alive: the client reuses one connection for all its batches.
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle on, each reply then waits ~40 ms.
    disable_nagle_algorithm = True
    # A client that promises more body than it sends must not hold a thread forever.
    timeout = 30

    def do_POST(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        try:
            self._accept()
        except RequestError as error:
            code = error.status.phrase.lower().replace(" ", "_")
            self._reply(error.status, {"success": False, "code": code, "message": str(error)})
        else:
            self._reply(HTTPStatus.OK, {"success": True})

    def do_GET(self) -> None:  # noqa: N802
        self._reply(HTTPStatus.NOT_FOUND, {"success": False, "message": "POST to /v1/batch"})

    def _accept(self) -> None:
        raw = self._read_body()
        path = self.path.split("?", 1)[0].rstrip("/")
        if path not in BATCH_PATHS and path not in SINGLE_CALLS:
            raise RequestError(HTTPStatus.NOT_FOUND, f"no endpoint {path}")
        body = self._parse(raw)
        if not self._write_key(body):
            raise RequestError(HTTPStatus.UNAUTHORIZED, "missing write key")
        messages = _batch_messages(body) if path in BATCH_PATHS else [_single(body, path)]
        if messages:
            self.server.land(messages)

    def _read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise RequestError(HTTPStatus.BAD_REQUEST, "bad Content-Length")
        if length > MAX_BODY_BYTES:
            # The unread body would be taken for the next request on this connection.
            self.close_connection = True
            raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body over 16 MB")
        return self.rfile.read(length)

    def _parse(self, raw: bytes) -> dict[str, Any]:
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            raw = _gunzip(raw)
        try:
            body = json.loads(raw)
        except ValueError:
            raise RequestError(HTTPStatus.BAD_REQUEST, "body is not valid JSON") from None
        if not isinstance(body, dict):
            raise RequestError(HTTPStatus.BAD_REQUEST, "body must be a JSON object")
        return body

    def _write_key(self, body: dict[str, Any]) -> str:
        """The key from basic auth (`key:` base64) or the body's writeKey; any key is accepted."""
        scheme, _, credentials = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                key = base64.b64decode(credentials, validate=True).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                raise RequestError(HTTPStatus.UNAUTHORIZED, "malformed basic auth") from None
            if key:
                return key
        key = body.get("writeKey")
        return key if isinstance(key, str) else ""

    def _reply(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        # One line per request would drown the pipeline's own output; failures are in the reply.
        pass


def _gunzip(raw: bytes) -> bytes:
    """Decompress a gzip body, refusing one that inflates past the body limit."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            inflated = stream.read(MAX_BODY_BYTES + 1)
    except (OSError, EOFError):
        raise RequestError(HTTPStatus.BAD_REQUEST, "body is not valid gzip") from None
    if len(inflated) > MAX_BODY_BYTES:
        raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body over 16 MB once unzipped")
    return inflated


def _encodable(text: str) -> bool:
    """False for text with lone surrogates (JSON's \\ud800), which no UTF-8 file can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _batch_messages(body: dict[str, Any]) -> list[Any]:
    batch = body.get("batch")
    if not isinstance(batch, list):
        raise RequestError(HTTPStatus.BAD_REQUEST, "field 'batch' must be a list of messages")
    shared = {key: body[key] for key in ("sentAt", "context", "integrations") if key in body}
    for message in batch:
        # Batch-level fields apply to every message that doesn't set its own, as in Segment.
        if isinstance(message, dict):
            for key, value in shared.items():
                message.setdefault(key, value)
    return batch


def _single(body: dict[str, Any], path: str) -> dict[str, Any]:
    message = {key: value for key, value in body.items() if key != "writeKey"}
    message.setdefault("type", SINGLE_CALLS[path])
    return message


@contextmanager
def running(settings: Settings, port: int = 0) -> Iterator[Collector]:
    """Run the collector in a background thread (port 0: any free port); yield it (`.url`)."""
    server = Collector((settings.collector_host, port), settings.landing_dir)
    # A short poll interval, so that shutdown() returns promptly.
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="collector", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def serve(settings: Settings) -> None:
    """Serve in the foreground until Ctrl-C; print where it listens and what it landed."""
    address = (settings.collector_host, settings.collector_port)
    try:
        server = Collector(address, settings.landing_dir)
    except OSError as error:
        where = f"{address[0]}:{address[1]}"
        raise PipelineError(f"collector: cannot listen on {where}: {error}") from None
    console.print(f"collector: listening on {server.url}, landing in {settings.landing_dir}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        console.print(f"collector: {server.messages:,} events into {server.files:,} files")
