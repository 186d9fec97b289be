"""Cost of answering and indexing as the knowledge grows, on a generated corpus. Prints numbers; asserts nothing.

For each corpus size (default 1,000 and 10,000 generated articles in kk / ru / en, ~9 chunks each):

1. per question, the whole `Assistant.ask` vs the baseline of a bare query embedding + FAISS top-10 in the
   same process and run (medians), and their ratio;
2. cold start of `centre-bot ask` with the index present (a fresh subprocess, wall time to the answer);
3. reindex: unchanged, and with one article changed (each in a fresh subprocess, with its peak RSS);
4. RSS of a process that holds the loaded index after answering (idle) and its peak.

The PASSAGES of the generated corpus get deterministic pseudo-random unit vectors instead of the real model's
(embedding 10,000 articles would take 10+ minutes), so indexing and search costs are measured, not answer
quality; QUESTIONS are embedded by the real model. Every process here uses that mix.

    .venv/bin/python bench/retrieval_speed.py [--articles 1000 10000] [--runs 50] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "Где будет создан региональный центр?",
    "Орталық Азия өңірлік орталығы қай университетте құрылады?",
    "Who took over the ASEM LLL Hub chair from Ireland?",
]
SYLLABLES = {
    "kk": "ба қа ды ғы лы сы ар тұ ме не өз ің ұл ша жа та ке қо ай ер".split(),
    "ru": "ва ро ни ка то ле ст по ра ми до ко ла ны ве се пре ри ча бу".split(),
    "en": "ta ro mi ne ka lo ve st pre con di ga ru ben tor al is on er ly".split(),
}
COMMON = {
    "kk": "орталық университет білім жыл бағдарлама оқу ғылым қала жоба кездесу".split(),
    "ru": "центр университет образование год программа обучение наука город проект встреча".split(),
    "en": "centre university education year programme learning science city project meeting".split(),
}


class PseudoPassages:
    """The real model for questions; for passages, a unit vector seeded by the text's hash."""

    def __init__(self, real):
        self.real, self.name, self.dim = real, real.name, real.dim

    def embed_queries(self, texts):
        return self.real.embed_queries(texts)

    def embed_passages(self, texts):
        import numpy as np

        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim)
            out[i] = v / np.linalg.norm(v)
        return out


def _lexicon(lang: str, rng: random.Random) -> list[str]:
    syllables = SYLLABLES[lang]
    return COMMON[lang] + ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(4000)]


def article(n: int, lang: str, words: list[str], rng: random.Random) -> str:
    paragraphs = []
    for _ in range(6):
        sentences = []
        for _ in range(4):
            picked = [words[min(int(rng.paretovariate(1.2)) - 1, len(words) - 1)] for _ in range(rng.randint(8, 14))]
            sentences.append(" ".join(picked).capitalize() + f" {rng.randint(1, 2026)}.")
        paragraphs.append(" ".join(sentences))
    title = " ".join(rng.sample(words[:200], 4)).capitalize()
    return (
        f"---\nid: gen-{n:05d}\ntitle: \"{title} {n}\"\ndate: 2026-01-01\nlang: {lang}\n"
        f"source: Bench\nurl: https://example.org/{n}\n---\n" + "\n\n".join(paragraphs) + "\n"
    )


def write_corpus(folder: Path, count: int) -> None:
    rng = random.Random(7)
    lexicons = {lang: _lexicon(lang, rng) for lang in SYLLABLES}
    folder.mkdir(parents=True)
    for path in (ROOT / "knowledge").glob("*.md"):
        shutil.copy(path, folder / path.name)
    for n in range(count):
        lang = ("kk", "ru", "en")[n % 3]
        (folder / f"gen-{n:05d}.md").write_text(article(n, lang, lexicons[lang], rng), encoding="utf-8")


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    status = Path("/proc/self/status").read_text()
    current = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return current / 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- workers (fresh processes)


def _assistant(knowledge: str, data: str):
    from bot.qa.assistant import Assistant
    from bot.settings import Settings
    from index.embeddings import load_embedder

    settings = Settings(knowledge_dir=Path(knowledge), data_dir=Path(data))
    return Assistant(settings, embedder=PseudoPassages(load_embedder()))


