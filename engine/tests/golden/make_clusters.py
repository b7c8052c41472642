#!/usr/bin/env python3
"""Golden files for the `clusters` analysis (engine/tests/clusters.rs), computed with
scikit-learn (k-means, silhouette, DBSCAN) and spopt (SKATER).

    python engine/tests/golden/make_clusters.py      # from the repository root

Needs (pinned as used): scikit-learn==1.9.1, spopt==0.7.0, libpysal==4.14.1,
numpy==2.4.6, pandas==3.1.1. The inputs are generated here from a fixed numpy seed and
written as CSV with every number exact in decimal (coordinates on a 1/64 m lattice,
attributes rounded to 6 decimals, then re-read), so both sides read the same doubles.
Writes next to this script:

    clusters_kmeans.csv   id, a, b, c: 90 zones in three well-separated groups of
                          different sizes, in three units of very different scale.
    clusters_points.csv   id, x, y: 700 points around UTM 51N (700 km E, 150 km N): five
                          blobs of different spread and 150 uniform noise points.
    clusters_grid.csv     id, row, col, a, b, pop: a 10 × 10 lattice of unit squares
                          (id = row · 10 + col + 1), two attributes with four spatial
                          regimes plus noise, and a population.
    clusters_sklearn.json
        kmeans.standardised   z-scores of clusters_kmeans.csv (StandardScaler, ddof 0).
        kmeans.fixed          KMeans(k=4, init=the z-rows of ids 1, 31, 61, 90, n_init=1,
                              algorithm="lloyd", tol=0): labels, inertia.
        kmeans.plusplus       for k = 2..6: KMeans(k, n_init=10, random_state=0) inertia and
                              silhouette_score of its labels; labels for k = 3 (the true k).
        kmeans.silhouette     silhouette_samples of the k = 3 labels.
        dbscan                per setting (eps, min_samples): DBSCAN labels (−1 noise).
        skater                per setting (n_clusters, floor): spopt Skater labels on the
                              z-scores of a, b, queen contiguity (libpysal lat2W rook=False),
                              dissimilarity = squared Euclidean (so the score is the
                              within-region sum of squares, tepat's objective).

Labels are compared up to a permutation of the cluster numbers.
"""

import json
import pathlib

import numpy as np
import pandas as pd
from libpysal.weights import lat2W
from sklearn.cluster import DBSCAN, KMeans
from sklearn.metrics import pairwise as skm
from sklearn.metrics import silhouette_samples, silhouette_score
from sklearn.preprocessing import StandardScaler
from spopt.region import Skater

HERE = pathlib.Path(__file__).resolve().parent
rng = np.random.default_rng(20261127)


def write(df, name):
    df.to_csv(HERE / name, index=False, float_format="%.6f")
    return pd.read_csv(HERE / name)


# k-means: three groups (sizes 40, 30, 20) in units of very different scale.
centres = np.array([[10.0, 500.0, 0.2], [14.0, 900.0, 0.5], [6.0, 700.0, 0.9]])
spread = np.array([1.0, 60.0, 0.05])
rows = []
for g, size in enumerate([40, 30, 20]):
    rows.append(centres[g] + rng.normal(size=(size, 3)) * spread)
x = np.round(np.vstack(rows), 6)
perm = rng.permutation(len(x))
x = x[perm]
km = write(pd.DataFrame({"id": np.arange(1, len(x) + 1), "a": x[:, 0], "b": x[:, 1], "c": x[:, 2]}), "clusters_kmeans.csv")
X = km[["a", "b", "c"]].to_numpy()
Z = StandardScaler().fit_transform(X)
init_ids = [1, 31, 61, 90]
init = Z[[i - 1 for i in init_ids]]
fixed = KMeans(n_clusters=4, init=init, n_init=1, algorithm="lloyd", tol=0.0, max_iter=1000).fit(Z)
plusplus = {}
for k in range(2, 7):
    m = KMeans(n_clusters=k, n_init=10, random_state=0).fit(Z)
    plusplus[str(k)] = {"inertia": float(m.inertia_), "silhouette": float(silhouette_score(Z, m.labels_))}
    if k == 3:
        labels3 = m.labels_
