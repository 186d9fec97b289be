"""What everyone can do: ask (private chats, group mentions and replies, /ask), /start, /help, /lang,
/sources, and the 👍/👎 feedback buttons."""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.messages import LANGS, language_name, t
from bot.ops.logging import kv
from bot.qa.assistant import NO_ARTICLES, NO_WORDS
from bot.qa.compose import Answer
from bot.telegram.context import Context, command_args, documents_or_say_none, ui_lang
from bot.telegram.html import esc, h, link, render_answer
from bot.telegram.menu import register_admin_menu
from bot.telegram.send import CallbackAnswer, Typing, edit_html, reply, send_html, topic_thread
from bot.telegram.stream import StreamedReply
from index.documents import choose_rendition, families
from index.text import error_text, one_line

log = logging.getLogger(__name__)


# ====================================================================================== questions


def answer_keyboard(question_id: int, lang: str, more_of: int | None = None) -> InlineKeyboardMarkup:
    """👍/👎 under every answer; "Tell me more" where the quoted articles have more to say (``more_of`` is
    the answer's number in the assistant's memory, so a button under an older answer goes on with that one)."""
    buttons = [
        InlineKeyboardButton("👍", callback_data=f"fb:{question_id}:1"),
        InlineKeyboardButton("👎", callback_data=f"fb:{question_id}:-1"),
    ]
    if more_of is not None:
        buttons.append(InlineKeyboardButton(t("more_button", lang), callback_data=f"more:{lang}:{more_of}"))
    return InlineKeyboardMarkup([buttons])


async def answer_question(
    context: Context,
    *,
    user: User,
    chat: Chat,
    text: str,
    reply_to: int | None,
    thread_id: int | None = None,
    more_of: int | None = None,
) -> None:
    rt = context.runtime
    try:
        chosen = rt.state.user_lang(user.id).chosen
    except Exception as exc:  # noqa: BLE001 - an unreadable bot.db must not cost the answer
        log.warning(kv(event="state_read_failed", user=user.id, error=error_text(exc, kind=True)))
        chosen = None
    allowed, wait = rt.limiter.check(user.id)
    if not allowed:
        # Over the limit: the latest question waits for the window to reopen; earlier waiting ones are dropped.
        replaced = rt.deferred.get(user.id)
        rt.deferred[user.id] = dict(user=user, chat=chat, text=text, reply_to=reply_to, thread_id=thread_id,
                                    more_of=more_of)
        log.info(kv(event="rate_limited", user=user.id, chat=chat.id, wait_s=wait,
                    action="replaces the waiting question" if replaced else "answered when the window reopens"))
        if replaced is None:
            _later(context, wait, user.id)
        if rt.limiter.should_warn(user.id):
            lang = ui_lang(rt, user)
            await send_html(context.bot, chat.id, h("rate_limited", lang, seconds=max(1, math.ceil(wait))),
                            reply_to=reply_to, thread_id=thread_id)
        return
    started = time.perf_counter()
    group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    async with (StreamedReply(context.bot, chat.id, reply_to=reply_to, thread_id=thread_id, group=group) as stream,
                Typing(context.bot, chat.id, thread_id)):
        answer: Answer = await asyncio.to_thread(
            rt.assistant.ask, text, chosen, conversation=(chat.id, thread_id), on_delta=stream.on_delta,
            more_of=more_of,
        )
    latency_ms = (time.perf_counter() - started) * 1000
    if answer.note == NO_WORDS:  # "👍", "???": nothing to detect a language from, so the interface's
        await stream.send(h("empty_question", ui_lang(rt, user)))
        return
    if not answer.is_question:  # a greeting or thanks: reply, but keep it out of the question log
        await stream.send(render_answer(answer))
        return
    text_html = render_answer(answer)
    if answer.note == NO_ARTICLES and rt.is_admin(user):
        text_html += "\n\n" + h("add_first_article", answer.language)
    cited = [c.doc_id for c in answer.citations]
    # Sent first, logged after: a database that cannot be written (full disk, locked) never costs the answer.
    question_id = rt.state.new_question_id()
    delivered = True
    more = await asyncio.to_thread(rt.assistant.more_to_tell, (chat.id, thread_id)) if answer.answered else None
    try:
        await stream.send(text_html, answer_keyboard(question_id, answer.language, more))
    except TelegramError as exc:
        delivered = False
        log.error(kv(event="answer_dropped", question=question_id, chat=chat.id, user=user.id,
                     error=error_text(exc, kind=True), note="the answer did not reach the chat after retries"))
    try:
        rt.state.log_question(
            question_id=question_id, user_id=user.id, chat_id=chat.id, chat_type=chat.type, question=text,
            language=answer.language, answered=answer.answered, latency_ms=latency_ms, cited=cited,
            mode=answer.mode, delivered=delivered, usage=answer.usage,
        )
    except Exception as exc:  # noqa: BLE001 - the person has the answer; the log line is what is lost
        log.error(kv(event="question_log_failed", question=question_id, chat=chat.id,
                     error=error_text(exc, kind=True)))
    if delivered:
        log.info(kv(event="answer", question=question_id, chat=chat.id, user=user.id, lang=answer.language,
                    answered=answer.answered, mode=answer.mode, cited=cited, ms=latency_ms, chars=len(text),
                    tokens=(answer.usage.prompt_tokens + answer.usage.completion_tokens) if answer.usage else None))


