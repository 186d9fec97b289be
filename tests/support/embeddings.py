"""Embedders for tests: the real model, counted."""

from __future__ import annotations


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
