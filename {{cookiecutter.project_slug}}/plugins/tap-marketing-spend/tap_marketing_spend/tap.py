"""The tap and its one stream: daily spend rows from `spend_*.csv`, incremental on `date`."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th

COLUMNS = ("date", "campaign", "source", "medium", "spend", "impressions", "clicks", "currency")
# The ingest step finds a rejected row by this prefix in Meltano's log and shows what follows.
REJECTED = "Export rejected: "
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WHOLE_NUMBER = re.compile(r"[+-]?\d+")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
FILE_DAY = re.compile(r"spend_(\d{4}-\d{2}-\d{2})")


class ExportError(Exception):
    """A row the tap must extract but cannot: names the file, the line, the column and the rule."""


class MarketingSpendStream(Stream):
    """One row per day and campaign, as the ad platform bills it."""

    name = "marketing_spend"
    primary_keys = ("date", "campaign")
    replication_key = "date"
    # Rows are yielded in date order, so the bookmark can advance record by record.
    is_sorted = True
    schema = th.PropertiesList(
        th.Property("date", th.DateType, required=True),
        th.Property("campaign", th.StringType, required=True),
        th.Property("source", th.StringType),
        th.Property("medium", th.StringType),
        th.Property("spend", th.NumberType),
        th.Property("impressions", th.IntegerType),
        th.Property("clicks", th.IntegerType),
        th.Property("currency", th.StringType),
    ).to_dict()

    def get_records(self, context: dict | None) -> Iterable[dict[str, Any]]:
        bookmark = self.stream_state.get("replication_key_value")
        start_date = self.config.get("start_date")
        # The ingest step reads this line to say which extract it was.
        if bookmark:
            self.logger.info("Extracting rows dated after bookmark %s", bookmark)
        else:
            self.logger.info("Extracting rows dated from start_date %s", start_date or "(none)")
        # Every file is read and checked before the first record goes out: a bad row stops the
        # run with nothing emitted, so the bookmark stays put until the export is fixed.
        rows = [row for path in self._files() for row in self._new_rows(path, bookmark, start_date)]
        yield from sorted(rows, key=lambda row: (row["date"], row["campaign"]))

    def _files(self) -> list[Path]:
        folder = Path(self.config["path"])
        if not folder.is_dir():
            raise FileNotFoundError(f"No export folder at {folder}: check the `path` setting")
        return sorted(folder.glob("spend_*.csv"))

    def _new_rows(
        self, path: Path, bookmark: str | None, start_date: str | None
    ) -> Iterator[dict[str, Any]]:
        """The rows of one file dated after the bookmark (and from start_date on), parsed.

        A row's date is judged before anything else is parsed, so a bad cell in a day that was
        extracted long ago can't hold back the new days.
        """

        def already_done(day: str) -> bool:
            # ISO dates compare correctly as text.
            return bool(bookmark and day <= bookmark) or bool(start_date and day < start_date)

        try:
            with path.open(newline="", encoding="utf-8") as file:
                reader = csv.DictReader(file)
                for fields in reader:
                    where = f"{path.name} line {reader.line_num}"
                    day = fields.get("date")
                    if not _is_date(day):
                        file_day = FILE_DAY.match(path.name)
                        if file_day and already_done(file_day.group(1)):
                            # Its day is unknown, but the whole file's day was extracted already.
                            self.logger.warning(
                                "Skipping %s: date %r is not a date, in a file for a day"
                                " already extracted",
                                where,
                                day,
                            )
                            continue
                    elif already_done(day):
                        continue
                    yield _parse(fields, where, len(reader.fieldnames or ()))
        except UnicodeDecodeError as error:
            raise ExportError(f"{path.name}: not UTF-8 text (byte {error.start})") from None
        except csv.Error as error:
            raise ExportError(f"{path.name}: not a readable CSV file ({error})") from None


def _is_date(text: str | None) -> bool:
    if text is None or not ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _parse(fields: dict[str | None, Any], where: str, header_fields: int) -> dict[str, Any]:
    """One CSV row as a record; raises ExportError naming the first cell that breaks a rule."""
    if None in fields:
        extra = len(fields[None])
        raise ExportError(
            f"{where}: {header_fields + extra} fields, the header has {header_fields}"
        )
    for column in COLUMNS:
        if fields.get(column) is None:
            raise ExportError(f"{where}: column {column!r} is missing")
    if not _is_date(fields["date"]):
        raise ExportError(f"{where}: date {fields['date']!r} is not a date (YYYY-MM-DD)")
    if not fields["campaign"].strip():
        raise ExportError(f"{where}: campaign {fields['campaign']!r} is empty")
    record: dict[str, Any] = {column: fields[column] for column in COLUMNS}
    spend = fields["spend"]
    if not NUMBER.fullmatch(spend) or not math.isfinite(float(spend)):
        raise ExportError(f"{where}: spend {spend!r} is not a number")
    record["spend"] = float(spend)
    for column in ("impressions", "clicks"):
        if not WHOLE_NUMBER.fullmatch(fields[column]):
            raise ExportError(f"{where}: {column} {fields[column]!r} is not a whole number")
        record[column] = int(fields[column])
    return record


class TapMarketingSpend(Tap):
    """Reads the spend exports in `path`, from `start_date` on."""

    name = "tap-marketing-spend"
    config_jsonschema = th.PropertiesList(
        th.Property("path", th.StringType, required=True, description="Folder holding spend_*.csv"),
        th.Property(
            "start_date",
            th.DateType,
            description="First day to extract when there is no bookmark (YYYY-MM-DD)",
        ),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return [MarketingSpendStream(self)]

    def sync_all(self) -> None:
        try:
            super().sync_all()
        except ExportError as error:
            # One line, no traceback: it is the export that needs fixing, not the tap.
            self.logger.error("%s%s", REJECTED, error)
            raise SystemExit(1) from None


if __name__ == "__main__":
    TapMarketingSpend.cli()
