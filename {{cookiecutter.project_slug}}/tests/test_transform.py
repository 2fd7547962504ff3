"""The transform step on hand-written raw messages: marts hold the numbers a person would count."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from {{ cookiecutter.package_name }}.settings import PROJECT_DIR, Settings
from {{ cookiecutter.package_name }}.steps import PipelineError
from {{ cookiecutter.package_name }}.transform import dbt, plan_vars, transform

WINTER_SALE = {"name": "winter_sale", "source": "google", "medium": "cpc"}
RETARGETING = {"name": "retargeting", "source": "facebook", "medium": "paid_social"}
NEWSLETTER = {"name": "newsletter_december", "source": "newsletter", "medium": "email"}

TAXONOMY = {
    "Signed Up": ("account", "complete_signup"),
    "Product Viewed": ("ecommerce", "view_product"),
    "Product Added": ("ecommerce", "add_to_cart"),
    "Checkout Started": ("ecommerce", "begin_checkout"),
    "Order Completed": ("ecommerce", "purchase"),
}


def iso(at: str) -> str:
    """'12-01 09:05' -> the ISO-8601 UTC timestamp a Segment library sends."""
    return f"2026-{at.replace(' ', 'T')}:00+00:00"


def message(kind: str, message_id: str, at: str, anonymous_id: str, **fields: Any) -> dict:
    """A Segment message as the collector stores it, sent and received one second after `at`."""
    received = (datetime.fromisoformat(iso(at)) + timedelta(seconds=1)).isoformat()
    user, campaign = fields.pop("user", None), fields.pop("campaign", None)
    return {
        "type": kind,
        "messageId": message_id,
        "anonymousId": anonymous_id,
        **({"userId": user} if user else {}),
        "timestamp": iso(at),
        "originalTimestamp": iso(at),
        "sentAt": received,
        "receivedAt": received,
        "context": {"campaign": campaign} if campaign else {},
        **fields,
    }


def track(message_id: str, at: str, anonymous_id: str, event: str, **fields: Any) -> dict:
    category, action = TAXONOMY[event]
    value = {"value": fields.pop("value")} if "value" in fields else {}
    properties = {"category": category, "action": action, **value}
    return message(
        "track", message_id, at, anonymous_id, event=event, properties=properties, **fields
    )


def page(message_id: str, at: str, anonymous_id: str, name: str, **fields: Any) -> dict:
    properties = {"path": f"/{name.lower()}"}
    return message("page", message_id, at, anonymous_id, name=name, properties=properties, **fields)


def identify(message_id: str, at: str, anonymous_id: str, user: str, plan: str) -> dict:
    traits = {"email": f"{user}@example.com", "plan": plan, "createdAt": iso(at)}
    return message("identify", message_id, at, anonymous_id, user=user, traits=traits)


# Two days of traffic. a1 arrives from winter_sale, signs up as u1 and orders twice (the second
# order after a retargeting visit); a2 browses anonymously; a3 arrives from the newsletter as u2.
ORDER = track("m-order-1", "12-01 09:25", "a1", "Order Completed", user="u1", value=80)
SEGMENT_MESSAGES = [
    page("m-page-1", "12-01 09:00", "a1", "Home", campaign=WINTER_SALE),
    track("m-view-1", "12-01 09:05", "a1", "Product Viewed", value=80),
    identify("m-id-1", "12-01 09:10", "a1", "u1", plan="free"),
    track("m-signup-1", "12-01 09:10", "a1", "Signed Up", user="u1"),
    track("m-add-1", "12-01 09:15", "a1", "Product Added", user="u1", value=80),
    track("m-checkout-1", "12-01 09:20", "a1", "Checkout Started", user="u1", value=80),
    ORDER,
    page("m-page-2", "12-01 10:00", "a2", "Pricing"),
    track("m-view-2", "12-01 10:05", "a2", "Product Viewed", value=20),
    page("m-page-3", "12-02 08:00", "a1", "Products", user="u1", campaign=RETARGETING),
    track("m-view-3", "12-02 08:05", "a1", "Product Viewed", user="u1", value=40),
    track("m-order-2", "12-02 08:30", "a1", "Order Completed", user="u1", value=40),
    page("m-page-4", "12-02 11:00", "a3", "Home", campaign=NEWSLETTER),
    identify("m-id-2", "12-02 11:05", "a3", "u2", plan="team"),
    track("m-signup-2", "12-02 11:05", "a3", "Signed Up", user="u2"),
]
# The client retried the first order: the same messageId arrives again, in a later file.
RETRIED_ORDER = {**ORDER, "receivedAt": "2026-12-01T09:26:00+00:00"}


def spend(day: str, campaign: dict, amount: float) -> dict:
    return {
        "date": day,
        "campaign": campaign["name"],
        "source": campaign["source"],
        "medium": campaign["medium"],
        "spend": amount,
        "impressions": 1000,
        "clicks": 50,
        "currency": "EUR",
    }


# winter_sale's first day is exported twice: the later export restates 70 as 50.
FIRST_EXPORT = [spend("2026-12-01", WINTER_SALE, 70)]
LATER_EXPORT = [
    spend("2026-12-01", WINTER_SALE, 50),
    spend("2026-12-02", WINTER_SALE, 30),
    spend("2026-12-02", RETARGETING, 20),
    spend("2026-12-02", NEWSLETTER, 5),
]
RawFiles = dict[str, list[tuple[str, list[dict]]]]
SAMPLE: RawFiles = {
    "segment_events": [("events-1.jsonl", SEGMENT_MESSAGES), ("events-2.jsonl", [RETRIED_ORDER])],
    "marketing_spend": [("spend-1.jsonl", FIRST_EXPORT), ("spend-2.jsonl", LATER_EXPORT)],
}


def write_raw(warehouse: Path, files: RawFiles, age_hours: int = 1) -> None:
    """Create the load step's raw tables, one landing-zone file per (name, records) pair."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=age_hours)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema raw")
        for table, batches in files.items():
            connection.execute(
                f"create table raw.{table} (payload json, _file varchar, _line bigint,"
                " _loaded_at timestamp)"
            )
            for offset, (name, records) in enumerate(batches):
                rows = [
                    (json.dumps(record), name, line, loaded_at + timedelta(minutes=offset))
                    for line, record in enumerate(records, start=1)
                ]
                if rows:
                    connection.executemany(f"insert into raw.{table} values (?, ?, ?, ?)", rows)


