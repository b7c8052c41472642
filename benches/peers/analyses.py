#!/usr/bin/env python3
"""tepat's analyses vs GeoPandas, tobler and PySAL ``access`` on the same cities, side by side.

Cities (written by the ``synth_city`` binary into ``benches/peers/data/analyses/``, kept
once written):

* ``demo``: the demo city (83 kelurahan; ``synth_city --demo``, as ``tepat demo``), GeoJSON
  in EPSG:4326 that both sides project to EPSG:32651 (PROJ here, proj4rs in tepat);
* ``synth_N``: the synthetic city of ``tepat_benches::synth_city`` with N kelurahan
  (20,000; ``--quick``: 2,000), GeoJSON already in EPSG:32651 with exact dyadic
  coordinates, so both sides read identical doubles.

Tasks, with the params of ``tepat_benches::synth_city::params`` (the criterion bench
``benches/analyses.rs`` runs the same):

* ``exposure``: hazard area per zone and depth class and the exposed population
  (zone population × hazard share). Peer: GeoPandas. The timed work is everything tepat
  does from the loaded layers: dissolve the hazard by class (``dissolve``), the highest
  class wins where classes overlap (``difference`` with the union of the higher classes),
  ``gpd.overlay(zones, classes, how="intersection")``, areas, the per-zone/per-class table
  and the exposed population. Two variants are timed: the classes overlaid as one
  multipolygon each (``geopandas``, the textbook call), and exploded into their parts
  first (``geopandas-explode``, which lets the spatial index prune: the faster one).
* ``interpolate``: area-weighted interpolation of an extensive count and an intensive rate
  (demo: kecamatan → kelurahan; synthetic: 2,000 census blocks → kelurahan). Peer: tobler
  ``area_interpolate`` (``allocate_total=True``, ``n_jobs=1``, its defaults).
* ``access``: 2SFCA of the puskesmas for the kelurahan (at their area centroids), radius
  3 km (demo) / 2 km (synthetic), capacity-weighted, normalised by the population-weighted
  mean. Peer: PySAL ``access`` ``two_stage_fca(max_cost=r)`` on a euclidean cost table.
  Building the cost table is part of the peer's timed work, as computing distances is part
  of tepat's: centroids (shapely), the facility pairs within r (scipy ``cKDTree``: only the
  pairs in reach, as tepat's R-tree gives; PySAL's own ``create_euclidean_distance`` crosses
  every pair and would be far slower), cost = sqrt(dx² + dy²) (tepat's formula), then
  ``two_stage_fca`` and PySAL's ``normalized_access``. The table's share of the peer time is
  printed.

tepat runs as the ``peer_analyses`` binary (``cargo build --release -p tepat-benches
--bins``): it loads the project (untimed, as the peers load their files) and times
``tepat_engine::analysis::run`` — params, the whole computation and the result rows — on
all cores (rayon) and, unless ``--no-single-thread``, again with ``RAYON_NUM_THREADS=1``
(the peers run on one core). Each side runs ``--repeat`` times and the fastest counts.

Agreement: per zone, each compared value must match tepat's within a relative 1e-6
(``|a − b| ≤ 1e-6 · max(|a|, |b|)``; for areas with a floor of 1e-6 of the zone's area and
for exposed people of 1e-6 of the zone's population, so a sliver that one library keeps and
the other drops does not count as a difference), and so must the totals. Any disagreement is printed and the script exits with status 1.
The demo city's run also times tepat's whole chain (``index`` with ``exposure`` and
``access`` as inputs, 200-run sensitivity), which has no peer: target under 100 ms.

Usage (from the repository root)::

    cargo build --release -p tepat-benches --bins
    python benches/peers/analyses.py [--quick] [--zones N] [--repeat R] [--only exposure,...]
                                     [--cities demo,synth] [--no-single-thread] [--json out.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pathlib
import platform
import subprocess
import sys
import time
import warnings

# libpysal (under tobler) trips a scipy FutureWarning on every call; it says nothing here.
warnings.filterwarnings("ignore", category=FutureWarning)

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "benches" / "peers" / "data" / "analyses"
BIN = ROOT / "target" / "release"
CLASSES = ["rendah", "sedang", "tinggi"]
TASKS = ["exposure", "interpolate", "access"]
REL = 1e-6


def city_config(kind: str, zones: int | None = None) -> dict:
    """Layer names, fields and params per city (mirrors tepat_benches::synth_city::params)."""
    if kind == "demo":
        c = dict(name="demo", dir=DATA / "demo", hazard="banjir_q25", source="kecamatan",
                 intensive="households", radius=3000.0, repeat=5)
    else:
        c = dict(name=f"synth_{zones}", dir=DATA / f"synth_{zones}", hazard="banjir",
                 source="blok_sensus", intensive="rate", radius=2000.0, repeat=2, zones=zones)
    c.update(zones_layer="kelurahan", facilities="puskesmas", extensive="population")
    c["params"] = {
        "exposure": {"zones": "kelurahan", "hazard": c["hazard"], "class_field": "depth_class",
                     "classes": CLASSES},
        "interpolate": {"source": c["source"], "target": "kelurahan",
                        "extensive": [c["extensive"]], "intensive": [c["intensive"]]},
        "access": {"demand": "kelurahan", "facilities": "puskesmas", "method": "2sfca",
                   "radius_m": c["radius"]},
    }
    if kind == "demo":
        c["params"]["chain"] = {
            "zones": "kelurahan",
            "inputs": {"banjir": {"analysis": "exposure", "params": c["params"]["exposure"]},
                       "akses": {"analysis": "access", "params": c["params"]["access"]}},
            "indicators": [
                {"from": "banjir", "field": "poor_exposed_share", "weight": 0.5},
                {"field": "poor_households", "per": "households", "weight": 0.3},
                {"from": "akses", "field": "access", "direction": "higher_is_better", "weight": 0.2}],
            "sensitivity": {"runs": 200},
        }
    return c


def best_of(repeat: int, fn):
    """Runs fn() `repeat` times; returns (fastest seconds, result of that run)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = fn()
        dt = time.perf_counter() - t0
        if dt < best:
            best, result = dt, r
    return best, result


