//! The statistics, as pure functions of values and (already transformed) weights.
//!
//! - Global Moran's I (Moran 1950; moments of Cliff & Ord 1981):
//!   I = n / S0 · Σ_i z_i Σ_j w_ij z_j / Σ_i z_i², z = y − ȳ; E[I] = −1/(n−1);
//!   Var_norm = (n² S1 − n S2 + 3 S0²) / ((n²−1) S0²) − E[I]²;
//!   Var_rand = [n((n²−3n+3) S1 − n S2 + 3 S0²) − b2((n²−n) S1 − 2n S2 + 6 S0²)]
//!   / ((n−1)(n−2)(n−3) S0²) − E[I]², b2 = m4 / m2². Equal to esda's `Moran`.
//! - Local Moran (Anselin 1995) as esda reports it: I_i = (n−1) z_i Σ_j w_ij z_j / Σ_k z_k²
//!   with z standardised. Its analytic z is under total randomisation (Sokal, Oden & Thomson
//!   1998, eqs. A3/A4*) for the unscaled I_i' = z_i Σ_j w_ij z_j / m2 (I_i = (n−1)/n · I_i',
//!   and z does not change with the scale): E = −w_i/(n−1),
//!   Var = w_i(2) (n − b2)/(n−1) + (w_i² − w_i(2)) (2 b2 − n)/((n−1)(n−2)) − w_i²/(n−1)²,
//!   with w_i = Σ_j w_ij, w_i(2) = Σ_j w_ij², b2 = m4/m2² — m4 = Σ z⁴ / n, the sum that
//!   esda#390 found missing (fixed in esda 2.9.0).
//!   Quadrants as esda: 1 HH (z > 0, lag > 0), 2 LH, 3 LL (z ≤ 0, lag ≤ 0), 4 HL.
//! - Getis-Ord Gi and Gi* (Getis & Ord 1992; Ord & Getis 1995): G_i = Σ_j w_ij y_j / Σ_{j≠i} y_j
//!   (Gi*: j = i included, divided by Σ y). Moments under permutation of the N other values
//!   (N = n − 1 for Gi, n for Gi*), exact for any weights: E = W_i / N,
//!   Var = (N S1_i − W_i²) / ((N−1) N²) · s² / ȳ², W_i = Σ_j w_ij, S1_i = Σ_j w_ij², ȳ and s²
//!   (divisor N) over the N values. esda's `G_Local` uses W_i (N − W_i) in place of
//!   N S1_i − W_i², which is the same for binary weights only: for row-standardised weights
//!   its z is too small (by about √k); here z is the same for B and R weights, as it must be
//!   (G_i of R weights is G_i of B weights over W_i).

use super::normal::two_sided_p;
use crate::weights::Weights;

/// Global Moran's I with its analytic inference (two-sided p-values, as esda's default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlobalMoran {
    /// I.
    pub i: f64,
    /// E[I] = −1/(n−1).
    pub expected: f64,
    /// Variance under normality.
    pub variance_norm: f64,
    /// z under normality.
    pub z_norm: f64,
    /// Two-sided p under normality.
    pub p_norm: f64,
    /// Variance under randomisation.
    pub variance_rand: f64,
    /// z under randomisation.
    pub z_rand: f64,
    /// Two-sided p under randomisation.
    pub p_rand: f64,
}

/// Deviations from the mean and their sum of squares.
fn deviations(y: &[f64]) -> (Vec<f64>, f64) {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let ss = z.iter().map(|v| v * v).sum();
    (z, ss)
}

/// Moran's I of `y` on `w` (n ≥ 4, non-constant y, S0 > 0: the caller checks).
pub fn moran(y: &[f64], w: &Weights) -> GlobalMoran {
    let n = y.len() as f64;
    let (z, ss) = deviations(y);
    let s0 = w.s0();
    let (s1, s2) = (w.s1(), w.s2());
    let i = moran_i(&z, ss, w, s0);
    let expected = -1.0 / (n - 1.0);
    let variance_norm = (n * n * s1 - n * s2 + 3.0 * s0 * s0) / ((n - 1.0) * (n + 1.0) * s0 * s0)
        - expected * expected;
    let m2 = ss / n;
    let m4 = z.iter().map(|v| v.powi(4)).sum::<f64>() / n;
    let b2 = m4 / (m2 * m2);
    let a = n * ((n * n - 3.0 * n + 3.0) * s1 - n * s2 + 3.0 * s0 * s0);
    let b = b2 * ((n * n - n) * s1 - 2.0 * n * s2 + 6.0 * s0 * s0);
    let variance_rand =
        (a - b) / ((n - 1.0) * (n - 2.0) * (n - 3.0) * s0 * s0) - expected * expected;
    let z_norm = (i - expected) / variance_norm.sqrt();
    let z_rand = (i - expected) / variance_rand.sqrt();
    GlobalMoran {
        i,
        expected,
        variance_norm,
        z_norm,
        p_norm: two_sided_p(z_norm),
        variance_rand,
        z_rand,
        p_rand: two_sided_p(z_rand),
    }
}

