"""Prune the files the answers don't need, then say what to run next."""

import json
import sys
from pathlib import Path

sys.path.insert(0, {{ cookiecutter._repo_dir | abspath | tojson }})

from scaffold import layout  # noqa: E402

ANSWERS = json.loads({{ cookiecutter | tojson | tojson }})

layout.prune(Path.cwd(), ANSWERS)
print(f"Created {Path.cwd()}")
print(f"Next: cd {Path.cwd().name} && make setup && make run")
