"""Follow-up questions lean on the chat's previous question; other chats and new topics do not; "tell me more"
goes on with what the last answer quoted."""

from __future__ import annotations

import pytest

from bot.qa.compose import strip_dateline
from bot.qa.followup import Conversations, leans_back
from bot.qa.question import asks_for_more


def test_a_follow_up_is_understood_with_the_previous_question(corpus_assistant):
    first = corpus_assistant.ask("What is the ASEM Lifelong Learning Hub?", conversation="chat-a")
    assert first.answered
    follow = corpus_assistant.ask("and when was it founded?", conversation="chat-a")
    assert follow.answered and "2004" in follow.answer, follow.answer


def test_kazakh_and_russian_follow_ups(corpus_assistant):
    corpus_assistant.ask("Орталық Азия өңірлік орталығы қай университетте құрылады?", conversation="chat-kk")
    follow = corpus_assistant.ask("ал ол немен айналысады?", conversation="chat-kk")
    assert follow.answered and follow.language == "kk"
    assert follow.citations[0].doc_id == "central-asia-centre-kk"
    corpus_assistant.ask("Где будет создан региональный центр?", conversation="chat-ru")
    follow = corpus_assistant.ask("а что он будет делать?", conversation="chat-ru")
    assert follow.answered and follow.language == "ru"
    assert follow.citations[0].doc_id == "central-asia-centre-ru"


def test_a_follow_up_asks_its_own_detail_of_the_previous_topic(corpus_assistant):
    """The article comes from the previous question, the detail from this one: a count, not a name again."""
    corpus_assistant.ask("Who leads the new apprenticeship centre at DCU?", conversation="chat-dcu")
    follow = corpus_assistant.ask("how many apprentices will it support?", conversation="chat-dcu")
    assert follow.answered and follow.citations[0].doc_id == "dcu-apprenticeship-centre"
    assert "1,100" in follow.answer.split("[1]")[0], follow.answer


def test_a_new_topic_is_not_dragged_into_the_old_one(corpus_assistant):
    corpus_assistant.ask("Who took over the ASEM LLL Hub chair from Ireland?", conversation="chat-b")
    assert not corpus_assistant.ask("What's the weather in Almaty tomorrow?", conversation="chat-b").answered


def test_memory_is_per_conversation_bounded_and_expires():
    memory = Conversations(max_conversations=2, ttl_seconds=600)
    memory.remember("a", "Where is the centre?")
    assert memory.in_context("a", "and when?") == "Where is the centre? and when?"
    assert memory.in_context("b", "and when?") == "and when?"
    memory.remember("b", "x")
    memory.remember("c", "y")
    assert memory.in_context("a", "and when?") == "and when?"  # the oldest conversation was dropped
    expired = Conversations(ttl_seconds=0)
    expired.remember("a", "Where is the centre?")
    assert expired.in_context("a", "and when?") == "and when?"


def test_what_counts_as_leaning_back():
    assert leans_back("а что он будет делать?") and leans_back("ал оның директоры кім?") and leans_back("and when?")
    assert not leans_back("Where will the Central Asian Regional Centre be created?")


@pytest.mark.parametrize("first,more,lang", [
    ("Where will the centre be created?", "tell me more", "en"),
    ("Где будет создан региональный центр?", "расскажи подробнее", "ru"),
    ("Орталық қайда құрылады?", "толығырақ айтып берші", "kk"),
])
def test_tell_me_more_goes_on_with_what_the_last_answer_quoted(corpus_assistant, first, more, lang):
    chat = f"more-{lang}"
    answer = corpus_assistant.ask(first, conversation=chat)
    go_on = corpus_assistant.ask(more, conversation=chat)
    assert go_on.answered and go_on.language == lang, go_on.answer
    assert go_on.citations[0].doc_id == answer.citations[0].doc_id
    assert answer.citations[0].quote not in go_on.answer and go_on.citations[0].quote not in answer.answer


def test_asking_for_more_walks_the_article_once_and_then_says_that_is_all(corpus_assistant):
    first = corpus_assistant.ask("Who took over the ASEM LLL Hub chair from Ireland?", conversation="more-all")
    doc_id = first.citations[0].doc_id
    told = [first.citations[0].quote]
    for _ in range(30):
        go_on = corpus_assistant.ask("what else?", conversation="more-all")
        if not go_on.answered:
            break
        assert go_on.citations[0].doc_id == doc_id
        told.append(go_on.citations[0].quote)
    assert not go_on.answered and "all" in go_on.answer, go_on.answer
    snapshot = corpus_assistant.snapshot()
    rows = snapshot.sentence_rows[doc_id]
    article = [strip_dateline(s.text) for s in snapshot.sentences[rows.start : rows.stop]]
    assert len(told) > 1
    for sentence in article:  # every sentence told exactly once
        assert sum(sentence in quote for quote in told) == 1, sentence


def test_more_of_an_older_answer_goes_on_with_that_answer(corpus_assistant):
    """A "tell me more" button under an earlier answer continues that answer, not the chat's latest one."""
    chat = "more-older"
    hub = corpus_assistant.ask("Who took over the ASEM LLL Hub chair from Ireland?", conversation=chat)
    hub_number = corpus_assistant.more_to_tell(chat)
    dcu = corpus_assistant.ask("Who leads the new apprenticeship centre at DCU?", conversation=chat)
    assert hub_number is not None and corpus_assistant.more_to_tell(chat) not in (None, hub_number)
    assert dcu.citations[0].doc_id == "dcu-apprenticeship-centre"
    more = corpus_assistant.ask("Tell me more", conversation=chat, more_of=hub_number)
    assert more.answered and more.citations[0].doc_id == hub.citations[0].doc_id, more.answer
    assert hub.citations[0].quote not in more.answer
    again = corpus_assistant.ask("what else?", conversation=chat)  # typed: the answer just continued
    assert again.citations[0].doc_id == hub.citations[0].doc_id
    assert more.citations[0].quote not in again.answer


def test_more_of_a_forgotten_answer_says_to_ask_again(corpus_assistant):
    corpus_assistant.ask("Где будет создан региональный центр?", conversation="more-forgotten")
    gone = corpus_assistant.ask("Расскажи подробнее", conversation="more-forgotten", more_of=10**9)
    assert not gone.answered and gone.language == "ru" and "ещё раз" in gone.answer, gone.answer
    fresh = corpus_assistant.ask("Расскажи подробнее", conversation="more-never", more_of=1)
    assert not fresh.answered and "ещё раз" in fresh.answer


def test_more_with_nothing_before_asks_for_a_question(corpus_assistant):
    answer = corpus_assistant.ask("подробнее", conversation="more-fresh")
    assert not answer.answered and answer.language == "ru" and "вопрос" in answer.answer
    corpus_assistant.ask("Какой курс доллара сегодня?", conversation="more-refused")
    assert not corpus_assistant.ask("а ещё?", conversation="more-refused").answered


def test_what_counts_as_asking_for_more():
    for text in ("tell me more", "Tell me more about it, please", "what else?", "more details", "go on",
                 "Расскажи подробнее", "а ещё?", "что ещё?", "подробнее об этом", "продолжай",
                 "толығырақ айтып берші", "Тағы не бар?", "әрі қарай", "tolygyraq aityp bershi"):
        assert asks_for_more(text), text
    for text in ("Tell me more about the secretariat", "а что ещё он будет делать?", "and when?", "ещё вопрос",
                 "Where will the centre be created?", "what about the hub?", "толығырақ хаб туралы"):
        assert not asks_for_more(text), text
