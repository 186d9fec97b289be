"""Search results -> an extractive answer with numbered citations, in the asker's language.

The answer is made of the article's own sentences (from the rendition in the asker's language when there
is one), each followed by its citation number, so nothing is invented. Below the relevance threshold the
bot says it does not know rather than quote an unrelated passage.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import asdict, dataclass, field

import numpy as np

from bot.messages import LANGUAGE_IN, t
from index.documents import Document, choose_rendition
from index.lexical import tokenize
from index.search import FamilyHit, best_sentences, rendition, title_closeness
from index.snapshot import Snapshot
from index.text import one_line

# How much closer (cosine) the best sentence must be to the question than the closest everyday sentence
# of index/background.txt, per asker's language: the small model places Kazakh text closer together than
# Russian or English. Calibrated on the tuning set and KazQAD with the default model (docs/quality.md).
DEFAULT_MIN_RELEVANCE = {"kk": 0.0, "ru": 0.08, "en": 0.08}
MAX_QUESTION_CHARS = 1000
_TAG = re.compile(r"<[^>]{0,200}>")
_DATELINE = re.compile(r"^(?:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][A-ZА-ЯЁӘҒҚҢӨҰҮҺІ ,-]{2,30}\.\s+)?(?:KAZINFORM\s*[–—-]\s*)?")
_WORDS = re.compile(r"[^\W\d_]{2,}|\d+", re.UNICODE)


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    source: str
    date: str
    url: str
    lang: str
    quote: str
    score: float
    machine: bool = False  # quoted from a machine rendition

    @classmethod
    def of(cls, n: int, doc: Document, quote: str, score: float) -> Citation:
        return cls(n, doc.id, doc.title, doc.source, doc.date, doc.url, doc.lang, quote, round(score, 4),
                   doc.machine_translation)


@dataclass
class Usage:
    """What the LLM calls behind one answer cost: tokens as the endpoint reported them, and time."""

    model: str = ""  # the model that answered, as the endpoint names it
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ms: float = 0.0


@dataclass
class Answer:
    question: str
    language: str
    answered: bool
    answer: str
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    mode: str = "extractive"
    note: str = ""  # why not answered / why the LLM was not used
    is_question: bool = True  # False for greetings, thanks and messages without words: not worth logging
    usage: Usage | None = None  # None when no LLM was asked

    def as_dict(self) -> dict:
        data = asdict(self)
        data["timings_ms"] = {k: round(v, 2) for k, v in self.timings_ms.items()}
        return data

    def sources_lines(self) -> list[str]:
        lines = []
        for c in self.citations:
            title = f"{c.title} ({t('machine_translation', self.language)})" if c.machine else c.title
            parts = [title] + [p for p in (c.source, c.date) if p]
            line = f"[{c.n}] " + " — ".join(parts)
            lines.append(f"{line}\n    {c.url}" if c.url else line)
        return lines

    def as_text(self) -> str:
        if not self.citations:
            return self.answer
        return f"{self.answer}\n\n{t('sources', self.language)}:\n" + "\n".join(self.sources_lines())


_STRAY_NUMBER = re.compile(r"[(\[]\s*\d{1,3}\s*[)\]]|^\s*\d{1,3}\s*[).:]\s+")


# Courtesy and "in short" around a question: they pull its vector away from the passages that answer it
# ("скажи пожалуйста, где секретариат хаба?" fell below the threshold that "где секретариат хаба?" clears).
_COURTESY = re.compile(
    r"\b(?:(?:can|could) you (?:please )?tell me|tell me|please|pls|plz|kindly|in short|briefly|in simple words|"
    r"kratko|(?:скажи|скажите|подскажи|подскажите)(?:,?\s*пожалуйста)?|пожалуйста|кратко|коротко|вкратце|"
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
    stripped = _COURTESY.sub(" ", _LEADING_GREETING.sub("", text)).strip(" ,;:")
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


def has_words(text: str) -> bool:
    return bool(_WORDS.search(text))


def strip_dateline(sentence: str) -> str:
    return _DATELINE.sub("", sentence).strip()


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "январ|феврал|март|апрел|мая|май|июн|июл|август|сентябр|октябр|ноябр|декабр|"
    "қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан"
)
_LANGUAGES_EN = "english|kazakh|russian|chinese|german|french|turkish|korean|japanese|arabic|spanish|uzbek|kyrgyz|thai"
_LANGUAGES_RU = ("английск|казахск|русск|китайск|немецк|французск|турецк|корейск|японск|арабск|испанск|узбекск|"
                 "киргизск|кыргызск|тайск")
_LANGUAGES_KK = "ағылшын|қазақ|орыс|қытай|неміс|француз|түрік|корей|жапон|араб|испан|өзбек|қырғыз|тай"
_YEAR = r"(?:1[89]|20)\d\d"
# "Бір", "one" and "один" are left out: they are as often an article or "one of" as a count.
_NUMBER_WORDS = (
    "екі|үш|төрт|бес|алты|жеті|сегіз|тоғыз|жиырма|отыз|қырық|елу|алпыс|жетпіс|сексен|тоқсан|жүз|мың|"
    "два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|сто\\b|тысяч|two|three|four|five|six|seven|eight|nine|"
    "ten|twelve|twenty|hundred|thousand|dozen"
)
_PRICE = (r"\d[\d\s.,]*\s*(тенге|теңге|₸|\$|€|доллар|dollars?|usd|euro|евро|baht|бат|млн|mln|million|млрд|billion)|"
          r"[$€₸]\s?\d")
# What a question asks for, and what a sentence must contain to answer it. Embeddings rank "the centre's
# phone number" close to any sentence about the centre; a sentence without digits cannot be the answer.
# Cues match at the start of a word only: Kazakh words hide them otherwise ("дақыл" holds "ақы", "құлақшаға"
# holds "ақша", "Қалқанша" holds "қанша").
EXPECTED_ANSWER = {
    "contact": (
        re.compile(r"\b(phone|telephone|e-?mail|contacts?|website|address)\b|\b(телефон|e-?mail|почт[аы]\b|"
                   r"контакт|сайт|адрес|нөмір|номир|мекенжай|пошта|байланыс (телефон|нөмір|ақпарат))", re.I),
        re.compile(r"\+?\d[\d\s()-]{6,}\d|@|https?://|www\.", re.I),
    ),
    # "Is it free?" is answered by "free of charge" as much as by a price; "how much?" only by a price.
    "free": (
        re.compile(r"\b(free|paid)\b|\b(платн|бесплатн|ақылы|акылы|тегін|тегин)", re.I),
        re.compile(rf"{_PRICE}|\b(free of charge|tuition-free|for free|бесплатн|тегін|ақысыз)", re.I),
    ),
    "money": (
        re.compile(r"\b(cost|costs|price|fees?|tuition|funding|budget|salary)\b|\b(стоит|стоимост|цена\b|цены\b|"
                   r"оплат|финансир|бюджет|зарплат|ақы\b|ақысы|акысы|бағасы|багасы|қаржы|каржы|ақша|акша)", re.I),
        re.compile(_PRICE, re.I),
    ),
    "person": (
        re.compile(r"\b(who|whom)\b.*\b(direct|director|head|heads|lead|leads|run|runs|manage|manages|rector|"
                   r"in charge|responsible)\b|"
                   r"\b(кто|кого)\b.*\b(директор|руковод|возглав|ректор|заведу|начальник|отвеча|ответствен)|"
                   r"\b(кім|ким|кімді|кимди)\b.*\b(директор|басқар|баскар|басшы|жетекш|ректор|меңгеруш|жауапт)|"
                   r"\b(директор|басқар|баскар|басшы|жетекш|ректор|меңгеруш|жауапт)\w*\s+(кім|ким)\b", re.I),
        re.compile(r"\b(director|head of|heads\b|headed by|leads\b|led by|run by|rector|in charge|responsible for|"
                   r"директор|руковод|возглав|ректор|заведу|начальник|отвечает за|ответственн|басқар|басшы|жетекш|"
                   r"меңгеруш|жауапты)", re.I),
    ),
    "procedure": (
        re.compile(r"\b(enrol|enroll|register|registration|apply|application|sign up|admission|get in|get into)|"
                   r"\b(записат|запис|регистрац|поступ|заявк|подать)|\b(тіркел|тиркел|өтінім|отиним|қабылдау|"
                   r"кабылдау|түсу|тусу|оқуға түсу|окуга тусу)", re.I),
        re.compile(r"\b(enrol|enroll|regist|appl|admission|deadline|portal|форм[аеуы]\b|анкет|регистрац|заявк|прием|"
                   r"приём|подать|тіркел|өтінім|қабылдау|портал)", re.I),
    ),
    "language": (
        re.compile(r"\b(what|which) language|\bin what language|\b(на каком языке|на каких языках|қай тілде|"
                   r"қандай тілде|кай тилде)", re.I),
        re.compile(rf"\b(in|on) ({_LANGUAGES_EN})\b|\b({_LANGUAGES_EN})[- ](language|taught|speaking)\b|"
                   rf"\blanguages? (is |are |— |: )?({_LANGUAGES_EN})\b|\b(на|по-)\s?({_LANGUAGES_RU})|"
                   rf"\b({_LANGUAGES_RU})\w*\s+язык|\bязык\w*\s*[—–:-]?\s*({_LANGUAGES_RU})|\b({_LANGUAGES_KK})\s+тіл|"
                   rf"\b({_LANGUAGES_KK})(ша|ше)\b", re.I),
    ),
    # "How long" is a number of hours, days, weeks...; "2004 жылы" dates, it does not last.
    "duration": (
        re.compile(r"\bhow long\b|\bhow many (hours|days|weeks|months|years)\b|\b(сколько (длит|продолж|час|дн|недел|"
                   r"месяц|лет)|продолжительн|длительн|длятся|длится|қанша уақыт|канша уакыт|неше (сағат|күн|апта|ай|"
                   r"жыл)|қанша (сағат|күн|апта|ай|жыл)|созыла)", re.I),
        re.compile(rf"(?<![\w/–-])(?!{_YEAR}\b)(\d+(?:[.,]\d+)?|{_NUMBER_WORDS})(?:\s*-\s*|\s+)(hours?|days?|weeks?|"
                   r"months?|years?|semesters?|сағат|күн|апта|ай\b|айлық|жыл|час|дн|день|недел|месяц|семестр|лет|год)",
                   re.I),
    ),
    "month": (
        re.compile(r"\b(which|what) month|\b(в каком месяце|в какой месяц|қай айда|кай айда)", re.I),
        re.compile(_MONTHS, re.I),
    ),
    # "On what day" is not answered by a year or a month alone ("when exactly" is: "in 2004").
    "date": (
        re.compile(r"\b(what date|which date|what day|which day)\b|\b(какого числа|в какой день|какой день|"
                   r"дата|дату|қай күні|кай куни|күні белгілі|куни белгили)", re.I),
        re.compile(rf"\b\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?(?:-?(?:ші|шы|сі|сы|th|st|nd|rd))?\s+(?:{_MONTHS})|"
                   rf"\b(?:{_MONTHS})\w*\s+\d{{1,2}}\b|\b\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}\b", re.I),
    ),
    "time": (
        re.compile(r"\bwhen\b|what year|\b(когда|в каком году|қашан|кашан|қай жылы|кай жылы|қай кезде)", re.I),
        re.compile(rf"\b(1[89]|20)\d\d\b|\b\d{{1,2}}[./]\d{{1,2}}\b|{_MONTHS}", re.I),
    ),
}


# "How many ...?" is answered by a sentence with a number ("SOM1" or "COVID-19" are names, not counts).
_ASKS_NUMBER = re.compile(r"\bhow (many|much)\b|\b(сколько|неше|қанша|канша)\b", re.I)
# A year ("in 2004", "2025 жылы", "2025/2026") dates something; it does not count it.
_NUMBER = re.compile(
    rf"(?<![\w/–-])(?!(?<=in ){_YEAR}\b|(?<=since ){_YEAR}\b|(?<=в ){_YEAR}\b|(?<=с ){_YEAR}\b|"
    rf"{_YEAR}(?:\s*(?:жыл|год|г\.|year)|\s*[/–-]\s*\d))\d+(?:[.,]\d+)?(?![\w/–-])|\b({_NUMBER_WORDS})", re.I
)


def expected_evidence(question: str) -> tuple[str, re.Pattern] | None:
    """The kind of detail the question asks for, and what a sentence holding it looks like."""
    for kind, (asks, evidence) in EXPECTED_ANSWER.items():
        if asks.search(question):
            return kind, evidence
    return ("count", _NUMBER) if _ASKS_NUMBER.search(question) else None


# A role held at a named body: "acting director of the National Centre for Higher Education", "директора
# Национального центра", "Ұлттық ... орталығы директорының". Such a sentence says who heads that body.
_ROLE_AT_BODY = re.compile(
    r"\b(?:director|head|rector|chair|chairman|president|dean)\s+of\s+(?:the\s+)?(?P<en>[A-Z][\w'-]*(?:\s+[\w'-]+){0,4})"
    r"|\b(?:директор|руководител|ректор|начальник|заведующ|председател|декан)\w*\s+(?P<ru>[А-ЯЁ][\w-]*(?:\s+[\w-]+){0,4})"
    r"|(?<!^)(?P<kk>[А-ЯЁӘҒҚҢӨҰҮҺІ][\w-]*(?:\s+[\w-]+){0,5})\s+(?:директоры|басшысы|ректоры|жетекшісі|меңгерушісі|"
    r"төрағасы)\w*"
)


# A question about the past: "when was the Hub founded", "когда создали", "қашан құрылды / туған".
_PAST = re.compile(
    r"\b(was|were|did|had|ago|last|founded|established|created|held|\w{3,}ed)\b|"
    r"\b(был|была|было|были|основан\w*|создан\w*|\w{2,}(л|ла|ло|ли)(сь|ся)?|\w+(ған|ген|қан|кен|ган)|еді)\b",
    re.I,
)
# The Kazakh verb closes the question: "-ды/-ді" there is the past after a consonant ("құрылды"), mostly the
# present-future after a vowel or й ("ашылады"); elsewhere it is as often "нақты" or an object ("орталықты").
_KK_PAST_VERB = re.compile(r"[^\Wаеыіоөұүуюяэиәй](ды|ді|ты|ті)$", re.I)
_KK_CLOSING = frozenset({"ма", "ме", "ба", "бе", "па", "пе", "ғой", "екен", "нақты", "накты"})
_YEARS = re.compile(rf"\b{_YEAR}\b")


def asks_about_the_past(question: str) -> bool:
    words = [w for w in _WORDS.findall(question.lower()) if w not in _KK_CLOSING]
    return bool(_PAST.search(question)) or bool(words and _KK_PAST_VERB.search(words[-1]))


def dates_too_early(question: str, sentence: str, article_date: str) -> bool:
    """Whether the sentence's only dates are years before its article was written, while the question asks
    about what is still to come: "when will the centre open" is not answered by the Hub's founding in 2004."""
    years = [int(y) for y in _YEARS.findall(sentence)]
    written = article_date[:4]
    if not years or not written.isdigit() or asks_about_the_past(question):
        return False
    return max(years) < int(written)


