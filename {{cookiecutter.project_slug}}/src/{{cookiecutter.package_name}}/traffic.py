"""Deterministic sample traffic from the tracking plan, sent with Segment's official Python client.

The same seed gives the same users, journeys and messageIds; timestamps end at the run's clock.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import segment.analytics as analytics

from .tracking_plan import (
    Campaign,
    Event,
    Property,
    TrackingPlan,
    load_tracking_plan,
)

# messageIds are uuid5 in this namespace, so a re-run re-sends the very same ids.
MESSAGE_IDS = uuid.UUID("5a4f3c7e-9b1d-4e2a-8c6f-0d9e8b7a6c5d")
SITE = "https://www.example.com"
USER_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
)
PRODUCTS = (("sku-boots", 129.0), ("sku-scarf", 24.5), ("sku-jacket", 219.0), ("sku-gloves", 19.9))
PLANS = (("free", 0.6), ("team", 0.3), ("enterprise", 0.1))
DIRECT_SHARE = 0.3
# Chance of going on to each onboarding event, then to each funnel step (the last rate repeats).
ONBOARDING_RATES = (0.55, 0.7)
FUNNEL_RATES = (0.9, 0.55, 0.6, 0.75)
ANONYMOUS_FUNNEL_SHARE = 0.3
# The page a visitor is on when the event happens, where the plan has both.
PAGE_OF_EVENT = {"Signup Started": "/pricing", "Product Viewed": "/products"}
PAGE_OF_EVENT["Checkout Started"] = "/checkout"
# Failed uploads come back through on_error; the client's own log lines would repeat them.
logging.getLogger("segment").addHandler(logging.NullHandler())
# The client posts at most this many messages per batch (and under 500 KB, its own limit).
UPLOAD_SIZE = 500


@dataclass(frozen=True)
class Call:
    """One call to the Segment client: `kind` is its method, `fields` its keyword arguments."""

    kind: str
    fields: dict[str, Any]


@dataclass
class Journey:
    """One visitor's state while their calls are generated."""

    plan: TrackingPlan
    rng: random.Random
    ids: str
    anonymous_id: str
    user_id: str | None
    clock: datetime
    end: datetime
    user_agent: str
    ip: str
    sequence: int = 0
    values: dict[str, Any] = field(default_factory=dict)

    def next_message_id(self) -> str:
        self.sequence += 1
        return str(uuid.uuid5(MESSAGE_IDS, f"{self.ids}:{self.sequence}"))

    def tick(self, low: float = 4, high: float = 90) -> bool:
        """Move the clock on; False once it would pass the end (no events from the future)."""
        self.clock += timedelta(seconds=self.rng.uniform(low, high))
        return self.clock < self.end


def sample_calls(
    plan: TrackingPlan, users: int, days: int, seed: int, now: datetime | None = None
) -> Iterator[Call]:
    """Every call of `users` visitors over the `days` days ending at `now` (default: the clock)."""
    end = now or datetime.now(UTC)
    start = datetime.combine(end.date() - timedelta(days=days - 1), datetime.min.time(), UTC)
    window = (end - start).total_seconds()
    for number in range(1, users + 1):
        # One generator per user: adding users leaves the first ones' traffic as it was.
        rng = random.Random(f"{seed}:user:{number}")
        journey = Journey(
            plan=plan,
            rng=rng,
            ids=f"{seed}:{number}",
            anonymous_id=str(uuid.uuid5(MESSAGE_IDS, f"{seed}:anonymous:{number}")),
            user_id=None,
            clock=start + timedelta(seconds=rng.uniform(0, window * 0.9)),
            end=end,
            user_agent=rng.choice(USER_AGENTS),
            ip=f"203.0.113.{number % 254 + 1}",
        )
        yield from _visitor(journey, number)


