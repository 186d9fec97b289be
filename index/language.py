"""Which of kk / ru / en a piece of text is written in.

lingua does the statistics; the rules around it cover what it cannot know: Latin acronyms (ASEM, LLL)
inside Cyrillic questions, Kazakh typed on a Russian keyboard without its own letters, and Kazakh typed
in Latin letters.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from lingua import Language, LanguageDetectorBuilder

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Frequent Kazakh words as typed without Kazakh letters; none of them is a Russian word. The frame words
# (question words, particles, verbs) are apart from the nouns: only they say which language frames a question.
_KK_PLAIN_FRAME = {
    "кай", "кайда", "кайсы", "кашан", "калай", "кандай", "канша", "неше", "немен", "ким", "туралы", "жане", "бул",
    "ушин", "деген", "бойынша", "болады", "кимге", "кимнин", "университетте",
    "ма", "ме", "ба", "бе", "па", "пе", "жок", "кайдан", "немесе", "сиз", "сен", "маган", "айтшы",
}
_KK_PLAIN_MARKERS = _KK_PLAIN_FRAME | {"орталык", "орталыгы"}
# Russian words no Kazakh sentence uses: question words, prepositions, "будет".
_RU_FUNCTION_WORDS = {
    "что", "где", "когда", "как", "какой", "какая", "какое", "какие", "каком", "какого", "какую", "кто", "кого",
    "кому", "чем", "сколько", "почему", "зачем", "куда", "откуда", "ли", "в", "во", "на", "с", "со", "по", "для",
    "про", "о", "об", "у", "к", "ко", "за", "без", "и", "но", "будет", "будут", "есть", "это", "мне", "из", "от",
    "до", "при", "или", "уже", "тоже", "ещё",
}
# A half-and-half question takes the language of its grammar, not of the nouns it borrows ("Что будет делать
# жаңа орталық?" is Russian, "Новый центр немен айналысады?" Kazakh): Kazakh grammar shows as case and verb
# endings on Kazakh words, Russian grammar as its function words and verbs. No tagger covers both languages
# (pymorphy3 has no Kazakh), so the endings are listed.
_KK_INFLECTED = re.compile(
    r"(?:ады|еді|йды|йді|ды|ді|ты|ті|ған|ген|қан|кен|мақ|мек|атын|етін|йтын|йтін|ып|іп|ңыз|ңіз|шы|ші"
    r"|ның|нің|дың|дің|тың|тің|ға|ге|қа|ке|да|де|та|те|дан|ден|тан|тен|нан|нен|мен|бен|пен|ны|ні)$"
)
_RU_VERB = re.compile(r"(?:[^с]ть|тся|ться|ли|дут|ют|ят|ает|яет|ует|еет|оит|одит|ил|ал|ял)$")
_KK_LATIN_MARKERS = {
    "qai", "qaida", "qaisy", "qashan", "qalai", "qandai", "kim", "turaly", "jane", "men", "bul",
    "ortalyq", "ortalygy", "ortalyk", "universitette", "qurylady", "ashylady", "degen", "boiynsha",
    # as typed on a phone: k for қ, and the question particles
    "kai", "kaida", "kaisy", "kashan", "kalai", "kandai", "kansha", "qansha", "nege", "ne", "nemen", "kimge",
    "kimnin", "kimdi", "ma", "ba", "pa",
}
_LINGUA = {Language.KAZAKH: "kk", Language.RUSSIAN: "ru", Language.ENGLISH: "en"}


@dataclass(frozen=True)
class DetectedLanguage:
    lang: str
    confidence: float
    reliable: bool
    latin: bool = False  # Kazakh or Russian written in Latin letters


@lru_cache(maxsize=1)
def _detector():
    # Models load on first use, per language: only kk and ru are ever asked for (0.7 s less at start-up).
    return LanguageDetectorBuilder.from_languages(*_LINGUA).build()


def detect_language(text: str, default: str = "en") -> DetectedLanguage:
    """Best guess of the language; ``reliable`` is False when the text gives too little to go on."""
    words = _WORD.findall(text or "")
    cyrillic = [w for w in words if _CYRILLIC.search(w)]
    # All-caps Latin words are acronyms (ASEM, LLL, SOM): they say nothing about the asker's language.
    latin = [w for w in words if _LATIN.search(w) and not _CYRILLIC.search(w) and not (w.isupper() and len(w) > 1)]
    if not cyrillic and not latin:
        acronyms = [w for w in words if _LATIN.search(w)]
        if acronyms:
            return DetectedLanguage("en", 0.5, False)
        return DetectedLanguage(default, 0.0, False)
    if len(cyrillic) >= len(latin):
        return _cyrillic_language(cyrillic)
    if _is_latin_kazakh(latin):
        return DetectedLanguage("kk", 0.7, True, latin=True)
    if _is_latin_russian(latin):
        return DetectedLanguage("ru", 0.7, True, latin=True)
    return DetectedLanguage("en", 1.0, len(latin) >= 1)


# A question asked twice, once in each of two languages ("Хаб қашан құрылды? When was the Hub founded?"): the
# asker writes first in the language they read best, and the whole text's grammar count would let the longer
# clause decide. Only whole questions split: the first must end in "?", and each part must show its language's
# frame words, so a name or a title before a question ("Lifelong Learning Hub? Что это?") does not count.
_AFTER_A_QUESTION = re.compile(r"(?<=\?)\s+(?:/\s*)?(?=\S)")


def question_language(text: str, default: str = "en") -> DetectedLanguage:
    """The language to answer a question in: `detect_language`, except that of a question asked twice in two
    languages the first one decides."""
    first, *rest = _AFTER_A_QUESTION.split(text or "")
    if rest:
        asked, then = detect_language(first, default), detect_language(" ".join(rest), default)
        if asked.lang != then.lang and _framed(first, asked) and _framed(" ".join(rest), then):
            return asked
    return detect_language(text, default)


def _framed(text: str, detected: DetectedLanguage) -> bool:
    """Whether ``text`` holds a frame word of the language it was read as (a question word, a verb, a case
    ending), not only nouns and names."""
    words = [w.lower() for w in _WORD.findall(text)]
    if detected.latin:
        return True  # read from its markers, which are frame words
    if detected.lang == "en":
        return any(w in _EN_FUNCTION_WORDS for w in words)
    frames = _frames_kazakh if detected.lang == "kk" else _frames_russian
    return any(frames(w) for w in words)


# Kazakh endings as typed in Latin letters: genitive "-dyn/-tin/-nyn", locative "-inde/-ynda", "-dagy/-degi",
# the present "-ady/-edi" ("baskarady", "kuryladi"; not "already"). English words seldom end so.
_KK_LATIN_ENDING = re.compile(r"(?:[dtn][yi]n|[iy]nd[ae]|[dt][ae]g[yi]|(?<!e)ad[yi]|ed[yi])$")


def _is_latin_kazakh(words: list[str]) -> bool:
    lowered = [w.lower() for w in words]
    english = any(w in _EN_FUNCTION_WORDS for w in lowered)
    if any(set(w) & set("äğıñöqşūüáǵńóúý") for w in lowered) and not english:
        return True
    hits = sum(1 for w in lowered if w in _KK_LATIN_MARKERS or coarse(latin_to_cyrillic(w)) in _KK_COARSE_WORDS)
    if not english:
        hits += sum(1 for w in lowered if len(w) >= 6 and _KK_LATIN_ENDING.search(w))
    return hits >= 2 or (hits >= 1 and len(lowered) <= 2)


# Russian question words typed in Latin letters ("gde budet centr", "chto takoe hub"): none is an English word.
_RU_LATIN_MARKERS = {
    "gde", "kto", "chto", "shto", "kak", "kogda", "skolko", "pochemu", "zachem", "komu", "kogo", "kakoi", "kakoy",
    "kakaya", "kakie", "kakoe", "kakom", "kakuyu", "budet", "budut", "eto", "dlya", "mne", "ili", "uzhe", "mozhno",
    "nuzhno", "kuda", "otkuda", "takoe", "takoi", "takoy", "chem", "kem", "centr", "tsentr", "centra", "tsentra",
}


def _is_latin_russian(words: list[str]) -> bool:
    lowered = [w.lower() for w in words]
    return any(w in _RU_LATIN_MARKERS for w in lowered) and not any(w in _EN_FUNCTION_WORDS for w in lowered)


def _cyrillic_language(words: list[str]) -> DetectedLanguage:
    # A name copied from a Kazakh article ("Кто такой Әлібек Мәдібеков?") does not make the question Kazakh:
    # capitalised words after the first are names, and only the other words' letters count.
    plain = [w for i, w in enumerate(words) if not (i and w[:1].isupper())] or words
    with_kk_letters = sum(1 for w in plain if KAZAKH_LETTERS.intersection(w))
    lowered = [w.lower() for w in words]
    ru_words = sum(1 for w in lowered if w in _RU_FUNCTION_WORDS)
    if with_kk_letters and with_kk_letters / len(plain) >= 0.3 and not ru_words:
        return DetectedLanguage("kk", 1.0, True)
    # Half Russian, half Kazakh: the language whose grammar frames the question is the one the asker reads best.
    kk_words = sum(1 for w in plain if _frames_kazakh(w.lower()))
    ru_words = sum(1 for w in plain if _frames_russian(w.lower()))
    if kk_words != ru_words:
        share = max(kk_words, ru_words) / (kk_words + ru_words)
        return DetectedLanguage("kk" if kk_words > ru_words else "ru", share, True)
    values = _kazakh_or_russian(" ".join(words))
    kk, ru = values.get("kk", 0.0), values.get("ru", 0.0)
    if kk_words or with_kk_letters:  # as much Russian grammar: a Kazakh word still tips it
        kk += 0.5
    lang = "kk" if kk > ru else "ru"
    total = kk + ru or 1.0
    return DetectedLanguage(lang, max(kk, ru) / total, len(words) >= 2 or max(kk, ru) / total > 0.9)


def _frames_kazakh(word: str) -> bool:
    if word.translate(KAZAKH_TO_RUSSIAN) in _KK_PLAIN_FRAME:
        return True
    return (
        bool(KAZAKH_LETTERS.intersection(word)) and len(word) >= 4 and not word.endswith("стан")  # Қазақстан
        and _KK_INFLECTED.search(word) is not None
    )


def _frames_russian(word: str) -> bool:
    if word in _RU_FUNCTION_WORDS:
        return True
    return (
        not KAZAKH_LETTERS.intersection(word) and len(word) >= 4 and word not in _KK_PLAIN_MARKERS
        and _RU_VERB.search(word) is not None
    )


def language_shares(text: str, lang: str) -> dict[str, float]:
    """How much of a question each language writes: {lang: 1.0} unless two languages show their own words.

    A half-and-half question ("Где будет орталық?") sits between its languages in the embedding space, so its
    language component is a blend of theirs (`index.neutral`). Words that show no language (nouns without
    Kazakh letters: "встреча", "центр") are asked of lingua, and only for questions that are mixed."""
    marked: list[tuple[str, str]] = []  # (word, its language or "" where the word does not show it)
    for i, word in enumerate(_WORD.findall(text or "")):
        lowered = word.lower()
        if _LATIN.search(word) and not _CYRILLIC.search(word):
            if not (word.isupper() and len(word) > 1):  # an acronym says nothing
                marked.append((word, "en"))
        elif i and word[:1].isupper():
            continue  # a name (see _cyrillic_language)
        elif KAZAKH_LETTERS.intersection(lowered) or _frames_kazakh(lowered):
            marked.append((word, "kk"))
        elif _frames_russian(lowered):
            marked.append((word, "ru"))
        else:
            marked.append((word, ""))
    shown = {m for _, m in marked if m}
    if len(shown) < 2 and not (shown == {"en"} and any(not m for _, m in marked)):
        return {lang: 1.0}
    counts = Counter(m or _cyrillic_word(w, lang) for w, m in marked)
    total = sum(counts.values())
    return {language: n / total for language, n in counts.items()}


def _kazakh_or_russian(text: str) -> dict[str, float]:
    """lingua's confidence that the text is Kazakh and that it is Russian."""
    return {
        _LINGUA[c.language]: c.value
        for c in _detector().compute_language_confidence_values(text)
        if c.language in (Language.KAZAKH, Language.RUSSIAN)
    }


