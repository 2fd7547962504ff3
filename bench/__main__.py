"""`make bench`: time the render, the pipeline on 1,000,000 events and the load step; record them.

Ratios are taken within one run, since absolute timings on shared machines are noisy.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import render
from scaffold.demo import TEMPLATE_DIR, make, project_env
from scaffold.demo import render as render_project

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
WORK_DIR = TEMPLATE_DIR / "build" / "bench"
REPORT = TEMPLATE_DIR / "docs" / "benchmarks.md"
PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
TARGETS = {"render_ratio": 3.0, "pipeline_s": 90.0, "peak_rss_mib": 2048.0, "load_ratio": 2.0}


def in_project(project: Path, *args: str) -> dict:
    """Run a phase of bench/pipeline.py with the rendered project's interpreter."""
    script = TEMPLATE_DIR / "bench" / "pipeline.py"
    command = [os.environ.get("UV", "uv"), "run", "--no-sync", "python", str(script), *args]
    done = subprocess.run(
        command, cwd=project, env=project_env(), check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    cpu = models[0] if models else platform.processor()
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main() -> int:
    if WORK_DIR.exists():
        shutil.rmtree(WORK_DIR)
    WORK_DIR.mkdir(parents=True)
    figures = render.measure(TEMPLATE_DIR, WORK_DIR / "render")
    project = render_project(WORK_DIR / "project")
    make(project, "setup", capture_output=True)
    scratch = WORK_DIR / "data"
    figures |= in_project(project, "seed", str(scratch), str(EVENTS))
    figures |= in_project(project, "bare", str(scratch))
    figures |= in_project(project, "measure", str(scratch))
    figures["pipeline_s"] = figures["load_s"] + figures["transform_s"] + figures["check_s"]
    figures["events_per_s"] = figures["events"] / figures["pipeline_s"]
    figures["load_ratio"] = figures["load_s"] / figures["bare_read_json_s"]
    write_report(figures)
    print(REPORT.read_text())
    return 0 if all(figures[key] <= limit for key, limit in TARGETS.items()) else 1


def write_report(figures: dict) -> None:
    """Fill bench/report.md with the figures and write it to docs/benchmarks.md."""
    values = figures | {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
        "machine": machine(),
        "template_files": sum(1 for p in PROJECT_TEMPLATE.rglob("*") if p.is_file()),
        "render_in_process_ms": figures["render_in_process_s"] * 1000,
        "floor_in_process_ms": figures["floor_in_process_s"] * 1000,
    }
    for key, limit in TARGETS.items():
        values[f"{key}_ok"] = "met" if figures[key] <= limit else "**missed**"
    template = (TEMPLATE_DIR / "bench" / "report.md").read_text()
    REPORT.write_text(template.format(**values))


if __name__ == "__main__":
    sys.exit(main())
