#!/usr/bin/env python3
"""Golden files for engine/tests/real_city_targeting.rs: `interpolate` against tobler's
`area_interpolate` and `exposure` against GeoPandas `overlay`/`sjoin`, on the real
Manado/Bitung data.

    .venv/bin/python engine/tests/golden/make_real_targeting.py   # from the repository root (make goldens)
    (any Python with geopandas >= 1.0, shapely >= 2.0 and tobler; e.g. benches/peers/requirements.txt
    plus `pip install tobler`)

Reads ../shared/datasets/real/ (relative to the repository root; nothing of it is copied
into the repository) and the authored hazard engine/tests/data/real/banjir_manado_scenario.geojson,
and writes next to this script:

    real_interpolate_kelurahan.csv   SP2010 population per kecamatan → the 156 kelurahan
    real_exposure_manado.csv         the flood scenario × kelurahan × GHS-POP points × faskes

Both sides work in EPSG:32651 (UTM 51N, the project's working CRS): here every layer is
reprojected from EPSG:4326 with pyproj/PROJ, in tepat with proj4rs. The test accepts a
relative difference of 1e-6 (or an absolute one of 1e-6 m² / persons, for values near 0);
this script prints the audit figures below and tepat's agreement is printed by the test.

interpolate (tobler.area_interpolate)
-------------------------------------
The population is a *table* (penduduk_kecamatan_sulut_sp2010.csv) joined to the kecamatan
polygons by kode_kemendagri_2025 = kecamatan `kode`; tepat looks the fields up through the
project's `join_to`/`key`, here it is a left merge (the codes are unique in the table).
`male_share` = MALE_POPULATION / TOTAL_POPULATION is derived from the table on both sides
(in the test, as an extra column of the in-memory table) and interpolated as intensive.
Two runs, each a pair of columns in the CSV:

* kota_*: source = the 19 kecamatan of Kota Manado (71.71) and Kota Bitung (71.72),
  `allocate_total=True` (tobler's default): each kecamatan's whole SP2010 count goes to
  the kelurahan that cover it, so the kelurahan sum is the two cities' census total
  (408,354 + 187,932). Neighbouring kecamatan are left out on purpose: the kelurahan layer
  covers them only with slivers (the levels were simplified separately), and with
  allocate_total a neighbour's whole population would land in those slivers.
* sulut_*: source = all 171 kecamatan of the province as published, `allocate_total=False`
  (each kecamatan's count × the share of its area inside a kelurahan), so neighbours'
  slivers count for what they are and a source's denominator is its own area.

Choices that keep this honest:

* Invalid kecamatan. 8 kecamatan (3 of them in Bitung: 71.72.01, 71.72.04, 71.72.08) are
  "nested shells": islets of 77-11,800 m² stored as extra parts inside another part of
  the same multipolygon; those of Bitung lie inside kelurahan (up to 1,970 m² in a 3.9 km²
  piece, i.e. ~4e-4 of it: far above the 1e-6 tolerance). GEOS cannot overlay invalid
  geometry reliably, so here they are repaired with make_valid(method="structure"), which
  unions the parts: the islets stay land of their kecamatan (as in make_real_city.py).
  tepat reads the raw file and `interpolate` unions the parts of any multipolygon whose
  parts overlap or nest before the overlay (reported in its summary as
  `overlapping_parts_unioned`) — the same reading. Without that union tepat's even-odd
  overlay would read the islets as holes (make_valid's "linework" answer) and its area
  denominators would count them twice; the test would then fail, not pass loosely.
* Missing values. Today's 71.71.10 Bunaken Kepulauan and 71.71.11 Paal Dua have no SP2010
  row (in 2010 they were part of Bunaken and Tikala, whose rows carry 71.71.01 and
  71.71.05; see the data's SOURCE.md). Both tools add nothing for them to an extensive
  total (tobler reads NaN as 0). For the intensive mean tepat skips sources without a
  value, while tobler would average a 0 in (dragging the male share of Paal Dua's
  kelurahan towards 0); so the intensive run here is given only the sources that have a
  value, which is tepat's documented rule, computed by tobler. A kelurahan that no valued
  source reaches is null in tepat and left empty here (tobler would say 0).
* tobler stores the intersection areas as float32 (relative rounding ~6e-8); that is
  the main source of the (small) differences.

exposure (GeoPandas overlay + sjoin)
------------------------------------
Zones = kelurahan (all valid), hazard = banjir_manado_scenario.geojson (classes rendah <
tinggi; the polygons overlap), population = GHS-POP ~1 km points (`pop`) as a demand
layer, facilities = faskes (id kode_faskes).

* Hazard classes: highest class wins where classes overlap (InaSAFE's rule, tepat's
  `exclusive_classes`): tinggi = union of the tinggi polygons; rendah = union of the
  rendah polygons minus tinggi. Areas per kelurahan and class: overlay(how="intersection").
* Points: each GHS point goes to the first kelurahan in file order whose interior or
  boundary holds it (sjoin predicate="intersects", tepat's locate rule), and takes the
  highest class whose interior or boundary holds it. Points in no kelurahan (most of the
  file: Minahasa Utara, Tomohon, sea cells) count nowhere. `population` is the sum of a
  kelurahan's points; exposed_population_<class> of those in the class.
* Facilities: a facility in any class (interior or boundary) in the first kelurahan in
  file order is exposed; listed by kode_faskes, space-separated.
* The hazard was drawn so that no GHS point or facility lies within 15 m of a hazard
  edge, and the script prints the smallest distances (points to hazard and to kelurahan
  edges) so the margin is visible.

real_exposure_manado.csv has one row per kelurahan with any hazard area, exposed person
or exposed facility (the test requires every other kelurahan to have none), and a last
row `__total__`: area_m2 = the dissolved hazard's own area (in or out of kelurahan), the
class areas and populations summed over all kelurahan, population = all GHS people in
kelurahan, facilities_exposed = their count.

The hazard file itself is authored, not computed here: corridors of 420 m (rendah) and
160 m (tinggi) around a hand-traced approximate line of the lower Tondano river (lon
124.838-124.866, lat 1.472-1.503), flat-capped, simplified to 15 m, rounded to 1e-6
degrees, plus a hand-drawn tinggi patch at Paal Dua that sticks out of the rendah corridor.
It is an illustrative scenario, not an official hazard map.
"""

