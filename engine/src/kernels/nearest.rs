//! Nearest-k and within-distance queries for many origins at once (parallel).

use crate::rtree::PointIndex;
use geo::Coord;
use rayon::prelude::*;

/// For each origin, the `k` nearest indexed features with distances, nearest first.
pub fn nearest_k(
    origins: &[Option<Coord>],
    targets: &PointIndex,
    k: usize,
) -> Vec<Vec<(usize, f64)>> {
    origins
        .par_iter()
        .map(|o| o.map(|c| targets.nearest_k(c, k)).unwrap_or_default())
        .collect()
}

/// For each origin, every indexed feature within `d`, nearest first.
pub fn within(origins: &[Option<Coord>], targets: &PointIndex, d: f64) -> Vec<Vec<(usize, f64)>> {
    origins
        .par_iter()
        .map(|o| o.map(|c| targets.within(c, d)).unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::coord;

    #[test]
    fn matches_brute_force() {
        // A deterministic scatter; compare against sorting all distances.
        let pts: Vec<Coord> = (0..500)
            .map(|i| {
                let t = i as f64;
                coord! {x: (t * 37.0) % 101.0, y: (t * 53.0) % 97.0}
            })
            .collect();
        let idx = PointIndex::from_coords(&pts);
        let origins: Vec<Option<Coord>> = (0..50)
            .map(|i| Some(coord! {x: i as f64 * 2.0, y: 50.0}))
            .chain([None])
            .collect();
        let got = nearest_k(&origins, &idx, 5);
        for (o, res) in origins.iter().zip(&got) {
            let Some(o) = o else {
                assert!(res.is_empty());
                continue;
            };
            let mut all: Vec<(usize, f64)> = pts
                .iter()
                .enumerate()
                .map(|(i, p)| (i, ((p.x - o.x).powi(2) + (p.y - o.y).powi(2)).sqrt()))
                .collect();
            all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            all.truncate(5);
            assert_eq!(res.len(), 5);
            for (a, b) in res.iter().zip(&all) {
                assert!((a.1 - b.1).abs() < 1e-9);
            }
        }
        let w = within(&origins[..1], &idx, 10.0);
        let brute = pts
            .iter()
            .filter(|p| ((p.x - 0.0).powi(2) + (p.y - 50.0).powi(2)).sqrt() <= 10.0)
            .count();
        assert_eq!(w[0].len(), brute);
    }
}