def _visitor(journey: Journey, number: int) -> Iterator[Call]:
    plan, rng = journey.plan, journey.rng
    direct = not plan.campaigns or rng.random() < DIRECT_SHARE
    campaign = None if direct else rng.choice(plan.campaigns)
    landing = plan.pages[0].path if plan.pages else "/"
    _new_basket(journey)
    yield from _page(journey, landing, campaign)
    onboarding = [event for event in plan.events if event.funnel_step is None]
    signed_up = yield from _chain(journey, onboarding, ONBOARDING_RATES, campaign)
    if signed_up and onboarding and journey.tick():
        journey.user_id = f"user-{number:05d}"
        yield _identify(journey, number)
    if signed_up or rng.random() < ANONYMOUS_FUNNEL_SHARE:
        yield from _chain(journey, plan.funnel_steps(), FUNNEL_RATES, campaign)
    # Known users come back on later days, directly, and may buy again.
    for _ in range(rng.randint(0, 3) if journey.user_id else 0):
        if not journey.tick(low=12 * 3600, high=3 * 86400):
            return
        _new_basket(journey)
        yield from _page(journey, landing, None)
        yield from _chain(journey, plan.funnel_steps(), FUNNEL_RATES, None)


def _chain(
    journey: Journey, events: list[Event], rates: tuple[float, ...], campaign: Campaign | None
) -> Iterator[Call]:
    """Go through `events` in order, dropping off at each; return whether all were reached."""
    for index, event in enumerate(events):
        if journey.rng.random() >= rates[min(index, len(rates) - 1)]:
            return False
        path = PAGE_OF_EVENT.get(event.name)
        if path and any(page.path == path for page in journey.plan.pages):
            yield from _page(journey, path, campaign)
        if not journey.tick():
            return False
        yield _track(journey, event, campaign)
    return True


def _page(journey: Journey, path: str, campaign: Campaign | None) -> Iterator[Call]:
    if not journey.tick():
        return
    page = next((page for page in journey.plan.pages if page.path == path), None)
    title = page.name if page else path
    url = SITE + path
    if campaign:
        utm = {"utm_source": campaign.source, "utm_medium": campaign.medium}
        url += "?" + urlencode(utm | {"utm_campaign": campaign.name})
    details = {"path": path, "url": url, "title": title, "referrer": ""}
    context = _context(journey, campaign) | {"page": dict(details)}
    yield Call(
        "page",
        _identity(journey)
        | {"name": title, "properties": details, "context": context}
        | _stamp(journey),
    )


def _track(journey: Journey, event: Event, campaign: Campaign | None) -> Call:
    own = {prop.name: _value(journey, prop) for prop in event.properties}
    taxonomy: dict[str, Any] = {"category": event.category, "action": event.action}
    if event.label:
        taxonomy["label"] = str(own[event.label])
    if event.value:
        taxonomy["value"] = own[event.value]
    fields = {"event": event.name, "properties": taxonomy | own}
    return Call(
        "track", _identity(journey) | fields | _context_field(journey, campaign) | _stamp(journey)
    )


def _identify(journey: Journey, number: int) -> Call:
    traits = {
        "email": f"user{number:05d}@example.com",
        "plan": journey.values.get("plan", "free"),
        "created_at": journey.clock.isoformat(timespec="seconds"),
    }
    return Call(
        "identify",
        _identity(journey) | {"traits": traits} | _context_field(journey, None) | _stamp(journey),
    )


def _new_basket(journey: Journey) -> None:
    """The values one visit's events share, so a funnel adds up (price x quantity = revenue)."""
    rng = journey.rng
    product_id, price = rng.choice(PRODUCTS)
    quantity = rng.choice((1, 1, 1, 2, 3))
    total = round(price * quantity, 2)
    visit = f"{journey.ids}:{journey.sequence}".replace(":", "-")
    journey.values |= {
        "form": "signup",
        "product_id": product_id,
        "price": price,
        "quantity": quantity,
        "cart_id": f"cart-{visit}",
        "total": total,
        "order_id": f"order-{visit}",
        "revenue": total,
        "currency": "EUR",
    }
    journey.values.setdefault("plan", rng.choices(*zip(*PLANS, strict=True))[0])


