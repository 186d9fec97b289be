"""Structured log lines (key=value, one line per record) with secrets redacted.

    ts=2026-11-26T13:20:01+00:00 level=info logger=bot.telegram.user event=answer chat=42 ms=31.2

Messages that already are key=value pairs (built with ``kv``) are kept as they are; any other message
becomes msg="...". Secrets (the bot token, the webhook secret) are replaced by *** anywhere in a line,
tracebacks included: python-telegram-bot puts the token into some of its error texts.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime
from urllib.parse import quote

_NEEDS_QUOTES = re.compile(r'[\s="\\]')
_KV_MESSAGE = re.compile(r"^[a-z_]+=")


def _value(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        value = f"{value:.1f}"
    if isinstance(value, (list, tuple, set)):
        value = ",".join(str(v) for v in value)
    text = str(value)
    if text == "" or _NEEDS_QUOTES.search(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def kv(**fields: object) -> str:
    """``kv(event="answer", chat=42)`` -> ``event=answer chat=42``."""
    return " ".join(f"{key}={_value(value)}" for key, value in fields.items())


def secrets_pattern(secrets: list[str] | None) -> re.Pattern | None:
    """Every secret in any letter case, also URL-encoded (a lowercased or quoted copy is the same secret)."""
    forms = {form for s in (secrets or []) if s and len(s) >= 6 for form in (s, quote(s, safe=""))}
    if not forms:
        return None
    return re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)), re.IGNORECASE)


class KeyValueFormatter(logging.Formatter):
    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self.pattern = secrets_pattern(secrets)

    def redact(self, text: str) -> str:
        return self.pattern.sub("***", text) if self.pattern is not None else text

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        ts = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds")
        line = f"ts={ts} level={record.levelname.lower()} logger={record.name} "
        line += message if _KV_MESSAGE.match(message) else f"msg={_value(message)}"
        if record.exc_info:
            error = record.exc_info[1]
            line += f" error={_value(type(error).__name__ + ': ' + str(error))}"
            # A Bot API or network failure is said in full by its text; a traceback adds only noise.
            if type(error).__module__ != "telegram.error":
                line += f" traceback={_value(self.formatException(record.exc_info))}"
        return self.redact(line)


class RedactingFilter(logging.Filter):
    """For handlers we do not format ourselves (pytest's caplog, a second handler): redact in place."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.pattern = secrets_pattern(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.pattern is not None and self.pattern.search(message):
            record.msg, record.args = self.pattern.sub("***", message), None
        return True


def configure_logging(secrets: list[str], level: int = logging.INFO) -> None:
    """Root logging for `centre-bot run`: one key=value line per record on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter(secrets))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and the Bot API URL contains the token.
    for noisy in ("httpx", "httpcore", "apscheduler", "tornado.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
