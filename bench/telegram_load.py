"""Load benchmark of the Telegram bot (prints numbers; not a test).

100 private chats each send 5 questions at once through a small fake Bot API (bench/fake_telegram.py); the real
bot (the same `serve` as `centre-bot run`, long polling, default model) answers them. Checks that every
question is answered exactly once and in order per chat, then prints throughput, p50/p95 latency from
the question being pushed to the answer reaching the Bot API, and the process's peak memory.

    .venv/bin/python bench/telegram_load.py                   # with Telegram's flood limits (30 msg/s)
    .venv/bin/python bench/telegram_load.py --no-flood-limit  # the bot's own capacity

The fake Bot API runs in the same process, so peak memory includes it (it is small next to the model).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

# E402: these imports need the repository root on sys.path first
from fake_telegram import BotInThread, FakeTelegram, bench_settings  # noqa: E402
from telegram.ext import AIORateLimiter  # noqa: E402

from bot.qa.assistant import Assistant  # noqa: E402
from bot.telegram.state import BotState  # noqa: E402

QUESTIONS = [
    "Орталық Азия өңірлік орталығы қай университетте құрылады?",
    "ASEM LLL Hub төрағалығы Ирландиядан кімге өтті?",
    "Жаңа орталық немен айналысады?",
    "ASEM SOM1 кездесуі қай қалада өтті?",
    "ASEM LLL Hub қашан құрылған?",
    "Где будет создан Центральноазиатский региональный центр?",
    "Кому Ирландия передала председательство в ASEM LLL Hub?",
    "Чем будет заниматься новый центр?",
    "Где прошло заседание ASEM SOM1?",
    "Кто представлял Казахстан на встрече в Бухаресте?",
    "Where will the Central Asian Regional Centre be created?",
    "Who took over the ASEM LLL Hub chair from Ireland?",
    "What will the new centre do?",
    "Where did the ASEM SOM1 meeting take place?",
    "When was the ASEM LLL Hub founded?",
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--per-chat", type=int, default=5)
    parser.add_argument("--no-flood-limit", action="store_true",
                        help="no client-side flood limiting (429s would still be retried)")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    work = Path(tempfile.mkdtemp(prefix="centre-bot-bench-"))
    try:
        shutil.copytree(ROOT / "knowledge", work / "knowledge")
        with FakeTelegram(long_poll_cap=1.0) as fake:
            settings = bench_settings(work, fake)
            assistant = Assistant(settings)
            t0 = time.perf_counter()
            assistant.ensure_index()
            index_s = time.perf_counter() - t0
            assistant.ask("warm-up question about the centre")  # loads the model, as the first user would
            state = BotState(work / "data" / "bot.db")

            sent_at: dict[int, list[float]] = {}
            lock = threading.Lock()

            def record(params):  # runs in the fake's request thread when an answer arrives
                markup = params.get("reply_markup") or {}
                if "fb:" in json.dumps(markup):
                    with lock:
                        sent_at.setdefault(int(params["chat_id"]), []).append(time.perf_counter())

            fake.on_send = record
            limiter = None  # the bot's default: AIORateLimiter with Telegram's limits
            if args.no_flood_limit:
                limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
            runner = BotInThread(settings, assistant, state, rate_limiter=limiter).start()
            rss_idle = rss_mb()

            chats = [900_000 + n for n in range(args.chats)]
            pushed_at: dict[int, list[float]] = {c: [] for c in chats}
            asked: dict[int, list[str]] = {c: [] for c in chats}
            total = args.chats * args.per_chat
            start = time.perf_counter()
            for round_ in range(args.per_chat):  # interleaved, as real traffic would be
                for n, chat in enumerate(chats):
                    question = QUESTIONS[(n + round_ * 3) % len(QUESTIONS)]
                    fake.push_message(chat, question, language_code="ru")
                    pushed_at[chat].append(time.perf_counter())
                    asked[chat].append(question)
            done = fake.wait_for(lambda: sum(len(v) for v in sent_at.values()) >= total, timeout=args.timeout)
            finished = time.perf_counter()
            runner.stop()  # drains whatever is still queued: a duplicate answer would show up below
            rss_peak = rss_mb()

            answered_per_chat = {c: len(sent_at.get(c, [])) for c in chats}
            lost = sum(max(0, args.per_chat - k) for k in answered_per_chat.values())
            twice = sum(max(0, k - args.per_chat) for k in answered_per_chat.values())
            logged = {}
            for row in state.db.query("select chat_id, question from questions order by id"):
                logged.setdefault(row["chat_id"], []).append(row["question"])
            in_order = all(logged.get(c) == asked[c] for c in chats)
            latencies = sorted(
                (sent_at[c][i] - pushed_at[c][i]) * 1000
                for c in chats for i in range(min(len(sent_at.get(c, [])), args.per_chat)))
            answered_share = next(state.db.query("select avg(answered) as a from questions"))["a"] or 0.0
            # Handler start -> answer computed: mostly waiting for the embedder, which embeds one question at
            # a time (SerializedEmbedder); the time per question itself is about 1000 / throughput ms.
            work = sorted(r["latency_ms"] for r in state.db.query("select latency_ms from questions"))
            state.close()

        result = {
            "chats": args.chats, "questions": total, "flood_limit": not args.no_flood_limit,
            "all_answered": bool(done) and lost == 0, "lost": lost, "answered_twice": twice,
            "order_kept_per_chat": in_order,
            "seconds": round(finished - start, 2),
            "throughput_answers_per_s": round(total / (finished - start), 1),
            "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "latency_p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 1) if latencies else None,
            "latency_max_ms": round(latencies[-1], 1) if latencies else None,
            "answered_share": round(answered_share, 3),
            "work_p50_ms": round(statistics.median(work), 1) if work else None,
            "peak_rss_mb": round(rss_peak, 1), "rss_after_start_mb": round(rss_idle, 1),
            "index_build_s": round(index_s, 1), "model": assistant.settings.embedding_model,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        mode = "with flood limits (AIORateLimiter, 30 msg/s)" if result["flood_limit"] else "without flood limits"
        print(f"centre-bot Telegram load, {mode}")
        print(f"  {result['chats']} chats x {args.per_chat} questions = {total} questions, pushed at once")
        print(f"  answered: {total - lost}/{total}  lost: {lost}  twice: {twice}  order kept per chat: {in_order}")
        print(f"  wall time: {result['seconds']} s  throughput: {result['throughput_answers_per_s']} answers/s")
        print(f"  latency (pushed -> answer sent): p50 {result['latency_p50_ms']} ms, "
              f"p95 {result['latency_p95_ms']} ms, max {result['latency_max_ms']} ms")
        print(f"  inside the bot (handler start -> answer ready): p50 {result['work_p50_ms']} ms, mostly waiting "
              f"for the embedder, which takes one question at a time (~{1000 / result['throughput_answers_per_s']:.0f}"
              " ms each)")
        print(f"  answered share: {result['answered_share']:.0%}")
        print(f"  memory: peak RSS {result['peak_rss_mb']} MB (after start-up {result['rss_after_start_mb']} MB), "
              f"model {result['model']}")
    return 0 if result["all_answered"] and not twice and in_order else 1


if __name__ == "__main__":
    sys.exit(main())