def _later(context: Context, wait: float, user_id: int) -> None:
    # The job queue is a hard dependency (python-telegram-bot[job-queue]); jobs end with the bot.
    context.job_queue.run_once(_answer_deferred, wait + 0.05, data=user_id, name=f"deferred-{user_id}")


async def _answer_deferred(context: Context) -> None:
    asked = context.runtime.deferred.pop(context.job.data, None)
    if asked is not None:
        await answer_question(context, **asked)


async def on_private_text(update: Update, context: Context) -> None:
    message = update.effective_message
    edited = update.edited_message is not None  # the answer replies to the edited text, so it is clear which
    await answer_question(context, user=update.effective_user, chat=update.effective_chat,
                          text=message.text or message.caption or "",
                          reply_to=message.message_id if edited else None, thread_id=topic_thread(message))


def addressed_question(message: Message, bot) -> str | None:
    """In a group: the question if the message mentions the bot or replies to it, else None."""
    username = (bot.username or "").lower()
    mentioned = False
    in_caption = message.text is None and message.caption is not None
    entities = message.caption_entities if in_caption else message.entities
    parse = message.parse_caption_entity if in_caption else message.parse_entity
    for entity in entities or ():
        if entity.type == MessageEntity.MENTION and parse(entity).lower() == f"@{username}":
            mentioned = True
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            mentioned = True
    replied = message.reply_to_message
    to_bot = (replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
              and replied.forum_topic_created is None)
    if not (mentioned or to_bot):
        return None
    text = message.text or message.caption or ""
    if username:
        text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return one_line(text)


async def on_group_text(update: Update, context: Context) -> None:
    message = update.effective_message
    question = addressed_question(message, context.bot)
    if question is None:
        return  # chatter between people: stay quiet
    if not question:  # a bare mention: the person wants to ask something
        rt = context.runtime
        await reply(update, context, h("mention_empty", ui_lang(rt, update.effective_user),
                                       bot=f"@{context.bot.username}"))
        return
    await answer_question(context, user=update.effective_user, chat=update.effective_chat, text=question,
                          reply_to=message.message_id, thread_id=topic_thread(message))


async def cmd_ask(update: Update, context: Context) -> None:
    message = update.effective_message
    question = command_args(message)
    if not question:
        await reply(update, context, h("ask_usage", ui_lang(context.runtime, update.effective_user)))
        return
    group = update.effective_chat.type != ChatType.PRIVATE
    await answer_question(context, user=update.effective_user, chat=update.effective_chat, text=question,
                          reply_to=message.message_id if group else None, thread_id=topic_thread(message))


async def on_feedback(update: Update, context: Context) -> None:
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        rt = context.runtime
        lang = ui_lang(rt, query.from_user)
        _, question_id, vote = query.data.split(":")
        chat_id = query.message.chat.id if query.message is not None else None
        stored = rt.state.record_feedback(int(question_id), query.from_user.id, int(vote), chat_id=chat_id)
        log.info(kv(event="feedback", question=question_id, user=query.from_user.id, vote=vote, stored=stored))
        await answer(t("feedback_thanks" if stored else "feedback_gone", lang))


async def on_more(update: Update, context: Context) -> None:
    """The "Tell me more" button: asks it for the user, in the language of the answer it was under, and goes on
    with that answer (buttons from before answers were numbered go on with the chat's last one)."""
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        _, lang, *number = query.data.split(":")
        if lang not in LANGS:
            return
        await answer()
        message = query.message if isinstance(query.message, Message) else None  # None: too old to read
        await answer_question(context, user=query.from_user, chat=update.effective_chat,
                              text=t("more_request", lang), reply_to=None, thread_id=topic_thread(message),
                              more_of=int(number[0]) if number else None)


