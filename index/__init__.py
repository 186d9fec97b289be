"""The knowledge and retrieval engine: article files in, a searchable index out. Imports nothing from bot/."""
