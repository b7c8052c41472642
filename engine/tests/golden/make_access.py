#!/usr/bin/env python3
"""Golden files for `access` (engine/tests/analyses_access.rs), computed with PySAL `access`.

    tepat demo --out /tmp/demo
    python engine/tests/golden/make_access.py /tmp/demo        # from the repository root

Needs (pinned as used): access==1.1.10.post3 (PySAL), geopandas==1.2.0, shapely==2.2.0,
pyproj==3.7.2, pandas==3.1.1, numpy==2.4.6. Reads the demo city from the directory given
and the real Manado/Bitung data from ../shared/datasets/real/ (relative to the repository
root; skipped with a message when absent), and writes next to this script:

    demo_access_costs.csv             the demo's euclidean cost table (83 kelurahan × 16
                                      puskesmas), also fed to tepat as a `costs` table
    demo_access_<run>.csv             one file per demo run below: kode,nearest_m,access_raw,access
    real_access_<run>.csv             per GHS-POP point (ids 1..1122 in file order)
    real_access_2sfca_kelurahan.csv   the real 2SFCA per kelurahan (population-weighted)

How the comparison is kept honest:

* Same cost table. Both sides project to EPSG:32651 (here pyproj, in tepat proj4rs), put
  a kelurahan at its area centroid (tepat's rule for zones as demand) and a facility at its
  point, and take cost = sqrt(dx*dx + dy*dy), the formula tepat uses. The table holds every
  pair, as PySAL's `create_euclidean_distance` would; the radius is applied by PySAL
  (`cost <= max_cost`).
* PySAL does the measuring: `Access.two_stage_fca`, `enhanced_two_stage_fca` (with
  `weights.step_fn` / `weights.gaussian`), `weighted_catchment` (coverage: no weight;
  gravity: `weights.gravity`), `normalize=True` for `access`.
* Where PySAL leaves a demand with no facility in reach as NaN, tepat gives 0 (module docs
  of engine/src/analysis/access.rs); the script writes 0 there and says how many. A run in
  which PySAL produces inf (a facility whose catchment holds only zero-population demand,
  which tepat defines as serving no one) is refused, so no golden encodes that case.
* Facilities closed by a hazard (run `2sfca_q100`): a puskesmas whose point intersects a
  banjir_q100 polygon (boundary included, as tepat's rule) is dropped before PySAL runs.
* Per kelurahan (real data): each GHS point goes to the first kelurahan (file order) that
  intersects it, tepat's boundary rule; a kelurahan's value is the population-weighted mean
  of its points' values (the plain mean if its population is 0; empty if it has no point).
"""
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from access import Access, weights

HERE = Path(__file__).resolve().parent
REAL = HERE.parents[2] / ".." / "shared" / "datasets" / "real"


def cost_table(orig_ids, ox, oy, dest_ids, dx, dy):
    """Every origin-destination pair with cost sqrt(dx*dx + dy*dy)."""
    ddx = np.asarray(dx)[None, :] - np.asarray(ox)[:, None]
    ddy = np.asarray(dy)[None, :] - np.asarray(oy)[:, None]
    cost = np.sqrt(ddx * ddx + ddy * ddy)
    return pd.DataFrame(
        {
            "origin": np.repeat(np.asarray(orig_ids, dtype=object), len(dest_ids)),
            "dest": np.tile(np.asarray(dest_ids, dtype=object), len(orig_ids)),
            "cost": cost.ravel(),
        }
    )


def run(demand, supply, costs, how, **kw):
    """(access_raw, access) per demand id, by PySAL, NaN (unreachable) → 0."""

    def model():
        return Access(
            demand_df=demand, demand_index="id", demand_value="pop",
            supply_df=supply, supply_index="id", supply_value="cap",
            cost_df=costs, cost_origin="origin", cost_dest="dest", cost_name="cost",
        )

    out = []
    for normalize in (False, True):
        a = model()
        if how == "2sfca":
            df = a.two_stage_fca(name="m", normalize=normalize, **kw)
        elif how == "e2sfca":
            df = a.enhanced_two_stage_fca(name="m", normalize=normalize, **kw)
        else:
            df = a.weighted_catchment(name="m", normalize=normalize, **kw)
        s = df["m_cap"].astype(float)
        if np.isinf(s).any():
            raise SystemExit(f"{how} {kw}: PySAL gives inf (zero-demand catchment); pick other params")
        out.append(s)
    missing = int(out[0].isna().sum())
    if missing:
        print(f"  {how}: {missing} demand with nothing in reach: NaN in PySAL, 0 here (tepat's rule)", file=sys.stderr)
    return out[0].fillna(0.0), out[1].fillna(0.0)


def nearest(costs):
    return costs.groupby("origin")["cost"].min()


def write(name, ids, near, raw, acc):
    df = pd.DataFrame({"kode": ids, "nearest_m": near.reindex(ids).values,
                       "access_raw": raw.reindex(ids).values, "access": acc.reindex(ids).values})
    df.to_csv(HERE / name, index=False, float_format="%.15g")
    print(f"wrote {name} ({len(df)} rows)", file=sys.stderr)


