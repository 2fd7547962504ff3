"""The default bake is a clean, self-standing repository: no template residue, valid files."""

from __future__ import annotations

import json
import os
import py_compile
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from scaffold import layout
from scaffold.demo import render
from tests.conftest import PROJECT_TEMPLATE
from tests.test_naming import LONG_NAME

RESIDUE = re.compile(r"\{\{|\{%|cookiecutter\.")
# Files that carry Jinja of their own (dbt, GitHub Actions), and must arrive exactly as written.
OWN_JINJA = ("transform/models/", "transform/macros/", "transform/tests/", ".github/workflows/")
RAW_BLOCK = re.compile(r"\{% raw %\}(.*?)\{% endraw %\}", re.DOTALL)


def text_files(root: Path) -> dict[str, str]:
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            try:
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
    return files


def test_paths_carry_no_template_residue(default_project: Path) -> None:
    leftovers = [p for p in default_project.rglob("*") if RESIDUE.search(p.name)]
    assert leftovers == []


def raw_blocks() -> dict[str, list[str]]:
    """Template files that pass Jinja through with {% raw %}, and what each block holds."""
    found = {}
    for name, text in text_files(PROJECT_TEMPLATE).items():
        if blocks := RAW_BLOCK.findall(text):
            rendered_name = name.replace("{{cookiecutter.package_name}}", "acme_analytics")
            found[rendered_name] = blocks
    return found


def test_text_carries_no_template_residue_outside_own_jinja(default_project: Path) -> None:
    passed_through = raw_blocks()
    dirty = []
    for name, text in text_files(default_project).items():
        for block in passed_through.get(name, []):
            text = text.replace(block, "")
        if RESIDUE.search(text) and not name.startswith(OWN_JINJA):
            dirty.append(name)
    assert dirty == []


def test_own_jinja_arrives_byte_for_byte(default_project: Path) -> None:
    template = text_files(PROJECT_TEMPLATE)
    rendered = text_files(default_project)
    own = [name for name in rendered if name.startswith(OWN_JINJA)]
    assert any("{{ ref(" in rendered[name] for name in own), "no dbt model with ref() rendered"
    assert [name for name in own if rendered[name] != template.get(name)] == []


def test_raw_blocks_arrive_verbatim(default_project: Path) -> None:
    passed_through = raw_blocks()
    assert "transform/profiles.yml" in passed_through
    for name, blocks in passed_through.items():
        text = (default_project / name).read_text()
        assert "{% raw %}" not in text, name
        assert [block for block in blocks if block not in text] == [], name


def assert_python_is_clean(project: Path) -> None:
    for path in project.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)
    ruff = Path(sys.executable).with_name("ruff")
    for args in (["check"], ["format", "--check"]):
        command = [str(ruff), *args, "--no-cache", "."]
        done = subprocess.run(command, cwd=project, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_rendered_python_compiles_and_passes_ruff(default_project: Path) -> None:
    assert_python_is_clean(default_project)


AWKWARD_ANSWERS = {
    "80-characters": {"project_name": LONG_NAME},
    "unicode": {"project_name": "Données Ünïcode"},
    "quotes-and-backslash": {"project_name": 'Bob\'s "Data" \\ Platform'},
    "leading-digit": {"project_name": "123 analytics"},
    "keyword": {"project_name": "class"},
    "longest-email": {"owner_email": "a" * 58 + "@example.com"},
    "longest-package-name": {"project_name": "9" * 40},
}


@pytest.mark.parametrize("answers", AWKWARD_ANSWERS.values(), ids=AWKWARD_ANSWERS)
def test_awkward_answers_render_clean_python(answers: dict, tmp_path: Path) -> None:
    assert_python_is_clean(render(tmp_path, **answers))


@pytest.mark.parametrize(
    ("suffixes", "parse"),
    [
        ((".yml", ".yaml"), lambda text: list(yaml.safe_load_all(text))),
        ((".json",), json.loads),
        ((".toml",), tomllib.loads),
    ],
    ids=["yaml", "json", "toml"],
)
def test_data_files_parse(default_project: Path, suffixes, parse) -> None:
    files = {n: t for n, t in text_files(default_project).items() if n.endswith(suffixes)}
    assert files
    for name, text in files.items():
        try:
            parse(text)
        except Exception as error:  # noqa: BLE001 - any parse error fails with the file's name
            pytest.fail(f"{name}: {error}")


def test_scripts_keep_their_executable_bit(default_project: Path) -> None:
    files = [p for p in PROJECT_TEMPLATE.rglob("*") if p.is_file()]
    scripts = [p for p in files if p.read_bytes()[:2] == b"#!"]
    assert scripts, "the template has no scripts to check"
    for script in scripts:
        rendered = default_project / script.relative_to(PROJECT_TEMPLATE)
        assert os.access(script, os.X_OK), f"{script} lost its bit in the template"
        assert os.access(rendered, os.X_OK), f"{rendered} lost its bit in the render"


def test_shell_scripts_pass_shellcheck(default_project: Path) -> None:
    scripts = sorted(str(p) for p in default_project.rglob("*.sh"))
    assert scripts
    shellcheck = Path(sys.executable).with_name("shellcheck")
    done = subprocess.run([str(shellcheck), *scripts], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_text_files_use_lf_endings(default_project: Path) -> None:
    assert [name for name, text in text_files(default_project).items() if "\r" in text] == []


def test_every_owned_path_exists_in_the_default_bake(default_project: Path) -> None:
    answers = {"package_name": "acme_analytics"}
    owned = [
        path.format(package=answers["package_name"])
        for by_value in layout.OWNED_PATHS.values()
        for paths in by_value.values()
        for path in paths
    ]
    assert [path for path in owned if not (default_project / path).exists()] == []


def test_render_is_reproducible(default_project: Path, tmp_path: Path) -> None:
    assert text_files(render(tmp_path)) == text_files(default_project)
