"""The bot's own state in SQLite (data_dir/bot.db): language choices, the question log, feedback,
announcements and announcement drafts. It survives restarts; the schema evolves through migrations.

One connection shared by the event loop and worker threads, guarded by a lock: every call is short.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from bot.qa.compose import Usage

MIGRATIONS = Migrations("centre-bot")


class AnnouncementStatus(StrEnum):
    """Where an article family stands with the announcement chat (the ``status`` column)."""

    KNOWN = "known"  # existed before the first index build, or skipped by an admin
    HELD = "held"  # added while no announcement chat was set: offered once one is
    SENDING = "sending"  # a post is in flight; kept if we crash, so it is never posted twice
    POSTED = "posted"


class DraftStatus(StrEnum):
    """An /announce draft: waiting for its buttons, then posted or cancelled."""

    PENDING = "pending"
    POSTED = "posted"
    CANCELLED = "cancelled"


@MIGRATIONS()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["users"].create({"user_id": int, "lang": str, "last_lang": str, "updated": str}, pk="user_id")
    db["questions"].create(
        {
            "id": int, "at": str, "day": str, "user_id": int, "chat_id": int, "chat_type": str,
            "question": str, "language": str, "answered": int, "latency_ms": float, "cited": str, "mode": str,
        },
        pk="id",
    )
    db["questions"].create_index(["day"])
    db["questions"].create_index(["answered", "id"])
    db["feedback"].create(
        {"question_id": int, "user_id": int, "vote": int, "at": str},
        pk=("question_id", "user_id"),
        foreign_keys=[("question_id", "questions", "id")],
    )
    db["announcements"].create(
        {"family": str, "doc_id": str, "lang": str, "title": str, "status": str, "chat": str,
         "message_id": int, "at": str},
        pk="family",
    )
    db["drafts"].create({"id": int, "admin_id": int, "text": str, "status": str, "created": str}, pk="id")
    db["meta"].create({"key": str, "value": str}, pk="key")


@MIGRATIONS()
def m002_delivered(db: sqlite_utils.Database) -> None:
    """Whether the answer reached the chat (a question is logged after its answer was sent, or not)."""
    db["questions"].add_column("delivered", int, not_null_default=1)


@MIGRATIONS()
def m003_llm_cost(db: sqlite_utils.Database) -> None:
    """What the LLM calls behind an answer cost: tokens as the endpoint reported them, time, and model."""
    for column, kind in (("prompt_tokens", int), ("completion_tokens", int), ("llm_calls", int), ("llm_ms", float)):
        db["questions"].add_column(column, kind, not_null_default=0)
    db["questions"].add_column("llm_model", str, not_null_default="")


@dataclass(frozen=True)
class AnswerShares:
    """Questions answered by the LLM, answered by quoting, and refused ("I don't know")."""

    generative: int
    extractive: int
    refused: int


@dataclass(frozen=True)
class UserLang:
    chosen: str | None  # set with /lang; wins over detection
    last: str | None  # the user's Telegram language, as last seen (for notices sent unprompted)


@dataclass(frozen=True)
class DayStats:
    day: str
    language: str
    total: int
    answered: int


def _now() -> datetime:
    return datetime.now(UTC)


def local_day(moment: datetime | None = None) -> str:
    """The calendar day in the machine's time zone (set TZ=Asia/Almaty in the container)."""
    return (moment or _now()).astimezone().date().isoformat()


