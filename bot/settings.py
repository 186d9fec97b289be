"""Every setting in one place, read from CENTRE_BOT_* environment variables and an optional .env file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

from index.embeddings import DEFAULT_MODEL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CENTRE_BOT_", env_file=".env", extra="ignore")

    knowledge_dir: Path = Field(Path("knowledge"), description="Folder of knowledge articles (.md, .txt)")
    data_dir: Path = Field(Path("data"), description="Folder for the index and the bot's database")
    embedding_model: str = Field(
        DEFAULT_MODEL, description="'multilingual-e5-small' (bundled) or any sentence-transformers model"
    )
    min_relevance: float | None = Field(
        None, ge=-1, le=1,
        description="How much closer to the question the best passage must be than everyday text, else "
        "'I don't know' (default: calibrated, see docs/quality.md)",
    )

    llm_base_url: str = Field("", description="OpenAI-compatible endpoint for generative answers (optional)")
    llm_model: str = Field("", description="Model name at that endpoint")
    llm_api_key: SecretStr = Field(SecretStr(""), description="API key for the endpoint")
    llm_timeout: float = Field(20.0, gt=0, description="Seconds to wait for the LLM before answering extractively")

    telegram_token: SecretStr = Field(SecretStr(""), description="Bot token from @BotFather")
    telegram_base_url: str = Field("", description="Another Bot API server, e.g. a self-hosted one")
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, description="Admin user ids, comma separated")
    announce_chat_id: str = Field("", description="Channel @name or group id for announcements")
    webhook_url: str = Field("", description="Public HTTPS URL: webhook mode instead of polling")
    webhook_secret: SecretStr = Field(SecretStr(""), description="Secret token Telegram sends with each webhook")
    webhook_listen: str = Field("0.0.0.0", description="Address the webhook server listens on")
    webhook_port: int = Field(8080, description="Port the webhook server listens on")
    default_language: str = Field(
        "en", pattern="^(kk|ru|en)$",
        description="Language of the bot's own messages for people whose Telegram language is not kk, ru or en",
    )
    rate_limit_per_minute: int = Field(20, ge=1, description="Questions one user may ask per minute")
    allow_private_urls: bool = Field(False, description="Let /add fetch private and loopback addresses")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value):
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
            wrong = [part for part in parts if not part.lstrip("-").isdigit()]
            if wrong:  # said in words: the doctor and `centre-bot run` show this to the operator
                raise ValueError(f"{', '.join(wrong)} is not a numeric Telegram user id (ask @userinfobot for "
                                 "yours; separate several with commas)")
            return [int(part) for part in parts]
        return value

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)
