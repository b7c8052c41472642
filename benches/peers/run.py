#!/usr/bin/env python3
"""tepat vs GeoPandas vs DuckDB spatial on the same generated data, side by side.

Tasks (sizes from the issue; ``--quick`` for a smoke run in seconds):

* ``join``: which polygon holds each point, counted per polygon
  (1M and 5M points into 1k and 20k polygons);
* ``nearest``: the nearest facility of each point, counted per facility
  (1M points, 5k facilities).

Each tool loads the files first (untimed), then times only the work: building its
spatial index plus the join plus the per-target counts. tepat runs as the
``peer_rust`` binary (``cargo build --release -p tepat-benches --bins``); GeoPandas
uses ``gpd.sjoin(points, polys, predicate="within")`` and ``gpd.sjoin_nearest``;
DuckDB uses its spatial extension (``ST_Contains`` join; nearest via an
``ST_DWithin`` candidate join with a growing radius). The per-target counts of every
peer must equal tepat's exactly, else the script exits with status 1.

Data: ``peer_data`` writes dyadic coordinates (exact in decimal), so all tools read
bit-identical doubles; no point lies on a polygon boundary (``peer_rust`` reports
``boundary_points``) and no point has two equidistant nearest facilities (``ties``),
so the boundary and tie rules of the tools cannot make the counts differ.

DuckDB's spatial extension is loaded from the ``duckdb-extension-spatial`` PyPI
package (the extension server is not reachable offline); its version must equal
duckdb's, as pinned in requirements.txt.

Usage (from the repository root)::

    cargo build --release -p tepat-benches --bins
    python benches/peers/run.py [--quick] [--repeat R] [--only join|nearest]
                                [--max-points N] [--peers geopandas,duckdb] [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "benches" / "peers" / "data"
BIN = ROOT / "target" / "release"

FULL = {
    "join": [(1_000_000, 1_000), (1_000_000, 20_000), (5_000_000, 1_000), (5_000_000, 20_000)],
    "nearest": [(1_000_000, 5_000)],
}
QUICK = {
    "join": [(100_000, 1_000), (100_000, 5_000)],
    "nearest": [(100_000, 1_000)],
}


def checksum(counts) -> str:
    """Same as tepat_benches::counts_checksum: SHA-256 of the counts one per line."""
    return hashlib.sha256("".join(f"{int(c)}\n" for c in counts).encode()).hexdigest()


def best_of(repeat: int, fn):
    """Runs fn() `repeat` times; returns (fastest seconds, last result)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


# --------------------------------------------------------------------------- tepat
def run_tepat(task, n, m, repeat):
    counts_file = DATA / f"tepat_counts_{task}_{n}_{m}.txt"
    cmd = [str(BIN / "peer_rust"), "--task", task, "--points", str(DATA / f"points_{n}.csv"),
           "--counts-out", str(counts_file), "--repeat", str(repeat)]
    if task == "join":
        cmd += ["--polygons", str(DATA / f"polygons_{m}.csv")]
    else:
        cmd += ["--facilities", str(DATA / f"facilities_{m}.csv")]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    counts = [int(line) for line in counts_file.read_text().split()]
    if checksum(counts) != report["counts_checksum"]:
        raise SystemExit(f"tepat counts file and checksum disagree for {task} {n} {m}")
    return report["seconds"], counts, report


# ------------------------------------------------------------------------ loading
def load_points_xy(n):
    import pyarrow.csv as pcsv

    t = pcsv.read_csv(DATA / f"points_{n}.csv")
    return t.column("x").to_numpy(), t.column("y").to_numpy()


# ---------------------------------------------------------------------- GeoPandas
class GeoPandasPeer:
    name = "geopandas"

    def __init__(self):
        import geopandas  # noqa: F401  (fail early with a clear message)

    def join(self, n, m, repeat):
        import geopandas as gpd
        import numpy as np
        import pandas as pd
        import shapely

        x, y = load_points_xy(n)
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y))
        p = pd.read_csv(DATA / f"polygons_{m}.csv")
        polys = gpd.GeoDataFrame({"zone": p["id"].to_numpy()}, geometry=shapely.from_wkt(p["wkt"].to_numpy()))

        def work():
            j = gpd.sjoin(points, polys, predicate="within", how="inner")
            return np.bincount(j["zone"].to_numpy(), minlength=len(polys))

        return best_of(repeat, work)

    def nearest(self, n, k, repeat):
        import geopandas as gpd
        import numpy as np
        import pandas as pd

        x, y = load_points_xy(n)
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y))
        f = pd.read_csv(DATA / f"facilities_{k}.csv")
        fac = gpd.GeoDataFrame({"fid": f["id"].to_numpy()}, geometry=gpd.points_from_xy(f["x"], f["y"]))

        def work():
            j = gpd.sjoin_nearest(points, fac, how="inner")
            # sjoin_nearest returns every equidistant facility; keep the lowest id, as tepat.
            j = j.reset_index().sort_values(["index", "fid"]).drop_duplicates("index")
            return np.bincount(j["fid"].to_numpy(), minlength=len(fac))

        return best_of(repeat, work)


