#!/usr/bin/env python3
"""Golden files for the `weights` module and the `hotspots` analysis
(engine/tests/weights.rs, engine/tests/hotspots.rs), computed with libpysal and esda.

    python engine/tests/golden/make_esda.py          # from the repository root

Needs (pinned as used): libpysal==4.14.1, esda==2.9.0, numba==0.68.1, geopandas==1.2.0,
pyogrio==0.13.0, numpy==2.4.6, scipy==1.17.1. Reads the classic libpysal datasets from
../shared/datasets/real/libpysal-classic/ (relative to the repository root): columbus
(columbus.shp, CRIME), stl (stl_hom.shp, HR8893), sids2 (sids2.shp, SIDR74, SID79/BIR79),
in file order, coordinates as stored (planar units / degrees, no reprojection: libpysal
measures distances in the file's units, and so do these tests). Writes next to this script:

    weights_libpysal.json   per dataset: queen, rook (from_dataframe, vertex rule), knn
                            (k = 4, on shapely centroids) and distance band (binary, at 1.25 ×
                            libpysal's min_threshold_distance) neighbour lists, 0-based
                            feature indices, each list ascending. knn is checked to have no
                            tie at the k-th distance (else the golden would encode libpysal's
                            KD-tree tie order, which is arbitrary).
    esda_global.json        Moran (R, two-tailed): I, EI, VI_norm, z_norm, p_norm, VI_rand,
                            z_rand, p_rand, p_sim (99,999 permutations) on stl HR8893, sids2
                            SIDR74, columbus CRIME, with queen and with rook from the shapes,
                            and which of the two the shipped GAL file is (stl.gal and
                            sids2.gal are rook: the published I = 0.2436558 and 0.2477252 are
                            rook values); Moran_Rate (Assunção–Reis EB, sids2 SID79 / BIR79,
                            rook); the self-contained
                            Getis-Ord example of esda's tests (REFERENCES §5 D).
    esda_local.csv          per dataset and feature (queen from the shapes): local Moran (R)
                            Is, q, EI, VI, z, p_sim; Gi and Gi* with binary and row-standardised
                            weights: G, EG, VG, Z (analytic), p_sim. p_sim from 99,999
                            conditional permutations (numba crand), so its own Monte-Carlo
                            error (≤ 0.0016) is small beside that of a 999-permutation run.

What is compared and why, for the formulas (not only outputs):

* Moran's I moments: esda's VI_norm and VI_rand are Cliff & Ord's (1981) normality and
  randomisation variances; checked by hand in hotspots.rs on a 3 × 3 lattice as well.
* Local Moran z: esda 2.9.0 computes the total-randomisation moments of Sokal, Oden &
  Thomson (1998) eqs. A3/A4* (with the m4 = Σz⁴/n fix of esda#390) for I_i = z_i Σ w_ij z_j
  / m2, while its `Is` is (n−1)/n times that; so the golden z is
  (Is · n/(n−1) − EI) / √VI, written out here, not a column esda reports.
* Gi / Gi*: esda's analytic variance, W_i (N − W_i) / ((N−1) N²) · s²/ȳ², is Getis & Ord's
  (1992) for binary weights. For general weights (row-standardised, kernel) the exact
  permutation variance (Ord & Getis 1995) is (N S1_i − W_i²) / ((N−1) N²) · s²/ȳ², with
  S1_i = Σ_j w_ij². The two agree for binary weights only; tepat uses the general one, so
  its z is the same for B and R weights (G_i scales by 1/W_i, z does not), and the test
  compares with esda's binary columns to 1e-9 and with its row-standardised ones only to show
  the difference. The `*_r` columns are kept to document it.
"""
import json
import math
import sys
import warnings
from pathlib import Path

import esda
import geopandas as gpd
import libpysal
import numpy as np
from libpysal.weights import KNN, DistanceBand, Queen, Rook, min_threshold_distance
from libpysal.weights.util import get_points_array

warnings.filterwarnings("ignore")

HERE = Path(__file__).resolve().parent
CLASSIC = HERE.parents[2] / ".." / "shared" / "datasets" / "real" / "libpysal-classic"
DATASETS = {
    "columbus": ("columbus/columbus.shp", "CRIME"),
    "stl": ("stl/stl_hom.shp", "HR8893"),
    "sids2": ("sids2/sids2.shp", "SIDR74"),
}
K = 4
GAL = {"columbus": "columbus/columbus.gal", "stl": "stl/stl.gal", "sids2": "sids2/sids2.gal"}
BAND_FACTOR = 1.25
PERMS = 99_999
SEED = 12345


def lists(w):
    """0-based neighbour lists, ascending, in file order."""
    return [sorted(int(j) for j in w.neighbors[i]) for i in range(w.n)]


def knn_has_no_ties(pts, k):
    from scipy.spatial import cKDTree

    d, _ = cKDTree(pts).query(pts, k=k + 2)
    # column 0 is the point itself; k-th neighbour at column k, the next at k + 1
    gap = d[:, k + 1] - d[:, k]
    return bool((gap > 1e-9 * np.maximum(d[:, k], 1e-300)).all())


