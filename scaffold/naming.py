"""Derive the project's names from its human name, so that each is valid wherever it is used."""

from __future__ import annotations

import keyword
import sys

# The longest S3 bucket name we derive is "<slug>-quarantine-staging"; 63 is S3's limit.
ENVIRONMENTS = ("dev", "staging", "prod")
BUCKET_PURPOSES = ("landing", "quarantine", "logs")
SLUG_MAX = 40

# Packages the rendered project imports: a project package with one of these names would shadow it.
TAKEN_NAMES = frozenset(
    {
        "airflow",
        "dbt",
        "duckdb",
        "great_expectations",
        "meltano",
        "pandas",
        "plotly",
        "segment",
        "singer_sdk",
        "tests",
        "test",
        "src",
        "transform",
        "dags",
    }
)


def project_slug(project_name: str) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word boundary to SLUG_MAX characters."""
    from slugify import slugify  # imported here: it costs the post-generation hook 30 ms

    return slugify(str(project_name), max_length=SLUG_MAX, word_boundary=True, save_order=True)


def package_name(slug: str) -> str:
    """A snake_case identifier that Python, dbt and Airflow all accept."""
    name = str(slug).replace("-", "_").strip("_")
    if name[:1].isdigit():
        name = f"project_{name}"
    if keyword.iskeyword(name) or name in TAKEN_NAMES or name in sys.stdlib_module_names:
        name = f"{name}_platform"
    return name


def bucket_name(slug: str, purpose: str, environment: str) -> str:
    """The S3 bucket the infrastructure creates for one purpose in one environment."""
    return f"{slug}-{purpose}-{environment}"


def bucket_names(slug: str) -> list[str]:
    return [bucket_name(slug, p, e) for p in BUCKET_PURPOSES for e in ENVIRONMENTS]


def dag_id(package: str) -> str:
    return f"{package}_pipeline"
