"""`centre-bot doctor` against the fake Bot API server, a real index and the fake LLM server (tests/support/fakellm.py)."""

from __future__ import annotations

import re
import shutil
import socket

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.ops.doctor import (
    POST_FIX,
    env_example_names,
    mask,
    settings_table,
)
from bot.settings import Settings
from tests.support.corpus import ROOT
from tests.support.fakebotapi import DEFAULT_TOKEN, FakeBotAPI
from tests.support.fakellm import FakeLLMServer, Reply

TOKEN = DEFAULT_TOKEN
OTHER_TOKEN = "987654321:AAOtherTokenNobodyKnows_zyxwvutsrqpo"
ADMIN = 4242
CHANNEL = "@centre_news"


@pytest.fixture
def deployment(seed_copy):
    """Its own copies of the seed's knowledge and data (tests may damage them)."""
    return seed_copy / "knowledge", seed_copy / "data"


@pytest.fixture
def fake():
    with FakeBotAPI(token=TOKEN, bot_username="centre_test_bot") as server:
        server.set_chat(CHANNEL, type="channel", title="Centre News", bot_status="administrator",
                        can_post_messages=True)
        yield server


def good_env(fake: FakeBotAPI, deployment, **changes) -> dict[str, str]:
    knowledge, data = deployment
    env = {
        "CENTRE_BOT_TELEGRAM_TOKEN": TOKEN,
        "CENTRE_BOT_TELEGRAM_BASE_URL": f"{fake.url}/bot",
        "CENTRE_BOT_ANNOUNCE_CHAT_ID": CHANNEL,
        "CENTRE_BOT_ADMIN_IDS": str(ADMIN),
        "CENTRE_BOT_KNOWLEDGE_DIR": str(knowledge),
        "CENTRE_BOT_DATA_DIR": str(data),
    }
    env.update({f"CENTRE_BOT_{k.upper()}": v for k, v in changes.items()})
    return {k: v for k, v in env.items() if v is not None}


