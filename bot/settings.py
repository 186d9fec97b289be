"""Every setting in one place, read from CENTRE_BOT_* environment variables and an optional .env file,
and the rules for reading them (Bot API address, announcement chat, webhook secret) that the bot and the
doctor share."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.embeddings import DEFAULT_MODEL

ENV_PREFIX = "CENTRE_BOT_"
TELEGRAM_API = "https://api.telegram.org"
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


class ConfigError(ValueError):
    """The program cannot run as configured; the message tells the operator what to set or fix."""

    def __init__(self, problem: str, fix: str = ""):
        super().__init__(f"{problem}. {fix[:1].upper()}{fix[1:]}." if fix else problem)
        self.problem, self.fix = problem, fix


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def api_urls(base_url: str) -> tuple[str, str]:
    """CENTRE_BOT_TELEGRAM_BASE_URL (e.g. http://localhost:8081) -> PTB's base_url and base_file_url."""
    base = (base_url or TELEGRAM_API).strip().rstrip("/")
    if base.endswith("/bot"):
        base = base[: -len("/bot")]
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{env_name('telegram_base_url')} {base_url!r} is not an http(s) address",
                          "use an address such as http://localhost:8081, or leave it empty for Telegram's own")
    return f"{base}/bot", f"{base}/file/bot"


def chat_target(chat: str) -> int | str:
    """A chat as the Bot API wants it: an int id or '@channelname' ('@' added when missing)."""
    chat = chat.strip()
    try:
        return int(chat)
    except ValueError:
        return chat if chat.startswith("@") else f"@{chat}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

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
    llm_context_chars: int = Field(
        6000, ge=500, description="Characters of search passages the LLM is given to answer from"
    )
    llm_helper_timeout: float = Field(
        4.0, gt=0, description="Seconds for the LLM to rewrite a follow-up or render the question in the other "
        "languages before the plain question is searched"
    )
    llm_cross_language: bool = Field(
        True, description="Also search the question as the LLM renders it in the other two languages"
    )
    llm_translate: bool = Field(
        True, description="At reindex, have the LLM translate each article into the languages it has no "
        "rendition in (files in the knowledge folder's machine-translations/)"
    )
    llm_translate_max_chars: int = Field(
        12000, ge=500, description="Longer articles are not machine-translated"
    )

    telegram_token: SecretStr = Field(SecretStr(""), description="Bot token from @BotFather")
    telegram_base_url: str = Field("", description="Another Bot API server, e.g. a self-hosted one")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Admin user ids, comma separated"
    )
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

    @field_validator("telegram_token", "webhook_secret", mode="after")
    @classmethod
    def _strip_secret(cls, value: SecretStr) -> SecretStr:  # a token pasted with a newline is the same token
        return SecretStr(value.get_secret_value().strip())

    @field_validator("announce_chat_id", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

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

    @property
    def translate_enabled(self) -> bool:
        return self.llm_enabled and self.llm_translate

    @property
    def api_urls(self) -> tuple[str, str]:
        """PTB's base_url and base_file_url; ConfigError when CENTRE_BOT_TELEGRAM_BASE_URL is not an address."""
        return api_urls(self.telegram_base_url)

    @property
    def announce_target(self) -> int | str | None:
        return chat_target(self.announce_chat_id) if self.announce_chat_id else None

    def webhook_secret_token(self) -> str:
        """The secret Telegram sends with each webhook: the configured one, or a fresh random one."""
        secret = self.webhook_secret.get_secret_value()
        if not secret:
            # Telegram gets the secret with setWebhook at every start, so a fresh random one is as good.
            return secrets.token_urlsafe(32)
        if not _WEBHOOK_SECRET.match(secret):
            raise ConfigError(f"{env_name('webhook_secret')} may only contain A-Z, a-z, 0-9, _ and - "
                              "(1 to 256 characters)", f"choose another {env_name('webhook_secret')}")
        return secret
