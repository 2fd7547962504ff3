"""The tap and its one stream: daily spend rows from `spend_*.csv`, incremental on `date`."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th


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
        rows = (row for path in self._files() for row in self._read(path))
        for row in sorted(rows, key=lambda row: (row["date"], row["campaign"])):
            # Limitation: a day is extracted once, so figures an ad platform restates later are
            # missed until a backfill (docs/ingestion.md); a lookback window would lift it.
            if bookmark and row["date"] <= bookmark:
                continue
            if start_date and row["date"] < start_date:
                continue
            yield row

    def _files(self) -> list[Path]:
        folder = Path(self.config["path"])
        if not folder.is_dir():
            raise FileNotFoundError(f"No export folder at {folder}: check the `path` setting")
        return sorted(folder.glob("spend_*.csv"))

    @staticmethod
    def _read(path: Path) -> Iterable[dict[str, Any]]:
        with path.open(newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                yield {
                    **row,
                    "spend": float(row["spend"]),
                    "impressions": int(row["impressions"]),
                    "clicks": int(row["clicks"]),
                }


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


if __name__ == "__main__":
    TapMarketingSpend.cli()