/// I from deviations `z` with Σz² = `ss` and S0 = `s0`.
pub fn moran_i(z: &[f64], ss: f64, w: &Weights, s0: f64) -> f64 {
    z.len() as f64 / s0 * w.cross(z) / ss
}

/// One feature's local statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Local {
    /// I_i or G_i.
    pub stat: f64,
    /// Its expectation.
    pub expected: f64,
    /// Its variance (0 for a feature without neighbours).
    pub variance: f64,
    /// Analytic z (None when the variance is 0).
    pub z: Option<f64>,
    /// Local Moran: quadrant 1 HH, 2 LH, 3 LL, 4 HL; Getis-Ord: 0.
    pub quadrant: u8,
    /// Spatial lag of the standardised value (local Moran) or of the value (Getis-Ord).
    pub lag: f64,
}

/// Standardised values (population standard deviation, as esda).
pub fn standardise(y: &[f64]) -> Vec<f64> {
    let n = y.len() as f64;
    let (z, ss) = deviations(y);
    let sd = (ss / n).sqrt();
    z.into_iter().map(|v| v / sd).collect()
}

/// Local Moran of every feature.
pub fn local_moran(y: &[f64], w: &Weights) -> Vec<Local> {
    let n = y.len() as f64;
    let z = standardise(y);
    let den: f64 = z.iter().map(|v| v * v).sum();
    let lag = w.lag(&z);
    let m2 = den / n;
    let m4 = z.iter().map(|v| v.powi(4)).sum::<f64>() / n;
    let b2 = m4 / (m2 * m2);
    (0..y.len())
        .map(|i| {
            let wi: f64 = w.values(i).iter().sum();
            let wi2: f64 = w.values(i).iter().map(|v| v * v).sum();
            let stat = (n - 1.0) * z[i] * lag[i] / den;
            let unscaled = z[i] * lag[i] / m2;
            let expected = -wi / (n - 1.0);
            let variance = wi2 * (n - b2) / (n - 1.0)
                + (wi * wi - wi2) * (2.0 * b2 - n) / ((n - 1.0) * (n - 2.0))
                - (wi / (n - 1.0)).powi(2);
            let z_score = (variance > 0.0).then(|| (unscaled - expected) / variance.sqrt());
            Local {
                stat,
                expected: expected * (n - 1.0) / n,
                variance: variance * ((n - 1.0) / n).powi(2),
                z: z_score,
                quadrant: quadrant(z[i], lag[i]),
                lag: lag[i],
            }
        })
        .collect()
}

/// esda's quadrant of a standardised value and its lag.
pub fn quadrant(z: f64, lag: f64) -> u8 {
    match (z > 0.0, lag > 0.0) {
        (true, true) => 1,
        (false, true) => 2,
        (false, false) => 3,
        (true, false) => 4,
    }
}

/// The scale (n−1)/Σz² of local Moran, for permutation runs on standardised values.
pub fn local_moran_scale(z: &[f64]) -> f64 {
    (z.len() as f64 - 1.0) / z.iter().map(|v| v * v).sum::<f64>()
}

