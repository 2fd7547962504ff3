"""The load step copies each landing-zone file into raw once, and quarantines what it can't load."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pytest

from {{ cookiecutter.package_name }}.collector import running
from {{ cookiecutter.package_name }}.load import load
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.steps import PipelineError
from {{ cookiecutter.package_name }}.traffic import send_events
from {{ cookiecutter.package_name }}.transform import dbt

TRACK = {
    "type": "track",
    "event": "Signed Up",
    "userId": "u1",
    "properties": {"plan": "team"},
    "receivedAt": "2026-12-01T10:15:00.000Z",
}
SPEND = {
    "date": "2026-12-01",
    "campaign": "winter_sale",
    "source": "google",
    "medium": "cpc",
    "spend": 12.5,
    "impressions": 900,
    "clicks": 31,
    "currency": "EUR",
}
# (id, the line as it sits in the file, the reason it is quarantined)
MALFORMED_LINES = [
    ("not-json", '{"type": "track", "messageId": ', "not JSON"),
    ("blank-line", "", "not JSON"),
    ("array", '["track", "m1"]', "not a JSON object"),
    ("number", "42", "not a JSON object"),
    ("no-type", '{"messageId": "m1", "event": "Signed Up"}', "missing type"),
    ("unknown-type", '{"type": "click", "messageId": "m1"}', "unknown type"),
    ("no-message-id", '{"type": "track", "event": "Signed Up"}', "missing messageId"),
]
# Lines that parse but that staging could not take: one key of a good track call broken each.
BROKEN_TRACKS = [
    ("empty-message-id", {"messageId": ""}, "messageId is not a non-empty string"),
    ("number-message-id", {"messageId": 123}, "messageId is not a non-empty string"),
    ("no-received-at", {"receivedAt": None}, "missing receivedAt"),
    ("received-at-not-a-timestamp", {"receivedAt": "yesterday"}, "receivedAt is not a timestamp"),
    ("unplanned-event", {"event": "Product Liked"}, "event not in the tracking plan"),
    ("no-event", {"event": None}, "event not in the tracking plan"),
    ("value-not-a-number", {"properties": {"value": "abc"}}, "value is not a number"),
    ("value-a-numeric-string", {"properties": {"value": "12.5"}}, "value is not a number"),
]
MALFORMED_LINES += [
    (name, json.dumps({**TRACK, "messageId": "m-broken", **change}), reason)
    for name, change, reason in BROKEN_TRACKS
]
# Planned track calls with a number value, and a page call, whose event and value aren't checked.
GOOD_VALUES = [
    TRACK | {"messageId": "m-double", "properties": {"value": 12.5}},
    TRACK | {"messageId": "m-integer", "properties": {"value": 80}},
    TRACK | {"messageId": "m-null", "properties": {"value": None}},
    TRACK | {"messageId": "m-page", "type": "page", "event": "Home", "properties": {"value": "x"}},
]
# A Latin-1 file: the é of "Café" is the byte 0xE9, which is not UTF-8.
LATIN1_LINES = [json.dumps(TRACK | {"messageId": "m-latin1", "userId": "Café"}, ensure_ascii=False)]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(landing_dir=tmp_path / "landing", warehouse_path=tmp_path / "warehouse.duckdb")


def land(settings: Settings, source: str, lines: list[str], day: str = "2026-12-01") -> Path:
    folder = settings.landing_dir / "raw" / source / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"101500-{uuid.uuid4().hex}.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def events(count: int, start: int = 0) -> list[str]:
    return [json.dumps(TRACK | {"messageId": f"m{start + n}"}) for n in range(count)]


def query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_counts_match_the_lines_in_the_files(settings: Settings) -> None:
    land(settings, "segment", events(3))
    land(settings, "segment", events(2, start=3), day="2026-12-02")
    land(settings, "marketing_spend", [json.dumps(SPEND)])

    summary = load(settings)

    assert summary == "5 events from 2 files, 1 spend row from 1 file (0 quarantined)"
    assert query(settings, "select count(*) from raw.segment_events") == [(5,)]
    assert query(settings, "select sum(rows) from raw._loaded_files") == [(6,)]


def test_rows_keep_payload_file_and_line(settings: Settings) -> None:
    path = land(settings, "segment", events(2))

    load(settings)

    rows = query(
        settings,
        "select payload->>'messageId', _file, _line from raw.segment_events order by _line",
    )
    relative = path.relative_to(settings.landing_dir).as_posix()
    assert rows == [("m0", relative, 1), ("m1", relative, 2)]


def test_spend_record_loads_as_it_was_landed(settings: Settings) -> None:
    land(settings, "marketing_spend", [json.dumps(SPEND)])

    load(settings)

    [(payload,)] = query(settings, "select payload from raw.marketing_spend")
    assert json.loads(payload) == SPEND


def test_rerun_loads_nothing_twice(settings: Settings) -> None:
    land(settings, "segment", events(4))
    load(settings)

    summary = load(settings)

    assert summary.startswith("0 events from 0 files")
    assert query(settings, "select count(*) from raw.segment_events") == [(4,)]


@pytest.mark.parametrize(
    ("line", "reason"),
    [pytest.param(line, reason, id=name) for name, line, reason in MALFORMED_LINES],
)
def test_malformed_line_is_quarantined_and_counted(
    settings: Settings, line: str, reason: str
) -> None:
    land(settings, "segment", [*events(1), line, *events(1, start=1)])

    summary = load(settings)

    assert summary == "2 events from 1 file, 0 spend rows from 0 files (1 quarantined)"
    assert query(settings, "select line, content, reason from raw._quarantine") == [
        (2, line, reason)
    ]
    assert query(settings, "select rows, quarantined from raw._loaded_files") == [(2, 1)]


def test_track_with_a_number_value_and_a_page_with_any_event_load(settings: Settings) -> None:
    land(settings, "segment", [json.dumps(message) for message in GOOD_VALUES])

    assert load(settings).startswith("4 events from 1 file,")


def test_file_that_is_not_utf8_is_quarantined_whole_and_the_rest_loads(
    settings: Settings,
) -> None:
    land(settings, "segment", events(2))
    bad = land(settings, "segment", [])
    bad.write_bytes("".join(line + "\n" for line in [*events(1), *LATIN1_LINES]).encode("latin-1"))

    summary = load(settings)

    assert summary == "2 events from 2 files, 0 spend rows from 0 files (2 quarantined)"
    relative = bad.relative_to(settings.landing_dir).as_posix()
    assert query(settings, "select file, line, reason from raw._quarantine order by line") == [
        (relative, 1, "not UTF-8 text"),
        (relative, 2, "not UTF-8 text"),
    ]
    [(content,)] = query(settings, "select content from raw._quarantine where line = 2")
    assert '"userId": "Caf\ufffd"' in content
    assert query(
        settings, f"select rows, quarantined from raw._loaded_files where file = '{relative}'"
    ) == [(0, 2)]
    assert load(settings).startswith("0 events from 0 files")


def test_warehouse_folder_that_cannot_be_made_is_a_pipeline_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the warehouse folder should go")
    settings = Settings(
        landing_dir=tmp_path / "landing", warehouse_path=blocker / "data" / "warehouse.duckdb"
    )

    with pytest.raises(PipelineError, match="cannot create the warehouse folder .*not-a-folder"):
        load(settings)


@pytest.mark.slow
def test_value_that_slipped_past_the_load_stages_as_null(settings: Settings) -> None:
    land(settings, "segment", events(1))
    load(settings)
    slipped = TRACK | {"messageId": "m-slipped", "properties": {"value": "abc"}}
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "insert into raw.segment_events values (?, 'hand-written', 1, now())",
            [json.dumps(slipped)],
        )

    dbt(settings, "run", "--select", "stg_segment__tracks")

    assert query(
        settings, "select event_value from staging.stg_segment__tracks where id = 'm-slipped'"
    ) == [(None,)]


def test_spend_line_that_is_not_json_is_quarantined(settings: Settings) -> None:
    land(settings, "marketing_spend", [json.dumps(SPEND), "date,campaign,spend"])

    summary = load(settings)

    assert summary.endswith("1 spend row from 1 file (1 quarantined)")


def test_new_file_after_a_load_is_picked_up_alone(settings: Settings) -> None:
    land(settings, "segment", events(3))
    load(settings)
    late = land(settings, "segment", events(2, start=3), day="2026-12-02")

    summary = load(settings)

    assert summary.startswith("2 events from 1 file,")
    relative = late.relative_to(settings.landing_dir).as_posix()
    assert query(
        settings,
        "select _file, count(*) from raw.segment_events group by _file having count(*) = 2",
    ) == [(relative, 2)]


def test_file_still_being_written_is_left_for_the_next_load(settings: Settings) -> None:
    final = land(settings, "segment", events(2))
    final.rename(final.with_name(f".{final.name}.partial"))

    summary = load(settings)

    assert summary.startswith("0 events from 0 files")


def test_empty_file_is_recorded_so_it_is_not_read_again(settings: Settings) -> None:
    land(settings, "segment", [])

    load(settings)

    assert query(settings, "select rows, quarantined from raw._loaded_files") == [(0, 0)]


def test_file_without_final_newline_loads_every_line(settings: Settings) -> None:
    path = land(settings, "segment", [])
    path.write_text("\n".join(events(3)), encoding="utf-8")

    assert load(settings).startswith("3 events from 1 file,")


def test_collector_files_load_end_to_end(settings: Settings) -> None:
    with running(settings) as collector:
        send_events(collector.url, "test-key", 1_200, seed=3)

    summary = load(settings)

    assert summary.startswith("1,200 events from")
    assert query(
        settings, "select count(distinct payload->>'messageId') from raw.segment_events"
    ) == [(1_200,)]