def heads_another_body(question: str, sentence: str) -> bool:
    """Whether the sentence's director heads a body it names that the question does not: the acting director
    of the National Centre for Higher Education does not say who will lead the new regional centre."""
    asked = set(tokenize(question))
    for match in _ROLE_AT_BODY.finditer(sentence):
        body = set(tokenize(next(group for group in match.groups() if group)))
        if body and len(body & asked) * 2 <= len(body):
            return True
    return False


def home_subject(snapshot: Snapshot, family: str, question: str, query_vector: np.ndarray, lang: str,
                 config: ComposeConfig) -> float:
    """How much the question is about a home article: closeness to its title, plus the share of the question's
    words in that title ("орталықтың алғашқы курсы" names the centre, whatever the small model says)."""
    title = choose_rendition([snapshot.documents[d] for d in snapshot.renditions[family].values()], lang).title
    asked = set(tokenize(question))
    shared = len(asked & set(tokenize(title))) / len(asked) if asked else 0.0
    return title_closeness(snapshot, family, query_vector, lang) + config.home_title_words * shared


@dataclass(frozen=True)
class ComposeConfig:
    min_relevance: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIN_RELEVANCE))
    max_sources: int = 2
    max_sentences: int = 3
    sentence_margin: float = 0.03  # a further sentence must score this close to the best one
    source_margin: float = 0.0  # a second article is cited only if its best sentence is as close as the first
    sentence_lexical_weight: float = 0.3  # share of the question's words a quoted sentence contains
    home_margin: float = 0.0  # how much closer to another article's title than to home's a detail question must be
    home_title_words: float = 0.2  # weight of the question's words found in the home article's title


