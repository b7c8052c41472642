//! Spatial weights: who is whose neighbour, and how much, for the spatial statistics
//! (`hotspots`, `clusters`).
//!
//! | type | neighbours of i | original weight | module |
//! | --- | --- | --- | --- |
//! | `queen` | polygons sharing at least a point of boundary with i | 1 | [`contiguity`] |
//! | `rook` | polygons sharing a stretch of edge with i | 1 | [`contiguity`] |
//! | `knn` | the `k` nearest features (ties by feature order) | 1 | [`distance`] |
//! | `distance` | features within `threshold` (boundary included) | 1, or d^`alpha` | [`distance`] |
//! | `kernel` | features within the bandwidth | K(d / bandwidth) | [`distance`] |
//!
//! Contiguity is built from the R-tree (candidate pairs = intersecting bounding boxes) and
//! then an exact test per pair. With `tolerance` 0 the test is libpysal's and GeoDa's:
//! a shared vertex (queen) or a shared edge with identical end points (rook), so the lists
//! equal libpysal `Queen` / `Rook`. With a positive `tolerance` (CRS units) the test is
//! geometric, so boundaries digitised with tiny gaps, overlaps or T-junctions still meet:
//! queen when the two boundaries come within `tolerance`; rook when two of their segments
//! run collinear (within `tolerance`) along more than `tolerance` of length.
//! Distance-based types use a feature's point (points) or area centroid (polygons), as
//! libpysal's `from_dataframe` does.
//!
//! A feature never neighbours itself; a kernel's self weight K(0) is kept aside
//! ([`Weights::self_weight`]) for Getis-Ord Gi*.
//!
//! Transformations ([`Transform`]) always start from the original weights, as libpysal's:
//! `R` row-standardised (each row sums to 1), `B` binary (every weight 1), `V` variance
//! stabilising (Tiefelsdorf, Griffith & Boots 1999: rows scaled to unit sum of squares,
//! then all weights scaled so they sum to n).
//!
//! Islands (features without neighbours) are reported by [`Weights::islands`]; the policy
//! ([`IslandPolicy`]) is applied by the statistic: `keep` leaves them in the data with a
//! zero spatial lag (their local statistic is 0 and never significant), `drop` takes them
//! out of the statistic altogether. Export with [`gal`] (GAL, binary lists) or GWT
//! (weighted pairs), both readable by libpysal and GeoDa.

pub mod contiguity;
pub mod distance;
pub mod gal;
pub mod transform;

pub use transform::Transform;

use crate::error::{Error, Result};
use crate::layer::Layer;
use geo::Geometry;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which neighbour relation to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WeightsKind {
    /// Polygons sharing at least one boundary point.
    #[default]
    Queen,
    /// Polygons sharing an edge.
    Rook,
    /// The k nearest features.
    Knn,
    /// Features within a distance band (binary or inverse distance).
    Distance,
    /// Kernel weights within a fixed or adaptive bandwidth.
    Kernel,
}

impl WeightsKind {
    /// Name as written in params.
    pub fn as_str(self) -> &'static str {
        match self {
            WeightsKind::Queen => "queen",
            WeightsKind::Rook => "rook",
            WeightsKind::Knn => "knn",
            WeightsKind::Distance => "distance",
            WeightsKind::Kernel => "kernel",
        }
    }
}

/// Kernel functions of z = d / bandwidth (libpysal `Kernel`'s set and formulas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum KernelFn {
    /// 1 − z.
    #[default]
    Triangular,
    /// 1/2.
    Uniform,
    /// 3/4 (1 − z²) (Epanechnikov).
    Quadratic,
    /// 15/16 (1 − z²)² (bisquare).
    Quartic,
    /// exp(−z²/2) / √(2π).
    Gaussian,
}

impl KernelFn {
    /// K(z).
    pub fn eval(self, z: f64) -> f64 {
        match self {
            KernelFn::Triangular => 1.0 - z,
            KernelFn::Uniform => 0.5,
            KernelFn::Quadratic => 0.75 * (1.0 - z * z),
            KernelFn::Quartic => 15.0 / 16.0 * (1.0 - z * z).powi(2),
            KernelFn::Gaussian => (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt(),
        }
    }
}

/// What a statistic does with features that have no neighbour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IslandPolicy {
    /// Keep them in the data (mean, variance, n) with a zero spatial lag; their local
    /// statistic is 0, their p-value null, never significant (esda's treatment of the
    /// statistic, without esda's spurious p-value for islands).
    #[default]
    Keep,
    /// Leave them out of the statistic; their rows carry the value and null statistics.
    Drop,
}

