"""Embeddings computed once: vectors keyed by (model, content hash) in SQLite, plus a log of reindex runs.

Like simonw/llm's embeddings store: text whose hash is already there is never embedded again, whatever
document or chunk it now belongs to; switching models back and forth costs nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("centre_bot_cache")


@migrations()
def m001_embeddings(db: sqlite_utils.Database) -> None:
    db.table("embeddings").create(
        {"model": str, "hash": str, "dim": int, "vector": bytes, "created": str},
        pk=("model", "hash"),
    )


@migrations()
def m002_reindex_runs(db: sqlite_utils.Database) -> None:
    db.table("reindex_runs").create(
        {"id": int, "started": str, "seconds": float, "model": str, "generation": str, "report": str},
        pk="id",
    )


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        migrations.apply(self.db)

    def get_many(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), 500):
            batch = unique[start : start + 500]
            marks = ",".join("?" * len(batch))
            for row in self.db.query(
                f"select hash, vector from embeddings where model = ? and hash in ({marks})", [model, *batch]
            ):
                found[row["hash"]] = np.frombuffer(row["vector"], dtype=np.float32)
        return found

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.conn:
            self.db.table("embeddings").insert_all(
                (
                    {"model": model, "hash": h, "dim": int(v.shape[0]), "vector": v.astype(np.float32).tobytes(),
                     "created": now}
                    for h, v in vectors.items()
                ),
                replace=True,
            )

    def log_run(self, started: str, seconds: float, model: str, generation: str, report: dict) -> None:
        with self.db.conn:
            self.db.table("reindex_runs").insert(
                {"started": started, "seconds": seconds, "model": model, "generation": generation,
                 "report": json.dumps(report, ensure_ascii=False)}
            )

    def close(self) -> None:
        self.db.close()
