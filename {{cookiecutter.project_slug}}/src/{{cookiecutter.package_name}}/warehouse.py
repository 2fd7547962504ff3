"""Opening the DuckDB warehouse for reading, with a one-line error when it can't be opened."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .steps import PipelineError


def read_only(warehouse: Path, needed_by: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection; `needed_by` names the step to run first if there's no warehouse."""
    if not warehouse.exists():
        raise PipelineError(f"no warehouse at {warehouse}: run `pipeline {needed_by}` first")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as error:
        # DuckDB names the process holding the write lock in its message; keep its first line.
        reason = str(error).strip().splitlines()[0]
        raise PipelineError(f"cannot read the warehouse {warehouse}: {reason}") from None
