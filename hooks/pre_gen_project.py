"""Stop before rendering when an answer breaks a rule; the rules live in scaffold/validation.py."""

import json
import sys
from pathlib import Path

sys.path.insert(0, {{ cookiecutter._repo_dir | abspath | tojson }})

from scaffold import validation  # noqa: E402

ANSWERS = json.loads({{ cookiecutter | tojson | tojson }})

# Cookiecutter has just made the project folder; anything in it was there before (`-f` was given).
if any(Path.cwd().iterdir()):
    print(
        f"error: project_slug: {Path.cwd().name!r} is a folder that already has files in"
        f" {Path.cwd().parent}; the template never writes into one. Remove it or choose another slug",
        file=sys.stderr,
    )
    sys.exit(1)

sys.exit(validation.main(ANSWERS))
