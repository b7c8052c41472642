//! Shared inputs for the benches and the peer comparison (see `benches/peers`).
//!
//! Everything is generated from a seed (ChaCha8), so the criterion benches, `peer_data` and
//! the tests see the same data on every machine:
//!
//! - [`points`]: N points uniform over the square `[0, SIDE]²`;
//! - [`polygons`]: M polygons tiling that square — a jittered grid of cells whose edges are
//!   wiggly polylines of 4–8 segments, so each cell has 16–32 vertices, and neighbours share
//!   their common edge vertex for vertex (no gaps, no overlaps);
//! - [`facilities`]: K points, the targets of the nearest-facility task;
//! - [`synth_city()`]: a whole city of any size built from those (zones, census blocks,
//!   overlapping flood classes, health centres), for the analyses' benches
//!   ([`synth_city`] module).
//!
//! **Coordinates are dyadic.** Polygon vertices lie on a 2⁻¹⁰ m lattice and points on odd
//! multiples of 2⁻¹¹ m, with `SIDE` small enough that every coordinate's decimal digits,
//! read as an integer, stay below 2⁵³. Their decimal form is then exact, and even a parser
//! that only does `digits / 10^k` in doubles (no correct-rounding machinery) reads them
//! bit for bit, so every reader of the CSV / WKT files the peers load (Rust, GEOS, pyarrow,
//! DuckDB) gets identical doubles, and the counts can be compared exactly. A point can never be a vertex (odd vs
//! even lattice) nor lie on an axis-parallel edge; landing exactly on a slanted edge is
//! possible in principle but expected well under once per 5M points (`peer_rust` reports
//! the number of boundary points so a mismatch would be explained, not silent).

pub mod synth_city;
pub use synth_city::{synth_city, SynthCity};

use geo::{Coord, LineString, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Side of the square (metres). Small enough that lattice coordinates stay exact in decimal.
pub const SIDE: f64 = 20_000.0;
/// Vertex lattice: 2⁻¹⁰ m.
const VERTEX_Q: f64 = 1.0 / 1024.0;
/// Point lattice: odd multiples of 2⁻¹¹ m.
const POINT_CELLS: u64 = (SIDE as u64) * 1024;

/// Seeds used by the benches and `peer_data` (one per kind of input, so changing N does not
/// change the polygons).
pub const SEED_POINTS: u64 = 20_240_601;
/// Seed of the polygon tiling.
pub const SEED_POLYGONS: u64 = 7_171;
/// Seed of the facilities.
pub const SEED_FACILITIES: u64 = 5_005;

pub(crate) fn q_vertex(v: f64) -> f64 {
    (v / VERTEX_Q).round() * VERTEX_Q
}

/// A point on the odd 2⁻¹¹ lattice, uniform over the square.
fn lattice_point(rng: &mut ChaCha8Rng) -> Coord {
    let x = rng.random_range(0..POINT_CELLS);
    let y = rng.random_range(0..POINT_CELLS);
    Coord {
        x: (2 * x + 1) as f64 / 2048.0,
        y: (2 * y + 1) as f64 / 2048.0,
    }
}

/// `n` points uniform over the square.
pub fn points(n: usize, seed: u64) -> Vec<Coord> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| lattice_point(&mut rng)).collect()
}

/// `k` facility points uniform over the square (same lattice as [`points`]).
pub fn facilities(k: usize, seed: u64) -> Vec<Coord> {
    points(k, seed ^ 0x9e37_79b9_7f4a_7c15)
}

/// Grid shape for `m` cells: the divisor of `m` closest to (and not above) √m by `m / it`.
pub fn grid_shape(m: usize) -> (usize, usize) {
    let m = m.max(1);
    let mut gx = (m as f64).sqrt().floor() as usize;
    while gx > 1 && m / gx * gx != m {
        gx -= 1;
    }
    (gx.max(1), m / gx.max(1))
}

