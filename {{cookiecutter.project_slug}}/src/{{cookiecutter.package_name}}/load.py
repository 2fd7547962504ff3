"""The `load` step: new landing-zone files into the warehouse's raw tables, each file exactly once.

It is the local stand-in for Snowpipe: DuckDB reads and checks every new file in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .settings import Settings
from .steps import PipelineError, counted
from .tracking_plan import load_tracking_plan

# Landing-zone folder under raw/ -> the raw table its files load into.
SOURCES = {"segment": "segment_events", "marketing_spend": "marketing_spend"}
SEGMENT_TYPES = ["track", "identify", "page", "screen", "group", "alias"]

SCHEMA = """
create schema if not exists raw;
create table if not exists raw.segment_events (
    payload json, _file varchar, _line bigint, _loaded_at timestamp
);
create table if not exists raw.marketing_spend (
    payload json, _file varchar, _line bigint, _loaded_at timestamp
);
create table if not exists raw._loaded_files (
    file varchar primary key, source varchar, rows bigint, quarantined bigint,
    loaded_at timestamp
);
create table if not exists raw._quarantine (
    file varchar, line bigint, content varchar, reason varchar, quarantined_at timestamp
);
"""

# One row per line of every new file, with why it can't be loaded (null: it can).
NEW_LINES = """
create or replace temp table new_lines (
    file varchar, source varchar, line bigint, reason varchar, payload json, content varchar
)
"""

# The lines of the files DuckDB can read as text. A file's final newline leaves an empty last piece
# after the split: that one is not a line. Besides the cast that checks a line is JSON, the fields
# the checks need come out of one json_extract over a list of paths, not one call per field.
LINES = """
insert into new_lines
with files as (
    select
        unnest($paths::varchar[]) as path,
        unnest($files::varchar[]) as file,
        unnest($sources::varchar[]) as source
),

pieces as (
    select
        filename as path,
        string_split(content, chr(10)) as pieces
    from read_text($paths::varchar[])
),

lines as (
    select
        path,
        -- Two unnests in one select walk the lists side by side: the piece and its number.
        unnest(pieces) as content,
        unnest(range(1, len(pieces) + 1)) as line,
        len(pieces) as last_line
    from pieces
),

parsed as (
    select
        files.file,
        files.source,
        lines.line,
        lines.content,
        -- The one full parse; its result is also what gets loaded.
        try_cast(lines.content as json) as payload,
        case
            when payload is null then null
            when starts_with(lines.content, '{') then 'OBJECT'
            else json_type(payload)
        end as json_type,
        -- The checked fields as JSON values (null: absent), so their JSON types can be checked.
        case when json_type = 'OBJECT' and files.source = 'segment'
            then json_extract(
                payload,
                ['$.type', '$.messageId', '$.receivedAt', '$.event', '$.properties.value']
            )
        end as fields
    from lines
    inner join files using (path)
    where not (lines.line = lines.last_line and lines.content = '')
),

fields as (
    select
        *,
        -- JSON null reads as SQL null, like an absent field.
        json_extract_string(fields[1], '$') as type,
        json_extract_string(fields[2], '$') as message_id,
        json_type(fields[2]) as message_id_type,
        json_extract_string(fields[3], '$') as received_at,
        json_extract_string(fields[4], '$') as event,
        coalesce(json_type(fields[5]), 'NULL') as value_type
    from parsed
),

checked as (
    select
        file,
        source,
        line,
        content,
        payload,
        case
            when payload is null then 'not JSON'
            when json_type <> 'OBJECT' then 'not a JSON object'
            when source <> 'segment' then null
            when type is null then 'missing type'
            when not list_contains($types, type) then 'unknown type'
            when message_id is null then 'missing messageId'
            when message_id_type <> 'VARCHAR' or trim(message_id) = ''
                then 'messageId is not a non-empty string'
            when received_at is null then 'missing receivedAt'
            when try_cast(received_at as timestamptz) is null then 'receivedAt is not a timestamp'
            when type <> 'track' then null
            when not coalesce(list_contains($events, event), false)
                then 'event not in the tracking plan'
            when value_type not in ('NULL', 'BIGINT', 'UBIGINT', 'DOUBLE')
                then 'value is not a number'
        end as reason
    from fields
)

select
    file,
    source,
    line,
    reason,
    -- Good lines keep their parsed payload, bad ones their text as received.
    case when reason is null then payload end as payload,
    case when reason is not null then content end as content
from checked
"""

# A file that is not UTF-8 text is quarantined whole, one row per line, decoded with replacements.
INSERT_UNREADABLE = """
insert into new_lines
select
    $file,
    $source,
    unnest(range(1, len($lines::varchar[]) + 1)),
    'not UTF-8 text',
    null,
    unnest($lines::varchar[])
