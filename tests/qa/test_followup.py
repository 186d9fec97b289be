"""Follow-up questions lean on the chat's previous question; other chats and new topics do not."""

from __future__ import annotations

from bot.qa.followup import Conversations, leans_back


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
