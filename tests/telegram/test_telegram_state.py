"""BotState (SQLite, migrations), the per-user rate limiter and the structured logging."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.ops.logging import KeyValueFormatter, kv
from bot.settings import api_urls, chat_target
from bot.telegram.context import telegram_lang
from bot.telegram.ratelimit import UserRateLimiter
from bot.telegram.state import AnnouncementStatus, BotState, local_day


@pytest.fixture
def state(tmp_path):
    db = BotState(tmp_path / "bot.db")
    yield db
    db.close()


def test_schema_comes_from_migrations_and_survives_reopening(tmp_path):
    first = BotState(tmp_path / "bot.db")
    first.set_user_lang(1, "kk")
    qid = first.log_question(user_id=1, chat_id=1, chat_type="private", question="Q?", language="kk",
                             answered=True, latency_ms=12.5, cited=["a-kk"])
    first.close()
    again = BotState(tmp_path / "bot.db")  # applying the migrations twice changes nothing
    assert again.user_lang(1).chosen == "kk"
    assert again.question(qid)["cited"] == '["a-kk"]'
    applied = [r["name"] for r in again.db.query("select name from _sqlite_migrations")]
    assert applied == ["m001_initial", "m002_delivered", "m003_llm_cost"]
    again.close()


def test_language_choice_and_last_language_are_separate(state):
    assert state.user_lang(5).chosen is None and state.user_lang(5).last is None
    state.set_last_lang(5, "ru")
    state.set_user_lang(5, "en")
    assert state.user_lang(5) == type(state.user_lang(5))("en", "ru")
    state.set_user_lang(5, None)  # back to detection; the last language stays
    assert state.user_lang(5).chosen is None and state.user_lang(5).last == "ru"


def test_feedback_is_stored_with_the_question_and_can_change(state):
    qid = state.log_question(user_id=1, chat_id=1, chat_type="private", question="Q", language="en",
                             answered=True, latency_ms=1, cited=[])
    assert state.record_feedback(qid, 1, 1)
    assert state.record_feedback(qid, 2, -1)
    assert state.record_feedback(qid, 1, -1)  # changed their mind
    assert state.feedback_for(qid) == {1: -1, 2: -1}
    assert not state.record_feedback(qid + 100, 1, 1)
    assert [r["id"] for r in state.disliked()] == [qid]
    assert state.feedback_totals() == (0, 2)
    with pytest.raises(ValueError):
        state.record_feedback(qid, 1, 5)


def test_unanswered_stats_and_today(state):
    now = datetime.now(UTC)
    for days_ago, lang, answered in [(0, "kk", True), (0, "kk", False), (0, "ru", True), (1, "en", False),
                                     (40, "en", False)]:
        state.log_question(user_id=1, chat_id=1, chat_type="private", question=f"{lang}-{days_ago}",
                           language=lang, answered=answered, latency_ms=1, cited=[],
                           at=now - timedelta(days=days_ago))
    assert [r["question"] for r in state.unanswered()] == ["en-40", "en-1", "kk-0"]  # newest logged first
    stats = {(s.day, s.language): (s.total, s.answered) for s in state.stats_by_day(30)}
    today = local_day()
    assert stats[(today, "kk")] == (2, 1) and stats[(today, "ru")] == (1, 1)
    assert len(stats) == 3  # the question from 40 days ago is outside the window
    assert state.today() == (3, 2)


def test_announcements_are_claimed_once_and_released_on_failure(state):
    assert not state.baseline_done()
    state.record_baseline({"old": ("old-kk", "kk", "Old")})
    assert state.baseline_done() and state.announcement("old")["status"] == AnnouncementStatus.KNOWN
    assert state.claim_announcement("new", "new-ru", "ru", "New", "@chan")
    assert not state.claim_announcement("new", "new-en", "en", "New", "@chan")  # a rendition: same family
    assert state.announcement("new")["status"] == AnnouncementStatus.SENDING
    state.release_announcement("new")
    assert state.announcement("new") is None
    assert state.claim_announcement("new", "new-ru", "ru", "New", "@chan")
    state.finish_announcement("new", 42)
    state.release_announcement("new")  # a posted one is never released
    assert state.announcement("new")["status"] == AnnouncementStatus.POSTED and state.announcement("new")["message_id"] == 42
    assert state.announced_families() == {"old", "new"}


def test_drafts_are_taken_once(state):
    draft = state.create_draft(7, "<b>Hi</b>")
    assert state.take_draft(draft, "posted")["text"] == "<b>Hi</b>"
    assert state.take_draft(draft, "posted") is None
    state.reopen_draft(draft)
    assert state.take_draft(draft, "cancelled") is not None


def test_state_is_usable_from_several_threads(state):
    import threading

    def log_many():
        for _ in range(50):
            state.log_question(user_id=1, chat_id=1, chat_type="private", question="q", language="en",
                               answered=True, latency_ms=1, cited=[])

    threads = [threading.Thread(target=log_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert state.today()[0] == 200


def test_rate_limiter_counts_a_sliding_minute_and_warns_once():
    now = [1000.0]
    limiter = UserRateLimiter(3, clock=lambda: now[0])
    assert [limiter.check(1)[0] for _ in range(3)] == [True, True, True]
    allowed, wait = limiter.check(1)
    assert not allowed and wait == pytest.approx(60.0)
    assert limiter.check(2)[0]  # other users are not affected
    assert limiter.should_warn(1) and not limiter.should_warn(1)
    now[0] += 30
    assert not limiter.check(1)[0]
    now[0] += 30.5
    assert limiter.check(1)[0] and limiter.should_warn(1)


def test_small_helpers():
    assert telegram_lang("kk") == "kk" and telegram_lang("ru-RU") == "ru" and telegram_lang("de") == "en"
    assert telegram_lang(None) == "en"
    assert chat_target("-1001234") == -1001234 and chat_target("@news") == "@news" and chat_target("news") == "@news"
    assert api_urls("") == ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot")
    assert api_urls("http://localhost:8081/") == ("http://localhost:8081/bot", "http://localhost:8081/file/bot")
    assert api_urls("http://localhost:8081/bot") == ("http://localhost:8081/bot", "http://localhost:8081/file/bot")


def test_log_lines_are_key_value_and_never_show_the_token():
    token = "123456789:AAsecretTOKENvalue_xyz"
    formatter = KeyValueFormatter([token])
    record = logging.LogRecord("t", logging.INFO, __file__, 1, kv(event="answer", chat=5, text='say "hi"'), None, None)
    assert formatter.format(record).endswith('logger=t event=answer chat=5 text="say \\"hi\\""')
    try:
        raise RuntimeError(f"The token `{token}` was rejected by the server.")
    except RuntimeError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, f"url https://api/bot{token}/getMe", None,
                                   sys.exc_info())
    line = formatter.format(record)
    assert token not in line and "***" in line and "\n" not in line
    assert 'msg="url https://api/bot***/getMe"' in line


def test_database_file_is_plain_sqlite(tmp_path):
    BotState(tmp_path / "bot.db").close()
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert {"users", "questions", "feedback", "announcements", "drafts", "meta"} <= tables


def test_health_check_follows_the_heartbeat(tmp_path, capsys):
    import os
    import time

    from bot.ops.health import main, write_heartbeat

    assert main(["--data", str(tmp_path)]) == 1 and "no heartbeat" in capsys.readouterr().out
    write_heartbeat(tmp_path)
    assert main(["--data", str(tmp_path)]) == 0
    stale = time.time() - 300
    os.utime(tmp_path / "heartbeat", (stale, stale))
    assert main(["--data", str(tmp_path)]) == 1 and "300 s ago" in capsys.readouterr().out


def test_health_check_in_webhook_mode_needs_the_webhook_server(tmp_path, monkeypatch, capsys):
    import http.server
    import socket
    import threading

    from bot.ops.health import main, write_heartbeat

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("CENTRE_BOT_WEBHOOK_URL", "https://bot.example.org/tg")
    monkeypatch.setenv("CENTRE_BOT_WEBHOOK_LISTEN", "127.0.0.1")
    monkeypatch.setenv("CENTRE_BOT_WEBHOOK_PORT", str(port))
    write_heartbeat(tmp_path)
    assert main(["--data", str(tmp_path)]) == 1 and "webhook port" in capsys.readouterr().out
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert main(["--data", str(tmp_path)]) == 0
    finally:
        server.shutdown()
        server.server_close()


def test_secrets_are_redacted_in_any_case_and_url_encoded():
    token = "123456789:AAsecretTOKENvalue_xyz"
    formatter = KeyValueFormatter([token])
    for leaked in (token.lower(), token.upper(), "123456789%3AAAsecretTOKENvalue_xyz"):
        record = logging.LogRecord("t", logging.INFO, __file__, 1, f"url https://api/bot{leaked}/getMe", None, None)
        line = formatter.format(record)
        assert "secrettoken" not in line.lower() and 'msg="url https://api/bot***/getMe"' in line


def test_the_database_is_readable_by_its_owner_only(tmp_path):
    BotState(tmp_path / "data" / "bot.db").close()
    assert (tmp_path / "data" / "bot.db").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
