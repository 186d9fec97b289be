"""Names match across scripts; everyday words do not become names."""

from index.names import article_name_keys, name_key, question_name_keys


def test_a_name_has_one_key_in_latin_and_cyrillic_letters():
    for latin, cyrillic in (("Madibekov", "Мәдібековке"), ("Bucharest", "Бухарестте"), ("Hamburg", "Гамбург"),
                            ("Chulalongkorn", "Чулалонгкорн"), ("Gumilyov", "Гумилёв"), ("Thailand", "Таиланд"),
                            ("Karaganda", "Қарағанды")):
        assert name_key(latin) == name_key(cyrillic), (latin, cyrillic)
    assert name_key("Madibekov") != name_key("Бангкок")


def test_only_names_in_an_article_get_keys_and_every_word_but_stopwords_of_a_question_does():
    text = "Орталық Азия өңірлік орталығы Л.Н.Гумилев атындағы университетте құрылады. Бұл туралы ҚазҰУ хабарлады."
    keys = article_name_keys(text)
    assert name_key("Гумилев") in keys and name_key("ҚазҰУ") in keys
    # "Орталық" is also written in lower case, "Бұл" only starts a sentence.
    assert name_key("Орталық") not in keys and name_key("Бұл") not in keys
    assert list(question_name_keys("кто такой мадибеков из министерства")) == ["мадибеков", "министерства"]
