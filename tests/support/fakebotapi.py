"""A fake Telegram Bot API server for tests (stdlib only).

The *real* python-telegram-bot client is pointed at it::

    with FakeBotAPI(token=TOKEN) as fake:
        app = (
            Application.builder()
            .token(TOKEN)
            .base_url(f"{fake.url}/bot")
            .base_file_url(f"{fake.url}/file/bot")
            .build()
        )

PTB joins ``base_url + token`` and then appends ``/<method>`` (see
``telegram._bot._parse_base_url`` / ``Bot._do_post``), so the server serves
``/bot<token>/<method>`` and ``/file/bot<token>/<file_path>``.

Requests arrive form-encoded (``application/x-www-form-urlencoded``), as
``multipart/form-data`` when files are uploaded, or (for hand-written calls) as
JSON or a query string.  PTB sends ``str`` values verbatim and everything else
``json.dumps``-ed, so non-text parameters are JSON-decoded; the parameters that
are always plain strings (``text``, ``caption``, ``data`` ...) never are.

Every answer has the real API's shape: ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": "...", ["parameters": {...}]}``,
with the HTTP status set to the error code, as Telegram does.

What it models: the calls the bot (and PTB's Application around it) makes - getMe, getUpdates
(long poll, offsets, allowed_updates), set/deleteWebhook, getWebhookInfo, sendMessage, sendPhoto,
editMessageText, answerCallbackQuery, sendChatAction, set/deleteMyCommands, getFile plus the file
download, getChat and the bot's own getChatMember - with the checks the bot relies on, in the real
API's error texts so that ``telegram.error.BadRequest`` / ``Forbidden`` / ``RetryAfter`` are raised as
in production: HTML ``parse_mode`` markup (tags, nesting, ``&`` entities), text (4096) and caption
(1024) lengths, inline keyboards (``callback_data`` of at most 64 bytes), replies to and edits of
unknown messages, "message is not modified", unknown callback query ids, posting rights in channels.
Tests script errors with ``fail_next`` (429 with ``retry_after`` by default), ``reject_if`` and
``set_handler``.

What it deliberately does not: Markdown/MarkdownV2 (the bot sends HTML only; any other parse_mode is
a 400), tag attributes other than ``<a href>``, and unquoted attribute values; sending documents,
by URL, deleting messages, editing reply markup, inline messages; members other than the bot; the
rights of the bot in private chats and groups (any chat it is sent to exists). Any other method
answers 404 unless a test serves it with ``set_handler``.

Waiting: ``wait_for`` blocks the calling thread, so do NOT call it from a
coroutine running on the loop that drives PTB (the bot could not make progress);
use ``await wait_for_async(...)`` or ``await wait_for_call(...)`` there. All waits are bounded and return a falsy
value on timeout instead of raising.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy as _email_policy
from email.parser import BytesParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Call",
    "FailedCall",
    "FakeBotAPI",
    "UploadedFile",
    "parse_entities",
]

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"

JSONDict = dict[str, Any]

# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------


class Call(tuple):
    """One recorded API call: a ``(method, params)`` 2-tuple with attributes ``.method``,
    ``.params`` and ``.ok`` (False if it was answered with an error)."""

    def __new__(cls, method: str, params: JSONDict, ok: bool = True) -> Call:
        self = super().__new__(cls, (method, params))
        self.ok = ok
        return self

    @property
    def method(self) -> str:
        return self[0]

    @property
    def params(self) -> JSONDict:
        return self[1]

    def __repr__(self) -> str:
        flag = "" if self.ok else ", ok=False"
        return f"Call({self[0]!r}, {self[1]!r}{flag})"


class FailedCall(NamedTuple):
    """One API call that was answered with an error."""

    method: str
    params: JSONDict
    error_code: int
    description: str


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (the value in ``params`` for that field)."""

    filename: str | None
    content_type: str | None
    content: bytes

    def __repr__(self) -> str:  # keep failing-assert output short
        return (
            f"UploadedFile(filename={self.filename!r}, content_type={self.content_type!r}, "
            f"size={len(self.content)})"
        )