from __future__ import annotations

import pathlib
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import tobler
from tobler.area_weighted import area_interpolate

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
REAL = ROOT.parent / "shared" / "datasets" / "real"
HAZARD = ROOT / "engine" / "tests" / "data" / "real" / "banjir_manado_scenario.geojson"
CRS = "EPSG:32651"
CLASSES = ["rendah", "tinggi"]  # lowest to highest


def read(path: pathlib.Path) -> gpd.GeoDataFrame:
    g = gpd.read_file(path)
    if g.crs is None or g.crs.to_epsg() != 4326:
        raise SystemExit(f"{path}: expected EPSG:4326, found {g.crs}")
    return g.to_crs(CRS)


def repair(zones: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list]:
    bad = ~zones.geometry.is_valid
    fixed = zones.copy()
    fixed.loc[bad, "geometry"] = shapely.make_valid(zones.geometry[bad].values, method="structure")
    if not fixed.geometry.is_valid.all():
        raise SystemExit("make_valid left invalid geometry")
    return fixed, zones.loc[bad, "kode"].tolist()


def interpolate(kel: gpd.GeoDataFrame) -> None:
    kec_raw = read(REAL / "sulut-admin-boundaries/kecamatan_sulawesi_utara.geojson")
    kec, repaired = repair(kec_raw)
    pen = pd.read_csv(
        REAL / "sulut-population-sp2010/penduduk_kecamatan_sulut_sp2010.csv",
        dtype={"kode_kemendagri_2025": str},
    )
    if pen["kode_kemendagri_2025"].dropna().duplicated().any():
        raise SystemExit("duplicate kode_kemendagri_2025 in the population table")
    pen["male_share"] = pen["MALE_POPULATION"] / pen["TOTAL_POPULATION"]
    src = kec[["kode", "geometry"]].merge(
        pen[["kode_kemendagri_2025", "TOTAL_POPULATION", "male_share"]],
        left_on="kode",
        right_on="kode_kemendagri_2025",
        how="left",
    )
    src["TOTAL_POPULATION"] = src["TOTAL_POPULATION"].astype(float)
    print("repaired kecamatan:", repaired)
    print("kecamatan without a population row:", int(src["TOTAL_POPULATION"].isna().sum()),
          "of which in Manado/Bitung:", sorted(src.loc[src["TOTAL_POPULATION"].isna() & src["kode"].str.match(r"71\.7[12]\."), "kode"]))

    out = pd.DataFrame({"kode": kel["kode"].values})
    kota = src[src["kode"].str.match(r"71\.7[12]\.")].reset_index(drop=True)
    for prefix, source, allocate_total in [("kota", kota, True), ("sulut", src, False)]:
        # tobler's own NaN → 0 (its _nan_check) fails on pandas' read-only arrays; do it here.
        ext = area_interpolate(
            source_df=source.assign(TOTAL_POPULATION=source["TOTAL_POPULATION"].fillna(0.0)),
            target_df=kel,
            extensive_variables=["TOTAL_POPULATION"],
            allocate_total=allocate_total,
        )
        valued = source[source["male_share"].notna()].reset_index(drop=True)
        inten = area_interpolate(source_df=valued, target_df=kel, intensive_variables=["male_share"])
        # A kelurahan that no valued source reaches: tepat says null, tobler 0.
        reached = gpd.sjoin(kel[["geometry"]], valued[["geometry"]], predicate="intersects").index.unique()
        ms = inten["male_share"].to_numpy().copy()
        ms[~kel.index.isin(reached)] = np.nan
        out[f"{prefix}_TOTAL_POPULATION"] = ext["TOTAL_POPULATION"].to_numpy()
        out[f"{prefix}_male_share"] = ms
        print(f"{prefix}: {len(source)} sources, allocate_total={allocate_total}, kelurahan total "
              f"{out[f'{prefix}_TOTAL_POPULATION'].sum():.3f}, male_share null in "
              f"{int(np.isnan(ms).sum())} kelurahan")
    out.sort_values("kode").to_csv(HERE / "real_interpolate_kelurahan.csv", index=False, float_format="%.9f")