def main():
    if not CLASSIC.is_dir():
        sys.exit(f"missing {CLASSIC}")
    weights_out = {}
    global_out = {"versions": {"libpysal": libpysal.__version__, "esda": esda.__version__}}
    local_rows = []
    for name, (path, field) in DATASETS.items():
        df = gpd.read_file(CLASSIC / path)
        queen = Queen.from_dataframe(df, use_index=False, silence_warnings=True)
        rook = Rook.from_dataframe(df, use_index=False, silence_warnings=True)
        pts = get_points_array(df.geometry)
        if not knn_has_no_ties(pts, K):
            sys.exit(f"{name}: knn k={K} has ties; pick another k")
        knn = KNN.from_dataframe(df, k=K, use_index=False, silence_warnings=True)
        t = min_threshold_distance(pts) * BAND_FACTOR
        band = DistanceBand.from_dataframe(
            df, threshold=t, binary=True, use_index=False, silence_warnings=True
        )
        weights_out[name] = {
            "n": int(queen.n),
            "queen": lists(queen),
            "rook": lists(rook),
            "knn": {"k": K, "neighbors": lists(knn)},
            "distance": {"threshold": t, "neighbors": lists(band)},
        }

        # The shipped GAL file is one of the two contiguities rebuilt from the shapes
        # (stl.gal and sids2.gal are rook, columbus.gal queen): say which, so the test can
        # reproduce the published Moran's I from the shapes alone.
        gal = libpysal.io.open(str(CLASSIC / GAL[name])).read()
        pos = {v: k for k, v in enumerate(gal.id_order)}
        gal_lists = [sorted(pos[j] for j in gal.neighbors[v]) for v in gal.id_order]
        gal_is = [c for c, w in (("queen", queen), ("rook", rook)) if lists(w) == gal_lists]
        if not gal_is:
            sys.exit(f"{name}: {GAL[name]} is neither queen nor rook from the shapes")

        y = df[field].to_numpy(dtype=float)
        global_out[name] = {"field": field, "n": int(queen.n), "gal": GAL[name], "gal_is": gal_is[0]}
        for cname, w in (("queen", queen), ("rook", rook)):
            m = esda.Moran(y, w, transformation="r", permutations=PERMS, two_tailed=True)
            global_out[name][cname] = {
                "I": m.I,
                "EI": m.EI,
                "VI_norm": m.VI_norm,
                "z_norm": m.z_norm,
                "p_norm": m.p_norm,
                "VI_rand": m.VI_rand,
                "z_rand": m.z_rand,
                "p_rand": m.p_rand,
                "p_sim": float(m.p_sim),
                "permutations": PERMS,
            }

        n = len(y)
        lm = esda.Moran_Local(y, queen, transformation="r", permutations=PERMS, seed=SEED)
        z_total = (lm.Is * n / (n - 1) - lm.EI) / np.sqrt(lm.VI)
        g = {}
        for star in (False, True):
            for tr in ("B", "R"):
                gl = esda.G_Local(y, queen, transform=tr, permutations=PERMS, star=star, seed=SEED)
                g[("gistar" if star else "gi", tr.lower())] = gl
        for i in range(n):
            row = {
                "dataset": name,
                "index": i,
                "value": y[i],
                "moran_is": lm.Is[i],
                "moran_q": int(lm.q[i]),
                "moran_ei": lm.EI[i],
                "moran_vi": lm.VI[i],
                "moran_z": z_total[i],
                "moran_p_sim": lm.p_sim[i],
            }
            for (s, tr), gl in g.items():
                row[f"{s}_{tr}_g"] = gl.Gs[i]
                row[f"{s}_{tr}_eg"] = gl.EGs[i]
                row[f"{s}_{tr}_vg"] = gl.VGs[i]
                row[f"{s}_{tr}_z"] = gl.Zs[i]
                row[f"{s}_{tr}_p_sim"] = gl.p_sim[i]
            local_rows.append(row)

    # Empirical-Bayes rate (Assunção–Reis), as esda's Moran_Rate.
    sids = gpd.read_file(CLASSIC / DATASETS["sids2"][0])
    # sids2.gal (rook), as esda's docstring value uses.
    wr = Rook.from_dataframe(sids, use_index=False, silence_warnings=True)
    mr = esda.Moran_Rate(
        sids["SID79"].to_numpy(float), sids["BIR79"].to_numpy(float), wr,
        transformation="r", permutations=0, two_tailed=True,
    )
    global_out["sids2_rate"] = {
        "weights": "rook",
        "numerator": "SID79",
        "denominator": "BIR79",
        "I": mr.I,
        "EI": mr.EI,
        "z_norm": mr.z_norm,
        "p_norm": mr.p_norm,
        "eb": [float(v) for v in esda.smoothing.assuncao_rate(
            sids["SID79"].to_numpy(float), sids["BIR79"].to_numpy(float))],
    }

    # Getis-Ord, self-contained (esda's test_getisord.py): 6 points, DistanceBand(15).
    pts = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    yv = np.array([2, 3, 3.2, 5, 8, 7], float)
    wd = DistanceBand(pts, threshold=15)
    go = {"points": pts, "y": list(yv), "threshold": 15}
    for star in (False, True):
        for tr in ("B", "R"):
            gl = esda.G_Local(yv, wd, transform=tr, permutations=0, star=star)
            go[f"{'gistar' if star else 'gi'}_{tr.lower()}"] = {
                "G": list(map(float, gl.Gs)),
                "Z": list(map(float, gl.Zs)),
            }
    global_out["getis_ord_example"] = go

    (HERE / "weights_libpysal.json").write_text(json.dumps(weights_out) + "\n")
    (HERE / "esda_global.json").write_text(json.dumps(global_out, indent=1) + "\n")
    cols = list(local_rows[0].keys())
    with open(HERE / "esda_local.csv", "w") as f:
        f.write(",".join(cols) + "\n")
        for r in local_rows:
            f.write(",".join(repr(float(r[c])) if isinstance(r[c], (float, np.floating)) else str(r[c]) for c in cols) + "\n")
    print(f"wrote weights_libpysal.json, esda_global.json, esda_local.csv ({len(local_rows)} rows)")


if __name__ == "__main__":
    main()
