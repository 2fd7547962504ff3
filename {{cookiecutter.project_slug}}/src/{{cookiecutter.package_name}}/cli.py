"""The `pipeline` command: each step on its own, or `pipeline run` for the whole chain."""

from __future__ import annotations

import importlib

import typer
from pydantic import ValidationError

from .settings import Settings, get_settings
from .steps import PipelineError, Step, console, run_step

# Step name -> "module:function", imported only when run: Great Expectations alone takes seconds.
STEPS = {
    "sample": "sample:sample",
    "ingest": "ingest:ingest",
    "load": "load:load",
    "transform": "transform:transform",
    "check": "check:check",
    "report": "report:report",
}
HELP = {
    "sample": "Send sample traffic through the collector and write a sample spend export.",
    "ingest": "Extract the marketing-spend export with Singer (Meltano) into the landing zone.",
    "load": "Load new landing-zone files into the warehouse's raw tables.",
    "transform": "Build the dbt project: staging, intermediate and marts, with its tests.",
    "check": "Validate raw events and marts with the Great Expectations suites.",
    "report": "Write the static HTML report of the marts.",
}

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


def resolve(name: str) -> Step:
    module, function = STEPS[name].split(":")
    return getattr(importlib.import_module(f".{module}", __package__), function)


def settings_or_exit() -> Settings:
    """The settings, or one line per bad value and exit status 2."""
    try:
        return get_settings()
    except ValidationError as error:
        for problem in error.errors():
            name = f"PIPELINE_{'_'.join(map(str, problem['loc'])).upper()}"
            line = f"settings: {name}={problem['input']!r}: {problem['msg']}"
            console.print(line, style="red", markup=False)
        raise typer.Exit(2) from None


def run_steps(names: list[str]) -> None:
    settings = settings_or_exit()
    try:
        for name in names:
            run_step(name, resolve(name), settings)
    except PipelineError as error:
        console.print(f"{name}: failed: {error}", style="red", markup=False)
        raise typer.Exit(1) from None


def _add_step_command(name: str) -> None:
    app.command(name, help=HELP[name])(lambda: run_steps([name]))


for _name in STEPS:
    _add_step_command(_name)


@app.command()
def run() -> None:
    """Run every step in order, from sample traffic to the report."""
    run_steps(list(STEPS))
    console.print(f"report: {settings_or_exit().reports_dir / 'index.html'}")


@app.command()
def collect() -> None:
    """Serve the Segment-compatible collector until interrupted."""
    from .collector import serve

    try:
        serve(settings_or_exit())
    except PipelineError as error:
        console.print(str(error), style="red", markup=False)
        raise typer.Exit(1) from None
