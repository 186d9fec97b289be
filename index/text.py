"""Two small text rules every layer shares: whitespace collapsed to single spaces, an error as one short line."""

from __future__ import annotations


def one_line(text: str) -> str:
    """Every run of whitespace (newlines included) as one space, none at either end."""
    return " ".join(text.split())


def error_text(exc: BaseException, limit: int | None = None, *, kind: bool = False) -> str:
    """The first line of an exception's message (its type's name if it has none), at most ``limit``
    characters; ``kind`` puts the type first, "ValueError: ...", for logs."""
    message = str(exc).strip()
    first = message.splitlines()[0] if message else ""
    text = f"{type(exc).__name__}: {first}" if kind and first else first or type(exc).__name__
    return text[:limit]
