"""Sending and editing Telegram HTML with fallbacks (split to fit, plain text if the markup is refused),
replies in the right chat and topic, the typing indicator and answering callback queries once."""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MaybeInaccessibleMessage,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackContext

from bot.ops.logging import kv
from bot.telegram.html import esc, html_to_plain, split_html, split_plain

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _format_rejected(exc: BadRequest) -> bool:
    text = str(exc).lower()
    return "parse entities" in text or "can't find end" in text or "unsupported start tag" in text


def _too_long(exc: BadRequest) -> bool:
    return "too long" in str(exc).lower() or "message_too_long" in str(exc).lower()


async def send_html(
    bot,
    chat_id: int | str,
    text: str,
    *,
    reply_to: int | None = None,
    thread_id: int | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
    preview: bool = False,
) -> list[Message]:
    """Send Telegram HTML, split to fit; if Telegram rejects the markup, the same text goes out plain.

    The keyboard goes under the last part; the first part replies to ``reply_to``.
    """
    parts = split_html(text)
    sent: list[Message] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        common = dict(
            reply_markup=keyboard if last else None,
            message_thread_id=thread_id,
            link_preview_options=LinkPreviewOptions(is_disabled=False) if preview else NO_PREVIEW,
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to is not None and i == 0 else None,
        )
        try:
            sent.append(await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, **common))
        except BadRequest as exc:
            if not (_format_rejected(exc) or _too_long(exc)):
                raise
            log.warning(kv(event="html_rejected", chat=chat_id, error=str(exc), action="resent as plain text"))
            plain_parts = split_plain(html_to_plain(part), 3000 if _too_long(exc) else 4096)
            for j, plain in enumerate(plain_parts):
                extra = dict(common)
                if j < len(plain_parts) - 1:
                    extra["reply_markup"] = None
                if j > 0:
                    extra["reply_parameters"] = None
                sent.append(await bot.send_message(chat_id, plain, **extra))
    return sent


async def edit_html(
    bot, message: MaybeInaccessibleMessage, text: str, keyboard: InlineKeyboardMarkup | None = None,
    *, thread_id: int | None = None,
) -> None:
    """Replace a status message's text; what does not fit goes out as further messages (in ``thread_id``)."""
    parts = split_html(text) or [esc("…")]
    try:
        await bot.edit_message_text(parts[0], chat_id=message.chat.id, message_id=message.message_id,
                                    parse_mode=ParseMode.HTML, reply_markup=keyboard if len(parts) == 1 else None,
                                    link_preview_options=NO_PREVIEW)
    except BadRequest as exc:
        lowered = str(exc).lower()
        if "not modified" in lowered:
            pass
        elif _format_rejected(exc):
            await bot.edit_message_text(html_to_plain(parts[0])[:4096], chat_id=message.chat.id,
                                        message_id=message.message_id, link_preview_options=NO_PREVIEW,
                                        reply_markup=keyboard if len(parts) == 1 else None)
        elif "message to edit not found" in lowered or "can't be edited" in lowered:
            await send_html(bot, message.chat.id, parts[0], keyboard=keyboard if len(parts) == 1 else None,
                            thread_id=thread_id)
        else:
            raise
    if len(parts) > 1:
        await send_html(bot, message.chat.id, "\n".join(parts[1:]), keyboard=keyboard, thread_id=thread_id)


class Typing:
    """Shows "typing…" while the answer is computed (renewed every 4.5 s, Telegram shows it for 5 s).

    On exit the periodic renewal stops; a first action still in flight gets a moment to land so that it
    does not arrive after the answer (Telegram would then show "typing…" under a finished answer).
    """

    def __init__(self, bot, chat_id: int, thread_id: int | None):
        self.bot, self.chat_id, self.thread_id = bot, chat_id, thread_id
        self.first: asyncio.Task | None = None
        self.renew: asyncio.Task | None = None

    async def _send(self) -> None:
        try:
            await self.bot.send_chat_action(self.chat_id, ChatAction.TYPING, message_thread_id=self.thread_id)
        except Exception as exc:  # noqa: BLE001 - a missing "typing…" must never cost the answer
            log.debug(kv(event="typing_failed", chat=self.chat_id, error=str(exc)))

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(4.5)
            await self._send()

    async def __aenter__(self) -> Typing:
        self.first = asyncio.create_task(self._send())
        self.renew = asyncio.create_task(self._renew())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.renew.cancel()
        if not self.first.done():
            try:
                await asyncio.wait_for(asyncio.shield(self.first), timeout=1.0)
            except TimeoutError:
                self.first.cancel()  # stuck behind the flood limiter: the answer matters more


class CallbackAnswer:
    """Answers a callback query exactly once, even when the handler fails (no endless spinner)."""

    def __init__(self, query: CallbackQuery):
        self.query = query
        self.done = False

    async def __call__(self, text: str | None = None, alert: bool = False) -> None:
        if self.done:
            return
        self.done = True
        try:
            await self.query.answer(text[:200] if text else None, show_alert=alert)
        except TelegramError as exc:
            log.info(kv(event="callback_answer_failed", error=str(exc)))

    async def __aenter__(self) -> CallbackAnswer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self()


def topic_thread(message: Message | None) -> int | None:
    """The forum topic a message is in, so that answers go to the same topic."""
    return message.message_thread_id if message is not None and message.is_topic_message else None


async def reply(update: Update, context: CallbackContext, text: str,
                keyboard: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Answer in the chat of the update; in groups, as a reply to the message."""
    message = update.effective_message
    chat = update.effective_chat
    group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    return await send_html(
        context.bot, chat.id, text, keyboard=keyboard,
        reply_to=message.message_id if (group and message is not None) else None,
        thread_id=topic_thread(message),
    )

