"""Settings, declared once, typed, validated at start-up (env prefix CALLSHIFT_)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALLSHIFT_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{Path('callshift.db').resolve()}",
        description="SQLAlchemy URL: sqlite:///FILE (default) or postgresql+psycopg://USER@HOST/DB",
    )
    public_url: str | None = Field(
        default=None, description="Base URL used in Link headers; by default the request's own",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    recycle_retention_days: int = Field(default=30, ge=1, le=3650)
    log_level: str = "INFO"
    log_json: bool = True
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        if not url.startswith(("sqlite:", "sqlite+pysqlite:", "postgresql")):
            raise ValueError("CALLSHIFT_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL")
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            raise ValueError("use the psycopg 3 driver: postgresql+psycopg://…")
        return url

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        v = v.upper()
        if v not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("log level is DEBUG, INFO, WARNING or ERROR")
        return v

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
