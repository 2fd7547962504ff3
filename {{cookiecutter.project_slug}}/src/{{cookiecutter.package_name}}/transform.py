"""The transform step: check the sources' freshness, then `dbt build` the project in transform/."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.artifacts.schemas.run import RunResult
from dbt.cli.main import dbtRunner, dbtRunnerResult

from .settings import Settings
from .steps import PipelineError, counted
from .tracking_plan import load_tracking_plan

FAILED = {"error", "fail", "runtime error"}
# How a node's resource type reads in the summary line.
NOUNS = {"model": "model", "test": "test", "unit_test": "unit test", "seed": "seed"}


def plan_vars(plan_path: Path) -> dict[str, Any]:
    """The tracking plan as the dbt vars that models and tests read (see dbt_project.yml)."""
    plan = load_tracking_plan(plan_path)
    return {
        "tracked_events": plan.event_names(),
        "conversion_events": [event.name for event in plan.conversion_events()],
        "funnel_steps": [
            {
                "funnel_step": event.funnel_step,
                "event_name": event.name,
                "event_category": event.category,
                "event_action": event.action,
            }
            for event in plan.funnel_steps()
        ],
    }


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    # profiles.yml reads the warehouse path from the environment; leave the caller's untouched.
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def _release_warehouse() -> None:
    # dbt-duckdb keeps the warehouse open for the life of the process, and DuckDB lets no other
    # connection with different options (the check and report steps) open the file meanwhile.
    with suppress(Exception):  # no DuckDB environment: the target is another warehouse
        DuckDBConnectionManager.env().close()
    DuckDBConnectionManager.close_all_connections()


def dbt(settings: Settings, *command: str) -> dbtRunnerResult:
    """Run one dbt command on the project: silent on the console, logged to transform/logs."""
    project_dir = settings.project_dir / "transform"
    arguments = [
        *command,
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir),
        "--target", settings.dbt_target,
        "--vars", json.dumps(plan_vars(settings.project_dir / "tracking_plan.yml")),
        "--log-path", str(project_dir / "logs"),
        "--log-level", "none",
        "--log-level-file", "info",
        "--no-send-anonymous-usage-stats",
        "--no-version-check",
    ]  # fmt: skip
    with _environment("PIPELINE_WAREHOUSE_PATH", str(settings.warehouse_path)):
        try:
            result = dbtRunner().invoke(arguments)
        finally:
            _release_warehouse()
    if result.exception is not None:
        first_line = str(result.exception).strip().splitlines()[0]
        raise PipelineError(f"dbt {' '.join(command)}: {first_line} (see transform/logs/dbt.log)")
    return result


def check_freshness(settings: Settings) -> list[str]:
    """Raise if a source is past its error_after; return the sources past their warn_after."""
    results = dbt(settings, "source", "freshness").result.results
    unreadable = [result for result in results if str(result.status) == "runtime error"]
    if unreadable:
        source = f"{unreadable[0].node.source_name}.{unreadable[0].node.name}"
        raise PipelineError(f"source {source} cannot be read: {reason(unreadable[0].message)}")
    stale = {"warn": [], "error": []}
    for result in results:
        if str(result.status) in stale:
            source = f"{result.node.source_name}.{result.node.name}"
            stale[str(result.status)].append(f"{source} (last load {result.age / 3600:,.0f} h ago)")
    if stale["error"]:
        sources = ", ".join(stale["error"])
        raise PipelineError(f"stale sources: {sources}; run `pipeline load` after new data lands")
    return stale["warn"]


def reason(message: str | None) -> str:
    """The database's own line of a dbt error message, e.g. "Catalog Error: Table ... not exist"."""
    # dbt's messages start with a generic "Runtime Error in ..."; DuckDB's may end with a caret.
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    errors = [line for line in lines[1:] if "Error:" in line]
    return (errors or lines or ["no message"])[-1]


def describe_failure(result: RunResult) -> str:
    node = result.node
    kind = NOUNS.get(node.resource_type, node.resource_type)
    if node.resource_type == "unit_test" and str(result.status) == "fail":
        return f"{kind} {node.name} (the model's rows differ from the expected ones)"
    if result.failures:
        return f"{kind} {node.name} ({counted(result.failures, 'failing row')})"
    return f"{kind} {node.name} ({reason(result.message)})"


def summarize(results: list[RunResult], stale: list[str]) -> str:
    """'12 models, 49 tests, 2 unit tests passed', with warnings and stale sources after it."""
    counts = Counter(str(result.node.resource_type) for result in results)
    built = ", ".join(counted(counts[kind], noun) for kind, noun in NOUNS.items() if counts[kind])
    warnings = sum(str(result.status) == "warn" for result in results)
    notes = [f"{warnings} tests warned"] if warnings else []
    notes += [f"stale: {', '.join(stale)}"] if stale else []
    return f"{built} passed" + (f" ({'; '.join(notes)})" if notes else "")


def transform(settings: Settings) -> str:
    """Stop on stale sources, build and test every model, and name whatever failed."""
    if not settings.warehouse_path.exists():
        raise PipelineError(f"no warehouse at {settings.warehouse_path}: run `pipeline load` first")
    stale = check_freshness(settings)
    results = dbt(settings, "build").result.results
    failed = [describe_failure(result) for result in results if str(result.status) in FAILED]
    if failed:
        skipped = sum(str(result.status) == "skipped" for result in results)
        more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
        failures = "; ".join(failed[:3]) + more
        raise PipelineError(f"dbt build failed: {failures} ({skipped} nodes skipped)")
    return summarize(results, stale)
