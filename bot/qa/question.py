"""A question as typed -> the plain words to search with, or a reply that needs no search.

People type on phones: markup pasted from elsewhere, emoji, "(7)" left from a numbered list, "скажи
пожалуйста" around the question, a greeting before it. All of it pulls the question's vector away from
the passages that answer it; greetings and thanks alone are not questions at all.
"""

from __future__ import annotations

import html
import re
import unicodedata

from index.text import one_line

MAX_QUESTION_CHARS = 1000
_TAG = re.compile(r"<[^>]{0,200}>")
_WORDS = re.compile(r"[^\W\d_]{2,}|\d+", re.UNICODE)


_STRAY_NUMBER = re.compile(r"[(\[]\s*\d{1,3}\s*[)\]]|^\s*\d{1,3}\s*[).:]\s+")


# Courtesy and "in short" around a question: they pull its vector away from the passages that answer it
# ("скажи пожалуйста, где секретариат хаба?" fell below the threshold that "где секретариат хаба?" clears);
# "do you know / знаете / білесіз бе" is one more, and a Kazakh tag does not make a Russian question Kazakh.
_COURTESY = re.compile(
    r"\b(?:(?:can|could) you (?:please )?tell me|tell me|please|pls|plz|kindly|in short|briefly|in simple words|"
    r"kratko|do (?:you|u) know|(?:не )?(?:знаешь|знаете)(?: ли(?: ты| вы)?)?|(?:ты|вы) (?:не )?(?:знаешь|знаете)|"
    r"біле(?:сіз|сің) (?:бе|ба)|bile(?:siz|sin) (?:be|ba)|"
    r"(?:скажи|скажите|подскажи|подскажите)(?:,?\s*пожалуйста)?|пожалуйста|кратко|коротко|вкратце|"
    r"простыми словами|айтшы|айтыңызшы|айтыңыз|айтып беріңізші|айтып берші|түсіндіріп беріңізші|"
    r"түсіндіріп берші|өтінемін|қысқаша|кыскаша)\b[,!]?",
    re.I,
)
_LEADING_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|привет|здравствуйте|здравствуй|добрый день|сәлеметсіз бе|сәлем|салем)\b[\s!.,]+(?=\w)", re.I
)


def clean_question(text: str) -> str:
    """Plain words of a question: markup, entities, emoji and stray list numbers ("(7)", "2)") removed, a
    greeting before it and courtesy words around it dropped, runs of punctuation shortened, whitespace
    collapsed, length bounded."""
    text = html.unescape(_TAG.sub(" ", text or ""))
    text = _STRAY_NUMBER.sub(" ", text)
    stripped = re.sub(r"[\s,;:]+([?!.]|$)", r"\1", _COURTESY.sub(" ", _LEADING_GREETING.sub("", text))).strip(" ,;:")
    if has_words(stripped):
        text = stripped
    text = re.sub(r"[*_`~|#>\[\]]+", " ", text)
    text = "".join(" " if unicodedata.category(c) in ("So", "Sk", "Cs", "Co") else c for c in text)
    text = re.sub(r"([?!.,])[?!.,]+", r"\1", text)
    return one_line(text)[:MAX_QUESTION_CHARS]


_GREETING = re.compile(
    r"^(hi|hello|hey|good (morning|afternoon|evening)|привет|здравствуй|здравствуйте|добрый (день|вечер)|"
    r"доброе утро|сәлем|салем|сәлеметсіз бе|салеметсиз бе|сәлеметсіздер ме|ассалаумағалейкум|"
    r"ассалаумагалейкум)[\s!.,)]*$",
    re.I,
)
_THANKS = re.compile(r"^(thanks|thank you|спасибо|благодарю|рахмет|рақмет|көп рахмет|коп рахмет)[\s!.,)]*$", re.I)


def small_talk(text: str) -> str | None:
    """The message key answering a bare greeting or thanks: they are not questions to search for."""
    if _GREETING.match(text):
        return "greeting_reply"
    if _THANKS.match(text):
        return "thanks_reply"
    return None


def words(text: str) -> list[str]:
    """The words (two letters or more) and numbers of a text, in order."""
    return _WORDS.findall(text)


def has_words(text: str) -> bool:
    return bool(_WORDS.search(text))
