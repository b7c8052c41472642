"""Every (method, path) the client calls is in api/openapi.json, so the client cannot drift
from the server's documented API. A missing document fails: it is checked in."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from tepat_client.routes import API_PREFIX, ROUTES

REPO = Path(__file__).resolve().parents[3]
OPENAPI = REPO / "api" / "openapi.json"
CLIENT = REPO / "clients" / "python" / "tepat_client" / "client.py"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def documented() -> set[tuple[str, str]]:
    assert OPENAPI.is_file(), f"{OPENAPI} is missing: the OpenAPI document is checked in (make openapi)"
    doc = json.loads(OPENAPI.read_text())
    assert str(doc.get("openapi", "")).startswith("3."), "api/openapi.json is not an OpenAPI 3 document"
    out = set()
    for path, item in doc["paths"].items():
        # The document may spell paths with or without the /api/v1 prefix (or a server URL).
        bare = path.removeprefix(API_PREFIX) or "/"
        out |= {(m.upper(), bare) for m in item if m in METHODS}
    return out


def test_every_client_route_is_in_openapi() -> None:
    missing = sorted(ROUTES - documented())
    assert not missing, f"routes the client calls but api/openapi.json lacks: {missing}"


def test_every_call_in_the_client_names_a_listed_route() -> None:
    # The client sends requests only through Client._request / Client._json with literal
    # (method, route) pairs; collect them from the source and hold them to ROUTES too.
    calls = set()
    for node in ast.walk(ast.parse(CLIENT.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("_request", "_json")
            and len(node.args) >= 2
            and all(isinstance(a, ast.Constant) for a in node.args[:2])
        ):
            calls.add((node.args[0].value, node.args[1].value))
    assert len(calls) >= 20, f"found only {len(calls)} calls in {CLIENT}"
    assert calls <= ROUTES, f"calls outside routes.py: {sorted(calls - ROUTES)}"
    assert ROUTES <= calls, f"routes.py lists routes the client never calls: {sorted(ROUTES - calls)}"