# ------------------------------------------------------------------------- DuckDB
def spatial_extension_path():
    """The spatial extension bundled by the duckdb-extension-spatial PyPI package."""
    import duckdb
    import duckdb_extension_spatial

    base = pathlib.Path(duckdb_extension_spatial.__file__).parent / "extensions"
    path = base / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    if not path.exists():
        have = sorted(p.name for p in base.iterdir()) if base.exists() else []
        raise SystemExit(
            f"duckdb {duckdb.__version__} needs duckdb-extension-spatial=={duckdb.__version__} "
            f"(installed package bundles {have}); install the versions pinned in requirements.txt"
        )
    return path


class DuckDBPeer:
    name = "duckdb"

    def __init__(self):
        import duckdb

        self.con = duckdb.connect()
        # LOAD by path: no download from the extension server, works offline.
        self.con.execute(f"LOAD '{spatial_extension_path()}'")
        self.threads = self.con.execute("SELECT current_setting('threads')").fetchone()[0]

    def _load_points(self, n):
        self.con.execute(
            "CREATE OR REPLACE TABLE pts AS SELECT (row_number() OVER () - 1)::BIGINT AS pid, "
            "ST_Point(x, y) AS geom FROM read_csv(?, header = true, columns = {'x': 'DOUBLE', 'y': 'DOUBLE'})",
            [str(DATA / f"points_{n}.csv")],
        )

    def join(self, n, m, repeat):
        import numpy as np

        self._load_points(n)
        self.con.execute(
            "CREATE OR REPLACE TABLE polys AS SELECT id::BIGINT AS id, ST_GeomFromText(wkt) AS geom "
            "FROM read_csv(?, header = true, columns = {'id': 'BIGINT', 'wkt': 'VARCHAR'})",
            [str(DATA / f"polygons_{m}.csv")],
        )
        q = ("SELECT polys.id, count(*) FROM pts JOIN polys ON ST_Contains(polys.geom, pts.geom) "
             "GROUP BY polys.id")

        def work():
            counts = np.zeros(m, dtype=np.int64)
            for zid, c in self.con.execute(q).fetchall():
                counts[zid] = c
            return counts

        return best_of(repeat, work)

    def nearest(self, n, k, repeat):
        """No k-NN join in DuckDB spatial: join each point to the facilities within a radius
        (its spatial join operator handles ST_DWithin), keep the closest (ties: lowest id),
        and retry the points that found none with double the radius."""
        import numpy as np

        self._load_points(n)
        self.con.execute(
            "CREATE OR REPLACE TABLE fac AS SELECT id::BIGINT AS fid, ST_Point(x, y) AS geom "
            "FROM read_csv(?, header = true, columns = {'id': 'BIGINT', 'x': 'DOUBLE', 'y': 'DOUBLE'})",
            [str(DATA / f"facilities_{k}.csv")],
        )
        extent = self.con.execute(
            "SELECT max(ST_X(geom)) - min(ST_X(geom)), max(ST_Y(geom)) - min(ST_Y(geom)) FROM fac").fetchone()
        # Twice the mean spacing of the facilities: most points find one in the first pass.
        r0 = 2.0 * (max(extent[0] * extent[1], 1.0) / k) ** 0.5

        def work():
            self.con.execute("CREATE OR REPLACE TEMP TABLE todo AS SELECT pid, geom FROM pts")
            self.con.execute("CREATE OR REPLACE TEMP TABLE found (pid BIGINT, fid BIGINT)")
            r = r0
            while self.con.execute("SELECT count(*) FROM todo").fetchone()[0] > 0:
                self.con.execute(
                    "INSERT INTO found SELECT pid, fid FROM ("
                    " SELECT todo.pid, fac.fid, row_number() OVER (PARTITION BY todo.pid"
                    "   ORDER BY ST_Distance(todo.geom, fac.geom), fac.fid) AS rk"
                    " FROM todo JOIN fac ON ST_DWithin(todo.geom, fac.geom, ?)) WHERE rk = 1",
                    [r],
                )
                self.con.execute("DELETE FROM todo WHERE pid IN (SELECT pid FROM found)")
                r *= 2.0
            counts = np.zeros(k, dtype=np.int64)
            for fid, c in self.con.execute("SELECT fid, count(*) FROM found GROUP BY fid").fetchall():
                counts[fid] = c
            return counts

        return best_of(repeat, work)