class ApiError(Exception):
    """Raise from a handler (also custom ones from ``set_handler``) to answer with an error."""

    def __init__(
        self, error_code: int, description: str, parameters: JSONDict | None = None
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters


@dataclass
class _Record:
    method: str
    params: JSONDict
    ok: bool
    error_code: int | None = None
    description: str | None = None


@dataclass
class _Failure:
    error_code: int
    description: str
    parameters: JSONDict | None
    remaining: int


# --------------------------------------------------------------------------------------
# Parameter decoding
# --------------------------------------------------------------------------------------

# Parameters that are always strings: never JSON-decode them ("123" stays "123").
_STRING_PARAMS = frozenset(
    """
    text caption parse_mode url secret_token callback_query_id file_id language_code data action
    photo document title description ip_address inline_message_id business_connection_id
    message_effect_id
    """.split()
)


def _decode_value(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _decode_params(raw: dict[str, Any]) -> JSONDict:
    return {key: _decode_value(key, value) for key, value in raw.items()}


def _fix_header_text(value: str | None) -> str | None:
    """email parses raw UTF-8 header bytes with surrogateescape; undo that + httpx's %22."""
    if value is None:
        return None
    with contextlib.suppress(UnicodeError):
        value = value.encode("utf-8", "surrogateescape").decode("utf-8")
    return value.replace("%22", '"')


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=_email_policy.HTTP).parsebytes(head + body)
    result: dict[str, Any] = {}
    if not message.is_multipart():
        return result
    for part in message.iter_parts():
        name = _fix_header_text(part.get_param("name", header="content-disposition"))
        if not name:
            continue
        filename = part.get_param("filename", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if filename is not None:
            result[name] = UploadedFile(
                filename=_fix_header_text(str(filename)),
                content_type=part.get_content_type(),
                content=payload,
            )
        else:
            charset = part.get_content_charset() or "utf-8"
            result[name] = payload.decode(charset, "replace")
    return result


# --------------------------------------------------------------------------------------
# Entity parsing: HTML, modelled on tdlib's parser
# --------------------------------------------------------------------------------------


class _ParseError(Exception):
    pass


def _u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0  # UTF-16 offset
        self.entities: list[JSONDict] = []

    def emit(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos += _u16(chunk)

    def add(self, etype: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            entity = {"type": etype, "offset": start, "length": self.pos - start}
            entity.update({k: v for k, v in extra.items() if v is not None})
            self.entities.append(entity)

    def result(self) -> tuple[str, list[JSONDict]]:
        ents = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), ents


_HTML_TAGS = {
    "a": "text_link",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-time": "date_time",
}
_HTML_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")


def _decode_html_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#"):
        try:
            return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
        except (ValueError, OverflowError):
            return match.group(0)
    return {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[name]


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    out = _Builder()
    stack: list[tuple[str, int, JSONDict]] = []  # tag, start, attributes
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            m = _HTML_ENTITY_RE.match(text, i)
            if m:
                out.emit(_decode_html_entity(m))
                i = m.end()
            else:
                out.emit("&")
                i += 1
            continue
        if c != "<":
            j = i
            while j < n and text[j] not in "<&":
                j += 1
            out.emit(text[i:j])
            i = j
            continue
        begin = i
        boff = _byte_offset(text, begin)
        i += 1
        if i < n and text[i] == "/":  # end tag
            j = i + 1
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            end_name = text[i + 1 : j].lower()
            if not stack:
                raise _ParseError(f"Unexpected end tag at byte offset {boff}")
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise _ParseError(f"Unclosed end tag at byte offset {boff}")
            tag, start, attrs = stack.pop()
            if end_name and end_name != tag:
                raise _ParseError(
                    f'Unmatched end tag at byte offset {boff}, expected "</{tag}>", '
                    f'found "</{end_name}>"'
                )
            i = j + 1
            if tag == "a":
                if attrs.get("href"):
                    out.add("text_link", start, url=attrs["href"])
            else:  # attributes of the other tags (pre language, emoji ids...) are not modelled
                out.add(_HTML_TAGS[tag], start)
            continue
        # start tag
        j = i
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise _ParseError(f"Unclosed start tag at byte offset {boff}")
        tag = text[i:j].lower()
        if tag not in _HTML_TAGS:
            raise _ParseError(f'Unsupported start tag "{tag}" at byte offset {boff}')
        attrs: JSONDict = {}
        i = j
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise _ParseError(f"Unclosed start tag at byte offset {boff}")
            if text[i] == ">":
                i += 1
                break
            j = i
            while j < n and (text[j].isalnum() or text[j] in "-_"):
                j += 1
            attr = text[i:j].lower()
            if not attr:
                raise _ParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {boff}'
                )
            # Only name="value" / name='value' (what the bot writes); Telegram also takes bare ones.
            if not text.startswith(("=\"", "='"), j):
                raise _ParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {boff}"
                )
            end = text.find(text[j + 1], j + 2)
            if end < 0:
                raise _ParseError(f"Unclosed start tag at byte offset {boff}")
            attrs[attr] = _HTML_ENTITY_RE.sub(_decode_html_entity, text[j + 2 : end])
            i = end + 1
        stack.append((tag, out.pos, attrs))
    if stack:
        raise _ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def parse_entities(text: str, parse_mode: str | None) -> tuple[str, list[JSONDict]]:
    """Return ``(plain_text, entities)`` for ``text`` as Telegram would parse it.

    Raises ``ApiError(400, "Bad Request: can't parse entities: ...")`` on invalid markup.
    """
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return text, []
    if mode != "html":  # the bot only sends HTML; Markdown(V2) is not modelled
        raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode} (the fake parses HTML only)")
    try:
        return _parse_html(text)
    except _ParseError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None


def _auto_entities(text: str, bot_username: str | None = None) -> list[JSONDict]:
    """Entities Telegram adds to user messages: leading /command, @mentions, URLs."""
    entities: list[JSONDict] = []
    m = re.match(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?", text)
    if m:
        entities.append({"type": "bot_command", "offset": 0, "length": _u16(m.group(0))})
    for m in re.finditer(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}\b", text):
        entities.append({"type": "mention", "offset": _u16(text[: m.start()]), "length": _u16(m.group(0))})
    for m in re.finditer(r"\bhttps?://[^\s<>\"]+", text):
        entities.append({"type": "url", "offset": _u16(text[: m.start()]), "length": _u16(m.group(0))})
    return sorted(entities, key=lambda e: e["offset"])


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------

_CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_ADMIN_RIGHTS_DEFAULT = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
}


class FakeBotAPI:
    """Fake Telegram Bot API HTTP server on 127.0.0.1 (random free port)."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "centre_test_bot",
        *,
        bot_first_name: str = "Centre Test Bot",
        long_poll_cap: float = 1.0,
    ) -> None:
        """``long_poll_cap``: getUpdates waits at most ``min(timeout, long_poll_cap)`` seconds."""
        self.token = token
        self.bot_username = bot_username
        self.bot_user: JSONDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.long_poll_cap = long_poll_cap

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._records: list[_Record] = []
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._msg_counters: dict[int, int] = {}
        self._messages: dict[int, dict[int, JSONDict]] = {}  # chat id -> message id -> msg
        self._chats: dict[int, JSONDict] = {}  # chat id -> state
        self._usernames: dict[str, int] = {}
        self._channel_ids = itertools.count(1_000_000_001)
        self._files: dict[str, JSONDict] = {}  # file_id -> {file, content, file_path}
        self._file_paths: dict[str, str] = {}  # file_path -> file_id
        self._file_counter = itertools.count(1)
        self._callback_ids: set[str] = set()
        self._callback_counter = itertools.count(1)
        self._failures: dict[str, list[_Failure]] = {}
        self._rejects: list[tuple[str, Callable[[JSONDict], Any]]] = []
        self._custom: dict[str, Callable[[JSONDict], Any]] = {}
        self.webhook: JSONDict = {"url": "", "secret_token": None, "allowed_updates": None}
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._allowed_updates: list[str] | None = None

        self._handlers: dict[str, Callable[[JSONDict], Any]] = {}
        for attr in dir(self):
            if attr.startswith("_api_"):
                method = attr[len("_api_") :]
                self._handlers[method.lower()] = getattr(self, attr)

        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeBotAPI:
        if self._server is not None:
            return self
        fake = self

        class Handler(_RequestHandler):
            api = fake

        self._stopping = False
        self._server = LoopbackServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeBotAPI",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBotAPI is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``; use ``f"{url}/bot"`` / ``f"{url}/file/bot"``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def bot_id(self) -> int:
        return self.bot_user["id"]

    # ------------------------------------------------------------------ recorded calls

    @property
    def calls(self) -> list[Call]:
        """Snapshot of every call (failed ones too), in order: ``Call(method, params, ok)``.

        File downloads are recorded as method ``"downloadFile"``."""
        with self._lock:
            return [Call(r.method, r.params, r.ok) for r in self._records]

    @property
    def failed_calls(self) -> list[FailedCall]:
        with self._lock:
            return [
                FailedCall(r.method, r.params, r.error_code or 0, r.description or "")
                for r in self._records
                if not r.ok
            ]

    def calls_of(self, method: str, *, ok_only: bool = False) -> list[JSONDict]:
        """Params of every call of ``method`` (case-insensitive); ``ok_only`` drops failed ones."""
        want = self._canonical(method)
        with self._lock:
            return [
                r.params for r in self._records if r.method == want and (r.ok or not ok_only)
            ]

    def sent_messages(self, chat_id: int | str | None = None) -> list[Call]:
        """*Successful* sendMessage/editMessageText/sendPhoto/sendDocument calls, in order.

        ``chat_id`` may be an id or a registered ``@username`` (both forms match).
        """
        kinds = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")
        with self._lock:
            want = self._chat_key(chat_id) if chat_id is not None else None
            return [
                Call(r.method, r.params)
                for r in self._records
                if r.ok
                and r.method in kinds
                and (want is None or self._chat_key(r.params.get("chat_id")) == want)
            ]

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        """``text`` (or ``caption``) of :meth:`sent_messages`, as sent (markup included)."""
        return [
            str(c.params.get("text", c.params.get("caption", "")))
            for c in self.sent_messages(chat_id)
        ]

    def messages(self, chat_id: int | str) -> list[JSONDict]:
        """All stored (not deleted) messages of a chat, by message_id."""
        with self._lock:
            store = self._messages.get(self._chat_key(chat_id), {})
            return [copy.deepcopy(store[k]) for k in sorted(store)]

    # ------------------------------------------------------------------ waiting

    def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02
    ) -> bool:
        """Block the calling thread until ``predicate()`` is truthy; False after ``timeout``.

        Do not call it from the event loop that runs the bot: use ``wait_for_async``.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            if predicate():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._cond:
                self._cond.wait(min(interval, remaining))

    async def wait_for_async(
        self, predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.01
    ) -> bool:
        """Like :meth:`wait_for`, but yields to the event loop while waiting."""
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            if predicate():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await asyncio.sleep(min(interval, remaining))

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[JSONDict], Any] | None = None,
        *,
        count: int = 1,
        timeout: float = 10.0,
        include_failed: bool = False,
    ) -> JSONDict | None:
        """Wait until ``count`` successful (or any, with ``include_failed``) calls of
        ``method`` match ``predicate(params)``; return the params of the ``count``-th."""

        def matching() -> list[JSONDict]:
            calls = self.calls_of(method, ok_only=not include_failed)
            return [p for p in calls if predicate is None or predicate(p)]

        if await self.wait_for_async(lambda: len(matching()) >= count, timeout):
            return matching()[count - 1]
        return None

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        *,
        parameters: JSONDict | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"`` = any) with an error.

        For 429 the description defaults to "Too Many Requests: retry after N" and
        ``parameters.retry_after`` to ``retry_after`` (default 1). For other codes
        ``retry_after`` is only sent if given explicitly (PTB turns it into RetryAfter).
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                try:
                    description = HTTPStatus(error_code).phrase
                except ValueError:
                    description = "Error"
        params = dict(parameters or {})
        if retry_after is not None:
            params["retry_after"] = retry_after
        with self._lock:
            self._failures.setdefault(self._canonical(method), []).append(
                _Failure(error_code, description, params or None, times)
            )

    def reject_if(
        self, method: str, predicate: Callable[[JSONDict], Any]
    ) -> Callable[[], None]:
        """Persistent hook: ``predicate(params)`` returns None (pass) or ``(code, description)``
        (or ``(code, description, parameters)``) to fail that call. ``method`` may be ``"*"``.
        Returns a function that removes the hook."""
        entry = (self._canonical(method), predicate)
        with self._lock:
            self._rejects.append(entry)

        def remove() -> None:
            with self._lock:
                if entry in self._rejects:
                    self._rejects.remove(entry)

        return remove

    def set_handler(self, method: str, handler: Callable[[JSONDict], Any] | None) -> None:
        """Serve ``method`` with ``handler(params) -> result`` (raise ApiError to fail);
        ``None`` restores the built-in behaviour. Handy for methods the fake lacks."""
        with self._lock:
            if handler is None:
                self._custom.pop(method.lower(), None)
            else:
                self._custom[method.lower()] = handler

    # ------------------------------------------------------------------ chats, users, files

    def set_chat(
        self,
        chat_id_or_username: int | str,
        type: str = "channel",
        title: str | None = None,
        bot_status: str = "administrator",
        can_post_messages: bool = True,
        *,
        chat_id: int | None = None,
        username: str | None = None,
        first_name: str | None = None,
        **bot_rights: Any,
    ) -> JSONDict:
        """Register/update a chat; returns its Chat dict.

        ``chat_id_or_username``: an int id, or ``"@name"`` (an id is then made up, or taken
        from ``chat_id``). ``bot_status``: creator/administrator/member/restricted/left/kicked
        (``kicked`` on a private chat = the user blocked the bot). Extra keyword args are
        ChatMemberAdministrator rights of the bot (``can_delete_messages=False`` ...).
        """
        with self._lock:
            if isinstance(chat_id_or_username, str) and chat_id_or_username.startswith("@"):
                username = chat_id_or_username[1:]
                known = self._usernames.get(username.lower())
                cid = chat_id if chat_id is not None else known
                if cid is None:
                    cid = -(1_000_000_000_000 + next(self._channel_ids))
            else:
                cid = int(chat_id_or_username)
            state = self._chats.get(cid)
            chat: JSONDict = {"id": cid, "type": type}
            if type == "private":
                chat["first_name"] = first_name or title or "User"
            else:
                chat["title"] = title or (state or {}).get("chat", {}).get("title") or f"Chat {cid}"
            if username:
                chat["username"] = username
                self._usernames[username.lower()] = cid
            rights = dict(_ADMIN_RIGHTS_DEFAULT)
            rights.update(bot_rights)
            if type == "channel":
                rights.setdefault("can_post_messages", can_post_messages)
                rights.setdefault("can_edit_messages", True)
            else:
                rights.setdefault("can_pin_messages", True)
            self._chats[cid] = {"chat": chat, "bot_status": bot_status, "bot_rights": rights}
            return dict(chat)

    def add_file(
        self,
        file_id: str,
        content: bytes,
        file_name: str | None = None,
        mime_type: str | None = None,
        *,
        kind: str = "documents",
    ) -> JSONDict:
        """Register a downloadable file; returns a Document dict usable in push_message."""
        with self._lock:
            n = next(self._file_counter)
            ext = ""
            if file_name and "." in file_name:
                ext = "." + file_name.rsplit(".", 1)[1]
            file_path = f"{kind}/file_{n}{ext}"
            doc: JSONDict = {
                "file_id": file_id,
                "file_unique_id": f"uniq{n}{abs(hash(file_id)) % 10_000}",
                "file_size": len(content),
            }
            if file_name:
                doc["file_name"] = file_name
            doc["mime_type"] = mime_type or _guess_mime(file_name)
            old = self._files.get(file_id)
            if old:
                self._file_paths.pop(old["file_path"], None)
            self._files[file_id] = {"doc": doc, "content": bytes(content), "file_path": file_path}
            self._file_paths[file_path] = file_id
            return dict(doc)

    # ------------------------------------------------------------------ updates

    def make_update(self, **payload: Any) -> JSONDict:
        """``{"update_id": <next>, **payload}`` - not queued."""
        with self._lock:
            return {"update_id": next(self._update_ids), **payload}

    def make_message_update(
        self,
        chat_id: int,
        text: str | None = "",
        *,
        user_id: int | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        chat_type: str | None = None,
        chat_title: str | None = None,
        reply_to_bot: bool = False,
        reply_to_message_id: int | None = None,
        entities: list[JSONDict] | None = None,
        document: str | None = None,
        photo: str | None = None,
        edited: bool = False,
        **extra: Any,
    ) -> JSONDict:
        """A message update (not queued). The message is stored (for replies/edits).

        ``chat_type``: private/group/supergroup/channel (default: the registered chat's type,
        else private for positive ids). ``user_id`` defaults to ``chat_id`` for private
        chats, else 1001. ``document`` / ``photo``: a file_id registered with
        :meth:`add_file` - ``text`` becomes the caption. ``entities`` default to auto-detected ones (leading
        bot_command, @mentions, urls). ``edited`` makes an ``edited_message``. Extra
        keyword args are merged into the Message dict.
        """
        with self._lock:
            state = self._ensure_chat(chat_id, chat_type, chat_title, first_name, username)
            chat = dict(state["chat"])
            is_channel = chat["type"] == "channel"
            if user_id is None:
                user_id = chat_id if chat["type"] == "private" else 1001
            user = self._user(user_id, first_name, last_name, username, language_code)
            msg: JSONDict = {
                "message_id": self._next_message_id(chat["id"]),
                "date": int(time.time()),
                "chat": chat,
            }
            if is_channel:
                msg["sender_chat"] = chat
            else:
                msg["from"] = user
            if document is not None or photo is not None:
                if document is not None:
                    msg["document"] = self._document_dict(document)
                if photo is not None:
                    msg["photo"] = self._photo_sizes(photo)
                if text:
                    msg["caption"] = text
                    ents = entities if entities is not None else _auto_entities(text)
                    if ents:
                        msg["caption_entities"] = ents
            elif text is not None:
                msg["text"] = text
                ents = entities if entities is not None else _auto_entities(text)
                if ents:
                    msg["entities"] = ents
            replied = None
            if reply_to_message_id is not None:
                replied = self._messages.get(chat["id"], {}).get(int(reply_to_message_id))
                if replied is None:
                    replied = self._store_message(
                        self._bot_message_dict(chat, "(earlier message)", int(reply_to_message_id))
                    )
            elif reply_to_bot:
                replied = self._last_bot_message(chat["id"])
                if replied is None:
                    replied = self._store_message(
                        self._bot_message_dict(chat, "(earlier bot message)")
                    )
            if replied is not None:
                msg["reply_to_message"] = _strip_reply(replied)
            if edited:
                msg["edit_date"] = msg["date"]
            msg.update(extra)
            self._store_message(msg)
            if is_channel:
                key = "edited_channel_post" if edited else "channel_post"
            else:
                key = "edited_message" if edited else "message"
            return {"update_id": next(self._update_ids), key: copy.deepcopy(msg)}

    def make_callback_update(
        self,
        chat_id: int,
        user_id: int | None = None,
        data: str | None = "",
        message_id: int | None = None,
        *,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "ru",
        callback_id: str | None = None,
    ) -> JSONDict:
        """A callback_query update (not queued) for a button under ``message_id`` (default:
        the last bot message in the chat; made up if it does not exist)."""
        with self._lock:
            state = self._ensure_chat(chat_id, None, None, first_name, username)
            chat = dict(state["chat"])
            if user_id is None:
                user_id = chat_id if chat["type"] == "private" else 1001
            user = self._user(user_id, first_name, None, username, language_code)
            if message_id is None:
                msg = self._last_bot_message(chat["id"])
            else:
                msg = self._messages.get(chat["id"], {}).get(int(message_id))
            if msg is None:
                msg = self._store_message(self._bot_message_dict(chat, "(bot message)", message_id))
            cq_id = callback_id or f"{self.bot_id % 1000}{next(self._callback_counter):06d}"
            self._callback_ids.add(cq_id)
            query: JSONDict = {
                "id": cq_id,
                "from": user,
                "message": copy.deepcopy(msg),
                "chat_instance": str(abs(hash((chat["id"], self.bot_id))) % 10**18),
            }
            if data is not None:
                query["data"] = data
            return {"update_id": next(self._update_ids), "callback_query": query}

    def push_message(self, chat_id: int, text: str | None = "", **kwargs: Any) -> JSONDict:
        """Queue a message update for getUpdates (see :meth:`make_message_update`)."""
        return self.push_raw(self.make_message_update(chat_id, text, **kwargs))

    def push_callback(
        self,
        chat_id: int,
        user_id: int | None = None,
        data: str | None = "",
        message_id: int | None = None,
        **kwargs: Any,
    ) -> JSONDict:
        """Queue a callback_query update (see :meth:`make_callback_update`)."""
        return self.push_raw(self.make_callback_update(chat_id, user_id, data, message_id, **kwargs))

    def push_raw(self, update: JSONDict) -> JSONDict:
        """Queue any dict as-is (an ``update_id`` is added if missing).

        Note: an update PTB cannot de-serialize is never confirmed by PTB's Updater, so it
        is served again and again: give such a test a fake of its own.
        """
        with self._cond:
            if "update_id" not in update:
                update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._cond.notify_all()
        return update

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Queued updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return list(self._updates)

    def commands_for(self, scope: JSONDict | str | None = None, language_code: str = "") -> list[JSONDict] | None:
        """Commands set with setMyCommands for a scope (dict or type name) + language."""
        with self._lock:
            return copy.deepcopy(self.commands.get(self._commands_key(scope, language_code)))

    # ------------------------------------------------------------------ internals: state

    @staticmethod
    def _canonical(method: str) -> str:
        for name in _CANONICAL:
            if name.lower() == method.lower():
                return name
        return method

    def _next_message_id(self, chat_id: int) -> int:
        self._msg_counters[chat_id] = self._msg_counters.get(chat_id, 0) + 1
        return self._msg_counters[chat_id]

    def _store_message(self, msg: JSONDict) -> JSONDict:
        cid = msg["chat"]["id"]
        mid = msg["message_id"]
        self._msg_counters[cid] = max(self._msg_counters.get(cid, 0), mid)
        self._messages.setdefault(cid, {})[mid] = msg
        return msg

    def _last_bot_message(self, chat_id: int) -> JSONDict | None:
        store = self._messages.get(chat_id, {})
        for mid in sorted(store, reverse=True):
            if self._is_bot_message(store[mid]):
                return store[mid]
        return None

    def _is_bot_message(self, msg: JSONDict) -> bool:
        if msg.get("from", {}).get("id") == self.bot_id:
            return True
        return msg.get("_sent_by_bot", False)

    def _bot_message_dict(
        self, chat: JSONDict, text: str | None, message_id: int | None = None
    ) -> JSONDict:
        msg: JSONDict = {
            "message_id": message_id if message_id is not None else self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": dict(chat),
        }
        if chat["type"] == "channel":
            msg["sender_chat"] = dict(chat)
        else:
            msg["from"] = dict(self.bot_user)
        if text is not None:
            msg["text"] = text
        return msg

    def _user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> JSONDict:
        user: JSONDict = {"id": int(user_id), "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat_key(self, chat_id: Any) -> Any:
        """Canonical id for comparisons (resolves registered @usernames)."""
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                return self._usernames.get(chat_id[1:].lower(), chat_id.lower())
            try:
                return int(chat_id)
            except ValueError:
                return chat_id
        return chat_id

    def _chat_state(self, chat_id: Any) -> JSONDict:
        """A known chat; an unknown int id becomes a private chat (or a group if negative)."""
        key = self._chat_key(chat_id)
        if not isinstance(key, int):
            raise ApiError(400, "Bad Request: chat not found")
        return self._chats.get(key) or self._ensure_chat(key, None, None, "User", None)

    def _ensure_chat(
        self,
        chat_id: int,
        chat_type: str | None,
        title: str | None,
        first_name: str,
        username: str | None,
    ) -> JSONDict:
        chat_id = int(chat_id)
        state = self._chats.get(chat_id)
        if state is not None and (chat_type is None or state["chat"]["type"] == chat_type):
            return state
        if chat_type is None:
            chat_type = "private" if chat_id > 0 else "supergroup" if str(chat_id).startswith("-100") else "group"
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
            if username:
                chat["username"] = username
        else:
            chat["title"] = title or f"Test {chat_type} {chat_id}"
        status = (state or {}).get("bot_status") or (
            "administrator" if chat_type == "channel" else "member"
        )
        rights = dict(_ADMIN_RIGHTS_DEFAULT)
        rights.update({"can_post_messages": True, "can_edit_messages": True} if chat_type == "channel" else {"can_pin_messages": True})
        state = {"chat": chat, "bot_status": status, "bot_rights": rights}
        self._chats[chat_id] = state
        return state

    @staticmethod
    def _check_can_send(state: JSONDict) -> None:
        """Only channels are checked: the bot must be an admin allowed to post there."""
        if state["chat"]["type"] != "channel":
            return
        status = state["bot_status"]
        if status not in ("administrator", "creator") or (
            status == "administrator" and not state["bot_rights"].get("can_post_messages", True)
        ):
            raise ApiError(400, "Bad Request: need administrator rights in the channel chat")

    def _registered_file(self, file_id: str) -> JSONDict:
        entry = self._files.get(file_id)
        if entry is None:
            raise KeyError(f"file_id {file_id!r} not registered; call add_file() first")
        return entry

    def _document_dict(self, document: str) -> JSONDict:
        return dict(self._registered_file(document)["doc"])

    def _photo_sizes(self, photo: str) -> list[JSONDict]:
        entry = self._registered_file(photo)
        size = entry["doc"]["file_size"]
        return [
            {"file_id": photo, "file_unique_id": entry["doc"]["file_unique_id"], "width": 1280,
             "height": 720, "file_size": size},
        ]

    @staticmethod
    def _commands_key(scope: JSONDict | str | None, language_code: str | None) -> tuple[str, str]:
        if scope is None:
            scope = {"type": "default"}
        elif isinstance(scope, str):
            scope = {"type": scope}
        return json.dumps(scope, sort_keys=True), language_code or ""

    # ------------------------------------------------------------------ internals: dispatch

    def _dispatch(self, method_raw: str, params: JSONDict) -> tuple[int, JSONDict]:
        method = self._canonical(method_raw)
        key = method_raw.lower()
        try:
            with self._lock:
                failure = self._take_failure(method)
                rejects = [p for m, p in self._rejects if m in (method, "*")]
                custom = self._custom.get(key)
            if failure is not None:
                raise ApiError(failure.error_code, failure.description, failure.parameters)
            for predicate in rejects:
                verdict = predicate(params)
                if verdict:
                    raise ApiError(*verdict)
            handler = custom or self._handlers.get(key)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if method == "getUpdates":  # long poll: must not hold the lock while waiting
                result = handler(params)
                self._record(_Record(method, params, True))
            else:
                with self._lock:
                    result = handler(params)
                    self._record(_Record(method, params, True))
            return 200, {"ok": True, "result": result}
        except ApiError as exc:
            self._record(_Record(method, params, False, exc.error_code, exc.description))
            body: JSONDict = {
                "ok": False,
                "error_code": exc.error_code,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            return exc.error_code, body

    def _take_failure(self, method: str) -> _Failure | None:
        for name in (method, "*"):
            queue = self._failures.get(name)
            if queue:
                failure = queue[0]
                failure.remaining -= 1
                if failure.remaining <= 0:
                    queue.pop(0)
                return failure
        return None

    def _record(self, record: _Record) -> None:
        with self._cond:
            self._records.append(record)
            self._cond.notify_all()

    def _serve_file(self, token: str, file_path: str) -> tuple[int, bytes | None]:
        if token != self.token:
            return 401, None
        with self._lock:
            file_id = self._file_paths.get(file_path)
            entry = self._files.get(file_id) if file_id else None
            if entry is None:
                return 404, None
            self._record(_Record("downloadFile", {"file_path": file_path, "file_id": file_id}, True))
            return 200, entry["content"]

    # ------------------------------------------------------------------ API methods
    # (called with self._lock held, except getUpdates)

    def _api_getMe(self, p: JSONDict) -> JSONDict:
        return dict(self.bot_user)

    def _api_getUpdates(self, p: JSONDict) -> list[JSONDict]:
        try:
            offset = int(p.get("offset") or 0)
            limit = int(p.get("limit") or 100)
            timeout = float(p.get("timeout") or 0)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: wrong parameter in request") from None
        limit = max(1, min(limit, 100))
        allowed = p.get("allowed_updates")
        deadline = time.monotonic() + max(0.0, min(timeout, self.long_poll_cap))
        with self._cond:
            if self.webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if allowed is not None:
                self._allowed_updates = list(allowed)
            allowed_now = self._allowed_updates
            if offset > 0:
                self._updates = [u for u in self._updates if u.get("update_id", 0) >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            while True:
                ready = [u for u in self._updates if _update_allowed(u, allowed_now)]
                if ready or self._stopping:
                    return copy.deepcopy(ready[:limit])
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining)

    def _api_setWebhook(self, p: JSONDict) -> bool:
        url = str(p.get("url") or "")
        secret = p.get("secret_token")
        if secret is not None:
            secret = str(secret)
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
                raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if p.get("drop_pending_updates"):
            self._updates.clear()
        if p.get("allowed_updates") is not None:
            self._allowed_updates = list(p["allowed_updates"])
        self.webhook = {
            "url": url,
            "secret_token": secret if url else None,
            "allowed_updates": p.get("allowed_updates"),
        }
        return True

    def _api_deleteWebhook(self, p: JSONDict) -> bool:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {"url": "", "secret_token": None, "allowed_updates": None}
        return True

    def _api_getWebhookInfo(self, p: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook["url"] and self.webhook["allowed_updates"] is not None:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    # --- messages

    def _render(self, p: JSONDict, text_key: str, mode_key: str, entities_key: str) -> tuple[str | None, list[JSONDict]]:
        text = p.get(text_key)
        if text is None:
            return None, []
        text = str(text)
        if p.get(mode_key):
            return parse_entities(text, p[mode_key])
        ents = p.get(entities_key)
        return text, list(ents) if isinstance(ents, list) else []

    def _check_markup(self, markup: Any) -> JSONDict | None:
        """Validate reply_markup; return it if it is an inline keyboard (echoed back)."""
        if not isinstance(markup, dict):
            return None
        if "inline_keyboard" not in markup:
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays")
        actions = (
            "url callback_data web_app login_url switch_inline_query "
            "switch_inline_query_current_chat switch_inline_query_chosen_chat copy_text "
            "callback_game pay"
        ).split()
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text must be non-empty")
                if not any(a in button for a in actions):
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: Text buttons are "
                        "unallowed in the inline keyboard",
                    )
                data = button.get("callback_data")
                if data is not None and not (1 <= len(str(data).encode("utf-8")) <= 64):
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _reply_to(self, p: JSONDict, chat_id: int) -> JSONDict | None:
        rp = p.get("reply_parameters")
        mid = None
        allow = bool(p.get("allow_sending_without_reply"))
        if isinstance(rp, dict):
            mid = rp.get("message_id")
            allow = allow or bool(rp.get("allow_sending_without_reply"))
        elif p.get("reply_to_message_id") is not None:
            mid = p.get("reply_to_message_id")
        if mid is None:
            return None
        msg = self._messages.get(chat_id, {}).get(int(mid))
        if msg is None and not allow:
            raise ApiError(400, "Bad Request: message to be replied not found")
        return _strip_reply(msg) if msg else None

    def _new_bot_message(self, p: JSONDict, **content: Any) -> JSONDict:
        state = self._chat_state(p.get("chat_id"))
        self._check_can_send(state)
        chat = dict(state["chat"])
        reply = self._reply_to(p, chat["id"])
        markup = self._check_markup(p.get("reply_markup"))
        msg = self._bot_message_dict(chat, None)
        if chat["type"] == "channel":
            msg["_sent_by_bot"] = True
        if p.get("message_thread_id") is not None:
            msg["message_thread_id"] = p["message_thread_id"]
        msg.update({k: v for k, v in content.items() if v not in (None, [])})
        if reply is not None:
            msg["reply_to_message"] = reply
        if markup is not None:
            msg["reply_markup"] = markup
        self._store_message(msg)
        return _public(msg)

    def _api_sendMessage(self, p: JSONDict) -> JSONDict:
        text, ents = self._render(p, "text", "parse_mode", "entities")
        self._check_text(text, "message is too long")
        return self._new_bot_message(p, text=text, entities=ents)

    @staticmethod
    def _check_text(text: str | None, too_long: str) -> None:
        """The length is counted after entity parsing, as Telegram does."""
        if text is None or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, f"Bad Request: {too_long}")

    def _caption(self, p: JSONDict) -> tuple[str | None, list[JSONDict]]:
        caption, ents = self._render(p, "caption", "parse_mode", "caption_entities")
        if caption is not None and len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return caption, ents

    def _input_file(self, p: JSONDict, field: str, kind: str) -> JSONDict:
        value = p.get(field)
        if isinstance(value, UploadedFile):
            n = next(self._file_counter)
            file_id = f"{kind[:2].upper()}ACAgFake{n:06d}"
            return self.add_file(
                file_id, value.content, value.filename, value.content_type, kind=kind
            )
        if isinstance(value, str) and value:  # a file_id; sending by URL is not modelled
            if value in self._files:
                return dict(self._files[value]["doc"])
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raise ApiError(400, f"Bad Request: there is no {field} in the request")

    def _api_sendPhoto(self, p: JSONDict) -> JSONDict:
        doc = self._input_file(p, "photo", "photos")
        caption, ents = self._caption(p)
        sizes = [
            {"file_id": doc["file_id"], "file_unique_id": doc["file_unique_id"],
             "width": 90, "height": 90, "file_size": doc.get("file_size", 0)},
            {"file_id": doc["file_id"], "file_unique_id": doc["file_unique_id"],
             "width": 800, "height": 600, "file_size": doc.get("file_size", 0)},
        ]
        return self._new_bot_message(p, photo=sizes, caption=caption, caption_entities=ents)

    def _editable(self, p: JSONDict) -> JSONDict:
        """The stored message to edit (inline messages are not modelled)."""
        state = self._chat_state(p.get("chat_id"))
        msg = self._messages.get(state["chat"]["id"], {}).get(int(p.get("message_id") or 0))
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        channel_editor = state["chat"]["type"] == "channel" and state["bot_status"] in (
            "creator",
            "administrator",
        ) and state["bot_rights"].get("can_edit_messages", True)
        if not (self._is_bot_message(msg) or channel_editor):
            raise ApiError(400, "Bad Request: message can't be edited")
        return msg

    def _api_editMessageText(self, p: JSONDict) -> JSONDict:
        text, ents = self._render(p, "text", "parse_mode", "entities")
        self._check_text(text, "message_too_long")
        markup = self._check_markup(p.get("reply_markup"))
        msg = self._editable(p)
        if (
            msg.get("text") == text
            and msg.get("entities", []) == ents
            and msg.get("reply_markup") == markup
        ):
            raise ApiError(400, _NOT_MODIFIED)
        msg["text"] = text
        if ents:
            msg["entities"] = ents
        else:
            msg.pop("entities", None)
        if markup is not None:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = int(time.time())
        return _public(msg)

    def _api_sendChatAction(self, p: JSONDict) -> bool:
        state = self._chat_state(p.get("chat_id"))
        self._check_can_send(state)
        if p.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _api_answerCallbackQuery(self, p: JSONDict) -> bool:
        if str(p.get("callback_query_id") or "") not in self._callback_ids:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if p.get("text") is not None and len(str(p["text"])) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    # --- commands

    def _api_setMyCommands(self, p: JSONDict) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for cmd in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(cmd.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
        self.commands[self._commands_key(p.get("scope"), p.get("language_code"))] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _api_deleteMyCommands(self, p: JSONDict) -> bool:
        self.commands.pop(self._commands_key(p.get("scope"), p.get("language_code")), None)
        return True

    # --- files

    def _api_getFile(self, p: JSONDict) -> JSONDict:
        file_id = str(p.get("file_id") or "")
        entry = self._files.get(file_id)
        if entry is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if entry["doc"]["file_size"] > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": entry["doc"]["file_unique_id"],
            "file_size": entry["doc"]["file_size"],
            "file_path": entry["file_path"],
        }

    # --- chats

    def _known_chat(self, chat_id: Any) -> JSONDict:
        key = self._chat_key(chat_id)
        state = self._chats.get(key) if isinstance(key, int) else None
        if state is None:
            raise ApiError(400, "Bad Request: chat not found")
        return state

    def _api_getChat(self, p: JSONDict) -> JSONDict:
        state = self._known_chat(p.get("chat_id"))
        return {
            **state["chat"],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    def _api_getChatMember(self, p: JSONDict) -> JSONDict:
        """The bot's own membership (set with :meth:`set_chat`); users are not tracked."""
        state = self._known_chat(p.get("chat_id"))
        if int(p.get("user_id") or 0) != self.bot_id:
            raise ApiError(400, "Bad Request: the fake only knows the bot's own membership")
        status = state["bot_status"]
        member: JSONDict = {"status": status, "user": dict(self.bot_user)}
        if status == "administrator":
            member.update(_ADMIN_RIGHTS_DEFAULT)
            member.update(state["bot_rights"])
        elif status == "creator":
            member["is_anonymous"] = False
        elif status == "kicked":
            member["until_date"] = 0
        return member


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------

_CANONICAL = [
    name[len("_api_") :] for name in dir(FakeBotAPI) if name.startswith("_api_")
]


def _public(msg: JSONDict) -> JSONDict:
    return copy.deepcopy({k: v for k, v in msg.items() if not k.startswith("_")})


def _strip_reply(msg: JSONDict) -> JSONDict:
    out = _public(msg)
    out.pop("reply_to_message", None)
    return out


_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def _update_allowed(update: JSONDict, allowed: list[str] | None) -> bool:
    """Telegram's allowed_updates filter; [] / None = all but the opt-in types."""
    kinds = [k for k in update if k != "update_id"]
    if not kinds:
        return True
    if allowed:
        return any(k in allowed for k in kinds)
    return not all(k in _OPT_IN_UPDATES for k in kinds)


def _guess_mime(file_name: str | None) -> str:
    import mimetypes

    if file_name:
        guessed = mimetypes.guess_type(file_name)[0]
        if guessed:
            return guessed
    return "application/octet-stream"


class LoopbackServer(ThreadingHTTPServer):
    """The fake servers' HTTP server: a client that hangs up early is not an error worth printing."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # listen backlog: the default 5 resets connections when a bot sends in bursts

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients cancel long polls and streams on shutdown: broken pipes are expected.
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    api: FakeBotAPI
    protocol_version = "HTTP/1.0"
    server_version = "FakeBotAPI/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except (ConnectionError, TimeoutError):
            pass

    def _send_json(self, status: int, payload: JSONDict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json")

    def _read_params(self, query: str) -> JSONDict:
        raw: dict[str, Any] = {}
        for key, values in parse_qs(query, keep_blank_values=True).items():
            raw[key] = values[-1]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type") or ""
        lower = ctype.lower()
        if body:
            if lower.startswith("multipart/form-data"):
                raw.update(_parse_multipart(ctype, body))
            elif lower.startswith("application/json"):
                data = json.loads(body.decode("utf-8"))
                if isinstance(data, dict):
                    return {**_decode_params(raw), **data}
            else:
                for key, values in parse_qs(
                    body.decode("utf-8"), keep_blank_values=True
                ).items():
                    raw[key] = values[-1]
        return _decode_params(raw)

    def _handle(self) -> None:
        api = self.api
        parts = urlsplit(self.path)
        path = parts.path
        m = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
        if m:
            if self.command not in ("GET", "HEAD"):
                self._send_json(405, {"ok": False, "error_code": 405, "description": "Method Not Allowed"})
                return
            status, content = api._serve_file(unquote(m.group(1)), unquote(m.group(2)))
            if content is None:
                self._send_json(status, {"ok": False, "error_code": status, "description": "Not Found" if status == 404 else "Unauthorized"})
            else:
                self._send(200, content, "application/octet-stream")
            return
        m = re.fullmatch(r"/bot([^/]+)/([A-Za-z0-9_]+)/?", path)
        if not m:
            self._send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        if unquote(m.group(1)) != api.token:
            self._send_json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            params = self._read_params(parts.query)
        except (ValueError, UnicodeError):
            self._send_json(400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid request body"})
            return
        status, payload = api._dispatch(m.group(2), params)
        self._send_json(status, payload)

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

