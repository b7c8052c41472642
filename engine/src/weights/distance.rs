//! Distance-based weights over feature points (points as they are, polygons at their area
//! centroid, as libpysal's `from_dataframe`), from the point R-tree / grid of
//! [`crate::rtree::PointIndex`].
//!
//! - knn: the k nearest other features; ties at the k-th distance go to the lower feature
//!   index (libpysal's KD-tree breaks them arbitrarily: avoid ties when comparing).
//! - distance band: every other feature at distance ≤ threshold; weight 1 (binary) or
//!   d^alpha (inverse distance, alpha = −1 by default, libpysal `DistanceBand(binary=False)`).
//! - kernel: K(d / h) over the other features within the bandwidth h, either fixed
//!   (h = threshold) or adaptive (h_i = distance to i's k-th nearest neighbour, widened by
//!   1e-7 relative as libpysal does, so that neighbour keeps a positive weight).

use super::{geometry_of, KernelFn, Weights};
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::rtree::PointIndex;
use geo::{Centroid, Coord, Geometry};
use rayon::prelude::*;

/// libpysal's bandwidth widening factor (`Kernel.eps`).
const EPS: f64 = 1.000_000_1;

/// One point per feature, or an error naming a null or empty geometry.
pub fn points_of(layer: &Layer) -> Result<Vec<Coord>> {
    (0..layer.len())
        .map(|i| {
            let g = geometry_of(layer, i, "distance-based")?;
            let c = match g {
                Geometry::Point(p) => Some(p.0),
                other => other.centroid().map(|p| p.0),
            };
            c.filter(|c| c.x.is_finite() && c.y.is_finite())
                .ok_or_else(|| Error::Geometry {
                    layer: layer.name.clone(),
                    feature: Some(layer.ids[i].clone()),
                    message: "empty geometry or non-finite coordinates: no point to measure distance from".into(),
                })
        })
        .collect()
}

/// The k nearest other points of every point (binary weights). Needs k < n.
pub fn knn(pts: &[Coord], k: usize) -> Weights {
    let index = PointIndex::from_coords(pts);
    let nb: Vec<Vec<usize>> = (0..pts.len())
        .into_par_iter()
        .map(|i| {
            let mut found: Vec<usize> = index
                .nearest_k(pts[i], k + 1)
                .into_iter()
                .map(|(j, _)| j)
                .filter(|&j| j != i)
                .collect();
            // Self missing (a duplicate point won the tie): k + 1 others were found.
            found.truncate(k);
            found
        })
        .collect();
    Weights::binary(nb)
}

/// Other points within `threshold` of each point, with their distances.
fn within(pts: &[Coord], threshold: f64) -> Vec<Vec<(usize, f64)>> {
    let index = PointIndex::from_coords(pts);
    (0..pts.len())
        .into_par_iter()
        .map(|i| {
            index
                .within(pts[i], threshold)
                .into_iter()
                .filter(|&(j, _)| j != i)
                .collect()
        })
        .collect()
}

/// Binary distance band; with `Some(alpha)` weights d^alpha instead (see [`inverse_band`]).
pub fn band(pts: &[Coord], threshold: f64, alpha: Option<f64>) -> Weights {
    let found = within(pts, threshold);
    let nb = found
        .iter()
        .map(|v| v.iter().map(|p| p.0).collect())
        .collect();
    let vals = found
        .iter()
        .map(|v| {
            v.iter()
                .map(|p| alpha.map_or(1.0, |a| p.1.powf(a)))
                .collect()
        })
        .collect();
    Weights::new(nb, vals)
}

/// Inverse-distance band, weights d^alpha; `Err((i, j))` names two coincident points
/// (an infinite weight) when alpha < 0.
pub fn inverse_band(
    pts: &[Coord],
    threshold: f64,
    alpha: f64,
) -> std::result::Result<Weights, (usize, usize)> {
    let w = band(pts, threshold, Some(alpha));
    for i in 0..w.n() {
        if let Some(k) = w.values(i).iter().position(|v| !v.is_finite()) {
            return Err((i, w.neighbors(i)[k]));
        }
    }
    Ok(w)
}