# --------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (seconds, for a smoke test)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool and case; the fastest counts")
    ap.add_argument("--only", choices=["join", "nearest"], help="run one task only")
    ap.add_argument("--max-points", type=int, help="skip the cases with more points than this")
    ap.add_argument("--peers", default="geopandas,duckdb", help="comma-separated peers to run beside tepat")
    ap.add_argument("--json", type=pathlib.Path, help="also write the results to this file")
    args = ap.parse_args()

    sizes = QUICK if args.quick else FULL
    tasks = [args.only] if args.only else ["join", "nearest"]
    cases = [(t, n, m) for t in tasks for (n, m) in sizes[t] if not args.max_points or n <= args.max_points]
    for exe in ("peer_rust", "peer_data"):
        if not (BIN / exe).exists():
            print(f"{BIN / exe} missing: run `cargo build --release -p tepat-benches --bins` first",
                  file=sys.stderr)
            return 2

    ns = sorted({n for _, n, _ in cases})
    ms = sorted({m for t, _, m in cases if t == "join"})
    ks = sorted({m for t, _, m in cases if t == "nearest"})
    subprocess.run([str(BIN / "peer_data"), "--out", str(DATA),
                    "--points", ",".join(map(str, ns)),
                    "--polygons", ",".join(map(str, ms)),
                    "--facilities", ",".join(map(str, ks))], check=True)

    wanted = [t.strip() for t in args.peers.split(",") if t.strip()]
    peers = []
    for cls in (GeoPandasPeer, DuckDBPeer):
        if cls.name in wanted:
            peers.append(cls())

    import platform

    print(f"machine: {os.cpu_count()} cpus, {platform.platform()}; python {platform.python_version()}")
    versions = {}
    for mod in ("geopandas", "shapely", "duckdb"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            pass
    print("versions:", ", ".join(f"{k} {v}" for k, v in versions.items()),
          *(f"; duckdb threads {p.threads}" for p in peers if p.name == "duckdb"))

    results, failures = [], []
    for task, n, m in cases:
        t_sec, t_counts, report = run_tepat(task, n, m, args.repeat)
        row = {"task": task, "n_points": n, ("n_polygons" if task == "join" else "n_facilities"): m,
               "tepat": t_sec, "tepat_threads": report.get("threads"),
               "boundary_points": report.get("boundary_points"), "ties": report.get("ties")}
        for peer in peers:
            secs, counts = getattr(peer, task)(n, m, args.repeat)
            same = list(map(int, counts)) == t_counts
            row[peer.name] = secs
            row[f"{peer.name}_ratio"] = secs / t_sec if t_sec > 0 else float("inf")
            row[f"{peer.name}_counts_equal"] = same
            if not same:
                diff = [i for i, (a, b) in enumerate(zip(counts, t_counts)) if int(a) != b][:5]
                failures.append(f"{peer.name} {task} {n}x{m}: counts differ from tepat's "
                                f"(first targets {diff}; totals {int(sum(counts))} vs {sum(t_counts)})")
        results.append(row)
        print_row(row, peers)

    print()
    print_table(results, peers)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    for f in failures:
        print("MISMATCH:", f, file=sys.stderr)
    return 1 if failures else 0


def print_row(row, peers):
    m = row.get("n_polygons", row.get("n_facilities"))
    parts = [f"{row['task']} {row['n_points']:,} x {m:,}: tepat {row['tepat']:.3f}s"]
    for p in peers:
        parts.append(f"{p.name} {row[p.name]:.3f}s ({row[p.name + '_ratio']:.1f}x, "
                     f"counts {'equal' if row[p.name + '_counts_equal'] else 'DIFFER'})")
    print("; ".join(parts), flush=True)


def print_table(results, peers):
    head = ["task", "points", "targets", "tepat s"]
    for p in peers:
        head += [f"{p.name} s", f"{p.name}/tepat", "counts"]
    rows = []
    for r in results:
        m = r.get("n_polygons", r.get("n_facilities"))
        line = [r["task"], f"{r['n_points']:,}", f"{m:,}", f"{r['tepat']:.3f}"]
        for p in peers:
            line += [f"{r[p.name]:.3f}", f"{r[p.name + '_ratio']:.1f}x",
                     "equal" if r[p.name + "_counts_equal"] else "DIFFER"]
        rows.append(line)
    widths = [max(len(h), *(len(x[i]) for x in rows)) if rows else len(h) for i, h in enumerate(head)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in rows:
        print("| " + " | ".join(x.ljust(w) for x, w in zip(line, widths)) + " |")


if __name__ == "__main__":
    sys.exit(main())
