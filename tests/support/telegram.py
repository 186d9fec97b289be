"""Helpers for the Telegram tests and the load benchmark: the real bot, run in a thread.

``BotRunner`` builds the Application with ``build_application`` and runs ``serve`` (PTB's run_polling or
run_webhook, exactly as `centre-bot run` does) on its own event loop in a background thread, pointed at
tests/support/fakebotapi.py. The test thread then drives it over HTTP and waits with the fake's bounded waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import threading
import time
from pathlib import Path

from bot.settings import Settings
from bot.telegram.app import build_application, serve
from bot.telegram.state import BotState
from tests.support.fakebotapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
SEED_ARTICLES = sorted((ROOT / "knowledge").glob("central-asia-centre.*.md"))
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
BOT_USERNAME = "centre_test_bot"
ADMIN = 7001
CHANNEL = "@centre_news"
WEBHOOK_SECRET = "s3cret_Token-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_settings(root: Path, fake: FakeBotAPI, **overrides) -> Settings:
    """Settings for a test bot; every field the bot reads is given, so no CENTRE_BOT_* variable leaks in."""
    values = dict(
        knowledge_dir=root / "knowledge", data_dir=root / "data",
        telegram_token=TOKEN, telegram_base_url=fake.url, admin_ids=[ADMIN], announce_chat_id=CHANNEL,
        webhook_url="", webhook_secret="", webhook_listen="127.0.0.1", webhook_port=0,
        rate_limit_per_minute=30, allow_private_urls=False, llm_base_url="", llm_model="",
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)


def copy_deployment(template: Path, target: Path) -> Path:
    """A fresh knowledge + data folder, with the template's index (built once per module) and cache."""
    shutil.copytree(template / "knowledge", target / "knowledge")
    data = target / "data"
    data.mkdir(parents=True)
    shutil.copytree(template / "data" / "index", data / "index")
    for name in ("embeddings.db", "embeddings.db-wal", "embeddings.db-shm"):
        if (template / "data" / name).exists():
            shutil.copy(template / "data" / name, data / name)
    return target


class BotRunner:
    """The real Application in a background thread; ``stop`` shuts it down like Ctrl-C would."""

    def __init__(self, settings: Settings, assistant, state: BotState, fake: FakeBotAPI, *,
                 rate_limiter=None, secret: str | None = None):
        self.settings, self.assistant, self.state, self.fake = settings, assistant, state, fake
        self.rate_limiter = rate_limiter
        self.secret = secret
        self.app = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            serve(self.app, self.settings, stop_signals=None, secret=self.secret)
        except BaseException as exc:  # noqa: BLE001 - surfaced by start()/stop()
            self.error = exc

    def start(self, timeout: float = 60.0) -> BotRunner:
        self.app = build_application(self.settings, self.assistant, self.state, rate_limiter=self.rate_limiter)
        # Earlier runs against the same fake (a restart test) left calls behind: wait for new ones.
        method = "setWebhook" if self.settings.webhook_url else "getUpdates"
        before = len(self.fake.calls_of(method))
        self.thread = threading.Thread(target=self._run, name="centre-bot-under-test", daemon=True)
        self.thread.start()

        def ready():
            if self.error is not None:
                return True
            if len(self.fake.calls_of(method)) <= before or not self.app.running:
                return False
            return not self.settings.webhook_url or _port_open(self.settings.webhook_port)

        if not self.fake.wait_for(ready, timeout=timeout):
            raise TimeoutError(f"the bot did not start within {timeout} s")
        if self.error is not None:
            raise self.error
        return self

    def stop(self, timeout: float = 60.0) -> None:
        if self.thread is None:
            return
        loop, app = self.loop, self.app
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the bot already stopped
                loop.call_soon_threadsafe(app.stop_running)
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise TimeoutError(f"the bot did not stop within {timeout} s")
        self.thread = None
        if self.error is not None:
            raise self.error

    def __enter__(self) -> BotRunner:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.02):
    """Poll ``predicate`` until it returns something truthy (returned) or ``timeout`` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)
