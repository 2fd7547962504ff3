"""The pipeline's settings, read once from the environment (prefix PIPELINE_) or a local .env."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# src/<package>/settings.py -> the project root; relative paths below are taken from it.
PROJECT_DIR = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PIPELINE_", env_file=PROJECT_DIR / ".env", extra="ignore"
    )

    project_dir: Path = PROJECT_DIR
    landing_dir: Path = Path("data/landing")
    exports_dir: Path = Path("data/exports")
    warehouse_path: Path = Path("data/warehouse.duckdb")
    reports_dir: Path = Path("reports")
    dbt_target: str = "local"

    collector_host: str = "127.0.0.1"
    collector_port: int = Field(default=8088, ge=0, le=65535)
    # The local collector accepts any key; production collectors check it.
    segment_write_key: SecretStr = SecretStr("local-development")

    sample_days: int = Field(default=14, ge=1)
    sample_users: int = Field(default=300, ge=1)
    sample_seed: int = 20261201

    owner_email: str = {{ cookiecutter.owner_email | py_string }}

    @model_validator(mode="after")
    def _anchor_paths(self) -> Settings:
        for field in ("landing_dir", "exports_dir", "warehouse_path", "reports_dir"):
            path = getattr(self, field)
            if not path.is_absolute():
                setattr(self, field, self.project_dir / path)
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
