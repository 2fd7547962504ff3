"""The tracking plan loads into typed objects; a broken plan fails naming the event and field."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from {{ cookiecutter.package_name }}.settings import PROJECT_DIR
from {{ cookiecutter.package_name }}.tracking_plan import (
    TrackingPlanError,
    load_tracking_plan,
    parse_tracking_plan,
)

PLAN = yaml.safe_load((PROJECT_DIR / "tracking_plan.yml").read_text(encoding="utf-8"))


def _event(plan: dict[str, Any], name: str) -> dict[str, Any]:
    return next(event for event in plan["events"] if event["name"] == name)


def _set(name: str, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda plan: _event(plan, name).__setitem__(field, value)


def _drop(name: str, field: str) -> Callable[[dict[str, Any]], None]:
    return lambda plan: _event(plan, name).pop(field)


# (id, how the plan is broken, what the one-line message must say)
BROKEN_PLANS = [
    (
        "label-names-no-property",
        _set("Signed Up", "label", "plann"),
        "event 'Signed Up': field 'label' names 'plann', which is not one of its properties",
    ),
    (
        "value-names-a-string",
        _set("Product Added", "value", "product_id"),
        "event 'Product Added': field 'value' must name a number property",
    ),
    (
        "category-missing",
        _drop("Order Completed", "category"),
        "event 'Order Completed': field 'category' must be a non-empty string",
    ),
    (
        "field-misspelt",
        _set("Signup Started", "catgory", "account"),
        "event 'Signup Started': unknown field 'catgory'",
    ),
    (
        "funnel-step-zero",
        _set("Product Viewed", "funnel_step", 0),
        "event 'Product Viewed': field 'funnel_step' must be a whole number from 1",
    ),
    (
        "funnel-step-twice",
        _set("Product Added", "funnel_step", 1),
        "funnel_step 1: field 'funnel_step' is used twice",
    ),
    (
        "event-name-twice",
        _set("Signed Up", "name", "Signup Started"),
        "event 'Signup Started': field 'name' is used twice",
    ),
    (
        "property-type-unknown",
        lambda plan: _event(plan, "Signed Up")["properties"]["plan"].__setitem__("type", "text"),
        "event 'Signed Up': property 'plan': field 'type' must be one of",
    ),
    (
        "page-path-relative",
        lambda plan: plan["pages"][0].__setitem__("path", "home"),
        "page 'Home': field 'path' must start with /",
    ),
    (
        "campaign-without-medium",
        lambda plan: plan["campaigns"][0].pop("medium"),
        "campaign #1: field 'medium' must be a non-empty string",
    ),
    (
        "no-events",
        lambda plan: plan.__setitem__("events", []),
        "field 'events' must be a non-empty list",
    ),
]


def test_project_plan_lists_every_event_in_order() -> None:
    plan = load_tracking_plan()

    assert plan.event_names() == [
        "Signup Started",
        "Signed Up",
        "Product Viewed",
        "Product Added",
        "Checkout Started",
        "Order Completed",
    ]


def test_funnel_steps_come_first_step_first() -> None:
    steps = load_tracking_plan().funnel_steps()

    assert [(event.funnel_step, event.action) for event in steps] == [
        (1, "view_product"),
        (2, "add_to_cart"),
        (3, "begin_checkout"),
        (4, "purchase"),
    ]


def test_conversion_events_are_the_flagged_ones() -> None:
    names = [event.name for event in load_tracking_plan().conversion_events()]

    assert names == ["Signed Up", "Order Completed"]


def test_campaigns_and_pages_are_typed() -> None:
    plan = load_tracking_plan()

    assert [(c.name, c.source, c.medium) for c in plan.campaigns][0] == (
        "winter_sale",
        "google",
        "cpc",
    )
    assert [page.path for page in plan.pages] == ["/", "/pricing", "/products", "/checkout"]


def test_label_and_value_name_the_properties_they_copy() -> None:
    event = load_tracking_plan().event("Order Completed")

    assert (event.label, event.value) == ("order_id", "revenue")
    assert event.property("revenue").minimum == 0


@pytest.mark.parametrize(
    ("breakage", "message"),
    [pytest.param(breakage, message, id=name) for name, breakage, message in BROKEN_PLANS],
)
def test_broken_plan_fails_with_one_line_naming_the_field(
    breakage: Callable[[dict[str, Any]], None], message: str
) -> None:
    plan = copy.deepcopy(PLAN)
    breakage(plan)

    with pytest.raises(TrackingPlanError) as raised:
        parse_tracking_plan(plan)

    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_plan_that_is_not_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "tracking_plan.yml"
    path.write_text("events:\n  - name: [unclosed\n", encoding="utf-8")

    with pytest.raises(TrackingPlanError, match=r"tracking_plan.yml: not valid YAML at line \d"):
        load_tracking_plan(path)
