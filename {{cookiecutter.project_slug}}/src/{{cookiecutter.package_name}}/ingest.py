"""The ingest step: Meltano runs the Singer tap for the spend exports into the landing zone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .settings import Settings
from .steps import PipelineError, counted

TAP, TARGET, STREAM = "tap-marketing-spend", "target-landing", "marketing_spend"
# Logged by the tap (plugins/tap-marketing-spend) at the start of every extract.
EXTRACT_LINE = re.compile(r"Extracting rows dated (after bookmark|from start_date) (\S+)")
# Logged by the tap when a row it must extract breaks a rule: file, line, column, value and rule.
REJECTED_LINE = re.compile(r"Export rejected: (.+)")
LOG_TAIL_LINES = 15


def ingest(settings: Settings) -> str:
    """Run `meltano run tap-marketing-spend target-landing`; summarise the files it landed."""
    exports = settings.exports_dir / STREAM
    if not any(exports.glob("spend_*.csv")):
        raise PipelineError(f"no spend exports in {exports}; run `pipeline sample` first")
    stream_dir = settings.landing_dir / "raw" / STREAM
    before = _landed_files(stream_dir)
    # Landed files are never deleted, so none means a new landing zone: a bookmark left in
    # .meltano/ by another one must not hold its history back.
    refresh = [] if before else ["--full-refresh"]
    log = _meltano(settings, "run", *refresh, TAP, TARGET)
    new_files = sorted(_landed_files(stream_dir) - before)
    rows = sum(_count_lines(path) for path in new_files)
    landed = f"{counted(rows, 'spend row')} into {counted(len(new_files), 'file')}"
    return f"{landed} ({_extract_kind(log)})"


def meltano_command() -> list[str]:
    """Meltano from this environment's scripts folder, so `uv run` and a bare venv both work."""
    beside_python = Path(sys.executable).with_name("meltano")
    found = beside_python if beside_python.exists() else shutil.which("meltano")
    if found is None:
        raise PipelineError("meltano is not installed here; run `make setup`")
    return [str(found)]


def _meltano(settings: Settings, *args: str) -> str:
    env = {
        **os.environ,
        # meltano.yml points the tap and the target at these; Meltano needs them absolute.
        "PIPELINE_EXPORTS_DIR": str(settings.exports_dir),
        "PIPELINE_LANDING_DIR": str(settings.landing_dir),
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        [*meltano_command(), *args],
        cwd=settings.project_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    log = result.stderr + result.stdout
    if result.returncode != 0:
        rejected = REJECTED_LINE.findall(log)
        if rejected:
            # Nothing was extracted, so the bookmark has not moved: fixing the file recovers.
            raise PipelineError(f"{rejected[-1].strip()}; fix the export and run ingest again")
        tail = "\n".join(log.strip().splitlines()[-LOG_TAIL_LINES:])
        raise PipelineError(f"meltano {' '.join(args)} exited with {result.returncode}:\n{tail}")
    return log


def _extract_kind(log: str) -> str:
    match = EXTRACT_LINE.search(log)
    if match is None:
        return "extract start not logged"
    kind, value = match.groups()
    if kind == "after bookmark":
        return f"incremental after {value}"
    return f"full extract from {value}"


def _landed_files(folder: Path) -> set[Path]:
    return set(folder.glob("date=*/*.jsonl"))


def _count_lines(path: Path) -> int:
    with path.open("rb") as file:
        return sum(1 for _ in file)
