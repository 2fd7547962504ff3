"""Metabase: provision.py against a fake Metabase API on 127.0.0.1, and a lint of compose.yaml.

Metabase itself needs Docker and a download, so the fake stands in for the endpoints provision.py
calls, with their shapes and with the session check, and keeps what they create in memory.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

METABASE_DIR = Path(__file__).resolve().parents[1] / "bi" / "metabase"
ADMIN = {"email": "admin@example.com", "password": "a-long-test-password"}
MART_TABLES = [
    "marts.fct_daily_active_users",
    "marts.fct_funnel",
    "marts.fct_campaign_performance",
]


class FakeMetabase:
    """The state behind the fake API: what a real Metabase would store in its application DB."""

    def __init__(self, starting_polls: int = 0) -> None:
        self.starting_polls = starting_polls
        self.health_polls = 0
        self.admin: dict[str, str] | None = None
        self.sessions: set[str] = set()
        self.tables: dict[str, dict[int, dict[str, Any]]] = {
            kind: {} for kind in ("database", "collection", "card", "dashboard")
        }
        self.next_id = 1

    def add(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        row = {**body, "id": self.next_id}
        self.tables[kind][self.next_id] = row
        self.next_id += 1
        return row

    def handle(self, method: str, path: str, body: Any, session: str | None) -> tuple[int, Any]:
        if path == "/api/health":
            self.health_polls += 1
            if self.health_polls <= self.starting_polls:
                return 503, {"status": "initializing", "progress": 0.5}
            return 200, {"status": "ok"}
        if path == "/api/session/properties":
            token = None if self.admin else "setup-token-1"
            return 200, {"has-user-setup": self.admin is not None, "setup-token": token}
        if (method, path) == ("POST", "/api/setup"):
            if self.admin or body["token"] != "setup-token-1":
                return 403, "setup is done"
            self.admin = {"email": body["user"]["email"], "password": body["user"]["password"]}
            return 200, {"id": self.new_session()}
        if (method, path) == ("POST", "/api/session"):
            wanted = {"email": body["username"], "password": body["password"]}
            return (200, {"id": self.new_session()}) if wanted == self.admin else (401, "no")
        if session not in self.sessions:
            return 401, "Unauthenticated"
        return self.route(method, path, body)

    def new_session(self) -> str:
        self.sessions.add(f"session-{len(self.sessions) + 1}")
        return f"session-{len(self.sessions)}"

    def route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")[1:]  # drop "api"
        kind, rest = parts[0], parts[1:]
        if kind not in self.tables:
            return 404, "not found"
        table = self.tables[kind]
        if not rest:
            if method == "POST":
                return 200, self.add(kind, body)
            listed = list(table.values())
            return 200, {"data": listed, "total": len(listed)} if kind == "database" else listed
        row = table.get(int(rest[0]))
        if row is None:
            return 404, "not found"
        if rest[1:] == ["sync_schema"]:
            return 200, {"status": "ok"}
        if rest[1:] == ["items"]:
            items = [
                {"id": r["id"], "name": r["name"], "model": other}
                for other in ("card", "dashboard")
                for r in self.tables[other].values()
                if r.get("collection_id") == row["id"]
            ]
            return 200, {"data": items, "total": len(items)}
        if method == "PUT" and kind == "dashboard":
            row["dashcards"] = [self.place(dashcard) for dashcard in body["dashcards"]]
        elif method == "PUT":
            row.update(body)
        return 200, {"dashcards": [], **row} if kind == "dashboard" else row

    def place(self, dashcard: dict[str, Any]) -> dict[str, Any]:
        # Like Metabase: a negative id asks for a new dashcard, a known id keeps it.
        if dashcard["id"] < 0:
            dashcard = {**dashcard, "id": self.next_id}
            self.next_id += 1
        return dashcard


@pytest.fixture
def fake() -> FakeMetabase:
    return FakeMetabase()


@pytest.fixture
def fake_url(fake: FakeMetabase) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            path = self.path.split("?")[0]
            session = self.headers.get("X-Metabase-Session")
            status, answer = fake.handle(self.command, path, body, session)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: Any) -> None:  # keep pytest's output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def provision_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("provision", METABASE_DIR / "provision.py")
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while the module runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def provision(module: ModuleType, url: str) -> Any:
    return module.provision(url, ADMIN["email"], ADMIN["password"], wait_s=5, poll_s=0.01)


def test_provision_against_fake_metabase_api_creates_one_dashboard_with_the_three_cards(
    provision_module: ModuleType, fake: FakeMetabase, fake_url: str
) -> None:
    provision(provision_module, fake_url)

    (dashboard,) = fake.tables["dashboard"].values()
    card_ids = sorted(dashcard["card_id"] for dashcard in dashboard["dashcards"])
    assert card_ids == sorted(fake.tables["card"])
    queries = [card["dataset_query"]["native"]["query"] for card in fake.tables["card"].values()]
    assert [next(t for t in MART_TABLES if t in q) for q in queries] == MART_TABLES


def test_provision_rerun_against_fake_metabase_api_creates_no_second_anything(
    provision_module: ModuleType, fake: FakeMetabase, fake_url: str
) -> None:
    provision(provision_module, fake_url)
    dashcards_before = fake.tables["dashboard"][max(fake.tables["dashboard"])]["dashcards"]

    outcome = provision(provision_module, fake_url)

    counts = {kind: len(rows) for kind, rows in fake.tables.items()}
    assert counts == {"database": 1, "collection": 1, "card": 3, "dashboard": 1}
    (dashboard,) = fake.tables["dashboard"].values()
    assert dashboard["dashcards"] == dashcards_before
    assert outcome.created == []


def test_provision_against_fake_metabase_api_connects_the_warehouse_read_only(
    provision_module: ModuleType, fake: FakeMetabase, fake_url: str
) -> None:
    provision(provision_module, fake_url)

    (database,) = fake.tables["database"].values()
    assert database["engine"] == "duckdb"
    assert database["details"] == {
        "database_file": "/warehouse/warehouse.duckdb",
        "read_only": True,
    }


def test_provision_waits_while_the_fake_metabase_api_is_still_starting(
    provision_module: ModuleType, fake: FakeMetabase, fake_url: str
) -> None:
    fake.starting_polls = 3

    provision(provision_module, fake_url)

    assert fake.health_polls == 4 and len(fake.tables["dashboard"]) == 1


@pytest.fixture(scope="module")
def metabase_service() -> dict[str, Any]:
    compose = yaml.safe_load((METABASE_DIR / "compose.yaml").read_text(encoding="utf-8"))
    return compose["services"]["metabase"]


def test_compose_pins_the_metabase_version(metabase_service: dict[str, Any]) -> None:
    version = metabase_service["build"]["args"]["METABASE_VERSION"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert metabase_service["image"].endswith(f":v{version}")


def test_compose_publishes_metabase_on_loopback_only(metabase_service: dict[str, Any]) -> None:
    assert metabase_service["ports"] == ["127.0.0.1:3000:3000"]


def test_compose_mounts_the_warehouse_read_only(metabase_service: dict[str, Any]) -> None:
    (mount,) = [v for v in metabase_service["volumes"] if v["target"].endswith(".duckdb")]
    assert mount["read_only"] is True and mount["bind"]["create_host_path"] is False


def test_compose_mounts_the_duckdb_driver_into_the_plugins_dir(
    metabase_service: dict[str, Any],
) -> None:
    plugins = metabase_service["environment"]["MB_PLUGINS_DIR"]
    targets = [volume["target"] for volume in metabase_service["volumes"]]
    assert f"{plugins}/duckdb.metabase-driver.jar" in targets
