"""Stop before rendering when an answer breaks a rule; the rules live in scaffold/validation.py."""

import json
import sys

sys.path.insert(0, {{ cookiecutter._repo_dir | abspath | tojson }})

from scaffold import validation  # noqa: E402

ANSWERS = json.loads({{ cookiecutter | tojson | tojson }})

sys.exit(validation.main(ANSWERS))