async def on_example(update: Update, context: Context) -> None:
    """A /start example button: ask that question for the user."""
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        _, lang, number = query.data.split(":")
        if lang not in LANGS or number not in ("1", "2", "3"):
            return
        await answer()
        await answer_question(context, user=query.from_user, chat=update.effective_chat,
                              text=t(f"example_{number}", lang), reply_to=None)


# ====================================================================================== everyone's commands


async def cmd_start(update: Update, context: Context) -> None:
    rt = context.runtime
    user = update.effective_user
    lang = ui_lang(rt, user)
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(f"example_{n}", lang), callback_data=f"ex:{lang}:{n}")] for n in (1, 2, 3)])
    if update.effective_chat.type != ChatType.PRIVATE:  # in a group the bot answers only when addressed
        await reply(update, context, h("start_group", lang, bot=f"@{context.bot.username}"))
        return
    await reply(update, context, h("start_greeting", lang, name=user.first_name if user else ""), keyboard)
    if rt.is_admin(user) and update.effective_chat.type == ChatType.PRIVATE:
        # An admin who had never opened the bot could not get the admin menu at start-up.
        context.application.create_task(register_admin_menu(context.bot, user.id), update=update)


async def cmd_help(update: Update, context: Context) -> None:
    rt = context.runtime
    lang = ui_lang(rt, update.effective_user)
    text = h("help_user", lang)
    if rt.is_admin(update.effective_user):
        text += "\n\n" + h("help_admin", lang)
    await reply(update, context, text)


def lang_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton("Қазақша", callback_data="lang:kk"),
         InlineKeyboardButton("Русский", callback_data="lang:ru"),
         InlineKeyboardButton("English", callback_data="lang:en")],
        [InlineKeyboardButton(t("lang_auto", lang), callback_data="lang:auto")],
    ])


async def cmd_lang(update: Update, context: Context) -> None:
    lang = ui_lang(context.runtime, update.effective_user)
    await reply(update, context, h("lang_prompt", lang), lang_keyboard(lang))


async def on_lang(update: Update, context: Context) -> None:
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        rt = context.runtime
        choice = query.data.split(":", 1)[1]
        if choice not in (*LANGS, "auto"):
            return
        rt.state.set_user_lang(query.from_user.id, None if choice == "auto" else choice)
        lang = ui_lang(rt, query.from_user)
        text = t("lang_auto_set" if choice == "auto" else "lang_set", lang)
        await answer(text)
        if query.message is not None:
            await edit_html(context.bot, query.message, esc(text))
        log.info(kv(event="lang_chosen", user=query.from_user.id, lang=choice))


async def cmd_sources(update: Update, context: Context) -> None:
    if (known := await documents_or_say_none(update, context)) is None:
        return
    lang, documents = known
    grouped = families(documents.values())
    lines = [f"<b>{h('sources_title', lang, count=len(grouped))}</b>"]
    for docs in sorted(grouped.values(), key=lambda ds: max(d.date for d in ds), reverse=True):
        shown = choose_rendition(docs, lang)
        langs = ", ".join(
            language_name(d.lang) + (f" ({t('machine_translation', lang)})" if d.machine_translation else "")
            for d in sorted(docs, key=lambda d: d.lang)
        )
        details = " · ".join(p for p in (shown.date, langs) if p)
        lines.append(f"• {link(shown.url, shown.title)} — {esc(details)}")
    await reply(update, context, "\n".join(lines))


async def on_other_private(update: Update, context: Context) -> None:
    """A sticker, photo, voice or file in a private chat: say what the bot understands."""
    rt = context.runtime
    user = update.effective_user
    lang = ui_lang(rt, user)
    message = update.effective_message
    if message.document is not None and rt.is_admin(user):
        await reply(update, context, h("file_hint_admin", lang))
    else:
        await reply(update, context, h("text_only", lang))


async def on_unknown_command(update: Update, context: Context) -> None:
    await reply(update, context, h("unknown_command", ui_lang(context.runtime, update.effective_user)))


async def on_stale_button(update: Update, context: Context) -> None:
    """Buttons of an older version of the bot: answer, so the spinner stops."""
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        await answer(t("buttons_expired", ui_lang(context.runtime, query.from_user)))
