"""The question-answering service shared by the CLI and the Telegram bot.

question -> language -> query embedding -> hybrid search -> extractive answer (-> optional LLM answer).
The index is loaded once and swapped for the new generation after a reindex, without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from pathlib import Path

import contractions
import numpy as np

from bot.messages import LANGS, t
from bot.ops.logging import kv
from bot.qa.compose import Answer, ComposeConfig, Usage, centre_named, compose, go_on, names_first, untold
from bot.qa.followup import Conversations, Quoted
from bot.qa.llm import Delta, LLMAnswerer
from bot.qa.question import asks_for_more, clean_question, has_words, small_talk
from bot.qa.translate import Outcome, Translator, sync_renditions
from bot.settings import Settings
from index.builder import Progress, ReindexReport, is_stale, reindex
from index.chunking import ChunkingConfig
from index.embeddings import BUNDLED_NAMES, DEFAULT_MODEL, Embedder, SerializedEmbedder, load_embedder
from index.language import language_shares, question_language, restore_kazakh_letters, russian_from_latin
from index.search import FamilyHit, SearchConfig, fuse, search
from index.snapshot import (
    FORMAT,
    DiskFull,
    IndexMissing,
    Manifest,
    Snapshot,
    current_generation,
    index_root,
    is_disk_full,
)
from index.text import error_text

NO_ARTICLES = "no articles yet"  # Answer.note of a question asked while the knowledge folder is empty
NO_WORDS = "no words in the question"
NOTHING_BEFORE = "asked for more with no answer before it"
FORGOTTEN = "asked for more of an answer no longer remembered"
INDEX_OTHER_MODEL = "the index was built with another embedding model"
log = logging.getLogger(__name__)


class IndexModelMismatch(IndexMissing):
    """The live index was built with another embedding model and no generation of ours is left."""

    def __init__(self, built_with: str, configured: str):
        super().__init__(f"the index was built with {built_with}, but the configured model is {configured}: "
                         "run `centre-bot reindex`")


class Assistant:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        chunking: ChunkingConfig = ChunkingConfig(),
        search_config: SearchConfig = SearchConfig(),
    ):
        self.settings = settings
        self.chunking = chunking
        self.search_config = search_config
        self.compose_config = (
            ComposeConfig(min_relevance=dict.fromkeys(LANGS, settings.min_relevance))
            if settings.min_relevance is not None
            else ComposeConfig()
        )
        self._embedder = SerializedEmbedder(embedder) if embedder is not None else None
        self._snapshot: Snapshot | None = None
        self._live: str | None = None  # the generation _snapshot was chosen for
        self._lock = threading.Lock()
        self._llm: LLMAnswerer | None = LLMAnswerer(settings) if settings.llm_enabled else None
        self.conversations = Conversations()

    @property
    def knowledge_dir(self) -> Path:
        return Path(self.settings.knowledge_dir)

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = SerializedEmbedder(load_embedder(self.settings.embedding_model))
        return self._embedder

    def warm_up(self) -> None:
        """Start the model's first run (~1 s of set-up) in the background, while the index is checked and
        loaded: the first question then waits for it less. The engine releases the GIL meanwhile."""
        embedder = self.embedder
        threading.Thread(target=embedder.embed_queries, args=(["warm-up"],), daemon=True).start()

    def stale_reason(self) -> str:
        return is_stale(self.knowledge_dir, self.data_dir, self.settings.embedding_model, self.chunking)

    def reindex(self, progress: Progress | None = None) -> ReindexReport:
        outcome = self._machine_renditions(progress)
        try:
            report = reindex(self.knowledge_dir, self.data_dir, self.embedder, self.chunking, progress)
        except DiskFull:
            raise
        except Exception as exc:
            if is_disk_full(exc):  # the embedding cache or the run log could not be written
                raise DiskFull(self.data_dir) from exc
            raise
        self._snapshot, self._live = None, None
        report.renditions_made, report.renditions_removed = outcome.made, outcome.removed
        report.renditions_failed, report.renditions_too_long = outcome.failed, outcome.too_long
        return report

    def _machine_renditions(self, progress: Progress | None) -> Outcome:
        """Translations of the articles into the languages they lack, written before the build indexes them."""
        if self._llm is None or not self.settings.translate_enabled:
            return Outcome()
        try:
            return sync_renditions(self.knowledge_dir, Translator(self._llm), self.settings.llm_translate_max_chars,
                                   progress)
        except Exception as exc:
            log.warning(kv(event="machine_renditions_failed", error=error_text(exc, 300)), exc_info=exc)
            return Outcome()

    def ensure_index(self, progress: Progress | None = None) -> ReindexReport | None:
        """Build or refresh the index when it is missing or does not match the knowledge and settings."""
        if self.stale_reason():
            return self.reindex(progress)
        return None

    @property
    def model_name(self) -> str:
        """The embedding model questions are embedded with (the bundled one under any of its names)."""
        if self._embedder is not None:
            return self._embedder.name
        name = self.settings.embedding_model.strip()
        return DEFAULT_MODEL if name in BUNDLED_NAMES else name

    def index_model_problem(self) -> tuple[str, str] | None:
        """(model of the live index, configured model) when they differ: another process rebuilt the index."""
        live = current_generation(self.data_dir)
        if live is None:
            return None
        built_with = Manifest.read(index_root(self.data_dir) / live).model
        return (built_with, self.model_name) if built_with != self.model_name else None

    def snapshot(self) -> Snapshot:
        """The live generation, reloaded when a reindex (here or in another process) replaced it.

        Vectors of another model would silently match nothing (or fail on another dimension): a live index
        built with another model is replaced by the newest kept generation of ours, or refused.
        """
        with self._lock:
            live = current_generation(self.data_dir)
            if live is None:
                raise IndexMissing(f"No index in {self.data_dir} yet: run `centre-bot reindex`.")
            if self._live != live:
                self._snapshot, self._live = None, live
                problem = self.index_model_problem()
                if problem is None:
                    self._snapshot = Snapshot.open_current(self.data_dir)
                else:
                    fallback = self._generation_of(self.model_name)
                    log.warning(kv(event="index_model_mismatch", generation=live, built_with=problem[0],
                                   configured=problem[1], using=fallback.name if fallback else None,
                                   fix="run `centre-bot reindex` with the configured model"))
                    self._snapshot = Snapshot(fallback) if fallback is not None else None
            if self._snapshot is None:
                built_with, configured = self.index_model_problem() or ("?", self.model_name)
                raise IndexModelMismatch(built_with, configured)
            return self._snapshot

    def _generation_of(self, model: str) -> Path | None:
        root = index_root(self.data_dir)
        for folder in sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True):
            try:
                manifest = Manifest.read(folder)
            except (OSError, ValueError, TypeError):
                continue
            if manifest.model == model and manifest.format == FORMAT:
                return folder
        return None

    def ask(
        self, question: str, lang: str | None = None, mode: str = "hybrid", use_llm: bool = True,
        conversation: object | None = None, on_delta: Delta | None = None, more_of: int | None = None,
    ) -> Answer:
        """``conversation`` (a chat id, say) lets a follow-up lean on that conversation's previous question;
        ``on_delta`` receives a generative answer as it streams (called from a worker thread); ``more_of``
        (from a "tell me more" button, see ``more_to_tell``) goes on with that answer, not the last one."""
        return self.ask_ranked(question, lang, mode, use_llm, conversation, on_delta, more_of)[0]

    def ask_ranked(
        self, question: str, lang: str | None = None, mode: str = "hybrid", use_llm: bool = True,
        conversation: object | None = None, on_delta: Delta | None = None, more_of: int | None = None,
    ) -> tuple[Answer, list[FamilyHit]]:
        """The answer and the ranked articles it was chosen from (for evaluation)."""
        started = time.perf_counter()
        text = clean_question(question)
        detected = question_language(text)
        language = lang if lang in LANGS else detected.lang

        def reply(key: str, note: str, is_question: bool = True) -> tuple[Answer, list[FamilyHit]]:
            timings = {"embed": 0.0, "search": 0.0, "compose": 0.0, "total": _ms(started)}
            answer = Answer(question, language, False, t(key, language), note=note, is_question=is_question,
                            timings_ms=timings)
            return answer, []

        if not has_words(text):
            return reply("empty_question", NO_WORDS, is_question=False)
        if key := small_talk(text):
            return reply(key, "small talk", is_question=False)
        try:
            snapshot = self.snapshot()
        except IndexModelMismatch:
            return reply("no_index", INDEX_OTHER_MODEL)
        except IndexMissing:
            return reply("no_index", "no index")
        if not snapshot.documents:
            return reply("no_articles", NO_ARTICLES)
        if detected.lang == "kk":
            text = restore_kazakh_letters(text, snapshot.kk_lexicon, latin=detected.latin)
        elif detected.latin:
            text = russian_from_latin(text)
        elif detected.lang == "en":
            # Typed on a phone: the model reads "What's the Hub?" or "whats the hub" as nearer a greeting than
            # the Hub, and "what is the hub" right. The library knows the forms (slang too: "wheres", "u").
            text = contractions.fix(text)
        text = _as_sentence(text)
        standalone = text
        llm = self._llm if use_llm else None
        if conversation is not None and llm is None and (more_of is not None or asks_for_more(question)):
            quoted = self.conversations.quoted(conversation, more_of)
            if quoted is None:
                if more_of is None:
                    return reply("more_of_what", NOTHING_BEFORE, is_question=False)
                return reply("more_forgotten", FORGOTTEN, is_question=False)
            return self._go_on(snapshot, conversation, quoted, question, language, started), []
        usage = Usage()
        rewritten = None
        if conversation is not None:
            history = self.conversations.history(conversation) if llm is not None else []
            if llm is not None and history:
                rewritten = llm.standalone(history, text, usage)
            text = rewritten or self.conversations.in_context(conversation, text)
        renditions: dict[str, str] = {}
        if llm is not None and self.settings.llm_cross_language:
            renditions = llm.renditions(text, detected.lang, usage)
        t0 = time.perf_counter()
        queries = [(text, detected.lang), *((q, lang_) for lang_, q in renditions.items())]
        follow_up = text != standalone and not rewritten
        vectors = self.embedder.embed_queries([q for q, _ in queries] + ([standalone] if follow_up else []))
        shares = language_shares(text, detected.lang)
        vector = snapshot.query_vector(vectors[0], detected.lang, shares)
        t1 = time.perf_counter()
        hits = search(snapshot, vector, text, detected.lang, mode=mode, config=self.search_config)
        if len(queries) > 1:  # a Russian question finds the Kazakh-only article by its Kazakh words too
            hits = fuse([hits, *(search(snapshot, snapshot.query_vector(v, lang_), q, lang_, mode=mode,
                                        config=self.search_config)
                                 for (q, lang_), v in zip(queries[1:], vectors[1:len(queries)], strict=True))],
                        self.search_config)
        named = centre_named(snapshot, standalone if follow_up else text, language)
        hits = names_first(snapshot, hits, named)
        t2 = time.perf_counter()
        quoting = vector
        if follow_up:
            # The article is found with the previous question; the sentence must answer this one: "а где его
            # секретариат?" after "что такое хаб?" should not quote what the Hub is again.
            as_typed = language_shares(standalone, detected.lang)
            quoting = vector + snapshot.query_vector(vectors[-1], detected.lang, as_typed)
            quoting = quoting / np.linalg.norm(quoting)
        answer = compose(snapshot, text, language, quoting, hits, self.compose_config,
                         asked=standalone if follow_up else None, shares=shares, other_centre=named)
        answer.question = question
        if llm is not None and hits:
            answer = llm.answer(text, language, snapshot, _cited_first(snapshot, hits, answer), answer, usage,
                                on_delta)
        if conversation is not None and answer.answered and not follow_up:
            self.conversations.remember(conversation, text)
        if conversation is not None:
            told = {c.doc_id: c.quote for c in answer.citations}
            self.conversations.quote(conversation, Quoted(text, vector, told) if answer.answered else None)
        if conversation is not None and llm is not None:
            self.conversations.add_turn(conversation, text, answer.answer)
        t3 = time.perf_counter()
        answer.timings_ms = {
            "embed": (t1 - t0) * 1000, "search": (t2 - t1) * 1000, "compose": (t3 - t2) * 1000, "total": _ms(started),
        }
        return answer, hits

    def more_to_tell(self, conversation: object) -> int | None:
        """The number of this conversation's last answer (``more_of``) when "tell me more" would quote more of
        its articles, else None."""
        quoted = self.conversations.quoted(conversation)
        if quoted is None or self._llm is not None:
            return None
        try:
            return quoted.number if untold(self.snapshot(), quoted.told) else None
        except (IndexMissing, IndexModelMismatch):
            return None

    def _go_on(self, snapshot: Snapshot, conversation: object, quoted: Quoted, question: str, language: str,
               started: float) -> Answer:
        """"Tell me more": the next sentences of what ``quoted`` (an answer of this conversation) quoted."""
        t0 = time.perf_counter()
        answer = go_on(snapshot, quoted.told, quoted.question, language, quoted.vector, self.compose_config)
        answer.question = question
        answer.is_question = answer.answered  # "that is all" is no gap in the knowledge for /unanswered
        if answer.answered:
            told = dict(quoted.told)
            for c in answer.citations:
                told[c.doc_id] = f"{told.get(c.doc_id, '')} {c.quote}"
            self.conversations.quote(conversation, replace(quoted, told=told))
        answer.timings_ms = {"embed": 0.0, "search": 0.0, "compose": _ms(t0), "total": _ms(started)}
        return answer


def _cited_first(snapshot: Snapshot, hits: list[FamilyHit], answer: Answer) -> list[FamilyHit]:
    """The articles the extractive answer quotes, in its order, then the others by rank: the model reads first
    what the checks found to answer, which a same-topic article can outrank."""
    cited = list(dict.fromkeys(snapshot.documents[c.doc_id].family for c in answer.citations))
    return sorted(hits, key=lambda hit: cited.index(hit.family) if hit.family in cited else len(cited))


def _as_sentence(text: str) -> str:
    """One form for "орталык кай ... курылады" and "Орталық қай ... құрылады?": the small model's vectors
    move with a capital letter or a question mark, and people type neither on a phone."""
    text = text[:1].upper() + text[1:]
    return text if text[-1:] in "?.!" else f"{text}?"


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
