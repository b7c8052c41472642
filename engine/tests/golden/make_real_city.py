#!/usr/bin/env python3
"""Golden counts for engine/tests/real_city.rs, computed with GeoPandas (sjoin).

    python engine/tests/golden/make_real_city.py      # from the repository root
    (uses the Python deps of benches/peers/requirements.txt, e.g. `make venv`)

Reads the real Manado/Bitung data in ../shared/datasets/real/ (relative to the repository
root) and writes, next to this script:

    real_city_faskes_kecamatan.csv    health facilities per kecamatan (all 171 of the province)
    real_city_sekolah_kecamatan.csv   schools per kecamatan
    real_city_sekolah_kelurahan.csv   schools per kelurahan (156, Manado + Bitung)
    real_city_summary.json            totals, and the audit figures printed below

Each CSV is `id,count` for every zone (zeros included), sorted by id, plus a last row
`__outside__,n` with the points that fall in no zone.

How the comparison is kept honest (tepat's rule is in engine/src/kernels/point_in_polygon.rs):

* Same CRS. Both sides work in EPSG:32651 (UTM 51N), the project's working CRS: the
  points and polygons are reprojected from EPSG:4326 here with pyproj, in tepat with
  proj4rs. Reprojection moves a point relative to a polygon edge by far less than a
  millimetre; the script reports the smallest distance from any point to the boundary of
  a zone it could belong to, so a reader can see how much margin the counts have.

* Invalid zones. 8 kecamatan are "nested shells": a multipolygon whose tiny islet parts
  lie inside another of its parts. GEOS (GeoPandas) locates points in a multipolygon by
  counting ring crossings over all parts, so a point on such an islet is *outside*
  (even-odd), and make_valid's default "linework" method turns the islets into holes,
  with the same effect. tepat (like geo and the OGC rule for multipolygons) says a point
  inside any part is inside. We repair the 8 with make_valid(method="structure"), which
  unions the parts: the islets stay land of their kecamatan, which is what the published
  data means, and it is tepat's answer on the raw data. So GeoPandas runs on valid
  geometry and tepat on the file as published, and the counts must still agree. The
  script also counts the points inside the nested islets (where the two readings would
  differ): it reports that number, so the choice is visible; with this data it is 0.

* Boundaries and overlaps. sjoin(predicate="within") drops a point lying exactly on a
  zone boundary and counts a point in the overlap of two zones twice; tepat gives such a
  point to exactly one zone, the first in the layer's file order. We therefore join with
  predicate="intersects" (interior or boundary) and keep, for each point, the zone that
  comes first in file order — tepat's rule, applied to GeoPandas' own predicate. The
  number of points on a boundary and in overlaps is reported. With this data no point is
  on a boundary (the closest lies 1.0 m from its kelurahan's edge, 6.1 m from its
  kecamatan's), but the kecamatan were simplified one by one, so neighbours overlap, mostly
  inside Manado: 4 facilities and 36 schools lie in two kecamatan at once, and for them
  the file-order rule decides (a plain `within` join would count them twice).

* Null or unusable coordinates do not occur in the GeoJSON files (the raw school CSV's
  9 records without coordinates are not in the GeoJSON); such points would count as
  outside on both sides.
"""

from __future__ import annotations

import json
import pathlib
import sys

import geopandas as gpd
import pandas as pd
import shapely

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
REAL = ROOT.parent / "shared" / "datasets" / "real"
CRS = "EPSG:32651"


def read(rel: str) -> gpd.GeoDataFrame:
    g = gpd.read_file(REAL / rel)
    if g.crs is None or g.crs.to_epsg() != 4326:
        raise SystemExit(f"{rel}: expected EPSG:4326, found {g.crs}")
    return g.to_crs(CRS)


def repair(zones: gpd.GeoDataFrame, name: str, audit: dict) -> gpd.GeoDataFrame:
    """make_valid(method="structure") on the invalid zones only; report what changed."""
    bad = ~zones.geometry.is_valid
    ids = zones.loc[bad, "kode"].tolist()
    fixed = zones.copy()
    fixed.loc[bad, "geometry"] = shapely.make_valid(zones.geometry[bad].values, method="structure")
    if not fixed.geometry.is_valid.all():
        raise SystemExit(f"{name}: make_valid left invalid geometry")
    audit[f"{name}_invalid_repaired"] = ids
    return fixed


