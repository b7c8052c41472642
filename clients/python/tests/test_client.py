"""The client against a running `tepat serve` of the demo city: happy paths and each error."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pandas as pd
import pytest
from tepat_client import Client, errors
from tepat_client.client import Job

AGGREGATE = {"zones": "kelurahan", "layer": "pengaduan"}
EXPOSURE_KEC = {"zones": "kecamatan", "hazard": "banjir_q25"}


# -- reading ------------------------------------------------------------------------------


def test_health_and_layers(anon: Client) -> None:
    assert anon.health()["status"] == "ok"
    names = {layer["name"] for layer in anon.layers()}
    assert {"kelurahan", "kecamatan", "puskesmas", "pengaduan", "banjir_q25"} <= names
    table = anon.layers_frame()
    assert list(table.columns) == ["name", "role", "geometry", "features", "crs"]
    assert table.set_index("name").loc["kelurahan", "role"] == "zones"
    detail = anon.layer("kelurahan")
    assert detail["id_field"] == "kode"
    assert "population" in {f["name"] for f in detail["fields"]}


def test_features_as_geodataframe(anon: Client) -> None:
    kel = anon.features("kelurahan")
    assert len(kel) == anon.layer("kelurahan")["features"]
    assert str(kel.crs) == "EPSG:4326"
    assert kel.index.name == "fid" and kel.index.is_unique
    assert (kel.index == kel["kode"]).all()
    assert kel.geometry.notna().all() and kel.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    minx, miny, maxx, maxy = kel.total_bounds
    some = anon.features("kelurahan", bbox=(minx, miny, (minx + maxx) / 2, (miny + maxy) / 2), limit=5)
    assert 0 < len(some) <= 5
    only = anon.features("puskesmas", properties=["nama"])
    assert [c for c in only.columns if c != "geometry"] == ["nama"]


def test_analyses_list_their_schemas(anon: Client) -> None:
    names = {a["name"] for a in anon.analyses()}
    assert {"aggregate", "exposure", "access", "index", "locate", "hotspots", "interpolate"} <= names
    schema = anon.analysis("aggregate")["params_schema"]
    assert set(schema["required"]) == {"zones", "layer"}
    with pytest.raises(KeyError):
        anon.analysis("no_such_analysis")


# -- running ------------------------------------------------------------------------------


def test_run_gives_summary_rows_and_geometry(anon: Client) -> None:
    r = anon.run("aggregate", AGGREGATE)
    assert r.analysis == "aggregate"
    assert r.summary["total_count"] == anon.layer("pengaduan")["features"]
    rows = r.rows
    assert isinstance(rows, pd.DataFrame)
    assert len(rows) == anon.layer("kelurahan")["features"]
    assert rows["id"].is_monotonic_increasing
    assert int(rows["count"].sum()) == r.summary["total_count"] - r.summary["outside_count"]
    assert r.row_layer == "kelurahan"

    gdf = r.to_geodataframe()
    assert list(gdf["id"]) == list(rows["id"])
    assert (gdf["count"].to_numpy() == rows["count"].to_numpy()).all()
    assert str(gdf.crs) == "EPSG:4326" and gdf.geometry.notna().all()

    joined = r.to_geodataframe(via="features")
    assert list(joined["id"]) == list(rows["id"])
    kel = anon.features("kelurahan")
    first = rows["id"].iloc[0]
    assert joined.geometry.iloc[0].equals(kel.geometry.loc[first])
    with pytest.raises(ValueError, match="via"):
        r.to_geodataframe(via="csv")


def test_run_with_defaults_and_cache(anon: Client) -> None:
    a = anon.run("exposure", EXPOSURE_KEC)
    b = anon.run("exposure", EXPOSURE_KEC)
    assert b.cache == "hit"
    assert a.summary == b.summary
    assert a.params["displacement_rate"] == {"all": 0.01}  # defaults filled in
    assert a.meta["layers"].keys() >= {"kecamatan", "banjir_q25"}


def test_result_by_key(anon: Client) -> None:
    r = anon.run("exposure", EXPOSURE_KEC)
    if r.key is None:
        pytest.skip("this server sends no x-tepat-result key (GET /results/{key})")
    again = anon.result(r.key)
    assert again.summary == r.summary and again.rows.equals(r.rows)
    assert len(again.to_geodataframe()) == len(r.rows)  # joined through the layer's features
    with pytest.raises(errors.NotFound):
        anon.result("no-such-key")


def test_async_run_follows_the_job(anon: Client) -> None:
    # A seed no other test uses, so the run is not cached and really becomes a job.
    params = {
        "layer": "kelurahan",
        "field": "population",
        "statistic": "gi_star",
        "permutations": 99,
        "seed": uuid.uuid4().int % 1_000_000,
    }
    out = anon.submit("hotspots", params)
    if not anon.supports("GET", "/jobs/{id}"):
        pytest.skip("this server has no jobs (GET /jobs/{id}): answered at once")
    assert isinstance(out, Job), "Prefer: respond-async on an uncached run answers 202"
    assert out.status in ("queued", "running", "done")
    result = out.wait(timeout=120)
    assert out.status == "done"
    direct = anon.run("hotspots", params)
    assert result.summary == direct.summary
    assert result.rows.equals(direct.rows)
    again = anon.job(out.id)
    assert again.view["status"] == "done"


# -- scenarios ----------------------------------------------------------------------------


def test_scenario_crud_edits_and_compare(planner: Client, anon: Client) -> None:
    s = planner.create_scenario(
        "client test: Q100",
        [{"op": "swap_hazard", "layer": "banjir_q25", "to": "banjir_q100"}],
        description="the 100-year flood instead of the 25-year one",
    )
    sid = s["id"]
    assert s["version"] == 1
    assert sid in {x["id"] for x in anon.scenarios()}
    s2 = planner.add_edits(sid, {"op": "scale_demand", "layer": "kelurahan", "factor": 1.1})
    assert s2["version"] == 2 and len(s2["edits"]) == 2
    assert len(anon.scenario(sid, version=1)["edits"]) == 1
    s3 = planner.replace_scenario(
        sid, "client test: Q100 only", [{"op": "swap_hazard", "layer": "banjir_q25", "to": "banjir_q100"}]
    )
    assert s3["version"] == 3 and s3["name"] == "client test: Q100 only"

    base = anon.run("exposure", EXPOSURE_KEC)
    on_scenario = anon.run("exposure", EXPOSURE_KEC, scenario=sid)
    assert on_scenario.summary["exposed_population"] > base.summary["exposed_population"]

    c = anon.compare_scenario(sid, [{"name": "exposure", "params": EXPOSURE_KEC}])
    assert c.analyses == ["exposure"]
    # A bare name runs the analysis with the server's default params (the finest zones).
    default = anon.compare_scenario(sid, ["exposure"])
    assert default.baseline("exposure").params["zones"] == "kelurahan"
    assert c.baseline("exposure").summary["exposed_population"] == pytest.approx(
        base.summary["exposed_population"]
    )
    delta = c.scenario("exposure")["summary_delta"]["exposed_population"]
    assert delta == pytest.approx(
        on_scenario.summary["exposed_population"] - base.summary["exposed_population"]
    )
    rows = c.rows("exposure")
    assert "exposed_population_delta" in rows.columns and rows["id"].is_monotonic_increasing
    table = c.summary_table("exposure")
    assert table.loc["exposed_population", "baseline"] == pytest.approx(base.summary["exposed_population"])

    both = anon.compare([sid, (sid, 2)], [{"name": "exposure", "params": EXPOSURE_KEC}])
    assert len(both.raw["scenarios"]) == 2

    planner.delete_scenario(sid)
    with pytest.raises(errors.UnknownScenario) as e:
        anon.scenario(sid)
    assert e.value.status == 404 and sid in e.value.detail


# -- errors -------------------------------------------------------------------------------


def test_401_without_a_token_or_with_an_unknown_one(server, anon: Client) -> None:
    with pytest.raises(errors.Unauthorized) as e:
        anon.create_scenario("nobody's")
    assert e.value.status == 401
    assert e.value.type == "https://tepat.dev/problems/unauthorized"
    assert e.value.title and "Bearer" in e.value.detail
    with pytest.raises(errors.Unauthorized, match="not known"):
        Client(server.url, "not-a-token").create_scenario("nobody's")


def test_403_with_the_wrong_role(researcher: Client, planner: Client) -> None:
    with pytest.raises(errors.Forbidden) as e:
        researcher.create_scenario("a researcher's")
    assert e.value.status == 403 and e.value.kind == "forbidden"
    assert "researcher" in e.value.detail
    with pytest.raises(errors.Forbidden):
        planner.upload_layer("not_mine", _geojson_bytes(), filename="x.geojson")


def test_404_unknown_layer_analysis_scenario(anon: Client) -> None:
    with pytest.raises(errors.UnknownLayer) as e:
        anon.layer("atlantis")
    assert e.value.status == 404 and "atlantis" in e.value.detail
    assert isinstance(e.value, errors.NotFound) and isinstance(e.value, errors.TepatError)
    with pytest.raises(errors.UnknownLayer):
        anon.features("atlantis")
    with pytest.raises(errors.UnknownAnalysis, match="divination"):
        anon.run("divination", {})
    with pytest.raises(errors.UnknownScenario):
        anon.run("exposure", EXPOSURE_KEC, scenario="sc_nope")
    with pytest.raises(errors.UnknownLayer, match="banjir_q9"):
        anon.run("exposure", {"zones": "kelurahan", "hazard": "banjir_q9"})


def test_422_bad_params_and_edits(anon: Client, planner: Client) -> None:
    with pytest.raises(errors.InvalidParams) as e:
        anon.run("aggregate", {"zones": "kelurahan"})
    assert e.value.status == 422 and "layer" in e.value.detail
    with pytest.raises(errors.UnknownField, match="zzz"):
        anon.run("aggregate", {**AGGREGATE, "sum": ["zzz"]})
    with pytest.raises(errors.UnknownFeature, match="PKM-404"):
        planner.create_scenario("bad", [{"op": "remove_facility", "layer": "puskesmas", "id": "PKM-404"}])
    with pytest.raises(errors.Unprocessable) as bad_op:
        planner.create_scenario("bad", [{"op": "teleport_facility"}])
    assert bad_op.value.kind == "invalid-scenario"


def test_400_bad_query(anon: Client) -> None:
    with pytest.raises(errors.InvalidQuery) as e:
        anon.features("kelurahan", bbox=(3, 0, 1, 1))
    assert e.value.status == 400 and "bbox" in e.value.detail


def test_413_body_over_the_limit(anon: Client) -> None:
    with pytest.raises(errors.PayloadTooLarge) as e:
        anon.run("aggregate", {"zones": "kelurahan", "layer": "x" * (2 << 20)})
    assert e.value.status == 413 and e.value.kind == "payload-too-large"


def test_problem_types_map_to_classes() -> None:
    p = {
        "type": "https://tepat.dev/problems/unknown-field",
        "title": "Unknown field",
        "status": 422,
        "detail": "layer 'a' has no field 'b'",
    }
    e = errors.from_problem(p)
    assert type(e) is errors.UnknownField and isinstance(e, errors.Unprocessable)
    assert (e.status, e.kind, e.title, e.detail) == (422, "unknown-field", "Unknown field", p["detail"])
    assert e.body == p
    # A kind the client does not know yet falls back to its status' class.
    assert (
        type(errors.from_problem({**p, "type": "https://tepat.dev/problems/new-kind"}))
        is errors.Unprocessable
    )
    # A kind at an unexpected status does not claim the wrong class.
    assert type(errors.from_problem({**p, "status": 500})) is errors.ServerError
    assert type(errors.from_problem({"status": 418, "title": "teapot"})) is errors.TepatError


def test_client_refuses_routes_it_does_not_list() -> None:
    with pytest.raises(ValueError, match="not a route"):
        Client("http://127.0.0.1:9")._request("GET", "/secret")


def test_token_and_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEPAT_URL", "http://example.test:1234/")
    monkeypatch.setenv("TEPAT_TOKEN", "tok")
    c = Client()
    assert (c.url, c.token) == ("http://example.test:1234", "tok")
    assert Client(token=None).token is None
    monkeypatch.delenv("TEPAT_TOKEN")
    assert Client().token is None


# -- uploads ------------------------------------------------------------------------------


def _geojson_bytes() -> bytes:
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"kode": f"P{i}", "value": i},
                "geometry": {"type": "Point", "coordinates": [124.82 + i / 100, 1.48]},
            }
            for i in range(3)
        ],
    }
    return json.dumps(fc).encode()


def _needs_uploads(admin: Client) -> None:
    if not admin.supports("POST", "/layers"):
        pytest.skip("this server has no uploads (POST /layers)")


def test_upload_use_and_delete_a_layer(admin: Client, anon: Client, tmp_path: Path) -> None:
    _needs_uploads(admin)
    name = f"client_pts_{uuid.uuid4().hex[:8]}"
    path = tmp_path / "pts.geojson"
    path.write_bytes(_geojson_bytes())
    detail = admin.upload_layer(name, path, role="demand", id_field="kode")
    assert detail["name"] == name and detail["features"] == 3
    assert name in {layer["name"] for layer in anon.layers()}
    pts = anon.features(name)
    assert sorted(pts.index) == ["P0", "P1", "P2"]
    counted = anon.run("aggregate", {"zones": "kelurahan", "layer": name})
    assert counted.summary["features"] == 3
    with pytest.raises(errors.Conflict) as e:
        admin.upload_layer(name, path, role="demand")
    assert e.value.status == 409 and e.value.kind == "layer-exists"
    with pytest.raises(errors.Conflict):
        admin.delete_layer("kelurahan")  # a project layer, not an upload
    admin.delete_layer(name)
    with pytest.raises(errors.UnknownLayer):
        anon.layer(name)


def test_upload_errors(admin: Client) -> None:
    _needs_uploads(admin)
    with pytest.raises(errors.UnsupportedMediaType) as e:
        admin.upload_layer("notes_txt", _Bytes(b"hello", "notes.txt"))
    assert e.value.status == 415
    with pytest.raises(errors.Unprocessable) as bad:
        admin.upload_layer(
            "broken_geojson", _Bytes(b'{"type": "FeatureCollection", "features": [', "b.geojson")
        )
    assert bad.value.status == 422
    with pytest.raises(errors.Unprocessable) as bad_name:
        admin.upload_layer("Bad Name", _Bytes(_geojson_bytes(), "p.geojson"))
    assert bad_name.value.status == 422 and "name" in bad_name.value.detail


def test_413_upload_over_the_server_limit(admin: Client) -> None:
    _needs_uploads(admin)
    limit_mb = os.environ.get("TEPAT_MAX_UPLOAD_MB")
    if not limit_mb:
        pytest.skip("the server's upload limit is not known here (TEPAT_MAX_UPLOAD_MB)")
    too_big = b" " * (int(float(limit_mb) * 1_000_000) + 500_000) + _geojson_bytes()
    with pytest.raises(errors.PayloadTooLarge) as e:
        admin.upload_layer("too_big", too_big, filename="too_big.geojson")
    assert e.value.status == 413


class _Bytes:
    """A file object with a name, as `open()` gives."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data, self.name = data, name

    def read(self) -> bytes:
        return self.data


# -- recommendations ----------------------------------------------------------------------


def test_recommendation_decision_and_comment(planner: Client, leader: Client, anon: Client) -> None:
    if not planner.supports("POST", "/recommendations"):
        pytest.skip("this server has no recommendations (POST /recommendations)")
    assert planner.me()["role"] == "planner"
    assert anon.me()["role"] is None
    rec = planner.recommend(
        "Flood first", "exposure", EXPOSURE_KEC, question="Which kecamatan first?", top_n=3
    )
    assert rec["status"] == "proposed" and rec["result"]["analysis"] == "exposure"
    assert rec["id"] in {r["id"] for r in anon.recommendations()}
    assert anon.recommendation(rec["id"])["title"] == "Flood first"
    with pytest.raises(errors.Forbidden):
        planner.decide(rec["id"], "approve")
    decided = leader.decide(rec["id"], "approve", comment="go")
    assert decided["status"] == "approved"
    leader.comment(rec["id"], "budget in Q3")
    assert any(c.get("text") == "budget in Q3" for c in anon.recommendation(rec["id"])["comments"])
    with pytest.raises(errors.UnknownRecommendation):
        anon.recommendation("rec_nope")
