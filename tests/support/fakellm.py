"""A fake OpenAI-compatible server on 127.0.0.1 (stdlib only), its replies scripted per test.

``POST /v1/chat/completions`` answers with a ``Reply`` chosen by the test's ``script``: a function of the
request body (so a test can answer the follow-up rewrite, the question's renditions and the answer
differently), or one Reply for every call. A Reply is a text, an HTTP error status, a delay, a body dripped
a byte at a time, or a streamed (SSE) text sent in pieces, as ``stream=True`` asks for. Every request is
recorded (path, headers, body). With ``api_key`` set, a request without that key is refused (401); with
``models`` set, ``GET /v1/models`` lists them and a request for another model is not found (404). Waits
are bounded and end early when the server is reset or stopped.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Self

from tests.support.fakebotapi import LoopbackServer

MODEL_ANSWERING = "fake-model-q4"  # the model name the fake reports, as llama.cpp reports its file's


@dataclass(frozen=True)
class Reply:
    text: str = ""
    status: int = 200
    sleep: float = 0.0  # seconds before answering (bounded to 5)
    drip: bool = False  # send the JSON body a byte every 0.1 s (no single read times out; bounded to 5 s)
    pieces: int = 4  # a streamed reply comes in this many pieces...
    gap: float = 0.0  # ...this many seconds apart
    prompt_tokens: int = 120
    completion_tokens: int = 30
    model: str = MODEL_ANSWERING  # the model the reply says answered


@dataclass(frozen=True)
class Call:
    path: str
    headers: dict[str, str]  # names in lower case
    body: dict[str, Any]


def system_of(body: dict[str, Any]) -> str:
    return next((m["content"] for m in body.get("messages", []) if m.get("role") == "system"), "")


def last_user(body: dict[str, Any]) -> str:
    return next((m["content"] for m in reversed(body.get("messages", [])) if m.get("role") == "user"), "")


Script = Callable[[dict[str, Any]], Reply]


@dataclass
class FakeLLMServer:
    script: Script = field(default=lambda body: Reply("NO_ANSWER"))
    api_key: str = ""  # if set, only "Authorization: Bearer <api_key>" is let in
    models: tuple[str, ...] = ()  # if set, what GET /v1/models lists and the only models answered
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: LoopbackServer | None = None
    _thread: threading.Thread | None = None

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The bodies of the requests received, oldest first."""
        return [call.body for call in self.calls]

    def reply(self, script: Script | Reply) -> None:
        """Answer from now on with ``script`` (one Reply for every call, or a function of the request)."""
        self._stop.set()  # wake a handler still sleeping for an earlier test
        with self._lock:
            self._stop = threading.Event()
            self.script = script if callable(script) else (lambda body: script)
            self.calls.clear()

    def start(self) -> FakeLLMServer:
        self._server = LoopbackServer(("127.0.0.1", 0), _handler(self))
        self._server.block_on_close = False
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _handler(fake: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _json(self, status: int, payload: dict[str, Any], drip: threading.Event | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if drip is None:
                self.wfile.write(data)
                return
            for i in range(min(len(data), 50)):  # 5 s at most, then the connection is cut short
                if drip.wait(0.1):
                    break
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
            self.close_connection = True

        def _error(self, status: int, message: str, kind: str) -> None:
            self._json(status, {"error": {"message": message, "type": kind, "code": None}})

        def _refused(self) -> bool:
            if fake.api_key and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                self._error(401, "Incorrect API key", "invalid_request_error")
                return True
            return False

        def _record(self, body: dict[str, Any]) -> tuple[Script, threading.Event]:
            with fake._lock:
                fake.calls.append(Call(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                return fake.script, fake._stop

        def _stream(self, reply: Reply, stop: threading.Event) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            size = max(1, -(-len(reply.text) // max(1, reply.pieces)))
            pieces = [reply.text[i:i + size] for i in range(0, len(reply.text), size)]
            base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                    "model": reply.model}
            events = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece},
                                            "finish_reason": None}]} for piece in pieces]
            events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            events.append({**base, "choices": [], "usage": _usage(reply)})
            for i, event in enumerate(events):
                if i and reply.gap and stop.wait(reply.gap):
                    return
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def do_GET(self) -> None:
            self._record({})
            try:
                if self._refused():
                    return
                if fake.models and self.path.rstrip("/") == "/v1/models":
                    self._json(200, {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "fake"}
                                                                for m in fake.models]})
                    return
                self._error(404, f"no route {self.path}", "not_found")
            except OSError:
                pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            script, stop = self._record(body)
            try:
                if self._refused():
                    return
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._error(404, f"no route {self.path}", "not_found")
                    return
                if fake.models and body.get("model") not in fake.models:
                    self._error(404, f"model {body.get('model')} not found", "not_found")
                    return
                reply = script(body)
                if reply.sleep:
                    stop.wait(min(reply.sleep, 5.0))
                if reply.status != 200:
                    self._error(reply.status, "boom", "server_error")
                elif body.get("stream"):
                    self._stream(reply, stop)
                else:
                    self._json(200, {
                        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                        "model": reply.model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text},
                                     "finish_reason": "stop"}],
                        "usage": _usage(reply),
                    }, drip=stop if reply.drip else None)
            except OSError:  # the client gave up (a timeout) and closed the connection
                pass

    return Handler


def _usage(reply: Reply) -> dict[str, int]:
    return {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens}
