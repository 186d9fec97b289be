"""What the bot says, in Kazakh, Russian and English."""

from __future__ import annotations

LANGS = ("kk", "ru", "en")

TEXTS: dict[str, dict[str, str]] = {
    "not_known": {
        "kk": "Бұл туралы әзірге білмеймін: орталықтың мақалаларында бұл жөнінде ақпарат жоқ. "
        "Сұрақты басқаша қойып көріңіз немесе ASEM LLL Hub Орталық Азия өңірлік орталығы туралы сұраңыз.",
        "ru": "Я пока этого не знаю: в статьях центра об этом ничего нет. "
        "Попробуйте переформулировать вопрос или спросите о Центральноазиатском региональном центре ASEM LLL Hub.",
        "en": "I don't know that yet: the centre's articles don't cover it. "
        "Try rephrasing, or ask about the ASEM LLL Hub Central Asia Regional Centre.",
    },
    "empty_question": {
        "kk": "Сұрағыңызды сөзбен жазыңыз, мысалы: «Орталық қай университетте құрылады?»",
        "ru": "Напишите, пожалуйста, вопрос словами, например: «Где будет создан региональный центр?»",
        "en": "Please type your question in words, for example: \"Where will the regional centre be created?\"",
    },
    "only_in": {
        "kk": "Бұл ақпарат білім қорында тек {language} бар:",
        "ru": "В базе знаний это есть только {language}:",
        "en": "The knowledge base has this only in {language}:",
    },
    "sources": {"kk": "Дереккөздер", "ru": "Источники", "en": "Sources"},
    "no_index": {
        "kk": "Білім қоры әлі дайын емес. Әкімші индексті құрғаннан кейін қайта сұраңыз.",
        "ru": "База знаний ещё не готова. Спросите снова, когда администратор построит индекс.",
        "en": "The knowledge base is not ready yet. Please ask again once an admin has built the index.",
    },
}

# Language names as they read inside the "only_in" sentence of each language.
LANGUAGE_IN: dict[str, dict[str, str]] = {
    "kk": {"kk": "қазақ тілінде", "ru": "орыс тілінде", "en": "ағылшын тілінде"},
    "ru": {"kk": "на казахском", "ru": "на русском", "en": "на английском"},
    "en": {"kk": "Kazakh", "ru": "Russian", "en": "English"},
}


def t(key: str, lang: str, **values) -> str:
    table = TEXTS[key]
    text = table.get(lang) or table["en"]
    return text.format(**values) if values else text
