"""The pipeline as a daily Airflow DAG: the same step functions as `pipeline run`, one task each.

The sample step only feeds a laptop's landing zone, so the DAG starts at ingest.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import XComArg, chain, dag, task
from airflow.sdk.exceptions import AirflowFailException

from {{ cookiecutter.package_name }}.cli import STEPS, resolve
from {{ cookiecutter.package_name }}.settings import get_settings
from {{ cookiecutter.package_name }}.steps import PipelineError, run_step

LOCAL_ONLY = {"sample"}
DAG_STEPS = [name for name in STEPS if name not in LOCAL_ONLY]
# The template answer, unless PIPELINE_OWNER_EMAIL overrides it where the scheduler runs.
OWNER_EMAIL = get_settings().owner_email


def step_task(name: str) -> XComArg:
    """The task that runs one step and returns its summary line (kept as the task's XCom)."""

    @task(task_id=name)
    def run() -> str:
        # run_step prints the start and summary lines; Airflow forwards a task's stdout to its log.
        try:
            return run_step(name, resolve(name), get_settings())
        except PipelineError as error:
            # A user error needs the user, not a retry: fail now, and the e-mail goes out now.
            raise AirflowFailException(f"{name}: {error}") from None

    return run()


@dag(
    dag_id="{{ cookiecutter.package_name }}_pipeline",
    description="Landing zone to marts and the report: " + " -> ".join(DAG_STEPS),
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    # One run at a time: each run rebuilds the marts that the next one reads.
    max_active_runs=1,
    tags=["{{ cookiecutter.project_slug }}"],
    default_args={
        "owner": OWNER_EMAIL,
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        # Task-level, not DAG-level: a DAG-level notifier breaks `airflow dags test`.
        "on_failure_callback": [SmtpNotifier(to=OWNER_EMAIL)],
    },
)
def {{ cookiecutter.package_name }}_pipeline() -> None:
    # In order: each step reads what the previous one wrote.
    chain(*[step_task(name) for name in DAG_STEPS])


{{ cookiecutter.package_name }}_pipeline()