def _value(journey: Journey, prop: Property) -> Any:
    """A coherent value for a known property; otherwise one that fits its type and rules."""
    known = journey.values.get(prop.name)
    if known is not None and (not prop.enum or known in prop.enum):
        return known
    rng, low = journey.rng, prop.minimum or 0
    if prop.enum:
        return rng.choice(prop.enum)
    if prop.type == "integer":
        return rng.randint(int(max(low, 1)), int(max(low, 1)) + 9)
    if prop.type == "number":
        return round(rng.uniform(low, low + 100), 2)
    if prop.type == "boolean":
        return rng.random() < 0.5
    return f"{prop.name}-{rng.randrange(10**6):06d}"


def _identity(journey: Journey) -> dict[str, Any]:
    return {"anonymous_id": journey.anonymous_id, "user_id": journey.user_id}


def _stamp(journey: Journey) -> dict[str, Any]:
    return {"timestamp": journey.clock, "message_id": journey.next_message_id()}


def _context(journey: Journey, campaign: Campaign | None) -> dict[str, Any]:
    context: dict[str, Any] = {"userAgent": journey.user_agent, "ip": journey.ip}
    if campaign:
        context["campaign"] = {
            "name": campaign.name,
            "source": campaign.source,
            "medium": campaign.medium,
        }
    return context


def _context_field(journey: Journey, campaign: Campaign | None) -> dict[str, Any]:
    return {"context": _context(journey, campaign)}


def benchmark_calls(plan: TrackingPlan, count: int, seed: int) -> Iterator[Call]:
    """`count` track calls cycling through the plan's events over the last 14 days, for load tests.

    Message ids are seeded random UUIDs: as repeatable as uuid5, at a fraction of its cost.
    """
    now = datetime.now(UTC)
    rng = random.Random(seed)
    journey = Journey(
        plan=plan,
        rng=rng,
        ids=f"{seed}:bench",
        anonymous_id="",
        user_id=None,
        clock=now,
        end=now,
        user_agent=USER_AGENTS[0],
        ip="203.0.113.1",
    )
    events = plan.events
    for index in range(count):
        journey.anonymous_id = f"bench-{index % 1000:04d}"
        journey.clock = now - timedelta(seconds=(count - index) % (14 * 86400))
        if index % len(events) == 0:
            _new_basket(journey)
        call = _track(journey, events[index % len(events)], None)
        call.fields["message_id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        yield call


class Sender:
    """A Segment client posting to `url`, with the errors it reports kept for the caller."""

    def __init__(self, url: str, write_key: str) -> None:
        self.errors: list[Exception] = []
        # A client of our own, not the module-level default: that one keeps the first host it saw.
        self.client = analytics.Client(
            write_key,
            host=url,
            upload_size=UPLOAD_SIZE,
            # How long the client waits to fill a batch; also how long join() may take.
            upload_interval=0.1,
            max_queue_size=50_000,
            max_retries=3,
            on_error=lambda error, batch: self.errors.append(error),
        )

    def send(self, calls: Iterable[Call]) -> int:
        """Queue every call, waiting while the client's queue is full; flush; return the count."""
        sent = 0
        for call in calls:
            method = getattr(self.client, call.kind)
            # Wait for room rather than let the client drop the message (it only warns).
            while self.client.queue.full():
                time.sleep(0.005)
            method(**call.fields)
            sent += 1
        self.client.flush()
        self.client.join()
        return sent


def send_events(
    url: str, write_key: str, count: int, seed: int, plan: TrackingPlan | None = None
) -> int:
    """Send `count` track events to the collector at `url` as fast as the client goes."""
    sender = Sender(url, write_key)
    sent = sender.send(benchmark_calls(plan or load_tracking_plan(), count, seed))
    if sender.errors:
        raise RuntimeError(f"{len(sender.errors)} batches failed: {sender.errors[0]}")
    return sent
