"""Shared fixtures: the template folder and one default bake reused by the read-only checks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
sys.path.insert(0, str(TEMPLATE_DIR))


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default answers rendered once, for the checks that only read it."""
    from scaffold.demo import render

    return render(tmp_path_factory.mktemp("default"))
