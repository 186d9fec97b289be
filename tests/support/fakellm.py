"""A fake OpenAI-compatible server on 127.0.0.1 (stdlib only), its replies scripted per test.

``POST /v1/chat/completions`` answers with a ``Reply`` chosen by the test's ``script``: a function of the
request body (so a test can answer the follow-up rewrite, the question's renditions and the answer
differently), or one Reply for every call. A Reply is a text, an HTTP error status, a delay, or a streamed
(SSE) text sent in pieces, as ``stream=True`` asks for. Every request is recorded. Waits are bounded and
end early when the server is reset or stopped.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

MODEL_ANSWERING = "fake-model-q4"  # the model name the fake reports, as llama.cpp reports its file's


@dataclass(frozen=True)
class Reply:
    text: str = ""
    status: int = 200
    sleep: float = 0.0  # seconds before answering (bounded to 5)
    pieces: int = 4  # a streamed reply comes in this many pieces...
    gap: float = 0.0  # ...this many seconds apart
    prompt_tokens: int = 120
    completion_tokens: int = 30


def system_of(body: dict[str, Any]) -> str:
    return next((m["content"] for m in body.get("messages", []) if m.get("role") == "system"), "")


def last_user(body: dict[str, Any]) -> str:
    return next((m["content"] for m in reversed(body.get("messages", [])) if m.get("role") == "user"), "")


Script = Callable[[dict[str, Any]], Reply]


@dataclass
class FakeLLMServer:
    script: Script = field(default=lambda body: Reply("NO_ANSWER"))
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def reply(self, script: Script | Reply) -> None:
        """Answer from now on with ``script`` (one Reply for every call, or a function of the request)."""
        self._stop.set()  # wake a handler still sleeping for an earlier test
        with self._lock:
            self._stop = threading.Event()
            self.script = script if callable(script) else (lambda body: script)
            self.requests.clear()

    def start(self) -> FakeLLMServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
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

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, reply: Reply, model: str, stop: threading.Event) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            size = max(1, -(-len(reply.text) // max(1, reply.pieces)))
            pieces = [reply.text[i:i + size] for i in range(0, len(reply.text), size)]
            base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                    "model": model}
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

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            with fake._lock:
                fake.requests.append(body)
                script, stop = fake.script, fake._stop
            try:
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                reply = script(body)
                if reply.sleep:
                    stop.wait(min(reply.sleep, 5.0))
                if reply.status != 200:
                    self._json(reply.status, {"error": {"message": "boom", "type": "server_error", "code": None}})
                elif body.get("stream"):
                    self._stream(reply, MODEL_ANSWERING, stop)
                else:
                    self._json(200, {
                        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                        "model": MODEL_ANSWERING,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text},
                                     "finish_reason": "stop"}],
                        "usage": _usage(reply),
                    })
            except OSError:  # the client gave up (a timeout) and closed the connection
                pass

    return Handler


def _usage(reply: Reply) -> dict[str, int]:
    return {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens}