def word_language(word: str, lang: str) -> str:
    """The language one word is written in; ``lang`` where it could be Kazakh or Russian ("симуляция")."""
    if _LATIN.search(word) and not _CYRILLIC.search(word):
        return "en"
    if KAZAKH_LETTERS.intersection(word.lower()):
        return "kk"
    return _cyrillic_word(word, lang)


def _cyrillic_word(word: str, lang: str) -> str:
    values = _kazakh_or_russian(word)
    best = max(values, key=values.__getitem__)
    return best if values[best] >= 0.9 or lang not in ("kk", "ru") else lang


# Kazakh letters -> what a Russian keyboard types instead (shared with the lexical tokeniser).
KAZAKH_TO_RUSSIAN = str.maketrans("әғқңөұүһі", "агкноуухи")


# Question words and everyday words an asker types whatever the articles say.
_KK_COMMON = (
    "қай қайда қайдан қайсы қашан қалай қандай қанша кім кімге кімнің кімді неге неліктен үшін туралы және "
    "бұл деген бойынша болады болды болмақ өтті өтеді құрылады құрылды ашылады ашылды қала қалада "
    "қаласында қаласы жоқ мүмкін білім ғылым жоғары жыл жылы жылдың маған айтыңызшы айтшы сіз қазақстан "
    "қазақстанда қазақстанның мемлекеттік оқу оқушы оқушылар студент студенттер ақы ақысы тегін нөмірі "
    "берілді берді ұсынды ұсынады айналысады төрағалығы хатшылығы орталық орталығы"
).split()


