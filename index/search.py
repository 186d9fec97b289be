"""Hybrid search over a snapshot: ranked lists of articles fused by a weighted sum of their scores.

Three lists, each taken from the top of its index only (the cost stays flat as the knowledge grows):
dense chunks (FAISS), lexical chunks (BM25) and, for the articles those two found, the best single
sentence. Results are grouped by article family (an article and its renditions), so the Kazakh original
and its Russian rendition never compete for the same slot; the caller picks the rendition to quote.

Each list scores an article by its best chunk (or sentence), min-max normalised over the list's own top, and
the normalised scores are summed with weights (a convex combination, Bruch et al. 2023). Unlike reciprocal
rank fusion it keeps how far apart the scores are: an article that matches the question's words far better
than the next one counts for more than the winner of a close race.

BM25 can only match an article written in the asker's language. An article with no rendition in that
language gets, in place of its lexical score, its dense one: otherwise every Russian article would beat
the Kazakh one that answers a Russian question, just by sharing everyday words. So does every article when
none in the asker's language matches a word of the question. Names are the exception: they match in any
language and script (`index.names`), and when the question names something only a few articles name, an
article that does not name it gets no lexical score at all. And beside articles that stand in their dense
score, an article BM25 can match is judged by it only on the share of the question's words it holds.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from index.documents import Document, choose_rendition
from index.lexical import tokenize
from index.names import article_name_keys, loose_key, question_name_keys
from index.snapshot import ChunkRow, SentenceRow, Snapshot

MODES = ("hybrid", "dense", "lexical")
_NAMED_SHARE = 0.1  # a name held by more of the families than this names nothing in particular


@dataclass(frozen=True)
class SearchConfig:
    depth: int = 50  # chunks taken from the top of each index
    rrf_k: int = 60  # fuses several searches of one question (`fuse`)
    dense_weight: float = 1.0
    lexical_weight: float = 0.5
    sentence_weight: float = 0.5
    families: int = 10  # articles returned


@dataclass(frozen=True)
class Passage:
    chunk: ChunkRow
    doc: Document
    dense: float  # cosine similarity of question and chunk (language-neutral space)
    lexical: float  # BM25 score


@dataclass(frozen=True)
class FamilyHit:
    family: str
    passages: list[Passage]  # best first
    score: float  # fused: weighted sum of the lists' normalised scores

    @property
    def best(self) -> Passage:
        return self.passages[0]


@dataclass(frozen=True)
class ScoredSentence:
    sentence: SentenceRow
    score: float  # what orders the sentences: closeness plus shared words
    dense: float  # closeness alone (cosine), comparable with everyday text
    shared: float = 0.0  # share of the question's (rare) words it holds, 0-1


def family_ranks(families) -> dict[str, int]:
    """1-based rank of each family by its first appearance in a ranked list of families."""
    ranks: dict[str, int] = {}
    for family in families:
        ranks.setdefault(family, len(ranks) + 1)
    return ranks


def search(
    snapshot: Snapshot,
    query_vector: np.ndarray,
    query_text: str,
    query_lang: str,
    mode: str = "hybrid",
    config: SearchConfig = SearchConfig(),
) -> list[FamilyHit]:
    """Articles for a question, best first. ``query_vector`` is already in the index's neutral space."""
    n = len(snapshot.chunks)
    if n == 0:
        return []
    depth = min(config.depth, n)
    scores, ids = snapshot.faiss.search(query_vector.reshape(1, -1).astype(np.float32), depth)
    dense = {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}
    lexical = dict(zip(*snapshot.lexical.top(query_text, depth), strict=True)) if mode != "dense" else {}

    families = snapshot.chunk_families
    dense_scores = min_max(best_of_family(dense, families))
    lexical_rows = best_rows_of_family(lexical, families)
    lexical_scores = min_max({f: lexical[row] for f, row in lexical_rows.items()})
    found = {**dense_scores, **lexical_scores}  # insertion order breaks ties the same way every time
    sentence_scores = min_max({f: best_family_sentence(snapshot, f, query_vector) for f in found})

    # When no article in the asker's language matches a word of the question ("Центр қай қалада открывается?"
    # asked of Kazakh articles), BM25 says nothing about any article: all take their dense score.
    words_matched = any(query_lang in snapshot.renditions.get(f, {}) for f in lexical_scores)
    named = named_families(snapshot, query_text) if mode == "hybrid" else {}
    # Beside articles BM25 cannot match (they stand in their dense score), an article it can is judged by
    # BM25 only on the part of the question its words cover, by meaning on the rest: a Russian distractor
    # sharing "встреча" and "страны" must not outweigh the Kazakh article that answers the whole question.
    stand_ins = any(query_lang not in snapshot.renditions.get(f, {}) for f in found)
    coverage = word_coverage(snapshot, lexical_rows, query_text) if mode == "hybrid" and stand_ins else {}
    fused: dict[str, float] = {}
    for f in found:
        own_language = query_lang in snapshot.renditions.get(f, {})
        if mode == "lexical":
            if own_language and f in lexical_scores:
                fused[f] = lexical_scores[f]
            continue
        fused[f] = config.dense_weight * dense_scores.get(f, 0.0) + config.sentence_weight * sentence_scores[f]
        if mode == "hybrid":
            # An article the question's words cannot match (another language) counts its dense score instead.
            matchable = own_language and words_matched
            lexical_score = lexical_scores.get(f, 0.0) if matchable else dense_scores.get(f, 0.0)
            if matchable and f in coverage:
                covered = coverage[f] ** 0.5
                lexical_score = covered * lexical_score + (1.0 - covered) * dense_scores.get(f, 0.0)
            if named:
                # The question names something few articles name, in any script: the names are the words
                # that say most, and the only ones that match across languages.
                lexical_score = max(lexical_score, named[f]) if f in named else 0.0
            fused[f] += config.lexical_weight * lexical_score

    ranked = sorted(fused, key=lambda f: -fused[f])[: config.families]
    # Rows are read only for the families returned.
    wanted = set(ranked)
    passages: dict[str, list[Passage]] = {}
    for row in sorted(set(dense) | set(lexical), key=lambda i: (-dense.get(i, -1.0), -lexical.get(i, 0.0))):
        if families[row] in wanted:
            chunk = snapshot.chunks[row]
            passages.setdefault(families[row], []).append(
                Passage(chunk, snapshot.documents[chunk.doc_id], dense.get(row, 0.0), lexical.get(row, 0.0))
            )
    return [FamilyHit(f, passages[f], fused[f]) for f in ranked]


