"""Jinja filters for cookiecutter.json (later copier.yml): derived names and the answer check."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

from scaffold import naming, validation


def validated(answers: Mapping[str, Any]) -> str:
    """Raise with one line per broken rule, before any file is written; render nothing otherwise."""
    found = validation.problems(answers)
    if not found:
        return ""
    message = "\n".join(f"error: {line}" for line in found)
    try:
        from cookiecutter.exceptions import FailedHookException
    except ImportError:
        raise validation.AnswerError(message) from None
    # The exception cookiecutter's command line reports as a plain message, without a stack trace.
    raise FailedHookException(message)


def py_string(value: str) -> str:
    """A Python string literal for one line of text, quoted the way ruff format would quote it."""
    text = str(value).replace("\\", "\\\\")
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + text.replace(quote, "\\" + quote) + quote


class NamingExtension(Extension):
    """Registers the filters `project_slug`, `package_name`, `py_string`, `validated`, `abspath`."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["project_slug"] = naming.project_slug
        environment.filters["package_name"] = naming.package_name
        environment.filters["py_string"] = py_string
        environment.filters["validated"] = validated
        environment.filters["abspath"] = os.path.abspath
