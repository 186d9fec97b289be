"""Follow-up questions: "а что он будет делать?" is read with the chat's previous question as context.

Memory is one question (and, for the LLM, a few turns) per conversation, bounded in size and forgotten
after a few minutes, so a new topic a day later is never dragged into an old one. A question is a
follow-up only when it leans on what came before: it opens with "and"/"а"/"ал", points back with a
pronoun, or is too short to stand alone. "Tell me more" goes on with the articles the last answer quoted,
or, from a button under an older answer, with what that answer quoted (the last few are kept).
No library does this for an extractive bot; it is a few lines of bookkeeping.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field, replace

import numpy as np

_LEANS_BACK = re.compile(
    r"^(а|и|ну|ал|ал енді|and|also|what about|how about)\b|"
    r"\b(он|она|оно|они|его|её|ее|их|ему|ней|нём|нем|там|тогда|этот|эта|это|этого|этом|"
    r"ол|оны|оның|онда|оған|олар|олардың|сол|осы|it|its|he|she|his|her|they|their|them|there|then)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+")


def leans_back(question: str) -> bool:
    words = _WORD.findall(question)
    return len(words) <= 2 or bool(_LEANS_BACK.search(question.strip()))


@dataclass(frozen=True)
class Turn:
    question: str  # standalone
    answer: str


@dataclass(frozen=True, eq=False)
class Quoted:
    """What an answer quoted, for "tell me more": the question it answered, the vector it was found with,
    and all that each of its articles has told so far."""

    question: str
    vector: np.ndarray
    told: dict[str, str]  # doc id -> its quoted sentences
    number: int = 0  # given by Conversations.quote; a "tell me more" button names its answer by it


@dataclass
class _Memory:
    at: float
    question: str  # the last standalone question
    turns: deque[Turn]
    quotes: OrderedDict[int, Quoted] = field(default_factory=OrderedDict)
    latest: int | None = None  # the number of what the last answer quoted; None after a refusal


class Conversations:
    """The last standalone question of each conversation (a chat, or a chat thread), and its last few
    question/answer turns for the LLM to read a follow-up with."""

    def __init__(self, max_conversations: int = 10_000, ttl_seconds: float = 600.0, max_turns: int = 3,
                 max_quotes: int = 5):
        self._memory: OrderedDict[object, _Memory] = OrderedDict()
        self._max = max_conversations
        self._ttl = ttl_seconds
        self._max_turns = max_turns
        self._max_quotes = max_quotes
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def _recent(self, key: object) -> _Memory | None:
        memory = self._memory.get(key)
        if memory is not None and time.monotonic() - memory.at > self._ttl:
            del self._memory[key]
            return None
        return memory

    def in_context(self, key: object, question: str) -> str:
        """The question to search for: with the previous one in front when this one is a follow-up."""
        with self._lock:
            previous = self._recent(key)
            if previous is not None and previous.question and leans_back(question):
                return f"{previous.question} {question}"
            return question

    def history(self, key: object) -> list[Turn]:
        with self._lock:
            memory = self._recent(key)
            return list(memory.turns) if memory is not None else []

    def remember(self, key: object, question: str) -> None:
        with self._lock:
            self._touch(key).question = question

    def quote(self, key: object, quoted: Quoted | None) -> None:
        """What the last answer quoted (a new number, or the number of the answer it went on with); None after
        a question that was not answered, so a typed "tell me more" never goes back to an older topic."""
        with self._lock:
            memory = self._touch(key)
            if quoted is None:
                memory.latest = None
                return
            if quoted.number not in memory.quotes:
                quoted = replace(quoted, number=next(self._numbers))
            memory.quotes[quoted.number] = quoted
            memory.quotes.move_to_end(quoted.number)
            while len(memory.quotes) > self._max_quotes:
                memory.quotes.popitem(last=False)
            memory.latest = quoted.number

    def quoted(self, key: object, number: int | None = None) -> Quoted | None:
        """What the last answer quoted, or the answer of that number while it is still remembered."""
        with self._lock:
            memory = self._recent(key)
            if memory is None:
                return None
            wanted = memory.latest if number is None else number
            return memory.quotes.get(wanted) if wanted is not None else None

    def add_turn(self, key: object, question: str, answer: str) -> None:
        with self._lock:
            self._touch(key).turns.append(Turn(question, answer))

    def _touch(self, key: object) -> _Memory:
        memory = self._recent(key)
        if memory is None:
            memory = self._memory[key] = _Memory(0.0, "", deque(maxlen=self._max_turns))
        memory.at = time.monotonic()
        self._memory.move_to_end(key)
        while len(self._memory) > self._max:
            self._memory.popitem(last=False)
        return memory
