"""Benchmark (a): the default project's render against cookiecutter's floor, a one-file template."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 7
# Times the render alone, with Python and cookiecutter already loaded; prints the median seconds.
IN_PROCESS = """
import statistics, sys, time
from cookiecutter.main import cookiecutter
template, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
cookiecutter(template, no_input=True, output_dir=f"{out}/warm")
times = []
for run in range(runs):
    started = time.perf_counter()
    cookiecutter(template, no_input=True, output_dir=f"{out}/{run}")
    times.append(time.perf_counter() - started)
print(statistics.median(times))
"""


def one_file_template(root: Path) -> Path:
    template = root / "floor"
    (template / "{{cookiecutter.name}}").mkdir(parents=True)
    (template / "cookiecutter.json").write_text('{"name": "floor"}\n')
    (template / "{{cookiecutter.name}}" / "README.md").write_text("# {{ cookiecutter.name }}\n")
    return template


def cli_seconds(template: Path, out: Path) -> float:
    """Median wall time of `cookiecutter --no-input`, the way a user runs it."""
    times = []
    for run in range(RUNS):
        command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", f"{out}/{run}"]
        started = time.perf_counter()
        subprocess.run([*command, str(template)], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def in_process_seconds(template: Path, out: Path) -> float:
    command = [sys.executable, "-c", IN_PROCESS, str(template), str(out), str(RUNS)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def measure(template: Path, scratch: Path) -> dict[str, float]:
    floor = one_file_template(scratch)
    figures = {
        "render_cli_s": cli_seconds(template, scratch / "cli"),
        "floor_cli_s": cli_seconds(floor, scratch / "floor-cli"),
        "render_in_process_s": in_process_seconds(template, scratch / "in"),
        "floor_in_process_s": in_process_seconds(floor, scratch / "floor-in"),
    }
    figures["render_ratio"] = figures["render_cli_s"] / figures["floor_cli_s"]
    figures["render_in_process_ratio"] = (
        figures["render_in_process_s"] / figures["floor_in_process_s"]
    )
    return figures
