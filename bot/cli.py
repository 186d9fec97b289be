"""The `centre-bot` command line: reindex, ask, chat (and the commands added by other modules)."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Heavy modules (numpy, faiss, the model, telegram, ...) are imported by the commands that need them, so
# `ask` starts fast and main() can set the OpenMP policy before any of them loads.
if TYPE_CHECKING:
    from bot.settings import Settings
    from index.builder import ReindexReport

app = typer.Typer(
    help="centre-bot: answers questions about the ASEM LLL Hub Central Asia Regional Centre (kk/ru/en).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

KnowledgeOpt = Annotated[
    Path | None, typer.Option("--knowledge", help="Knowledge folder [env CENTRE_BOT_KNOWLEDGE_DIR]", show_default=False)
]
DataOpt = Annotated[
    Path | None, typer.Option("--data", help="Data folder [env CENTRE_BOT_DATA_DIR]", show_default=False)
]


def load_settings(knowledge: Path | None = None, data: Path | None = None, **extra) -> Settings:
    from pydantic import ValidationError

    from bot.settings import Settings, env_name

    overrides = {"knowledge_dir": knowledge, "data_dir": data, **extra}
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        lines = [f"  {env_name('_'.join(map(str, e['loc'])))}: {e['msg'].removeprefix('Value error, ')}"
                 for e in exc.errors()]
        fail("Some settings are invalid:\n" + "\n".join(lines))


def fail(message: str, code: int = 2):
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def make_assistant(settings: Settings):
    from bot.qa.assistant import Assistant

    return Assistant(settings)


class _ProgressBar:
    """tqdm bars on a terminal, one line per stage otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=stage, unit="item", file=sys.stderr, leave=False,
                            disable=not sys.stderr.isatty())
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def print_report(report: ReindexReport, err: bool = False) -> None:
    for problem in report.problems:
        typer.secho(f"skipped {problem}", fg=typer.colors.YELLOW, err=True)
    if report.reason and report.rebuilt:
        typer.echo(f"full rebuild: {report.reason}", err=err)
    typer.echo(
        f"documents: {len(report.added)} added, {len(report.changed)} changed, {len(report.removed)} removed, "
        f"{report.unchanged} unchanged, {report.skipped} skipped | chunks: {report.chunks} "
        f"({report.embedded} texts embedded) | {report.seconds:.2f} s",
        err=err,
    )
    if report.renditions_made or report.renditions_removed:
        typer.echo(f"machine translations: {len(report.renditions_made)} made, {len(report.renditions_removed)} "
                   "removed", err=err)
    if report.renditions_failed:
        typer.secho(f"not translated (see the log; tried again at the next reindex): "
                    f"{', '.join(report.renditions_failed)}", fg=typer.colors.YELLOW, err=True)
    if report.renditions_too_long:
        typer.echo(f"too long to translate: {', '.join(report.renditions_too_long)}", err=err)


def _with_model_errors(func, *args, **kwargs):
    from index.embeddings import EmbeddingModelError
    from index.snapshot import DiskFull

    try:
        return func(*args, **kwargs)
    except (EmbeddingModelError, DiskFull) as exc:
        fail(str(exc)[:1].upper() + str(exc)[1:] + ".")


@app.command("reindex")
def reindex_cmd(
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
):
    """Index the knowledge folder: only added or changed articles are embedded again."""
    settings = load_settings(knowledge, data)
    if not Path(settings.knowledge_dir).is_dir():
        fail(f"Knowledge folder {settings.knowledge_dir} does not exist: "
             "pass --knowledge or set CENTRE_BOT_KNOWLEDGE_DIR.")
    assistant = make_assistant(settings)
    bar = _ProgressBar(enabled=not as_json)
    report = _with_model_errors(assistant.reindex, bar)
    bar.close()
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        print_report(report)


def _questions(questions: list[str]):
    for q in questions:
        if q == "-":
            for line in sys.stdin:
                if line.strip():
                    yield line.rstrip("\n")
        else:
            yield q


@app.command("ask")
def ask_cmd(
    questions: Annotated[list[str], typer.Argument(help="Question(s); '-' reads one question per line from stdin")],
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Answer in kk, ru or en (default: detect)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per question (JSON Lines)")] = False,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Extractive answer even if an LLM is configured")] = False,
):
    """Answer questions from the knowledge, with citations. Builds or refreshes the index if needed."""
    if lang is not None and lang not in ("kk", "ru", "en"):
        fail("--lang must be kk, ru or en")
    settings = load_settings(knowledge, data)
    assistant = make_assistant(settings)
    _with_model_errors(assistant.warm_up)
    bar = _ProgressBar(enabled=True)
    report = _with_model_errors(assistant.ensure_index, bar)
    bar.close()
    if report is not None:
        typer.secho(f"index refreshed ({report.reason or 'knowledge changed'})", err=True, dim=True)
        if report.problems:
            print_report(report, err=True)
    first = True
    for question in _questions(questions):
        answer = assistant.ask(question, lang=lang, use_llm=not no_llm)
        if as_json:
            typer.echo(json.dumps(answer.as_dict(), ensure_ascii=False))
        else:
            if not first:
                typer.echo("")
            typer.echo(answer.as_text())
        first = False