def first_zone(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.Series:
    """Kelurahan code (first in file order among those whose interior or boundary holds
    the point) per point; NaN outside every kelurahan."""
    z = zones[["kode", "geometry"]].copy()
    z["order"] = range(len(z))
    j = gpd.sjoin(points[["geometry"]], z, predicate="intersects", how="inner")
    first = j.sort_values("order").groupby(level=0).first()
    return first["kode"].reindex(points.index)


def exposure(kel: gpd.GeoDataFrame) -> None:
    haz = read(HAZARD)
    ghs = read(REAL / "ghs-pop-grid-manado-bitung/ghs_pop_points_manado_bitung.geojson")
    fas = read(REAL / "health-facilities-kemenkes-2019/faskes_sulut_2019.geojson")

    # Highest class wins: each class minus every higher one.
    geoms, higher = {}, None
    for c in reversed(CLASSES):
        g = shapely.union_all(haz.loc[haz["kelas"] == c, "geometry"].values)
        geoms[c] = g if higher is None else g.difference(higher)
        higher = g if higher is None else shapely.union(higher, g)
    cls = gpd.GeoDataFrame({"kelas": CLASSES}, geometry=[geoms[c] for c in CLASSES], crs=CRS)

    ov = gpd.overlay(kel[["kode", "geometry"]], cls, how="intersection", keep_geom_type=True)
    ov["a"] = ov.geometry.area
    areas = ov.pivot_table(index="kode", columns="kelas", values="a", aggfunc="sum").reindex(columns=CLASSES).fillna(0.0)

    def class_of(points: gpd.GeoDataFrame) -> pd.Series:
        out = pd.Series(np.nan, index=points.index, dtype=object)
        for c in CLASSES:  # later (higher) classes overwrite: highest wins on a shared edge
            out[points.geometry.intersects(geoms[c])] = c
        return out

    ghs["zone"] = first_zone(ghs, kel)
    ghs["kelas"] = class_of(ghs)
    fas["zone"] = first_zone(fas, kel)
    fas["kelas"] = class_of(fas)

    edges = shapely.union_all([shapely.boundary(g) for g in haz.geometry])
    print("smallest distance to a hazard edge (m): GHS points",
          round(float(ghs.geometry.distance(edges).min()), 3), "faskes", round(float(fas.geometry.distance(edges).min()), 3))
    inside = ghs[ghs["zone"].notna()]
    kel_edges = shapely.union_all(kel.geometry.boundary.values)
    print("smallest distance from a GHS point in a kelurahan to a kelurahan edge (m):",
          round(float(inside.geometry.distance(kel_edges).min()), 3))

    rows = pd.DataFrame({"id": kel["kode"].values, "area_m2": kel.geometry.area.values}).set_index("id")
    for c in CLASSES:
        rows[f"hazard_area_m2_{c}"] = areas[c].reindex(rows.index).fillna(0.0)
    rows["population"] = inside.groupby("zone")["pop"].sum().reindex(rows.index).fillna(0.0)
    for c in CLASSES:
        rows[f"exposed_population_{c}"] = (
            inside[inside["kelas"] == c].groupby("zone")["pop"].sum().reindex(rows.index).fillna(0.0)
        )
    hit = fas[fas["zone"].notna() & fas["kelas"].notna()]
    rows["facilities_exposed"] = (
        hit.groupby("zone")["kode_faskes"].apply(lambda s: " ".join(sorted(s))).reindex(rows.index).fillna("")
    )
    cols_a = [f"hazard_area_m2_{c}" for c in CLASSES]
    cols_p = [f"exposed_population_{c}" for c in CLASSES]
    affected = (rows[cols_a].sum(axis=1) > 0) | (rows[cols_p].sum(axis=1) > 0) | (rows["facilities_exposed"] != "")
    out = rows[affected].sort_index()
    total = {"area_m2": float(sum(g.area for g in geoms.values()))}
    for col in cols_a + ["population"] + cols_p:
        total[col] = float(rows[col].sum())
    total["facilities_exposed"] = str(len(hit))
    out.loc["__total__"] = pd.Series(total)
    out.to_csv(HERE / "real_exposure_manado.csv", float_format="%.9f")
    print(f"exposure: {int(affected.sum())} kelurahan affected;",
          ", ".join(f"{k} {v}" for k, v in total.items()))
    for c in CLASSES:
        print(f"  GHS points in {c} (in kelurahan): {int((inside['kelas'] == c).sum())}")
    print("  exposed facilities:", hit[["kode_faskes", "nama_faskes", "zone", "kelas"]].to_dict("records"))


def main() -> int:
    if not REAL.exists():
        print(f"no real data at {REAL}", file=sys.stderr)
        return 1
    kel = read(REAL / "sulut-admin-boundaries/kelurahan_manado_bitung.geojson")
    if not kel.geometry.is_valid.all():
        raise SystemExit("a kelurahan is invalid; this script assumes they are all valid")
    interpolate(kel)
    exposure(kel)
    print("versions: geopandas", gpd.__version__, "shapely", shapely.__version__, "GEOS",
          shapely.geos_version_string, "tobler", tobler.__version__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
