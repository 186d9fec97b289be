"""Every example question the bot itself offers (/start, /help, hints, the README) gets a real answer
about the centre, in its own language."""

from __future__ import annotations

import re

import pytest

from bot.messages import TEXTS
from tests.support.corpus import ROOT

CENTRE_FAMILY = "central-asia-centre-kk"
_QUOTED = re.compile(r"[\"«“]([^\"»”]{8,}\?)[\"»”]|/ask ([^\n]+\?)")


def _offered() -> list[tuple[str, str | None]]:
    examples = []
    for key, texts in TEXTS.items():
        for lang, text in texts.items():
            if key.startswith("example_"):
                examples.append((text, lang))
            else:
                examples.extend((a or b, lang) for a, b in _QUOTED.findall(text))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples.extend((q, None) for q in re.findall(r'centre-bot ask (?:--json )?"([^"]+)"', readme))
    return sorted(set(examples), key=str)


def test_the_bot_offers_examples_in_every_language():
    langs = {lang for _, lang in _offered()}
    assert {"kk", "ru", "en"} <= langs


@pytest.mark.parametrize("question,lang", _offered())
def test_every_offered_example_is_answered_from_the_centres_article(corpus_assistant, question, lang):
    answer = corpus_assistant.ask(question)
    snapshot = corpus_assistant.snapshot()
    assert answer.answered, (question, answer.answer)
    assert snapshot.documents[answer.citations[0].doc_id].family == CENTRE_FAMILY, answer.answer
    if lang is not None:
        assert answer.language == lang
