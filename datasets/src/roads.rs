//! The road network `jalan`: a slightly rotated, gently warped street grid (250 m blocks)
//! on the land. Every 2 km a street is an arteri, every 1 km a kolektor, the rest are
//! lokal streets where people live. Crossing streets share the exact coordinates of their
//! junction, and only the largest connected part is kept, so the network routes.

use crate::fields::{self, round_to};
use crate::grid::Grid;
use crate::names::{local_street, MAIN_STREETS};
use crate::noise::Noise;
use geo::{Coord, Euclidean, Geometry, Intersects, Length, Line, LineString};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use tepat_engine::layer::{Layer, Role};
use tepat_engine::project::LayerSpec;
use tepat_engine::Result;

/// Block size (m).
const SPACING: f64 = 250.0;
/// Lattice half-width in blocks (covers the whole grid from the centre).
const REACH: i64 = 60;

/// Road class of the `index`-th street of the lattice.
fn class(index: i64) -> &'static str {
    match index.rem_euclid(8) {
        0 => "arteri",
        4 => "kolektor",
        _ => "lokal",
    }
}

/// What the network is laid out on.
pub(crate) struct Ground<'a> {
    pub grid: &'a Grid,
    /// Cells well inside the city's land.
    pub land: &'a [bool],
    /// Relative population density per cell.
    pub density: &'a [f64],
    pub river: &'a LineString,
    pub centre: (f64, f64),
}