def nested_islets(zones: gpd.GeoDataFrame) -> list:
    """Parts of a multipolygon that lie inside another part of the same multipolygon."""
    out = []
    for g in zones.geometry:
        if g.geom_type != "MultiPolygon":
            continue
        parts = list(g.geoms)
        for i, p in enumerate(parts):
            if any(j != i and q.contains(p) for j, q in enumerate(parts)):
                out.append(p)
    return out


def assign(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, name: str, audit: dict) -> pd.Series:
    """Zone id (first in file order among zones whose interior or boundary holds the
    point) for every point; NaN outside all zones."""
    z = zones[["kode", "geometry"]].copy()
    z["order"] = range(len(z))
    j = gpd.sjoin(points[["geometry"]], z, predicate="intersects", how="inner")
    per_point = j.groupby(level=0).size()
    audit[f"{name}_points_in_overlaps"] = int((per_point > 1).sum())
    # Points on a boundary: intersects but not within.
    on_boundary = 0
    for idx, row in j.iterrows():
        if not zones.geometry.iloc[row["order"]].contains(points.geometry.loc[idx]):
            on_boundary += 1
    audit[f"{name}_points_on_boundary"] = on_boundary
    first = j.sort_values("order").groupby(level=0).first()
    # Margin: distance from each assigned point to its zone's boundary (m).
    d = [zones.geometry.iloc[o].boundary.distance(points.geometry.loc[i]) for i, o in first["order"].items()]
    audit[f"{name}_min_distance_to_boundary_m"] = round(min(d), 6) if d else None
    return first["kode"].reindex(points.index)


def write_counts(path: pathlib.Path, zones: gpd.GeoDataFrame, assigned: pd.Series) -> dict:
    counts = assigned.value_counts()
    ids = sorted(zones["kode"])
    lines = ["id,count"] + [f"{i},{int(counts.get(i, 0))}" for i in ids]
    outside = int(assigned.isna().sum())
    lines.append(f"__outside__,{outside}")
    path.write_text("\n".join(lines) + "\n")
    return {"inside": int(counts.sum()), "outside": outside, "zones": len(ids)}


def main() -> int:
    if not REAL.exists():
        print(f"no real data at {REAL}", file=sys.stderr)
        return 1
    audit: dict = {}
    kec_raw = read("sulut-admin-boundaries/kecamatan_sulawesi_utara.geojson")
    kel = read("sulut-admin-boundaries/kelurahan_manado_bitung.geojson")
    kec = repair(kec_raw, "kecamatan", audit)
    kel = repair(kel, "kelurahan", audit)
    faskes = read("health-facilities-kemenkes-2019/faskes_sulut_2019.geojson")
    sekolah = read("schools-kemdikbud-2019/sekolah_manado_bitung_minut.geojson")

    summary = {}
    for name, pts, zones, zones_raw, out in [
        ("faskes_kecamatan", faskes, kec, kec_raw, "real_city_faskes_kecamatan.csv"),
        ("sekolah_kecamatan", sekolah, kec, kec_raw, "real_city_sekolah_kecamatan.csv"),
        ("sekolah_kelurahan", sekolah, kel, kel, "real_city_sekolah_kelurahan.csv"),
    ]:
        a = assign(pts, zones, name, audit)
        # Nested islets are judged on the raw multipolygons (the repair dissolved them).
        islets = nested_islets(zones_raw)
        audit[f"{name}_points_in_nested_islets"] = int(sum(pts.geometry.within(p).sum() for p in islets))
        summary[name] = write_counts(HERE / out, zones, a)
        print(name, summary[name])
    summary["audit"] = audit
    (HERE / "real_city_summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print(json.dumps(audit, indent=2, sort_keys=True))
    print("versions: geopandas", gpd.__version__, "shapely", shapely.__version__, "GEOS", shapely.geos_version_string)
    return 0


if __name__ == "__main__":
    sys.exit(main())