def demo(d):
    kel = gpd.read_file(f"{d}/kelurahan.geojson").to_crs(32651)
    pkm = gpd.read_file(f"{d}/puskesmas.geojson").to_crs(32651)
    q100 = gpd.read_file(f"{d}/banjir_q100.geojson").to_crs(32651)
    cen = kel.geometry.centroid
    demand = pd.DataFrame({"id": kel["kode"].astype(str), "pop": kel["population"].astype(float)})
    supply = pd.DataFrame({"id": pkm["kode"].astype(str), "cap": pkm["capacity"].astype(float)})
    costs = cost_table(demand["id"], cen.x, cen.y, supply["id"], pkm.geometry.x, pkm.geometry.y)
    costs.to_csv(HERE / "demo_access_costs.csv", index=False, float_format="%.17g")
    print(f"wrote demo_access_costs.csv ({len(costs)} rows)", file=sys.stderr)
    near = nearest(costs)
    ids = sorted(demand["id"])
    steps = {1000.0: 1.0, 2000.0: 0.68, 3000.0: 0.22}  # tepat's default for radius_m 3000
    runs = {
        "2sfca": ("2sfca", dict(max_cost=2000.0)),
        "e2sfca": ("e2sfca", dict(max_cost=3000.0, weight_fn=weights.step_fn(steps))),
        "e2sfca_gaussian": ("e2sfca", dict(weight_fn=weights.gaussian(1500.0))),
        "coverage": ("catchment", dict(max_cost=2000.0)),
        "gravity": ("catchment", dict(weight_fn=weights.gravity(1000.0, -1.0))),
    }
    for name, (how, kw) in runs.items():
        raw, acc = run(demand, supply, costs, how, **kw)
        write(f"demo_access_{name}.csv", ids, near, raw, acc)
    # The Q100 flood closes the puskesmas in it.
    hit = gpd.sjoin(pkm[["kode", "geometry"]], q100[["geometry"]], predicate="intersects")
    closed = sorted(set(hit["kode"]))
    print(f"  closed by banjir_q100: {closed}", file=sys.stderr)
    open_ = supply[~supply["id"].isin(closed)]
    c_open = costs[costs["dest"].isin(open_["id"])]
    raw, acc = run(demand, open_, c_open, "2sfca", max_cost=2000.0)
    write("demo_access_2sfca_q100.csv", ids, nearest(c_open), raw, acc)


def real():
    if not REAL.is_dir():
        print(f"skipping the real city: {REAL} not found", file=sys.stderr)
        return
    ghs = gpd.read_file(REAL / "ghs-pop-grid-manado-bitung/ghs_pop_points_manado_bitung.geojson").to_crs(32651)
    fas = gpd.read_file(REAL / "health-facilities-kemenkes-2019/faskes_sulut_2019.geojson").to_crs(32651)
    kel = gpd.read_file(REAL / "sulut-admin-boundaries/kelurahan_manado_bitung.geojson").to_crs(32651)
    pkm = fas[fas["jenis_faskes"] == "PUSKESMAS"]
    ids = [str(i + 1) for i in range(len(ghs))]
    demand = pd.DataFrame({"id": ids, "pop": ghs["pop"].astype(float)})
    supply = pd.DataFrame({"id": pkm["kode_faskes"].astype(str), "cap": 1.0})
    costs = cost_table(ids, ghs.geometry.x, ghs.geometry.y, supply["id"], pkm.geometry.x, pkm.geometry.y)
    near = nearest(costs)
    order = sorted(ids, key=int)
    raw2, acc2 = run(demand, supply, costs, "2sfca", max_cost=5000.0)
    write("real_access_2sfca.csv", order, near, raw2, acc2)
    raw, acc = run(demand, supply, costs, "e2sfca", max_cost=10000.0, weight_fn=weights.gaussian(2500.0))
    write("real_access_e2sfca.csv", order, near, raw, acc)

    # Per kelurahan: first intersecting kelurahan in file order.
    pts = gpd.GeoDataFrame({"id": ids}, geometry=ghs.geometry.values, crs=ghs.crs)
    kk = kel[["kode", "geometry"]].reset_index(names="zone")
    j = gpd.sjoin(pts, kk, predicate="intersects").sort_values(["id", "zone"])
    j = j.drop_duplicates("id")[["id", "kode"]].set_index("id")
    df = demand.set_index("id").join(j, how="inner")
    df["near"], df["raw"], df["acc"] = near.reindex(df.index), raw2.reindex(df.index), acc2.reindex(df.index)
    rows = []
    for kode in sorted(kel["kode"]):
        g = df[df["kode"] == kode]
        if g.empty:
            rows.append((kode, 0.0, np.nan, np.nan, np.nan))
            continue
        p = g["pop"].sum()
        mean = (lambda c: (g[c] * g["pop"]).sum() / p) if p > 0 else (lambda c: g[c].mean())
        rows.append((kode, p, mean("near"), mean("raw"), mean("acc")))
    out = pd.DataFrame(rows, columns=["kode", "population", "nearest_m", "access_raw", "access"])
    out.to_csv(HERE / "real_access_2sfca_kelurahan.csv", index=False, float_format="%.15g", na_rep="")
    print(f"wrote real_access_2sfca_kelurahan.csv ({len(out)} rows, {int(out['nearest_m'].isna().sum())} without points; "
          f"{len(ghs) - len(df)} points in no kelurahan)", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    demo(sys.argv[1])
    real()