/// Lattice node id for (i, j).
fn node(i: i64, j: i64) -> usize {
    ((j + REACH) * (2 * REACH + 1) + (i + REACH)) as usize
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The `jalan` layer.
pub(crate) fn layer(g: &Ground, seed: u64, rng: &mut ChaCha8Rng) -> Result<(LayerSpec, Layer)> {
    let theta = rng.random_range(8.0f64..18.0).to_radians();
    let (u, v) = (
        Coord {
            x: theta.cos(),
            y: theta.sin(),
        },
        Coord {
            x: -theta.sin(),
            y: theta.cos(),
        },
    );
    let (wx, wy) = (Noise::new(seed, 61), Noise::new(seed, 62));
    let origin = Coord {
        x: g.centre.0,
        y: g.centre.1,
    };
    let side = (2 * REACH + 1) as usize;
    // Streets are not evenly spaced: each line of the lattice is shifted a little.
    let offset: Vec<f64> = (0..2 * side)
        .map(|_| rng.random_range(-55.0..55.0))
        .collect();
    let mut pos = vec![Coord { x: 0.0, y: 0.0 }; side * side];
    let mut ok = vec![false; side * side];
    for j in -REACH..=REACH {
        for i in -REACH..=REACH {
            let (a, b) = (
                offset[(i + REACH) as usize],
                offset[(j + REACH) as usize + side],
            );
            let p = origin + u * (i as f64 * SPACING + a) + v * (j as f64 * SPACING + b);
            let p = p + Coord {
                x: 90.0 * wx.fbm(p.x / 1_800.0, p.y / 1_800.0, 2),
                y: 90.0 * wy.fbm(p.x / 1_800.0, p.y / 1_800.0, 2),
            };
            pos[node(i, j)] = p;
            ok[node(i, j)] = on_land(g, p);
        }
    }
    let max_d = g.density.iter().copied().fold(0.0, f64::max).max(1e-12);
    // Edges: (line direction 0 = along u / 1 = along v, line index, step) → kept.
    let mut edges: BTreeMap<(u8, i64, i64), (usize, usize)> = BTreeMap::new();
    for dir in 0..2u8 {
        for line in -REACH..=REACH {
            let cls = class(line);
            for step in -REACH..REACH {
                let (a, b) = if dir == 0 {
                    (node(step, line), node(step + 1, line))
                } else {
                    (node(line, step), node(line, step + 1))
                };
                // Draw the randomness for every edge, so a change on land elsewhere does not
                // shift the rest of the network.
                let (r_keep, r_drop) = (rng.random_range(0.6..1.4), rng.random::<f64>());
                if !ok[a] || !ok[b] || !segment_on_land(g, pos[a], pos[b]) {
                    continue;
                }
                let mid = (pos[a] + pos[b]) * 0.5;
                let rel = g
                    .grid
                    .locate(mid.x, mid.y)
                    .map_or(0.0, |k| g.density[k] / max_d);
                let keep = match cls {
                    "arteri" => true,
                    "kolektor" => rel > 0.02 || r_drop < 0.5,
                    _ => {
                        rel > 0.1 * r_keep
                            && r_drop > 0.1
                            && !Line::new(pos[a], pos[b]).intersects(g.river)
                    }
                };
                if keep {
                    edges.insert((dir, line, step), (a, b));
                }
            }
        }
    }
    // Keep the largest connected part.
    let mut parent: Vec<usize> = (0..side * side).collect();
    for &(a, b) in edges.values() {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut size: BTreeMap<usize, usize> = BTreeMap::new();
    for &(a, _) in edges.values() {
        *size.entry(find(&mut parent, a)).or_default() += 1;
    }
    let main = size
        .iter()
        .max_by_key(|(r, s)| (**s, usize::MAX - **r))
        .map(|(r, _)| *r);
    edges.retain(|_, (a, _)| Some(find(&mut parent, *a)) == main);

    // One feature per unbroken run of a street.
    let (mut geoms, mut nama, mut kelas, mut panjang) = (vec![], vec![], vec![], vec![]);
    let (mut main_no, mut local_no) = (0usize, 0usize);
    for dir in 0..2u8 {
        for line in -REACH..=REACH {
            let cls = class(line);
            let mut runs: Vec<Vec<Coord>> = Vec::new();
            let mut cur: Vec<Coord> = Vec::new();
            for step in -REACH..REACH {
                match edges.get(&(dir, line, step)) {
                    Some(&(a, b)) => {
                        if cur.is_empty() {
                            cur.push(pos[a]);
                        }
                        cur.push(pos[b]);
                    }
                    None if !cur.is_empty() => runs.push(std::mem::take(&mut cur)),
                    None => {}
                }
            }
            if !cur.is_empty() {
                runs.push(cur);
            }
            if runs.is_empty() {
                continue;
            }
            let name = if cls == "lokal" {
                local_no += 1;
                local_street(local_no - 1)
            } else {
                main_no += 1;
                MAIN_STREETS[(main_no - 1) % MAIN_STREETS.len()].to_string()
            };
            for run in runs {
                let ls = LineString::new(run);
                panjang.push(round_to(Euclidean.length(&ls), 1));
                geoms.push(Some(Geometry::LineString(ls)));
                nama.push(name.clone());
                kelas.push(cls);
            }
        }
    }
    let n = geoms.len();
    let mut spec = fields::spec("jalan", Role::Network, "jalan.geojson");
    spec.id = Some("kode".into());
    let columns = vec![
        fields::text("kode", (1..=n).map(|i| format!("JL-{i:04}"))),
        fields::text("nama", nama),
        fields::text("kelas", kelas),
        fields::float("panjang_m", panjang),
    ];
    Ok((
        spec.clone(),
        fields::layer(&spec, Role::Network, geoms, columns)?,
    ))
}

fn on_land(g: &Ground, p: Coord) -> bool {
    g.grid.locate(p.x, p.y).is_some_and(|k| g.land[k])
}

/// Every point of the segment, sampled every 20 m, lies on land.
fn segment_on_land(g: &Ground, a: Coord, b: Coord) -> bool {
    let d = b - a;
    let steps = ((d.x.hypot(d.y) / 20.0).ceil() as usize).max(1);
    (0..=steps).all(|s| on_land(g, a + d * (s as f64 / steps as f64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_repeat_every_two_km() {
        assert_eq!(class(0), "arteri");
        assert_eq!(class(-8), "arteri");
        assert_eq!(class(4), "kolektor");
        assert_eq!(class(-4), "kolektor");
        assert_eq!(class(3), "lokal");
        assert_eq!(node(-REACH, -REACH), 0);
    }
}