def settings_for(tmp_path: Path) -> Settings:
    return Settings(landing_dir=tmp_path / "landing", warehouse_path=tmp_path / "warehouse.duckdb")


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, str]:
    settings = settings_for(tmp_path_factory.mktemp("transform"))
    write_raw(settings.warehouse_path, SAMPLE)
    return settings, transform(settings)


@pytest.mark.slow
def test_summary_counts_models_tests_and_unit_tests(built: tuple[Settings, str]) -> None:
    _, summary = built
    assert summary.startswith("12 models, ")
    assert summary.endswith(" tests, 2 unit tests passed")


@pytest.mark.slow
def test_daily_active_users_count_people_not_devices(built: tuple[Settings, str]) -> None:
    settings, _ = built
    rows = query(settings, "select * from marts.fct_daily_active_users order by activity_date")
    assert [(str(day), active, new) for day, active, new in rows] == [
        ("2026-12-01", 2, 2),
        ("2026-12-02", 2, 1),
    ]


@pytest.mark.slow
def test_duplicate_message_id_is_counted_once(built: tuple[Settings, str]) -> None:
    settings, _ = built
    orders = query(settings, "select events from marts.fct_funnel where funnel_step = 4")
    assert orders == [(2,)]


@pytest.mark.slow
def test_funnel_follows_the_tracking_plan_order(built: tuple[Settings, str]) -> None:
    settings, _ = built
    rows = query(
        settings,
        "select funnel_step, event_name, users, events, conversion_from_first"
        " from marts.fct_funnel order by funnel_step",
    )
    assert rows == [
        (1, "Product Viewed", 2, 3, 1.0),
        (2, "Product Added", 1, 1, 0.5),
        (3, "Checkout Started", 1, 1, 0.5),
        (4, "Order Completed", 1, 2, 0.5),
    ]


@pytest.mark.slow
def test_conversions_go_to_the_last_campaign_touch(built: tuple[Settings, str]) -> None:
    settings, _ = built
    rows = query(
        settings,
        "select campaign, spend, conversions, revenue, cost_per_conversion, return_on_ad_spend"
        " from marts.fct_campaign_performance order by campaign",
    )
    assert rows == [
        ("newsletter_december", 5.0, 1, 0.0, 5.0, 0.0),
        ("retargeting", 20.0, 1, 40.0, 20.0, 2.0),
        ("winter_sale", 80.0, 2, 80.0, 40.0, 1.0),
    ]


@pytest.mark.slow
def test_restated_spend_day_keeps_the_latest_load(built: tuple[Settings, str]) -> None:
    settings, _ = built
    rows = query(
        settings,
        "select spend from staging.stg_marketing__spend"
        " where campaign = 'winter_sale' and date = '2026-12-01'",
    )
    assert rows == [(50.0,)]


@pytest.mark.slow
def test_users_are_first_seen_before_they_identify(built: tuple[Settings, str]) -> None:
    settings, _ = built
    rows = query(settings, "select * from marts.dim_users order by user_id")
    assert rows == [
        ("u1", datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 9, 10), "free", "winter_sale"),
        (
            "u2",
            datetime(2026, 12, 2, 11),
            datetime(2026, 12, 2, 11, 5),
            "team",
            "newsletter_december",
        ),
    ]


@pytest.mark.slow
def test_event_outside_the_tracking_plan_fails_the_build(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    unplanned = {**SEGMENT_MESSAGES[1], "event": "Product Liked"}
    write_raw(
        settings.warehouse_path,
        {
            "segment_events": [("events.jsonl", [unplanned])],
            "marketing_spend": [("s.jsonl", LATER_EXPORT)],
        },
    )
    with pytest.raises(PipelineError, match="accepted_values_stg_segment__tracks_event_text"):
        transform(settings)


@pytest.mark.slow
def test_stale_source_stops_the_transform(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    write_raw(
        settings.warehouse_path,
        {
            "segment_events": [("e.jsonl", SEGMENT_MESSAGES)],
            "marketing_spend": [("s.jsonl", LATER_EXPORT)],
        },
        age_hours=72,
    )
    with pytest.raises(PipelineError, match=r"stale sources: .*segment\.segment_events"):
        transform(settings)


def test_dbt_defaults_follow_the_tracking_plan() -> None:
    project = yaml.safe_load((PROJECT_DIR / "transform" / "dbt_project.yml").read_text())
    assert project["vars"] == plan_vars(PROJECT_DIR / "tracking_plan.yml")


@pytest.mark.slow
def test_dbt_project_parses(tmp_path: Path) -> None:
    assert dbt(settings_for(tmp_path), "parse").success
