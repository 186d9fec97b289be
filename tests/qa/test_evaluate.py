"""The failure list an engineer reads after `centre-bot eval --failures`."""

from __future__ import annotations

from bot.qa.evaluate import Outcome, Question, failures


def test_a_failure_is_one_line_and_says_the_language_answered_in_when_that_was_wrong():
    question = Question("kk-209", "kk", "Хаб қашан құрылды?\nWhen was the Hub founded?", ["hub"], ["2004"], "centre")
    wrong_language = Outcome(question, "hybrid", 1, True, True, False, True, True, "... 2004 ...", "en")
    right = Outcome(question, "hybrid", 1, True, True, True, True, True, "... 2004 ...", "kk")
    assert failures([wrong_language, right]) == [
        "kk-209 [centre] rank=1 answered=True facts=True language=en: Хаб қашан құрылды? When was the Hub founded?"
    ]