/// Weights params, as analyses take them: `{"type": "queen", "transform": "R"}` etc.
/// Options that do not apply to `type` are refused rather than ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightsSpec {
    /// `queen` (default), `rook`, `knn`, `distance` or `kernel`.
    #[serde(rename = "type", default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jenis ketetanggaan", "en": "Weights type"},
        "x-tepat-help" = {"id": "`queen` (bawaan: zona yang bersinggungan, walau hanya di satu titik), `rook` (bersinggungan sepanjang batas), `knn` (k tetangga terdekat), `distance` (dalam jarak tertentu) atau `kernel`."}
    ))]
    pub kind: WeightsKind,
    /// knn: number of neighbours (default 8). kernel: adaptive bandwidth = distance to the
    /// k-th nearest neighbour (used when `threshold` is not given; default 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah tetangga (k)", "en": "Neighbours (k)"},
        "x-tepat-help" = {"id": "knn: jumlah tetangga (bawaan 8). kernel: lebar pita mengikuti jarak ke tetangga terdekat ke-k (dipakai bila `threshold` tidak diisi; bawaan 8)."}
    ))]
    pub k: Option<usize>,
    /// distance: the band (CRS units, metres in a project; required). kernel: a fixed bandwidth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Batas jarak (m)", "en": "Distance band (m)"},
        "x-tepat-help" = {"id": "distance: batas jarak tetangga (satuan CRS, meter dalam proyek; wajib). kernel: lebar pita tetap."}
    ))]
    pub threshold: Option<f64>,
    /// distance: binary weights (default true) or inverse distance d^alpha.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bobot biner", "en": "Binary weights"},
        "x-tepat-help" = {"id": "distance: semua tetangga berbobot sama (bawaan ya), atau berbobot menurut kebalikan jarak d^alpha."}
    ))]
    pub binary: Option<bool>,
    /// distance with `binary: false`: the power of distance (default −1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Pangkat jarak", "en": "Distance power"},
        "x-tepat-help" = {"id": "distance dengan `binary: false`: pangkat jarak (bawaan −1)."}
    ))]
    pub alpha: Option<f64>,
    /// kernel: the function (default triangular).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Fungsi kernel", "en": "Kernel function"},
        "x-tepat-help" = {"id": "kernel: fungsi pembobot menurut jarak (bawaan triangular)."}
    ))]
    pub function: Option<KernelFn>,
    /// queen / rook: snapping tolerance in CRS units (default 0: exact shared vertices /
    /// edges, as libpysal and GeoDa).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Toleransi celah batas (m)", "en": "Snapping tolerance (m)"},
        "x-tepat-help" = {"id": "queen / rook: celah antarbatas zona yang masih dianggap bersinggungan, dalam satuan CRS (bawaan 0: titik sudut / sisi harus persis sama, seperti libpysal dan GeoDa)."}
    ))]
    pub tolerance: Option<f64>,
    /// `R` (row-standardised, default), `B` (binary) or `V` (variance stabilising).
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Transformasi bobot", "en": "Weights transform"},
        "x-tepat-help" = {"id": "`R` (dibakukan per baris, bawaan), `B` (biner) atau `V` (penstabil ragam)."}
    ))]
    pub transform: Transform,
    /// `keep` (default: zero lag, reported) or `drop` (left out of the statistic).
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Zona tanpa tetangga", "en": "Islands"},
        "x-tepat-help" = {"id": "Zona tanpa tetangga: `keep` (bawaan: tetap diikutkan dengan lag nol, dan dilaporkan) atau `drop` (dikeluarkan dari perhitungan)."}
    ))]
    pub islands: IslandPolicy,
}

