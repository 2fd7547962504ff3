"""Shared fixtures: a warehouse built to the contract (raw, staging and marts) with good data."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tracking_plan import load_tracking_plan

STAGING = """
create schema staging;
create table staging.stg_marketing__spend as
select * from (values
    (date '2026-12-01', 'winter_sale', 'google', 'cpc', 295.26, 11441::bigint, 389::bigint, 'EUR',
     timestamp '2026-12-01 10:00:00'),
    (date '2026-12-01', 'newsletter_december', 'newsletter', 'email', 3.1, 2742::bigint,
     155::bigint, 'EUR', timestamp '2026-12-01 10:00:00'),
    (date '2026-12-02', 'retargeting', 'facebook', 'paid_social', 63.65, 11504::bigint,
     119::bigint, 'EUR', timestamp '2026-12-02 10:00:00')
) as t (date, campaign, source, medium, spend, impressions, clicks, currency, loaded_at);
"""

MARTS = """
create schema marts;
create table marts.fct_daily_active_users as
select * from (values
    (date '2026-12-01', 120::bigint, 120::bigint),
    (date '2026-12-02', 150::bigint, 40::bigint),
    (date '2026-12-03', 90::bigint, 10::bigint)
) as t (activity_date, active_users, new_users);

create table marts.fct_funnel as
select * from (values
    (1, 'ecommerce', 'view_product', 'Product Viewed', 200::bigint, 480::bigint, 1.0::double),
    (2, 'ecommerce', 'add_to_cart', 'Product Added', 90::bigint, 130::bigint, 0.45),
    (3, 'ecommerce', 'begin_checkout', 'Checkout Started', 40::bigint, 44::bigint, 0.2),
    (4, 'ecommerce', 'purchase', 'Order Completed', 25::bigint, 25::bigint, 0.125)
) as t (funnel_step, event_category, event_action, event_name, users, events,
        conversion_from_first);

create table marts.fct_campaign_performance as
select * from (values
    ('winter_sale', 'google', 'cpc', 1200.0, 50000::bigint, 900::bigint, 12::bigint, 1800.0,
     100.0, 1.5),
    ('newsletter_december', 'newsletter', 'email', 0.0, 8000::bigint, 400::bigint, 8::bigint,
     640.0, 0.0, null),
    ('retargeting', 'facebook', 'paid_social', 300.0, 20000::bigint, 150::bigint, 0::bigint, 0.0,
     null, 0.0)
) as t (campaign, source, medium, spend, impressions, clicks, conversions, revenue,
        cost_per_conversion, return_on_ad_spend);
"""


def segment_messages() -> list[dict[str, object]]:
    """One track call per tracking-plan event, plus a page and an identify call."""
    received = {"receivedAt": "2026-12-01T10:00:02.000Z", "timestamp": "2026-12-01T10:00:00Z"}
    tracks = [
        {
            "type": "track",
            "event": event.name,
            "anonymousId": "anon-1",
            "properties": {"category": event.category, "action": event.action},
        }
        for event in load_tracking_plan().events
    ]
    others = [
        {"type": "page", "name": "Home", "anonymousId": "anon-1", "properties": {"path": "/"}},
        {"type": "identify", "userId": "user-1", "anonymousId": "anon-1", "traits": {}},
    ]
    return [
        {**message, **received, "messageId": f"message-{number}"}
        for number, message in enumerate(tracks + others, start=1)
    ]


def build_warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "create schema raw;"
            "create table raw.segment_events"
            " (payload json, _file varchar, _line bigint, _loaded_at timestamp)"
        )
        connection.executemany(
            "insert into raw.segment_events values (?, 'raw/segment/date=2026-12-01/x.jsonl', ?,"
            " current_timestamp)",
            [(json.dumps(message), line) for line, message in enumerate(segment_messages(), 1)],
        )
        connection.execute(STAGING)
        connection.execute(MARTS)


@pytest.fixture
def warehouse_settings(tmp_path: Path) -> Settings:
    """Settings whose warehouse holds good raw events, staging and marts; break rows to test."""
    settings = Settings(
        landing_dir=tmp_path / "landing",
        exports_dir=tmp_path / "exports",
        warehouse_path=tmp_path / "warehouse.duckdb",
        reports_dir=tmp_path / "reports",
    )
    build_warehouse(settings.warehouse_path)
    return settings