/// Getis-Ord Gi (`self_weights` None) or Gi* (`Some`: each feature's weight on itself, in
/// the same transformation as `w`). y must be non-negative with a positive sum.
pub fn getis_ord(y: &[f64], w: &Weights, self_weights: Option<&[f64]>) -> Vec<Local> {
    let n = y.len();
    let total: f64 = y.iter().sum();
    let total2: f64 = y.iter().map(|v| v * v).sum();
    let lag = w.lag(y);
    (0..n)
        .map(|i| {
            let (wi, s1) = w
                .values(i)
                .iter()
                .fold((0.0, 0.0), |(a, b), v| (a + v, b + v * v));
            let (num, den, nn, sum, sum2, wi, s1) = match self_weights {
                None => (
                    lag[i],
                    total - y[i],
                    (n - 1) as f64,
                    total - y[i],
                    total2 - y[i] * y[i],
                    wi,
                    s1,
                ),
                Some(sw) => {
                    let s = sw[i];
                    (
                        lag[i] + s * y[i],
                        total,
                        n as f64,
                        total,
                        total2,
                        wi + s,
                        s1 + s * s,
                    )
                }
            };
            let stat = num / den;
            let mean = sum / nn;
            let var_y = sum2 / nn - mean * mean;
            let expected = wi / nn;
            let variance = (nn * s1 - wi * wi) / ((nn - 1.0) * nn * nn) * var_y / (mean * mean);
            let z = (variance > 0.0 && w.cardinality(i) > 0)
                .then(|| (stat - expected) / variance.sqrt());
            Local {
                stat,
                expected,
                variance,
                z,
                quadrant: 0,
                lag: lag[i],
            }
        })
        .collect()
}

/// Two-sided p of an analytic z.
pub fn p_of(z: Option<f64>) -> Option<f64> {
    z.map(two_sided_p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rook3() -> Weights {
        let nb = (0..9usize)
            .map(|i| {
                let (x, y) = (i % 3, i / 3);
                let mut v = Vec::new();
                if x > 0 {
                    v.push(i - 1);
                }
                if x < 2 {
                    v.push(i + 1);
                }
                if y > 0 {
                    v.push(i - 3);
                }
                if y < 2 {
                    v.push(i + 3);
                }
                v
            })
            .collect();
        Weights::binary(nb)
    }

    #[test]
    fn moran_on_a_3x3_lattice_by_hand() {
        // REFERENCES §5 D: y = 1..9, binary rook: I = 0.5, E[I] = −1/8, VI_norm = 0.053125,
        // VI_rand = 0.0596875 (esda's test values).
        let y: Vec<f64> = (1..=9).map(f64::from).collect();
        let m = moran(&y, &rook3());
        assert!((m.i - 0.5).abs() < 1e-15, "{}", m.i);
        assert_eq!(m.expected, -0.125);
        assert!((m.variance_norm - 0.053125).abs() < 1e-15);
        assert!((m.variance_rand - 0.0596875).abs() < 1e-15);
    }

    #[test]
    fn getis_ord_example_of_esda() {
        // REFERENCES §5 D: 6 points, DistanceBand(15), binary: Zs[0] = −1.0136729,
        // Gi* binary Zs[0] = −1.39727626 (binary weights: the two formulas agree).
        let pts = [
            (10.0, 10.0),
            (20.0, 10.0),
            (40.0, 10.0),
            (15.0, 20.0),
            (30.0, 20.0),
            (30.0, 30.0),
        ];
        let coords: Vec<geo::Coord> = pts.iter().map(|&(x, y)| geo::Coord { x, y }).collect();
        let w = crate::weights::distance::band(&coords, 15.0, None);
        let y = [2.0, 3.0, 3.2, 5.0, 8.0, 7.0];
        let gi = getis_ord(&y, &w, None);
        assert!((gi[0].z.expect("z") - -1.0136729).abs() < 1e-7);
        let star = getis_ord(&y, &w, Some(&[1.0; 6]));
        assert!((star[0].z.expect("z") - -1.39727626).abs() < 1e-8);
        // Row-standardised: same z (invariance), esda's −0.62074534 is the binary-only formula.
        let r = w.transformed(crate::weights::Transform::R);
        let gr = getis_ord(&y, &r, None);
        assert!((gr[0].z.expect("z") - gi[0].z.expect("z")).abs() < 1e-12);
        assert!((gr[0].stat * w.cardinality(0) as f64 - gi[0].stat).abs() < 1e-15);
    }

    #[test]
    fn local_moran_sums_to_global_for_row_standardised() {
        // Σ I_i (esda's scaling) = (n−1) · I when S0 = n.
        let y: Vec<f64> = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0].to_vec();
        let w = rook3().transformed(crate::weights::Transform::R);
        let g = moran(&y, &w);
        let s: f64 = local_moran(&y, &w).iter().map(|l| l.stat).sum();
        assert!((s - 8.0 * g.i).abs() < 1e-12, "{s} vs {}", g.i);
    }
}
