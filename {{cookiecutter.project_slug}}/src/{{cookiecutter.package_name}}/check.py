"""The check step: validate raw events and the marts against the Great Expectations suites.

Suites live in quality/expectations/*.json; quality/suites.yml names the query each one validates.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from .settings import Settings
from .steps import PipelineError, console
from .tracking_plan import TrackingPlan, load_tracking_plan
from .warehouse import read_only

CHECKPOINT = "warehouse"
SAMPLE_SIZE = 5


@dataclass(frozen=True)
class Outcome:
    """One expectation that did not pass: failed on the data, or raised before it could judge."""

    suite: str
    expectation: str
    column: str
    detail: str
    raised: bool

    def __str__(self) -> str:
        on = f" on {self.column}" if self.column else ""
        return f"{self.suite}: {self.expectation}{on}: {self.detail}"


def check(settings: Settings) -> str:
    """Run every suite in one checkpoint; raise PipelineError naming each failed expectation."""
    quality_dir = settings.project_dir / "quality"
    queries = load_queries(quality_dir / "suites.yml")
    suites = load_suites(quality_dir / "expectations", queries)
    plan = load_tracking_plan(settings.project_dir / "tracking_plan.yml")
    with tempfile.TemporaryDirectory(prefix="check-") as folder:
        files = extract(settings.warehouse_path, queries, Path(folder))
        result = run_checkpoint(suites, files, expectation_parameters(plan))
    outcomes = list(outcomes_of(result))
    expectations = sum(len(suite["expectations"]) for suite in suites)
    if outcomes:
        for outcome in outcomes:
            # No markup: sample values such as "[x]" are data, not rich styles.
            label = "error" if outcome.raised else "failed"
            console.print(f"  {label}: {outcome}", style="red", markup=False)
        raise PipelineError(failure_line(outcomes, expectations))
    rows = sum(rows for _, rows in files.values())
    return f"{len(suites)} suites, {expectations} expectations passed on {rows:,} rows"


def load_queries(path: Path) -> dict[str, str]:
    queries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(queries, Mapping) or not all(isinstance(q, str) for q in queries.values()):
        raise PipelineError(f"{path.name}: must map each suite name to one SQL query")
    return dict(queries)


def load_suites(folder: Path, queries: Mapping[str, str]) -> list[dict[str, Any]]:
    """The suites as GX JSON; every suite needs a query, and every query a suite."""
    paths = sorted(folder.glob("*.json"))
    suites = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    names = {suite.get("name") for suite in suites}
    for name in sorted(names ^ set(queries), key=str):
        where = "suites.yml has no query" if name in names else "expectations/ has no suite"
        raise PipelineError(f"suite {name!r}: {where} for it")
    return suites


def expectation_parameters(plan: TrackingPlan) -> dict[str, Any]:
    """The `$PARAMETER` values the suites use, so event names are never copied out of the plan."""
    funnel = plan.funnel_steps()
    return {
        "tracking_plan_events": plan.event_names(),
        "tracking_plan_taxonomy": [f"{e.name} / {e.category} / {e.action}" for e in plan.events],
        "tracking_plan_funnel_events": [event.name for event in funnel],
        "tracking_plan_funnel_steps": len(funnel),
    }


def extract(
    warehouse: Path, queries: Mapping[str, str], folder: Path
) -> dict[str, tuple[Path, int]]:
    """Write each query's rows to a Parquet file; suite -> (file, row count).

    A checkpoint hands the same batch parameters to every validation, so one checkpoint can't take
    a different in-memory DataFrame per suite; a file per suite can. DuckDB writes Parquet in
    parallel and pandas reads it into Arrow-backed columns, several times faster than `.df()`.
    """
    files = {}
    with read_only(warehouse, needed_by="load") as connection:
        for name, query in queries.items():
            path = folder / f"{name}.parquet"
            select = query.strip().rstrip(";")
            target = str(path).replace("'", "''")
            try:
                written = connection.execute(
                    f"copy ({select}) to '{target}' (format parquet)"
                ).fetchone()
            except duckdb.Error as error:
                first_line = str(error).splitlines()[0]
                raise PipelineError(f"suite {name!r}: its query failed: {first_line}") from None
            files[name] = (path, written[0] if written else 0)
    return files


def run_checkpoint(
    suites: list[dict[str, Any]],
    files: Mapping[str, tuple[Path, int]],
    parameters: Mapping[str, Any],
) -> Any:
    # Imported here: Great Expectations takes seconds to import, and other steps never need it.
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    source = context.data_sources.add_or_update_pandas("warehouse")
    definitions = []
    for document in suites:
        name = document["name"]
        asset = source.add_parquet_asset(name, path=files[name][0])
        suite = context.suites.add_or_update(build_suite(gx, document))
        definition = gx.ValidationDefinition(
            name=name, data=asset.add_batch_definition_whole_dataframe(name), suite=suite
        )
        definitions.append(context.validation_definitions.add_or_update(definition))
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(name=CHECKPOINT, validation_definitions=definitions, result_format="BASIC")
    )
    return checkpoint.run(expectation_parameters=dict(parameters))


def build_suite(gx: Any, document: Mapping[str, Any]) -> Any:
    """A suite from its JSON, where a bad expectation is an error (GX's own loader only logs it)."""
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    expectations = []
    for number, entry in enumerate(document["expectations"], start=1):
        try:
            expectations.append(ExpectationConfiguration(**entry).to_domain_obj())
        except Exception as error:  # GX raises several unrelated types for a bad configuration.
            what = entry.get("type", "?") if isinstance(entry, Mapping) else "?"
            # Pydantic puts each field and its problem on lines of their own: keep them on one.
            message = " ".join(line.strip() for line in str(error).splitlines())
            where = f"{document['name']}: expectation #{number} ({what})"
            raise PipelineError(f"{where}: {message}") from None
    return gx.ExpectationSuite(name=document["name"], expectations=expectations)


def outcomes_of(result: Any) -> Iterator[Outcome]:
    for validation in result.run_results.values():
        for item in validation.results:
            config = item.expectation_config
            error = exception_message(item.exception_info)
            if item.success and error is None:
                continue
            yield Outcome(
                suite=validation.suite_name,
                expectation=config.type,
                column=columns_of(config.kwargs),
                detail=error or unexpected(item.result),
                raised=error is not None,
            )


def exception_message(info: Mapping[str, Any] | None) -> str | None:
    """The first exception an expectation raised; GX nests it per metric when metrics failed."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, Mapping) and entry.get("raised_exception"):
            return f"raised {str(entry.get('exception_message')).splitlines()[0]}"
    return None


def columns_of(kwargs: Mapping[str, Any]) -> str:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return ""


def unexpected(result: Mapping[str, Any]) -> str:
    """`3 of 14 rows unexpected, e.g. -5.0, null` for a column, else the observed value."""
    if "unexpected_count" not in result:
        return f"observed {result.get('observed_value')!r}"
    sample = []
    for value in result.get("partial_unexpected_list") or []:
        missing = value is None or (pd.api.types.is_scalar(value) and pd.isna(value))
        shown = "null" if missing else value
        if shown not in sample:
            sample.append(shown)
    examples = ", ".join(str(value) for value in sample[:SAMPLE_SIZE])
    total = result.get("element_count", 0)
    counted = f"{result['unexpected_count']:,} of {total:,} rows unexpected"
    return f"{counted}, e.g. {examples}" if examples else counted


def failure_line(outcomes: list[Outcome], expectations: int) -> str:
    errors = [outcome for outcome in outcomes if outcome.raised]
    parts = []
    if len(outcomes) > len(errors):
        parts.append(f"{len(outcomes) - len(errors)} of {expectations} expectations failed")
    if errors:
        parts.append(f"{len(errors)} raised an error (a bug or a schema change, not bad data)")
    names = "; ".join(
        f"{outcome.suite} {outcome.expectation}({outcome.column})" for outcome in outcomes
    )
    return f"{', '.join(parts)}: {names}"
