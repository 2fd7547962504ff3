"""The `sample` step: sample traffic through the local collector, and a sample spend export."""

from __future__ import annotations

from .collector import running
from .settings import Settings
from .spend_export import write_sample_export
from .steps import PipelineError, counted, progress
from .tracking_plan import load_tracking_plan
from .traffic import Sender, sample_calls


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
    events = counted(collector.messages, "event")
    files = counted(collector.files, "file")
    return f"{events} through the collector into {files}; {counted(rows, 'spend row')} exported"
