"""Every (method, path) the client calls, below ``/api/v1``, spelled as in api/openapi.json.

The client refuses to send a request whose route is not listed here, and
tests/test_openapi.py checks that each of them is in api/openapi.json: the client cannot
call a route the server does not document.
"""

from __future__ import annotations

from typing import Final

ROUTES: Final[frozenset[tuple[str, str]]] = frozenset(
    {
        ("GET", "/health"),
        ("GET", "/me"),
        ("GET", "/layers"),
        ("POST", "/layers"),
        ("GET", "/layers/{name}"),
        ("DELETE", "/layers/{name}"),
        ("GET", "/layers/{name}/features"),
        ("GET", "/analyses"),
        ("POST", "/analyses/{name}"),
        ("GET", "/results/{key}"),
        ("GET", "/jobs/{id}"),
        ("GET", "/scenarios"),
        ("POST", "/scenarios"),
        ("GET", "/scenarios/{id}"),
        ("PUT", "/scenarios/{id}"),
        ("DELETE", "/scenarios/{id}"),
        ("POST", "/scenarios/{id}/edits"),
        ("POST", "/scenarios/{id}/compare"),
        ("POST", "/compare"),
        ("GET", "/recommendations"),
        ("POST", "/recommendations"),
        ("GET", "/recommendations/{id}"),
        ("POST", "/recommendations/{id}/decision"),
        ("POST", "/recommendations/{id}/comments"),
        ("GET", "/audit"),
        ("GET", "/openapi.json"),
    }
)

API_PREFIX: Final[str] = "/api/v1"
