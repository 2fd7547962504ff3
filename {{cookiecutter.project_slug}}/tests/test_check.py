"""The check step: good data passes; a broken row names its suite, expectation and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from {{ cookiecutter.package_name }}.check import check
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.steps import PipelineError

BROKEN_ROWS = {
    "null_activity_date": (
        "update marts.fct_daily_active_users set activity_date = null"
        " where activity_date = date '2026-12-02'",
        "fct_daily_active_users expect_column_values_to_not_be_null(activity_date)",
    ),
    "negative_spend": (
        "update marts.fct_campaign_performance set spend = -5 where campaign = 'retargeting'",
        "fct_campaign_performance expect_column_values_to_be_between(spend)",
    ),
    "negative_spend_in_staging": (
        "update staging.stg_marketing__spend set spend = -5 where campaign = 'retargeting'",
        "stg_marketing__spend expect_column_values_to_be_between(spend)",
    ),
    "negative_impressions_in_staging": (
        "update staging.stg_marketing__spend set impressions = -1, clicks = -1"
        " where campaign = 'winter_sale'",
        "stg_marketing__spend expect_column_values_to_be_between(impressions)",
    ),
    "more_clicks_than_impressions": (
        "update staging.stg_marketing__spend set clicks = impressions + 1"
        " where campaign = 'winter_sale'",
        "stg_marketing__spend"
        " expect_column_pair_values_a_to_be_greater_than_b(impressions, clicks)",
    ),
    "second_currency_in_staging": (
        "update staging.stg_marketing__spend set currency = 'USD' where campaign = 'retargeting'",
        "stg_marketing__spend expect_column_values_to_be_in_set(currency)",
    ),
    "spend_without_campaign": (
        "update staging.stg_marketing__spend set campaign = null where campaign = 'retargeting'",
        "stg_marketing__spend expect_column_values_to_not_be_null(campaign)",
    ),
    "conversion_above_one": (
        "update marts.fct_funnel set conversion_from_first = 1.2 where funnel_step = 2",
        "fct_funnel expect_column_values_to_be_between(conversion_from_first)",
    ),
    "event_not_in_tracking_plan": (
        "update raw.segment_events"
        " set payload = json_merge_patch(payload, json_object('event', 'Coupon Applied'))"
        " where payload->>'$.event' = 'Signed Up'",
        "raw_segment_events expect_column_values_to_be_in_set(event)",
    ),
    "track_without_event": (
        "update raw.segment_events"
        " set payload = json_merge_patch(payload, json_object('event', null))"
        " where payload->>'$.event' = 'Signed Up'",
        "raw_segment_events expect_column_values_to_not_be_null(event)",
    ),
}
REDELIVERY = "insert into raw.segment_events select * from raw.segment_events limit 1"


def break_warehouse(settings: Settings, sql: str) -> None:
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute(sql)


def test_good_warehouse_passes_every_suite(warehouse_settings: Settings) -> None:
    assert check(warehouse_settings).startswith("5 suites, 42 expectations passed on ")


def test_redelivered_event_passes_the_raw_suite(warehouse_settings: Settings) -> None:
    # Delivery is at least once: raw keeps both copies and staging deduplicates on messageId.
    break_warehouse(warehouse_settings, REDELIVERY)
    assert check(warehouse_settings).startswith("5 suites, 42 expectations passed on ")


@pytest.mark.parametrize(("sql", "named"), BROKEN_ROWS.values(), ids=BROKEN_ROWS.keys())
def test_broken_row_names_suite_expectation_and_column(
    warehouse_settings: Settings, sql: str, named: str
) -> None:
    break_warehouse(warehouse_settings, sql)
    with pytest.raises(PipelineError, match=r"^\d+ of 42 expectations failed: ") as failure:
        check(warehouse_settings)
    assert named in str(failure.value)


def test_failure_shows_unexpected_count_and_values(
    warehouse_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    break_warehouse(warehouse_settings, BROKEN_ROWS["negative_spend"][0])
    with pytest.raises(PipelineError):
        check(warehouse_settings)
    assert "spend: 1 of 3 rows unexpected, e.g. -5.0" in capsys.readouterr().out


def test_missing_column_is_an_error_not_bad_data(warehouse_settings: Settings) -> None:
    break_warehouse(warehouse_settings, "alter table marts.fct_funnel drop conversion_from_first")
    with pytest.raises(PipelineError, match=r"^1 raised an error \(a bug or a schema change"):
        check(warehouse_settings)


def test_missing_mart_names_its_suite(warehouse_settings: Settings) -> None:
    break_warehouse(warehouse_settings, "drop table marts.fct_funnel")
    with pytest.raises(PipelineError, match=r"^suite 'fct_funnel': its query failed: "):
        check(warehouse_settings)


def test_misspelled_expectation_is_an_error_not_skipped(
    warehouse_settings: Settings, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(warehouse_settings.project_dir / "quality", project / "quality")
    shutil.copy(warehouse_settings.project_dir / "tracking_plan.yml", project)
    suite = project / "quality" / "expectations" / "fct_funnel.json"
    suite.write_text(suite.read_text().replace('"column"', '"colunm"', 1))
    settings = warehouse_settings.model_copy(update={"project_dir": project})
    with pytest.raises(PipelineError, match=r"^fct_funnel: expectation #2 .* colunm extra fields"):
        check(settings)
