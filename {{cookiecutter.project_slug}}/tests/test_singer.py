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
# Stands in for a Meltano run whose tap rejected a row: the tap's line amid Meltano's own log.
REJECTING_MELTANO = (
    "import sys\n"
    "for n in range(40): print(f'log line {n}', file=sys.stderr)\n"
    "print('2026-12-03T10:00:00Z [info     ] tap-marketing-spend Export rejected:"
    " spend_2026-12-01.csv line 3: spend \\'abc\\' is not a number', file=sys.stderr)\n"
    "print('meltano      Extractor failed', file=sys.stderr)\n"
    "sys.exit(1)\n"
)
# Columns of an export: date, campaign, source, medium, spend, impressions, clicks, currency.
# Each case changes line 3 of a file and names the one line the tap reports for it.
BAD_ROWS = {
    "spend_not_a_number": (
        lambda cells: cells[:4] + ["abc"] + cells[5:],
        "spend 'abc' is not a number",
    ),
    "empty_spend": (lambda cells: cells[:4] + [""] + cells[5:], "spend '' is not a number"),
    "missing_column": (lambda cells: cells[:6], "column 'clicks' is missing"),
    "impossible_date": (
        lambda cells: ["2026-13-45"] + cells[1:],
        "date '2026-13-45' is not a date (YYYY-MM-DD)",
    ),
    "fractional_clicks": (
        lambda cells: cells[:6] + ["12.5"] + cells[7:],
        "clicks '12.5' is not a whole number",
    ),
}


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


def invoke_plugin(
    executable: Path, config: dict[str, Any], tmp_path: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    config_file = tmp_path / f"{executable.name}.json"
    config_file.write_text(json.dumps(config))
    return subprocess.run(
        [str(executable), "--config", str(config_file), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def run_plugin(
    executable: Path, config: dict[str, Any], tmp_path: Path, *args: str, stdin: str = ""
) -> list[dict[str, Any]]:
    result = invoke_plugin(executable, config, tmp_path, *args, stdin=stdin)
    result.check_returncode()
    return messages_of(result.stdout)


def messages_of(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def break_line_3(path: Path, change: Any) -> None:
    """Rewrite line 3 of an export (its second row) with `change` applied to its cells."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = ",".join(change(lines[2].split(",")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bookmark_state(day: str, tmp_path: Path) -> Path:
    path = tmp_path / "bookmark.json"
    bookmark = {"replication_key": "date", "replication_key_value": day}
    path.write_text(json.dumps({"bookmarks": {"marketing_spend": bookmark}}))
    return path


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


@pytest.mark.parametrize("change", [change for change, _ in BAD_ROWS.values()], ids=BAD_ROWS.keys())
def test_tap_skips_a_bad_row_in_a_day_already_extracted(
    settings: Settings, plugin_bin: dict[str, Path], tmp_path: Path, change: Any
) -> None:
    write_sample_export(settings)
    exports = settings.exports_dir / "marketing_spend"
    *old, newest = sorted(exports.glob("spend_*.csv"))
    break_line_3(old[0], change)
    bookmark = bookmark_state(old[-1].stem.removeprefix("spend_"), tmp_path)
    config = {"path": str(exports), "start_date": "2020-01-01"}

    messages = run_plugin(
        plugin_bin["tap-marketing-spend"], config, tmp_path, "--state", str(bookmark)
    )

    new_day = newest.stem.removeprefix("spend_")
    assert [row["date"] for row in records(messages)] == [new_day] * CAMPAIGNS


@pytest.mark.parametrize(("change", "rule"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_tap_rejects_a_bad_row_to_extract_in_one_line_naming_file_line_and_rule(
    settings: Settings, plugin_bin: dict[str, Path], tmp_path: Path, change: Any, rule: str
) -> None:
    write_sample_export(settings)
    exports = settings.exports_dir / "marketing_spend"
    newest = sorted(exports.glob("spend_*.csv"))[-1]
    break_line_3(newest, change)
    config = {"path": str(exports), "start_date": "2020-01-01"}

    result = invoke_plugin(plugin_bin["tap-marketing-spend"], config, tmp_path)

    assert result.returncode == 1
    assert f"Export rejected: {newest.name} line 3: {rule}\n" in result.stderr
    assert "Traceback" not in result.stderr
    assert records(messages_of(result.stdout)) == []  # nothing emitted, so no bookmark moves


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


def ingest_failure(settings: Settings, monkeypatch: pytest.MonkeyPatch, meltano: str) -> str:
    """The one-line error of an ingest step whose Meltano is the Python script `meltano`."""
    write_sample_export(settings)
    fake = [sys.executable, "-c", meltano]
    monkeypatch.setattr(ingest_module, "meltano_command", lambda: fake)
    with pytest.raises(PipelineError) as failure:
        ingest(settings)
    return str(failure.value)


def test_ingest_failure_shows_the_end_of_meltanos_log(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = ingest_failure(settings, monkeypatch, FAILING_MELTANO)

    assert "exited with 1" in message
    assert message.endswith("No export folder at /nowhere")
    assert "log line 39" in message
    assert "log line 0\n" not in message


def test_ingest_failure_from_a_rejected_row_is_the_taps_one_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = ingest_failure(settings, monkeypatch, REJECTING_MELTANO)

    assert message == (
        "spend_2026-12-01.csv line 3: spend 'abc' is not a number;"
        " fix the export and run ingest again"
    )


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


@pytest.mark.slow
def test_meltano_run_after_fixing_a_rejected_row_lands_it(
    settings: Settings,
    plugin_bin: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MELTANO_DATABASE_URI", f"sqlite:///{tmp_path / 'meltano.db'}")
    write_sample_export(settings)
    newest = sorted((settings.exports_dir / "marketing_spend").glob("spend_*.csv"))[-1]
    good = newest.read_text(encoding="utf-8")
    break_line_3(newest, BAD_ROWS["impossible_date"][0])

    with pytest.raises(PipelineError, match=rf"^{newest.name} line 3: date '2026-13-45' is not"):
        ingest(settings)
    newest.write_text(good, encoding="utf-8")
    fixed = ingest(settings)

    assert landed(settings) and fixed.startswith(f"{DAYS * CAMPAIGNS} spend rows into 1 file")
