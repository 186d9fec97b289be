"""Optional generative answers through any OpenAI-compatible endpoint.

The model sees only the numbered passages the extractive answer cites, must answer in the asker's language
and cite them as [n]. Anything else (a timeout, an error, an answer without valid citations) keeps the
extractive answer, so the LLM can make an answer nicer but never worse or invented.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.qa.compose import Answer
from bot.settings import Settings
from index.language import detect_language
from index.snapshot import Snapshot

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian", "en": "English"}
_CITATION = re.compile(r"\[(\d+)\]")
SYSTEM_PROMPT = (
    "You answer questions about the ASEM LLL Hub Central Asia Regional Centre using ONLY the numbered "
    "passages you are given. Answer in {language}, in two or three short sentences. After every statement "
    "put the number of the passage it comes from in square brackets, like [1]. If the passages do not "
    "contain the answer, reply exactly: NO_ANSWER"
)


MAX_TOKENS = 400  # two or three sentences; also bounds what a runaway endpoint can make us wait for
# The HTTP timeout is per read: an endpoint that drips a byte a second never trips it. The call runs here
# and the question waits at most llm_timeout in all; a call given up on finishes (or times out) on its own.
_CALLS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="centre-bot-llm")


class LLMAnswerer:
    def __init__(self, settings: Settings):
        from openai import OpenAI

        self.model = settings.llm_model
        self.timeout = settings.llm_timeout
        self.client = OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value() or "not-needed",
            timeout=settings.llm_timeout,
            max_retries=0,
        )

    def _complete(self, messages: list[ChatCompletionMessageParam]) -> str:
        call = _CALLS.submit(self.client.chat.completions.create, model=self.model, messages=messages,
                             temperature=0.1, max_tokens=MAX_TOKENS)
        try:
            response = call.result(timeout=self.timeout)
        except FutureTimeout:
            call.cancel()
            raise TimeoutError(f"no complete answer within {self.timeout:g} s") from None
        return (response.choices[0].message.content or "").strip()

    def improve(self, extractive: Answer, question: str, snapshot: Snapshot) -> Answer:
        passages = []
        for c in extractive.citations:
            rows = snapshot.sentence_rows.get(c.doc_id, range(0))
            context = " ".join(snapshot.sentences[r].text for r in rows)[:3000] or c.quote
            passages.append(f"[{c.n}] {c.title}\n{context}")
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": SYSTEM_PROMPT.format(language=LANGUAGE_NAMES[extractive.language])},
            {"role": "user", "content": "Passages:\n\n" + "\n\n".join(passages) + f"\n\nQuestion: {question}"},
        ]
        try:
            text = self._complete(messages)
        except Exception as exc:  # noqa: BLE001 - any failure falls back to the extractive answer
            log.warning("LLM endpoint failed, answering extractively: %s", exc)
            return replace(extractive, note=f"llm failed: {type(exc).__name__}")
        cited = {int(n) for n in _CITATION.findall(text)}
        valid = {c.n for c in extractive.citations}
        if not text or "NO_ANSWER" in text or not cited or not cited <= valid:
            log.warning("LLM answer rejected (citations %s, allowed %s)", sorted(cited), sorted(valid))
            return replace(extractive, note="llm answer rejected: citations do not match the passages")
        if detect_language(_CITATION.sub("", text)).lang != extractive.language:
            log.warning("LLM answered in the wrong language, answering extractively")
            return replace(extractive, note="llm answer rejected: wrong language")
        return replace(extractive, answer=text, citations=[c for c in extractive.citations if c.n in cited], mode="llm")
