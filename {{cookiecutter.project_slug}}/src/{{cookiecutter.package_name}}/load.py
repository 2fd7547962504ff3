"""The `load` step: new landing-zone files into the warehouse's raw tables, each file exactly once.

It is the local stand-in for Snowpipe: DuckDB reads and checks every new file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .settings import Settings
from .steps import PipelineError, counted

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

# One row per line of every new file, with why it can't be loaded (null: it can). A file's final
# newline leaves an empty last piece after the split: that one is not a line.
LINES = """
create or replace temp table new_lines as
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
        case when json_type = 'OBJECT' and files.source = 'segment'
            then json_extract_string(payload, ['$.type', '$.messageId'])
        end as keys
    from lines
    inner join files using (path)
    where not (lines.line = lines.last_line and lines.content = '')
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
            when keys[1] is null then 'missing type'
            when not list_contains($types, keys[1]) then 'unknown type'
            when keys[2] is null then 'missing messageId'
        end as reason
    from parsed
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
    return load_landing_zone(settings.landing_dir, settings.warehouse_path).summary()


def load_landing_zone(landing_dir: Path, warehouse_path: Path) -> LoadResult:
    """Load every landing-zone file not yet in raw._loaded_files, all in one transaction."""
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
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
        con.execute("begin transaction")
        try:
            rows, quarantined = _load_new(con, new)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return LoadResult(files, rows, quarantined)


def _load_new(
    con: duckdb.DuckDBPyConnection, new: list[tuple[str, str, str]]
) -> tuple[dict[str, int], int]:
    paths, files, sources = (list(column) for column in zip(*new, strict=True))
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(LINES, {"paths": paths, "files": files, "sources": sources, "types": SEGMENT_TYPES})
    rows = {
        source: _count(con, INSERT_ROWS.format(table=table), source=source, loaded_at=loaded_at)
        for source, table in SOURCES.items()
    }
    quarantined = _count(con, INSERT_QUARANTINE, loaded_at=loaded_at)
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