# --------------------------------------------------------------------------- tepat
def run_tepat(c: dict, tasks: list[str], repeat: int, single_thread: bool):
    """{task: report} from peer_analyses (rows in DATA/<city>/tepat_rows/<task>.json)."""
    rows_dir = c["dir"] / "tepat_rows"
    cmd = [str(BIN / "peer_analyses"), "--project", str(c["dir"] / "tepat.toml"),
           "--repeat", str(repeat), "--rows-dir", str(rows_dir)]
    for t in tasks:
        analysis = "index" if t == "chain" else t
        cmd += ["--task", t, analysis, json.dumps(c["params"][t])]
    env = dict(os.environ)
    if single_thread:
        env["RAYON_NUM_THREADS"] = "1"
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    reports = {}
    for line in out.strip().splitlines():
        r = json.loads(line)
        reports[r["task"]] = r
    return reports


def tepat_rows(c: dict, task: str):
    import pandas as pd

    rows = json.loads((c["dir"] / "tepat_rows" / f"{task}.json").read_text())
    return pd.DataFrame(rows).set_index("id")


# ------------------------------------------------------------------------ loading
def load(c: dict, layer: str):
    import geopandas as gpd

    g = gpd.read_file(c["dir"] / f"{layer}.geojson")
    return g.to_crs(32651) if g.crs is None or g.crs.to_epsg() != 32651 else g


