"""Follow-up questions: "а что он будет делать?" is read with the chat's previous question as context.

Memory is one question per conversation, bounded in size and forgotten after a few minutes, so a new topic
a day later is never dragged into an old one. A question is a follow-up only when it leans on what came
before: it opens with "and"/"а"/"ал", points back with a pronoun, or is too short to stand alone.
No library does this for an extractive bot; it is a few lines of bookkeeping.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict

_LEANS_BACK = re.compile(
    r"^(а|и|ну|ал|ал енді|and|also|what about|how about)\b|"
    r"\b(он|она|оно|они|его|её|ее|их|ему|ней|нём|нем|там|тогда|этот|эта|это|этого|этом|"
    r"ол|оны|оның|онда|оған|олар|олардың|сол|осы|it|its|he|she|his|her|they|their|them|there|then)\b",
    re.I,
)
_WORD = re.compile(r"[^\W\d_]+")


def leans_back(question: str) -> bool:
    words = _WORD.findall(question)
    return len(words) <= 2 or bool(_LEANS_BACK.search(question.strip()))


class Conversations:
    """The last standalone question of each conversation (a chat, or a chat thread)."""

    def __init__(self, max_conversations: int = 10_000, ttl_seconds: float = 600.0):
        self._last: OrderedDict[object, tuple[float, str]] = OrderedDict()
        self._max = max_conversations
        self._ttl = ttl_seconds
        self._lock = threading.Lock()

    def in_context(self, key: object, question: str) -> str:
        """The question to search for: with the previous one in front when this one is a follow-up."""
        now = time.monotonic()
        with self._lock:
            previous = self._last.get(key)
            if previous is not None and now - previous[0] > self._ttl:
                del self._last[key]
                previous = None
            if previous is not None and leans_back(question):
                return f"{previous[1]} {question}"
            return question

    def remember(self, key: object, question: str) -> None:
        with self._lock:
            self._last[key] = (time.monotonic(), question)
            self._last.move_to_end(key)
            while len(self._last) > self._max:
                self._last.popitem(last=False)
