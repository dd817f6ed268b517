"""Settings, declared once, typed, validated at start-up (env prefix CALLSHIFT_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CALLSHIFT_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{Path('callshift.db').resolve()}",
        description="SQLAlchemy URL: sqlite:///FILE (default) or postgresql+psycopg://USER@HOST/DB",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL used in Link headers; by default the request's own",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    recycle_retention_days: int = Field(default=30, ge=1, le=3650)
    reversal_window_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="A change that moves users back to a subscription they left within "
        "this many days is flagged in its preview and needs its own confirmation (0: off)",
    )
    run_jobs: bool = Field(
        default=True,
        description="Run jobs in the server process (on "
        "PostgreSQL, `callshift worker` processes can share the work)",
    )
    job_batch_size: int = Field(
        default=5000, ge=1, le=100_000, description="Users per job batch (one transaction each)"
    )
    csv_upload_max_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1024,
        description="Largest users CSV upload, streamed to a temporary file (bytes); "
        "larger bodies are refused with 413 while they are read",
    )
    json_body_max_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body other than a CSV upload (JSON, forms), in bytes; "
        "larger bodies are refused with 413 while they are read",
    )
    token_lifetime_days: int = Field(
        default=90, ge=1, le=3650, description="Days an API token lives unless told otherwise"
    )
    token_cache_seconds: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="Seconds a server process trusts a token it has looked up: a revoked or "
        "expired token is refused by every process within this",
    )
    csv_max_rows: int = Field(
        default=1_000_000,
        ge=1,
        description="Rows a users CSV may hold; a longer file is refused before anything is stored",
    )
    preview_ttl_hours: float = Field(
        default=24,
        gt=0,
        description="Hours an unconfirmed preview (CSV import, template apply) is kept; "
        "older ones are deleted with their items",
    )
    log_level: str = "INFO"
    log_json: bool = True
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    rate_limit_per_second: float = Field(
        default=0,
        ge=0,
        description="Requests a second per API token under /v1 (0: no limit); "
        "beyond it 429 with a whole-second Retry-After, as Webex answers",
    )
    rate_limit_burst: int = Field(
        default=0, ge=0, description="Requests a token may send at once (0: one second's worth)"
    )
    test_mode: bool = Field(
        default=False, description="Allow test-only settings (fault injection); never in production"
    )
    faults: str = Field(
        default="",
        description="Fault injection, test mode only, e.g. "
        "'burst429=0.01,error5xx=0.05,slow=0.05,drop=0.02,partial=0.03,seed=7' (see api/faults.py)",
    )

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        if not url.startswith(("sqlite:", "sqlite+pysqlite:", "postgresql")):
            raise ValueError(
                "CALLSHIFT_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL"
            )
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

    @model_validator(mode="after")
    def _faults_need_test_mode(self) -> Settings:
        if self.faults.strip() and not self.test_mode:
            raise ValueError(
                "CALLSHIFT_FAULTS (fault injection) is refused unless CALLSHIFT_TEST_MODE=true"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
