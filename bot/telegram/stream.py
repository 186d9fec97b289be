"""A generative answer shown while it is written: a first message with the text so far, edited as more
arrives, then replaced by the final answer (citations, buttons).

One task per answer sends the drafts one request at a time, only the latest text, never the same text
twice, and waits ``interval`` seconds after each: Telegram allows about one edit a second per message and
20 messages a minute per group. A 429 is waited out by PTB's rate limiter (RetryingRateLimiter) inside the
request, so the next draft simply comes later. Nothing is sent until the model's first words, so an
extractive answer goes out as one message as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.ops.logging import kv
from bot.telegram.html import esc
from bot.telegram.send import NO_PREVIEW, edit_html, send_html
from index.text import error_text

log = logging.getLogger(__name__)

EDIT_INTERVAL = 1.5  # seconds between draft requests in a private chat
GROUP_EDIT_INTERVAL = 3.0  # 20 messages a minute per group
DRAFT_CHARS = 4000  # a draft is one message (4,096 at most); the final answer is split if it must be


def draft_html(text: str) -> str:
    return esc(text.strip()[:DRAFT_CHARS]) + " …"


class StreamedReply:
    """Use as ``async with StreamedReply(...) as stream``, pass ``stream.on_delta`` to ``Assistant.ask``,
    then ``await stream.send(final_html, keyboard)`` after the block."""

    def __init__(self, bot, chat_id: int, *, reply_to: int | None, thread_id: int | None, group: bool):
        self.bot, self.chat_id, self.reply_to, self.thread_id = bot, chat_id, reply_to, thread_id
        self.interval = GROUP_EDIT_INTERVAL if group else EDIT_INTERVAL
        self.message: Message | None = None  # the draft, once sent
        self._loop = asyncio.get_running_loop()  # made in a handler; deltas come from another thread
        self._latest = ""
        self._shown = ""
        self._wake = asyncio.Event()
        self._done = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> StreamedReply:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._done.set()
        self._wake.set()
        if self._task is not None:
            await self._task  # a draft in flight must land first: its message is the one to replace

    def on_delta(self, text: str) -> None:
        """The answer so far; called from the worker thread that runs ``ask``."""
        with contextlib.suppress(RuntimeError):  # the loop is gone: the bot is stopping
            self._loop.call_soon_threadsafe(self._take, text)

    def _take(self, text: str) -> None:
        if self._done.is_set():
            return  # a late chunk of a call given up on
        self._latest = text
        self._wake.set()
        if self._task is None:
            self._task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._done.is_set():
                return
            draft = draft_html(self._latest)
            if draft == self._shown:
                continue
            try:
                await self._show(draft)
            except TelegramError as exc:  # the final answer still goes out; only the preview stops
                log.info(kv(event="draft_failed", chat=self.chat_id, error=error_text(exc, kind=True)))
                return
            self._shown = draft
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._done.wait(), self.interval)

    async def _show(self, draft: str) -> None:
        if self.message is None:
            sent = await send_html(self.bot, self.chat_id, draft, reply_to=self.reply_to, thread_id=self.thread_id)
            self.message = sent[0]
        else:
            await self.bot.edit_message_text(draft, chat_id=self.chat_id, message_id=self.message.message_id,
                                             parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)

    async def send(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        """The final answer: it replaces the draft, or goes out as a message of its own if there was none."""
        if self.message is None:
            await send_html(self.bot, self.chat_id, text, reply_to=self.reply_to, thread_id=self.thread_id,
                            keyboard=keyboard)
        else:
            await edit_html(self.bot, self.message, text, keyboard, thread_id=self.thread_id)
