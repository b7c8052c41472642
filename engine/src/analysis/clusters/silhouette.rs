//! Silhouette values (Rousseeuw 1987) with scikit-learn's `silhouette_samples` semantics:
//! a(i) = mean distance from i to the other members of its cluster, b(i) = the smallest mean
//! distance from i to the members of another cluster, s(i) = (b − a) / max(a, b); a member of
//! a singleton cluster scores 0 (linfa's `SilhouetteScore` divides 0 by 0 there, so it is not
//! used). The score is the mean of s(i). O(n² d), parallel over i.

use rayon::prelude::*;

/// s(i) for every point of `x` (row-major, `d` columns) with labels `0..k`.
pub fn samples(x: &[f64], d: usize, labels: &[usize], k: usize) -> Vec<f64> {
    let n = labels.len();
    let mut size = vec![0usize; k];
    labels.iter().for_each(|&l| size[l] += 1);
    (0..n)
        .into_par_iter()
        .map(|i| {
            let li = labels[i];
            if size[li] <= 1 {
                return 0.0;
            }
            let xi = &x[i * d..(i + 1) * d];
            let mut sums = vec![0.0; k];
            for (j, &lj) in labels.iter().enumerate() {
                let xj = &x[j * d..(j + 1) * d];
                let dist = xi
                    .iter()
                    .zip(xj)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt();
                sums[lj] += dist;
            }
            let a = sums[li] / (size[li] - 1) as f64;
            let b = (0..k)
                .filter(|&c| c != li && size[c] > 0)
                .map(|c| sums[c] / size[c] as f64)
                .fold(f64::INFINITY, f64::min);
            let m = a.max(b);
            if m > 0.0 && m.is_finite() {
                (b - a) / m
            } else {
                0.0
            }
        })
        .collect()
}

/// The mean silhouette.
pub fn score(s: &[f64]) -> f64 {
    s.iter().sum::<f64>() / s.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand_on_a_line() {
        // 0, 1 | 10: s(0) = (b − a)/b with a = 1, b = 10 → 0.9; s(1): a = 1, b = 9 → 8/9;
        // the singleton scores 0.
        let s = samples(&[0.0, 1.0, 10.0], 1, &[0, 0, 1], 2);
        assert!((s[0] - 0.9).abs() < 1e-15);
        assert!((s[1] - 8.0 / 9.0).abs() < 1e-15);
        assert_eq!(s[2], 0.0);
        assert!((score(&s) - (0.9 + 8.0 / 9.0) / 3.0).abs() < 1e-15);
    }

    #[test]
    fn a_bad_assignment_scores_negative() {
        // 0 sits with 10, 11 while 1 is alone-ish: s(0) = (1 − 10.5) / 10.5 < 0.
        let s = samples(&[0.0, 1.0, 10.0, 11.0], 1, &[1, 0, 1, 1], 2);
        assert!(s[0] < 0.0);
        assert_eq!(s[1], 0.0, "singleton");
    }
}
