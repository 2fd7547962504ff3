"""The tracking plan (tracking_plan.yml), loaded and checked into small typed objects.

Sample traffic, tests and checks read event names, the funnel, campaigns and pages from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .steps import PipelineError

PROPERTY_TYPES = {"string", "number", "integer", "boolean"}
NUMERIC_TYPES = {"number", "integer"}
EVENT_FIELDS = {"name", "description", "category", "action", "label", "value", "funnel_step"}
EVENT_FIELDS |= {"conversion", "properties"}
PROPERTY_FIELDS = {"type", "required", "enum", "minimum", "description"}


class TrackingPlanError(PipelineError):
    """The tracking plan breaks a rule: the message names the event (or entry) and the field."""


@dataclass(frozen=True)
class Property:
    name: str
    type: str
    required: bool = False
    enum: tuple[Any, ...] = ()
    minimum: float | None = None


@dataclass(frozen=True)
class Event:
    name: str
    category: str
    action: str
    properties: tuple[Property, ...]
    description: str = ""
    # The names of the properties that `label` and `value` copy, if any.
    label: str | None = None
    value: str | None = None
    funnel_step: int | None = None
    conversion: bool = False

    def property(self, name: str) -> Property:
        return next(prop for prop in self.properties if prop.name == name)


@dataclass(frozen=True)
class Page:
    name: str
    path: str


@dataclass(frozen=True)
class Campaign:
    name: str
    source: str
    medium: str


@dataclass(frozen=True)
class TrackingPlan:
    version: int
    events: tuple[Event, ...]
    pages: tuple[Page, ...]
    campaigns: tuple[Campaign, ...]

    def event_names(self) -> list[str]:
        return [event.name for event in self.events]

    def event(self, name: str) -> Event:
        for event in self.events:
            if event.name == name:
                return event
        raise KeyError(f"no event {name!r} in the tracking plan")

    def funnel_steps(self) -> list[Event]:
        """The funnel's events, first step first."""
        steps = [event for event in self.events if event.funnel_step is not None]
        return sorted(steps, key=lambda event: event.funnel_step or 0)

    def conversion_events(self) -> list[Event]:
        return [event for event in self.events if event.conversion]


def default_path() -> Path:
    from .settings import PROJECT_DIR

    return PROJECT_DIR / "tracking_plan.yml"


def load_tracking_plan(path: Path | None = None) -> TrackingPlan:
    """Read and check the plan at `path` (default: the project's tracking_plan.yml)."""
    path = path or default_path()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TrackingPlanError(f"{path.name}: cannot be read: {error.strerror}") from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise TrackingPlanError(f"{path.name}: not valid YAML{line}") from None
    return parse_tracking_plan(document, source=path.name)


def parse_tracking_plan(document: Any, source: str = "tracking_plan.yml") -> TrackingPlan:
    """Check an already-parsed plan; raise TrackingPlanError naming the first broken field."""
    top = _mapping(document, f"{source}: the plan")
    events = tuple(
        _event(entry, source, index)
        for index, entry in enumerate(_list(top, "events", source, required=True), start=1)
    )
    _check_unique(source, "event", [event.name for event in events])
    steps = [event for event in events if event.funnel_step is not None]
    _check_unique(source, "funnel_step", [event.funnel_step for event in steps], key="funnel_step")
    pages = tuple(
        Page(**_strings(entry, f"{source}: page #{index}", ("name", "path")))
        for index, entry in enumerate(_list(top, "pages", source), start=1)
    )
    for page in pages:
        if not page.path.startswith("/"):
            raise TrackingPlanError(f"{source}: page {page.name!r}: field 'path' must start with /")
    campaigns = tuple(
        Campaign(**_strings(entry, f"{source}: campaign #{index}", ("name", "source", "medium")))
        for index, entry in enumerate(_list(top, "campaigns", source), start=1)
    )
    _check_unique(source, "campaign", [campaign.name for campaign in campaigns])
    return TrackingPlan(top.get("version", 1), events, pages, campaigns)


def _event(entry: Any, source: str, index: int) -> Event:
    raw = _mapping(entry, f"{source}: event #{index}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        message = "field 'name' must be a non-empty string"
        raise TrackingPlanError(f"{source}: event #{index}: {message}")
    where = f"{source}: event {name!r}"
    unknown = sorted(set(raw) - EVENT_FIELDS)
    if unknown:
        raise TrackingPlanError(f"{where}: unknown field {unknown[0]!r}")
    fields = _strings(raw, where, ("category", "action"))
    specs = _mapping(raw.get("properties") or {}, f"{where}: field 'properties'")
    properties = tuple(
        _property(prop_name, spec, f"{where}: property {prop_name!r}")
        for prop_name, spec in specs.items()
    )
    names = {prop.name: prop for prop in properties}
    for field in ("label", "value"):
        target = raw.get(field)
        if target is not None and target not in names:
            raise TrackingPlanError(
                f"{where}: field {field!r} names {target!r}, which is not one of its properties"
            )
    if raw.get("value") is not None and names[raw["value"]].type not in NUMERIC_TYPES:
        raise TrackingPlanError(f"{where}: field 'value' must name a number property")
    step = raw.get("funnel_step")
    if step is not None and (not isinstance(step, int) or isinstance(step, bool) or step < 1):
        raise TrackingPlanError(f"{where}: field 'funnel_step' must be a whole number from 1")
    if not isinstance(raw.get("conversion", False), bool):
        raise TrackingPlanError(f"{where}: field 'conversion' must be true or false")
    return Event(
        name=name,
        description=str(raw.get("description") or ""),
        label=raw.get("label"),
        value=raw.get("value"),
        funnel_step=step,
        conversion=raw.get("conversion", False),
        properties=properties,
        **fields,
    )


def _property(name: Any, spec: Any, where: str) -> Property:
    raw = _mapping(spec, where)
    unknown = sorted(set(raw) - PROPERTY_FIELDS)
    if unknown:
        raise TrackingPlanError(f"{where}: unknown field {unknown[0]!r}")
    if raw.get("type") not in PROPERTY_TYPES:
        allowed = ", ".join(sorted(PROPERTY_TYPES))
        raise TrackingPlanError(f"{where}: field 'type' must be one of {allowed}")
    if not isinstance(raw.get("required", False), bool):
        raise TrackingPlanError(f"{where}: field 'required' must be true or false")
    enum = raw.get("enum", [])
    if not isinstance(enum, list):
        raise TrackingPlanError(f"{where}: field 'enum' must be a list")
    minimum = raw.get("minimum")
    if minimum is not None and (not isinstance(minimum, int | float) or isinstance(minimum, bool)):
        raise TrackingPlanError(f"{where}: field 'minimum' must be a number")
    return Property(str(name), raw["type"], raw.get("required", False), tuple(enum), minimum)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TrackingPlanError(f"{where} must be a mapping of field: value")
    return value


def _list(top: Mapping[str, Any], key: str, source: str, required: bool = False) -> list[Any]:
    value = top.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise TrackingPlanError(f"{source}: field {key!r} must be a non-empty list")
    return value


def _strings(entry: Any, where: str, keys: tuple[str, ...]) -> dict[str, str]:
    raw = _mapping(entry, where)
    for key in keys:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise TrackingPlanError(f"{where}: field {key!r} must be a non-empty string")
    return {key: raw[key] for key in keys}


def _check_unique(source: str, what: str, values: list[Any], key: str = "name") -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise TrackingPlanError(f"{source}: {what} {value!r}: field {key!r} is used twice")
        seen.add(value)
