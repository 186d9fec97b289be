"""Telegram HTML rendering and splitting (pure functions), checked against the fake Bot API's parser."""

from __future__ import annotations

import html
import re

import pytest

from bot.qa.compose import Answer, Citation
from bot.telegram.html import (
    TELEGRAM_LIMIT,
    esc,
    html_to_plain,
    link,
    render_answer,
    split_html,
    split_plain,
    utf16_len,
)
from tests.support.fakebotapi import parse_entities


def _answer(text: str, lang: str = "en", url: str = "https://kaz.inform.kz/news/x?a=1&b=2") -> Answer:
    return Answer("q", lang, True, text, [
        Citation(1, "doc-1", 'Title with <tags> & "quotes"', "Kazinform", "2025-11-19", url, lang, "quote", 0.9),
        Citation(2, "doc-2", "Second", "", "", "", lang, "quote", 0.88),
    ])


def test_answer_is_escaped_and_links_its_sources():
    rendered = render_answer(_answer("Astana <b>centre</b> & more [1] [2]"))
    text, entities = parse_entities(rendered, "HTML")  # raises if Telegram would reject it
    assert text.startswith("Astana <b>centre</b> & more [1] [2]\n\nSources\n")
    assert '[1] Title with <tags> & "quotes" — Kazinform — 2025-11-19' in text
    assert "[2] Second" in text
    links = [e for e in entities if e["type"] == "text_link"]
    assert [e["url"] for e in links] == ["https://kaz.inform.kz/news/x?a=1&b=2"]  # no link without a URL


def test_unsafe_urls_are_not_linked():
    assert link("javascript:alert(1)", "x") == "x"
    assert link("https://e.org/a?b=1&c=2", "<t>") == '<a href="https://e.org/a?b=1&amp;c=2">&lt;t&gt;</a>'


def test_a_6000_character_answer_is_split_at_sentence_boundaries():
    sentences = [f"Sentence {i} tells about the centre in Astana & its <partners>. [1]" for i in range(90)]
    answer = _answer(" ".join(sentences))
    assert len(answer.answer) > 6000
    parts = split_html(render_answer(answer))
    assert len(parts) == 2
    plain = []
    for part in parts:
        assert utf16_len(part) <= TELEGRAM_LIMIT
        text, _ = parse_entities(part, "HTML")  # every part is valid markup on its own
        plain.append(text)
    assert plain[0].endswith("[1]")  # cut after a sentence and its citation, not inside
    assert re.match(r"Sentence \d+ tells", plain[1])
    assert " ".join(plain).split() == parse_entities(render_answer(answer), "HTML")[0].split()
    assert "Sources" in plain[1] and "Sources" not in plain[0]


def test_paragraph_breaks_are_preferred_and_entities_never_cut():
    block = "Word &amp; word. " * 150  # about 2,500 characters
    text = f"{block}\n\n{block}\n\n{block}"
    parts = split_html(text)
    assert len(parts) == 3 and all(p == block.strip() for p in parts)
    dense = "&amp;" * 2000  # no spaces at all: entities still whole
    for part in split_html(dense, 1000):
        assert utf16_len(part) <= 1000 and re.fullmatch(r"(&amp;)+", part)


def test_forced_cut_inside_markup_closes_and_reopens_tags():
    text = "<b>" + "word " * 2000 + "</b> tail"
    parts = split_html(text)
    assert len(parts) >= 3
    for part in parts:
        assert utf16_len(part) <= TELEGRAM_LIMIT
        parse_entities(part, "HTML")
    assert parts[1].startswith("<b>")


def test_utf16_length_counts_emoji_twice():
    assert utf16_len("👍") == 2 and utf16_len("қ") == 1
    parts = split_html("👍 " * 3000)  # 9,000 UTF-16 units although only 6,000 characters
    assert all(utf16_len(p) <= TELEGRAM_LIMIT for p in parts) and len(parts) == 3


def test_plain_fallback_keeps_link_targets_and_unescapes():
    rendered = render_answer(_answer("A < B & C [1]"))
    plain = html_to_plain(rendered)
    assert plain.startswith("A < B & C [1]")
    assert 'Title with <tags> & "quotes" (https://kaz.inform.kz/news/x?a=1&b=2)' in plain
    long_plain = "Plain sentence with <angle> & ampersand. " * 200
    parts = split_plain(long_plain)
    assert all(len(p) <= TELEGRAM_LIMIT for p in parts) and len(parts) == 3
    assert " ".join(parts).split() == long_plain.split()


@pytest.mark.parametrize("text", ["", "   ", "<b></b>"])
def test_nothing_visible_gives_no_parts(text):
    assert split_html(text) == []


def test_escape_is_reversible():
    raw = "<b>&</i> \"x\" 'y'"
    assert html.unescape(esc(raw)) == raw
    assert parse_entities(esc(raw), "HTML")[0] == raw


def test_long_unbroken_words_never_make_a_part_too_long():
    from bot.telegram.html import split_html, utf16_len

    words = ["w" * n for n in (1200, 5, 900, 1100, 3, 1000, 1024, 7, 1150)] * 6
    parts = split_html(" ".join(words))
    assert len(parts) > 1
    assert max(utf16_len(p) for p in parts) <= 4096
    assert sum(len(p.replace(" ", "")) for p in parts) == sum(len(w) for w in words)