# -------------------------------------------------------------------- the peers
def exposure_geopandas(c: dict, repeat: int, explode: bool):
    """Dissolve by class, highest class wins, overlay with the zones, areas per zone and class."""
    import geopandas as gpd
    import numpy as np
    import shapely

    zones = load(c, c["zones_layer"])[["kode", "population", "geometry"]]
    hazard = load(c, c["hazard"])[["depth_class", "geometry"]]

    def work():
        d = hazard[hazard["depth_class"].isin(CLASSES)].dissolve(by="depth_class")
        names, geoms, higher = [], [], None
        for cls in reversed(CLASSES):
            if cls not in d.index:
                continue
            g = d.geometry[cls]
            names.append(cls)
            geoms.append(g if higher is None else shapely.difference(g, higher))
            higher = g if higher is None else shapely.union(higher, g)
        classes = gpd.GeoDataFrame({"cls": names}, geometry=geoms, crs=hazard.crs)
        if explode:
            classes = classes.explode(index_parts=False)
        ov = gpd.overlay(zones[["kode", "geometry"]], classes, how="intersection", keep_geom_type=True)
        ov["a"] = ov.geometry.area
        t = (ov.pivot_table(index="kode", columns="cls", values="a", aggfunc="sum")
             .reindex(index=zones["kode"], columns=CLASSES).fillna(0.0))
        area = zones.geometry.area.to_numpy()
        share = np.minimum(t.to_numpy() / area[:, None], 1.0)
        out = t.rename(columns=lambda k: f"hazard_area_m2_{k}")
        out["exposed_population"] = (zones["population"].to_numpy()[:, None] * share).sum(axis=1)
        out["area_m2"] = area
        return out

    return best_of(repeat, work)


def interpolate_tobler(c: dict, repeat: int):
    from tobler.area_weighted import area_interpolate

    src = load(c, c["source"])
    tgt = load(c, c["zones_layer"])
    src[c["intensive"]] = src[c["intensive"]].astype(float)

    def work():
        out = area_interpolate(source_df=src, target_df=tgt, extensive_variables=[c["extensive"]],
                               intensive_variables=[c["intensive"]], allocate_total=True)
        out.index = tgt["kode"].to_numpy()
        return out[[c["extensive"], c["intensive"]]]

    return best_of(repeat, work)


def access_pysal(c: dict, repeat: int):
    import numpy as np
    import pandas as pd
    from access import Access
    from access.helpers import normalized_access
    from scipy.spatial import cKDTree

    zones = load(c, c["zones_layer"])
    fac = load(c, c["facilities"])
    r = c["radius"]
    ids = zones["kode"].astype(str).to_numpy()
    fids = fac["kode"].astype(str).to_numpy()
    demand = pd.DataFrame({"id": ids, "pop": zones["population"].astype(float).to_numpy()})
    supply = pd.DataFrame({"id": fids, "cap": fac["capacity"].astype(float).to_numpy()})
    phases = {}

    def work():
        t0 = time.perf_counter()
        cen = zones.geometry.centroid
        o = np.column_stack([cen.x.to_numpy(), cen.y.to_numpy()])
        f = np.column_stack([fac.geometry.x.to_numpy(), fac.geometry.y.to_numpy()])
        near = cKDTree(f).query_ball_point(o, r=r * (1 + 1e-9) + 1e-9)
        lens = np.fromiter(map(len, near), dtype=np.int64, count=len(near))
        oi = np.repeat(np.arange(len(o)), lens)
        fj = np.fromiter(itertools.chain.from_iterable(near), dtype=np.int64, count=int(lens.sum()))
        dx, dy = f[fj, 0] - o[oi, 0], f[fj, 1] - o[oi, 1]
        cost = np.sqrt(dx * dx + dy * dy)
        keep = cost <= r
        costs = pd.DataFrame({"origin": ids[oi[keep]], "dest": fids[fj[keep]], "cost": cost[keep]})
        t1 = time.perf_counter()
        a = Access(demand_df=demand, demand_index="id", demand_value="pop",
                   supply_df=supply, supply_index="id", supply_value="cap",
                   cost_df=costs, cost_origin="origin", cost_dest="dest", cost_name="cost")
        raw = a.two_stage_fca(name="m", max_cost=r, normalize=False)["m_cap"]
        acc = normalized_access(a, ["m_cap"])["m_cap"]
        out = pd.DataFrame({"access_raw": raw.astype(float), "access": acc.astype(float)}).fillna(0.0)
        phases.setdefault("table", []).append(t1 - t0)
        phases.setdefault("measure", []).append(time.perf_counter() - t1)
        return out.reindex(ids).fillna(0.0)

    secs, out = best_of(repeat, work)
    return secs, out, {"cost_table_s": min(phases["table"]), "measure_s": min(phases["measure"])}