fn kernel_weights(found: Vec<Vec<(usize, f64)>>, bw: &[f64], f: KernelFn) -> Weights {
    let nb = found
        .iter()
        .map(|v| v.iter().map(|p| p.0).collect())
        .collect();
    let vals = found
        .iter()
        .zip(bw)
        .map(|(v, h)| v.iter().map(|p| f.eval(p.1 / h)).collect())
        .collect();
    let mut w = Weights::new(nb, vals);
    w.self_weight = Some(f.eval(0.0));
    w
}

/// Kernel weights with one bandwidth for all.
pub fn kernel_fixed(pts: &[Coord], bandwidth: f64, f: KernelFn) -> Weights {
    let found = within(pts, bandwidth);
    kernel_weights(found, &vec![bandwidth; pts.len()], f)
}

/// Kernel weights with each point's bandwidth reaching its k-th nearest neighbour. Needs k < n.
pub fn kernel_adaptive(pts: &[Coord], k: usize, f: KernelFn) -> Weights {
    let index = PointIndex::from_coords(pts);
    let (found, bw): (Vec<Vec<(usize, f64)>>, Vec<f64>) = (0..pts.len())
        .into_par_iter()
        .map(|i| {
            let mut near: Vec<(usize, f64)> = index
                .nearest_k(pts[i], k + 1)
                .into_iter()
                .filter(|&(j, _)| j != i)
                .collect();
            near.truncate(k);
            let h = near.last().map_or(0.0, |p| p.1) * EPS;
            (near, h)
        })
        .unzip();
    // A bandwidth of 0 (k duplicates of the point) would divide by zero: weight K(0).
    let bw: Vec<f64> = bw
        .into_iter()
        .map(|h| if h > 0.0 { h } else { f64::INFINITY })
        .collect();
    kernel_weights(found, &bw, f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::coord;

    fn line(n: usize) -> Vec<Coord> {
        (0..n).map(|i| coord! {x: (i * i) as f64, y: 0.0}).collect()
    }

    #[test]
    fn knn_on_a_line() {
        // x = 0, 1, 4, 9, 16
        let w = knn(&line(5), 2);
        assert_eq!(w.neighbors(0), &[1, 2]);
        assert_eq!(w.neighbors(2), &[0, 1]);
        assert_eq!(w.neighbors(4), &[2, 3]);
    }

    #[test]
    fn band_binary_and_inverse() {
        let w = band(&line(5), 4.0, None);
        assert_eq!(w.neighbors(0), &[1, 2]); // distance 4 included
        assert_eq!(w.neighbors(4), &[] as &[usize]);
        let inv = inverse_band(&line(5), 4.0, -1.0).expect("no duplicates");
        assert_eq!(inv.values(0), &[1.0, 0.25]);
        let dup = vec![coord! {x: 0.0, y: 0.0}, coord! {x: 0.0, y: 0.0}];
        assert_eq!(inverse_band(&dup, 1.0, -1.0).err(), Some((0, 1)));
    }

    #[test]
    fn kernels() {
        let w = kernel_fixed(&line(3), 2.0, KernelFn::Triangular);
        assert_eq!(w.neighbors(0), &[1]);
        assert_eq!(w.values(0), &[0.5]);
        assert_eq!(w.self_weight, Some(1.0));
        let a = kernel_adaptive(&line(5), 1, KernelFn::Triangular);
        // Nearest of x = 9 is 4 at 5: weight 1 − 5 / (5 · EPS) > 0.
        assert_eq!(a.neighbors(3), &[2]);
        assert!(a.values(3)[0] > 0.0 && a.values(3)[0] < 1e-6);
        assert!((KernelFn::Gaussian.eval(0.0) - 0.398_942_280_401_432_7).abs() < 1e-15);
    }
}