def compose(
    snapshot: Snapshot,
    question: str,
    lang: str,
    query_vector: np.ndarray,
    hits: list[FamilyHit],
    config: ComposeConfig = ComposeConfig(),
) -> Answer:
    picked: list[tuple[Document, list]] = []
    best_score = None
    everyday = float((snapshot.background_vectors @ query_vector).max()) if len(snapshot.background_vectors) else -1.0
    floor = everyday + config.min_relevance.get(lang, max(config.min_relevance.values()))
    kind, evidence = expected_evidence(question) or (None, None)
    leader = None  # closest sentence of the most relevant article, whatever it holds
    home = snapshot.home_families if evidence is not None else set()
    # The bot's own subject is what a question naming nothing else is about: "how many staff will the centre
    # have" is not answered by another centre's 1,100 apprentices. Another article may give the detail only
    # to a question closer to its title than to the home article's.
    home_closeness = max((home_subject(snapshot, f, question, query_vector, lang, config) for f in home), default=0.0)
    for hit in hits[: config.max_sources + 1]:
        doc = rendition(snapshot, hit, lang)
        scored = best_sentences(snapshot, doc.id, query_vector, question, config.sentence_lexical_weight)
        if not scored:
            continue
        closest = max(s.dense for s in scored)
        if leader is None:
            leader = closest
        if evidence is not None:
            # A less relevant article that happens to hold a price or a director is about something else.
            if closest < leader - config.source_margin:
                continue
            if home and hit.family not in home and (
                title_closeness(snapshot, hit.family, query_vector, lang) < home_closeness + config.home_margin
            ):
                continue
            scored = [s for s in scored if evidence.search(s.sentence.text)]
            if kind == "person":
                scored = [s for s in scored if not heads_another_body(question, s.sentence.text)]
            if kind == "time":
                scored = [s for s in scored if not dates_too_early(question, s.sentence.text, doc.date)]
        if not scored:
            continue
        top = max(s.dense for s in scored)
        if best_score is None:
            if top < floor:
                break
            best_score = top
        elif top < max(floor, best_score - config.source_margin) or len(picked) >= config.max_sources:
            continue
        lead = scored[0].score
        # Best first: the sentence that opens the answer is the one closest to the question.
        picked.append((doc, [s for s in scored[: config.max_sentences] if s.score >= lead - config.sentence_margin]))
    if not picked:
        return Answer(question, lang, False, t("not_known", lang), note="no passage is relevant enough")

    citations, parts = [], []
    for n, (doc, sentences) in enumerate(picked, 1):
        quote = " ".join(strip_dateline(s.sentence.text) for s in sentences)
        citations.append(Citation.of(n, doc, quote, max(s.dense for s in sentences)))
        text = " ".join(f"{strip_dateline(s.sentence.text)} [{n}]" for s in sentences)
        if doc.lang != lang:
            text = f"{t('only_in', lang, language=LANGUAGE_IN[lang][doc.lang])}\n{text}"
        parts.append(text)
    return Answer(question, lang, True, "\n\n".join(parts), citations)
