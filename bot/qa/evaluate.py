"""Answer quality, measured: run a question set through the assistant and score it per language and mode.

A question file is JSON Lines: {"id", "lang", "question", "gold": [doc ids], "facts": ["alt1|alt2", ...],
"kind": "centre|distractor|none", "style"}. An empty gold list means nothing in the knowledge answers it.
A citation hits when it names a gold article or any rendition of it. The first fact is the one that
answers the question: ``first`` counts answers whose first quoted sentence holds it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.qa.assistant import Assistant
from index.search import MODES

METRICS = ("hit@1", "hit@3", "mrr", "answered", "refused", "lang_ok", "facts", "first")
_CITE = re.compile(r"\s*\[\d+\]")


@dataclass
class Question:
    id: str
    lang: str
    question: str
    gold: list[str]
    facts: list[str] = field(default_factory=list)
    kind: str = ""
    style: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.gold)


def load_questions(path: Path) -> list[Question]:
    questions = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                data = json.loads(line)
                questions.append(Question(**{k: data[k] for k in Question.__dataclass_fields__ if k in data}))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not a valid question ({exc})") from None
    return questions


@dataclass
class Outcome:
    question: Question
    mode: str
    rank: int | None  # 1-based rank of the first gold article among the retrieved articles
    answered: bool
    cited_gold: bool
    lang_ok: bool
    facts_ok: bool
    first_ok: bool
    answer: str
    language: str = ""  # the one the answer is written in


def _has(fact: str, text: str) -> bool:
    return any(alt.lower() in text for alt in fact.split("|") if alt)


def first_sentence(answer_text: str) -> str:
    """The first quoted sentence of an answer (after any 'only in Kazakh' notice line)."""
    head = _CITE.split(answer_text, maxsplit=1)[0]
    return head.split("\n")[-1]


def evaluate(assistant: Assistant, questions: list[Question], modes=MODES) -> list[Outcome]:
    snapshot = assistant.snapshot()
    family_of = {d.id: d.family for d in snapshot.documents.values()}
    outcomes = []
    for mode in modes:
        for q in questions:
            gold = {family_of.get(g, g) for g in q.gold}
            answer, hits = assistant.ask_ranked(q.question, mode=mode, use_llm=False)
            ranking = [h.family for h in hits]
            rank = next((i for i, f in enumerate(ranking, 1) if f in gold), None)
            cited = {family_of.get(c.doc_id, c.doc_id) for c in answer.citations}
            text = answer.answer.lower()
            facts_ok = all(_has(fact, text) for fact in q.facts)
            first_ok = bool(q.facts) and _has(q.facts[0], first_sentence(text))
            outcomes.append(
                Outcome(q, mode, rank, answer.answered, bool(cited & gold), answer.language == q.lang, facts_ok,
                        first_ok, answer.answer, answer.language)
            )
    return outcomes


def summarise(outcomes: list[Outcome]) -> dict[str, dict[str, dict[str, float | int]]]:
    """{mode: {lang or 'all': {metric: value, 'n': count}}}; metrics over the questions they apply to."""
    table: dict[str, dict[str, dict[str, float | int]]] = {}
    for mode in dict.fromkeys(o.mode for o in outcomes):
        table[mode] = {}
        mine = [o for o in outcomes if o.mode == mode]
        for lang in ("kk", "ru", "en", "all"):
            rows = [o for o in mine if lang == "all" or o.question.lang == lang]
            if not rows:
                continue
            answerable = [o for o in rows if o.question.answerable]
            unanswerable = [o for o in rows if not o.question.answerable]
            with_facts = [o for o in answerable if o.question.facts]
            table[mode][lang] = {
                "n": len(rows),
                "hit@1": mean(o.rank == 1 and o.cited_gold for o in answerable),
                "hit@3": mean(o.rank is not None and o.rank <= 3 for o in answerable),
                "mrr": mean(1 / o.rank if o.rank else 0.0 for o in answerable),
                "answered": mean(o.answered for o in answerable),
                "refused": mean(not o.answered for o in unanswerable),
                "lang_ok": mean(o.lang_ok for o in rows),
                "facts": mean(o.answered and o.facts_ok for o in with_facts),
                "first": mean(o.answered and o.first_ok for o in with_facts),
            }
    return table


def mean(values) -> float:
    values = [float(v) for v in values]
    return round(sum(values) / len(values), 3) if values else float("nan")


def format_table(table: dict, metrics=METRICS, label: str = "mode") -> str:
    lines = [f"{label:<12} {'lang':<4} {'n':>4} " + " ".join(f"{m:>8}" for m in metrics)]
    for name, by_lang in table.items():
        for lang, row in by_lang.items():
            lines.append(f"{name:<12} {lang:<4} {row['n']:>4} " + " ".join(f"{row[m]:>8.3f}" for m in metrics))
    return "\n".join(lines)


def failures(outcomes: list[Outcome], mode: str = "hybrid") -> list[str]:
    out = []
    for o in outcomes:
        if o.mode != mode:
            continue
        q = o.question
        wrong = (
            (q.answerable and not (o.rank == 1 and o.cited_gold and o.answered and o.facts_ok))
            or (not q.answerable and o.answered)
            or not o.lang_ok
        )
        if wrong:
            lang = "" if o.lang_ok else f" language={o.language}"
            out.append(f"{q.id} [{q.kind}] rank={o.rank} answered={o.answered} facts={o.facts_ok}{lang}: "
                       + " ".join(q.question.split()))
    return out
