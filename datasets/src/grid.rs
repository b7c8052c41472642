//! The working grid of the demo city: 50 m cells in EPSG:32651 on which the land, the
//! terrain, the population and the zones are generated before they become polygons.
//! Cell `k = j * nx + i` covers `x0 + i·cell .. x0 + (i+1)·cell` and, with `j` counted from
//! the south, `y0 + j·cell .. y0 + (j+1)·cell`.

use std::collections::VecDeque;

/// A regular grid of square cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Grid {
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// West edge (m).
    pub x0: f64,
    /// South edge (m).
    pub y0: f64,
    /// Cell size (m).
    pub cell: f64,
}

impl Grid {
    /// The demo city's grid: 20 km × 15 km of 50 m cells around Manado Bay (UTM 51N).
    pub(crate) const DEMO: Grid = Grid {
        nx: 400,
        ny: 300,
        x0: 696_000.0,
        y0: 156_000.0,
        cell: 50.0,
    };

    /// Number of cells.
    pub(crate) fn len(&self) -> usize {
        self.nx * self.ny
    }

    /// Column and row (from the south) of cell `k`.
    pub(crate) fn ij(&self, k: usize) -> (usize, usize) {
        (k % self.nx, k / self.nx)
    }

    /// Centre of cell `k` in world coordinates.
    pub(crate) fn center(&self, k: usize) -> (f64, f64) {
        let (i, j) = self.ij(k);
        (
            self.x0 + (i as f64 + 0.5) * self.cell,
            self.y0 + (j as f64 + 0.5) * self.cell,
        )
    }

    /// The cell containing (x, y), if inside the grid.
    pub(crate) fn locate(&self, x: f64, y: f64) -> Option<usize> {
        let fi = ((x - self.x0) / self.cell).floor();
        let fj = ((y - self.y0) / self.cell).floor();
        if fi < 0.0 || fj < 0.0 || fi >= self.nx as f64 || fj >= self.ny as f64 {
            return None;
        }
        Some(fj as usize * self.nx + fi as usize)
    }

    /// The 4-neighbours of cell `k` that are inside the grid.
    pub(crate) fn neighbours4(&self, k: usize) -> impl Iterator<Item = usize> {
        let (i, j) = self.ij(k);
        let nx = self.nx;
        [
            (i > 0).then(|| k - 1),
            (i + 1 < self.nx).then(|| k + 1),
            (j > 0).then(|| k - nx),
            (j + 1 < self.ny).then(|| k + nx),
        ]
        .into_iter()
        .flatten()
    }

    /// The up to 8 neighbours of cell `k` (edge cells have fewer).
    pub(crate) fn neighbours8(&self, k: usize) -> impl Iterator<Item = usize> {
        let (i, j) = self.ij(k);
        let (nx, ny) = (self.nx as i64, self.ny as i64);
        (-1i64..=1)
            .flat_map(|dj| (-1i64..=1).map(move |di| (di, dj)))
            .filter(|&(di, dj)| di != 0 || dj != 0)
            .filter_map(move |(di, dj)| {
                let (a, b) = (i as i64 + di, j as i64 + dj);
                (a >= 0 && b >= 0 && a < nx && b < ny).then(|| (b * nx + a) as usize)
            })
    }

    /// True when cell `k` is not on the grid's outer edge.
    pub(crate) fn is_inner(&self, k: usize) -> bool {
        let (i, j) = self.ij(k);
        i > 0 && j > 0 && i + 1 < self.nx && j + 1 < self.ny
    }

    /// Euclidean distance (m) from every cell centre to the nearest `site` cell centre
    /// (exact, Felzenszwalb–Huttenlocher). With no site at all, every distance is huge.
    pub(crate) fn distance_to(&self, site: &[bool]) -> Vec<f64> {
        const FAR: f64 = 1e20;
        let (nx, ny) = (self.nx, self.ny);
        let mut d2: Vec<f64> = site.iter().map(|&s| if s { 0.0 } else { FAR }).collect();
        let n = nx.max(ny);
        let (mut f, mut out) = (vec![0.0; n], vec![0.0; n]);
        let (mut v, mut z) = (vec![0usize; n], vec![0.0; n + 1]);
        for i in 0..nx {
            for j in 0..ny {
                f[j] = d2[j * nx + i];
            }
            edt_1d(&f[..ny], &mut out[..ny], &mut v, &mut z);
            for j in 0..ny {
                d2[j * nx + i] = out[j];
            }
        }
        for j in 0..ny {
            f[..nx].copy_from_slice(&d2[j * nx..(j + 1) * nx]);
            edt_1d(&f[..nx], &mut out[..nx], &mut v, &mut z);
            d2[j * nx..(j + 1) * nx].copy_from_slice(&out[..nx]);
        }
        d2.into_iter().map(|d| d.sqrt() * self.cell).collect()
    }

