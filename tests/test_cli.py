"""The `centre-bot` command as a person runs it: real model, real index; in-process through typer's CliRunner,
and in a real process where the process itself matters (the console script, a full disk)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tqdm import tqdm
from typer.testing import CliRunner

from bot.cli import app
from tests.support.corpus import ROOT, copy_corpus, copy_seed

CLI = [sys.executable, "-m", "bot.cli"]  # when the console script is not installed
tqdm.monitor_interval = 0  # no tqdm monitor thread: run() waits for the threads a command starts


def run(*args, stdin: str | None = None, env: dict | None = None):
    """`centre-bot ARGS` in this process; an exception escaping the command is a traceback the user would see."""
    before = set(threading.enumerate())
    result = CliRunner().invoke(app, list(args), input=stdin, env=env)
    for thread in set(threading.enumerate()) - before:  # e.g. the model warm-up: nothing outlives the command
        thread.join(timeout=60)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def run_process(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(list(args), capture_output=True, text=True, env=env, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def dirs(tmp_path_factory, seed):
    base = copy_seed(seed, tmp_path_factory.mktemp("cli") / "seed")
    return base / "knowledge", base / "data"


def seed_vectors(seed, data: Path) -> Path:
    """A data folder holding only the seed's embedding cache (vectors by content hash, no index)."""
    data.mkdir(parents=True)
    shutil.copy(seed.root / "data" / "embeddings.db", data / "embeddings.db")
    return data


def test_ask_builds_the_index_and_prints_a_cited_answer(tmp_path, seed):
    knowledge = copy_corpus(tmp_path / "k", with_distractors=False)
    data = seed_vectors(seed, tmp_path / "d")
    result = run("ask", "--knowledge", str(knowledge), "--data", str(data), "Где будет создан региональный центр?")
    assert result.exit_code == 0, result.stderr
    assert "[1]" in result.stdout and "Источники:" in result.stdout
    assert "https://kaz.inform.kz/news/astanada-ortalik-aziya-onrlk-ortaligi-kuriladi-76b70c/" in result.stdout
    assert "Traceback" not in result.stderr


def test_ask_json_from_stdin_answers_each_line_in_one_process(dirs):
    knowledge, data = dirs
    questions = "Орталық Азия өңірлік орталығы қай университетте құрылады?\nWhat's the weather in Almaty?\n\n🙂\n"
    result = run("ask", "--json", "--knowledge", str(knowledge), "--data", str(data), "-", stdin=questions)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    kk, weather, emoji = rows
    assert kk["language"] == "kk" and kk["answered"] is True
    citation = kk["citations"][0]
    assert set(citation) >= {"n", "doc_id", "title", "source", "date", "url", "lang", "quote", "score"}
    assert citation["doc_id"] == "central-asia-centre-kk" and citation["quote"] in kk["answer"]
    assert set(kk["timings_ms"]) >= {"embed", "search", "compose", "total"}
    assert weather["answered"] is False and weather["citations"] == [] and "don't know" in weather["answer"]
    assert emoji["answered"] is False and emoji["answer"]


def test_reindex_prints_a_summary_and_names_bad_files(seed, tmp_path):
    knowledge = copy_corpus(tmp_path / "k", with_distractors=False)
    (knowledge / "broken.md").write_text("---\ntitle: [oops\n---\nbody\n", encoding="utf-8")
    seed_vectors(seed, tmp_path / "d")
    result = run("reindex", "--knowledge", str(knowledge), "--data", str(tmp_path / "d"))
    assert result.exit_code == 0, result.stderr
    assert "3 added" in result.stdout and "1 skipped" in result.stdout and "chunks:" in result.stdout
    assert "broken.md" in result.stderr and "broken front matter" in result.stderr
    again = run("reindex", "--json", "--knowledge", str(knowledge), "--data", str(tmp_path / "d"))
    summary = json.loads(again.stdout)
    assert summary["unchanged"] == 3 and summary["embedded"] == 0 and summary["skipped"] == 1


def test_settings_come_from_the_environment(dirs):
    knowledge, data = dirs
    env = {"CENTRE_BOT_KNOWLEDGE_DIR": str(knowledge), "CENTRE_BOT_DATA_DIR": str(data)}
    result = run("ask", "--json", "--lang", "en", "Где будет создан региональный центр?", env=env)
    row = json.loads(result.stdout)
    assert row["language"] == "en" and row["citations"][0]["doc_id"] == "central-asia-centre-en"


