"""The command menus Telegram shows: everyone's, the groups', and the admins' own, in kk, ru, en and a default."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import Application

from bot.messages import LANGS, t
from bot.ops.logging import kv
from bot.telegram.context import runtime

log = logging.getLogger(__name__)

USER_COMMANDS = ("start", "ask", "help", "lang", "sources")
GROUP_COMMANDS = ("ask", "help", "sources", "lang")
ADMIN_COMMANDS = ("reindex", "add", "remove", "docs", "status", "announce", "unanswered", "stats")


def command_menu(names: tuple[str, ...], lang: str) -> list[BotCommand]:
    return [BotCommand(name, t(f"cmd_{name}", lang)) for name in names]


async def register_admin_menu(bot, admin_id: int) -> bool:
    """User and admin commands in the admin's private chat, in every language and a default."""
    try:
        for lang in (None, *LANGS):
            await bot.set_my_commands(command_menu(USER_COMMANDS + ADMIN_COMMANDS, lang or "en"),
                                      scope=BotCommandScopeChat(admin_id), language_code=lang)
        return True
    except TelegramError as exc:
        log.warning(kv(event="admin_menu_failed", admin=admin_id, error=str(exc),
                       fix="the admin opens the bot and sends /start once; the menu is set then"))
        return False


async def register_commands(app: Application) -> None:
    """The command menu in kk, ru, en and a default; admins also see the admin commands."""
    bot = app.bot
    for lang in (None, *LANGS):
        await bot.set_my_commands(command_menu(USER_COMMANDS, lang or "en"), scope=BotCommandScopeDefault(),
                                  language_code=lang)
        await bot.set_my_commands(command_menu(GROUP_COMMANDS, lang or "en"), scope=BotCommandScopeAllGroupChats(),
                                  language_code=lang)
    rt = runtime(app)
    for admin_id in rt.settings.admin_ids:
        await register_admin_menu(bot, admin_id)
    # Someone taken off CENTRE_BOT_ADMIN_IDS keeps the admin menu Telegram stored for them: remove it.
    before = {int(i) for i in (rt.state.meta("admin_menus") or "").split(",") if i}
    for former in sorted(before - set(rt.settings.admin_ids)):
        try:
            for lang in (None, *LANGS):
                await bot.delete_my_commands(scope=BotCommandScopeChat(former), language_code=lang)
            log.info(kv(event="admin_menu_removed", user=former))
        except TelegramError as exc:
            log.warning(kv(event="admin_menu_remove_failed", user=former, error=str(exc)))
    rt.state.set_meta("admin_menus", ",".join(map(str, rt.settings.admin_ids)))

