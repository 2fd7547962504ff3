"""`make demo`: render the default platform into build/demo, run it end to end, show the report."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = TEMPLATE_DIR / "build" / "demo"


def render(output_dir: Path, **answers: object) -> Path:
    """Render the template with default answers (and any overrides) into `output_dir`."""
    output_dir.mkdir(parents=True, exist_ok=True)
    project = cookiecutter(
        str(TEMPLATE_DIR), no_input=True, output_dir=str(output_dir), extra_context=answers
    )
    return Path(project)


def project_env() -> dict[str, str]:
    """The environment for the rendered project's make: without this template's virtualenv."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    ours = str(TEMPLATE_DIR / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != ours)
    return env


def make(project: Path, target: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", target], cwd=project, env=project_env(), check=True, **kwargs)


def main() -> int:
    if DEMO_DIR.exists():
        shutil.rmtree(DEMO_DIR)
    project = render(DEMO_DIR)
    try:
        make(project, "setup")
        make(project, "run")
    except subprocess.CalledProcessError as error:
        print(f"demo: `make {error.cmd[-1]}` failed in {project}", file=sys.stderr)
        return 1
    print(f"demo: the report is at {project / 'reports' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
