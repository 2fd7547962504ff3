"""Check a set of answers before anything is rendered: one line per problem, naming field and rule.

Cookiecutter's pre-generation hook calls `main`; a copier extension can call `problems` alike.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from scaffold import naming

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "off"})

SLUG_RULE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PACKAGE_RULE = re.compile(r"^[a-z_][a-z0-9_]*$")
DBT_NAME_RULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DAG_ID_RULE = re.compile(r"^[A-Za-z0-9_.-]{1,250}$")
BUCKET_RULE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
EMAIL_RULE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
# Text answers and their longest length; Python files quote the name and the e-mail on one line.
TEXT_FIELDS = {"project_name": 80, "description": 300, "owner_email": 70}


class AnswerError(ValueError):
    """An answer that breaks a rule; its message is the one line the user sees."""


@cache
def questions(template_dir: Path = TEMPLATE_DIR) -> dict[str, Any]:
    """cookiecutter.json, read once."""
    return json.loads((template_dir / "cookiecutter.json").read_text(encoding="utf-8"))


def choices(template_dir: Path = TEMPLATE_DIR) -> dict[str, list[str]]:
    """The values each choice question offers."""
    spec = questions(template_dir)
    return {k: v for k, v in spec.items() if isinstance(v, list) and not k.startswith("_")}


def booleans(template_dir: Path = TEMPLATE_DIR) -> list[str]:
    spec = questions(template_dir)
    return [key for key, value in spec.items() if isinstance(value, bool)]


def to_bool(field: str, value: Any) -> bool:
    """A yes/no answer, however it arrived: a bool, or one of the words cookiecutter accepts."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    words = "yes, no, true, false, 1, 0"
    raise AnswerError(f"{field}: {value!r} is not yes or no; answer one of {words}")


def bucket_problem(name: str) -> str | None:
    """Why `name` can't be an S3 bucket name, or None if it can.

    No dots at all (they break TLS to virtual-hosted buckets), so no name can be an IP address.
    """
    if not BUCKET_RULE.match(name):
        return "3-63 lowercase letters, digits and hyphens, starting and ending alphanumeric"
    if name.startswith(("xn--", "sthree-")) or name.endswith(("-s3alias", "--ol-s3")):
        return "no xn-- or sthree- prefix and no -s3alias suffix"
    return None


def _slug_problems(slug: str) -> Iterator[str]:
    if not SLUG_RULE.match(slug) or not 3 <= len(slug) <= naming.SLUG_MAX:
        yield (
            f"project_slug: {slug!r} must be 3-{naming.SLUG_MAX} lowercase letters, digits and "
            "single hyphens, starting and ending with a letter or digit (e.g. 'acme-analytics')"
        )
        return
    for bucket in naming.bucket_names(slug):
        rule = bucket_problem(bucket)
        if rule:
            yield f"project_slug: {slug!r} gives the S3 bucket {bucket!r}, which must be {rule}"
            return


def _package_problems(package: str) -> Iterator[str]:
    example = "(e.g. 'acme_analytics')"
    if not PACKAGE_RULE.match(package) or not package.isidentifier() or len(package) > 50:
        yield (
            f"package_name: {package!r} must be a snake_case identifier of at most 50 lowercase "
            f"letters, digits and underscores, not starting with a digit {example}"
        )
    elif keyword.iskeyword(package):
        yield f"package_name: {package!r} is a Python keyword; add a word {example}"
    elif package in naming.TAKEN_NAMES or package in sys.stdlib_module_names:
        yield f"package_name: {package!r} would shadow a module the project imports {example}"
    elif not DBT_NAME_RULE.match(package):
        yield f"package_name: {package!r} is not a valid dbt project name {example}"
    elif not DAG_ID_RULE.match(naming.dag_id(package)):
        yield f"package_name: {package!r} does not give an ASCII Airflow dag_id {example}"


def _text_problems(answers: Mapping[str, Any]) -> Iterator[str]:
    for field, longest in TEXT_FIELDS.items():
        value = str(answers.get(field, ""))
        if not value.strip():
            yield f"{field}: {value!r} is empty; give a value"
        elif any(ord(char) < 32 for char in value):
            yield f"{field}: {value!r} has a line break or control character; use one line of text"
        elif len(value) > longest:
            yield f"{field}: {value[:20]!r}... has {len(value)} characters; use at most {longest}"
    name = str(answers.get("project_name", ""))
    if name.strip() and not naming.project_slug(name):
        yield (
            f"project_name: {name!r} has no letters or digits to derive a folder name from "
            "(e.g. 'Acme Analytics')"
        )
    email = str(answers.get("owner_email", ""))
    if email.strip() and not EMAIL_RULE.match(email):
        yield f"owner_email: {email!r} is not an e-mail address (e.g. 'data-team@example.com')"


def problems(answers: Mapping[str, Any], template_dir: Path = TEMPLATE_DIR) -> list[str]:
    """Every rule the answers break, one line each; an empty list means the answers are good."""
    found = list(_text_problems(answers))
    # A name that derives nothing leaves the derived names empty: report the cause, not each echo.
    slug, package = str(answers.get("project_slug", "")), str(answers.get("package_name", ""))
    if slug or not found:
        found += _slug_problems(slug)
    if package or not found:
        found += _package_problems(package)
    for field, offered in choices(template_dir).items():
        value = answers.get(field)
        if value not in offered:
            found.append(f"{field}: {value!r} is not offered; choose one of {', '.join(offered)}")
    for field in booleans(template_dir):
        try:
            to_bool(field, answers.get(field))
        except AnswerError as error:
            found.append(str(error))
    return found


def main(answers: Mapping[str, Any]) -> int:
    """Print each problem on one line to stderr; return the exit status for the hook."""
    found = problems(answers)
    for line in found:
        print(f"error: {line}", file=sys.stderr)
    return 1 if found else 0
