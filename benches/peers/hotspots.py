#!/usr/bin/env python3
"""tepat's ``hotspots`` vs libpysal + esda on the same polygon layer, side by side.

City: the synthetic city of ``tepat_benches::synth_city`` (written by the ``synth_city``
binary into ``benches/peers/data/analyses/synth_N/``, shared with ``analyses.py`` and kept
once written), layer ``kelurahan`` (N = 20,000 polygons of 16–32 vertices; ``--quick``:
2,000), field ``poor_households``. Coordinates are exact dyadic doubles in EPSG:32651, so
both sides read identical vertices.

Tasks (the fastest of ``--repeat`` runs counts on each side):

* ``weights``: queen contiguity. Peer: ``libpysal.weights.Queen.from_dataframe`` on the
  loaded GeoDataFrame. tepat: a whole ``hotspots`` run with ``statistic: moran`` and no
  permutations (queen weights, then Moran's I with its analytic moments), through the
  ``peer_analyses`` binary: slightly more work than the peer's.
* ``local_moran``: LISA with 999 conditional permutations, and the global Moran's I with
  999 permutations that tepat's summary always carries. Peer: queen weights (as above,
  counted) + ``esda.Moran_Local(y, w, permutations=999, n_jobs=<cores>, seed=…)`` (numba;
  its JIT is warmed up on a small layer first, untimed) + ``esda.Moran(y, w,
  permutations=999)``. tepat: a whole ``hotspots`` run (queen, local Moran, global Moran).

tepat runs on all cores (rayon) and esda with ``n_jobs`` = all cores, so both use the same
machine. Agreement is checked, not assumed: the number of neighbour pairs and Moran's I must
be equal (1e-9 relative), every local I_i equal to esda's ``Is`` (1e-9), and the permutation
p-values must agree within Monte-Carlo error. esda shares one permutation matrix among all
features, so its errors are correlated across features; tepat's p-values are compared with
the mean of ``ESDA_RUNS`` esda seeds, and the mean difference is judged against the spread
of those seeds' own mean differences; the mean squared difference is judged against its
binomial expectation. Any disagreement exits with status 1.

Usage (from the repository root)::

    cargo build --release -p tepat-benches --bins
    python benches/peers/hotspots.py [--quick] [--zones N] [--repeat R] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore")

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "benches" / "peers" / "data" / "analyses"
BIN = ROOT / "target" / "release"
FIELD = "poor_households"
PERMS = 999
SEED = 1
# esda runs (seeds SEED, SEED + 1, …) whose mean p-values tepat's are compared with.
ESDA_RUNS = 8


def folded_variance(p_folded, perms: int):
    """Variance of each feature's folded pseudo p-value under Binomial(perms, q) draws, with q
    its one-sided probability (the folded mean less 1 / (perms + 1), which the +1 adds)."""
    import numpy as np
    from scipy.stats import binom

    larger = np.arange(perms + 1)
    value = (np.minimum(larger, perms - larger) + 1.0) / (perms + 1.0)
    q = np.clip(p_folded - 0.5 / (perms + 1.0), 1e-9, 0.5)
    out = np.empty(len(q))
    for s in range(0, len(q), 2000):  # 2,000 × (perms + 1) pmf values at a time
        pmf = binom.pmf(larger[None, :], perms, q[s:s + 2000, None])
        mean = pmf @ value
        out[s:s + 2000] = pmf @ value**2 - mean**2
    return out


def best_of(repeat: int, fn):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = fn()
        dt = time.perf_counter() - t0
        if dt < best:
            best, result = dt, r
    return best, result


def run_tepat(city: pathlib.Path, repeat: int):
    params = {
        "weights": {"layer": "kelurahan", "field": FIELD, "statistic": "moran", "permutations": 0},
        "local_moran": {"layer": "kelurahan", "field": FIELD, "statistic": "local_moran",
                        "permutations": PERMS, "seed": SEED},
    }
    rows_dir = city / "tepat_rows"
    cmd = [str(BIN / "peer_analyses"), "--project", str(city / "tepat.toml"),
           "--repeat", str(repeat), "--rows-dir", str(rows_dir)]
    for task, p in params.items():
        cmd += ["--task", f"hotspots_{task}", "hotspots", json.dumps(p)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    reports = {}
    for line in out.strip().splitlines():
        r = json.loads(line)
        reports[r["task"].removeprefix("hotspots_")] = r
    rows = json.loads((rows_dir / "hotspots_local_moran.json").read_text())
    return reports, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2,000 zones")
    ap.add_argument("--zones", type=int)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=pathlib.Path)
    args = ap.parse_args()
    for exe in ("peer_analyses", "synth_city"):
        if not (BIN / exe).exists():
            print(f"{BIN / exe} missing: run `cargo build --release -p tepat-benches --bins` first",
                  file=sys.stderr)
            return 2
    zones = args.zones or (2_000 if args.quick else 20_000)
    city = DATA / f"synth_{zones}"
    subprocess.run([str(BIN / "synth_city"), "--out", str(city), "--zones", str(zones)], check=True)

    import esda
    import geopandas as gpd
    import libpysal
    import numba
    import numpy as np
    from libpysal.weights import Queen

    cores = os.cpu_count() or 1
    print(f"machine: {cores} cpus, {platform.platform()}; python {platform.python_version()}")
    print(f"versions: libpysal {libpysal.__version__}, esda {esda.__version__}, numba {numba.__version__}, "
          f"geopandas {gpd.__version__}")

    gdf = gpd.read_file(city / "kelurahan.geojson")
    y = gdf[FIELD].to_numpy(dtype=float)
    ids = gdf["kode"].astype(str).to_numpy()
    print(f"layer: {len(gdf)} kelurahan, {int(gdf.geometry.count_coordinates().sum())} vertices")

    # Warm numba's JIT (untimed), as a long-running esda user would have it.
    small = gdf.iloc[:200]
    esda.Moran_Local(small[FIELD].to_numpy(float), Queen.from_dataframe(small, use_index=False, silence_warnings=True),
                     permutations=99, n_jobs=cores, seed=SEED)

    t_w, w = best_of(args.repeat, lambda: Queen.from_dataframe(gdf, use_index=False, silence_warnings=True))

    def lisa():
        wq = Queen.from_dataframe(gdf, use_index=False, silence_warnings=True)
        local = esda.Moran_Local(y, wq, transformation="r", permutations=PERMS, n_jobs=cores, seed=SEED)
        # The same outputs as tepat's run: its summary has the global I's permutation p too.
        esda.Moran(y, wq, transformation="r", permutations=PERMS)
        return local

    t_l, lm = best_of(args.repeat, lisa)
    moran = esda.Moran(y, w, transformation="r", permutations=0)

    reports, rows = run_tepat(city, args.repeat)
    ok = True
    tw, tl = reports["weights"], reports["local_moran"]
    pairs = tl["summary"]["weights"]["pairs"]
    if pairs != int(w.nonzero):
        print(f"DISAGREE: neighbour pairs tepat {pairs} libpysal {int(w.nonzero)}")
        ok = False
    mi = tw["summary"]["moran_i"]
    if abs(mi - moran.I) > 1e-9 * abs(moran.I):
        print(f"DISAGREE: Moran's I tepat {mi} esda {moran.I}")
        ok = False
    by_id = {r["id"]: r for r in rows}
    stat = np.array([by_id[i]["stat"] for i in ids])
    p = np.array([by_id[i]["p"] for i in ids])
    dev = np.abs(stat - lm.Is) / np.maximum(np.abs(lm.Is), 1.0)
    if dev.max() > 1e-9:
        print(f"DISAGREE: local I_i, largest deviation {dev.max():.2e}")
        ok = False
    # esda draws ONE matrix of permutations shared by every feature (crand.vec_permutations), so
    # its Monte-Carlo errors are correlated across features: the mean difference between two
    # esda runs with different seeds is itself far from 0 (−0.30 standard errors between seeds
    # 1 and 3 on this layer). tepat draws an independent stream per feature. So compare tepat
    # with the mean of K esda runs and judge the mean difference against the spread of the
    # esda runs' own mean differences, not against independence.
    runs = [lm.p_sim] + [
        esda.Moran_Local(y, w, transformation="r", permutations=PERMS, n_jobs=cores, seed=SEED + r).p_sim
        for r in range(1, ESDA_RUNS)
    ]
    p_ref = np.mean(runs, axis=0)
    se = np.maximum(np.sqrt(p_ref * (1 - p_ref) / PERMS), 1.0 / PERMS)
    run_means = np.array([((pr - p_ref) / se).mean() for pr in runs])
    # Sample sd of one run's common shift (deviations from the K-mean lose a factor √((K−1)/K)).
    sigma = run_means.std(ddof=1) * np.sqrt(ESDA_RUNS / (ESDA_RUNS - 1))
    tolerance = 3 * sigma / np.sqrt(ESDA_RUNS) + 0.03
    zd = (p - p_ref) / se
    # The spread, from the binomial model rather than from the esda runs: their mean squares
    # swing by a factor of 3 between seeds (0.58–1.67 on this layer) because one shared
    # permutation matrix moves all features together, while tepat's independent streams give
    # a mean square over 20,000 features that sits close to its expectation. A feature's folded
    # p-value has the variance v of (min(L, P − L) + 1) / (P + 1), L ~ Binomial(P, q); tepat's
    # difference from the K-mean has variance v (1 + 1/K).
    expected_msq = float(np.mean(folded_variance(p_ref, PERMS) * (1 + 1 / ESDA_RUNS) / se**2))
    ratio_msq = float((zd**2).mean()) / expected_msq
    if abs(zd.mean()) > tolerance or not (0.8 < ratio_msq < 1.3):
        print(f"DISAGREE: p-values vs the mean of {ESDA_RUNS} esda runs: mean standardised difference "
              f"{zd.mean():.3f} (tolerance {tolerance:.3f}), mean square {(zd**2).mean():.3f} "
              f"(binomial expectation {expected_msq:.3f}; 0.8–1.3 of it allowed)")
        ok = False
    print(f"agreement: {pairs} pairs, Moran's I {mi:.12f}; local I_i max deviation {dev.max():.1e}; "
          f"p-values vs the mean of {ESDA_RUNS} esda seeds: mean standardised difference {zd.mean():.3f} "
          f"(esda seeds' own: {', '.join(f'{m:.3f}' for m in run_means)}; tolerance {tolerance:.3f}), "
          f"mean square {(zd**2).mean():.3f} (binomial expectation {expected_msq:.3f})")

    results = [
        ("weights (queen)", tw["seconds"], t_w, "libpysal Queen.from_dataframe"),
        (f"local Moran, {PERMS} perms (incl. weights)", tl["seconds"], t_l,
         f"Queen.from_dataframe + esda Moran_Local n_jobs={cores}"),
    ]
    print(f"\n{'task':<40} {'tepat s':>10} {'peer s':>10} {'ratio':>8}  peer")
    for name, a, b, peer in results:
        print(f"{name:<40} {a:>10.4f} {b:>10.4f} {b / a:>7.1f}×  {peer}")
    print(f"(tepat threads: {tl['threads']}; fastest of {args.repeat} runs each)")
    if args.json:
        args.json.write_text(json.dumps([
            {"task": n, "tepat_seconds": a, "peer_seconds": b, "ratio": b / a, "peer": peer}
            for n, a, b, peer in results], indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