# Kazakh typed in Latin letters: the 2021 alphabet (ä, ğ, ı, ñ, ö, q, ş, ū, ü), the 2018 one (á, ǵ, ń, ó, ú,
# ý) and informal phone typing ("kuryladi", "zh", "sh"). No maintained package converts Latin Kazakh to
# Cyrillic, so a small table does it roughly; the spellings found in the knowledge then settle і/ы/и, у/ұ/ү
# and the like.
_LATIN_DIGRAPHS = {"sh": "ш", "ch": "ч", "zh": "ж", "kh": "х", "gh": "ғ", "ya": "я", "yu": "ю", "ts": "ц"}
_LATIN_LETTERS = dict(zip(
    "aäábcdeéfgğǵhıiíjklmnñńoöópqrsştuūúüvwxyýz",
    "аәәбсдеефгғғхіиіжклмнңңоөөпқрсштуұұүвухыуз",
    strict=True,
))
_NG_END = re.compile(r"ng(?=$|[^aeiouäöüūıy])")
# Coarse spelling: the letters people swap when typing Kazakh without its keyboard.
_COARSE = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
                         "і": "и", "ы": "и", "й": "и", "ё": "е", "э": "е", "ь": None, "ъ": None})


def coarse(word: str) -> str:
    return word.lower().translate(_COARSE)


