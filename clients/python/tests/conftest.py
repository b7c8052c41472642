"""A running server for the client's tests: the one named by ``TEPAT_URL`` with tokens in
``TEPAT_{ADMIN,PLANNER,LEADER,RESEARCHER}_TOKEN`` (as `make notebooks-test` starts it), or
else a fresh ``tepat serve`` of the demo city started here from ``$TEPAT_BIN`` (default
target/debug/tepat)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tepat_client import Client
from tepat_client.testing import ROLES, TepatServer

REPO = Path(__file__).resolve().parents[3]


@dataclass
class Server:
    url: str
    tokens: dict[str, str]

    def client(self, role: str | None = None) -> Client:
        return Client(self.url, self.tokens[role] if role else None)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    url = os.environ.get("TEPAT_URL")
    tokens = {r: os.environ.get(f"TEPAT_{r.upper()}_TOKEN", "") for r in ROLES}
    if url and all(tokens.values()):
        yield Server(url, tokens)
        return
    binary = Path(os.environ.get("TEPAT_BIN", REPO / "target" / "debug" / "tepat"))
    with TepatServer(binary) as s:
        yield Server(s.url, dict(s.tokens))


@pytest.fixture()
def anon(server: Server) -> Client:
    return server.client()


@pytest.fixture()
def planner(server: Server) -> Client:
    return server.client("planner")


@pytest.fixture()
def admin(server: Server) -> Client:
    return server.client("admin")


@pytest.fixture()
def leader(server: Server) -> Client:
    return server.client("leader")


@pytest.fixture()
def researcher(server: Server) -> Client:
    return server.client("researcher")
