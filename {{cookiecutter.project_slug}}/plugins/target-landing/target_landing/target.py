"""The target and its sink: one new NDJSON file per stream and batch, never rewritten."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from pathlib import Path
from typing import Any

from singer_sdk import Target
from singer_sdk import typing as th
from singer_sdk.sinks import BatchSink


def _to_json(value: Any) -> Any:
    # The SDK parses date and date-time fields, and JSON numbers may arrive as Decimal.
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class LandingSink(BatchSink):
    """Writes a batch to a temp file beside its final name, then renames it into place."""

    def process_batch(self, context: dict) -> None:
        records = context.get("records", [])
        if not records:
            return
        started: datetime.datetime = context["batch_start_time"].astimezone(datetime.UTC)
        folder = (
            Path(self.config["landing_dir"]) / "raw" / self.stream_name / f"date={started:%Y-%m-%d}"
        )
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{started:%H%M%S}-{uuid.uuid4().hex}.jsonl"
        # A leading dot keeps loaders that glob *.jsonl away from a half-written file.
        partial = folder / f".{final.name}.partial"
        with partial.open("x", encoding="utf-8") as file:
            for record in records:
                file.write(json.dumps(record, default=_to_json, separators=(",", ":")) + "\n")
        partial.rename(final)
        self.logger.info("Landed %d records in %s", len(records), final)


class TargetLanding(Target):
    """Lands every stream it receives under `landing_dir`."""

    name = "target-landing"
    default_sink_class = LandingSink
    config_jsonschema = th.PropertiesList(
        th.Property(
            "landing_dir",
            th.StringType,
            required=True,
            description="Root of the landing zone; files go under raw/<stream>/date=<day>/",
        ),
    ).to_dict()


if __name__ == "__main__":
    TargetLanding.cli()
