//! k-means of standardised indicators with linfa, seeded.
//!
//! linfa-clustering fits k-means++ seeded by a Xoshiro256+ generator (portable: the same seed
//! gives the same clusters on any machine), `n_init` runs, keeping the lowest inertia. Its
//! update is "m_k-means" (each old centroid counts as one more member), whose fixed points
//! are Lloyd's; so the fit is finished with plain Lloyd steps until no point changes cluster,
//! and the result is exactly scikit-learn's fixed point: every point in its nearest cluster,
//! every centroid its members' mean, inertia = Σ squared distances (scikit-learn's `inertia_`;
//! linfa's own reports the mean before the last update).

use linfa::traits::Fit as _;
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray016::Array2;
use rand_xoshiro::rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;
use rayon::prelude::*;

/// A fitted partition.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Cluster of each point, `0..k`.
    pub labels: Vec<usize>,
    /// Centroids, row-major k × d.
    pub centroids: Vec<f64>,
    /// Σ squared distance of each point to its centroid.
    pub inertia: f64,
    /// Lloyd steps after linfa's fit.
    pub polish_steps: usize,
}

/// How to fit.
#[derive(Debug, Clone)]
pub struct Options {
    /// Random restarts (k-means++ each).
    pub n_init: usize,
    /// Iteration cap, for linfa's fit and for the Lloyd finish.
    pub max_iterations: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Start from these centroids (row-major k × d) instead of k-means++: one run, as
    /// scikit-learn's `KMeans(init=array, n_init=1)`.
    pub init: Option<Vec<f64>>,
}

/// Fits k clusters to `x` (row-major n × d). Needs 1 ≤ k ≤ n (checked by the caller).
pub fn fit(x: &[f64], d: usize, k: usize, o: &Options) -> Fit {
    let n = x.len() / d;
    let records =
        Array2::from_shape_vec((n, d), x.to_vec()).unwrap_or_else(|_| Array2::zeros((n, d)));
    let data = DatasetBase::from(records);
    let max = o.max_iterations.max(1);
    let params = |rng: Xoshiro256Plus| {
        KMeans::params_with_rng(k, rng)
            .n_runs(1)
            .max_n_iterations(max as u64)
            .tolerance(1e-10)
    };
    // linfa refuses only invalid hyper-parameters (k = 0), which the caller rules out;
    // should it fail anyway, Lloyd from the first k points is the fallback start.
    let fallback = || x[..k * d].to_vec();
    if let Some(c) = &o.init {
        let start = Array2::from_shape_vec((k, d), c.clone())
            .ok()
            .and_then(|c| {
                params(Xoshiro256Plus::seed_from_u64(o.seed))
                    .init_method(KMeansInit::Precomputed(c))
                    .fit(&data)
                    .ok()
            })
            .map_or_else(fallback, |m| m.centroids().iter().copied().collect());
        return lloyd(x, d, k, start, max);
    }
    // Each run its own stream (the seed's generator jumped 2^128 steps per run), each
    // finished by Lloyd, so runs are compared by their true inertia; in parallel, the
    // lowest inertia wins, ties to the earlier run: the same on any number of threads.
    let runs: Vec<Fit> = (0..o.n_init.max(1))
        .into_par_iter()
        .map(|r| {
            let mut rng = Xoshiro256Plus::seed_from_u64(o.seed);
            (0..r).for_each(|_| rng.jump());
            let start = params(rng)
                .fit(&data)
                .map_or_else(|_| fallback(), |m| m.centroids().iter().copied().collect());
            lloyd(x, d, k, start, max)
        })
        .collect();
    runs.into_iter()
        .reduce(|best, f| if f.inertia < best.inertia { f } else { best })
        .unwrap_or_else(|| lloyd(x, d, k, fallback(), max))
}

/// Lloyd's iterations from `centroids` until no label changes (or `max` steps).
fn lloyd(x: &[f64], d: usize, k: usize, mut centroids: Vec<f64>, max: usize) -> Fit {
    let n = x.len() / d;
    let mut labels = assign(x, d, &centroids);
    let mut steps = 0;
    while steps < max {
        steps += 1;
        let mut sum = vec![0.0; k * d];
        let mut count = vec![0usize; k];
        for (i, &l) in labels.iter().enumerate() {
            count[l] += 1;
            for j in 0..d {
                sum[l * d + j] += x[i * d + j];
            }
        }
        for c in 0..k {
            // An emptied cluster keeps its centroid (scikit-learn relocates it; linfa's fit
            // does not leave empty clusters behind in practice).
            if count[c] > 0 {
                for j in 0..d {
                    centroids[c * d + j] = sum[c * d + j] / count[c] as f64;
                }
            }
        }
        let next = assign(x, d, &centroids);
        if next == labels {
            break;
        }
        labels = next;
    }
    let inertia = (0..n)
        .map(|i| {
            let l = labels[i];
            super::indicators::sq_dist(&x[i * d..(i + 1) * d], &centroids[l * d..(l + 1) * d])
        })
        .sum();
    Fit {
        labels,
        centroids,
        inertia,
        polish_steps: steps,
    }
}

/// The nearest centroid of every point (ties to the lower cluster).
pub fn assign(x: &[f64], d: usize, centroids: &[f64]) -> Vec<usize> {
    let k = centroids.len() / d;
    x.chunks_exact(d)
        .map(|p| {
            let mut best = (0, f64::INFINITY);
            for c in 0..k {
                let dist = super::indicators::sq_dist(p, &centroids[c * d..(c + 1) * d]);
                if dist < best.1 {
                    best = (c, dist);
                }
            }
            best.0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(seed: u64) -> Options {
        Options {
            n_init: 10,
            max_iterations: 300,
            seed,
            init: None,
        }
    }

    #[test]
    fn two_obvious_groups_by_hand() {
        // {0, 1, 2} and {10, 11}: centroids 1 and 10.5, inertia 2 + 0.5.
        let x = [0.0, 1.0, 2.0, 10.0, 11.0];
        let f = fit(&x, 1, 2, &opts(7));
        assert_eq!(f.labels[0], f.labels[1]);
        assert_eq!(f.labels[1], f.labels[2]);
        assert_eq!(f.labels[3], f.labels[4]);
        assert_ne!(f.labels[0], f.labels[3]);
        let mut c = f.centroids.clone();
        c.sort_by(f64::total_cmp);
        assert_eq!(c, vec![1.0, 10.5]);
        assert!((f.inertia - 2.5).abs() < 1e-12);
    }

    #[test]
    fn same_seed_same_result() {
        let x: Vec<f64> = (0..200).map(|i| ((i * 37) % 101) as f64 * 0.1).collect();
        let a = fit(&x, 2, 4, &opts(3));
        let b = fit(&x, 2, 4, &opts(3));
        assert_eq!(a.labels, b.labels);
        assert_eq!(a.centroids, b.centroids);
    }

    #[test]
    fn lloyd_from_given_centroids() {
        // Start 0 and 1: first step puts {0} alone and {1, 2, 10, 11} together, then moves.
        let x = [0.0, 1.0, 2.0, 10.0, 11.0];
        let f = lloyd(&x, 1, 2, vec![0.0, 1.0], 100);
        assert_eq!(f.labels, vec![0, 0, 0, 1, 1]);
        assert!(f.polish_steps >= 2);
    }
}
