"""The Singer tap and target under plugins/, run as Meltano runs them, and the ingest step."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }} import ingest as ingest_module
from {{ cookiecutter.package_name }}.ingest import ingest, meltano_command
from {{ cookiecutter.package_name }}.settings import PROJECT_DIR, Settings
from {{ cookiecutter.package_name }}.spend_export import write_sample_export
from {{ cookiecutter.package_name }}.steps import PipelineError

CAMPAIGNS = 3  # in tracking_plan.yml
DAYS = 4
SPEND_SCHEMA = {
    "type": "object",
    "properties": {
        "date": {"type": "string", "format": "date"},
        "campaign": {"type": "string"},
        "spend": {"type": "number"},
    },
}
SPEND_RECORDS = [
    {"date": "2026-12-01", "campaign": "winter_sale", "spend": 12.5},
    {"date": "2026-12-01", "campaign": "retargeting", "spend": 3.25},
    {"date": "2026-12-02", "campaign": "winter_sale", "spend": 14.0},
]
LANDED_NAME = re.compile(r"\d{6}-[0-9a-f]{32}\.jsonl")
# Stands in for a Meltano run that fails: a long log naming its arguments, then exit status 1.
FAILING_MELTANO = (
    "import sys\n"
    "for n in range(40): print(f'log line {n}', file=sys.stderr)\n"
    "print('called with', *sys.argv[1:], file=sys.stderr)\n"
    "print('tap-marketing-spend: No export folder at /nowhere', file=sys.stderr)\n"
    "sys.exit(1)\n"
)


@pytest.fixture(scope="session")
def plugin_bin() -> dict[str, Path]:
    """The tap's and target's executables in the venvs Meltano manages (installed if missing)."""
    executables = {
        "tap-marketing-spend": PROJECT_DIR / ".meltano/extractors/tap-marketing-spend/venv/bin",
        "target-landing": PROJECT_DIR / ".meltano/loaders/target-landing/venv/bin",
    }
    paths = {name: folder / name for name, folder in executables.items()}
    if not all(path.exists() for path in paths.values()):
        subprocess.run([*meltano_command(), "install"], cwd=PROJECT_DIR, check=True)
    return paths


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        landing_dir=tmp_path / "landing",
        exports_dir=tmp_path / "exports",
        warehouse_path=tmp_path / "warehouse.duckdb",
        reports_dir=tmp_path / "reports",
        sample_days=DAYS,
    )


def run_plugin(
    executable: Path, config: dict[str, Any], tmp_path: Path, *args: str, stdin: str = ""
) -> list[dict[str, Any]]:
    config_file = tmp_path / f"{executable.name}.json"
    config_file.write_text(json.dumps(config))
    result = subprocess.run(
        [str(executable), "--config", str(config_file), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def records(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [message["record"] for message in messages if message["type"] == "RECORD"]


def last_state(messages: list[dict[str, Any]], tmp_path: Path) -> Path:
    state = [message["value"] for message in messages if message["type"] == "STATE"][-1]
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    return path


def singer_input(stream: str = "marketing_spend") -> str:
    messages = [{"type": "SCHEMA", "stream": stream, "schema": SPEND_SCHEMA, "key_properties": []}]
    messages += [{"type": "RECORD", "stream": stream, "record": r} for r in SPEND_RECORDS]
    return "\n".join(json.dumps(message) for message in messages) + "\n"


def landed(settings: Settings) -> list[Path]:
    return sorted((settings.landing_dir / "raw" / "marketing_spend").rglob("*.jsonl"))


def test_tap_extracts_every_exported_row_without_state(
    settings: Settings, plugin_bin: dict[str, Path], tmp_path: Path
) -> None:
    write_sample_export(settings)
    config = {"path": str(settings.exports_dir / "marketing_spend")}

    messages = run_plugin(plugin_bin["tap-marketing-spend"], config, tmp_path)

    assert len(records(messages)) == DAYS * CAMPAIGNS


def test_tap_second_run_with_state_extracts_only_the_new_day(
    settings: Settings, plugin_bin: dict[str, Path], tmp_path: Path
) -> None:
    write_sample_export(settings)
    exports = settings.exports_dir / "marketing_spend"
    newest = sorted(exports.glob("spend_*.csv"))[-1]
    held_back = newest.rename(tmp_path / newest.name)
    config = {"path": str(exports), "start_date": "2020-01-01"}
    first = run_plugin(plugin_bin["tap-marketing-spend"], config, tmp_path)
    held_back.rename(newest)

    second = run_plugin(
        plugin_bin["tap-marketing-spend"],
        config,
        tmp_path,
        "--state",
        str(last_state(first, tmp_path)),
    )

    new_day = newest.stem.removeprefix("spend_")
    assert [row["date"] for row in records(second)] == [new_day] * CAMPAIGNS


def test_tap_skips_days_before_start_date(
    settings: Settings, plugin_bin: dict[str, Path], tmp_path: Path
) -> None:
    write_sample_export(settings)
    exports = settings.exports_dir / "marketing_spend"
    second_day = sorted(exports.glob("spend_*.csv"))[1].stem.removeprefix("spend_")
    config = {"path": str(exports), "start_date": second_day}

    rows = records(run_plugin(plugin_bin["tap-marketing-spend"], config, tmp_path))

    assert min(row["date"] for row in rows) == second_day
    assert len(rows) == (DAYS - 1) * CAMPAIGNS


def test_target_lands_records_as_ndjson_under_the_extraction_date(
    settings: Settings, plugin_bin: dict[str, Path], tmp_path: Path
) -> None:
    config = {"landing_dir": str(settings.landing_dir)}
    days = {datetime.now(UTC).date().isoformat()}
    run_plugin(plugin_bin["target-landing"], config, tmp_path, stdin=singer_input())
    days.add(datetime.now(UTC).date().isoformat())

    [file] = landed(settings)

    assert file.parent.name.removeprefix("date=") in days
    assert LANDED_NAME.fullmatch(file.name)
    assert [json.loads(line) for line in file.read_text().splitlines()] == SPEND_RECORDS
    assert [path.name for path in file.parent.iterdir()] == [file.name]  # no temp file left


def test_target_adds_a_new_file_and_never_rewrites_a_landed_one(
    settings: Settings, plugin_bin: dict[str, Path], tmp_path: Path
) -> None:
    config = {"landing_dir": str(settings.landing_dir)}
    run_plugin(plugin_bin["target-landing"], config, tmp_path, stdin=singer_input())
    [first] = landed(settings)
    before = (first.read_bytes(), first.stat().st_mtime_ns)

    run_plugin(plugin_bin["target-landing"], config, tmp_path, stdin=singer_input())

    assert len(landed(settings)) == 2
    assert (first.read_bytes(), first.stat().st_mtime_ns) == before


def test_ingest_without_exports_asks_for_the_sample_step(settings: Settings) -> None:
    with pytest.raises(PipelineError, match="run `pipeline sample` first"):
        ingest(settings)


def test_ingest_failure_shows_the_end_of_meltanos_log(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_sample_export(settings)
    fake = [sys.executable, "-c", FAILING_MELTANO]
    monkeypatch.setattr(ingest_module, "meltano_command", lambda: fake)

    with pytest.raises(PipelineError) as failure:
        ingest(settings)

    message = str(failure.value)
    assert "exited with 1" in message
    assert message.endswith("No export folder at /nowhere")
    assert "log line 39" in message
    assert "log line 0\n" not in message


def test_ingest_into_an_empty_landing_zone_ignores_an_old_bookmark(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_sample_export(settings)
    fake = [sys.executable, "-c", FAILING_MELTANO]
    monkeypatch.setattr(ingest_module, "meltano_command", lambda: fake)

    with pytest.raises(PipelineError) as failure:
        ingest(settings)

    assert "called with run --full-refresh tap-marketing-spend target-landing" in str(failure.value)


@pytest.mark.slow
def test_meltano_rerun_lands_no_new_rows(
    settings: Settings,
    plugin_bin: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its own system database, so the test neither reads nor moves the project's real bookmark.
    monkeypatch.setenv("MELTANO_DATABASE_URI", f"sqlite:///{tmp_path / 'meltano.db'}")
    write_sample_export(settings)

    first = ingest(settings)
    second = ingest(settings)

    assert first.startswith(f"{DAYS * CAMPAIGNS} spend rows into 1 file")
    assert second.startswith("0 spend rows into 0 files (incremental after")
    assert sum(len(path.read_text().splitlines()) for path in landed(settings)) == DAYS * CAMPAIGNS
