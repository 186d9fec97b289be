"""What the bot does when it starts and stops, and its repeating jobs: the heartbeat and noticing an index
rebuilt by another process."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from telegram.ext import Application

from bot.ops.health import HEARTBEAT_EVERY, write_heartbeat
from bot.ops.logging import kv
from bot.telegram import announce
from bot.telegram.context import Context, runtime
from bot.telegram.menu import register_commands
from index.snapshot import current_generation

log = logging.getLogger(__name__)

GENERATION_CHECK_EVERY = 60.0  # notices a reindex made by `centre-bot reindex` in another process


async def job_heartbeat(context: Context) -> None:
    write_heartbeat(context.runtime.settings.data_dir)


async def job_check_generation(context: Context) -> None:
    rt = context.runtime
    if rt.reindex_lock.locked():
        return
    generation = await asyncio.to_thread(current_generation, Path(rt.settings.data_dir))
    if generation and generation != rt.seen_generation:
        log.info(kv(event="index_changed_elsewhere", generation=generation))
        await announce.announce_new(context.application)


async def on_startup(app: Application) -> None:
    rt = runtime(app)
    log.info(kv(event="starting", bot=app.bot.username, mode="webhook" if rt.settings.webhook_url else "polling",
                admins=len(rt.settings.admin_ids), announce_chat=rt.settings.announce_chat_id or None,
                knowledge=str(rt.settings.knowledge_dir), data=str(rt.settings.data_dir)))
    loop = asyncio.get_running_loop()
    report = await loop.run_in_executor(rt.reindex_pool, rt.assistant.ensure_index)
    if report is not None:
        log.info(kv(event="index_refreshed", reason=report.reason or "knowledge changed", added=len(report.added),
                    changed=len(report.changed), removed=len(report.removed), chunks=report.chunks,
                    skipped=report.skipped, seconds=report.seconds))
        for problem in report.problems:
            log.warning(kv(event="knowledge_file_skipped", file=problem.path, reason=problem.reason))
    await register_commands(app)
    await announce.check_announce_chat(app)
    await announce.report_unsettled(app)
    await announce.offer_held(app)
    await announce.announce_new(app)
    write_heartbeat(rt.settings.data_dir)
    if app.job_queue is not None:
        app.job_queue.run_repeating(job_heartbeat, interval=HEARTBEAT_EVERY, first=HEARTBEAT_EVERY, name="heartbeat")
        app.job_queue.run_repeating(job_check_generation, interval=GENERATION_CHECK_EVERY,
                                    first=GENERATION_CHECK_EVERY, name="generation")
    log.info(kv(event="ready", bot=app.bot.username))


async def on_shutdown(app: Application) -> None:
    rt = runtime(app)
    rt.reindex_pool.shutdown(wait=True)
    log.info(kv(event="stopped", uptime_s=time.monotonic() - rt.started))

