"""Which rendered paths each answer owns, and the one step that prunes what the answers don't need.

A new choice is a few rows here and the files it owns; no new hook code.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scaffold.validation import booleans, to_bool

# field -> value -> paths (relative to the project, `{package}` is the package name) that exist only
# when the field has that value.
OWNED_PATHS: dict[str, dict[Any, list[str]]] = {
    "tracking": {
        "segment": ["src/{package}/collector.py", "tests/test_collector.py"],
    },
    "ingestion": {
        "singer": ["meltano.yml", "plugins", "docs/ingestion.md", "tests/test_singer.py"],
    },
    "orchestrator": {
        "airflow": ["dags", "tests/test_dag.py"],
    },
    "bi": {
        "metabase": ["bi/metabase", "tests/test_metabase.py"],
    },
    "github_actions": {
        True: [".github"],
    },
}


def chosen(field: str, answers: Mapping[str, Any]) -> Any:
    value = answers[field]
    return to_bool(field, value) if field in booleans() else value


def paths_to_prune(answers: Mapping[str, Any]) -> list[str]:
    """The owned paths whose owning answer was not chosen."""
    package = answers["package_name"]
    pruned = []
    for field, by_value in OWNED_PATHS.items():
        for value, paths in by_value.items():
            if chosen(field, answers) != value:
                pruned += [path.format(package=package) for path in paths]
    return pruned


def prune(project_dir: Path, answers: Mapping[str, Any]) -> list[str]:
    """Delete the paths the answers don't need; return them."""
    removed = []
    for relative in paths_to_prune(answers):
        path = project_dir / relative
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        else:
            continue
        removed.append(relative)
    return removed
