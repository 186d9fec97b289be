"""Speed of the retrieval core with the default model, warm, no LLM. Prints numbers; asserts nothing.

1. `ask` for one question vs the bare query embedding alone (median over many runs): our own code
   (language, search, composing) should add almost nothing on top of the model.
2. Reindexing 1,000 unchanged articles: must re-embed nothing and take well under 2 s.

    .venv/bin/python bench/retrieval_speed.py [--articles 1000] [--runs 200]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.service import Assistant  # noqa: E402
from bot.settings import Settings  # noqa: E402
from index.embeddings import load_embedder  # noqa: E402

QUESTIONS = [
    "Где будет создан региональный центр?",
    "Орталық Азия өңірлік орталығы қай университетте құрылады?",
    "Who took over the ASEM LLL Hub chair from Ireland?",
]
TOPICS = ["micro-credentials", "lifelong learning", "academic mobility", "digital transformation", "research"]
CITIES = ["Astana", "Almaty", "Tashkent", "Bishkek", "Dushanbe", "Ashgabat", "Shymkent", "Karaganda"]


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_ask(runs: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-ask-"))
    try:
        shutil.copytree(ROOT / "knowledge", tmp / "knowledge")
        for path in (ROOT / "tests" / "eval" / "distractors").glob("*.md"):
            shutil.copy(path, tmp / "knowledge" / path.name)
        assistant = Assistant(Settings(knowledge_dir=tmp / "knowledge", data_dir=tmp / "data"))
        assistant.reindex()
        embedder = assistant.embedder
        for q in QUESTIONS:  # warm up
            assistant.ask(q, use_llm=False)
        print(f"ask vs bare embedding ({len(assistant.snapshot().chunks)} chunks, {runs} runs per question)")
        for q in QUESTIONS:
            bare = median_ms(lambda q=q: embedder.embed_queries([q]), runs)
            full = median_ms(lambda q=q: assistant.ask(q, use_llm=False), runs)
            print(f"  {q[:45]:<45} embed {bare:6.2f} ms | ask {full:6.2f} ms | ratio {full / bare:4.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_articles(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for n in range(count):
        topic, city = TOPICS[n % len(TOPICS)], CITIES[n % len(CITIES)]
        (folder / f"article-{n:04d}.md").write_text(
            f"---\nid: article-{n:04d}\ntitle: \"Note {n} on {topic} in {city}\"\ndate: 2026-01-01\nlang: en\n"
            f"source: Bench\nurl: https://example.org/{n}\n---\n"
            f"Event number {n} about {topic} took place in {city}. "
            f"It gathered {10 + n % 90} participants from {1 + n % 7} countries.\n\n"
            f"The organisers of event {n} plan a follow-up meeting on {topic} next year.\n",
            encoding="utf-8",
        )


def bench_reindex(count: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-reindex-"))
    try:
        write_articles(tmp / "knowledge", count)
        assistant = Assistant(Settings(knowledge_dir=tmp / "knowledge", data_dir=tmp / "data"),
                              embedder=load_embedder())
        first = assistant.reindex()
        print(f"reindex of {count} articles")
        print(f"  first build: {first.chunks} chunks, {first.embedded} texts embedded, {first.seconds:.1f} s")
        runs = [assistant.reindex() for _ in range(5)]
        best = min(r.seconds for r in runs)
        print(f"  unchanged:   {runs[0].embedded} texts embedded, median {statistics.median(r.seconds for r in runs):.3f} s,"
              f" best {best:.3f} s")
        (tmp / "knowledge" / "article-0000.md").write_text(
            (tmp / "knowledge" / "article-0000.md").read_text(encoding="utf-8").replace("Event number", "Meeting number"),
            encoding="utf-8",
        )
        one = assistant.reindex()
        print(f"  one changed: {len(one.changed)} changed, {one.embedded} texts embedded, {one.seconds:.2f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    bench_ask(args.runs)
    bench_reindex(args.articles)
