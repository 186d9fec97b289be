"""Sentence-aware chunking and per-question language detection."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from index.chunking import ChunkingConfig, chunk_document, sentences_of
from index.documents import scan_knowledge
from index.language import (
    detect_language,
    kazakh_lexicon,
    language_shares,
    question_language,
    restore_kazakh_letters,
    russian_from_latin,
)

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="module")
def docs():
    return {d.lang: d for d in scan_knowledge(KNOWLEDGE).documents}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_chunks_are_whole_sentences_with_overlap_and_stable_ids(docs, lang):
    doc = docs[lang]
    config = ChunkingConfig(max_chars=400, overlap_sentences=1)
    sentences = sentences_of(doc)
    chunks = chunk_document(doc, sentences, config)
    assert len(chunks) > 2
    for chunk in chunks:
        expected = " ".join(s.text for s in sentences[chunk.first_sentence : chunk.last_sentence + 1])
        assert chunk.text == expected  # never cut inside a sentence
        assert chunk.embed_text.startswith(doc.title)
    for a, b in itertools.pairwise(chunks):
        assert b.first_sentence <= a.last_sentence + 1  # no sentence lost between chunks
    assert any(b.first_sentence == a.last_sentence for a, b in itertools.pairwise(chunks))  # overlap
    again = chunk_document(doc, sentences_of(doc), config)
    assert [(c.id, c.text) for c in again] == [(c.id, c.text) for c in chunks]


def test_paragraphs_start_new_chunks(docs):
    doc = docs["en"]
    sentences = sentences_of(doc)
    chunks = chunk_document(doc, sentences, ChunkingConfig(max_chars=700, overlap_sentences=0))
    starts = {sentences[c.first_sentence].paragraph for c in chunks}
    assert len(starts) == len(chunks) and len(chunks) >= 5


def test_kazakh_abbreviations_do_not_end_sentences():
    from index.chunking import split_sentences

    parts = split_sentences("Хаб 2004 ж. құрылған. Ол желі.", "kk")
    assert parts == ["Хаб 2004 ж. құрылған.", "Ол желі."]


@pytest.mark.parametrize(
    "text,lang",
    [
        ("Орталық Азия өңірлік орталығы қай университетте құрылады?", "kk"),
        ("орталык кай университетте ашылады", "kk"),  # Kazakh typed on a Russian keyboard
        ("центр кайда?", "kk"),
        ("ASEM LLL Hub деген не", "kk"),
        ("Где будет создан региональный центр?", "ru"),
        ("что такое ASEM LLL Hub", "ru"),
        ("Who took over the ASEM LLL Hub chair from Ireland?", "en"),
        ("where is the centre", "en"),
        ("Хаб төрағасы кім? кто председатель хаба", "kk"),
        ("ortalyq qai universitette qurylady", "kk"),
        ("hab toragalygy kimge berildi", "kk"),
        ("Hab tóraǵalyǵy kimge berildi?", "kk"),
        # Half and half: the language of the words that frame the question.
        ("Центр қай қалада открывается?", "kk"),
        ("Курстар бесплатно ма?", "kk"),
        ("Где будет орталық, в каком городе?", "ru"),
        ("Что будет делать жаңа центр?", "ru"),
        # Kazakh nouns in a Russian frame, Russian nouns in a Kazakh one: grammar decides, not borrowed words.
        ("Что будет делать жаңа орталық?", "ru"),
        ("Где разместят хатшылық хаба?", "ru"),
        ("Когда передали төрағалықты Таиландқа?", "ru"),
        ("Новый центр немен айналысады?", "kk"),
        ("Хабтың секретариат где орналасады?", "kk"),
        ("Встреча қай қалада өтті?", "kk"),
        # A name copied from the Kazakh article is a name, not the asker's language.
        ("Кто такой Әлібек Мәдібеков?", "ru"),
        ("Что предложил Өзбекстан?", "ru"),
        ("Әлібек Мәдібеков кім?", "kk"),
        ("ҚР Ғылым министрлігі не хабарлады?", "kk"),
        # One Kazakh word among Russian ones: the Russian frame decides.
        ("жаңа центр где", "ru"),
        ("орталық это что", "ru"),
        # Russian typed in Latin letters; English and Latin Kazakh stay what they are.
        ("gde budet sozdan regionalnyi centr?", "ru"),
        ("chem zanimaetsya hab?", "ru"),
        ("what is the centre for?", "en"),
        ("Ortalyk kai universitette kuryladi?", "kk"),
        # Kazakh endings tell Latin Kazakh from English where its question words are few.
        ("Nazarbaev universitetinde ortalykty kim baskarady?", "kk"),
        ("Astanadagy ortalyktyn maksaty", "kk"),
        ("Madibekov already presented the report", "en"),
        ("Latin American studies in Austin", "en"),
    ],
)
def test_language_of_a_question(text, lang):
    assert detect_language(text).lang == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # The same question asked twice: the first language decides, whichever clause is longer.
        ("Хаб қашан құрылды? When was the Hub founded?", "kk"),
        ("Где будет создан центр? Орталық қайда құрылады?", "ru"),
        ("Who chaired the Hub before Thailand? / Таиландқа дейін хабқа кім төрағалық етті?", "en"),
        ("Ortalyq qaida qurylady? Где будет центр?", "kk"),
        # A name or a bare word before the question is not a question of its own.
        ("ASEM LLL? Что это?", "ru"),
        ("Орталық? Where will it be?", "en"),
        # One language throughout, or clauses joined by a comma: read as a whole, as before.
        ("Где будет орталық, в каком городе?", "ru"),
        ("Я читал новость. Когда откроется центр?", "ru"),
    ],
)
def test_language_of_a_question_asked_twice(text, lang):
    assert question_language(text).lang == lang


def test_russian_typed_in_latin_letters_is_read_in_cyrillic():
    assert russian_from_latin("kogda otkroetsya tsentr, kto takoi Madibekov?") == "когда откроется центр, кто такой Мадибеков?"
    assert russian_from_latin("chto takoe ASEM LLL?") == "что такое ASEM LLL?"  # acronyms stay as typed


def test_no_words_falls_back_to_the_default_language():
    result = detect_language("🙂👍", default="ru")
    assert result.lang == "ru" and not result.reliable


def test_kazakh_letters_are_restored_from_the_knowledge_spellings(docs):
    lexicon = kazakh_lexicon([docs["kk"].body])
    assert restore_kazakh_letters("Орталык кай калада курылады", lexicon) == "Орталық қай қалада құрылады"
    assert restore_kazakh_letters("где центр", lexicon) == "где центр"


def test_a_kazakh_word_typed_right_is_kept_even_if_it_looks_like_another_word_mistyped():
    lexicon = kazakh_lexicon(["Ол мұғалім болып істеді, кейін директор болып тағайындалды. Сыныпты топқа бөліп оқытты."])
    assert restore_kazakh_letters("ол мугалим болып истеди ме", lexicon) == "ол мұғалім болып істеді ме"
    assert restore_kazakh_letters("сыныпты кимге болип берди", lexicon) == "сыныпты кімге болып берді"


def test_a_question_in_one_language_is_all_that_language():
    assert language_shares("Где будет создан региональный центр?", "ru") == {"ru": 1.0}
    assert language_shares("Орталық қай университетте құрылады?", "kk") == {"kk": 1.0}
    assert language_shares("Who took over the ASEM LLL Hub chair?", "en") == {"en": 1.0}  # acronyms say nothing
    assert language_shares("Кто такой Әлібек Мәдібеков?", "ru") == {"ru": 1.0}  # a name is not Kazakh


def test_a_half_and_half_question_is_shared_between_its_languages_word_by_word():
    assert language_shares("Где будет орталық?", "ru") == pytest.approx({"ru": 2 / 3, "kk": 1 / 3})
    assert language_shares("Who got the төрағалық of the hub?", "en") == pytest.approx({"en": 6 / 7, "kk": 1 / 7})
    # "встреча" shows no language by its letters; in a mixed question lingua says it is Russian.
    assert language_shares("Встреча қай қалада өтті? где", "kk") == pytest.approx({"ru": 0.4, "kk": 0.6})
