"""Benchmarks (b) and (c), run by the rendered project's Python: `python pipeline.py PHASE DIR`.

Phases: `seed` sends N events through the Segment client and the collector; `measure` times load,
transform and check in one process and reports its peak memory; `bare` times DuckDB's own read_json.
Each prints one JSON object.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def settings_for(scratch: Path):
    from importlib import import_module

    package = next(p.name for p in (Path.cwd() / "src").iterdir() if (p / "cli.py").exists())
    settings = import_module(f"{package}.settings")
    return package, settings.Settings(
        landing_dir=scratch / "landing",
        exports_dir=scratch / "exports",
        warehouse_path=scratch / "warehouse.duckdb",
        reports_dir=scratch / "reports",
    )


def seed(scratch: Path, count: int) -> dict:
    from importlib import import_module

    package, settings = settings_for(scratch)
    collector = import_module(f"{package}.collector")
    traffic = import_module(f"{package}.traffic")
    started = time.perf_counter()
    with collector.running(settings) as server:
        sent = traffic.send_events(server.url, "bench", count, seed=1)
    seconds = time.perf_counter() - started
    import_module(f"{package}.spend_export").write_sample_export(settings)
    import_module(f"{package}.ingest").ingest(settings)
    return {"events": sent, "send_s": seconds, "send_events_per_s": sent / seconds}


def measure(scratch: Path) -> dict:
    from importlib import import_module

    package, settings = settings_for(scratch)
    figures = {}
    for step in ("load", "transform", "check"):
        function = getattr(import_module(f"{package}.{step}"), step)
        started = time.perf_counter()
        figures[f"{step}_summary"] = function(settings)
        figures[f"{step}_s"] = time.perf_counter() - started
    # ru_maxrss is in KiB on Linux.
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def bare(scratch: Path) -> dict:
    import duckdb

    files = str(scratch / "landing" / "raw" / "segment" / "*" / "*.jsonl")
    target = scratch / "bare.duckdb"
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as con:
        started = time.perf_counter()
        con.execute(
            f"create table events as select * from read_json('{files}', format='newline_delimited')"
        )
        seconds = time.perf_counter() - started
        rows = con.sql("select count(*) from events").fetchone()[0]
    return {"bare_read_json_s": seconds, "bare_rows": rows}


if __name__ == "__main__":
    phase, scratch = sys.argv[1], Path(sys.argv[2])
    if phase == "seed":
        result = seed(scratch, int(sys.argv[3]))
    elif phase == "measure":
        result = measure(scratch)
    else:
        result = bare(scratch)
    print(json.dumps(result))
