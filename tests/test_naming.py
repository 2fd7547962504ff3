"""Derived names come out valid everywhere they are used, for awkward human names too."""

from __future__ import annotations

import keyword
import re

import pytest

from scaffold import naming, validation

AWKWARD_NAMES = {
    "dotted": ("example.com", "example-com", "example_com"),
    "spaces": ("My Data Platform", "my-data-platform", "my_data_platform"),
    "leading-digit": ("123 analytics", "123-analytics", "project_123_analytics"),
    "unicode": ("Données Ünïcode", "donnees-unicode", "donnees_unicode"),
    "keyword": ("class", "class", "class_platform"),
    "shadows-a-dependency": ("Airflow", "airflow", "airflow_platform"),
}
LONG_NAME = "The Very Long Name Of A Data Platform For The Analytics Team Of A Big Company Co"


@pytest.mark.parametrize(("name", "slug", "package"), AWKWARD_NAMES.values(), ids=AWKWARD_NAMES)
def test_awkward_names_derive_readable_valid_names(name: str, slug: str, package: str) -> None:
    assert naming.project_slug(name) == slug
    assert naming.package_name(slug) == package


@pytest.mark.parametrize("name", [*(n for n, _, _ in AWKWARD_NAMES.values()), LONG_NAME])
def test_derived_names_pass_every_rule(name: str) -> None:
    slug = naming.project_slug(name)
    package = naming.package_name(slug)
    answers = {"project_name": name, "project_slug": slug, "package_name": package}
    found = [p for p in validation.problems(answers) if p.split(":")[0] in answers]
    assert found == []
    assert package.isidentifier() and not keyword.iskeyword(package)
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", package)
    assert naming.dag_id(package).isascii()
    assert all(validation.bucket_problem(b) is None for b in naming.bucket_names(slug))


def test_eighty_character_name_is_cut_at_a_word_boundary() -> None:
    assert len(LONG_NAME) == 80
    slug = naming.project_slug(LONG_NAME)
    assert len(slug) <= naming.SLUG_MAX
    assert LONG_NAME.lower().replace(" ", "-").startswith(slug)
    assert max(len(b) for b in naming.bucket_names(slug)) <= 63


BAD_BUCKETS = {
    "ip-form": "192.168.10.1",
    "xn-prefix": "xn--bucket-dev",
    "underscore": "my_bucket-dev",
    "trailing-hyphen": "bucket-",
    "too-long": "a" * 64,
    "too-short": "ab",
}


@pytest.mark.parametrize("name", BAD_BUCKETS.values(), ids=BAD_BUCKETS)
def test_bucket_rule_rejects_what_s3_rejects(name: str) -> None:
    assert validation.bucket_problem(name) is not None
