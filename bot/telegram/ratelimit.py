"""Rate limits: questions per user (UserRateLimiter), and the Bot API's flood limits with transient
failures retried on the way out (RetryingRateLimiter)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

from bot.ops.logging import kv
from index.text import error_text

log = logging.getLogger(__name__)

RETRY_AFTER_RETRIES = 5  # 429s in a row that are waited out before a send fails
TRANSIENT_RETRIES = 3  # 5xx answers and timeouts retried, after 0.5, 1 and 2 s
TRANSIENT_BACKOFF = 0.5
# Stale when late (typing, button spinners), or start-up calls PTB's bootstrap already retries.
NOT_RETRIED = {"sendChatAction", "answerCallbackQuery", "getMe", "setWebhook", "deleteWebhook"}


class UserRateLimiter:
    """At most ``per_minute`` questions per user in any 60 s; the user is told once per window."""

    def __init__(self, per_minute: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def check(self, user_id: int) -> tuple[bool, float]:
        """(allowed, seconds until the next question is allowed)."""
        now = self.clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.per_minute:
            hits.append(now)
            if len(self._hits) > 10_000:
                self._prune(now)
            return True, 0.0
        return False, hits[0] + self.window - now

    def should_warn(self, user_id: int) -> bool:
        now = self.clock()
        last = self._warned.get(user_id)
        if last is not None and now - last < self.window:
            return False
        self._warned[user_id] = now
        return True

    def _prune(self, now: float) -> None:
        for user_id in [u for u, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[user_id]
        for user_id in [u for u, at in self._warned.items() if now - at >= self.window]:
            del self._warned[user_id]


class RetryingRateLimiter(AIORateLimiter):
    """Telegram's flood limits (AIORateLimiter), and transient failures retried so that an answer is not lost:
    a 429 after its retry_after, a 5xx or a timeout a few times with backoff.

    A 5xx or a timeout may hide a message that did arrive, so posts to ``no_duplicates`` (the announcement
    chat, where a double post is worse than asking a person to check) get only the certain 429 retries.
    """

    def __init__(self, no_duplicates: set[int | str] = frozenset(), **kwargs: Any):
        super().__init__(max_retries=RETRY_AFTER_RETRIES, **kwargs)
        self.no_duplicates = {str(chat).lower() for chat in no_duplicates}

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        retries = 0 if endpoint in NOT_RETRIED or str(data.get("chat_id")).lower() in self.no_duplicates \
            else TRANSIENT_RETRIES
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if isinstance(exc, BadRequest) or attempt == retries:
                    raise
                delay = TRANSIENT_BACKOFF * 2 ** attempt
                attempt += 1
                log.warning(kv(event="send_retry", method=endpoint, chat=data.get("chat_id"), attempt=attempt,
                               error=error_text(exc, kind=True), wait_s=delay))
                await asyncio.sleep(delay)

