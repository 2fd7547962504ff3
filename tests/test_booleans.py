"""A yes/no answer renders the same project whichever way it arrives."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from scaffold.demo import render
from tests.conftest import TEMPLATE_DIR
from tests.test_answers import run_cli

NO_WORDS = [False, "false", "no", "n", "0", "False", "OFF"]
YES_WORDS = [True, "true", "yes", "y", "1"]
QUESTIONS = [k for k in json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text()) if k[0] != "_"]


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def without_ci(tmp_path_factory: pytest.TempPathFactory) -> str:
    project = render(tmp_path_factory.mktemp("without-ci"), github_actions=False)
    return tree_digest(project)


@pytest.mark.parametrize("word", NO_WORDS, ids=repr)
def test_no_from_extra_context_prunes_ci(word, cookies, without_ci: str) -> None:
    result = cookies.bake(extra_context={"github_actions": word})
    assert result.exit_code == 0, result.exception
    assert not (result.project_path / ".github").exists()
    assert tree_digest(result.project_path) == without_ci


@pytest.mark.parametrize("word", YES_WORDS, ids=repr)
def test_yes_from_extra_context_keeps_ci(word, cookies) -> None:
    result = cookies.bake(extra_context={"github_actions": word})
    assert result.exit_code == 0, result.exception
    assert (result.project_path / ".github" / "workflows" / "ci.yml").is_file()


@pytest.mark.parametrize("word", ["false", "no", "n", "0"])
def test_no_from_command_line_prunes_ci(word: str, tmp_path: Path, without_ci: str) -> None:
    done = run_cli("--no-input", "-o", str(tmp_path), f"github_actions={word}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert tree_digest(tmp_path / "acme-analytics") == without_ci


@pytest.mark.parametrize("word", ["false", "no", "n", "0"])
def test_no_from_prompt_prunes_ci(word: str, tmp_path: Path, without_ci: str) -> None:
    assert QUESTIONS[-1] == "github_actions"
    answers = "\n" * (len(QUESTIONS) - 1) + f"{word}\n"
    done = run_cli("-o", str(tmp_path), cwd=tmp_path, stdin=answers)
    assert done.returncode == 0, done.stdout + done.stderr
    assert tree_digest(tmp_path / "acme-analytics") == without_ci
