"""Rows keep the engine's order: ids compare as numbers when both are integers ("2" before
"10"), else as text. The client must not sort them again as text, which puts "10" first."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, cast

import pytest
from tepat_client import AnalysisResult, Client, Comparison

ENGINE_ORDER = ["1", "2", "9", "10", "11", "B", "a"]


def _envelope(ids: list[str]) -> Any:
    return {
        "analysis": "aggregate",
        "params": {},
        "summary": {},
        "rows": [{"id": i, "count": n} for n, i in enumerate(ids)],
        "meta": {"engine_version": "test", "elapsed_ms": 0, "layers": {}},
    }


def test_a_text_sort_would_break_the_order() -> None:
    # What the client used to do; the tests below would fail with it.
    assert sorted(ENGINE_ORDER) != ENGINE_ORDER
    assert sorted(["2", "10"]) == ["10", "2"]


def test_result_rows_keep_the_order_sent() -> None:
    rows = AnalysisResult(envelope=_envelope(["2", "10"])).rows
    assert list(rows["id"]) == ["2", "10"]
    rows = AnalysisResult(envelope=_envelope(ENGINE_ORDER)).rows
    assert list(rows["id"]) == ENGINE_ORDER
    assert list(rows["count"]) == list(range(len(ENGINE_ORDER)))


def test_comparison_rows_keep_the_order_sent() -> None:
    scenario = {"scenario": "s", "summary": {}, "rows": _envelope(["2", "10"])["rows"]}
    analysis = {"analysis": "aggregate", "baseline": _envelope(["2", "10"]), "scenarios": [scenario]}
    raw = {"scenarios": [], "analyses": [analysis]}
    c = Comparison(raw)
    assert list(c.rows("aggregate")["id"]) == ["2", "10"]
    assert list(c.baseline("aggregate").rows["id"]) == ["2", "10"]


class _Response:
    status_code = 200
    headers: dict[str, str] = {}

    def __init__(self, body: Any) -> None:
        self.body = body

    def json(self) -> Any:
        return self.body


class _Session:
    """Answers every request with one GeoJSON FeatureCollection."""

    def __init__(self, ids: list[str]) -> None:
        square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
        self.body = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "id": i, "geometry": square, "properties": {"id": i}} for i in ids
            ],
        }

    def request(self, method: str, url: str, **kwargs: Any) -> _Response:
        return _Response(self.body)


def test_geojson_rows_keep_the_order_sent() -> None:
    api = Client("http://tepat.invalid", None, session=cast(Any, _Session(["2", "10"])))
    gdf = api.run_geojson("aggregate", {})
    assert list(gdf["id"]) == ["2", "10"]


# -- against the server -------------------------------------------------------------------


def _zones_geojson(ids: list[str]) -> bytes:
    """Small squares near the demo city, one per id, written in the order given."""

    def square(n: int) -> dict[str, Any]:
        x, y = 124.80 + n * 0.002, 1.47
        ring = [[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]
        return {"type": "Polygon", "coordinates": [ring]}

    features = [
        {"type": "Feature", "properties": {"kode": i}, "geometry": square(n)} for n, i in enumerate(ids)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_server_rows_arrive_and_stay_in_numeric_id_order(
    admin: Client, anon: Client, tmp_path: Path
) -> None:
    if not admin.supports("POST", "/layers"):
        pytest.skip("this server has no uploads (POST /layers)")
    name = f"client_order_{uuid.uuid4().hex[:8]}"
    path = tmp_path / "zones.geojson"
    # Written neither in numeric nor in text order.
    path.write_bytes(_zones_geojson(["10", "2", "12", "1", "11", "3"]))
    admin.upload_layer(name, path, role="zones", id_field="kode")
    try:
        r = anon.run("aggregate", {"zones": name, "layer": "pengaduan"})
        numeric = ["1", "2", "3", "10", "11", "12"]
        assert [row["id"] for row in r.envelope["rows"]] == numeric, "the engine sends numeric id order"
        assert list(r.rows["id"]) == numeric
        assert list(r.to_geodataframe()["id"]) == numeric
        assert list(r.to_geodataframe(via="features")["id"]) == numeric
    finally:
        admin.delete_layer(name)
