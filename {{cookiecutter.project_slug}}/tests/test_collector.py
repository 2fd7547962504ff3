"""The collector speaks Segment's HTTP API to the official client and lands immutable files."""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import segment.analytics as analytics

from {{ cookiecutter.package_name }}.collector import Collector, running
from {{ cookiecutter.package_name }}.sample import sample
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tracking_plan import load_tracking_plan
from {{ cookiecutter.package_name }}.traffic import Sender, sample_calls

WRITE_KEY = "test-key"
BASIC = "Basic " + base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
LANDED_NAME = re.compile(r"raw/segment/date=\d{4}-\d{2}-\d{2}/\d{6}-[0-9a-f]{32}\.jsonl")
# Single-call endpoint -> a body as Segment documents it.
SINGLE_CALLS = {
    "track": {"userId": "u1", "event": "Signed Up", "properties": {"plan": "team"}},
    "identify": {"userId": "u1", "traits": {"email": "u1@example.com"}},
    "page": {"anonymousId": "a1", "name": "Pricing", "properties": {"path": "/pricing"}},
    "screen": {"userId": "u1", "name": "Settings"},
    "group": {"userId": "u1", "groupId": "g1", "traits": {"name": "Acme"}},
    "alias": {"previousId": "a1", "userId": "u1"},
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        landing_dir=tmp_path / "landing",
        exports_dir=tmp_path / "exports",
        warehouse_path=tmp_path / "warehouse.duckdb",
        sample_users=12,
        sample_days=3,
    )


@pytest.fixture
def collector(settings: Settings) -> Iterator[Collector]:
    with running(settings) as server:
        yield server


def landed(settings: Settings) -> list[Path]:
    return sorted((settings.landing_dir / "raw" / "segment").glob("date=*/*"))


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def send_with_client(url: str, **options: Any) -> None:
    # A short upload interval: the consumer thread waits that long for a batch to fill.
    client = analytics.Client(WRITE_KEY, host=url, max_retries=0, upload_interval=0.05, **options)
    client.track(user_id="u1", event="Product Viewed", properties={"price": 9.5}, message_id="m1")
    client.identify(user_id="u1", traits={"plan": "team"}, message_id="m2")
    client.page(anonymous_id="a1", name="Home", properties={"path": "/"}, message_id="m3")
    if not client.sync_mode:
        client.flush()
        client.join()


def test_client_batch_lands_as_one_file_with_received_at(
    collector: Collector, settings: Settings
) -> None:
    send_with_client(collector.url)

    [file] = landed(settings)
    messages = lines(file)
    assert [(m["type"], m["messageId"]) for m in messages] == [
        ("track", "m1"),
        ("identify", "m2"),
        ("page", "m3"),
    ]
    assert all(m["receivedAt"].endswith("Z") and m["sentAt"] for m in messages)


def test_gzip_body_from_the_client_is_accepted(collector: Collector, settings: Settings) -> None:
    send_with_client(collector.url, gzip=True)

    assert [m["messageId"] for m in lines(landed(settings)[0])] == ["m1", "m2", "m3"]


def test_sync_mode_client_lands_one_file_per_call(collector: Collector, settings: Settings) -> None:
    send_with_client(collector.url, sync_mode=True)

    assert len(landed(settings)) == 3


@pytest.mark.parametrize("kind", list(SINGLE_CALLS))
def test_single_call_endpoint_lands_its_message_typed(
    collector: Collector, settings: Settings, kind: str
) -> None:
    body = SINGLE_CALLS[kind] | {"messageId": f"{kind}-1"}

    status, reply = post(
        f"{collector.url}/v1/{kind}",
        json.dumps(body).encode(),
        {"Authorization": BASIC, "Content-Type": "application/json"},
    )

    assert (status, reply) == (200, {"success": True})
    [message] = lines(landed(settings)[0])
    assert (message["type"], message["messageId"]) == (kind, f"{kind}-1")


def test_write_key_in_the_body_is_enough(collector: Collector, settings: Settings) -> None:
    body = {"batch": [SINGLE_CALLS["track"] | {"type": "track"}], "writeKey": WRITE_KEY}

    status, _ = post(f"{collector.url}/v1/batch", json.dumps(body).encode(), {})

    assert status == 200
    assert "writeKey" not in lines(landed(settings)[0])[0]


def test_gzip_single_call_is_accepted(collector: Collector, settings: Settings) -> None:
    body = gzip.compress(json.dumps(SINGLE_CALLS["track"]).encode())

    status, _ = post(
        f"{collector.url}/v1/track", body, {"Authorization": BASIC, "Content-Encoding": "gzip"}
    )

    assert status == 200
    assert lines(landed(settings)[0])[0]["event"] == "Signed Up"


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param(b"{not json", {}, id="not-json"),
        pytest.param(b"[1, 2]", {}, id="not-an-object"),
        pytest.param(b"plain text", {"Content-Encoding": "gzip"}, id="not-gzip"),
        pytest.param(b'{"batch": {"type": "track"}}', {}, id="batch-not-a-list"),
        pytest.param(b'{"batch": [{"type": "track", "x": "\\ud800"}]}', {}, id="lone-surrogate"),
    ],
)
def test_bad_body_gets_400_with_a_json_error_and_lands_nothing(
    collector: Collector, settings: Settings, body: bytes, headers: dict[str, str]
) -> None:
    status, reply = post(f"{collector.url}/v1/batch", body, {"Authorization": BASIC} | headers)

    assert status == 400
    assert reply["success"] is False and reply["message"]
    assert landed(settings) == []