plusplus["labels_k3"] = labels3.tolist()
kmeans = {
    "standardised": Z.tolist(),
    "fixed": {"init_ids": init_ids, "labels": fixed.labels_.tolist(), "inertia": float(fixed.inertia_)},
    "plusplus": plusplus,
    "silhouette": silhouette_samples(Z, labels3).tolist(),
}

# DBSCAN: five blobs + uniform noise, on a 1/64 m lattice.
blob_c = [(1000, 1000, 60), (2500, 1200, 120), (1800, 2600, 40), (3200, 3000, 200), (600, 3200, 90)]
blob_n = [120, 150, 80, 130, 70]
pts = [np.column_stack([rng.normal(cx, s, n), rng.normal(cy, s, n)]) for (cx, cy, s), n in zip(blob_c, blob_n)]
pts.append(rng.uniform(0, 4000, size=(150, 2)))
P = np.vstack(pts)
P = P[rng.permutation(len(P))]
P = np.round(P * 64) / 64 + np.array([700_000.0, 150_000.0])
pt = pd.DataFrame({"id": [f"P{i:04d}" for i in range(1, len(P) + 1)], "x": P[:, 0], "y": P[:, 1]})
pt.to_csv(HERE / "clusters_points.csv", index=False, float_format="%.6f")
pt = pd.read_csv(HERE / "clusters_points.csv")
PP = pt[["x", "y"]].to_numpy()
dbscan = []
for eps, ms in [(150.0, 5), (80.0, 10), (40.0, 4)]:
    lab = DBSCAN(eps=eps, min_samples=ms).fit(PP).labels_
    dbscan.append({"eps": eps, "min_samples": ms, "labels": lab.tolist(), "clusters": int(lab.max() + 1), "noise": int((lab == -1).sum())})

# SKATER on a 10 × 10 queen lattice with four regimes.
n = 10
r, c = np.divmod(np.arange(n * n), n)
regime = (r >= 5).astype(int) * 2 + (c >= 5).astype(int)
means = np.array([[0.0, 0.0], [3.0, 1.0], [1.0, 4.0], [4.0, 4.0]])
ab = np.round(means[regime] + rng.normal(scale=0.6, size=(n * n, 2)), 6)
pop = rng.integers(500, 3000, size=n * n)
grid = write(pd.DataFrame({"id": np.arange(1, n * n + 1), "row": r, "col": c, "a": ab[:, 0], "b": ab[:, 1], "pop": pop}), "clusters_grid.csv")
G = grid[["a", "b"]].to_numpy()
GZ = (G - G.mean(axis=0)) / G.std(axis=0)
gz = pd.DataFrame({"a": GZ[:, 0], "b": GZ[:, 1]})
w = lat2W(n, n, rook=False)
sq = {"dissimilarity": lambda a, b: skm.euclidean_distances(a, b, squared=True)}
skater = []
for k, floor in [(4, -np.inf), (6, 10), (5, 18)]:
    model = Skater(gz, w, ["a", "b"], n_clusters=k, floor=floor, spanning_forest_kwds=sq)
    model.solve()
    skater.append({"k": k, "floor": None if not np.isfinite(floor) else floor, "labels": np.asarray(model.labels_).tolist()})

with open(HERE / "clusters_sklearn.json", "w") as f:
    json.dump({"kmeans": kmeans, "dbscan": dbscan, "skater": skater}, f, indent=1)
print("wrote", HERE / "clusters_sklearn.json")
for d in dbscan:
    print("dbscan", d["eps"], d["min_samples"], "clusters", d["clusters"], "noise", d["noise"])
for s in skater:
    print("skater", s["k"], s["floor"], "regions", len(set(s["labels"])))
print("kmeans by k", {k: round(v["silhouette"], 4) for k, v in plusplus.items() if k != "labels_k3"})