@app.command("chat")
def chat_cmd(
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Answer in kk, ru or en (default: detect)")] = None,
):
    """Interactive console: type questions, get answers; an empty line or Ctrl-D quits."""
    settings = load_settings(knowledge, data)
    assistant = make_assistant(settings)
    bar = _ProgressBar(enabled=True)
    _with_model_errors(assistant.ensure_index, bar)
    bar.close()
    typer.echo("Ask about the ASEM LLL Hub Central Asia Regional Centre (kk/ru/en). Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = input("? ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            break
        if not question.strip():
            break
        typer.echo(assistant.ask(question, lang=lang, conversation="console").as_text() + "\n")


@app.command("run")
def run_cmd(
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
):
    """Start the Telegram bot: long polling, or a webhook server when CENTRE_BOT_WEBHOOK_URL is set."""
    settings = load_settings(knowledge, data)
    from bot.settings import ConfigError
    from bot.telegram.app import run_bot

    try:
        run_bot(settings)
    except ConfigError as exc:
        fail(str(exc))


@app.command("doctor")
def doctor_cmd(
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too")] = False,
):
    """Check the deployment (settings, Telegram token and channel, knowledge, index, LLM, disk) and say what to fix."""
    from bot.ops.doctor import doctor

    raise typer.Exit(doctor(strict=strict, out=typer.echo, knowledge_dir=knowledge, data_dir=data))


@app.command("eval")
def eval_cmd(
    eval_sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="tuning, tuning-kk-only, heldout, heldout-kk-only, heldout2 to heldout4 and their "
                                   "-kk-only variants, kazqad or all (repeatable)"),
    ] = None,
    questions: Annotated[
        Path | None, typer.Option("--questions", help="Your own question set (JSON Lines) over --knowledge")
    ] = None,
    knowledge: KnowledgeOpt = None,
    data: DataOpt = None,
    mode: Annotated[list[str] | None, typer.Option("--mode", help="hybrid, dense or lexical (repeatable)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the tables as JSON")] = False,
    show_failures: Annotated[
        bool, typer.Option("--failures", help="List the questions the first mode got wrong")
    ] = False,
):
    """Measure answer quality (hit@1/3, MRR, answered/refused, language, facts) beside naive anchors.

    Run from the repository root. Each named set gets its own knowledge and index under DATA/eval/<set>/.
    """
    from bot.qa.anchors import ANCHOR_METRICS, anchor_ranks, summarise_anchors
    from bot.qa.assistant import Assistant
    from bot.qa.eval_sets import SETS, prepare_knowledge, questions_of
    from bot.qa.evaluate import MODES, evaluate, failures, format_table, load_questions, summarise
    from index.embeddings import load_embedder

    modes = tuple(mode) if mode else MODES
    if unknown := set(modes) - set(MODES):
        fail(f"Unknown mode(s) {', '.join(sorted(unknown))}: use {', '.join(MODES)}")
    names = list(SETS) if eval_sets and "all" in eval_sets else list(eval_sets or ([] if questions else ["tuning"]))
    if unknown := set(names) - set(SETS):
        fail(f"Unknown set(s) {', '.join(sorted(unknown))}: use {', '.join(SETS)} or all")
    base = load_settings(knowledge, data)
    embedder = _with_model_errors(load_embedder, base.embedding_model)
    runs = []  # (title, settings, questions)
    root = Path.cwd()
    try:
        if questions is not None:
            runs.append((f"{questions}", base, load_questions(questions)))
        for name in names:
            work = Path(base.data_dir) / "eval" / name
            target = prepare_knowledge(SETS[name], root, work / "knowledge")
            label = "tuned on" if SETS[name].tuned_on else "never tuned on"
            settings = base.model_copy(update={"knowledge_dir": target, "data_dir": work / "data"})
            runs.append((f"{name} ({label})", settings, questions_of(SETS[name], root)))
    except (OSError, ValueError) as exc:
        fail(f"Cannot prepare the evaluation: {exc}")
    report = {}
    for title, settings, question_set in runs:
        assistant = Assistant(settings, embedder=embedder)
        bar = _ProgressBar(enabled=not as_json)
        _with_model_errors(assistant.ensure_index, bar)
        bar.close()
        outcomes = evaluate(assistant, question_set, modes)
        table = summarise(outcomes)
        anchors = summarise_anchors(
            question_set, anchor_ranks(assistant.snapshot(), assistant.embedder, settings.data_dir, question_set)
        )
        report[title] = {"bot": table, "anchors": anchors}
        if as_json:
            continue
        typer.echo(f"== {title}: {len(question_set)} questions, {len(assistant.snapshot().documents)} articles")
        typer.echo(format_table(table))
        typer.echo(format_table(anchors, ANCHOR_METRICS, label="anchor"))
        if show_failures:
            typer.echo("\n".join([f"failures ({modes[0]}):", *failures(outcomes, modes[0])]))
        typer.echo("")
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=1))


def main() -> None:
    # Before OpenMP loads (faiss, the model): spinning idle threads made a query 2.3x slower on a busy 2-core host.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # The data folder holds user ids and questions: whatever this process creates is for its user only.
    os.umask(0o077)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