def test_missing_write_key_gets_401(collector: Collector, settings: Settings) -> None:
    body = {"batch": [SINGLE_CALLS["track"] | {"type": "track"}]}

    status, reply = post(f"{collector.url}/v1/batch", json.dumps(body).encode(), {})

    assert (status, reply["message"]) == (401, "missing write key")
    assert landed(settings) == []


def test_gzip_body_that_inflates_past_the_limit_gets_413(
    collector: Collector, settings: Settings
) -> None:
    message = {"type": "track", "messageId": "m1", "padding": "A" * (17 << 20)}
    body = gzip.compress(json.dumps({"batch": [message]}).encode())
    headers = {"Authorization": BASIC, "Content-Encoding": "gzip"}

    status, _ = post(f"{collector.url}/v1/batch", body, headers)

    assert status == 413
    assert landed(settings) == []


def test_negative_content_length_gets_400(collector: Collector) -> None:
    host, port = collector.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.putrequest("POST", "/v1/batch")
    connection.putheader("Authorization", BASIC)
    connection.putheader("Content-Length", "-5")
    connection.endheaders()

    assert connection.getresponse().status == 400


def test_landed_files_are_read_only(collector: Collector, settings: Settings) -> None:
    send_with_client(collector.url)

    [path] = landed(settings)
    assert path.stat().st_mode & 0o222 == 0


def test_files_are_laid_out_by_receive_date_and_never_rewritten(
    collector: Collector, settings: Settings
) -> None:
    send_with_client(collector.url)
    [first] = landed(settings)
    before = first.read_bytes()

    send_with_client(collector.url)

    files = landed(settings)
    assert len(files) == 2 and first.read_bytes() == before
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    for path in files:
        relative = path.relative_to(settings.landing_dir).as_posix()
        assert LANDED_NAME.fullmatch(relative) and f"date={today}" in relative


def test_collector_counts_messages_and_files(collector: Collector) -> None:
    send_with_client(collector.url)
    send_with_client(collector.url, sync_mode=True)

    assert (collector.messages, collector.files) == (6, 4)


def test_sample_traffic_repeats_its_message_ids() -> None:
    plan, now = load_tracking_plan(), datetime(2026, 12, 1, 12, tzinfo=UTC)

    first = [call.fields["message_id"] for call in sample_calls(plan, 20, 7, 1, now)]
    again = [call.fields["message_id"] for call in sample_calls(plan, 20, 7, 1, now)]

    assert first == again and len(set(first)) == len(first)


def test_sample_traffic_stays_in_its_window_and_the_plan() -> None:
    plan, now = load_tracking_plan(), datetime(2026, 12, 1, 12, tzinfo=UTC)

    calls = list(sample_calls(plan, 50, 7, 1, now))

    stamps = [call.fields["timestamp"] for call in calls]
    assert min(stamps) >= datetime(2026, 11, 25, tzinfo=UTC) and max(stamps) < now
    tracked = {call.fields["event"] for call in calls if call.kind == "track"}
    assert tracked <= set(plan.event_names())


def test_sample_tracks_carry_the_taxonomy_and_campaigns() -> None:
    plan = load_tracking_plan()

    calls = list(sample_calls(plan, 50, 7, 1, datetime(2026, 12, 1, 12, tzinfo=UTC)))

    order = next(c.fields for c in calls if c.fields.get("event") == "Order Completed")
    properties = order["properties"]
    assert (properties["category"], properties["action"]) == ("ecommerce", "purchase")
    assert properties["label"] == properties["order_id"]
    assert properties["value"] == properties["revenue"]
    campaigns = {c.fields["context"].get("campaign", {}).get("name") for c in calls}
    assert {campaign.name for campaign in plan.campaigns} | {None} == campaigns


def test_sample_step_sends_every_event_through_the_collector(settings: Settings) -> None:
    summary = sample(settings)

    landed_messages = sum(len(lines(path)) for path in landed(settings))
    assert summary.startswith(f"{landed_messages:,} events through the collector into")
    assert landed_messages > 12


def test_sender_reports_a_refused_batch(settings: Settings) -> None:
    with running(settings) as server:
        url = server.url
    sender = Sender(url, WRITE_KEY)
    sender.client.consumers[0].retries = 0  # a stopped collector: fail fast

    sender.send(list(sample_calls(load_tracking_plan(), 1, 1, 1)))

    assert sender.errors
