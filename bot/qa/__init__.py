"""Question answering: a question in, an extractive answer with citations out (no Telegram here)."""