/// `m` polygons tiling the square (row-major, cell (0,0) at the origin), each with 16–32
/// vertices, counter-clockwise, sharing edges exactly with their neighbours.
pub fn polygons(m: usize, seed: u64) -> Vec<Polygon> {
    if m == 0 {
        return Vec::new();
    }
    let (gx, gy) = grid_shape(m);
    let (w, h) = (SIDE / gx as f64, SIDE / gy as f64);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    // Cell corners, jittered by up to ±20% of a cell; on the square's border they only move
    // along it, and the four corners of the square stay put, so the union is the square.
    let mut corner = vec![Coord { x: 0.0, y: 0.0 }; (gx + 1) * (gy + 1)];
    for j in 0..=gy {
        for i in 0..=gx {
            let mut x = i as f64 * w;
            let mut y = j as f64 * h;
            if j != 0 && j != gy {
                y += rng.random_range(-0.2..0.2) * h;
            }
            if i != 0 && i != gx {
                x += rng.random_range(-0.2..0.2) * w;
            }
            corner[j * (gx + 1) + i] = Coord {
                x: q_vertex(x),
                y: q_vertex(y),
            };
        }
    }
    let c = |i: usize, j: usize| corner[j * (gx + 1) + i];

    // Interior vertices of an edge from a to b: 3–7 points at roughly even spacing, pushed
    // sideways by a wiggle that tapers to zero at the ends (so the corners keep a wide
    // angle and a cell can never self-intersect). Border edges stay straight.
    let edge = |a: Coord, b: Coord, border: bool, rng: &mut ChaCha8Rng| -> Vec<Coord> {
        let s = rng.random_range(4..=8usize);
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len = (dx * dx + dy * dy).sqrt();
        let (nx, ny) = (-dy / len, dx / len);
        (1..s)
            .map(|k| {
                let t = (k as f64 + rng.random_range(-0.2..0.2)) / s as f64;
                let off = if border {
                    0.0
                } else {
                    0.06 * len * (std::f64::consts::PI * t).sin() * rng.random_range(-1.0..1.0)
                };
                Coord {
                    x: q_vertex(a.x + t * dx + off * nx),
                    y: q_vertex(a.y + t * dy + off * ny),
                }
            })
            .collect()
    };
    // Horizontal edges (i,j)→(i+1,j) and vertical edges (i,j)→(i,j+1), generated once each.
    let mut horiz = Vec::with_capacity(gx * (gy + 1));
    for j in 0..=gy {
        for i in 0..gx {
            horiz.push(edge(c(i, j), c(i + 1, j), j == 0 || j == gy, &mut rng));
        }
    }
    let mut vert = Vec::with_capacity((gx + 1) * gy);
    for j in 0..gy {
        for i in 0..=gx {
            vert.push(edge(c(i, j), c(i, j + 1), i == 0 || i == gx, &mut rng));
        }
    }
    let mut out = Vec::with_capacity(gx * gy);
    for j in 0..gy {
        for i in 0..gx {
            let mut ring = Vec::with_capacity(33);
            ring.push(c(i, j));
            ring.extend(&horiz[j * gx + i]);
            ring.push(c(i + 1, j));
            ring.extend(&vert[j * (gx + 1) + i + 1]);
            ring.push(c(i + 1, j + 1));
            ring.extend(horiz[(j + 1) * gx + i].iter().rev());
            ring.push(c(i, j + 1));
            ring.extend(vert[j * (gx + 1) + i].iter().rev());
            ring.push(c(i, j));
            out.push(Polygon::new(LineString::new(ring), vec![]));
        }
    }
    out
}

/// Per-zone counts of an assignment (`None` = outside every zone).
pub fn counts(assignment: &[Option<usize>], n_zones: usize) -> Vec<u64> {
    let mut c = vec![0u64; n_zones];
    for z in assignment.iter().flatten() {
        c[*z] += 1;
    }
    c
}

