#!/usr/bin/env python3
"""tepat's `locate` vs PySAL spopt (PuLP + CBC) on the same instances, side by side.

Instances (written once into ``benches/peers/data/locate/``):

* ``synth``: 2,000 demand points (integer weights 1–100) × 200 candidate sites, uniform
  over a 10 km square (EPSG:32651, coordinates on the 2⁻¹⁰ m lattice so both tools read
  identical doubles; numpy seed 2026), as CSV point layers with a ``tepat.toml``;
* ``demo``: the demo city (``synth_city --demo``, as ``tepat demo``): kelurahan at their
  area centroids × the schools (candidates), with the 16 puskesmas kept open.

Tasks: MCLP (radius 1 km; synth p = 10, demo p = 3 new sites, weight ``poor_households``)
and p-median (synth p = 10, demo p = 3, weight ``population``).

Timing (fastest of ``--repeat`` runs):

* tepat: the ``peer_analyses`` binary (``cargo build --release -p tepat-benches --bins``)
  times ``tepat_engine::analysis::run("locate", …)`` from the loaded project: distances
  (R-tree for the radius, all pairs for p-median), the model, HiGHS, the rows.
* spopt: from the loaded points: the cost matrix (``scipy.spatial.distance.cdist``, as
  spopt's ``from_geodataframe`` computes it), ``MCLP/PMedian.from_cost_matrix`` and
  ``solve(pulp.PULP_CBC_CMD(msg=False))``. spopt counts existing sites in ``p``, so it gets
  p + 16 on the demo city with those sites predefined.

Agreement: both objectives must be equal within 1e-6 relative (the optimum is unique in
value, if not in sites); a disagreement exits with status 1. The ratio spopt / tepat is
printed per task (target ≥ 10×).

Usage (from the repository root)::

    cargo build --release -p tepat-benches --bins
    python benches/peers/locate.py [--repeat R] [--only mclp,pmedian] [--cities synth,demo] [--spopt-limit S]

CBC gets `--spopt-limit` seconds per solve (default 600); when it stops there the ratio printed
is a lower bound (">") and tepat's proven optimum must be at least as good as CBC's incumbent
(when CBC has none, tepat's plan must be proven optimal).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore", category=FutureWarning)

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "benches" / "peers" / "data" / "locate"
BIN = ROOT / "target" / "release"
REL = 1e-6
N_DEMAND, N_SITES, SIDE, SEED = 2000, 200, 10_000.0, 2026
E0, N0 = 700_000.0, 150_000.0


def write_synth(d: pathlib.Path):
    """The synthetic instance as CSV point layers + tepat.toml (kept once written)."""
    if (d / "tepat.toml").exists():
        return
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)

    def pts(n):
        # Multiples of 2^-10 m: exact in binary and in 17-digit decimal.
        return np.floor(rng.uniform(0, SIDE, size=(n, 2)) * 1024) / 1024 + [E0, N0]

    dem, sit = pts(N_DEMAND), pts(N_SITES)
    w = rng.integers(1, 101, size=N_DEMAND)
    with open(d / "demand.csv", "w") as f:
        f.write("id,x,y,weight\n")
        for i, ((x, y), wi) in enumerate(zip(dem, w)):
            f.write(f"d{i},{x:.10f},{y:.10f},{wi}\n")
    with open(d / "sites.csv", "w") as f:
        f.write("id,x,y\n")
        for j, (x, y) in enumerate(sit):
            f.write(f"s{j},{x:.10f},{y:.10f}\n")
    (d / "tepat.toml").write_text(
        'name = "locate synth"\ncrs = "EPSG:32651"\n\n'
        '[[layers]]\nname = "demand"\nrole = "demand"\npath = "demand.csv"\nid = "id"\n'
        'x = "x"\ny = "y"\ncrs = "EPSG:32651"\n\n'
        '[[layers]]\nname = "sites"\nrole = "facilities"\npath = "sites.csv"\nid = "id"\n'
        'x = "x"\ny = "y"\ncrs = "EPSG:32651"\n'
    )


def config(city: str):
    if city == "synth":
        d = DATA / "synth"
        write_synth(d)
        base = {"demand": "demand", "weight": "weight", "candidates": "sites", "p": 10}
        return dict(dir=d, p=10, existing=False, tasks={
            "mclp": dict(base, model="mclp", radius_m=1000),
            "pmedian": dict(base, model="pmedian"),
        })
    d = DATA / "demo"
    if not (d / "tepat.toml").exists():
        subprocess.run([str(BIN / "synth_city"), "--demo", "--out", str(d)], check=True)
    base = {"demand": "kelurahan", "candidates": "sekolah", "existing": "puskesmas", "p": 3}
    return dict(dir=d, p=3, existing=True, tasks={
        "mclp": dict(base, model="mclp", radius_m=1000, weight="poor_households"),
        "pmedian": dict(base, model="pmedian", weight="population"),
    })


def run_tepat(c, tasks, repeat):
    cmd = [str(BIN / "peer_analyses"), "--project", str(c["dir"] / "tepat.toml"),
           "--repeat", str(repeat)]
    for t in tasks:
        cmd += ["--task", t, "locate", json.dumps(c["tasks"][t])]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env=dict(os.environ)).stdout
    return {r["task"]: r for r in map(json.loads, out.strip().splitlines())}


def load_points(c, city):
    """(demand xy, weights per task, site xy, predefined mask), untimed."""
    import geopandas as gpd
    import pandas as pd

    if city == "synth":
        dem = pd.read_csv(c["dir"] / "demand.csv")
        sit = pd.read_csv(c["dir"] / "sites.csv")
        dxy = dem[["x", "y"]].to_numpy()
        w = {"mclp": dem["weight"].to_numpy(), "pmedian": dem["weight"].to_numpy()}
        return dxy, w, sit[["x", "y"]].to_numpy(), None
    kel = gpd.read_file(c["dir"] / "kelurahan.geojson").to_crs(32651)
    pkm = gpd.read_file(c["dir"] / "puskesmas.geojson").to_crs(32651)
    sch = gpd.read_file(c["dir"] / "sekolah.geojson").to_crs(32651)
    cen = kel.geometry.centroid
    dxy = np.column_stack([cen.x, cen.y])
    sxy = np.vstack([np.column_stack([pkm.geometry.x, pkm.geometry.y]),
                     np.column_stack([sch.geometry.x, sch.geometry.y])])
    pre = np.array([1] * len(pkm) + [0] * len(sch))
    w = {"mclp": kel["poor_households"].to_numpy(), "pmedian": kel["population"].to_numpy()}
    return dxy, w, sxy, pre


def run_spopt(task, params, dxy, w, sxy, pre, repeat, limit):
    import pulp
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP, PMedian

    p = params["p"] + (int(pre.sum()) if pre is not None else 0)

    def once():
        cost = cdist(dxy, sxy)
        if task == "mclp":
            m = MCLP.from_cost_matrix(cost, w[task], service_radius=params["radius_m"],
                                      p_facilities=p, predefined_facilities_arr=pre)
        else:
            m = PMedian.from_cost_matrix(cost, w[task], p_facilities=p,
                                         predefined_facilities_arr=pre)
        # CBC gets a time limit: on the synthetic p-median it has not finished in 30 minutes.
        try:
            m.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit))
        except RuntimeError:
            # spopt raises when CBC stops at the limit with no integer solution in hand
            # ("Not Solved"): there is no objective to compare, only the time.
            if m.problem.status != pulp.LpStatusNotSolved:
                raise
        return m

    best, model = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = once()
        best = min(best, time.perf_counter() - t0)
    # PuLP says "Optimal" for a CBC run stopped by its time limit with a solution in hand;
    # the solution status tells the two apart.
    proven = model.problem.sol_status == pulp.LpSolutionOptimal
    if model.problem.status == pulp.LpStatusNotSolved:
        return best, None, "time limit, no solution"
    status = pulp.LpStatus[model.problem.status] if proven else "time limit"
    return best, float(model.problem.objective.value()), status


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="mclp,pmedian")
    ap.add_argument("--cities", default="synth,demo")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--spopt-limit", type=float, default=600.0,
                    help="CBC's time limit per solve, seconds (the ratio is then a lower bound)")
    a = ap.parse_args()
    tasks = a.only.split(",")
    for exe in ("peer_analyses", "synth_city"):
        if not (BIN / exe).exists():
            sys.exit(f"{BIN / exe} missing: cargo build --release -p tepat-benches --bins")
    results, bad = [], False
    for city in a.cities.split(","):
        c = config(city)
        tep = run_tepat(c, tasks, a.repeat)
        dxy, w, sxy, pre = load_points(c, city)
        for t in tasks:
            st, so, status = run_spopt(t, c["tasks"][t], dxy, w, sxy, pre, max(1, a.repeat // 2),
                                       a.spopt_limit)
            r = tep[t]
            tt, to = r["seconds"], r["summary"]["objective"]
            rel = abs(to - so) / max(abs(so), 1e-300) if so is not None else float("nan")
            if status == "Optimal":
                ok = rel <= REL and r["summary"]["status"] == "optimal"
            elif so is None:
                # CBC has nothing to compare with: tepat must at least have proven its plan.
                ok = r["summary"]["status"] == "optimal"
            else:
                # CBC stopped at its limit: tepat's proven optimum must be at least as good.
                better = to >= so * (1 - REL) if t == "mclp" else to <= so * (1 + REL)
                ok = r["summary"]["status"] == "optimal" and better
            bad |= not ok
            line = dict(city=city, task=t, n_demand=len(dxy), n_sites=len(sxy),
                        tepat_seconds=tt, spopt_seconds=st, ratio=st / tt,
                        tepat_objective=to, spopt_objective=so, rel_diff=rel,
                        tepat_status=r["summary"]["status"], spopt_status=status, agree=ok)
            results.append(line)
            more = "" if status == "Optimal" else ">"
            print(f"{city:6} {t:8} {len(dxy)}×{len(sxy)}: tepat {tt:8.3f} s  spopt {more}{st:8.3f} s  "
                  f"ratio {more}{st / tt:6.1f}×  objective {to} vs {so} ({status}, rel {rel:.1e}) "
                  f"{'OK' if ok else 'DISAGREE'}", flush=True)
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(results, indent=1) + "\n")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
