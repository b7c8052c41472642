//! Weight transformations, always applied to the original weights (libpysal's rule, so
//! `R` after `B` is the same as `R`).

use super::Weights;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A transformation of the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum Transform {
    /// Row-standardised: w_ij / Σ_j w_ij (islands keep an empty row).
    #[default]
    R,
    /// Binary: every neighbour weighs 1.
    B,
    /// Variance stabilising (Tiefelsdorf, Griffith & Boots 1999): w_ij / √(Σ_j w_ij²),
    /// then every weight × n / (sum of those), so the weights sum to n.
    V,
}

impl Transform {
    /// The letter, as in libpysal.
    pub fn as_str(self) -> &'static str {
        match self {
            Transform::R => "R",
            Transform::B => "B",
            Transform::V => "V",
        }
    }
}

/// `w` transformed by `t`.
pub fn apply(w: &Weights, t: Transform) -> Weights {
    let n = w.n();
    let mut values: Vec<Vec<f64>> = (0..n).map(|i| w.values(i).to_vec()).collect();
    match t {
        Transform::B => values.iter_mut().flatten().for_each(|v| *v = 1.0),
        Transform::R => {
            for row in &mut values {
                let s: f64 = row.iter().sum();
                if s != 0.0 {
                    row.iter_mut().for_each(|v| *v /= s);
                }
            }
        }
        Transform::V => {
            let mut total = 0.0;
            for row in &mut values {
                let q = row.iter().map(|v| v * v).sum::<f64>().sqrt();
                if q > 0.0 {
                    row.iter_mut().for_each(|v| *v /= q);
                }
                total += row.iter().sum::<f64>();
            }
            if total != 0.0 {
                let scale = n as f64 / total;
                values.iter_mut().flatten().for_each(|v| *v *= scale);
            }
        }
    }
    let neighbors = (0..n).map(|i| w.neighbors(i).to_vec()).collect();
    let mut out = Weights::new(neighbors, values);
    out.self_weight = w.self_weight;
    out.transform = Some(t);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn star() -> Weights {
        // 0 neighbours 1 and 2 (weights 1 and 3); 1 and 2 neighbour 0 (weight 1).
        Weights::new(
            vec![vec![1, 2], vec![0], vec![0]],
            vec![vec![1.0, 3.0], vec![1.0], vec![1.0]],
        )
    }

    #[test]
    fn row_standardised_rows_sum_to_one() {
        let r = star().transformed(Transform::R);
        assert_eq!(r.values(0), &[0.25, 0.75]);
        assert_eq!(r.values(1), &[1.0]);
        assert_eq!(r.transform, Some(Transform::R));
    }

    #[test]
    fn binary_and_v() {
        let b = star().transformed(Transform::B);
        assert_eq!(b.values(0), &[1.0, 1.0]);
        // V on binary weights of row 0: 1/√2 each; rows 1, 2: 1. Total √2 + 2; × 3 / total.
        let v = b.transformed(Transform::V);
        let total = 2f64.sqrt() + 2.0;
        let s = 3.0 / total;
        assert!((v.values(0)[0] - s / 2f64.sqrt()).abs() < 1e-15);
        assert!((v.values(1)[0] - s).abs() < 1e-15);
        assert!((v.s0() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn islands_keep_an_empty_row() {
        let w = Weights::new(vec![vec![], vec![]], vec![vec![], vec![]]);
        assert_eq!(w.transformed(Transform::R).islands(), vec![0, 1]);
        assert_eq!(w.transformed(Transform::V).s0(), 0.0);
    }
}