def doctor(env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["doctor", *args], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output.splitlines()


def line(lines: list[str], name: str, status: str | None = None) -> str:
    found = [entry for entry in lines if re.match(rf"^(OK|WARN|FAIL)\s+{re.escape(name)}:", entry)]
    assert found, f"no {name!r} line in:\n" + "\n".join(lines)
    if status is not None:
        assert any(entry.startswith(status) for entry in found), "\n".join(lines)
        return next(entry for entry in found if entry.startswith(status))
    return found[0]


def statuses(lines: list[str]) -> set[str]:
    return {entry.split()[0] for entry in lines if re.match(r"^(OK|WARN|FAIL)\s", entry)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------------------------ whole runs


def test_good_setup_is_all_ok_and_exits_0(fake, deployment):
    code, lines = doctor(good_env(fake, deployment))
    assert code == 0, "\n".join(lines)
    assert statuses(lines) == {"OK"}, "\n".join(lines)
    assert lines[-1] == "All is well."
    assert "@centre_test_bot" in line(lines, "telegram", "OK")
    assert "1234…ijkl" in line(lines, "telegram")
    assert "allowed to post" in line(lines, "announce chat", "OK")
    assert "up to date" in line(lines, "index", "OK")
    assert "3 article(s)" in line(lines, "knowledge", "OK")
    assert str(ADMIN) in line(lines, "admins", "OK")
    output = "\n".join(lines)
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert [c.method for c in fake.calls][:1] == ["getMe"]
    assert {"getChat", "getChatMember", "getWebhookInfo"} <= {c.method for c in fake.calls}


def test_channel_where_the_bot_is_not_an_admin(fake, deployment):
    fake.set_chat("@readonly_chan", type="channel", title="RO", bot_status="member")
    code, lines = doctor(good_env(fake, deployment, announce_chat_id="@readonly_chan"))
    assert code == 1
    failed = line(lines, "announce chat", "FAIL")
    assert "not an administrator" in failed
    assert failed.endswith(f"fix: {POST_FIX}") and POST_FIX == "make the bot an administrator with 'Post messages'"
    assert "1 to fix" in lines[-1]


def test_channel_admin_without_the_post_right(fake, deployment):
    fake.set_chat("@no_post", type="channel", title="NP", bot_status="administrator", can_post_messages=False)
    code, lines = doctor(good_env(fake, deployment, announce_chat_id="@no_post"))
    assert code == 1
    failed = line(lines, "announce chat", "FAIL")
    assert "without 'Post messages'" in failed and failed.endswith(POST_FIX)


def test_groups_by_numeric_id(fake, deployment):
    fake.set_chat(-1001234567890, type="supergroup", title="Centre staff", bot_status="member")
    code, lines = doctor(good_env(fake, deployment, announce_chat_id="-1001234567890"))
    assert code == 0, "\n".join(lines)
    assert "supergroup Centre staff" in line(lines, "announce chat", "OK")

    fake.set_chat(-1001234567890, type="supergroup", title="Centre staff", bot_status="left")
    code, lines = doctor(good_env(fake, deployment, announce_chat_id="-1001234567890"))
    assert code == 1
    assert line(lines, "announce chat", "FAIL").endswith("add the bot to the group")


def test_unknown_announce_chat_fails_and_a_bare_name_means_the_channel(fake, deployment):
    code, lines = doctor(good_env(fake, deployment, announce_chat_id="@nowhere"))
    assert code == 1
    assert "cannot find @nowhere" in line(lines, "announce chat", "FAIL")
    code, lines = doctor(good_env(fake, deployment, announce_chat_id="centre_news"))
    assert code == 0, "\n".join(lines)  # a bare name means @centre_news, for the bot as for the doctor
    assert fake.calls_of("getChat")[-1]["chat_id"] == "@centre_news"


def test_bad_token_fails_and_is_never_printed(fake, deployment):
    code, lines = doctor(good_env(fake, deployment, telegram_token=OTHER_TOKEN))
    assert code == 1
    failed = line(lines, "telegram", "FAIL")
    assert "rejects the token 9876…rqpo" in failed and "@BotFather" in failed
    output = "\n".join(lines)
    assert OTHER_TOKEN not in output and OTHER_TOKEN.split(":")[1] not in output
    assert not any(entry.startswith(("OK    announce", "FAIL  announce")) for entry in lines)  # not reached


def test_malformed_and_missing_token(fake, deployment):
    code, lines = doctor(good_env(fake, deployment, telegram_token="12345"))
    assert code == 1
    assert "does not look like a bot token" in line(lines, "settings", "FAIL")
    code, lines = doctor(good_env(fake, deployment, telegram_token=None))
    assert code == 1
    assert "CENTRE_BOT_TELEGRAM_TOKEN is not set" in line(lines, "settings", "FAIL")
    assert fake.calls_of("getMe") == []


def test_bot_api_server_not_reachable(fake, deployment):
    env = good_env(fake, deployment, telegram_base_url=f"http://127.0.0.1:{free_port()}")
    code, lines = doctor(env)
    assert code == 1
    assert "cannot reach the Bot API server" in line(lines, "telegram", "FAIL")


def test_base_url_without_bot_suffix_is_accepted(fake, deployment):
    code, lines = doctor(good_env(fake, deployment, telegram_base_url=fake.url))
    assert code == 0, "\n".join(lines)
    code, lines = doctor(good_env(fake, deployment, telegram_base_url="localhost:8081"))
    assert code == 1
    assert "not an http(s) address" in line(lines, "settings", "FAIL")
    assert Settings(telegram_base_url="http://h:8081/").api_urls[0] == "http://h:8081/bot"
    assert Settings().api_urls[0] == "https://api.telegram.org/bot"


def test_invalid_settings_are_named_and_the_other_checks_still_run(fake, deployment):
    code, lines = doctor(good_env(fake, deployment, rate_limit_per_minute="0", admin_ids="12,abc"))
    assert code == 1
    bad = [entry for entry in lines if entry.startswith("FAIL  settings")]
    assert any("CENTRE_BOT_RATE_LIMIT_PER_MINUTE is invalid" in entry for entry in bad), lines
    assert any("CENTRE_BOT_ADMIN_IDS is invalid" in entry for entry in bad), lines
    line(lines, "telegram", "OK")
    line(lines, "index", "OK")


def test_an_invalid_admin_id_is_explained_once_in_words(fake, deployment):
    code, lines = doctor(good_env(fake, deployment, admin_ids="12x,@bob"))
    problems = [entry for entry in lines if "ADMIN_IDS" in entry or entry.split()[1:2] == ["admins:"]]
    assert code == 1 and len(problems) == 1
    assert "12x, @bob is not a numeric Telegram user id" in problems[0] and "int()" not in problems[0]


def test_missing_admins_is_a_warning_and_strict_fails_on_it(fake, deployment):
    env = good_env(fake, deployment, admin_ids=None)
    code, lines = doctor(env)
    assert code == 0
    assert "CENTRE_BOT_ADMIN_IDS" in line(lines, "admins", "WARN")
    assert lines[-1] == "0 to fix, 1 warning(s)."
    code, _ = doctor(env, "--strict")
    assert code == 1


def test_webhook_settings(fake, deployment):
    code, lines = doctor(good_env(fake, deployment, webhook_url="http://bot.example.org/tg"))
    assert code == 1
    assert "https://" in line(lines, "settings", "FAIL")
    code, lines = doctor(good_env(fake, deployment, webhook_url="https://bot.example.org/tg", webhook_secret="a b"))
    assert code == 1
    assert "may only contain" in line(lines, "settings", "FAIL")
    code, lines = doctor(good_env(fake, deployment, webhook_url="https://bot.example.org/tg"))
    assert code == 0, "\n".join(lines)  # no secret: the bot makes a random one at each start

    secret = "s3cret_Token_that_is_long"
    code, lines = doctor(good_env(fake, deployment, webhook_url="https://bot.example.org/tg", webhook_secret=secret))
    assert code == 0, "\n".join(lines)
    assert "not registered yet" in line(lines, "webhook", "OK")
    assert secret not in "\n".join(lines)

    fake.set_handler("getWebhookInfo", lambda p: {"url": "https://bot.example.org/tg", "pending_update_count": 3,
                                                  "has_custom_certificate": False,
                                                  "last_error_date": 1700000000,
                                                  "last_error_message": "Connection refused"})
    code, lines = doctor(good_env(fake, deployment, webhook_url="https://bot.example.org/tg", webhook_secret=secret))
    assert "Connection refused" in line(lines, "webhook", "WARN")


# ------------------------------------------------------------------------------------------------ files and index


def test_bad_knowledge_files_are_named(fake, deployment):
    knowledge, _ = deployment
    (knowledge / "broken.md").write_text("---\nid: [unclosed\n---\ntext\n", encoding="utf-8")
    (knowledge / "empty.md").write_text("---\nid: empty\nlang: en\n---\n\n", encoding="utf-8")
    code, lines = doctor(good_env(fake, deployment))
    warned = [entry for entry in lines if entry.startswith("WARN  knowledge")]
    assert any("broken.md" in entry and "front matter" in entry for entry in warned), lines
    assert any("empty.md" in entry and "no text" in entry for entry in warned), lines
    assert code == 0  # the rest is still indexed and the index still matches the good articles


def test_knowledge_without_a_home_article_is_a_warning_that_says_what_to_add(fake, deployment):
    knowledge, _ = deployment
    code, lines = doctor(good_env(fake, deployment))
    assert "1 about the centre" in line(lines, "knowledge", "OK")
    article = knowledge / "central-asia-centre.kk.md"
    article.write_text(article.read_text(encoding="utf-8").replace("home: true\n", ""), encoding="utf-8")
    code, lines = doctor(good_env(fake, deployment))
    assert "home: true" in line(lines, "knowledge", "WARN")
    assert code == 0


def test_missing_knowledge_folder(fake, deployment, tmp_path):
    code, lines = doctor(good_env(fake, deployment, knowledge_dir=str(tmp_path / "nope")))
    assert code == 1
    assert "does not exist" in line(lines, "knowledge", "FAIL")


def test_index_missing_stale_or_built_with_another_model(fake, deployment):
    knowledge, data = deployment
    article = knowledge / "central-asia-centre.en.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    code, lines = doctor(good_env(fake, deployment))
    assert code == 0
    assert "knowledge folder changed" in line(lines, "index", "WARN")

    code, lines = doctor(good_env(fake, deployment, embedding_model="sentence-transformers/all-MiniLM-L6-v2"))
    assert code == 1
    failed = line(lines, "index", "FAIL")
    assert "built with multilingual-e5-small" in failed and "reindex" in failed

    shutil.rmtree(data / "index")
    code, lines = doctor(good_env(fake, deployment))
    assert code == 1
    assert "centre-bot reindex" in line(lines, "index", "FAIL")


def test_data_dir_that_is_a_file(fake, deployment, tmp_path):
    (tmp_path / "file").write_text("x")
    code, lines = doctor(good_env(fake, deployment, data_dir=str(tmp_path / "file")))
    assert code == 1
    assert "is a file" in line(lines, "disk", "FAIL")


# ------------------------------------------------------------------------------------------------ LLM


LLM_KEY = "sk-right-key-0123456789"


@pytest.fixture
def llm():
    # Answers as llama.cpp does: the model's file name (its quantisation) in the reply.
    with FakeLLMServer(script=lambda body: Reply("ok", model=f"{body['model']}-q4", prompt_tokens=9,
                                                 completion_tokens=1),
                       api_key=LLM_KEY, models=("qwen2.5-7b",)) as server:
        yield server.url


def test_llm_endpoint_that_is_down(fake, deployment):
    env = good_env(fake, deployment, llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="qwen2.5-7b")
    code, lines = doctor(env)
    assert code == 1
    failed = line(lines, "llm", "FAIL")
    assert "is not answering" in failed and "CENTRE_BOT_LLM_BASE_URL" in failed
    line(lines, "telegram", "OK")


def test_llm_endpoint_that_answers(fake, deployment, llm):
    env = good_env(fake, deployment, llm_base_url=llm, llm_model="qwen2.5-7b", llm_api_key=LLM_KEY)
    code, lines = doctor(env)
    assert code == 0, "\n".join(lines)
    ok = line(lines, "llm", "OK")
    assert "offers qwen2.5-7b" in ok and "answered by qwen2.5-7b-q4, 10 tokens" in ok
    assert LLM_KEY not in "\n".join(lines)

    code, lines = doctor({**env, "CENTRE_BOT_LLM_MODEL": "gpt-unknown"})
    assert "does not offer gpt-unknown" in line(lines, "llm", "FAIL")

    code, lines = doctor({**env, "CENTRE_BOT_LLM_API_KEY": "sk-wrong-key-abcdefghij"})
    assert code == 1
    failed = line(lines, "llm", "FAIL")
    assert "rejects the API key sk-w…ghij" in failed and "sk-wrong-key-abcdefghij" not in "\n".join(lines)


def test_half_configured_llm_is_a_warning(fake, deployment):
    code, lines = doctor(good_env(fake, deployment, llm_base_url="http://127.0.0.1:1/v1"))
    assert code == 0
    assert "CENTRE_BOT_LLM_MODEL is empty" in line(lines, "settings", "WARN")
    assert "not configured" in line(lines, "llm", "OK")


# ------------------------------------------------------------------------------------------------ hygiene


def test_mask():
    assert mask("123456789:AAFakeTokenForTestsOnly_abcdefghijkl") == "1234…ijkl"
    assert mask("") == "(not set)"
    assert "short" not in mask("short")


def test_env_example_lists_exactly_the_settings_fields():
    names = env_example_names((ROOT / ".env.example").read_text(encoding="utf-8"))
    expected = [f"CENTRE_BOT_{name.upper()}" for name in Settings.model_fields]
    assert sorted(names) == sorted(expected)
    assert len(names) == len(set(names)), "a setting is listed twice"


def test_env_example_has_a_comment_for_every_setting():
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    for n, text in enumerate(lines):
        if env_example_names(text):
            assert n > 0 and lines[n - 1].startswith("#") and not env_example_names(lines[n - 1]), text


def test_deploy_guide_table_is_generated_from_settings():
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    table = settings_table()
    assert table in guide, "docs/deploy.md is out of date: run `python -m bot.ops.doctor update-guide`"
    for name in Settings.model_fields:
        assert f"`CENTRE_BOT_{name.upper()}`" in table


def test_a_crashing_check_is_reported_without_leaking_secrets(fake, deployment, monkeypatch):
    import bot.ops.doctor

    def broken(settings):
        raise RuntimeError(f"could not use {settings.telegram_token.get_secret_value()} here")

    monkeypatch.setattr(bot.ops.doctor, "check_knowledge", broken)
    code, lines = doctor(good_env(fake, deployment))
    assert code == 1
    failed = line(lines, "knowledge", "FAIL")
    assert "the check itself failed: RuntimeError" in failed and "1234…ijkl" in failed
    assert TOKEN not in "\n".join(lines)
    line(lines, "index", "OK")  # the checks after it still ran


def test_an_empty_knowledge_folder_is_a_warning_with_the_way_to_add_articles(fake, deployment, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "fresh").mkdir()
    shutil.copy(deployment[1] / "embeddings.db", tmp_path / "fresh")  # the background text's vectors
    env = good_env(fake, deployment, knowledge_dir=str(empty), data_dir=str(tmp_path / "fresh"))
    CliRunner().invoke(app, ["reindex"], env=env)
    code, lines = doctor(env)
    assert "/add" in line(lines, "knowledge", "WARN")
    assert "0 article(s)" in line(lines, "index", "OK")
    assert code == 0