class BotState:
    def __init__(self, db_path: Path | str):
        self.path = Path(db_path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # User ids and questions: readable by the bot's user only, whatever the process umask.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self.db = sqlite_utils.Database(conn)
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.RLock()
        with self._lock:
            MIGRATIONS.apply(self.db)
            self._next_question = (next(self.db.query("select max(id) as top from questions"))["top"] or 0) + 1

    def new_question_id(self) -> int:
        """An id for a question's feedback buttons before it is logged (the answer is sent first)."""
        with self._lock:
            self._next_question += 1
            return self._next_question - 1

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # ---------------------------------------------------------------- users

    def user_lang(self, user_id: int) -> UserLang:
        with self._lock:
            rows = list(self.db.query("select lang, last_lang from users where user_id = ?", [user_id]))
        if not rows:
            return UserLang(None, None)
        return UserLang(rows[0]["lang"] or None, rows[0]["last_lang"] or None)

    def set_user_lang(self, user_id: int, lang: str | None) -> None:
        """Remember a /lang choice; None goes back to detecting the language of each question."""
        with self._lock:
            self.db["users"].upsert(
                {"user_id": user_id, "lang": lang or "", "updated": _now().isoformat(timespec="seconds")},
                pk="user_id", alter=False,
            )

    def set_last_lang(self, user_id: int, lang: str) -> None:
        with self._lock:
            self.db["users"].upsert(
                {"user_id": user_id, "last_lang": lang, "updated": _now().isoformat(timespec="seconds")},
                pk="user_id",
            )

    # ---------------------------------------------------------------- questions and feedback

    def log_question(
        self,
        *,
        user_id: int,
        chat_id: int,
        chat_type: str,
        question: str,
        language: str,
        answered: bool,
        latency_ms: float,
        cited: list[str],
        mode: str = "",
        at: datetime | None = None,
        question_id: int | None = None,
        delivered: bool = True,
        usage: Usage | None = None,
    ) -> int:
        usage = usage or Usage()
        at = at or _now()
        with self._lock:
            table = self.db["questions"].insert(
                {
                    "id": question_id if question_id is not None else self.new_question_id(),
                    "at": at.isoformat(timespec="seconds"), "day": local_day(at), "user_id": user_id,
                    "chat_id": chat_id, "chat_type": chat_type, "question": question, "language": language,
                    "answered": int(bool(answered)), "latency_ms": round(latency_ms, 1),
                    "cited": json.dumps(cited, ensure_ascii=False), "mode": mode, "delivered": int(delivered),
                    "prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
                    "llm_calls": usage.calls, "llm_ms": round(usage.ms, 1), "llm_model": usage.model,
                }
            )
            return int(table.last_pk)

    def question(self, question_id: int) -> dict | None:
        with self._lock:
            rows = list(self.db.query("select * from questions where id = ?", [question_id]))
        return rows[0] if rows else None

    def record_feedback(self, question_id: int, user_id: int, vote: int, chat_id: int | None = None) -> bool:
        """Store (or change) one user's vote on one answer; False if the question is unknown, or was asked in
        another chat than ``chat_id`` (a forged button)."""
        if vote not in (1, -1):
            raise ValueError("vote must be 1 or -1")
        with self._lock:
            where, params = ("id = ? and chat_id = ?", [question_id, chat_id]) if chat_id is not None \
                else ("id = ?", [question_id])
            if not self.db["questions"].count_where(where, params):
                return False
            self.db["feedback"].upsert(
                {"question_id": question_id, "user_id": user_id, "vote": vote,
                 "at": _now().isoformat(timespec="seconds")},
                pk=("question_id", "user_id"),
            )
            return True

    def feedback_for(self, question_id: int) -> dict[int, int]:
        with self._lock:
            return {r["user_id"]: r["vote"] for r in self.db.query(
                "select user_id, vote from feedback where question_id = ?", [question_id])}

    def unanswered(self, limit: int = 15) -> list[dict]:
        with self._lock:
            return list(self.db.query(
                "select id, at, language, question from questions where answered = 0 "
                "order by id desc limit ?", [limit]))

    def disliked(self, limit: int = 10) -> list[dict]:
        """Answered questions whose answer got a 👎: gaps of another kind."""
        with self._lock:
            return list(self.db.query(
                "select q.id, q.at, q.language, q.question, count(*) as votes from questions q "
                "join feedback f on f.question_id = q.id where f.vote < 0 and q.answered = 1 "
                "group by q.id order by q.id desc limit ?", [limit]))

    def stats_by_day(self, days: int = 30) -> list[DayStats]:
        since = local_day(_now() - timedelta(days=days - 1))
        with self._lock:
            rows = self.db.query(
                "select day, language, count(*) as total, sum(answered) as answered from questions "
                "where day >= ? group by day, language order by day, language", [since])
            return [DayStats(r["day"], r["language"], r["total"], r["answered"] or 0) for r in rows]

    def answer_shares(self, days: int = 30) -> AnswerShares:
        since = local_day(_now() - timedelta(days=days - 1))
        with self._lock:
            row = next(self.db.query(
                "select coalesce(sum(answered = 1 and mode = 'llm'), 0) as generative, "
                "coalesce(sum(answered = 1 and mode != 'llm'), 0) as extractive, "
                "coalesce(sum(answered = 0), 0) as refused from questions where day >= ?", [since]))
        return AnswerShares(row["generative"], row["extractive"], row["refused"])

    def today(self) -> tuple[int, int]:
        """(questions, answered) today."""
        with self._lock:
            row = next(self.db.query(
                "select count(*) as total, coalesce(sum(answered), 0) as answered from questions where day = ?",
                [local_day()]))
        return row["total"], row["answered"]

    def feedback_totals(self, days: int = 30) -> tuple[int, int]:
        since = (_now() - timedelta(days=days)).isoformat(timespec="seconds")
        with self._lock:
            row = next(self.db.query(
                "select coalesce(sum(vote > 0), 0) as up, coalesce(sum(vote < 0), 0) as down "
                "from feedback where at >= ?", [since]))
        return row["up"], row["down"]

    # ---------------------------------------------------------------- announcements

    def baseline_done(self) -> bool:
        with self._lock:
            return bool(self.db["meta"].count_where("key = 'announce_baseline'"))

    def record_baseline(self, families: dict[str, tuple[str, str, str]]) -> None:
        """First index build of a deployment: everything already there counts as announced."""
        now = _now().isoformat(timespec="seconds")
        with self._lock, self.db.atomic():
            for family, (doc_id, lang, title) in families.items():
                self.db["announcements"].insert(
                    {"family": family, "doc_id": doc_id, "lang": lang, "title": title,
                     "status": AnnouncementStatus.KNOWN,
                     "chat": "", "message_id": None, "at": now},
                    pk="family", ignore=True,
                )
            self.db["meta"].upsert({"key": "announce_baseline", "value": now}, pk="key")

    def announced_families(self) -> set[str]:
        with self._lock:
            return {r["family"] for r in self.db.query("select family from announcements")}

    def claim_announcement(
        self, family: str, doc_id: str, lang: str, title: str, chat: str,
        status: AnnouncementStatus = AnnouncementStatus.SENDING,
    ) -> bool:
        """Reserve a family before posting; False if it was already claimed (then never post it)."""
        with self._lock:
            cursor = self.db.execute(
                "insert or ignore into announcements (family, doc_id, lang, title, status, chat, message_id, at) "
                "values (?, ?, ?, ?, ?, ?, null, ?)",
                [family, doc_id, lang, title, status, chat, _now().isoformat(timespec="seconds")],
            )
            return cursor.rowcount == 1

    def finish_announcement(self, family: str, message_id: int) -> None:
        with self._lock:
            self.db.execute("update announcements set status = ?, message_id = ? where family = ?",
                            [AnnouncementStatus.POSTED, message_id, family])

    def release_announcement(self, family: str) -> None:
        """The post failed: forget the claim so that the next reindex tries again."""
        with self._lock:
            self.db.execute("delete from announcements where family = ? and status = ?",
                            [family, AnnouncementStatus.SENDING])

    def unsettled_announcements(self) -> list[dict]:
        """Posts left in 'sending': the bot stopped, or the connection broke, before it knew the outcome."""
        with self._lock:
            return list(self.db.query(
                "select rowid as ref, * from announcements where status = ? order by at", [AnnouncementStatus.SENDING]))

    def held_announcements(self) -> list[dict]:
        with self._lock:
            return list(self.db.query("select * from announcements where status = ? order by at",
                                      [AnnouncementStatus.HELD]))

    def settle_held(self, announce: bool) -> None:
        """Held articles become pending again (announce) or count as known (skip)."""
        with self._lock:
            if announce:
                self.db.execute("delete from announcements where status = ?", [AnnouncementStatus.HELD])
            else:
                self.db.execute("update announcements set status = ? where status = ?",
                                [AnnouncementStatus.KNOWN, AnnouncementStatus.HELD])

    def announcement_by_ref(self, ref: int) -> dict | None:
        with self._lock:
            rows = list(self.db.query("select rowid as ref, * from announcements where rowid = ?", [ref]))
        return rows[0] if rows else None

    def settle_announcement(self, family: str, message_id: int | None) -> bool:
        """A person settled an unsettled post (checked it is there, or had it posted); False if already settled."""
        with self._lock:
            cursor = self.db.execute("update announcements set status = ?, message_id = ? where family = ? "
                                     "and status = ?",
                                     [AnnouncementStatus.POSTED, message_id, family, AnnouncementStatus.SENDING])
            return cursor.rowcount == 1

    def announcement(self, family: str) -> dict | None:
        with self._lock:
            rows = list(self.db.query("select rowid as ref, * from announcements where family = ?", [family]))
        return rows[0] if rows else None

    # ---------------------------------------------------------------- meta

    def meta(self, key: str) -> str | None:
        with self._lock:
            rows = list(self.db.query("select value from meta where key = ?", [key]))
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.db["meta"].upsert({"key": key, "value": value}, pk="key")

    # ---------------------------------------------------------------- /announce drafts

    def create_draft(self, admin_id: int, text: str) -> int:
        with self._lock:
            table = self.db["drafts"].insert(
                {"admin_id": admin_id, "text": text, "status": DraftStatus.PENDING,
                 "created": _now().isoformat(timespec="seconds")})
            return int(table.last_pk)

    def take_draft(self, draft_id: int, status: DraftStatus) -> dict | None:
        """Move a pending draft to 'posted'/'cancelled'; None if it is unknown or already handled."""
        with self._lock:
            rows = list(self.db.query("select * from drafts where id = ? and status = ?",
                                      [draft_id, DraftStatus.PENDING]))
            if not rows:
                return None
            self.db.execute("update drafts set status = ? where id = ?", [status, draft_id])
            return rows[0]

    def draft_status(self, draft_id: int) -> str | None:
        with self._lock:
            rows = list(self.db.query("select status from drafts where id = ?", [draft_id]))
        return rows[0]["status"] if rows else None

    def reopen_draft(self, draft_id: int) -> None:
        with self._lock:
            self.db.execute("update drafts set status = ? where id = ?", [DraftStatus.PENDING, draft_id])