/// SHA-256 (hex) of the counts written one per line (`"3\n0\n7\n"`); `run.py` computes the
/// same from each peer's counts.
pub fn counts_checksum(counts: &[u64]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for c in counts {
        h.update(c.to_string().as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// Reads the `x`, `y` columns of a CSV written by `peer_data` (points or facilities).
pub fn read_points_csv(path: &std::path::Path) -> anyhow::Result<Vec<Coord>> {
    use anyhow::Context;
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let headers = r.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{} has no '{name}' column", path.display()))
    };
    let (xi, yi) = (col("x")?, col("y")?);
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    while r.read_record(&mut rec)? {
        let f = |i: usize| -> anyhow::Result<f64> {
            let s = rec.get(i).unwrap_or_default();
            s.parse()
                .with_context(|| format!("{}: bad number '{s}'", path.display()))
        };
        out.push(Coord {
            x: f(xi)?,
            y: f(yi)?,
        });
    }
    Ok(out)
}

/// Reads the `wkt` column of a polygons CSV written by `peer_data`, in file order.
pub fn read_polygons_csv(path: &std::path::Path) -> anyhow::Result<Vec<geo::Geometry>> {
    use anyhow::Context;
    use wkt::TryFromWkt;
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let wi = r
        .headers()?
        .iter()
        .position(|h| h == "wkt")
        .with_context(|| format!("{} has no 'wkt' column", path.display()))?;
    let mut out = Vec::new();
    for (line, rec) in r.records().enumerate() {
        let rec = rec?;
        let text = rec.get(wi).unwrap_or_default();
        let g = geo::Geometry::try_from_wkt_str(text)
            .map_err(|e| anyhow::anyhow!("{} row {}: {e}", path.display(), line + 1))?;
        out.push(g);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BoundingRect, CoordsIter, Validation};
    use tepat_engine::kernels::point_in_polygon;
    use tepat_engine::rtree::SpatialIndex;

    #[test]
    fn grid_shapes() {
        assert_eq!(grid_shape(1000), (25, 40));
        assert_eq!(grid_shape(20_000), (125, 160));
        assert_eq!(grid_shape(5000), (50, 100));
        assert_eq!(grid_shape(7), (1, 7));
        assert_eq!(grid_shape(0), (1, 1));
    }

    #[test]
    fn polygons_tile_the_square() {
        let polys = polygons(300, 1);
        assert_eq!(polys.len(), 300);
        let mut area = 0.0;
        for (i, p) in polys.iter().enumerate() {
            assert!(p.is_valid(), "polygon {i}: {:?}", p.validation_errors());
            let n = p.exterior().coords_count() - 1;
            assert!((16..=32).contains(&n), "polygon {i} has {n} vertices");
            assert!(p.signed_area() > 0.0, "counter-clockwise");
            area += p.unsigned_area();
            let b = p.bounding_rect().expect("bbox");
            assert!(b.min().x >= 0.0 && b.min().y >= 0.0 && b.max().x <= SIDE && b.max().y <= SIDE);
        }
        // Shared edges are exact, so the areas add up to the square (up to rounding).
        assert!((area - SIDE * SIDE).abs() < 1e-3, "{area}");
    }

    #[test]
    fn every_point_lands_in_exactly_one_cell_and_none_on_a_boundary() {
        use geo::coordinate_position::{CoordPos, CoordinatePosition};
        let polys = polygons(200, 2);
        let geoms: Vec<Option<geo::Geometry>> =
            polys.iter().cloned().map(|p| Some(p.into())).collect();
        let pts = points(20_000, 3);
        let idx = SpatialIndex::build(&geoms);
        for p in &pts {
            let mut inside = 0;
            for z in idx.at_point(*p) {
                match polys[z].coordinate_position(p) {
                    CoordPos::Inside => inside += 1,
                    CoordPos::OnBoundary => panic!("{p:?} on the boundary of {z}"),
                    CoordPos::Outside => {}
                }
            }
            assert_eq!(inside, 1, "{p:?}");
        }
        let pts: Vec<Option<Coord>> = pts.into_iter().map(Some).collect();
        let c = counts(&point_in_polygon::assign(&pts, &geoms, &idx), polys.len());
        assert_eq!(c.iter().sum::<u64>(), 20_000);
    }

    #[test]
    fn coordinates_print_exactly() {
        // The decimal digits of every coordinate, as an integer, stay below 2^53 (16 digits
        // at most), so even the simplest exact parser path reads the same double.
        let ok = |v: f64| {
            let digits: String = v.to_string().chars().filter(char::is_ascii_digit).collect();
            digits.parse::<u64>().is_ok_and(|d| d < 1 << 53)
        };
        for p in points(1000, 4).iter().chain(facilities(100, 4).iter()) {
            assert!(ok(p.x) && ok(p.y), "{p:?}");
        }
        for p in polygons(100, 4) {
            for c in p.exterior().coords() {
                assert!(ok(c.x) && ok(c.y), "{c:?}");
            }
        }
    }

    #[test]
    fn files_round_trip_exactly() -> anyhow::Result<()> {
        use std::io::Write;
        use wkt::ToWkt;
        let dir = std::env::temp_dir().join(format!("tepat-benches-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let (pp, gp) = (dir.join("p.csv"), dir.join("g.csv"));
        let pts = points(500, 5);
        let polys = polygons(20, 5);
        let mut f = std::fs::File::create(&pp)?;
        writeln!(f, "x,y")?;
        for p in &pts {
            writeln!(f, "{},{}", p.x, p.y)?;
        }
        let mut f = std::fs::File::create(&gp)?;
        writeln!(f, "id,wkt")?;
        for (i, p) in polys.iter().enumerate() {
            writeln!(f, "{i},\"{}\"", p.wkt_string())?;
        }
        assert_eq!(read_points_csv(&pp)?, pts);
        let back = read_polygons_csv(&gp)?;
        let back: Vec<Polygon> = back
            .into_iter()
            .map(Polygon::try_from)
            .collect::<Result<_, _>>()?;
        assert_eq!(back, polys);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn deterministic_and_checksummed() {
        assert_eq!(points(10, 9), points(10, 9));
        assert_ne!(points(10, 9), points(10, 8));
        assert_eq!(polygons(50, 9), polygons(50, 9));
        // printf '3\n0\n7\n' | sha256sum
        assert_eq!(
            counts_checksum(&[3, 0, 7]),
            "3339b233e8ff5c85446e7701981b3a478d9a3851ac144c0f5e57af5d226ee59b"
        );
    }
}