impl Default for WeightsSpec {
    fn default() -> Self {
        WeightsSpec {
            kind: WeightsKind::Queen,
            k: None,
            threshold: None,
            binary: None,
            alpha: None,
            function: None,
            tolerance: None,
            transform: Transform::R,
            islands: IslandPolicy::Keep,
        }
    }
}

impl WeightsSpec {
    /// A spec of `kind` with every other option at its default.
    pub fn of(kind: WeightsKind) -> WeightsSpec {
        WeightsSpec {
            kind,
            ..WeightsSpec::default()
        }
    }

    /// Checks the options against the type and fills the defaults that apply, so a result
    /// reports the weights as built. `analysis` and `param` name the place for errors.
    pub fn resolve(&mut self, analysis: &str, param: &str) -> Result<()> {
        let bad = |opt: &str, why: &str| Error::param(analysis, &format!("{param}.{opt}"), why);
        let kind = self.kind.as_str();
        let only = |opt: &str, set: bool, allowed: bool| -> Result<()> {
            if set && !allowed {
                Err(bad(
                    opt,
                    &format!("does not apply to weights of type '{kind}'"),
                ))
            } else {
                Ok(())
            }
        };
        use WeightsKind::*;
        let contig = matches!(self.kind, Queen | Rook);
        only("k", self.k.is_some(), matches!(self.kind, Knn | Kernel))?;
        only(
            "threshold",
            self.threshold.is_some(),
            matches!(self.kind, Distance | Kernel),
        )?;
        only("binary", self.binary.is_some(), self.kind == Distance)?;
        only("alpha", self.alpha.is_some(), self.kind == Distance)?;
        only("function", self.function.is_some(), self.kind == Kernel)?;
        only("tolerance", self.tolerance.is_some(), contig)?;
        match self.kind {
            Queen | Rook => {
                let t = *self.tolerance.get_or_insert(0.0);
                if !(t.is_finite() && t >= 0.0) {
                    return Err(bad("tolerance", "must be a finite number ≥ 0"));
                }
            }
            Knn => {
                if *self.k.get_or_insert(8) == 0 {
                    return Err(bad("k", "must be at least 1"));
                }
            }
            Distance => {
                let t = self
                    .threshold
                    .ok_or_else(|| bad("threshold", "distance weights need a threshold"))?;
                if !(t.is_finite() && t > 0.0) {
                    return Err(bad("threshold", "must be a finite number > 0"));
                }
                if *self.binary.get_or_insert(true) {
                    if self.alpha.is_some() {
                        return Err(bad("alpha", "applies only with binary: false"));
                    }
                } else if !self.alpha.get_or_insert(-1.0).is_finite() {
                    return Err(bad("alpha", "must be finite"));
                }
            }
            Kernel => {
                self.function.get_or_insert(KernelFn::Triangular);
                match self.threshold {
                    Some(t) if !(t.is_finite() && t > 0.0) => {
                        return Err(bad("threshold", "must be a finite number > 0"))
                    }
                    Some(_) if self.k.is_some() => {
                        return Err(bad(
                            "k",
                            "give either threshold (fixed bandwidth) or k (adaptive), not both",
                        ))
                    }
                    Some(_) => {}
                    None => {
                        if *self.k.get_or_insert(8) == 0 {
                            return Err(bad("k", "must be at least 1"));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Builds the (untransformed) weights of `layer`'s features. Call [`Self::resolve`] first.
    pub fn build(&self, layer: &Layer, analysis: &str, param: &str) -> Result<Weights> {
        let geoms = &layer.geometries;
        let mut spec = self.clone();
        spec.resolve(analysis, param)?;
        match spec.kind {
            WeightsKind::Queen | WeightsKind::Rook => {
                let polys = contiguity::polygons_of(layer)?;
                let tol = spec.tolerance.unwrap_or(0.0);
                Ok(if spec.kind == WeightsKind::Queen {
                    contiguity::queen(&polys, tol)
                } else {
                    contiguity::rook(&polys, tol)
                })
            }
            WeightsKind::Knn => {
                let pts = distance::points_of(layer)?;
                let k = spec.k.unwrap_or(8);
                if k >= geoms.len() {
                    return Err(Error::param(
                        analysis,
                        &format!("{param}.k"),
                        format!(
                            "k = {k} but layer '{}' has {} features, so at most k = {}",
                            layer.name,
                            geoms.len(),
                            geoms.len().saturating_sub(1)
                        ),
                    ));
                }
                Ok(distance::knn(&pts, k))
            }
            WeightsKind::Distance => {
                let pts = distance::points_of(layer)?;
                let t = spec.threshold.unwrap_or_default();
                if spec.binary.unwrap_or(true) {
                    Ok(distance::band(&pts, t, None))
                } else {
                    distance::inverse_band(&pts, t, spec.alpha.unwrap_or(-1.0)).map_err(|(a, b)| {
                        Error::Geometry {
                            layer: layer.name.clone(),
                            feature: Some(layer.ids[a].clone()),
                            message: format!(
                                "coincides with feature {}: inverse-distance weights are infinite at distance 0",
                                layer.ids[b]
                            ),
                        }
                    })
                }
            }
            WeightsKind::Kernel => {
                let pts = distance::points_of(layer)?;
                let f = spec.function.unwrap_or_default();
                match spec.threshold {
                    Some(bw) => Ok(distance::kernel_fixed(&pts, bw, f)),
                    None => {
                        let k = spec.k.unwrap_or(8);
                        if k >= geoms.len() {
                            return Err(Error::param(
                                analysis,
                                &format!("{param}.k"),
                                format!(
                                    "k = {k} but layer '{}' has {} features, so at most k = {}",
                                    layer.name,
                                    geoms.len(),
                                    geoms.len().saturating_sub(1)
                                ),
                            ));
                        }
                        Ok(distance::kernel_adaptive(&pts, k, f))
                    }
                }
            }
        }
    }
}

/// Spatial weights over n features: for each i its neighbours (ascending feature index,
/// never i) and their weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    neighbors: Vec<Vec<usize>>,
    values: Vec<Vec<f64>>,
    /// A kernel's weight of a feature on itself, K(0) (Getis-Ord Gi* uses it); none otherwise.
    pub self_weight: Option<f64>,
    /// The transformation applied to the values.
    pub transform: Option<Transform>,
}

impl Weights {
    /// Weights from neighbour lists and weights (same shapes). Lists are sorted by neighbour
    /// and self-pairs removed.
    pub fn new(neighbors: Vec<Vec<usize>>, values: Vec<Vec<f64>>) -> Weights {
        let mut w = Weights {
            neighbors: Vec::with_capacity(neighbors.len()),
            values: Vec::with_capacity(neighbors.len()),
            self_weight: None,
            transform: None,
        };
        for (i, (nb, vs)) in neighbors.into_iter().zip(values).enumerate() {
            let mut pairs: Vec<(usize, f64)> =
                nb.into_iter().zip(vs).filter(|(j, _)| *j != i).collect();
            pairs.sort_by_key(|p| p.0);
            pairs.dedup_by_key(|p| p.0);
            w.neighbors.push(pairs.iter().map(|p| p.0).collect());
            w.values.push(pairs.iter().map(|p| p.1).collect());
        }
        w
    }

    /// Binary weights from neighbour lists.
    pub fn binary(neighbors: Vec<Vec<usize>>) -> Weights {
        let values = neighbors.iter().map(|n| vec![1.0; n.len()]).collect();
        Weights::new(neighbors, values)
    }

    /// Number of features.
    pub fn n(&self) -> usize {
        self.neighbors.len()
    }

    /// Neighbours of `i`, ascending.
    pub fn neighbors(&self, i: usize) -> &[usize] {
        &self.neighbors[i]
    }

    /// Weights of `i`'s neighbours, in the order of [`Weights::neighbors`].
    pub fn values(&self, i: usize) -> &[f64] {
        &self.values[i]
    }

    /// Number of neighbours of `i`.
    pub fn cardinality(&self, i: usize) -> usize {
        self.neighbors[i].len()
    }

    /// Features with no neighbour, ascending.
    pub fn islands(&self) -> Vec<usize> {
        (0..self.n())
            .filter(|&i| self.neighbors[i].is_empty())
            .collect()
    }

    /// Number of (directed) non-zero pairs.
    pub fn nnz(&self) -> usize {
        self.neighbors.iter().map(Vec::len).sum()
    }

    /// Whether j is a neighbour of i exactly when i is one of j.
    pub fn is_symmetric_structure(&self) -> bool {
        (0..self.n()).all(|i| {
            self.neighbors[i]
                .iter()
                .all(|&j| self.neighbors[j].binary_search(&i).is_ok())
        })
    }

    /// w_ij (0 when j is not a neighbour of i).
    pub fn weight(&self, i: usize, j: usize) -> f64 {
        match self.neighbors[i].binary_search(&j) {
            Ok(k) => self.values[i][k],
            Err(_) => 0.0,
        }
    }

    /// The weights transformed by `t` (from these, taken as the original weights).
    pub fn transformed(&self, t: Transform) -> Weights {
        transform::apply(self, t)
    }

    /// Σ_i z_i Σ_j w_ij z_j (= zᵀWz), without building the lag: the numerator of Moran's I,
    /// computed once per permutation of a global test.
    pub fn cross(&self, z: &[f64]) -> f64 {
        self.neighbors
            .iter()
            .zip(&self.values)
            .zip(z)
            .map(|((nb, ws), zi)| zi * nb.iter().zip(ws).map(|(&j, &w)| w * z[j]).sum::<f64>())
            .sum()
    }

    /// Spatial lag Σ_j w_ij z_j of every feature.
    pub fn lag(&self, z: &[f64]) -> Vec<f64> {
        (0..self.n())
            .map(|i| {
                self.neighbors[i]
                    .iter()
                    .zip(&self.values[i])
                    .map(|(&j, &w)| w * z[j])
                    .sum()
            })
            .collect()
    }

    /// The weights restricted to the features where `keep` is true, renumbered in order
    /// (pairs with a dropped feature are removed). Returns the new weights and the map
    /// new index → old index.
    pub fn subset(&self, keep: &[bool]) -> (Weights, Vec<usize>) {
        let old: Vec<usize> = (0..self.n()).filter(|&i| keep[i]).collect();
        let mut new_of = vec![usize::MAX; self.n()];
        for (k, &i) in old.iter().enumerate() {
            new_of[i] = k;
        }
        let mut nb = Vec::with_capacity(old.len());
        let mut vs = Vec::with_capacity(old.len());
        for &i in &old {
            let (a, b): (Vec<usize>, Vec<f64>) = self.neighbors[i]
                .iter()
                .zip(&self.values[i])
                .filter(|(j, _)| keep[**j])
                .map(|(j, w)| (new_of[*j], *w))
                .unzip();
            nb.push(a);
            vs.push(b);
        }
        let mut w = Weights::new(nb, vs);
        w.self_weight = self.self_weight;
        w.transform = self.transform;
        (w, old)
    }

    /// s0 = Σ_i Σ_j w_ij.
    pub fn s0(&self) -> f64 {
        self.values.iter().flatten().sum()
    }

    /// s1 = ½ Σ_i Σ_j (w_ij + w_ji)².
    pub fn s1(&self) -> f64 {
        let mut s = 0.0;
        for i in 0..self.n() {
            for (&j, &w) in self.neighbors[i].iter().zip(&self.values[i]) {
                let t = w + self.weight(j, i);
                s += t * t;
            }
        }
        // Ordered pairs (j, i) absent from j's row but present as (i, j): (0 + w_ij)².
        for i in 0..self.n() {
            for (&j, &w) in self.neighbors[i].iter().zip(&self.values[i]) {
                if self.neighbors[j].binary_search(&i).is_err() {
                    s += w * w;
                }
            }
        }
        s / 2.0
    }

    /// s2 = Σ_i (w_i. + w_.i)².
    pub fn s2(&self) -> f64 {
        let n = self.n();
        let row: Vec<f64> = self.values.iter().map(|v| v.iter().sum()).collect();
        let mut col = vec![0.0; n];
        for (nb, vs) in self.neighbors.iter().zip(&self.values) {
            for (&j, &w) in nb.iter().zip(vs) {
                col[j] += w;
            }
        }
        row.iter().zip(&col).map(|(r, c)| (r + c).powi(2)).sum()
    }

    /// Neighbour-count summary: (min, mean, max).
    pub fn cardinality_stats(&self) -> (usize, f64, usize) {
        let n = self.n();
        let c: Vec<usize> = self.neighbors.iter().map(Vec::len).collect();
        let min = c.iter().copied().min().unwrap_or(0);
        let max = c.iter().copied().max().unwrap_or(0);
        let mean = if n == 0 {
            0.0
        } else {
            c.iter().sum::<usize>() as f64 / n as f64
        };
        (min, mean, max)
    }
}

/// The geometry of feature `i` or an error naming it (weights need every geometry).
pub(crate) fn geometry_of<'a>(layer: &'a Layer, i: usize, what: &str) -> Result<&'a Geometry> {
    layer.geometries[i].as_ref().ok_or_else(|| Error::Geometry {
        layer: layer.name.clone(),
        feature: Some(layer.ids[i].clone()),
        message: format!("null geometry: {what} weights need every feature's geometry"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lattice_rook(r: usize, c: usize) -> Weights {
        let mut nb = vec![Vec::new(); r * c];
        for y in 0..r {
            for x in 0..c {
                let i = y * c + x;
                if x > 0 {
                    nb[i].push(i - 1);
                }
                if x + 1 < c {
                    nb[i].push(i + 1);
                }
                if y > 0 {
                    nb[i].push(i - c);
                }
                if y + 1 < r {
                    nb[i].push(i + c);
                }
            }
        }
        Weights::binary(nb)
    }

    #[test]
    fn s0_s1_s2_of_a_3x3_rook_lattice() {
        // 12 edges → 24 directed pairs; binary symmetric: s1 = ½ Σ 4 = 2·24 = 48;
        // s2 = Σ (2 k_i)² = 4 Σ k_i² = 4 (4·4 + 4·9 + 16) = 272.
        let w = lattice_rook(3, 3);
        assert_eq!(w.s0(), 24.0);
        assert_eq!(w.s1(), 48.0);
        assert_eq!(w.s2(), 272.0);
        assert!(w.is_symmetric_structure());
        assert!(w.islands().is_empty());
    }

    #[test]
    fn s1_of_an_asymmetric_pair() {
        // w_01 = 2 only: s1 = ½ ((2+0)² + (0+2)²) = 4; s2 = (2+0)² + (0+2)² = 8.
        let w = Weights::new(vec![vec![1], vec![]], vec![vec![2.0], vec![]]);
        assert_eq!(w.s1(), 4.0);
        assert_eq!(w.s2(), 8.0);
        assert_eq!(w.islands(), vec![1]);
        assert!(!w.is_symmetric_structure());
    }

    #[test]
    fn new_sorts_and_drops_self_pairs() {
        let w = Weights::new(vec![vec![2, 0, 1]], vec![vec![3.0, 9.0, 1.0]]);
        assert_eq!(w.neighbors(0), &[1, 2]);
        assert_eq!(w.values(0), &[1.0, 3.0]);
    }

    #[test]
    fn subset_renumbers() {
        let w = lattice_rook(1, 3); // 0-1-2
        let (s, old) = w.subset(&[true, false, true]);
        assert_eq!(old, vec![0, 2]);
        assert_eq!(s.islands(), vec![0, 1]);
    }

    #[test]
    fn spec_refuses_options_of_other_types_and_fills_defaults() {
        let mut s = WeightsSpec::of(WeightsKind::Queen);
        s.k = Some(3);
        assert!(s.resolve("hotspots", "weights").is_err());
        let mut s = WeightsSpec::of(WeightsKind::Distance);
        let e = s.resolve("hotspots", "weights").expect_err("no threshold");
        assert!(e.to_string().contains("weights.threshold"), "{e}");
        s.threshold = Some(10.0);
        s.resolve("hotspots", "weights").expect("ok");
        assert_eq!(s.binary, Some(true));
        let mut s = WeightsSpec::of(WeightsKind::Knn);
        s.resolve("hotspots", "weights").expect("ok");
        assert_eq!(s.k, Some(8));
        let mut s = WeightsSpec::of(WeightsKind::Kernel);
        s.resolve("hotspots", "weights").expect("ok");
        assert_eq!((s.k, s.function), (Some(8), Some(KernelFn::Triangular)));
    }
}
