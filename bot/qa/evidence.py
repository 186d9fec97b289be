"""What a question asks for, and what a sentence must hold to answer it.

A number for "how many", a price for "how much", a day and a month for "on what date", a director for "who
heads": the embedding model ranks any sentence about the centre close to such questions, so a sentence
without the detail asked for, or with one that belongs to something else (another body's director, a year
long past for what is still to come), is not quoted as the answer.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from bot.qa.question import words
from index.lexical import tokenize

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
    "два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|\\w+надцать|двадцать|тридцать|сорок|пятьдесят|"
    "шестьдесят|семьдесят|восемьдесят|девяносто|сто|двести|триста|четыреста|пятьсот|тысяч|"
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    "eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|dozen"
)
# A number word stands alone or takes a case ending ("үшке", "екіден", "мыңнан", "тысячи"); a word that only
# begins like one is another word ("үшін" for, "жетілдіру" improve, "семья", "tennis").
_NUMBER_ENDINGS = ("ге|ке|ға|қа|не|на|де|те|да|та|ден|тен|нен|дан|тан|нан|ні|ді|ті|ны|ды|ты|нің|дің|тің|ның|дың|"
                   "тың|мен|бен|пен|еу|інші|ыншы|нші|ншы|даған|деген|таған|теген|а|и|у|s")
# "450 миллион теңге", "340 миллионов долларов": a written-out magnitude may stand between number and currency.
_PRICE = (r"\d[\d\s.,]*\s*(?:(?:миллион\w*|миллиард\w*|мың|тысяч\w*|thousand)\s+)?"
          r"(тенге|теңге|₸|\$|€|доллар|dollars?|usd|euro|евро|baht|бат|млн|mln|million|млрд|billion)|"
          r"[$€₸]\s?\d")
# A sentence saying who heads something: the answer to "who heads X", and to "who chairs X" where the chair is
# called a head ("Алашорда ... басшысы").
_HEAD_OF_SOMETHING = (r"\b(director|head of|heads\b|headed by|leads\b|led by|run by|rector|in charge|responsible for|"
                      r"директор|руковод|возглав|ректор|заведу|начальник|отвечает за|ответственн|басқар|басшы|жетекш|"
                      r"меңгеруш|жауапты)")
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
        re.compile(r"\b(cost|costs|price|fees?|tuition|funding|budget|salary)\b|\b(стоит|стоят|стоимост|цен[аыеу]\b|ценой\b|"
                   r"оплат|плат[аыеу]\b|финансир|бюджет|зарплат|ақы\b|ақысы|акысы|бағасы|багасы|қаржы|каржы|ақша|акша|төлем|толем|"
                   r"құны\b|куны\b)", re.I),
        re.compile(_PRICE, re.I),
    ),
    # "Who founded the hub?" is not answered by "founded in 2004": the sentence names who did it. Not asked
    # for "негізін қалаған ғалым кім": exam answers name the founder of a science without saying so.
    "founder": (
        re.compile(r"\b(who|whom)\s+(\w+\s+){0,3}(found|founded|established|set up|created|started)\b|\bfounders?\b|"
                   r"\b(кто|кем)\s+(\w+\s+){0,2}(основал|создал|учредил|основан|создан|учрежд[её]н)[аоиы]?\b|\b(основател|учредител)|"
                   r"\b(кім|ким)\b.*\b(құрды|курды|құрған|курган)\b|\b(құрылтайшы|курылтайшы)", re.I),
        re.compile(r"\b(founded by|established by|set up by|created by|founders?|co-?founded)\b|"
                   r"\b(основател|учредител|по инициативе|основал|учредил|создал)|"
                   r"(негізін|құрылтайшы|бастамасымен|тарапынан|\bқұрды\b|\bқұрған\b|\bқұрады\b)", re.I),
    ),
    # "Who reported it?", "қай министрлік хабарлады?": the sentence naming the source, not the news itself.
    "source": (
        re.compile(r"\b(who|which (ministry|agency|organi[sz]ation|body|office|outlet|website))\s+(reported|announced|"
                   r"informed|put out|published)\b|\bsource of\b|\b(кто|как\w+ (министерств|ведомств|агентств|"
                   r"организаци|издани|сайт)\w*)\s+(\w+\s+)?(сообщ|объяв|заяв)\w*|\bоткуда (информация|новость|"
                   r"известно)\b|\b(кім|ким|[қк]а[йи] (министрл|ведомство|ұйым|уйым|мекеме|агенттік|басылым|сайт)\w*)"
                   r"\s+(хабарла|мәлімде|малимде|жариял)\w*|\b(хабарла|мәлімде|жариял)\w*\s+(кім|ким)\b", re.I),
        re.compile(r"\b(reported|announced|according to|said|stated|informed)\b|\b(сообщ|заяви|объяви|по данным|"
                   r"по словам|хабарла|мәлімде|мәліметінше|деді\b)", re.I),
    ),
    # "Who represented Kazakhstan?" is answered by who came on its behalf, not by the meeting "attended by
    # representatives of European and Asian countries".
    "representative": (
        re.compile(r"\bwho\s+(\w+\s+){0,2}(represented|spoke for|spoke on behalf)\b|\bon behalf of\b|"
                   r"\b(кто|кем)\s+(\w+\s+){0,2}(представлял\w*|(выступал|выступил|участвовал)\w*\s+от)\b|"
                   r"\bатынан\b.*\b(кім|ким)\b|\b(кім|ким)\b.*\bатынан\b", re.I),
        re.compile(r"\bon behalf of\b|\brepresented\b|\b(от имени|представлял\w*)|(^|\s)от (министерств|"
                   r"казахстан|республик|рк)\w*|\bатынан\b|\bөкілі\b", re.I),
    ),
    # "Who signed the agreement?", "Which universities have joined?": a sentence saying that someone did.
    "signatory": (
        re.compile(r"\bwho\s+(\w+\s+)?sign\w*\b|\bкто\s+(\w+\s+)?подпис\w*|\b(кім|ким)\s+(\w+\s+)?қол\s+қой\w*|"
                   r"\bқол\s+қой\w*\s+(кім|ким)\b", re.I),
        re.compile(r"\bsign(ed|ing|ator\w*)\b|подпис|қол\s+қой", re.I),
    ),
    "joined": (
        re.compile(r"\b(which|what)\s+(\w+\s+){0,2}(have\s+|has\s+)?(joined|are members)\b|\bwho\s+(has\s+)?joined\b|"
                   r"\b(какие|кто)\s+(\w+\s+){0,4}(вступил\w*|присоединил\w*|являются членами)|"
                   r"\b(қай|кай|қандай)\s+(\w+\s+){0,4}(қосылды|мүше болды|кірді)", re.I),
        re.compile(r"\b(joined|join|members?|membership)\b|вступ|присоедин|член|қосыл|мүше|кірді", re.I),
    ),
    "person": (
        re.compile(r"\b(who|whom)\b.*\b(direct|director|head|heads|lead|leads|run|runs|manage|manages|rector|"
                   r"in charge|responsible)\b|"
                   r"\b(кто|кого)\b.*\b(директор|руковод|возглав|ректор|заведу|начальник|отвеча|ответствен)|"
                   r"\b(кім|ким|кімді|кимди)\b.*\b(директор|басқар|баскар|басшы|жетекш|ректор|меңгеруш|жауапт)|"
                   r"\b(директор|басқар|баскар|басшы|жетекш|ректор|меңгеруш|жауапт)\w*\s+(кім|ким)\b|"
                   # or about its head without "who": "is the director known yet", "жетекшісі белгілі ме"
                   r"\b(director|rector)\b|\b(директор|руководител|ректор)\w*|\b(директор|жетекші|ректор|"
                   r"меңгеруші)(сы|сі|ы|і)\w*|"
                   # or for their name: "the name of the centre's head", "басшысының аты-жөні"
                   r"\b(name of|named)\b.*\b(head|director|leader|chief)\b|\b(head|leader|chief) of\b|"
                   r"'s (head|leader|chief)\b|"
                   r"\b(басшы|жетекші|директор)\w*\s+(аты|есімі)", re.I),
        re.compile(_HEAD_OF_SOMETHING, re.I),
    ),
    "procedure": (
        re.compile(r"\b(enrol|enroll|register|registration|apply|application|sign up|admission|admit|get in|get into|"
                   r"hand in|submit)|"
                   r"\b(записат|запис|регистрац|поступ|заявк|подать|принима|"
                   r"(сдать|сдавать|подавать|отправить) документ)|"
                   r"\b(тіркел|тиркел|өтінім|отиним|қабылдау|(құжат|кужат)\w*\s+(\w+\s+)?(тапсыр|өткіз)|"
                   r"кабылдау|түсу|тусу|оқуға түсу|окуга тусу)", re.I),
        re.compile(r"\b(enrol|enroll|regist|appl|admission|admit|deadline|portal|форм[аеуы]\b|анкет|регистрац|заявк|прием|"
                   r"приём|подать|тіркел|өтінім|қабылдау|портал)", re.I),
    ),
    # "Which building" and "how do I get there" are not answered by the university or the city it is in.
    "building": (
        re.compile(r"\b(which|what) (building|floor|room|campus)\b|\bhow (do i|to|can i) get (to|there)\b|"
                   r"\b(в каком (здании|корпусе|кабинете)|на каком этаже|как (добраться|доехать|пройти)|"
                   r"[қк]а[йи] ([ғг]имарат|корпус|[қк]абат|кабинет)|[қк]андай [ғг]имарат|нешінші [қк]абат|"
                   r"[қк]алай (баруға|баруга|жетуге|жетемін|барамын))", re.I),
        re.compile(r"\b(building|floor|room|campus|street|avenue|bus|metro)\b|\b(здани|корпус|этаж|кабинет|аудитори|"
                   r"улиц|проспект|автобус|метро|ғимарат|гимарат|қабат|кабат|көше|даңғыл)", re.I),
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
        re.compile(r"\bhow long\b|\bfor what (term|period)\b|\bhow many (hours|days|weeks|months|years)\b|"
                   r"\b(на какой срок|на сколько лет|қанша мерзім|сколько (длит|продолж|час|дн|недел|"
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
    # "What time does it open" needs a time of day, not a date.
    "clock": (
        re.compile(r"\b(what|which) time\b|\bat what time\b|\b(open\w*|working|office|business) hours\b|\b(во сколько|"
                   r"в котором часу|в какое время|(часы|график|режим) работы|[сc]а[ғг]ат (нешеде|[қк]аншада)|"
                   r"[қк]ай са[ғг]атта|жұмыс (уақыты|кестесі|режимі))", re.I),
        re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(am|pm|a\.m\.|p\.m\.|o'clock)|\bв \d{1,2} час|"
                   r"\bсағат \d{1,2}|\bсағат (екі|үш|төрт|бес|алты|жеті|сегіз|тоғыз|он)", re.I),
    ),
    # "On what day" is not answered by a year or a month alone ("when exactly" is: "in 2004").
    "date": (
        re.compile(r"\b(what date|which date|what day|which day)\b|\b(какого числа|в какой день|какой день|"
                   r"дата|дату|қай күні|кай куни|күні белгілі|куни белгили)", re.I),
        re.compile(rf"\b\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?(?:-?(?:ші|шы|сі|сы|th|st|nd|rd))?\s+(?:{_MONTHS})|"
                   rf"\b(?:{_MONTHS})\w*\s+\d{{1,2}}\b|\b\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}\b", re.I),
    ),
    "time": (
        re.compile(r"\bwhen\b|what year|\buntil (what|which) year\b|\b(когда|в каком году|до какого года|қашан|кашан|"
                   r"қай жылы|кай жылы|қай жылға дейін|қай кезде)", re.I),
        re.compile(rf"\b(1[89]|20)\d\d\b|\b\d{{1,2}}[./]\d{{1,2}}\b|{_MONTHS}", re.I),
    ),
    # Last, so that "when will Thailand's chairmanship end" stays a "when": "who chairs the Hub now" is answered
    # by the sentence on the chairmanship (or on whoever heads it), not by the one most like the Hub.
    "chair": (
        re.compile(r"\bchair|\b(председат|төраға|торага)", re.I),
        re.compile(r"\bchair|председат|төраға|торага|" + _HEAD_OF_SOMETHING, re.I),
    ),
}


# "How many ...?" is answered by a sentence with a number ("SOM1" or "COVID-19" are names, not counts).
_ASKS_NUMBER = re.compile(
    r"\bhow (many|much|big|large)\b|\bwhat size\b|\b(сколько|неше|қанша|канша|қаншалықты|каншалыкты)\b|"
    r"\bнасколько (большо|велик)|\bкакого размера\b|\bчисленност", re.I)
# A year ("in 2004", "2025 жылы", "2025/2026") dates something; it does not count it.
_NUMBER = re.compile(
    rf"(?<![\w/–-])(?!(?<=in ){_YEAR}\b|(?<=since ){_YEAR}\b|(?<=в ){_YEAR}\b|(?<=с ){_YEAR}\b|"
    rf"{_YEAR}(?:\s*(?:жыл|год|г\.|year)|\s*[/–-]\s*\d))\d+(?:[.,]\d+)?(?![\w/–-])|"
    rf"\b({_NUMBER_WORDS})(?:{_NUMBER_ENDINGS})?(?!\w)", re.I
)


# "Есть ли…", "…бар ма?", "Does the centre…": a question answered by yes or no.
_YES_NO = re.compile(
    r"\bли\b|(?:^|\s)(?:ма|ме|ба|бе|па|пе)\s*[?.!]*\s*$|"
    r"^\s*(?:is|are|was|were|does|do|did|will|can|could|has|have)\b(?!.*\b(?:what|which|who|whom|where|when|why|how)\b)",
    re.I,
)


@dataclass(frozen=True)
class Mentions:
    """What a yes/no question asks about ("Есть ли у центра общежитие?": a dormitory). A sentence that does
    not name it cannot say yes or no, however close to the centre it is."""

    words: frozenset[str]

    def search(self, text: str) -> bool:
        return bool(self.words & set(tokenize(text)))


def asks_yes_or_no(question: str, subject: set[str]) -> tuple[str, Mentions] | None:
    """A yes/no question and the words of what it asks about: its own words, less those naming the bot's
    subject (``subject``: "центр", "орталық", "centre")."""
    if not _YES_NO.search(question):
        return None
    asked = frozenset(set(tokenize(question)) - subject)
    return ("exists", Mentions(asked)) if asked else None


@dataclass(frozen=True)
class Counted:
    """A count of what "how many X" asks about: digits, a number word before X itself, or one with a case
    ending, as answers have it ("үшке бөледі"). A bare number word is as often a description ("the two
    regions", "екі өңірдің") as an answer: "How many members does the Hub have?" is not answered by the two
    regions it brings together."""

    words: frozenset[str]

    def search(self, text: str) -> bool:
        for match in _NUMBER.finditer(text):
            if match.group(1) is None or len(match.group(0)) > len(match.group(1)):
                return True
            if self.words & set(tokenize(" ".join(text[match.end():].split()[:2]))):
                return True
        return False


def asked_about(question: str, kind: str) -> set[str]:
    """The words of what a question asks a detail of, less those asking for it: "courses" in "How much do the
    courses cost?"."""
    cue = EXPECTED_ANSWER[kind][0] if kind in EXPECTED_ANSWER else _ASKS_NUMBER
    return set(tokenize(cue.sub(" ", question)))


def in_another_language(evidence: re.Pattern | Counted | Mentions) -> re.Pattern | Counted | None:
    """What a sentence in another language than the question's can still be checked for: not the question's
    words (a Kazakh sentence cannot hold a Russian word), so a yes/no is unchecked and a count is digits or an
    inflected number word ("үшке бөледі"): a bare one ("екі өңірдің", the two regions) cannot be told from a
    description without knowing what it counts."""
    if isinstance(evidence, Mentions):
        return None
    return Counted(frozenset()) if isinstance(evidence, Counted) else evidence


def expected_evidence(question: str) -> tuple[str, re.Pattern | Counted] | None:
    """The kind of detail the question asks for, and what a sentence holding it looks like."""
    for kind, (asks, evidence) in EXPECTED_ANSWER.items():
        if asks.search(question):
            return kind, evidence
    return ("count", Counted(frozenset(tokenize(question)))) if _ASKS_NUMBER.search(question) else None


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
    closing = [w for w in words(question.lower()) if w not in _KK_CLOSING]
    return bool(_PAST.search(question)) or bool(closing and _KK_PAST_VERB.search(closing[-1]))


def dates_too_early(question: str, sentence: str, article_date: str) -> bool:
    """Whether the sentence's only dates are years before its article was written, while the question asks
    about what is still to come: "when will the centre open" is not answered by the Hub's founding in 2004."""
    years = [int(y) for y in _YEARS.findall(sentence)]
    written = article_date[:4]
    if not years or not written.isdigit() or asks_about_the_past(question):
        return False
    return max(years) < int(written)


# A question for a rector, a dean or a minister is not answered by whoever "leads" a project.
_TITLES = [re.compile(rf"\b({pattern})", re.I) for pattern in
           ("rector|ректор", "dean|декан", "minister|министр", "president|президент", "mayor|әкім|аким")]


def lacks_the_title(question: str, sentence: str) -> bool:
    """Whether the question asks for a holder of a title (rector, dean...) the sentence does not name."""
    return any(title.search(question) and not title.search(sentence) for title in _TITLES)


def heads_another_body(question: str, sentence: str) -> bool:
    """Whether the sentence's director heads a body it names that the question does not: the acting director
    of the National Centre for Higher Education does not say who will lead the new regional centre."""
    asked = set(tokenize(question))
    for match in _ROLE_AT_BODY.finditer(sentence):
        body = set(tokenize(next(group for group in match.groups() if group)))
        if body and len(body & asked) * 2 <= len(body):
            return True
    return False


# "Where", "in which city", "где", "при каком университете", "қайда", "қай қалада": a question for a place.
_ASKS_PLACE = re.compile(
    r"\bwhere\b|\b(which|what) (city|town|country|university|place)\b|(?<!\w)(где|куда|откуда)(?!\w)|"
    r"\b(каком|какой|какую|котором) (городе|город|стране|университете|вузе|месте)\b|"
    r"(?<!\w)(қайда|кайда|қайдан|кайдан|қай жерде|кай жерде)(?!\w)|(?<!\w)(қай|кай) (қала|кала|ел|университет|жоо)\w*",
    re.I,
)
# Continents, a region and a language are not where anything is: "partners in Europe and Asia", "taught in
# English" do not say where the centre will be, "Астанадағы ... университеті базасында" does; nor do Kazakh
# adverbs that end like a locative ("Жақында", recently).
_NOT_A_PLACE = (r"(?!(?:Europe|Asia|Africa|America|Central Asia(?!n)|Еуроп|Европ|Ази|Африк|Америк|Центральн\w* Ази|"
                r"Орталық Ази|(?:English|Russian|Kazakh)\b)|(?:Алайда|Айта|Мұнда|Онда|Сонда|Осында|Бұнда|Қайда|Кейде|"
                r"Жақында|Шынында|Соңында|Басында|Ақырында)(?!\w))")
_PLACE = re.compile(
    rf"(?<!\w)(?:[Ii]n|[Aa]t|[Ff]rom|[Nn]ear)\s+(?:the\s+)?{_NOT_A_PLACE}(?:[A-Z]\.\s?)*[A-Z][a-z]+(?!['’]s)\b|"
    rf"(?<!\w)(?:[Вв]о?|[Нн]а(?:\s+базе)?|[Пп]ри|[Ии]з)\s+{_NOT_A_PLACE}(?:[А-ЯЁ]\.\s?)*[А-ЯЁ][а-яё]|"
    # Kazakh puts the place in the locative ("Астанада", "Бухарестте", "Астанадағы") or before "the city of",
    # "at the base of" ("Бангкок қаласындағы", "Еуразия ұлттық университеті базасында").
    rf"(?<!\w){_NOT_A_PLACE}[А-ЯЁӘҒҚҢӨҰҮҺІ][\w.-]*?(?:да|де|та|те|нда|нде)(?:ғы|гі)?(?!\w)|"
    rf"(?<!\w){_NOT_A_PLACE}[А-ЯЁӘҒҚҢӨҰҮҺІ][\w.-]*(?:\s+[\w.-]+){{0,3}}\s+(?:базасында|жанында|жанынан|"
    r"қаласында|астанасында|облысында|ауданында|университетінде)\w*"
)


# The centre named as the owner of what is asked about: "the centre's dormitory", "the opening ceremony of the
# centre", "общежитие центра", "орталықтың жатақханасы". Where the centre is does not say where that is.
_OF_THE_CENTRE = re.compile(
    r"\b(?:centre|center)['’]s\b|\bof (?:the |this |your |our )?(?:\w+ ){0,2}(?:centre|center)\b|"
    r"(?<!\w)(?:центра|центров)(?!\w)|(?<!\w)(?:орталықтың|орталыктын|орталығының|орталыгынын)(?!\w)",
    re.I,
)
# Words asking for a place, not naming what is there: "the centre's location", "орталықтың орны қайда".
_PLACE_WORDS = frozenset(tokenize(
    "location place site city town country address located situated based место местоположение город страна "
    "адрес находится находиться расположен расположена базироваться орны жері қала ел мекенжай орналасқан "
    "орналасады орналаспақ"))


def asks_where(question: str) -> bool:
    return bool(_ASKS_PLACE.search(question))


def place_of(question: str, subject: set[str]) -> Mentions | None:
    """What a question asks the place of when that is something of the centre's ("Where is the centre's
    dormitory?"): a sentence must name it as well as a place. None for any other question, and where the
    centre itself is placed ("Where will the centre open?", "Where is the centre's location?")."""
    if not asks_where(question) or not _OF_THE_CENTRE.search(question):
        return None
    named = re.sub(r"['’]s\b", " ", _ASKS_PLACE.sub(" ", question))
    asked = frozenset(set(tokenize(named)) - subject - _PLACE_WORDS)
    return Mentions(asked) if asked else None


def names_a_place(sentence: str) -> bool:
    """Whether a sentence says where something is: a city, a country or a university by name."""
    return bool(_PLACE.search(sentence))


# A centre named by words of its own: "медициналық симуляция орталығы", "спортивный центр", "центр клинической
# симуляции", "the apprenticeship centre", "centre for apprenticeship education". Kazakh puts them before the
# possessive form ("тіл орталығы", "симуляция орталығында") or an adjective before the bare word ("жаңа
# орталық"; before "орталықта" stands what is at the centre), English before "centre" or after "centre for",
# Russian its agreeing adjectives before and a genitive after. Not an owner ("орталықтың жатақханасы",
# "общежитие центра", "the centre's dormitory"): there the centre is the bot's own. No tagger reads both
# Kazakh and Russian (pymorphy3 has no Kazakh), so the forms that tell these apart are listed.
_CENTRE_WORD = re.compile(r"^(?:centre|center|центр\w*|орталы[ғг]\w*|орталы[қк])$", re.I)
_KK_OWNER = re.compile(r"(?:тың|тын|ның|нің|нын|дың|дің|тің)$", re.I)
# Kazakh words in a case (locative, genitive, ablative, dative): "Астанадағы", "университетінің", "ЕҰУ-да".
_KK_CASE = re.compile(r"(?:да|де|та|те)(?:ғы|гі)?$|(?:ның|нің|дың|дің|тың|тің|нан|нен|дан|ден|тан|тен|ға|ге|қа|ке)$",
                      re.I)
# A Russian adjective agrees with "центр" in case: "новый центр", "нового центра"; "общежитие центра" is an owner.
_RU_ADJECTIVE = {"центр": "ый|ий|ой", "центра": "ого|его", "центру": "ому|ему", "центром": "ым|им", "центре": "ом|ем",
                 "центры": "ые|ие", "центров": "ых|их", "центрам": "ым|им", "центрами": "ыми|ими", "центрах": "ых|их"}
_RU_GENITIVE = re.compile(r"(?:ии|ия|ой|ей|ого|его|ых|их|ов|ев|а|я|ы|и)$", re.I)
# A verb or participle beside "centre" says what it does, not which it is: "Что будет делать жаңа орталық?",
# "Астанада ашылатын орталық", "Когда центр откроется?".
_VERB_FORM = re.compile(
    r"(?:ся|сь|ет|ит|ют|ят|ут|ал|ил|ла|ли|ло|ть|атын|етін|йтын|йтін|тын|тін|ған|ген|қан|кен|мақ|мек|ады|еді|ды|ді)$",
    re.I)
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_MAX_KIND_WORDS = 3


def another_centre(question: str, home_words: set[str]) -> set[str]:
    """The words naming a centre the home articles do not ("симуляция", "медициналық" in "Медициналық симуляция
    орталығы қайда?"), empty for the centre itself. Compared by their first four letters at most, as "новом"
    and "новый" are stemmed apart ("нов", "новы")."""
    return {word for word in _centre_kind_words(question)
            if not any(known.startswith(token[:4]) for token in tokenize(word) for known in home_words)}


def _centre_kind_words(question: str) -> set[str]:
    """The words that say which centre a question names; empty where it names a centre by nothing of its own
    or none at all."""
    found: list[str] = []
    typed = _WORD.findall(question)
    for i, word in enumerate(typed):
        if not _CENTRE_WORD.match(word) or _KK_OWNER.search(word):
            continue
        russian = word.lower().startswith("центр")
        agrees = _RU_ADJECTIVE.get(word.lower())
        for before in reversed(typed[max(0, i - _MAX_KIND_WORDS) : i]):
            if (not tokenize(before) or re.search(r"['’]s$", before) or _KK_CASE.search(before)
                    or _VERB_FORM.search(before)
                    or (russian and (agrees is None or not re.search(f"(?:{agrees})$", before, re.I)))):
                break
            found.append(before)
        after = typed[i + 1 : i + 1 + _MAX_KIND_WORDS]
        if russian and word.lower() in ("центр", "центра"):
            # Two words at least: one ("у центра стипендии") is as often what the centre has.
            kind = list(itertools.takewhile(
                lambda w: bool(tokenize(w)) and bool(_RU_GENITIVE.search(w)) and not _VERB_FORM.search(w), after))
            found.extend(kind if len(kind) >= 2 else [])
        elif after[:1] and after[0].lower() == "for":
            found.extend(itertools.takewhile(lambda w: bool(tokenize(w)), after[1:]))
    return {word for word in found if tokenize(word)}


# "What is X?", "Кто такой X?", "X деген не?": a request to define or introduce X, a few words at most.
_DEFINED = (
    re.compile(r"^(?:what|who)\s+(?:is|are|was)\s+(?:the\s+|an?\s+)?(?P<term>[^?]{1,60}?)\s*\??$", re.I),
    re.compile(r"^(?P<term>[^?,]{1,60}?),?\s+what\s+is\s+it\s*\??$", re.I),
    re.compile(r"^(?:что|кто)\s+(?:такое|такой|такая|такие|это)\s+(?P<term>[^?]{1,60}?)\s*\??$", re.I),
    re.compile(r"^(?P<term>[^?]{1,60}?)\s+(?:это\s+)?(?:что|кто)(?:\s+такое|\s+такой)?(?:\s+вообще)?\s*\??$", re.I),
    re.compile(r"^(?P<term>[^?]{1,60}?)\s+деген(?:іміз)?\s+(?:не|кім)(?:\s+өзі)?\s*\??$", re.I),
)


def defined_term(question: str) -> str | None:
    """X of a question that asks only what or who X is, or None. X is a name or a noun and its attributes:
    a stopword in it makes it a question of another kind ("What is the weather in Almaty?", "What is the
    centre for?")."""
    text = question.strip()
    for pattern in _DEFINED:
        if match := pattern.match(text):
            term = re.findall(r"[^\W_]+", match["term"])
            if len(term) <= 4 and len(tokenize(match["term"])) == len(term):
                return match["term"]
    return None


# "What will the centre do?", "Чем занимается хаб?", "Орталық немен айналысады?": what it does, not its role
# or what it brings to the country. The sentence saying so opens with it, in the nominative ("The new centre
# will become a platform...", "Хаб объединяет...", "Жаңа орталық ... айналады"), where its role opens with
# another word or its genitive ("The creation of the centre...", "Орталықтың құрылуы...").
_ASKS_ACTIVITY = re.compile(
    r"\bwhat\b(?!.*\bdo you\b).*\b(do|does|doing)\b|\b(tasks|functions)\b|"
    r"\bчем\s+(\w+\s+){0,3}занима|\bзадач|\bфункци|\bчто\s+(\w+\s+){0,3}дела|"
    r"\bнемен\s+(\w+\s+)?айналыс|\bне\s+істей|\bміндет|\bне\s+атқар", re.I)
_ACTOR = re.compile(r"^(?:\S+\s+){0,2}(?:centre|center|hub|центр|хаб|орталық)\b", re.I)


def asks_activity(question: str) -> bool:
    return bool(_ASKS_ACTIVITY.search(question))


def opens_with_actor(sentence: str) -> bool:
    """Whether the sentence opens with the centre or the Hub as its subject (`_ASKS_ACTIVITY`)."""
    return bool(_ACTOR.search(sentence))

