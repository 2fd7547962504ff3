"""Bad answers stop the render with one clear line and leave nothing on disk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEMPLATE_DIR

# answer overrides -> the words the one error line must contain
BAD_ANSWERS = {
    "name-without-letters": ({"project_name": "!!!"}, ["project_name", "'!!!'", "no letters"]),
    "empty-name": ({"project_name": "  "}, ["project_name", "empty"]),
    "description-with-newline": ({"description": "One\nTwo"}, ["description", "line break"]),
    "name-too-long": ({"project_name": "x" * 81}, ["project_name", "81 characters", "at most 80"]),
    "slug-with-underscore": ({"project_slug": "acme_analytics"}, ["project_slug", "lowercase"]),
    "slug-too-short": ({"project_slug": "ab"}, ["project_slug", "'ab'", "3-40"]),
    "slug-with-xn-prefix": ({"project_slug": "xn--acme"}, ["project_slug", "single hyphens"]),
    "slug-with-trailing-hyphen": ({"project_slug": "acme-"}, ["project_slug", "ending"]),
    "package-keyword": ({"package_name": "class"}, ["package_name", "'class'", "keyword"]),
    "package-leading-digit": ({"package_name": "1acme"}, ["package_name", "not starting"]),
    "package-shadows-dependency": ({"package_name": "airflow"}, ["package_name", "shadow"]),
    "package-non-ascii": ({"package_name": "données"}, ["package_name", "snake_case"]),
    "bad-email": ({"owner_email": "nobody"}, ["owner_email", "'nobody'", "e-mail"]),
}
# Limitation: cookiecutter itself rejects an unoffered choice or a non-boolean override before any
# hook or extension of ours runs, so its own message (with field and value) is what shows.
REJECTED_BY_COOKIECUTTER = {
    "warehouse-not-built": ({"warehouse": "snowflake"}, ["warehouse", "snowflake"]),
    "residency-unknown": ({"data_residency": "mars"}, ["data_residency", "mars"]),
    "boolean-not-yes-or-no": ({"github_actions": "maybe"}, ["github_actions", "maybe"]),
}


def leftovers(tmp_path: Path) -> list[Path]:
    """Whatever a failed bake left in pytest-cookies' output folders (under tmp_path/cookies)."""
    return [path for bake in (tmp_path / "cookies").iterdir() for path in bake.iterdir()]


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error: ")]


@pytest.mark.parametrize(("answers", "words"), BAD_ANSWERS.values(), ids=BAD_ANSWERS)
def test_bad_answer_names_field_value_and_rule(answers: dict, words: list[str], cookies) -> None:
    result = cookies.bake(extra_context=answers)
    assert result.exit_code != 0
    lines = error_lines(str(result.exception))
    assert len(lines) == 1, lines
    assert all(word in lines[0] for word in words), lines[0]


@pytest.mark.parametrize(
    ("answers", "words"), REJECTED_BY_COOKIECUTTER.values(), ids=REJECTED_BY_COOKIECUTTER
)
def test_unoffered_choice_is_rejected_naming_field_and_value(
    answers, words, cookies, tmp_path: Path
) -> None:
    result = cookies.bake(extra_context=answers)
    assert result.exit_code != 0
    assert all(word in str(result.exception) for word in words)
    assert leftovers(tmp_path) == []


def test_validation_rejects_unoffered_choices_itself() -> None:
    from scaffold import validation

    found = validation.problems({"warehouse": "snowflake", "data_residency": "mars"})
    assert "warehouse: 'snowflake' is not offered; choose one of duckdb" in found
    assert "data_residency: 'mars' is not offered; choose one of eu, us" in found


@pytest.mark.parametrize(("answers", "words"), BAD_ANSWERS.values(), ids=BAD_ANSWERS)
def test_bad_answer_leaves_nothing_on_disk(
    answers: dict, words: list[str], cookies, tmp_path: Path
) -> None:
    result = cookies.bake(extra_context=answers)
    assert result.exit_code != 0
    assert leftovers(tmp_path) == []


def run_cli(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cookiecutter", str(TEMPLATE_DIR), *args]
    return subprocess.run(
        command, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120
    )


def test_command_line_bad_name_fails_in_one_line_without_traceback(tmp_path: Path) -> None:
    done = run_cli("--no-input", "-o", str(tmp_path), "project_name=!!!", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert len(error_lines(output)) == 1
    assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []


def test_existing_folder_is_left_untouched(tmp_path: Path) -> None:
    existing = tmp_path / "acme-analytics"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine\n")
    done = run_cli("--no-input", "-o", str(tmp_path), cwd=tmp_path)
    assert done.returncode != 0
    assert "already exists" in done.stdout + done.stderr
    assert [p.name for p in existing.iterdir()] == ["notes.txt"]
    assert (existing / "notes.txt").read_text() == "mine\n"


def test_existing_folder_survives_a_bad_answer_even_with_overwrite(tmp_path: Path) -> None:
    existing = tmp_path / "acme-analytics"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine\n")
    done = run_cli("--no-input", "-f", "-o", str(tmp_path), "owner_email=nobody", cwd=tmp_path)
    assert done.returncode != 0
    assert [p.name for p in existing.iterdir()] == ["notes.txt"]


def test_existing_folder_is_left_untouched_even_with_overwrite(tmp_path: Path) -> None:
    existing = tmp_path / "acme-analytics"
    (existing / ".github" / "workflows").mkdir(parents=True)
    (existing / ".github" / "workflows" / "mine.yml").write_text("mine\n")
    (existing / "README.md").write_text("mine\n")
    done = run_cli("--no-input", "-f", "-o", str(tmp_path), cwd=tmp_path)
    assert done.returncode != 0
    assert "error: project_slug: 'acme-analytics' is a folder that already has files" in done.stderr
    names = sorted(path.name for path in existing.rglob("*"))
    assert names == [".github", "README.md", "mine.yml", "workflows"]
    assert (existing / "README.md").read_text() == "mine\n"
