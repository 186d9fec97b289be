"""BM25 tokens: an acronym that spells a stopword still counts as a word."""

from index.lexical import tokenize


def test_an_acronym_is_a_word_and_the_same_letters_in_lower_case_are_not():
    assert "it" in tokenize("Шымкенттегі жаңа IT-мектеп қанша оқушыға арналған?")
    assert "who" in tokenize("What did the WHO report say?")
    assert tokenize("What is it?") == []
    assert tokenize("IT") == ["it"]


def test_a_question_typed_in_capitals_keeps_its_stopwords_out():
    assert tokenize("WHERE IS THE NEW CENTRE") == tokenize("where is the new centre")