# ---------------------------------------------------------------------- checking
def compare(tepat, peer, columns, floor=None):
    """(ok, max relative difference, message) over the zones and the totals of `columns`.

    `floor` (per zone, optional) raises the scale of the relative tolerance: an area is
    compared relative to at least its zone's area, exposed people relative to at least the
    zone's population (a sliver one library keeps and the other drops is no difference)."""
    import numpy as np

    worst, problems = 0.0, []
    peer = peer.reindex(tepat.index)
    if peer[columns].isna().any().any():
        return False, float("nan"), f"peer lacks values for {int(peer[columns].isna().any(axis=1).sum())} zones"
    for col in columns:
        a = tepat[col].astype(float).fillna(0.0).to_numpy()
        b = peer[col].astype(float).to_numpy()
        scale = np.maximum(np.abs(a), np.abs(b))
        if floor is not None:
            scale = np.maximum(scale, floor)
        diff = np.abs(a - b)
        rel = np.where(diff > 0, diff / np.maximum(scale, 1e-300), 0.0)
        bad = rel > REL
        if bad.any():
            i = int(np.argmax(rel))
            problems.append(f"{col}: {int(bad.sum())} zones differ (e.g. {tepat.index[i]}: "
                            f"tepat {float(a[i])!r}, peer {float(b[i])!r})")
        worst = max(worst, float(rel.max(initial=0.0)))
        ta, tb = a.sum(), b.sum()
        trel = abs(ta - tb) / max(abs(ta), abs(tb), 1e-300)
        if trel > REL:
            problems.append(f"{col}: totals differ (tepat {float(ta)!r}, peer {float(tb)!r})")
        worst = max(worst, trel)
    return not problems, worst, "; ".join(problems)


