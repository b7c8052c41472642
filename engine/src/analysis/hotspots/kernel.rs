//! The typed kernel of `hotspots`: values and weights in, local statistics out, no params
//! JSON and no rows. The `hotspots` analysis and `complaints` (Gi* of the complaint rate)
//! both call [`local`], so the same seed gives the same p-values in both.
//!
//! Stages: *prepare* (features with a value, islands by the weights' policy, at least
//! [`MIN_FEATURES`] and some variation) → *global* Moran's I with its permutation p →
//! *statistic*: local Moran or Getis-Ord with conditional permutations → *labels* by the
//! p-value cut-off (`alpha`, or Benjamini–Hochberg with `fdr`).

use super::{perm, stats, Hotspots, Statistic, G_LABELS, MORAN_LABELS, QUADRANTS};
use crate::analysis::TypedAnalysis;
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::progress;
use crate::weights::{IslandPolicy, Transform, Weights, WeightsSpec};
use std::collections::{BTreeMap, BTreeSet};

/// Fewest features a statistic is defined for (Moran's randomisation variance divides by
/// (n−1)(n−2)(n−3)).
pub const MIN_FEATURES: usize = 4;

/// What to test, checked: the statistic and the options of its inference. Errors name the
/// `hotspots` params (`alpha`, `weights…`); a caller with the options under another name
/// relabels them.
#[derive(Debug, Clone)]
pub struct Test {
    /// The statistic.
    pub statistic: Statistic,
    /// The weights, resolved (defaults of their kind filled in).
    pub weights: WeightsSpec,
    /// Random permutations (0: analytic p-values only).
    pub permutations: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// Significance level.
    pub alpha: f64,
    /// Benjamini–Hochberg cut-off instead of `alpha` per feature.
    pub fdr: bool,
}

impl Test {
    /// Checks `alpha` and the weights for `statistic`, resolving the weights.
    pub fn new(
        statistic: Statistic,
        mut weights: WeightsSpec,
        permutations: usize,
        seed: u64,
        alpha: f64,
        fdr: bool,
    ) -> Result<Test> {
        let name = Hotspots::NAME;
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(Error::param(name, "alpha", "must be between 0 and 1"));
        }
        weights.resolve(name, "weights")?;
        if matches!(statistic, Statistic::Gi | Statistic::GiStar)
            && weights.transform == Transform::V
        {
            return Err(Error::param(
                name,
                "weights.transform",
                "Getis-Ord G takes binary (B) or row-standardised (R) weights",
            ));
        }
        Ok(Test {
            statistic,
            weights,
            permutations,
            seed,
            alpha,
            fdr,
        })
    }
}

/// One feature of the layer: what its row shows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FeatureStat {
    /// I_i or G_i (None when not analysed, or for global Moran).
    pub stat: Option<f64>,
    /// Analytic z (None also when its variance is 0).
    pub z: Option<f64>,
    /// Pseudo p-value, or the analytic one without permutations (None for islands).
    pub p: Option<f64>,
    /// `Hot spot`, `High-High`, … or `Not significant`.
    pub label: Option<&'static str>,
    /// Moran scatterplot quadrant (`HH`, `LH`, `LL`, `HL`) of an analysed feature.
    pub quadrant: Option<&'static str>,
    /// Without neighbours.
    pub island: bool,
}

/// The weights as used (after the features without a value and the islands policy).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightsUsed {
    /// Neighbour pairs.
    pub pairs: usize,
    /// Fewest neighbours of a feature.
    pub neighbors_min: usize,
    /// Mean number of neighbours.
    pub neighbors_mean: f64,
    /// Most neighbours of a feature.
    pub neighbors_max: usize,
}

/// What [`local`] finds.
#[derive(Debug, Clone)]
pub struct LocalStats {
    /// Per feature of the layer, analysed or not.
    pub features: Vec<FeatureStat>,
    /// Features analysed.
    pub analysed: usize,
    /// Global Moran's I of the analysed values.
    pub global: stats::GlobalMoran,
    /// Its permutation pseudo p-value (None without permutations).
    pub p_sim: Option<f64>,
    /// The weights as used.
    pub weights: WeightsUsed,
    /// Layer indices of the features with a value but no neighbour, ascending.
    pub islands: Vec<usize>,
    /// The p-value below which a feature is significant.
    pub cutoff: f64,
    /// Features per label (every label of the statistic, 0 included).
    pub counts: BTreeMap<&'static str, usize>,
}