def test_operator_mistakes_get_a_clear_message_not_a_traceback(tmp_path):
    missing = run("reindex", "--knowledge", str(tmp_path / "nope"), "--data", str(tmp_path / "d"))
    assert missing.exit_code != 0 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    bad_model = run("reindex", "--knowledge", str(ROOT / "knowledge"), "--data", str(tmp_path / "d2"),
                    env={"CENTRE_BOT_EMBEDDING_MODEL": "no-such-org/no-such-model"})
    assert bad_model.exit_code != 0 and "no-such-org/no-such-model" in bad_model.stderr
    assert "Traceback" not in bad_model.stderr
    bad_setting = run("ask", "hi", env={"CENTRE_BOT_MIN_RELEVANCE": "seven"})
    assert bad_setting.exit_code != 0 and "CENTRE_BOT_MIN_RELEVANCE" in bad_setting.stderr


def test_an_empty_knowledge_folder_is_a_valid_start(tmp_path, seed):
    knowledge, data = tmp_path / "k", seed_vectors(seed, tmp_path / "d")  # the background text's vectors
    knowledge.mkdir()
    built = run("reindex", "--json", "--knowledge", str(knowledge), "--data", str(data))
    assert built.exit_code == 0, built.stderr
    assert json.loads(built.stdout)["documents"] == 0
    asked = run("ask", "--json", "--knowledge", str(knowledge), "--data", str(data), "Где будет центр?", "Where?")
    assert asked.exit_code == 0, asked.stderr
    rows = [json.loads(line) for line in asked.stdout.splitlines()]
    assert [r["answered"] for r in rows] == [False, False] and [r["language"] for r in rows] == ["ru", "en"]
    assert "нет ни одной статьи" in rows[0]["answer"] and "no articles" in rows[1]["answer"]


def test_a_full_disk_during_reindex_says_how_much_to_free_and_leaves_no_temporary_folder(tmp_path, seed):
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs unshare to mount a small tmpfs")
    copy_seed(seed, tmp_path / "seed")
    knowledge, built = tmp_path / "seed" / "knowledge", tmp_path / "seed" / "data"
    (knowledge / "copy.md").write_text(
        (knowledge / "central-asia-centre.en.md").read_text(encoding="utf-8").replace(
            "id: central-asia-centre-en", "id: copy-en"), encoding="utf-8")
    data = tmp_path / "small"
    data.mkdir()
    size_kb = sum(p.stat().st_size for p in built.rglob("*") if p.is_file()) // 1024 + 160
    script = (f"mount -t tmpfs -o size={size_kb}k tmpfs {data} && cp -a {built}/. {data}/ && "
              f"{sys.executable} -m bot.cli reindex --knowledge {knowledge} --data {data}; echo rc=$?; "
              f"ls -a {data}/index; cat {data}/index/CURRENT")
    result = run_process("unshare", "-rm", "sh", "-c", script)
    assert "rc=2" in result.stdout, result.stdout + result.stderr
    assert re.search(r"the disk holding the data folder \S+ \(CENTRE_BOT_DATA_DIR\) is full: free at least \d+ MB",
                     result.stderr, re.IGNORECASE), result.stderr
    assert "Traceback" not in result.stderr and ".tmp" not in result.stdout
    live = (built / "index" / "CURRENT").read_text(encoding="utf-8").strip()
    assert result.stdout.strip().endswith(live)  # the previous index is still the live one


def test_the_console_script_creates_the_index_and_cache_for_their_owner_only(tmp_path):
    # A real process from nothing: the entry point's umask, model loading and a cold build.
    script = shutil.which("centre-bot", path=str(Path(sys.executable).parent))
    command = [script] if script else CLI
    data = tmp_path / "d"
    result = run_process(*command, "reindex", "--knowledge", str(ROOT / "knowledge"), "--data", str(data))
    assert result.returncode == 0, result.stderr
    assert "3 added" in result.stdout
    modes = {p.relative_to(data).as_posix(): p.stat().st_mode & 0o777 for p in [data, *data.rglob("*")]}
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes
