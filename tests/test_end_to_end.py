"""The default bake builds its environment with uv, passes its own tests and runs end to end."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from scaffold.demo import make, render

STEPS = ("sample", "ingest", "load", "transform", "check", "report")


def run(project: Path, target: str) -> str:
    """`make target` in the project; its output, or a failure that shows it."""
    try:
        return make(project, target, capture_output=True, text=True, timeout=1200).stdout
    except subprocess.CalledProcessError as error:
        pytest.fail(f"make {target} failed:\n{error.stdout}\n{error.stderr}")


@pytest.fixture(scope="module")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = render(tmp_path_factory.mktemp("e2e"))
    run(project, "setup")
    return project


def test_generated_project_passes_its_own_tests(built_project: Path) -> None:
    output = run(built_project, "test")
    assert " passed" in output and " failed" not in output


def test_make_run_builds_a_report_with_every_suite_passing(built_project: Path) -> None:
    output = run(built_project, "run")
    for step in STEPS:
        assert f"\n{step}: started" in f"\n{output}", step
    assert "check: 5 suites, " in output and " expectations passed" in output
    report = built_project / "reports" / "index.html"
    assert report.stat().st_size > 100_000
    assert report.read_text().count("plotly-graph-div") >= 3


def test_second_run_duplicates_nothing(built_project: Path) -> None:
    warehouse = built_project / "data" / "warehouse.duckdb"
    files = "select count(*) from raw._loaded_files"
    active = "select sum(active_users) from marts.fct_daily_active_users"
    run(built_project, "run")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        files_before, active_before = con.sql(files).fetchone()[0], con.sql(active).fetchone()[0]
    run(built_project, "run")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.sql(files).fetchone()[0] > files_before, "the second run sent no new files"
        assert con.sql(active).fetchone()[0] == active_before


@pytest.mark.slow
def test_awkward_answers_render_a_project_that_passes_and_runs(tmp_path: Path) -> None:
    project = render(tmp_path, project_name="123 Données Ünïcode", github_actions="no")
    assert project.name == "123-donnees-unicode"
    assert (project / "src" / "project_123_donnees_unicode").is_dir()
    for target in ("setup", "lint", "test", "run"):
        run(project, target)
    assert (project / "reports" / "index.html").stat().st_size > 100_000