def word_coverage(snapshot: Snapshot, best: dict[str, int], query_text: str) -> dict[str, float]:
    """For each family BM25 found (``best``: its best chunk's row), the share of the question's words that chunk
    holds, each word weighted by how rare it is among the chunks (a word no chunk holds weighs most)."""
    tokens = sorted(set(tokenize(query_text)))
    if not tokens or not best:
        return {}
    rows = np.fromiter(best.values(), dtype=np.int64, count=len(best))
    n = len(snapshot.chunks)
    weights = np.zeros(len(tokens))
    held = np.zeros((len(rows), len(tokens)), dtype=bool)
    for j, token in enumerate(tokens):
        holders = snapshot.lexical.rows_with(token)
        weights[j] = np.log(1.0 + (n - len(holders) + 0.5) / (len(holders) + 0.5))
        held[:, j] = contains_sorted(holders, rows)
    return dict(zip(best, (held @ weights / weights.sum()).tolist(), strict=True))


def contains_sorted(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """Which needles a sorted array holds (binary search: a common word's rows are many)."""
    if not len(haystack):
        return np.zeros(len(needles), dtype=bool)
    at = np.minimum(np.searchsorted(haystack, needles), len(haystack) - 1)
    return haystack[at] == needles


def holds_any(rows: np.ndarray, wanted: range) -> bool:
    """Whether sorted ``rows`` has one in ``wanted``."""
    at = int(np.searchsorted(rows, wanted.start))
    return at < len(rows) and rows[at] < wanted.stop


def named_families(snapshot: Snapshot, query_text: str) -> dict[str, float]:
    """The families that name what the question names, each with the share of those names it holds.

    A name counts when no more than _NAMED_SHARE of the families name it ("Бухарест", "Madibekov", not
    "Қазақстан"). Empty when the question names nothing of the kind."""
    families = snapshot.chunk_families
    most = max(1, int(len(snapshot.renditions) * _NAMED_SHARE))
    holders: dict[str, set[str]] = {}
    for word, key in question_name_keys(query_text).items():
        named_rows = snapshot.lexical.rows_with(key)
        # An everyday word that some article happens to capitalise ("Ғылым академиясы") is not a name: most
        # of the rows with the word must hold it as a name.
        word_rows = np.concatenate([snapshot.lexical.rows_with(token) for token in tokenize(word)] or [named_rows])
        if int((~contains_sorted(named_rows, word_rows)).sum()) * 2 > len(word_rows):
            continue
        found = set(families[named_rows].tolist())
        if 0 < len(found) <= most:
            holders[key] = found
    if not holders:
        return {}
    weight = {key: np.log(len(snapshot.renditions) / len(found)) + 1.0 for key, found in holders.items()}
    total = sum(weight.values())
    shares: dict[str, float] = {}
    for key, found in holders.items():
        for family in found:
            shares[family] = shares.get(family, 0.0) + weight[key] / total
    return shares


def fuse(lists: list[list[FamilyHit]], config: SearchConfig = SearchConfig()) -> list[FamilyHit]:
    """One ranking from several searches of the same question (say, as asked and rendered in the other
    languages): reciprocal rank fusion of the articles, their passages pooled, closest first."""
    fused: dict[str, float] = {}
    pooled: dict[str, dict[int, Passage]] = {}
    for hits in lists:
        for rank, hit in enumerate(hits, 1):
            fused[hit.family] = fused.get(hit.family, 0.0) + 1.0 / (config.rrf_k + rank)
            seen = pooled.setdefault(hit.family, {})
            for passage in hit.passages:
                kept = seen.get(passage.chunk.row)
                if kept is None or passage.dense > kept.dense:
                    seen[passage.chunk.row] = passage
    ranked = sorted(fused, key=lambda f: -fused[f])[: config.families]
    return [FamilyHit(f, sorted(pooled[f].values(), key=lambda p: -p.dense), fused[f]) for f in ranked]


def best_of_family(scores: dict[int, float], families) -> dict[str, float]:
    """Each family's best chunk score, families in the order of the list (best first)."""
    return {family: scores[row] for family, row in best_rows_of_family(scores, families).items()}


def best_rows_of_family(scores: dict[int, float], families) -> dict[str, int]:
    """Each family's best-scoring chunk row, families in the order of the list (best first)."""
    best: dict[str, int] = {}
    for row, _ in sorted(scores.items(), key=lambda item: -item[1]):
        best.setdefault(families[row], row)
    return best


def min_max(scores: dict[str, float]) -> dict[str, float]:
    """Scores onto [0, 1] over the list's own top: cosines and BM25 scores have no common scale."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    return {f: (s - low) / (high - low) if high > low else 1.0 for f, s in scores.items()}


def best_family_sentence(snapshot: Snapshot, family: str, query_vector: np.ndarray) -> float:
    """Cosine of the question and the closest sentence of any of the family's renditions."""
    best = -1.0
    for doc_id in snapshot.renditions.get(family, {}).values():
        rows = snapshot.sentence_rows.get(doc_id)
        if rows:
            best = max(best, float((snapshot.sentence_vectors[rows.start : rows.stop] @ query_vector).max()))
    return best


def rendition(snapshot: Snapshot, hit: FamilyHit, lang: str) -> Document:
    """The family's article in ``lang`` if there is one, else the article the best passage came from."""
    family = [snapshot.documents[doc_id] for doc_id in snapshot.renditions.get(hit.family, {}).values()]
    return choose_rendition(family, lang, fallback=hit.best.doc)


def titled(snapshot: Snapshot, family: str, lang: str) -> Document:
    """The family's article whose title a question in ``lang`` is compared with: its own, else the original."""
    return choose_rendition([snapshot.documents[d] for d in snapshot.renditions[family].values()], lang)


def title_closeness(snapshot: Snapshot, doc: Document, query_vector: np.ndarray) -> float:
    """How close the question is to the article's title (cosine in the language-neutral space)."""
    return float(snapshot.title_vectors[doc.id] @ query_vector)


_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@dataclass(frozen=True)
class FamilyWords:
    """The word tokens of a family's articles."""

    words: frozenset[str]  # every one, titles included
    titles: frozenset[str]  # those of its titles
    # acronyms (DCU, AITU, ҚазҰУ) and words written with a capital inside a sentence and never without one
    # ("Астана", not the "Орталық" of "Орталық Азия")
    names: frozenset[str]
    title_keys: frozenset[str]  # loose script-neutral keys of its titles' words ("~simu": "simulation", "симуляция")

    def titled(self, word: str) -> bool:
        """Whether a title of the family writes ``word``, in its language or in another script."""
        return bool(self.titles.intersection(tokenize(word))) or loose_key(word) in self.title_keys


# The home articles' words are asked for by every question, another article's whenever it is a candidate, and
# questions keep meeting the same few: a snapshot never changes, so each family's words are read from SQLite
# once per snapshot (and forgotten with it), the home ones kept, the last _OTHERS_KEPT others too.
_OTHERS_KEPT = 256
_WORDS: weakref.WeakKeyDictionary[Snapshot, tuple[dict[str, FamilyWords], OrderedDict[str, FamilyWords]]] = (
    weakref.WeakKeyDictionary())
_WORDS_LOCK = threading.Lock()  # the bot answers from several threads


def family_words(snapshot: Snapshot, family: str) -> FamilyWords:
    with _WORDS_LOCK:
        home, others = _WORDS.setdefault(snapshot, ({}, OrderedDict()))
        kept = home.get(family) or others.get(family)
        if kept is not None:
            if family in others:
                others.move_to_end(family)
            return kept
    words = _read_family_words(snapshot, family)
    with _WORDS_LOCK:
        if family in snapshot.home_families:
            home[family] = words
        else:
            others[family] = words
            while len(others) > _OTHERS_KEPT:
                others.popitem(last=False)
    return words


def _read_family_words(snapshot: Snapshot, family: str) -> FamilyWords:
    words: set[str] = set()
    titles: set[str] = set()
    capitalised: set[str] = set()
    lower: set[str] = set()
    title_keys: set[str] = set()
    for doc_id in snapshot.renditions[family].values():
        title = snapshot.documents[doc_id].title
        titles.update(tokenize(title))
        title_keys.update(loose_key(word) for word in _WORD.findall(title))
        for row in snapshot.sentence_rows.get(doc_id, ()):
            for i, word in enumerate(_WORD.findall(snapshot.sentences[row].text)):
                tokens = tokenize(word)
                words.update(tokens)
                if sum(c.isupper() for c in word) > 1 or (i and word[0].isupper()):
                    capitalised.update(tokens)
                elif word[0].islower():
                    lower.update(tokens)
    return FamilyWords(frozenset(words | titles), frozenset(titles), frozenset(capitalised - lower),
                       frozenset(title_keys - {""}))


def best_sentences(
    snapshot: Snapshot, doc_id: str, query_vector: np.ndarray, query_text: str = "", lexical_weight: float = 0.0
) -> list[ScoredSentence]:
    """The article's sentences, closest to the question first.

    With ``lexical_weight``, a sentence also scores by the share of the question's words it contains, each
    word weighted by how rare it is in the article: "where will the secretariat be" should open with the
    sentence that names the secretariat, not with the one most like the article's topic.
    """
    rows = snapshot.sentence_rows.get(doc_id)
    if not rows:
        return []
    dense = snapshot.sentence_vectors[rows.start : rows.stop] @ query_vector.astype(np.float32)
    shared = np.zeros_like(dense)
    sentences = snapshot.sentences[rows.start : rows.stop]
    query_words = set(tokenize(query_text)) if lexical_weight else set()
    if query_words:
        texts = [sentence.text for sentence in sentences]
        held = [set(tokenize(text)) for text in texts]
        # A name the article writes in another script ("Madibekov", "Мәдібеков") is held by its key. The
        # index says which articles hold a key, so sentences are read for names only in those.
        anywhere = set().union(*held)
        chunks = snapshot.chunk_rows.get(doc_id, range(0))
        sentence_keys: list[set[str]] | None = None
        for word, key in question_name_keys(query_text).items():
            tokens = set(tokenize(word))
            if not tokens or tokens & anywhere or not holds_any(snapshot.lexical.rows_with(key), chunks):
                continue
            if sentence_keys is None:
                sentence_keys = [set(article_name_keys(text)) for text in texts]
            if any(key in keys for keys in sentence_keys):
                query_words = (query_words - tokens) | {key}
                held = [h | {key} if key in keys else h for h, keys in zip(held, sentence_keys, strict=True)]
        words = [h & query_words for h in held]
        frequency = {w: sum(w in s for s in words) for w in query_words}
        weight = {w: np.log((1 + len(words)) / (1 + f)) for w, f in frequency.items()}
        total = sum(weight.values())
        if total > 0:
            shared = np.array([sum(weight[w] for w in s) / total for s in words], dtype=dense.dtype)
    scores = dense + lexical_weight * shared
    order = np.argsort(-scores, kind="stable")
    return [ScoredSentence(sentences[int(i)], float(scores[i]), float(dense[i]), float(shared[i])) for i in order]