_EN_FUNCTION_WORDS = {"the", "is", "are", "of", "and", "to", "in", "what", "where", "who", "how", "when", "which",
                      "does", "do", "will", "was", "for"}
_KK_COARSE_WORDS = {coarse(w) for w in (*_KK_COMMON, *_KK_PLAIN_MARKERS) if len(w) >= 3}


def latin_to_cyrillic(word: str) -> str:
    """A Latin-typed Kazakh word in rough Cyrillic ("kuryladi" -> "курылади")."""
    lower = _NG_END.sub("ң", word.lower())
    out, i = [], 0
    while i < len(lower):
        pair = lower[i : i + 2]
        if pair in _LATIN_DIGRAPHS:
            out.append(_LATIN_DIGRAPHS[pair])
            i += 2
            continue
        out.append(_LATIN_LETTERS.get(lower[i], lower[i]))
        i += 1
    text = "".join(out)
    return text.capitalize() if word[:1].isupper() else text


def kazakh_lexicon(texts: list[str]) -> dict[str, str]:
    """Coarse spelling -> the most frequent real spelling of the Kazakh words in ``texts``."""
    return lexicon_from_counts(kazakh_word_counts(texts))


def kazakh_word_counts(texts: list[str]) -> Counter[str]:
    """How often each Cyrillic word of Kazakh text occurs (kept with the index, updated article by article).
    Words without Kazakh letters count too: "болып" is a spelling of its own, not "бөліп" mistyped."""
    return Counter(w for text in texts for w in _WORD.findall(text.lower()) if _CYRILLIC.search(w))


