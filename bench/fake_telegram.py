"""The little of the Bot API the load benchmark needs, on 127.0.0.1, and the real bot run in a thread.

The tests have a full fake (tests/support/fakebotapi.py); the benchmark keeps its own so that bench/ does
not depend on tests/. Private chats only: updates are text messages, answers are recorded as they come.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from bot.settings import Settings
from bot.telegram.app import build_application, serve
from bot.telegram.state import BotState

TOKEN = "123456789:AAFakeTokenForTheBenchmark_abcdefgh"
BOT = {"id": 123456789, "is_bot": True, "first_name": "Centre bot", "username": "centre_bench_bot"}


class FakeTelegram:
    def __init__(self, token: str = TOKEN, long_poll_cap: float = 1.0):
        self.token, self.long_poll_cap = token, long_poll_cap
        self.on_send: Callable[[dict], None] | None = None  # called with each sendMessage's parameters
        self._updates: list[dict] = []
        self._next_update = 1
        self._next_message = 1
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeTelegram:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()

    def push_message(self, chat_id: int, text: str, language_code: str = "en") -> None:
        user = {"id": chat_id, "is_bot": False, "first_name": f"User {chat_id}", "language_code": language_code}
        with self._changed:
            message = {"message_id": self._message_id(), "date": int(time.time()), "text": text, "from": user,
                       "chat": {"id": chat_id, "type": "private", "first_name": user["first_name"]}}
            self._updates.append({"update_id": self._next_update, "message": message})
            self._next_update += 1
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def _message_id(self) -> int:
        self._next_message += 1
        return self._next_message

    def _call(self, method: str, params: dict):
        if method == "getMe":
            return BOT
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            wait = min(float(params.get("timeout") or 0), self.long_poll_cap)
            with self._changed:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if not self._updates:
                    self._changed.wait(wait)
                return list(self._updates)
        if method in ("sendMessage", "editMessageText"):
            if method == "sendMessage" and self.on_send is not None:
                self.on_send(params)
            with self._changed:
                message_id = int(params.get("message_id") or self._message_id())
            return {"message_id": message_id, "date": int(time.time()), "text": params.get("text", ""),
                    "from": BOT, "chat": {"id": int(params["chat_id"]), "type": "private"}}
        if method == "getMyCommands":
            return []
        return True  # deleteWebhook, setMyCommands, sendChatAction, answerCallbackQuery, ...

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                method = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(body or "{}")
                else:
                    params = {k: _value(v) for k, v in parse_qsl(body)}
                if not self.path.startswith(f"/bot{fake.token}/"):
                    status, reply = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                else:
                    status, reply = 200, {"ok": True, "result": fake._call(method, params)}
                data = json.dumps(reply).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        return Handler


def _value(raw: str):
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def bench_settings(work, fake: FakeTelegram, **overrides) -> Settings:
    values = dict(knowledge_dir=work / "knowledge", data_dir=work / "data", telegram_token=fake.token,
                  telegram_base_url=fake.url, admin_ids=[], announce_chat_id="", webhook_url="",
                  llm_base_url="", llm_model="")
    values.update(overrides)
    return Settings(_env_file=None, **values)


class BotInThread:
    """`serve` (as `centre-bot run` runs it) on its own event loop; ``stop`` ends it like Ctrl-C would."""

    def __init__(self, settings: Settings, assistant, state: BotState, *, rate_limiter=None):
        self.app = build_application(settings, assistant, state, rate_limiter=rate_limiter)
        self.settings = settings
        self.error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, name="centre-bot-bench", daemon=True)

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            serve(self.app, self.settings, stop_signals=None)
        except BaseException as exc:  # noqa: BLE001 - raised again by start()/stop()
            self.error = exc

    def start(self, timeout: float = 60.0) -> BotInThread:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not (self.app.running and self.loop is not None) and self.error is None:
            if time.monotonic() >= deadline or not self.thread.is_alive():
                break
            time.sleep(0.05)
        if self.error is not None:
            raise self.error
        if not self.app.running:
            raise TimeoutError(f"the bot did not start within {timeout} s")
        return self

    def stop(self, timeout: float = 60.0) -> None:
        if self.loop is not None and not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self.loop.call_soon_threadsafe(self.app.stop_running)
        self.thread.join(timeout)
        if self.error is not None:
            raise self.error