/// Tests `values` (one per feature of `layer`, None = no value) on the untransformed
/// `original` weights of `layer`. `field` names the values in errors.
pub fn local(
    values: &[Option<f64>],
    original: &Weights,
    test: &Test,
    layer: &Layer,
    field: &str,
) -> Result<LocalStats> {
    let sample = prepare(values, original, test, layer, field)?;
    let w = sample.w_orig.transformed(test.weights.transform);
    // Progress: the global permutations are all the work of `moran`, a third of the others.
    let global_share = if test.statistic == Statistic::Moran {
        1.0
    } else {
        0.3
    };
    let (global, p_sim) = progress::within(0.0, global_share, || global_moran(&sample.y, &w, test));
    let locals = progress::within(global_share, 1.0, || {
        local_statistic(&sample, &w, test, layer, field)
    })?;
    let (cmin, cmean, cmax) = w.cardinality_stats();
    let weights = WeightsUsed {
        pairs: w.nnz(),
        neighbors_min: cmin,
        neighbors_mean: cmean,
        neighbors_max: cmax,
    };
    let (features, cutoff, counts) = label(&sample, &w, locals.as_ref(), test, values.len());
    Ok(LocalStats {
        features,
        analysed: sample.idx.len(),
        global,
        p_sim,
        weights,
        islands: sample.islands.into_iter().collect(),
        cutoff,
        counts,
    })
}

/// The analysed features and their values.
struct Sample {
    /// Layer index of each analysed feature.
    idx: Vec<usize>,
    /// Their values.
    y: Vec<f64>,
    /// The values standardised (local Moran, quadrants).
    zstd: Vec<f64>,
    /// The original weights among them.
    w_orig: Weights,
    /// Layer indices of the islands among the features with a value.
    islands: BTreeSet<usize>,
}

/// Features with a value; then islands among them, by policy; then the checks that a
/// statistic is defined.
fn prepare(
    values: &[Option<f64>],
    original: &Weights,
    test: &Test,
    layer: &Layer,
    field: &str,
) -> Result<Sample> {
    let has_value: Vec<bool> = values.iter().map(Option::is_some).collect();
    let (with_value, idx_v) = original.subset(&has_value);
    let islands_v = with_value.islands();
    let islands: BTreeSet<usize> = islands_v.iter().map(|&k| idx_v[k]).collect();
    if islands_v.len() == with_value.n() && with_value.n() > 0 {
        return Err(Error::param(
            Hotspots::NAME,
            "weights",
            format!(
                "no feature of layer '{}' has a neighbour with {} weights; try a positive `tolerance`, knn or a larger distance",
                layer.name,
                test.weights.kind.as_str()
            ),
        ));
    }
    let (w_orig, idx) = match test.weights.islands {
        IslandPolicy::Keep => (with_value, idx_v),
        IslandPolicy::Drop => {
            let mut keep = vec![true; with_value.n()];
            islands_v.iter().for_each(|&k| keep[k] = false);
            let (w, sub) = with_value.subset(&keep);
            (w, sub.into_iter().map(|k| idx_v[k]).collect())
        }
    };
    let n = idx.len();
    if n < MIN_FEATURES {
        return Err(Error::param(
            Hotspots::NAME,
            "layer",
            format!(
                "layer '{}' has {n} feature(s) with a value to analyse; spatial statistics need at least {MIN_FEATURES}",
                layer.name
            ),
        ));
    }
    let y: Vec<f64> = idx.iter().map(|&i| values[i].unwrap_or_default()).collect();
    let (lo, hi) = y
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if lo == hi {
        return Err(Error::FieldType {
            layer: layer.name.clone(),
            field: field.to_string(),
            message: format!(
                "every analysed feature has the same value ({lo}): with no variation there is no spatial pattern to test"
            ),
        });
    }
    let zstd = stats::standardise(&y);
    Ok(Sample {
        idx,
        y,
        zstd,
        w_orig,
        islands,
    })
}

/// Global Moran's I (always computed: the summary carries it) and its total-permutation p.
fn global_moran(y: &[f64], w: &Weights, test: &Test) -> (stats::GlobalMoran, Option<f64>) {
    let g = stats::moran(y, w);
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let ss = z.iter().map(|v| v * v).sum::<f64>();
    let s0 = w.s0();
    let p_sim = perm::total(&z, test.permutations, test.seed, g.i, |zz| {
        stats::moran_i(zz, ss, w, s0)
    });
    (g, p_sim)
}