def lexicon_from_counts(counts: Counter[str]) -> dict[str, str]:
    counts = counts + Counter({w: 1 for w in _KK_COMMON if w not in counts})
    lexicon: dict[str, str] = {}
    # Ties go to the alphabetically first spelling, so the result does not depend on the order of edits.
    for word, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        lexicon.setdefault(coarse(word), word)
    return lexicon


def restore_kazakh_letters(text: str, lexicon: dict[str, str], latin: bool = False) -> str:
    """Put back the Kazakh letters of words typed on a Russian keyboard ("орталык" -> "орталық") or in
    Latin letters ("ortalyk" -> "орталық"), using the spellings found in the knowledge: the embedding model
    only knows the real spelling. ``latin`` also converts Latin words (the question is Latin Kazakh)."""

    def fix(match: re.Match) -> str:
        word = match.group(0)
        converted = latin and bool(_LATIN.search(word)) and not (word.isupper() and len(word) > 1)
        if converted:
            word = latin_to_cyrillic(word)
        elif KAZAKH_LETTERS.intersection(word) or not _CYRILLIC.search(word):
            return word
        restored = lexicon.get(coarse(word))
        if restored is None:
            return word
        return restored.capitalize() if word[0].isupper() else restored

    return _WORD.sub(fix, text)


# Russian typed in Latin letters, as on a phone without a Cyrillic keyboard. cyrtranslit (PyPI) reads one
# formal scheme and turns "centr" into "кентр" and "novyi" into "нови"; informal typing needs these rules.
_RU_LATIN_SEQUENCES = (
    ("shch", "щ"), ("sch", "щ"), ("tsya", "тся"), ("yo", "ё"), ("jo", "ё"), ("yu", "ю"), ("ju", "ю"),
    ("ya", "я"), ("ja", "я"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("''", "ъ"),
)
_RU_LATIN_LETTERS = {**dict(zip("abcdefghijklmnopqrstuvwz'", "абцдефгхийклмнопкрстуввзь", strict=True)), "x": "кс"}
_RU_E_WORDS = {"eto", "etot", "eta", "eti", "etom", "etogo", "etu"}  # "э", where every other "e" is "е"
_RU_LATIN_WORD = re.compile(r"[A-Za-z']+")


def russian_from_latin(text: str) -> str:
    """Latin-typed Russian in Cyrillic ("gde budet sozdan regionalnyi centr?" -> "где будет создан
    региональный центр?", soft signs aside). Acronyms (ASEM, LLL) and Cyrillic letters stay as typed."""

    def convert(match: re.Match) -> str:
        word = match.group(0)
        if word.isupper() and len(word) > 1:
            return word
        lower = word.lower()
        out, i = [], 0
        while i < len(lower):
            for latin, cyrillic in _RU_LATIN_SEQUENCES:
                if lower.startswith(latin, i):
                    out.append(cyrillic)
                    i += len(latin)
                    break
            else:
                letter = lower[i]
                if letter == "y":  # й after a vowel ("kakoy"), ы after a consonant ("novyi")
                    out.append("й" if out and out[-1] in "аеёиоуыэюя" else "ы")
                elif letter == "e" and i == 0 and lower in _RU_E_WORDS:
                    out.append("э")
                else:
                    out.append(_RU_LATIN_LETTERS.get(letter, letter))
                i += 1
        converted = re.sub("(?<=[аоеуыэя])и$", "й", "".join(out))  # "novyi", "takoi", "kakoi"
        return converted.capitalize() if word[:1].isupper() else converted

    return _RU_LATIN_WORD.sub(convert, text)
