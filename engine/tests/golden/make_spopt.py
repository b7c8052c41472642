#!/usr/bin/env python3
"""Golden files for `locate` (engine/tests/locate.rs), computed with PySAL spopt (PuLP + CBC).

    tepat demo --out /tmp/demo
    python engine/tests/golden/make_spopt.py /tmp/demo          # from the repository root

Needs (pinned as used): spopt==0.7.0, pulp==3.3.2 (its bundled CBC), geopandas==1.2.0,
pandas==3.1.1, numpy==2.4.6, and pip (to fetch the spopt source distribution).

1. San Francisco, spopt's own test case. The data are in the spopt sdist
   (`pip download --no-binary :all: --no-deps spopt==0.7.0`, spopt/tests/test_locate/data/):
   205 census tracts (weight POP2000) × 16 candidate stores with network distances. The
   setup is the one of spopt/tests/test_locate/test_*.py (`pivot_table(values="distance",
   index="DestinationName", columns="name")`, demand sorted by NAME, CBC). Written here:

       sf_demand.csv    id,pop2000        (id = the tract NAME as written in the source file)
       sf_sites.csv     id                (Store_1 … Store_16)
       sf_costs.csv     origin,destination,cost   (the 3,280 network distances)

2. The demo city: kelurahan (at their area centroid, weight `population` or
   `poor_households`) × candidate sites = the 16 puskesmas (existing, forced open) + the
   schools (candidates). The euclidean cost table is computed here (cost = sqrt(dx² + dy²)
   in EPSG:32651, as tepat) and fed to tepat as a `costs` table, so both tools solve the
   same numbers. Written: demo_locate_costs.csv (origin,destination,cost).

3. spopt_locate.json: per run, the model, its parameters and spopt's status, objective,
   n_cli_uncov, perc_cov, mean_dist (p-median) and open sites. tepat's `p` counts new
   sites; spopt's counts all, so spopt gets p + the number of existing sites.
"""
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pulp
from spopt.locate import LSCP, MCLP, PCenter, PMedian

HERE = Path(__file__).resolve().parent
SPOPT = "spopt==0.7.0"
DATA = "spopt/tests/test_locate/data/"
FILES = [
    "SF_demand_205_centroid_uniform_weight.csv",
    "SF_network_distance_candidateStore_16_censusTract_205_new.csv",
    "SF_store_site_16_longlat.csv",
]


