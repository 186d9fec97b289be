"""Operators see what generative answers cost: tokens, calls, time and model per question in bot.db, and
the share of generative, extractive and refused answers."""

from __future__ import annotations

from bot.qa.compose import Usage
from bot.telegram.state import AnswerShares, BotState


def test_the_question_log_keeps_what_each_answer_cost(tmp_path):
    state = BotState(tmp_path / "bot.db")
    common = dict(user_id=1, chat_id=1, chat_type="private", language="ru", latency_ms=900.0, cited=[])
    llm = state.log_question(question="Где центр?", answered=True, mode="llm",
                             usage=Usage("qwen2.5-7b-q4", 2, 1200, 80, 850.4), **common)
    state.log_question(question="Когда основан хаб?", answered=True, mode="extractive", **common)
    refused = state.log_question(question="Какая погода?", answered=False, mode="llm",
                                 usage=Usage("qwen2.5-7b-q4", 2, 900, 5, 400.0), **common)

    row = state.question(llm)
    assert (row["prompt_tokens"], row["completion_tokens"], row["llm_calls"], row["llm_model"]) == \
        (1200, 80, 2, "qwen2.5-7b-q4")
    assert row["llm_ms"] == 850.4
    assert state.answer_shares() == AnswerShares(generative=1, extractive=1, refused=1)
    assert [r["id"] for r in state.unanswered()] == [refused]  # the model's "I don't know" is a gap to fill
    state.close()
    reopened = BotState(tmp_path / "bot.db")  # the migration runs once; the log survives a restart
    assert reopened.question(llm)["prompt_tokens"] == 1200
    reopened.close()