# --------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a small synthetic city (2,000 zones)")
    ap.add_argument("--zones", type=int, help="zones of the synthetic city (default 20000; --quick 2000)")
    ap.add_argument("--repeat", type=int, help="runs per tool and case, the fastest counts "
                                               "(default 5 on the demo, 2 on the synthetic city)")
    ap.add_argument("--only", help="comma-separated tasks (exposure, interpolate, access)")
    ap.add_argument("--cities", default="demo,synth", help="comma-separated: demo, synth")
    ap.add_argument("--no-single-thread", action="store_true",
                    help="skip the second tepat run with RAYON_NUM_THREADS=1")
    ap.add_argument("--json", type=pathlib.Path, help="also write the results to this file")
    args = ap.parse_args()

    for exe in ("peer_analyses", "synth_city"):
        if not (BIN / exe).exists():
            print(f"{BIN / exe} missing: run `cargo build --release -p tepat-benches --bins` first",
                  file=sys.stderr)
            return 2
    zones = args.zones or (2_000 if args.quick else 20_000)
    tasks = [t.strip() for t in args.only.split(",")] if args.only else TASKS
    cities = []
    for kind in [k.strip() for k in args.cities.split(",") if k.strip()]:
        c = city_config(kind, zones)
        cmd = [str(BIN / "synth_city"), "--out", str(c["dir"])]
        cmd += ["--demo"] if kind == "demo" else ["--zones", str(zones)]
        subprocess.run(cmd, check=True)
        cities.append(c)

    import geopandas
    import scipy
    import shapely
    import tobler
    from importlib.metadata import version

    print(f"machine: {os.cpu_count()} cpus, {platform.platform()}; python {platform.python_version()}")
    print(f"versions: geopandas {geopandas.__version__}, shapely {shapely.__version__} "
          f"(GEOS {shapely.geos_version_string}), tobler {tobler.__version__}, "
          f"access {version('access')}, scipy {scipy.__version__}")

    results, failures = [], []
    for c in cities:
        repeat = args.repeat or c["repeat"]
        run_tasks = tasks + (["chain"] if "chain" in c["params"] and not args.only else [])
        tep = run_tepat(c, run_tasks, repeat, single_thread=False)
        tep1 = None if args.no_single_thread else run_tepat(c, tasks, repeat, single_thread=True)
        if "chain" in tep:
            print(f"{c['name']}: tepat chain exposure + access + index (200-run sensitivity): "
                  f"{tep['chain']['seconds'] * 1e3:.1f} ms on {tep['chain']['threads']} threads "
                  f"(target < 100 ms)", flush=True)
        for task in tasks:
            t_rows = tepat_rows(c, task)
            peers = []
            if task == "exposure":
                cols = [f"hazard_area_m2_{k}" for k in CLASSES] + ["exposed_population"]
                for explode in (False, True):
                    secs, out = exposure_geopandas(c, repeat, explode)
                    # Areas: the tolerance's floor is 1e-6 of the zone's area.
                    floor = out["area_m2"].reindex(t_rows.index).to_numpy()
                    ok_area = compare(t_rows, out, cols[:3], floor=floor)
                    # Exposed people: relative to at least the zone's population.
                    pop = t_rows["population"].astype(float).to_numpy()
                    ok_pop = compare(t_rows, out, cols[3:], floor=pop)
                    ok = (ok_area[0] and ok_pop[0], max(ok_area[1], ok_pop[1]),
                          "; ".join(m for m in (ok_area[2], ok_pop[2]) if m))
                    peers.append(("geopandas-explode" if explode else "geopandas", secs, ok, {}))
            elif task == "interpolate":
                secs, out = interpolate_tobler(c, repeat)
                peers.append(("tobler", secs, compare(t_rows, out, [c["extensive"], c["intensive"]]), {}))
            elif task == "access":
                secs, out, extra = access_pysal(c, repeat)
                peers.append(("pysal-access", secs, compare(t_rows, out, ["access_raw", "access"]), extra))
            for name, secs, (ok, worst, msg), extra in peers:
                t = tep[task]["seconds"]
                t1 = tep1[task]["seconds"] if tep1 else None
                row = {"city": c["name"], "task": task, "peer": name, "tepat": t,
                       "tepat_threads": tep[task]["threads"], "tepat_1thread": t1, "peer_s": secs,
                       "ratio": secs / t, "ratio_1thread": secs / t1 if t1 else None,
                       "agree": ok, "max_rel_diff": worst, **extra}
                results.append(row)
                line = (f"{c['name']} {task}: tepat {t:.4f}s ({row['tepat_threads']} thr)"
                        + (f", {t1:.4f}s (1 thr)" if t1 else "")
                        + f"; {name} {secs:.4f}s → {row['ratio']:.2f}×"
                        + (f" ({row['ratio_1thread']:.2f}× vs 1 thr)" if t1 else "")
                        + f"; {'agree' if ok else 'DIFFER'} (max rel diff {worst:.1e})")
                if extra.get("cost_table_s") is not None:
                    line += (f"; peer: cost table {extra['cost_table_s']:.4f}s + measure "
                             f"{extra['measure_s']:.4f}s")
                print(line, flush=True)
                if not ok:
                    failures.append(f"{c['name']} {task} {name}: {msg}")

    print()
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    for f in failures:
        print("MISMATCH:", f, file=sys.stderr)
    return 1 if failures else 0


def print_table(results):
    head = ["city", "task", "peer", "tepat s", "tepat 1-thr s", "peer s", "peer/tepat",
            "peer/tepat 1-thr", "results"]
    rows = []
    for r in results:
        rows.append([r["city"], r["task"], r["peer"], f"{r['tepat']:.4f}",
                     f"{r['tepat_1thread']:.4f}" if r["tepat_1thread"] else "-",
                     f"{r['peer_s']:.4f}", f"{r['ratio']:.2f}×",
                     f"{r['ratio_1thread']:.2f}×" if r["ratio_1thread"] else "-",
                     f"agree ({r['max_rel_diff']:.0e})" if r["agree"] else "DIFFER"])
    widths = [max(len(h), *(len(x[i]) for x in rows)) if rows else len(h) for i, h in enumerate(head)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in rows:
        print("| " + " | ".join(x.ljust(w) for x, w in zip(line, widths)) + " |")


if __name__ == "__main__":
    sys.exit(main())
