"""The `pipeline` command: a user error is one line and a non-zero exit, never a stack trace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.settings import get_settings

BAD_SETTINGS = {
    "not-a-number": ("PIPELINE_SAMPLE_USERS", "abc", "valid integer"),
    "no-users": ("PIPELINE_SAMPLE_USERS", "0", "greater than or equal to 1"),
    "port-out-of-range": ("PIPELINE_COLLECTOR_PORT", "99999", "less than or equal to 65535"),
}


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(("name", "value", "rule"), BAD_SETTINGS.values(), ids=BAD_SETTINGS)
def test_bad_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, rule: str
) -> None:
    monkeypatch.setenv(name, value)

    result = CliRunner().invoke(app, ["sample"])

    assert result.exit_code == 2
    assert result.output.splitlines() == [
        line for line in result.output.splitlines() if line.startswith(f"settings: {name}=")
    ]
    assert rule in result.output and "Traceback" not in result.output


def test_step_without_a_warehouse_fails_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PIPELINE_WAREHOUSE_PATH", str(tmp_path / "missing.duckdb"))

    result = CliRunner().invoke(app, ["report"])

    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("report: failed: no warehouse at ")
    assert "Traceback" not in result.output
