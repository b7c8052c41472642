//! DBSCAN of points (Ester et al. 1996) with linfa, and the clusters' convex hulls.
//!
//! Semantics are scikit-learn's `DBSCAN(eps, min_samples)` and linfa's alike: a point is a
//! core point when at least `min_points` points (itself included) lie within `eps` of it
//! (boundary included); clusters grow from core points taken in point order, and a border
//! point reachable from two clusters joins the one formed first. So the labels equal
//! scikit-learn's up to the numbering, which here follows the points' ids
//! ([`super::number_by_first`]). Coordinates are centred on their mean before the search
//! (UTM eastings are large; centring keeps the squared distances exact to ~1e-10 m²).

use geo::{ConvexHull, Coord, LineString, MultiPoint, Point};
use linfa::prelude::*;
use linfa_clustering::Dbscan;
use ndarray016::Array2;

/// Cluster of each point (`None` = noise), numbered `0..` in linfa's order.
pub fn labels(points: &[Coord], eps: f64, min_points: usize) -> Vec<Option<usize>> {
    let n = points.len();
    if n == 0 {
        return Vec::new();
    }
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), c| (a + c.x, b + c.y));
    let (mx, my) = (mx / n as f64, my / n as f64);
    let flat: Vec<f64> = points.iter().flat_map(|c| [c.x - mx, c.y - my]).collect();
    let Ok(records) = Array2::from_shape_vec((n, 2), flat) else {
        return vec![None; n];
    };
    match Dbscan::params(min_points).tolerance(eps).check() {
        Ok(p) => p.transform(&records).to_vec(),
        // Only invalid hyper-parameters fail, which the caller rules out.
        Err(_) => vec![None; n],
    }
}

/// The convex hull of a cluster's points as WKT: a polygon, or a line / point when the
/// points are collinear / coincide.
pub fn hull_wkt(points: &[Coord]) -> String {
    use wkt::ToWkt;
    let mp = MultiPoint(points.iter().map(|c| Point(*c)).collect());
    let hull = mp.convex_hull();
    let mut ring: Vec<Coord> = hull.exterior().0.clone();
    ring.dedup();
    if ring.len() >= 4 {
        return hull.wkt_string();
    }
    // Degenerate: the distinct extremes (lexicographic) as a line, or one point.
    let mut pts: Vec<Coord> = points.to_vec();
    pts.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    pts.dedup();
    match pts.as_slice() {
        [] => "POINT EMPTY".to_string(),
        [p] => Point(*p).wkt_string(),
        [a, .., b] => LineString(vec![*a, *b]).wkt_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::coord;

    #[test]
    fn core_border_and_noise_by_hand() {
        // A plus sign of 5 points 1 m apart around (0, 0) and a point 5 m away. With
        // eps 1 and min_points 5 only the centre is core (5 within 1 m, itself included);
        // the arms are border points; the far point is noise.
        let pts = [
            coord! {x: 100.0, y: 100.0},
            coord! {x: 101.0, y: 100.0},
            coord! {x: 99.0, y: 100.0},
            coord! {x: 100.0, y: 101.0},
            coord! {x: 100.0, y: 99.0},
            coord! {x: 105.0, y: 100.0},
        ];
        let l = labels(&pts, 1.0, 5);
        assert!(l[..5].iter().all(|x| *x == Some(0)), "{l:?}");
        assert_eq!(l[5], None);
        // min_points 6: no core point at all.
        assert!(labels(&pts, 1.0, 6).iter().all(Option::is_none));
        // eps just below 1: the arms are out of reach.
        assert!(labels(&pts, 0.999, 2).iter().all(Option::is_none));
    }

    #[test]
    fn hulls() {
        let sq = [
            coord! {x: 0.0, y: 0.0},
            coord! {x: 2.0, y: 0.0},
            coord! {x: 1.0, y: 1.0},
            coord! {x: 2.0, y: 2.0},
            coord! {x: 0.0, y: 2.0},
        ];
        let w = hull_wkt(&sq);
        assert!(w.starts_with("POLYGON"), "{w}");
        assert!(
            !w.contains("1 1"),
            "the inner point is not on the hull: {w}"
        );
        let line = [
            coord! {x: 0.0, y: 0.0},
            coord! {x: 1.0, y: 1.0},
            coord! {x: 2.0, y: 2.0},
        ];
        assert_eq!(hull_wkt(&line), "LINESTRING(0 0,2 2)");
        assert_eq!(hull_wkt(&[coord! {x: 3.0, y: 4.0}; 2]), "POINT(3 4)");
    }
}
