"""The `sample` step: sample traffic through the local collector, and a sample spend export."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.collector import running
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.spend_export import write_sample_export
from {{ cookiecutter.package_name }}.steps import PipelineError, progress
from {{ cookiecutter.package_name }}.tracking_plan import load_tracking_plan
from {{ cookiecutter.package_name }}.traffic import Sender, sample_calls


def sample(settings: Settings) -> str:
    plan = load_tracking_plan(settings.project_dir / "tracking_plan.yml")
    calls = list(
        sample_calls(plan, settings.sample_users, settings.sample_days, settings.sample_seed)
    )
    with running(settings) as collector:
        sender = Sender(collector.url, settings.segment_write_key.get_secret_value())
        sent = sender.send(progress(calls, len(calls), "sending sample traffic"))
        if sender.errors:
            raise PipelineError(
                f"the collector refused {len(sender.errors)} batches: {sender.errors[0]}"
            )
    if collector.messages != sent:
        raise PipelineError(
            f"sent {sent:,} events but the collector received {collector.messages:,}"
        )
    rows = write_sample_export(settings)
    return (
        f"{collector.messages:,} events through the collector into {collector.files:,} files;"
        f" {rows:,} spend rows exported"
    )
