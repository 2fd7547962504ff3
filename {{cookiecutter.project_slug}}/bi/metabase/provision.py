"""Provision the local Metabase: admin user, DuckDB warehouse, and one dashboard on the marts.

Idempotent: what it made is found again by name and updated, never added twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import typer
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from {{ cookiecutter.package_name }}.settings import get_settings

COLLECTION_NAME = {{ cookiecutter.project_name | py_string }}
DATABASE_NAME = f"{COLLECTION_NAME} warehouse"
DASHBOARD_NAME = f"{COLLECTION_NAME}: marts"
# The warehouse file where compose.yaml mounts it inside the container (read-only).
WAREHOUSE_IN_CONTAINER = "/warehouse/warehouse.duckdb"
GRID_WIDTH = 24  # Metabase dashboards are 24 columns wide


@dataclass(frozen=True)
class Card:
    """One saved question: a native query on a mart, its chart type, and its place on the grid."""

    name: str
    display: str
    sql: str
    visualization: dict[str, Any]
    row: int
    col: int
    size_x: int
    size_y: int


CARDS = [
    Card(
        "Daily active users",
        "line",
        "select activity_date, active_users, new_users\n"
        "from marts.fct_daily_active_users\norder by activity_date",
        {"graph.dimensions": ["activity_date"], "graph.metrics": ["active_users", "new_users"]},
        row=0,
        col=0,
        size_x=GRID_WIDTH,
        size_y=6,
    ),
    Card(
        "Funnel",
        "funnel",
        "select event_name, users\nfrom marts.fct_funnel\norder by funnel_step",
        {"funnel.dimension": "event_name", "funnel.metric": "users"},
        row=6,
        col=0,
        size_x=GRID_WIDTH // 2,
        size_y=8,
    ),
    Card(
        "Campaign performance",
        "table",
        "select campaign, source, medium, spend, clicks, conversions, revenue,\n"
        "    cost_per_conversion, return_on_ad_spend\n"
        "from marts.fct_campaign_performance\norder by spend desc",
        {},
        row=6,
        col=GRID_WIDTH // 2,
        size_x=GRID_WIDTH // 2,
        size_y=8,
    ),
]


class NotReady(Exception):
    """Metabase answers, but is still starting (its health is not "ok" yet)."""


@dataclass
class Outcome:
    dashboard_url: str = ""
    created: list[str] = field(default_factory=list)

    def summary(self) -> str:
        made = ", ".join(self.created) or "nothing new"
        return f"metabase: {self.dashboard_url} with {len(CARDS)} cards (created: {made})"


def rows(body: Any) -> list[dict[str, Any]]:
    """List endpoints answer with a bare list or, in newer versions, with {"data": [...]}."""
    return body["data"] if isinstance(body, dict) else body


def call(client: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
    response = client.request(method, path, **kwargs)
    response.raise_for_status()
    return response.json() if response.content else None


def wait_until_healthy(client: httpx.Client, timeout_s: float, interval_s: float) -> None:
    retrying = Retrying(
        stop=stop_after_delay(timeout_s),
        wait=wait_fixed(interval_s),
        retry=retry_if_exception_type((httpx.TransportError, NotReady)),
        reraise=True,
    )
    for attempt in retrying:
        with attempt:
            response = client.get("/api/health")
            if response.status_code != 200 or response.json().get("status") != "ok":
                raise NotReady(f"Metabase is still starting ({response.status_code})")


def log_in(client: httpx.Client, email: str, password: str, outcome: Outcome) -> None:
    """Create the admin on a fresh Metabase (setup), else log in; keep the session on `client`."""
    properties = call(client, "GET", "/api/session/properties")
    if not properties.get("has-user-setup"):
        user = {"email": email, "password": password, "first_name": "Data", "last_name": "Team"}
        body = {
            "token": properties["setup-token"],
            "user": {**user, "site_name": COLLECTION_NAME},
            "prefs": {"site_name": COLLECTION_NAME, "site_locale": "en", "allow_tracking": False},
        }
        session = call(client, "POST", "/api/setup", json=body)
        outcome.created.append("admin user")
    else:
        credentials = {"username": email, "password": password}
        session = call(client, "POST", "/api/session", json=credentials)
    client.headers["X-Metabase-Session"] = session["id"]


def ensure_database(client: httpx.Client, database_file: str, outcome: Outcome) -> int:
    for database in rows(call(client, "GET", "/api/database")):
        if database["name"] == DATABASE_NAME:
            database_id = database["id"]
            break
    else:
        body = {
            "engine": "duckdb",
            "name": DATABASE_NAME,
            "details": {"database_file": database_file, "read_only": True},
        }
        database_id = call(client, "POST", "/api/database", json=body)["id"]
        outcome.created.append("database")
    # New marts or columns since the last run show up without waiting for the hourly sync.
    call(client, "POST", f"/api/database/{database_id}/sync_schema")
    return database_id


def ensure_collection(client: httpx.Client, outcome: Outcome) -> int:
    for collection in rows(call(client, "GET", "/api/collection")):
        if collection.get("name") == COLLECTION_NAME and not collection.get("archived"):
            return collection["id"]
    outcome.created.append("collection")
    return call(client, "POST", "/api/collection", json={"name": COLLECTION_NAME})["id"]


def ensure_cards(
    client: httpx.Client, database_id: int, collection_id: int, outcome: Outcome
) -> dict[str, int]:
    """Each card by name: updated in place if it exists, so a changed query converges."""
    items = rows(call(client, "GET", f"/api/collection/{collection_id}/items"))
    existing = {item["name"]: item["id"] for item in items if item.get("model") == "card"}
    ids = {}
    for card in CARDS:
        body = {
            "name": card.name,
            "display": card.display,
            "collection_id": collection_id,
            "visualization_settings": card.visualization,
            "dataset_query": {
                "type": "native",
                "database": database_id,
                "native": {"query": card.sql},
            },
        }
        if card.name in existing:
            saved = call(client, "PUT", f"/api/card/{existing[card.name]}", json=body)
        else:
            saved = call(client, "POST", "/api/card", json=body)
            outcome.created.append(f"card {card.name!r}")
        ids[card.name] = saved["id"]
    return ids


def ensure_dashboard(
    client: httpx.Client, collection_id: int, card_ids: dict[str, int], outcome: Outcome
) -> int:
    items = rows(call(client, "GET", f"/api/collection/{collection_id}/items"))
    found = [i["id"] for i in items if (i.get("model"), i["name"]) == ("dashboard", DASHBOARD_NAME)]
    if found:
        dashboard_id = found[0]
    else:
        body = {"name": DASHBOARD_NAME, "collection_id": collection_id}
        dashboard_id = call(client, "POST", "/api/dashboard", json=body)["id"]
        outcome.created.append("dashboard")
    current = call(client, "GET", f"/api/dashboard/{dashboard_id}").get("dashcards", [])
    by_card = {dashcard["card_id"]: dashcard["id"] for dashcard in current}
    dashcards = [
        {
            # Existing dashcards keep their id; Metabase creates those with a negative one.
            "id": by_card.get(card_ids[card.name], -index),
            "card_id": card_ids[card.name],
            "row": card.row,
            "col": card.col,
            "size_x": card.size_x,
            "size_y": card.size_y,
        }
        for index, card in enumerate(CARDS, start=1)
    ]
    call(client, "PUT", f"/api/dashboard/{dashboard_id}", json={"dashcards": dashcards})
    return dashboard_id


def provision(
    url: str,
    email: str,
    password: str,
    database_file: str = WAREHOUSE_IN_CONTAINER,
    wait_s: float = 300,
    poll_s: float = 5,
) -> Outcome:
    outcome = Outcome()
    with httpx.Client(base_url=url, timeout=60) as client:
        wait_until_healthy(client, wait_s, poll_s)
        log_in(client, email, password, outcome)
        database_id = ensure_database(client, database_file, outcome)
        collection_id = ensure_collection(client, outcome)
        card_ids = ensure_cards(client, database_id, collection_id, outcome)
        dashboard_id = ensure_dashboard(client, collection_id, card_ids, outcome)
    outcome.dashboard_url = f"{url.rstrip('/')}/dashboard/{dashboard_id}"
    return outcome


def main(
    password: Annotated[str, typer.Option(envvar="MB_ADMIN_PASSWORD", help="Admin password.")],
    url: Annotated[str, typer.Option(envvar="MB_URL")] = "http://127.0.0.1:3000",
    email: Annotated[str, typer.Option(envvar="MB_ADMIN_EMAIL", help="Default: the owner.")] = "",
    wait: Annotated[float, typer.Option(help="Seconds to wait for Metabase to start.")] = 300,
) -> None:
    """Provision Metabase; safe to re-run."""
    try:
        outcome = provision(url, email or get_settings().owner_email, password, wait_s=wait)
    except httpx.HTTPStatusError as error:
        request, response = error.request, error.response
        typer.echo(
            f"metabase: failed: {request.method} {request.url.path}: "
            f"{response.status_code} {response.text[:300]}",
            err=True,
        )
        raise typer.Exit(1) from None
    except (httpx.TransportError, NotReady) as error:
        typer.echo(f"metabase: failed: {url} is not up after {wait:.0f} s: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(outcome.summary())


if __name__ == "__main__":
    typer.run(main)
