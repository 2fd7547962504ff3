"""The sample spend export: a CSV a day for the tracking plan's campaigns, the same every run."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.spend_export import (
    COLUMNS,
    write_sample_export,
)
from {{ cookiecutter.package_name }}.tracking_plan import load_tracking_plan

DAYS = 5


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        exports_dir=tmp_path / "exports", landing_dir=tmp_path / "landing", sample_days=DAYS
    )


def export_files(settings: Settings) -> list[Path]:
    return sorted((settings.exports_dir / "marketing_spend").glob("spend_*.csv"))


def test_export_has_one_row_per_day_and_campaign_ending_today(settings: Settings) -> None:
    campaigns = {campaign.name for campaign in load_tracking_plan().campaigns}

    rows_written = write_sample_export(settings)

    files = export_files(settings)
    assert rows_written == DAYS * len(campaigns)
    assert len(files) == DAYS
    assert files[-1].name == f"spend_{datetime.now(UTC).date().isoformat()}.csv"
    with files[-1].open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == COLUMNS
    assert {row["campaign"] for row in rows} == campaigns


def test_rerun_writes_nothing_and_leaves_files_identical(settings: Settings) -> None:
    write_sample_export(settings)
    before = {
        path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in export_files(settings)
    }

    rows_written = write_sample_export(settings)

    after = {
        path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in export_files(settings)
    }
    assert rows_written == 0
    assert after == before


def test_another_seed_writes_other_figures(settings: Settings, tmp_path: Path) -> None:
    other = settings.model_copy(update={"exports_dir": tmp_path / "other", "sample_seed": 7})
    write_sample_export(settings)
    write_sample_export(other)

    [first, *_] = export_files(settings)
    assert first.read_text() != (other.exports_dir / "marketing_spend" / first.name).read_text()
