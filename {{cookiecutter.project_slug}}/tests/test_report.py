"""The report step: one offline HTML page with three plotly charts from the marts."""

from __future__ import annotations

import re

import duckdb
import pytest

from {{ cookiecutter.package_name }}.report import report
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.steps import PipelineError


def test_report_has_three_charts_and_plotly_inline(warehouse_settings: Settings) -> None:
    summary = report(warehouse_settings)
    page = (warehouse_settings.reports_dir / "index.html").read_text(encoding="utf-8")
    assert summary.startswith("3 charts from 3 marts into ")
    assert page.count('class="plotly-graph-div"') == 3
    # plotly.js announces itself once in its bundle header: embedded once, not per chart.
    assert len(re.findall(r"plotly\.js v\d", page)) == 1


def test_report_loads_no_external_script(warehouse_settings: Settings) -> None:
    report(warehouse_settings)
    page = (warehouse_settings.reports_dir / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", page)


def test_report_lists_every_campaign(warehouse_settings: Settings) -> None:
    report(warehouse_settings)
    page = (warehouse_settings.reports_dir / "index.html").read_text(encoding="utf-8")
    table = page[page.index('id="campaign-table"') :]
    assert [name in table for name in ("winter_sale", "newsletter_december", "retargeting")] == [
        True,
        True,
        True,
    ]


def test_report_without_marts_asks_for_transform(warehouse_settings: Settings) -> None:
    with duckdb.connect(str(warehouse_settings.warehouse_path)) as connection:
        connection.execute("drop schema marts cascade")
    with pytest.raises(PipelineError, match=r"run `pipeline transform`"):
        report(warehouse_settings)
