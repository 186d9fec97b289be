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
    r"простыми словами|айтшы|айтыңызшы|айтыңыз|айтып беріңізші|айтып берші|айтып беріңіз|айтып бер|"
    r"түсіндіріп беріңізші|түсіндіріп берші|өтінемін|қысқаша|кыскаша)\b[,!]?",
    re.I,
)
_LEADING_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|привет|здравствуйте|здравствуй|добрый день|сәлеметсіз бе|сәлем|салем)\b[\s!.,]+(?=\w)", re.I
)


# A request for an overview ("tell me about the hub", "расскажите о центре", "хаб жайлы айтып берші") is a
# question about a topic, but its frame sits closer to everyday text than to any article: "Tell me about the
# centre" was refused where "What is the centre?" is answered. Each is asked in one form per language, the one
# the small model places by its topic. Not "what about X?": in a chat that asks the last question again of X.
_TOPIC_END = r"\s+(?P<topic>\S.*?)[\s?!.]*$"
_OVERVIEW_EN = re.compile(
    r"^\s*(?:(?:can|could|would) (?:you|u) (?:please )?)?(?:please )?"
    r"(?P<frame>(?:tell|talk to) (?:me|us)|talk|say something|give (?:me|us) (?:some |more )?info(?:rmation)?|"
    r"what (?:do|can) (?:you|u) (?:know|tell me|say)|what is known|is there (?:any |some )?info(?:rmation)?|"
    r"i(?: would|'d)? (?:want|like) to know(?: more)?|(?:some |more |any )?info(?:rmation)?)?"
    r"(?:,? please)?(?: (?:something|anything|more|a (?:bit|little)(?: more)?))?"
    r"\s*\b(?P<about>about|on|regarding)" + _TOPIC_END,
    re.I,
)
_OVERVIEW_RU = re.compile(
    r"^\s*(?:(?:можете|можешь|можно|могли бы вы|не могли бы вы)\s+)?(?:мне\s+)?(?:пожалуйста,?\s+)?"
    r"(?P<frame>расскажи(?:те)?|рассказать|поведай(?:те)?|что (?:ты |вы )?(?:знаешь|знаете)|"
    r"что (?:тебе |вам )?известно|"
    r"(?:есть |дай(?:те)? |нужна |хочу )?(?:информаци[яюи]|инф[оа]|сведения)|хочу (?:узнать|знать)|"
    r"что (?:можешь|можете) (?:сказать|рассказать))?"
    r"(?:,?\s*пожалуйста)?(?:\s+(?:мне|нам))?"
    r"(?:\s+(?:что-нибудь|что-то|немного|подробнее|поподробнее|побольше|больше|коротко|кратко|вкратце))?"
    r"\s*(?<!\w)(?P<about>о|об|обо|про)" + _TOPIC_END,
    re.I,
)
_OVERVIEW_KK = re.compile(
    r"^\s*(?P<topic>\S.*?)\s+(?:туралы|жайлы|жайында|жөнінде|хақында|(?P<latin>turaly|zhaily|jaily|zhaiynda|jaiynda))"
    r"(?:\s+(?:маған|бізге))?(?:\s+(?:толығырақ|толық|кеңірек|қысқаша))?"
    r"(?:\s+(?:айтып бер\w*|айтып жібер\w*|айтшы|айтыңыз\w*|айта аласы\w*|айтасыз|айтасың|не біле\w*|"
    r"не айта ала\w*|ақпарат\w*|мәлімет\w*|білгім келеді|aityp ber\w*|aitshy|ne bile\w*|aqparat\w*))?"
    r"(?:\s+(?:бар|бер\w*))?(?:\s+(?:ма|ме|ба|бе|па|пе))?[\s?!.]*$",
    re.I,
)
# A topic holds no question word: "О чём был доклад?", "tell me about when it opens", "Ол не туралы айтты?"
# (what he spoke about) are questions of their own.
_ASKS = re.compile(
    r"(?<!\w)(?:what|who|whom|where|when|which|how|why|что|чём|чем|ком|кто|кого|где|когда|как|какой|какая|какие|"
    r"каком|почему|зачем|сколько|ли|не|кім|қандай|қай|қашан|қайда|неше|қанша|ne|kim)(?!\w)",
    re.I,
)


def as_overview(text: str) -> str:
    """A request for an overview asked in the one form of its language ("What is X?", "Что известно о X?",
    "X туралы?"); any other text as it is. Without a frame ("tell me", "расскажи") only "about X" and
    "о / про X" are such a request: "On which day...?" is not."""
    if (match := _OVERVIEW_EN.match(text)) and (match["frame"] or match["about"].lower() != "on"):
        topic = match["topic"]
        return text if _ASKS.search(topic) else f"What is {topic}?"
    if match := _OVERVIEW_RU.match(text):
        topic = match["topic"]
        return text if _ASKS.search(topic) else f"Что известно {match['about'].lower()} {topic}?"
    if (match := _OVERVIEW_KK.match(text)) and not _ASKS.search(match["topic"]):
        return f"{match['topic']} {'turaly' if match['latin'] else 'туралы'}?"
    return text


def clean_question(text: str) -> str:
    """Plain words of a question: markup, entities, emoji and stray list numbers ("(7)", "2)") removed, a
    greeting before it dropped, a request for an overview asked as a question (`as_overview`), courtesy words
    around it dropped, runs of punctuation shortened, whitespace collapsed, length bounded."""
    text = html.unescape(_TAG.sub(" ", text or ""))
    text = _STRAY_NUMBER.sub(" ", text)
    asked = as_overview(_LEADING_GREETING.sub("", text))
    stripped = re.sub(r"[\s,;:]+([?!.]|$)", r"\1", _COURTESY.sub(" ", asked)).strip(" ,;:")
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


# "Tell me more", "расскажи подробнее", "толығырақ айтып берші", "what else?": in a chat, a request to go on
# with what the last answer quoted, not a question to search for ("tell me more about the secretariat" is one).
# Such a message holds a word asking for more and nothing but frame and courtesy words around it.
_MORE_WORDS = frozenset(
    "more else continue go details elaborate подробнее поподробнее подробности больше побольше ещё еще дальше "
    "продолжай продолжайте толығырақ толық кеңірек тағы жалғастыр жалғастырыңыз қарай tolygyraq tolyǵyraq "
    "tagy taǵy".split())
_MORE_FRAME = frozenset(
    "tell me us give show say some a bit little about it this that and also what anything is there on keep going "
    "please pls plz info information the расскажи расскажите скажи скажите напиши напишите дай дайте мне нам о об "
    "обо этом про это нём нем ней них а и что пожалуйста информации немного можно есть айтып бер берші беріңіз "
    "беріңізші айтшы айтыңызшы айтыңыз не бар да де бұл осы туралы жайлы маған ақпарат мәлімет ше әрі aityp "
    "ber bershi aitshy ne bar".split())


def asks_for_more(text: str) -> bool:
    said = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
    return any(w in _MORE_WORDS for w in said) and all(w in _MORE_WORDS or w in _MORE_FRAME for w in said)


def words(text: str) -> list[str]:
    """The words (two letters or more) and numbers of a text, in order."""
    return _WORDS.findall(text)


def has_words(text: str) -> bool:
    return bool(_WORDS.search(text))
