"""The Airflow DAG: how it parses, and one real `airflow dags test` run on the sample data."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.settings import Settings, get_settings
from {{ cookiecutter.package_name }}.steps import PipelineError

PROJECT_DIR = Path(__file__).resolve().parents[1]
DAGS_DIR = PROJECT_DIR / "dags"
BIN_DIR = Path(sys.executable).parent
DAG_ID = "{{ cookiecutter.package_name }}_pipeline"
STEP_ORDER = ["ingest", "load", "transform", "check", "report"]
OWNER_EMAIL = {{ cookiecutter.owner_email | py_string }}
LOGICAL_DATE = "2026-12-01"
# Keeps the tools the steps run from phoning home: Airflow (Scarf), dbt, Meltano, GX.
NO_TELEMETRY = {
    "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
    "SCARF_ANALYTICS": "false",
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "false",
}


def airflow_env(home: Path) -> dict[str, str]:
    """An Airflow that keeps everything under `home`: config, SQLite metadata DB, logs."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        **NO_TELEMETRY,
    }


def pipeline_env(root: Path) -> dict[str, str]:
    """Settings whose landing zone, warehouse and reports all live under `root`."""
    with socket.socket() as probe:  # a free port, so parallel runs don't share a collector
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {
        "PIPELINE_LANDING_DIR": str(root / "landing"),
        "PIPELINE_EXPORTS_DIR": str(root / "exports"),
        "PIPELINE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "PIPELINE_REPORTS_DIR": str(root / "reports"),
        "PIPELINE_COLLECTOR_PORT": str(port),
        # Meltano keeps its bookmark in the project's .meltano/; this run must start from none.
        "MELTANO_STATE_BACKEND_URI": f"file://{root / 'meltano-state'}",
    }


@pytest.fixture(scope="module")
def dag(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The parsed DAG; Airflow is imported only once its environment points into a tmp folder."""
    home = tmp_path_factory.mktemp("airflow-home")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in airflow_env(home).items():
            patch.setenv(name, value)
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=DAGS_DIR)
        # Parsing read the settings; don't hand that cached copy to later tests.
        get_settings.cache_clear()
    assert bag.import_errors == {}
    # `bag.dags`, not `bag.get_dag()`: the latter asks the metadata DB, which parsing doesn't need.
    yield bag.dags.get(DAG_ID)


def test_dag_file_parses_into_the_pipeline_dag(dag: Any) -> None:
    assert dag is not None and dag.dag_id == DAG_ID


def test_dag_runs_the_steps_in_pipeline_order_without_sample(dag: Any) -> None:
    (task,) = dag.roots
    order = [task.task_id]
    while task.downstream_list:
        (task,) = task.downstream_list
        order.append(task.task_id)
    assert order == STEP_ORDER


def test_dag_runs_daily_without_catching_up(dag: Any) -> None:
    assert (dag.schedule, dag.catchup) == ("@daily", False)


def test_dag_starts_at_a_fixed_utc_date(dag: Any) -> None:
    start = dag.start_date
    assert start.tzinfo is not None and start.utcoffset().total_seconds() == 0


def test_every_task_retries_after_a_delay(dag: Any) -> None:
    assert all(task.retries >= 1 and task.retry_delay.total_seconds() > 0 for task in dag.tasks)


def test_every_task_emails_the_owner_through_smtp_on_failure(dag: Any) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    for task in dag.tasks:
        notifiers = [c for c in task.on_failure_callback if isinstance(c, SmtpNotifier)]
        assert [n.to for n in notifiers] == [OWNER_EMAIL], task.task_id
        assert task.owner == OWNER_EMAIL


@pytest.fixture
def task_running(dag: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """A task's callable, with its step function swapped for a stand-in."""

    def swap(task_id: str, step: Callable[[Any], str]) -> Callable[[], str]:
        callable_ = dag.get_task(task_id).python_callable
        # The task looks `resolve` up in the DAG module when it runs, as cli.py's `run` does.
        monkeypatch.setitem(callable_.__globals__, "resolve", {task_id: step}.__getitem__)
        return callable_

    yield swap
    get_settings.cache_clear()


def test_task_runs_its_step_with_the_settings_and_returns_the_summary(
    task_running: Callable[..., Any],
) -> None:
    received = []

    def load(settings: Settings) -> str:
        received.append(settings)
        return "3 events from 1 file (0 quarantined)"

    assert task_running("load", load)() == "3 events from 1 file (0 quarantined)"
    assert [type(settings) for settings in received] == [Settings]


def test_user_error_in_a_step_fails_the_task_without_retrying(
    task_running: Callable[..., Any],
) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    def load(settings: Settings) -> str:
        raise PipelineError("no files in the landing zone")

    with pytest.raises(AirflowFailException, match="load: no files in the landing zone"):
        task_running("load", load)()


# An Airflow cluster policy, for the test's Airflow only: a failed task fails the run at once
# instead of waiting out the DAG's retry delays.
NO_RETRIES_POLICY = """
def task_policy(task):
    task.retries = 0
"""


def run(command: list[str], env: dict[str, str], timeout: int) -> str:
    """Run a command of the project's environment; fail with the end of its output."""
    try:
        result = subprocess.run(
            [str(BIN_DIR / command[0]), *command[1:]],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        # The partial output arrives as bytes here, whatever `text=` said.
        partial = error.stdout or b""
        output = partial.decode(errors="replace") if isinstance(partial, bytes) else partial
        pytest.fail(f"{' '.join(command)} took over {timeout} s:\n{output[-4000:]}")
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{output[-4000:]}"
    return result.stdout


@pytest.mark.slow
def test_airflow_dags_test_runs_the_pipeline_on_sample_data_and_writes_the_report(
    tmp_path: Path,
) -> None:
    env = {**os.environ, **airflow_env(tmp_path / "airflow"), **pipeline_env(tmp_path)}
    # Airflow puts $AIRFLOW_HOME/config on sys.path and reads cluster policies from there.
    (tmp_path / "airflow" / "config").mkdir(parents=True)
    (tmp_path / "airflow" / "config" / "airflow_local_settings.py").write_text(NO_RETRIES_POLICY)
    run(["pipeline", "sample"], env, timeout=120)
    run(["airflow", "db", "migrate"], env, timeout=180)

    run(["airflow", "dags", "test", DAG_ID, LOGICAL_DATE], env, timeout=300)

    listed = run(["airflow", "dags", "list-runs", DAG_ID, "-o", "json"], env, timeout=120)
    # Airflow prints its warnings to stdout too; the JSON is the last line.
    runs = json.loads(listed.strip().splitlines()[-1])
    assert [r["state"] for r in runs] == ["success"]
    assert (tmp_path / "reports" / "index.html").is_file()