def worker_reindex(knowledge: str, data: str) -> dict:
    assistant = _assistant(knowledge, data)
    started = time.perf_counter()
    report = assistant.reindex()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "chunks": report.chunks, "embedded": report.embedded,
            "changed": len(report.changed) + len(report.added), "peak_mb": rss_mb()[1]}


def worker_ask(knowledge: str, data: str, runs: int) -> dict:
    import numpy as np

    assistant = _assistant(knowledge, data)
    started = time.perf_counter()
    snapshot = assistant.snapshot()
    snapshot.faiss, snapshot.lexical  # noqa: B018 - these load on first use; count them here
    load = time.perf_counter() - started
    embedder = assistant.embedder
    for q in QUESTIONS:  # warm up
        assistant.ask(q, use_llm=False)

    def baseline(q):
        vector = embedder.embed_queries([q])[0]
        snapshot.faiss.search(vector.reshape(1, -1).astype(np.float32), 10)

    rows = []
    for q in QUESTIONS:
        bare, full = [], []
        for _ in range(runs):  # interleaved, so load on the host hits both alike
            t0 = time.perf_counter()
            baseline(q)
            t1 = time.perf_counter()
            assistant.ask(q, use_llm=False)
            t2 = time.perf_counter()
            bare.append((t1 - t0) * 1000)
            full.append((t2 - t1) * 1000)
        rows.append((q, statistics.median(bare), statistics.median(full)))
    idle, peak = rss_mb()
    return {"chunks": len(snapshot.chunks), "load_s": load, "rows": rows, "idle_mb": idle, "peak_mb": peak}


def run_worker(*args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(f"worker {args[0]} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- the benchmark


def cold_start(knowledge: Path, data: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "ask", QUESTIONS[0], "--no-llm", "--knowledge", str(knowledge),
             "--data", str(data)],
            check=True, capture_output=True, env=env, cwd=ROOT,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_size(base: Path, count: int, runs: int) -> None:
    knowledge, data = base / f"knowledge-{count}", base / f"data-{count}"
    if not knowledge.exists():
        write_corpus(knowledge, count)
    print(f"\n== {count:,} generated articles (+ the centre's own); passages embedded as pseudo-random vectors")
    first = run_worker("reindex", str(knowledge), str(data))
    label = "first build:      " if first["changed"] else "build (--keep):   "
    print(f"{label} {first['chunks']:,} chunks, {first['embedded']:,} texts embedded, "
          f"{first['seconds']:.1f} s, peak {first['peak_mb']:.0f} MB")

    ask = run_worker("ask", str(knowledge), str(data), str(runs))
    print(f"ask vs bare query embedding + FAISS top-10 ({ask['chunks']:,} chunks, median of {runs}; "
          f"index loaded in {ask['load_s']:.2f} s)")
    for q, bare, full in ask["rows"]:
        print(f"  {q[:45]:<45} baseline {bare:6.2f} ms | ask {full:6.2f} ms | ratio {full / bare:4.2f}x")
    print(f"memory holding the index: idle {ask['idle_mb']:.0f} MB, peak {ask['peak_mb']:.0f} MB")
    print(f"cold start of `centre-bot ask` (index present, median of 3): {cold_start(knowledge, data):.2f} s")

    unchanged = [run_worker("reindex", str(knowledge), str(data)) for _ in range(3)]
    print(f"unchanged reindex: {unchanged[0]['embedded']} texts embedded, median "
          f"{statistics.median(u['seconds'] for u in unchanged):.3f} s, peak {unchanged[0]['peak_mb']:.0f} MB")
    path = knowledge / "gen-00042.md"
    path.write_text(path.read_text(encoding="utf-8").replace("\n\n", "\n\nEdited. ", 1), encoding="utf-8")
    one = run_worker("reindex", str(knowledge), str(data))
    print(f"one changed:       {one['changed']} changed, {one['embedded']} texts embedded, {one['seconds']:.2f} s, "
          f"peak {one['peak_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="Folder for the corpora and indexes (kept; reused if present)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as `centre-bot` sets it; inherited by the workers
    if args.worker:
        name, *rest = args.worker
        result = worker_reindex(*rest) if name == "reindex" else worker_ask(rest[0], rest[1], int(rest[2]))
        print(json.dumps(result, ensure_ascii=False))
        return
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-speed-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        for count in args.articles:
            bench_size(base, count, args.runs)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
