"""Embedders for tests: the real model, counted, or with its vectors kept on disk between test runs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from index.cache import EmbeddingCache, content_hash

PROBE = "Орталық Азия өңірлік орталығы · региональный центр · regional centre"


class CountingEmbedder:
    """The real model, counting how many passages it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.passages = 0
        self.fail_after: int | None = None

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts):
        if self.fail_after is not None and self.passages >= self.fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.passages += len(texts)
        return self.inner.embed_passages(texts)


def store_folder() -> Path | None:
    """Where vectors of the evaluation corpora are kept between runs; CENTRE_TESTS_CACHE=off keeps none."""
    setting = os.environ.get("CENTRE_TESTS_CACHE", "")
    if setting.lower() in ("off", "0", "no"):
        return None
    if setting:
        return Path(setting).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "centre-bot-tests"


class StoredEmbedder:
    """The real model behind a store of the vectors it computed, keyed by a fingerprint of the model and the
    text's hash (the app's own EmbeddingCache). The fingerprint is the model's vectors for a probe text, so
    another model, another version or other weights never read this model's vectors."""

    def __init__(self, inner, folder: Path):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        probe = np.concatenate([inner.embed_queries([PROBE]), inner.embed_passages([PROBE])])
        fingerprint = hashlib.sha256(np.round(probe, 5).tobytes()).hexdigest()[:16]
        self.key = f"{inner.name}@{fingerprint}"
        self.path = folder / "embeddings.db"
        EmbeddingCache(self.path).close()  # created (and migrated) once, here

    def _embed(self, kind: str, embed, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        hashes = [content_hash(t) for t in texts]
        store = EmbeddingCache(self.path)  # per call: the bot may embed from another thread
        try:
            known = store.get_many(f"{self.key}#{kind}", hashes)
            missing = list(dict.fromkeys(h for h in hashes if h not in known))
            if missing:
                text_of = dict(zip(hashes, texts, strict=True))
                fresh = dict(zip(missing, embed([text_of[h] for h in missing]), strict=True))
                store.put_many(f"{self.key}#{kind}", fresh)
                known.update(fresh)
        finally:
            store.close()
        return np.stack([known[h] for h in hashes]).astype(np.float32)

    def embed_queries(self, texts):
        return self._embed("query", self.inner.embed_queries, list(texts))

    def embed_passages(self, texts):
        return self._embed("passage", self.inner.embed_passages, list(texts))
