"""Optional generative answers through any OpenAI-compatible endpoint (a hosted API, llama.cpp, Ollama, vLLM).

The model gets the top passages of the search, numbered, with titles and dates, in whatever language they
are written, and must answer in the asker's language citing them as [n]. An answer is used only when every
citation is a passage it was given and it is in the asker's language; NO_ANSWER (or "the passages do not
say") becomes the bot's "I don't know". Anything else (a timeout, an error) keeps the extractive answer.

Two short helper calls shape the search: a follow-up is rewritten into a standalone question, and the
question is rendered into the other two languages. Either failing leaves the plain question.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.messages import LANGS, t
from bot.qa.compose import Answer, Citation, Usage
from bot.qa.followup import Turn
from bot.settings import Settings
from index.language import detect_language
from index.search import FamilyHit, Passage
from index.snapshot import Snapshot
from index.text import error_text

if TYPE_CHECKING:
    from openai import OpenAI

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian", "en": "English"}
NO_ANSWER = "NO_ANSWER"
_CITATION = re.compile(r"\[(\d+)\]")
# A reply without citations that says the passages do not tell is the model's "I don't know" too.
_DOES_NOT_TELL = re.compile(
    r"passages? (do|does) not|not (mentioned|stated|given|covered) in the passages|no information|"
    r"(в|во) (приведённых|приведенных|данных|этих)? ?(отрывках|фрагментах|текстах|источниках)|"
    r"нет (информации|сведений|данных)|не (содержат|содержится|указано|сказано|говорится)|"
    r"ақпарат (жоқ|берілмеген)|мәлімет (жоқ|берілмеген)|айтылмаған|көрсетілмеген",
    re.IGNORECASE,
)
SYSTEM_PROMPT = (
    "You answer questions about the ASEM LLL Hub Central Asia Regional Centre using ONLY the numbered "
    "passages you are given; they may be in Kazakh, Russian or English. Answer in {language}, in two to four "
    "short sentences. After every statement put the number of the passage it comes from in square brackets, "
    "like [1]. If the passages do not contain the answer, reply exactly: " + NO_ANSWER
)
REWRITE_PROMPT = (
    "Rewrite the user's last message into one standalone question that can be understood without the "
    "conversation, in the language of that message. If it already stands alone, repeat it unchanged. "
    "Reply with the question only."
)
RENDER_PROMPT = (
    "Translate the question into {targets}. Reply with one line per language, starting with its code and a "
    "colon, for example:\n{example}\nNothing else."
)

MAX_TOKENS = 500  # a few sentences; also bounds what a runaway endpoint can make us wait for
HELPER_MAX_TOKENS = 200
PASSAGES_PER_ARTICLE = 2
# The HTTP timeout is per read: an endpoint that drips a byte a second never trips it. A call runs here and
# waits at most its deadline in all; one given up on is told to stop and closes its stream.
_CALLS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="centre-bot-llm")

Delta = Callable[[str], None]  # receives the answer so far, while it streams


@dataclass(frozen=True)
class Given:
    """A passage as the model was shown it."""

    n: int
    passage: Passage


class LLMAnswerer:
    def __init__(self, settings: Settings):
        from openai import (
            OpenAI,  # imported only when an LLM is configured: it costs the cold start
        )

        self.model = settings.llm_model
        self.timeout = settings.llm_timeout
        self.helper_timeout = settings.llm_helper_timeout
        self.context_chars = settings.llm_context_chars
        self.client: OpenAI = OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value() or "not-needed",
            timeout=settings.llm_timeout,
            max_retries=0,
        )

    # ------------------------------------------------------------------------------------ calls

    def complete(self, messages: list[dict[str, str]], usage: Usage, *, timeout: float, max_tokens: int,
                  on_delta: Delta | None = None) -> str:
        started = time.perf_counter()
        stop = threading.Event()
        call: Future[str] = _CALLS.submit(self._call, messages, usage, max_tokens, stop, on_delta)
        try:
            return call.result(timeout=timeout)
        except FutureTimeout:
            stop.set()
            call.cancel()
            raise TimeoutError(f"no complete answer within {timeout:g} s") from None
        finally:
            usage.calls += 1
            usage.ms += (time.perf_counter() - started) * 1000

    def _call(self, messages: list[dict[str, str]], usage: Usage, max_tokens: int, stop: threading.Event,
              on_delta: Delta | None) -> str:
        request: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0.1,
                                   "max_tokens": max_tokens}
        if on_delta is None:
            response = self.client.chat.completions.create(**request)
            _count(usage, response.model, response.usage)
            return (response.choices[0].message.content or "").strip()
        text = ""
        stream = self.client.chat.completions.create(**request, stream=True, stream_options={"include_usage": True})
        with stream:
            for chunk in stream:
                if stop.is_set():
                    break
                _count(usage, chunk.model, chunk.usage)
                if chunk.choices and chunk.choices[0].delta.content:
                    text += chunk.choices[0].delta.content
                    if not NO_ANSWER.startswith(text.strip()[: len(NO_ANSWER)]):
                        on_delta(text)
        return text.strip()

    # ------------------------------------------------------------------------------------ helpers

    def standalone(self, history: Sequence[Turn], question: str, usage: Usage) -> str | None:
        """The follow-up as a question of its own, or None (the endpoint failed or said nothing)."""
        messages = [{"role": "system", "content": REWRITE_PROMPT}]
        for turn in history:
            messages += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": turn.answer}]
        messages.append({"role": "user", "content": question})
        try:
            text = self.complete(messages, usage, timeout=self.helper_timeout, max_tokens=HELPER_MAX_TOKENS)
        except Exception as exc:  # noqa: BLE001 - the plain question is searched instead
            log.warning("LLM rewrite of a follow-up failed, searching the question as asked: %s", exc)
            return None
        text = _CITATION.sub("", text.strip().splitlines()[0] if text.strip() else "").strip().strip('"«»')
        return text or None

    def renditions(self, question: str, lang: str, usage: Usage) -> dict[str, str]:
        """The question in the other two languages ({lang: text}); empty when the endpoint failed."""
        targets = [other for other in LANGS if other != lang]
        prompt = RENDER_PROMPT.format(
            targets=" and ".join(f"{LANGUAGE_NAMES[o]} ({o})" for o in targets),
            example="\n".join(f"{o}: ..." for o in targets),
        )
        messages = [{"role": "system", "content": prompt}, {"role": "user", "content": question}]
        try:
            text = self.complete(messages, usage, timeout=self.helper_timeout, max_tokens=HELPER_MAX_TOKENS)
        except Exception as exc:  # noqa: BLE001 - the question is searched as asked only
            log.warning("LLM rendering of the question failed, searching it as asked only: %s", exc)
            return {}
        found: dict[str, str] = {}
        for line in text.splitlines():
            code, _, rendered = line.partition(":")
            code = code.strip().strip("*-").strip().lower()
            if code in targets and rendered.strip() and code not in found:
                found[code] = rendered.strip()
        return found

    # ------------------------------------------------------------------------------------ answers

    def passages(self, snapshot: Snapshot, hits: Sequence[FamilyHit]) -> list[Given]:
        """The best passages of the best articles, each article's best first, within the character budget."""
        given: list[Given] = []
        used = 0
        for depth in range(PASSAGES_PER_ARTICLE):
            for hit in hits:
                if depth >= len(hit.passages):
                    continue
                passage = hit.passages[depth]
                if used + len(passage.chunk.text) > self.context_chars:
                    if given:
                        continue
                    cut = passage.chunk.text[: self.context_chars]
                    passage = replace(passage, chunk=replace(passage.chunk, text=cut))
                given.append(Given(len(given) + 1, passage))
                used += len(passage.chunk.text)
        return given

    def answer(self, question: str, language: str, snapshot: Snapshot, hits: Sequence[FamilyHit],
               extractive: Answer, usage: Usage, on_delta: Delta | None = None) -> Answer:
        """The generative answer, the bot's "I don't know", or ``extractive`` (with a note saying why)."""
        given = self.passages(snapshot, hits)
        if not given:
            return extractive
        blocks = []
        for g in given:
            doc = g.passage.doc
            heading = " — ".join(p for p in (doc.title, doc.date) if p)
            blocks.append(f"[{g.n}] {heading} ({LANGUAGE_NAMES.get(doc.lang, doc.lang)})\n{g.passage.chunk.text}")
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT.format(language=LANGUAGE_NAMES[language])},
            {"role": "user", "content": "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"},
        ]
        try:
            text = self.complete(messages, usage, timeout=self.timeout, max_tokens=MAX_TOKENS, on_delta=on_delta)
        except Exception as exc:  # noqa: BLE001 - any failure falls back to the extractive answer
            log.warning("LLM endpoint failed, answering extractively: %s", exc)
            return replace(extractive, note=f"llm failed: {error_text(exc, 188, kind=True)}", usage=usage)
        cited = [int(n) for n in _CITATION.findall(text)]
        valid = {g.n for g in given}
        if NO_ANSWER in text or (not cited and _DOES_NOT_TELL.search(text)):
            return Answer(extractive.question, language, False, t("not_known", language), mode="llm",
                          note="llm: the passages do not tell", usage=usage)
        if not text or not cited or not set(cited) <= valid:
            log.warning("LLM answer rejected (citations %s, allowed %s)", sorted(set(cited)), sorted(valid))
            return replace(extractive, note="llm answer rejected: citations do not match the passages", usage=usage)
        if detect_language(_CITATION.sub("", text)).lang != language:
            log.warning("LLM answered in the wrong language, answering extractively")
            return replace(extractive, note="llm answer rejected: wrong language", usage=usage)
        text, citations = _renumber(text, cited, given)
        return Answer(extractive.question, language, True, text, citations, mode="llm", usage=usage)


def _count(usage: Usage, model: str | None, reported: Any) -> None:
    if model:
        usage.model = model
    if reported is not None:
        usage.prompt_tokens += reported.prompt_tokens or 0
        usage.completion_tokens += reported.completion_tokens or 0


def _renumber(text: str, cited: list[int], given: list[Given]) -> tuple[str, list[Citation]]:
    """Citations numbered 1, 2, ... by first mention, one per article (two passages of one article are one
    source)."""
    by_n = {g.n: g.passage for g in given}
    number: dict[str, int] = {}
    citations: list[Citation] = []
    for n in cited:
        passage = by_n[n]
        doc = passage.doc
        if doc.id not in number:
            number[doc.id] = len(number) + 1
            citations.append(Citation.of(number[doc.id], doc, passage.chunk.text[:300], passage.dense))
    renumbered = _CITATION.sub(lambda m: f"[{number[by_n[int(m.group(1))].doc.id]}]", text)
    # "[1][1]" after two passages of one article became one source.
    return re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", renumbered), citations