def sf_data(tmp):
    """The SF csv files, extracted from the spopt sdist downloaded with pip."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
         SPOPT, "-d", str(tmp), "-q"],
        check=True,
    )
    sdist = next(Path(tmp).glob("spopt-*.tar.gz"))
    out = {}
    with tarfile.open(sdist) as tar:
        for m in tar.getmembers():
            for f in FILES:
                if m.name.endswith(DATA + f):
                    out[f] = Path(tmp) / f
                    out[f].write_bytes(tar.extractfile(m).read())
    missing = [f for f in FILES if f not in out]
    if missing:
        sys.exit(f"not in the sdist: {missing}")
    return out


def solve(model):
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    return model


def summary(model, sites, kind, cost=None, **params):
    r = {
        "model": kind,
        "params": params,
        "status": pulp.LpStatus[model.problem.status],
        "objective": float(model.problem.objective.value()),
        "open": sorted(
            sites[j] for j, v in enumerate(model.fac_vars) if v.value() and v.value() > 0.5
        ),
    }
    if kind == "pcenter":
        # CBC reports W with 8 significant digits; the optimum is the largest assigned cost.
        r["objective_cbc"] = r["objective"]
        r["objective"] = float(
            max(cost[i, j] for i, js in enumerate(model.cli2fac) for j in js)
        )
    if hasattr(model, "n_cli_uncov"):
        r["n_cli_uncov"] = int(model.n_cli_uncov)
    if hasattr(model, "perc_cov"):
        r["perc_cov"] = float(model.perc_cov)
    if hasattr(model, "mean_dist"):
        r["mean_dist"] = float(model.mean_dist)
    print(f"  {kind} {params}: {r['status']} objective {r['objective']}", file=sys.stderr)
    return r


def san_francisco(tmp):
    f = sf_data(tmp)
    # As spopt's tests: default read_csv (tract names become floats), pivot, sort by NAME.
    dist = pd.read_csv(f[FILES[1]])
    piv = dist.pivot_table(values="distance", index="DestinationName", columns="name")
    cost = piv.to_numpy()
    demand = pd.read_csv(f[FILES[0]]).sort_values(by=["NAME"]).reset_index()
    assert np.allclose(piv.index.to_numpy(), demand["NAME"].to_numpy())
    ai = demand["POP2000"].to_numpy()
    sites = list(piv.columns)

    # The same data as text ids, for tepat.
    raw = pd.read_csv(f[FILES[1]], dtype={"DestinationName": str})
    raw_demand = pd.read_csv(f[FILES[0]], dtype={"NAME": str})
    pd.DataFrame({"id": raw_demand["NAME"], "pop2000": raw_demand["POP2000"]}).to_csv(
        HERE / "sf_demand.csv", index=False
    )
    pd.DataFrame({"id": sorted(raw["name"].unique())}).to_csv(HERE / "sf_sites.csv", index=False)
    raw[["DestinationName", "name", "distance"]].rename(
        columns={"DestinationName": "origin", "name": "destination", "distance": "cost"}
    ).to_csv(HERE / "sf_costs.csv", index=False, float_format="%.17g")

    runs = {}
    runs["sf_mclp"] = summary(
        solve(MCLP.from_cost_matrix(cost, ai, service_radius=5000, p_facilities=4)),
        sites, "mclp", radius_m=5000, p=4,
    )
    runs["sf_pmedian"] = summary(
        solve(PMedian.from_cost_matrix(cost, ai, p_facilities=4)), sites, "pmedian", p=4
    )
    runs["sf_lscp"] = summary(
        solve(LSCP.from_cost_matrix(cost, service_radius=5000)), sites, "lscp", radius_m=5000
    )
    runs["sf_pcenter"] = summary(
        solve(PCenter.from_cost_matrix(cost, p_facilities=4)), sites, "pcenter", cost=cost, p=4
    )
    return runs


def demo(d):
    kel = gpd.read_file(f"{d}/kelurahan.geojson").to_crs(32651)
    pkm = gpd.read_file(f"{d}/puskesmas.geojson").to_crs(32651)
    sch = gpd.read_file(f"{d}/sekolah.geojson").to_crs(32651)
    cen = kel.geometry.centroid
    site_ids = list(pkm["kode"]) + list(sch["kode"])
    sx = np.concatenate([pkm.geometry.x.to_numpy(), sch.geometry.x.to_numpy()])
    sy = np.concatenate([pkm.geometry.y.to_numpy(), sch.geometry.y.to_numpy()])
    dx = sx[None, :] - cen.x.to_numpy()[:, None]
    dy = sy[None, :] - cen.y.to_numpy()[:, None]
    cost = np.sqrt(dx * dx + dy * dy)
    pd.DataFrame(
        {
            "origin": np.repeat(kel["kode"].to_numpy(dtype=object), len(site_ids)),
            "destination": np.tile(np.asarray(site_ids, dtype=object), len(kel)),
            "cost": cost.ravel(),
        }
    ).to_csv(HERE / "demo_locate_costs.csv", index=False, float_format="%.17g")
    existing = np.array([1] * len(pkm) + [0] * len(sch))
    n_ex = int(existing.sum())
    pop = kel["population"].to_numpy()
    poor = kel["poor_households"].to_numpy()

    runs = {}
    runs["demo_mclp_poor"] = summary(
        solve(MCLP.from_cost_matrix(cost, poor, service_radius=1000, p_facilities=3 + n_ex,
                                    predefined_facilities_arr=existing)),
        site_ids, "mclp", radius_m=1000, p=3, existing=True, weight="poor_households",
    )
    runs["demo_mclp_new"] = summary(
        solve(MCLP.from_cost_matrix(cost[:, n_ex:], pop, service_radius=1000, p_facilities=5)),
        site_ids[n_ex:], "mclp", radius_m=1000, p=5, existing=False, weight="population",
    )
    runs["demo_pmedian"] = summary(
        solve(PMedian.from_cost_matrix(cost, pop, p_facilities=3 + n_ex,
                                       predefined_facilities_arr=existing)),
        site_ids, "pmedian", p=3, existing=True, weight="population",
    )
    runs["demo_pcenter"] = summary(
        solve(PCenter.from_cost_matrix(cost, p_facilities=3 + n_ex,
                                       predefined_facilities_arr=existing)),
        site_ids, "pcenter", cost=cost, p=3, existing=True,
    )
    runs["demo_lscp"] = summary(
        solve(LSCP.from_cost_matrix(cost, service_radius=1500,
                                    predefined_facilities_arr=existing)),
        site_ids, "lscp", radius_m=1500, existing=True,
    )
    return runs


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        runs = san_francisco(tmp)
    runs.update(demo(sys.argv[1]))
    (HERE / "spopt_locate.json").write_text(json.dumps(runs, indent=1, sort_keys=True) + "\n")
    print("wrote spopt_locate.json and the cost tables", file=sys.stderr)


if __name__ == "__main__":
    main()
