"""Search results -> an extractive answer with numbered citations, in the asker's language.

The answer is made of the article's own sentences (from the rendition in the asker's language when there
is one), each followed by its citation number, so nothing is invented. Below the relevance threshold the
bot says it does not know rather than quote an unrelated passage.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from math import inf

import numpy as np

from bot.messages import LANGUAGE_IN, t
from bot.qa.evidence import (
    another_centre,
    asked_about,
    asks_activity,
    asks_where,
    asks_yes_or_no,
    dates_too_early,
    defined_term,
    expected_evidence,
    heads_another_body,
    in_another_language,
    lacks_the_title,
    names_a_place,
    opens_with_actor,
    place_of,
)
from index.documents import Document
from index.language import word_language
from index.lexical import tokenize
from index.names import name_key
from index.search import (
    FamilyHit,
    ScoredSentence,
    best_sentences,
    family_words,
    rendition,
    title_closeness,
    titled,
)
from index.snapshot import Snapshot

# How much closer (cosine) the best sentence must be to the question than the closest everyday sentence
# of index/background.txt, per asker's language: the small model places Kazakh text closer together than
# Russian or English. Calibrated on the tuning set and KazQAD with the default model (docs/quality.md).
DEFAULT_MIN_RELEVANCE = {"kk": 0.0, "ru": 0.08, "en": 0.08}
# What people call the bot's subject, whatever the languages of its article: a Russian question about "центр"
# names it even where the centre's article is only in Kazakh.
_SUBJECT_WORDS = set(tokenize("centre center центр орталық"))
_SAID_IN_PASSING = {"source", "representative"}
# "How many people work there?" asked of the centre's bot: with nothing named, "there" is the centre.
_THERE = re.compile(r"\b(?:there|там|туда|онда|сонда)\b", re.I)
# A sentence opening with "he", "its", "they" goes on about what the sentence before it named.
_GOES_ON = re.compile(r"(?:ол|оның|олар|олардың|он|она|оно|они|его|её|ее|их|he|she|they|his|her|its|their)\b", re.I)
NO_MORE = "the cited articles have told all they hold"  # Answer.note of "tell me more" once all is told
_DATELINE = re.compile(r"^(?:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][A-ZА-ЯЁӘҒҚҢӨҰҮҺІ ,-]{2,30}\.\s+)?(?:KAZINFORM\s*[–—-]\s*)?")


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


def continued(chosen: list[ScoredSentence], article: list[ScoredSentence], most: int) -> list[ScoredSentence]:
    """The chosen sentences, each followed by the next one of the article when that one goes on about the same
    person or thing ("... Мәдібеков қатысты. Ол ... баяндама жасады."); no more than ``most`` (or as many as
    were chosen), so a follow-on can take the place of a lower-ranked choice. ``article`` is all its sentences."""
    every = {s.sentence.row: s for s in article}
    out: list[ScoredSentence] = []
    rows = {s.sentence.row for s in chosen}
    for s in chosen:
        out.append(s)
        after = every.get(s.sentence.row + 1)
        if after is not None and after.sentence.row not in rows and _GOES_ON.match(after.sentence.text):
            out.append(after)
            rows.add(after.sentence.row)
    return out[: max(most, len(chosen))]


def strip_dateline(sentence: str) -> str:
    return _DATELINE.sub("", sentence).strip()


def home_subject(snapshot: Snapshot, family: str, question: str, query_vector: np.ndarray, lang: str,
                 config: ComposeConfig) -> float:
    """How much the question is about a home article: closeness to its title, plus the share of the question's
    words in that title ("орталықтың алғашқы курсы" names the centre, whatever the small model says)."""
    doc = titled(snapshot, family, lang)
    asked = set(tokenize(question))
    shared = len(asked & set(tokenize(doc.title))) / len(asked) if asked else 0.0
    return title_closeness(snapshot, doc, query_vector) + config.home_title_words * shared


@dataclass(frozen=True)
class ComposeConfig:
    min_relevance: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIN_RELEVANCE))
    max_sources: int = 2
    max_sentences: int = 3
    sentence_margin: float = 0.06  # a further sentence must score this close to the best one
    source_margin: float = 0.0  # a second article is cited only if its best sentence is as close as the first
    sentence_lexical_weight: float = 0.3  # share of the question's words a quoted sentence contains
    home_margin: float = 0.1  # how much closer to another article's title than to home's a question must be
    home_margin_named: float = 0.0  # the same when the question names something of that article's (DCU, AITU)
    home_margin_across: float = 0.05  # more when only the other title is in the question's language
    floor_word_weight: float = 0.1  # a sentence holding the question's rare words clears everyday text more easily
    home_title_words: float = 0.2  # weight of the question's words found in the home article's title
    # how close to the best a sentence naming a place must be to open a "where" answer (or one with the centre as
    # its subject, a "what does it do" answer)
    place_margin: float = 0.15
    held_words: float = 0.8  # share of the question's words an article holds for the question to be about it


def compose(
    snapshot: Snapshot,
    question: str,
    lang: str,
    query_vector: np.ndarray,
    hits: list[FamilyHit],
    config: ComposeConfig = ComposeConfig(),
    asked: str | None = None,
    shares: dict[str, float] | None = None,
    *,
    other_centre: set[str],
) -> Answer:
    """``question`` is what was searched for; ``asked``, when it differs, is the follow-up as typed ("how many
    apprentices will it support?" after "who leads the DCU centre?"): it alone says what detail is asked for
    and which words the quoted sentence should hold. ``shares`` says how much of the question each language
    writes (`index.language.language_shares`): a half-and-half question clears everyday text by the blend of
    its languages' margins, as its vector has the blend of their means removed. ``other_centre``: the words by
    which ``asked`` names a centre other than the bot's own (`centre_named`), which ordered the hits."""
    asked = asked or question
    if unheld_term(snapshot, asked, lang):
        return Answer(question, lang, False, t("not_known", lang), note="asks what no article names")
    picked: list[tuple[Document, list[ScoredSentence]]] = []
    best_score = None
    everyday = float((snapshot.background_vectors @ query_vector).max()) if len(snapshot.background_vectors) else -1.0
    margins = config.min_relevance
    blend = shares if shares and len(shares) > 1 else {lang: 1.0}
    floor = everyday + sum(share * margins.get(language, max(margins.values())) for language, share in blend.items())
    # The words naming the bot's own subject ("орталық", "centre"), not the names in its title ("Astana").
    homes = [family_words(snapshot, f) for f in snapshot.home_families]
    subject = set().union(*(h.titles for h in homes)) - set().union(*(h.names for h in homes))
    if homes:
        subject |= _SUBJECT_WORDS
    # "Медициналық симуляция орталығы қайда ашылды?" names another body: its "орталық" is not the bot's subject,
    # and an article answers only if its title names that centre too.
    if other_centre:
        subject = set()
    kind, evidence = expected_evidence(asked) or asks_yes_or_no(asked, subject) or (None, None)
    asked_words = set(tokenize(asked))
    where = asks_where(asked)
    activity = kind is None and not where and asks_activity(asked)
    placed_of = None if other_centre else place_of(asked, _SUBJECT_WORDS)
    # The centre's own place is in its article, however everyday "Where will the centre open?" sounds.
    centre_placed = where and kind is None and placed_of is None and not other_centre and bool(
        asked_words & _SUBJECT_WORDS)
    leader = None  # closest sentence of the most relevant article, whatever it holds
    # The bot's own subject is what a question naming nothing else is about: "how many staff will the centre
    # have" is not answered by another centre's 1,100 apprentices, nor "what events will the centre hold in
    # 2026" by a forum's. For a detail, or a question naming the subject, another article counts only if the
    # question names something of its own (DCU), or is clearly closer to its title than to the home article's.
    home = set() if other_centre else (
        snapshot.home_families if evidence is not None or asked_words & subject else set())
    home_closeness = max((home_subject(snapshot, f, question, query_vector, lang, config) for f in home), default=0.0)
    home_in_lang = any(lang in snapshot.renditions[f] for f in home)
    question_words = set(tokenize(question))
    own_words = question_words - set().union(*(h.words for h in homes)) if home else set()
    names_subject = bool(question_words & subject)

    def checkable(evidence, text_lang: str):
        # A sentence in another language than the question's cannot hold the question's own words.
        return evidence if text_lang == lang else in_another_language(evidence)

    def clearance(s: ScoredSentence) -> float:
        # How far a sentence stands over everyday text: closeness, and the question's rare words it holds.
        return s.dense + config.floor_word_weight * s.shared

    def home_margin(family: str) -> float:
        # Naming the other article's own subject says more than a title's cosine can; so do words the home
        # articles lack and the other holds with nearly all the question's ("Сколько соглашений подписали
        # казахстанские компании на бизнес-форуме?"), unless the question names the bot's subject.
        words = family_words(snapshot, family)
        named = bool(own_words & words.names) or (
            not names_subject and len(own_words & words.words) >= 2
            and len(question_words & words.words) >= config.held_words * len(question_words))
        if not named and _THERE.search(question):
            return float("inf")
        # A title in the question's language is closer than one in another for the same meaning.
        across = not home_in_lang and lang in snapshot.renditions[family]
        return (config.home_margin_named if named else config.home_margin) + (
            config.home_margin_across if across else 0.0)

    for hit in hits[: config.max_sources + 1]:
        doc = rendition(snapshot, hit, lang)
        scored = best_sentences(snapshot, doc.id, query_vector, asked, config.sentence_lexical_weight)
        if not scored:
            continue
        article = scored  # every sentence, before the checks below keep those that can answer
        closest = max(s.dense for s in scored)
        if leader is None:
            leader = closest
        if other_centre and not any(map(family_words(snapshot, hit.family).titled, other_centre)):
            continue  # first in the list are those it names (`names_first`): the rest cannot answer
        if home and hit.family not in home and (
            title_closeness(snapshot, titled(snapshot, hit.family, lang), query_vector)
            < home_closeness + home_margin(hit.family)
        ):
            continue
        if evidence is not None:
            # A less relevant article that happens to hold a price or a director is about something else.
            if closest < leader - config.source_margin:
                continue
            check = checkable(evidence, doc.lang)
            if check is not None:
                scored = [s for s in scored if check.search(s.sentence.text)]
            if kind == "person":
                scored = [s for s in scored if not heads_another_body(question, s.sentence.text)
                          and not lacks_the_title(asked, s.sentence.text)]
            if kind == "time":
                scored = [s for s in scored if not dates_too_early(asked, s.sentence.text, doc.date)]
            # Another article's price or count answers only a question about something it names: "How much do
            # the courses cost?" is not answered by a simulation centre's 420 million baht (whether or not the
            # home rule applies: not to a question naming another centre).
            if kind in ("money", "count") and snapshot.home_families and hit.family not in snapshot.home_families and (
                    doc.lang == lang):
                about = asked_about(asked, kind) - subject
                if about:
                    title = set(tokenize(doc.title))
                    scored = [s for s in scored if about & (title | set(tokenize(s.sentence.text)))]
        place_check = None if placed_of is None else checkable(placed_of, doc.lang)
        if place_check is not None:
            scored = [s for s in scored if names_a_place(s.sentence.text) and place_check.search(s.sentence.text)]
        if not scored:
            continue
        # The sentence naming a source or a delegate says little of the topic ("This was reported by the
        # Ministry"): whether the article answers is judged by its closest sentence.
        top = max(clearance(s) for s in (article if kind in _SAID_IN_PASSING else scored))
        home_placed = centre_placed and hit.family in snapshot.home_families
        if home_placed and any(names_a_place(s.sentence.text) for s in scored):
            top = max(top, floor)
        # Its rendition in each other language of a half-and-half question holds the words borrowed from that
        # language ("орталық" in "Где будет орталық?"): the closest of them says whether the article answers.
        for other_lang in set(blend) - {doc.lang}:
            other_id = snapshot.renditions.get(hit.family, {}).get(other_lang)
            if other_id is None:
                continue
            other = best_sentences(snapshot, other_id, query_vector, asked, config.sentence_lexical_weight)
            check = None if evidence is None else checkable(evidence, other_lang)
            top = max([top, *(clearance(s) for s in other if check is None or check.search(s.sentence.text))])
        if best_score is None:
            if top < floor:
                break
            best_score = top
        elif top < max(floor, best_score - config.source_margin) or len(picked) >= config.max_sources:
            continue
        # "Where will the centre be created?" is answered by the sentence naming Astana, not by one sharing
        # "creating" with it ("Uzbekistan has proposed creating a Community..."). Elsewhere only one nearly as
        # close: Kazakh often names a place in a form the pattern does not know ("Құсмұрын бекетінде туған"),
        # and a sentence far below the best is about something else.
        opener = names_a_place if where else _opens_with_actor if activity else None
        margin = inf if home_placed else config.place_margin
        candidates = [s for s in scored if s.score >= scored[0].score - margin
                      and opener(s.sentence.text)] if opener else []
        candidates = candidates or scored
        lead = candidates[0].score
        # Best first: the sentence that opens the answer is the one closest to the question.
        chosen = [s for s in candidates[: config.max_sentences] if s.score >= lead - config.sentence_margin]
        picked.append((doc, continued(chosen, article, config.max_sentences)))
    if not picked:
        return Answer(question, lang, False, t("not_known", lang), note="no passage is relevant enough")
    return quoting(question, lang, picked)


def _opens_with_actor(sentence: str) -> bool:
    return opens_with_actor(strip_dateline(sentence))


def unheld_term(snapshot: Snapshot, question: str, lang: str) -> bool:
    """Whether the question asks what or who something is ("What is Baiterek?", "Бәйтерек деген не?") that no
    article names, by stem or by name key. One word only, and only where there are articles in the question's
    language: the words of "What is the Central Asian Regional Centre?" need not be in a Kazakh-only article
    that answers it."""
    term = defined_term(question)
    if term is None or " " in term or lang not in snapshot.languages:
        return False
    lexical = snapshot.lexical
    return not any(len(lexical.rows_with(token)) for token in [*tokenize(term), name_key(term)] if token)


def centre_named(snapshot: Snapshot, question: str, lang: str) -> set[str]:
    """The words by which a question names a centre other than the bot's own (`evidence.another_centre`).
    Words can be missed only in the languages the home articles are written in: "Новый центр немен
    айналысады?" borrows a Russian word the Kazakh-only article cannot hold."""
    homes = [family_words(snapshot, f) for f in snapshot.home_families]
    home_langs = set().union(*(snapshot.renditions[f] for f in snapshot.home_families))
    return {word for word in another_centre(question, set().union(*(h.words for h in homes)))
            if word_language(word, lang) in home_langs}


def names_first(snapshot: Snapshot, hits: list[FamilyHit], named: set[str]) -> list[FamilyHit]:
    """The articles whose title names the centre a question names (`centre_named`) first, each list in its
    order: "Симуляция орталығын кім басқарады?" ranked the bot's own centre first for its "орталық"."""
    if not named:
        return hits
    return sorted(hits, key=lambda hit: not any(map(family_words(snapshot, hit.family).titled, named)))


def go_on(snapshot: Snapshot, told: dict[str, str], question: str, lang: str, query_vector: np.ndarray,
          config: ComposeConfig = ComposeConfig()) -> Answer:
    """"Tell me more" after an answer to ``question``: the sentences its first article with any left has not
    told yet (``told``: doc id -> what it quoted), the closest to the question among them, in the article's
    order; "that is all" once every sentence has been told."""
    for doc_id, said in told.items():
        if doc_id not in snapshot.documents:  # reindexed away since
            continue
        scored = best_sentences(snapshot, doc_id, query_vector, question, config.sentence_lexical_weight)
        rest = [s for s in scored if strip_dateline(s.sentence.text) not in said]
        if rest:
            chosen = sorted(rest[: config.max_sentences], key=lambda s: s.sentence.row)
            return quoting(question, lang, [(snapshot.documents[doc_id], chosen)])
    return Answer(question, lang, False, t("no_more", lang), note=NO_MORE)


def untold(snapshot: Snapshot, told: dict[str, str]) -> bool:
    """Whether "tell me more" would quote something: an article in ``told`` has a sentence not told yet."""
    return any(strip_dateline(snapshot.sentences[row].text) not in said
               for doc_id, said in told.items() if doc_id in snapshot.documents
               for row in snapshot.sentence_rows.get(doc_id, ()))


def quoting(question: str, lang: str, picked: list[tuple[Document, list[ScoredSentence]]]) -> Answer:
    """An answer quoting each article's chosen sentences, each followed by its citation number."""
    citations, parts = [], []
    for n, (doc, sentences) in enumerate(picked, 1):
        quote = " ".join(strip_dateline(s.sentence.text) for s in sentences)
        citations.append(Citation.of(n, doc, quote, max(s.dense for s in sentences)))
        text = " ".join(f"{strip_dateline(s.sentence.text)} [{n}]" for s in sentences)
        if doc.lang != lang:
            text = f"{t('only_in', lang, language=LANGUAGE_IN[lang][doc.lang])}\n{text}"
        parts.append(text)
    return Answer(question, lang, True, "\n\n".join(parts), citations)