"""

INSERT_ROWS = """
insert into raw.{table}
select payload, file, line, $loaded_at
from new_lines
where source = $source and reason is null
"""

INSERT_QUARANTINE = """
insert into raw._quarantine
select file, line, content, reason, $loaded_at
from new_lines
where reason is not null
"""

# Every new file gets its manifest row, an empty file included, so it is never read again.
INSERT_MANIFEST = """
insert into raw._loaded_files
select
    files.file,
    files.source,
    count(new_lines.line) filter (where new_lines.reason is null),
    count(new_lines.line) filter (where new_lines.reason is not null),
    $loaded_at
from (
    select
        unnest($files::varchar[]) as file,
        unnest($sources::varchar[]) as source
) as files
left join new_lines using (file)
group by files.file, files.source
"""


@dataclass(frozen=True)
class LoadResult:
    files: dict[str, int]
    rows: dict[str, int]
    quarantined: int

    def summary(self) -> str:
        events = f"{counted(self.rows['segment'], 'event')} from "
        events += counted(self.files["segment"], "file")
        spend = f"{counted(self.rows['marketing_spend'], 'spend row')} from "
        spend += counted(self.files["marketing_spend"], "file")
        return f"{events}, {spend} ({self.quarantined:,} quarantined)"


def load(settings: Settings) -> str:
    events = load_tracking_plan(settings.project_dir / "tracking_plan.yml").event_names()
    return load_landing_zone(settings.landing_dir, settings.warehouse_path, events).summary()


def load_landing_zone(
    landing_dir: Path, warehouse_path: Path, event_names: Sequence[str]
) -> LoadResult:
    """Load every landing-zone file not yet in raw._loaded_files, all in one transaction.

    Track calls must name one of `event_names`, the tracking plan's events.
    """
    try:
        warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or str(error)
        folder = warehouse_path.parent
        raise PipelineError(f"cannot create the warehouse folder {folder}: {reason}") from None
    try:
        con = duckdb.connect(str(warehouse_path))
    except duckdb.IOException as error:
        raise PipelineError(f"cannot open the warehouse {warehouse_path}: {error}") from None
    with con:
        con.execute(SCHEMA)
        loaded = {row[0] for row in con.execute("select file from raw._loaded_files").fetchall()}
        new = [entry for entry in landing_files(landing_dir) if entry[1] not in loaded]
        files = {source: sum(entry[2] == source for entry in new) for source in SOURCES}
        if not new:
            return LoadResult(files, dict.fromkeys(SOURCES, 0), 0)
        # Reading fills a temp table only, outside the transaction: a file DuckDB can't read as
        # text then fails one statement, not the transaction the raw tables are written in.
        _read_new(con, new, list(event_names))
        con.execute("begin transaction")
        try:
            rows, quarantined = _insert_new(con, new)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return LoadResult(files, rows, quarantined)


def _read_new(
    con: duckdb.DuckDBPyConnection, new: list[tuple[str, str, str]], event_names: list[str]
) -> None:
    """Fill new_lines from the new files: one read_text over all, unless one is not UTF-8."""
    con.execute(NEW_LINES)
    params = {"types": SEGMENT_TYPES, "events": event_names}
    try:
        con.execute(LINES, params | _columns(new))
        return
    except duckdb.InvalidInputException as error:
        if "UTF-8" not in str(error):
            raise
        unreadable = {entry: text for entry in new if (text := _not_utf8(entry[0])) is not None}
        if not unreadable:
            raise
    readable = [entry for entry in new if entry not in unreadable]
    if readable:
        con.execute(LINES, params | _columns(readable))
    for (_, file, source), text in unreadable.items():
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        con.execute(INSERT_UNREADABLE, {"file": file, "source": source, "lines": lines})


def _columns(entries: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    paths, files, sources = (list(column) for column in zip(*entries, strict=True))
    return {"paths": paths, "files": files, "sources": sources}


def _not_utf8(path: str) -> str | None:
    """The file's text decoded with replacement characters if it is not UTF-8, else None."""
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")
    return None


def _insert_new(
    con: duckdb.DuckDBPyConnection, new: list[tuple[str, str, str]]
) -> tuple[dict[str, int], int]:
    columns = _columns(new)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    rows = {
        source: _count(con, INSERT_ROWS.format(table=table), source=source, loaded_at=loaded_at)
        for source, table in SOURCES.items()
    }
    quarantined = _count(con, INSERT_QUARANTINE, loaded_at=loaded_at)
    files, sources = columns["files"], columns["sources"]
    _count(con, INSERT_MANIFEST, files=files, sources=sources, loaded_at=loaded_at)
    return rows, quarantined


def _count(con: duckdb.DuckDBPyConnection, sql: str, **params: object) -> int:
    """Run an insert; return how many rows it wrote."""
    result = con.execute(sql, params).fetchone()
    return int(result[0]) if result else 0


def landing_files(landing_dir: Path) -> list[tuple[str, str, str]]:
    """(absolute path, path relative to the landing zone, source) of every finished file."""
    found = []
    for source in SOURCES:
        folder = landing_dir / "raw" / source
        # Writers put a file in place by renaming a dot-named partial one: skip those.
        for path in sorted(folder.glob("date=*/[!.]*.jsonl")):
            found.append((str(path), path.relative_to(landing_dir).as_posix(), source))
    return found