    /// 4-connected components of equal, non-zero labels. Returns the component of every cell
    /// (`u32::MAX` for label 0) and, per component, its label and size. Components are
    /// numbered in scan order, so the numbering is deterministic.
    pub(crate) fn components(&self, labels: &[u32]) -> (Vec<u32>, Vec<(u32, usize)>) {
        let mut comp = vec![u32::MAX; labels.len()];
        let mut info = Vec::new();
        let mut queue = VecDeque::new();
        for start in 0..labels.len() {
            let l = labels[start];
            if l == 0 || comp[start] != u32::MAX {
                continue;
            }
            let id = info.len() as u32;
            comp[start] = id;
            queue.push_back(start);
            let mut size = 0;
            while let Some(k) = queue.pop_front() {
                size += 1;
                for m in self.neighbours4(k) {
                    if labels[m] == l && comp[m] == u32::MAX {
                        comp[m] = id;
                        queue.push_back(m);
                    }
                }
            }
            info.push((l, size));
        }
        (comp, info)
    }
}

/// One-dimensional squared distance transform of the sampled function `f` (lower envelope
/// of parabolas). `v` and `z` are scratch buffers of at least `f.len()` / `f.len() + 1`.
fn edt_1d(f: &[f64], d: &mut [f64], v: &mut [usize], z: &mut [f64]) {
    let n = f.len();
    if n == 0 {
        return;
    }
    let mut k = 0usize;
    v[0] = 0;
    z[0] = f64::NEG_INFINITY;
    z[1] = f64::INFINITY;
    let sq = |q: usize| (q * q) as f64;
    for q in 1..n {
        let mut s;
        loop {
            let p = v[k];
            s = ((f[q] + sq(q)) - (f[p] + sq(p))) / (2.0 * q as f64 - 2.0 * p as f64);
            // z[0] is -inf, so this stops at k == 0.
            if s <= z[k] && k > 0 {
                k -= 1;
            } else {
                break;
            }
        }
        k += 1;
        v[k] = q;
        z[k] = s;
        z[k + 1] = f64::INFINITY;
    }
    k = 0;
    for (q, dq) in d.iter_mut().enumerate().take(n) {
        while z[k + 1] < q as f64 {
            k += 1;
        }
        let p = v[k];
        let dx = q as f64 - p as f64;
        *dq = dx * dx + f[p];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Grid {
        Grid {
            nx: 7,
            ny: 5,
            x0: 0.0,
            y0: 0.0,
            cell: 10.0,
        }
    }

    #[test]
    fn distance_transform_matches_brute_force() {
        let g = small();
        let mut site = vec![false; g.len()];
        site[3] = true;
        site[2 * 7 + 6] = true;
        site[4 * 7] = true;
        let d = g.distance_to(&site);
        for (k, dk) in d.iter().enumerate() {
            let (x, y) = g.center(k);
            let brute = (0..g.len())
                .filter(|&s| site[s])
                .map(|s| {
                    let (sx, sy) = g.center(s);
                    ((x - sx).powi(2) + (y - sy).powi(2)).sqrt()
                })
                .fold(f64::INFINITY, f64::min);
            assert!((dk - brute).abs() < 1e-9, "cell {k}: {dk} vs {brute}");
        }
    }

    #[test]
    fn components_are_four_connected() {
        let g = Grid {
            nx: 3,
            ny: 3,
            x0: 0.0,
            y0: 0.0,
            cell: 1.0,
        };
        // Diagonal contact only: two components of label 1.
        let labels = [1, 0, 0, 0, 1, 0, 2, 2, 0];
        let (comp, info) = g.components(&labels);
        assert_eq!(info, vec![(1, 1), (1, 1), (2, 2)]);
        assert_eq!(comp[1], u32::MAX);
        assert_eq!(comp[6], comp[7]);
    }

    #[test]
    fn locate_and_neighbours() {
        let g = small();
        assert_eq!(g.locate(15.0, 25.0), Some(2 * 7 + 1));
        assert_eq!(g.locate(-1.0, 5.0), None);
        assert_eq!(g.locate(70.0, 5.0), None);
        assert_eq!(g.neighbours4(0).count(), 2);
        assert_eq!(g.neighbours8(0).count(), 3);
        assert_eq!(g.neighbours8(8).count(), 8);
        assert!(g.is_inner(8) && !g.is_inner(0));
        assert_eq!(g.center(8), (15.0, 15.0));
    }
}