/// The local statistic of every analysed feature with its conditional-permutation p
/// (None for global Moran).
fn local_statistic(
    sample: &Sample,
    w: &Weights,
    test: &Test,
    layer: &Layer,
    field: &str,
) -> Result<Option<Locals>> {
    let y = &sample.y;
    // Each feature's random stream is its layer index, so a subset keeps its draws.
    let streams: Vec<u64> = sample.idx.iter().map(|&i| i as u64).collect();
    let (perms, seed) = (test.permutations, test.seed);
    match test.statistic {
        Statistic::Moran => Ok(None),
        Statistic::LocalMoran => {
            let stat = stats::local_moran(y, w);
            let zstd = &sample.zstd;
            let scale = stats::local_moran_scale(zstd);
            let p_sim = perm::conditional(zstd, w, perms, seed, &streams, |i, lag| {
                scale * zstd[i] * lag
            });
            Ok(Some(Locals { stat, p_sim }))
        }
        Statistic::Gi | Statistic::GiStar => {
            if let Some(k) = y.iter().position(|v| *v < 0.0) {
                return Err(Error::FieldType {
                    layer: layer.name.clone(),
                    field: field.to_string(),
                    message: format!(
                        "Getis-Ord G needs values ≥ 0 (counts, rates); feature {} has {}",
                        layer.ids[sample.idx[k]], y[k]
                    ),
                });
            }
            let star = test.statistic == Statistic::GiStar;
            let (wg, selfw) = if star {
                super::star_weights(&sample.w_orig, test.weights.transform)
            } else {
                (w.clone(), Vec::new())
            };
            let stat = stats::getis_ord(y, &wg, star.then_some(selfw.as_slice()));
            let total: f64 = y.iter().sum();
            let p_sim = perm::conditional(y, &wg, perms, seed, &streams, |i, lag| {
                if star {
                    (lag + selfw[i] * y[i]) / total
                } else {
                    lag / (total - y[i])
                }
            });
            Ok(Some(Locals { stat, p_sim }))
        }
    }
}

/// Local statistics of the analysed features with their pseudo p-values.
struct Locals {
    stat: Vec<stats::Local>,
    p_sim: Vec<Option<f64>>,
}

/// p-values, the cut-off and the labels of every feature of the layer (`len` of them).
fn label(
    sample: &Sample,
    w: &Weights,
    locals: Option<&Locals>,
    test: &Test,
    len: usize,
) -> (Vec<FeatureStat>, f64, BTreeMap<&'static str, usize>) {
    let n = sample.idx.len();
    let island_now: Vec<bool> = (0..n).map(|k| w.cardinality(k) == 0).collect();
    let pvals: Vec<Option<f64>> = match locals {
        None => vec![None; n],
        Some(l) => (0..n)
            .map(|k| {
                if island_now[k] {
                    None
                } else if test.permutations > 0 {
                    l.p_sim[k]
                } else {
                    stats::p_of(l.stat[k].z)
                }
            })
            .collect(),
    };
    let cutoff = if test.fdr {
        super::fdr_cutoff(
            &pvals.iter().flatten().copied().collect::<Vec<_>>(),
            test.alpha,
        )
    } else {
        test.alpha
    };
    let labels: &[&'static str] = match test.statistic {
        Statistic::Moran => &[],
        Statistic::LocalMoran => &MORAN_LABELS,
        _ => &G_LABELS,
    };
    let mut counts: BTreeMap<&'static str, usize> = labels.iter().map(|l| (*l, 0)).collect();
    // Not analysed (no value, or an island under the drop policy): nulls but the flag.
    let mut features: Vec<FeatureStat> = (0..len)
        .map(|i| FeatureStat {
            island: sample.islands.contains(&i),
            ..FeatureStat::default()
        })
        .collect();
    let zstd = &sample.zstd;
    let lag_std = w.lag(zstd);
    for (k, &i) in sample.idx.iter().enumerate() {
        let quadrant = QUADRANTS[stats::quadrant(zstd[k], lag_std[k]) as usize - 1];
        let mut f = FeatureStat {
            quadrant: Some(quadrant),
            island: island_now[k],
            ..FeatureStat::default()
        };
        if let Some(l) = locals {
            let loc = l.stat[k];
            let sig = pvals[k].is_some_and(|pv| pv < cutoff);
            let label = match test.statistic {
                Statistic::LocalMoran if sig => MORAN_LABELS[loc.quadrant as usize - 1],
                Statistic::Gi | Statistic::GiStar if sig => {
                    if loc.stat > loc.expected {
                        G_LABELS[0]
                    } else {
                        G_LABELS[1]
                    }
                }
                _ => "Not significant",
            };
            *counts.entry(label).or_default() += 1;
            f.stat = Some(loc.stat);
            f.z = loc.z;
            f.p = pvals[k];
            f.label = Some(label);
        }
        features[i] = f;
    }
    (features, cutoff, counts)
}
