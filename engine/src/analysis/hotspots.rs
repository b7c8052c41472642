//! `hotspots`: where do high (or low) values cluster? Global Moran's I, local Moran (LISA)
//! and Getis-Ord Gi / Gi* of a field or a rate over a layer's features, matching PySAL esda
//! (formulas in [`stats`]; where esda's Gi variance is wrong for non-binary weights, the
//! exact one is used and the difference documented there).
//!
//! Stages: *value* per feature (a field, or numerator / denominator × `per`, optionally
//! empirical-Bayes standardised as esda's `Moran_Rate`: Assunção & Reis 1999) → *weights*
//! ([`crate::weights`], default queen, row-standardised) → features without a value are left
//! out, islands handled by the weights' policy → *statistic* with analytic moments →
//! *permutations* (conditional for local statistics, total for Moran's I; parallel and
//! reproducible for a seed, [`perm`]) → *labels*: a feature is significant when its p < the
//! cut-off (`alpha`, or with `fdr` the Benjamini–Hochberg cut-off of esda's `fdr`), then
//! labelled by quadrant (local Moran) or by the sign of z (Gi: "Hot spot" / "Cold spot").
//! Everything after the weights is the typed kernel [`local`] ([`kernel`]), which
//! `complaints` calls too.
//!
//! Rows: `value`, `stat` (I_i or G_i), `z` (analytic), `p` (permutation pseudo p-value, or
//! the analytic two-sided one with `permutations: 0`), `label`, `quadrant` (Moran
//! scatterplot: HH, LH, LL, HL), `island`. The summary always carries the global Moran's I
//! of the same values and weights (`moran_i`, `expected_i`, `variance_norm`, `z_norm`,
//! `p_norm`, `variance_rand`, `z_rand`, `p_rand`, `p_sim`) and counts per label.

pub mod kernel;
pub mod normal;
pub mod perm;
pub mod stats;

pub use kernel::{local, FeatureStat, LocalStats, Test};

use super::defaults::{self, Focus};
use super::descriptor::{text, Better, Category, Column, Descriptor, Kind, Unit};
use super::{layer_param, num, Output, Row, TypedAnalysis};
use crate::error::{Error, Result};
use crate::layer::{Layer, Role};
use crate::project::Project;
use crate::weights::{Transform, Weights, WeightsSpec};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `hotspots` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Hotspots;

/// Which statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// Global Moran's I (rows: value, quadrant; no local test).
    Moran,
    /// Local Moran (LISA) with quadrant labels.
    #[default]
    LocalMoran,
    /// Getis-Ord Gi (the feature itself left out).
    Gi,
    /// Getis-Ord Gi* (the feature itself included).
    GiStar,
}

/// How a rate is turned into the analysed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Smoothing {
    /// The raw rate.
    #[default]
    None,
    /// Assunção–Reis empirical-Bayes standardisation (esda `Moran_Rate`): small
    /// denominators no longer make extreme rates.
    Eb,
}

/// Params of `hotspots`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HotspotsParams {
    /// Layer of zones or points (e.g. `kelurahan`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Lapisan", "en": "Layer"},
        "x-tepat-help" = {"id": "Lapisan zona atau titik yang diuji (mis. `kelurahan`)."},
        "x-tepat-layer" = {"roles": ["zones", "demand", "facilities", "events", "hazard"]}
    ))]
    pub layer: String,
    /// Numeric field to analyse (or give `numerator` and `denominator`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom yang diuji", "en": "Field"},
        "x-tepat-help" = {"id": "Kolom numerik yang diuji (atau isi `numerator` dan `denominator` untuk sebuah rasio)."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "float"]}
    ))]
    pub field: Option<String>,
    /// Rate numerator field (e.g. complaints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Pembilang rasio", "en": "Rate numerator"},
        "x-tepat-help" = {"id": "Kolom pembilang rasio (mis. jumlah rumah tangga miskin, jumlah pengaduan)."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "float"]}
    ))]
    pub numerator: Option<String>,
    /// Rate denominator field (e.g. residents); must be > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Penyebut rasio", "en": "Rate denominator"},
        "x-tepat-help" = {"id": "Kolom penyebut rasio (mis. jumlah penduduk atau rumah tangga); harus lebih dari 0."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "float"]}
    ))]
    pub denominator: Option<String>,
    /// Rate multiplier (1000: per 1,000 residents). Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Rasio per", "en": "Rate per"},
        "x-tepat-help" = {"id": "Pengali rasio (1000: per 1.000 penduduk). Bawaan 1."}
    ))]
    pub per: Option<f64>,
    /// Rates only: `none` (default) or `eb` (empirical-Bayes standardised).
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Penghalusan rasio", "en": "Rate smoothing"},
        "x-tepat-help" = {"id": "Hanya untuk rasio: `none` (bawaan) atau `eb` (dibakukan dengan Bayes empiris, agar zona berpenduduk sedikit tidak tampak ekstrem)."}
    ))]
    pub smoothing: Smoothing,
    /// Spatial weights (default queen, row-standardised, islands kept).
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bobot spasial (ketetanggaan)", "en": "Spatial weights"},
        "x-tepat-help" = {"id": "Cara menentukan tetangga (bawaan: queen, yaitu zona yang bersinggungan, dibakukan per baris; zona tanpa tetangga tetap diikutkan)."}
    ))]
    pub weights: WeightsSpec,
    /// `local_moran` (default), `moran`, `gi` or `gi_star`.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Statistik", "en": "Statistic"},
        "x-tepat-help" = {"id": "`local_moran` (bawaan, LISA: klaster dan pencilan), `moran` (Moran's I global saja), `gi` atau `gi_star` (Getis-Ord: titik panas dan titik dingin)."}
    ))]
    pub statistic: Statistic,
    /// Random permutations for pseudo p-values (default 999; 0 = analytic p only).
    #[serde(default = "default_permutations")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah permutasi", "en": "Permutations"},
        "x-tepat-help" = {"id": "Jumlah permutasi acak untuk nilai p semu (bawaan 999; 0 = hanya nilai p analitis)."}
    ))]
    pub permutations: usize,
    /// Seed of the permutations (same seed, same p-values, on any machine).
    #[serde(default = "default_seed")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Benih acak", "en": "Random seed"},
        "x-tepat-help" = {"id": "Benih permutasi acak (benih sama, nilai p sama, di komputer mana pun)."}
    ))]
    pub seed: u64,
    /// Significance level (default 0.05).
    #[serde(default = "default_alpha")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Taraf signifikansi", "en": "Significance level"},
        "x-tepat-help" = {"id": "Taraf signifikansi (bawaan 0,05)."}
    ))]
    pub alpha: f64,
    /// Control the false discovery rate (Benjamini–Hochberg) instead of testing each feature at `alpha`.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kendalikan temuan palsu (FDR)", "en": "Control false discoveries (FDR)"},
        "x-tepat-help" = {"id": "Kendalikan proporsi temuan palsu (Benjamini–Hochberg) alih-alih menguji tiap zona pada taraf `alpha`."}
    ))]
    pub fdr: bool,
}

fn default_permutations() -> usize {
    999
}
fn default_seed() -> u64 {
    12345
}
fn default_alpha() -> f64 {
    0.05
}

/// The layers a statistic is computed over.
const ROLES: [Role; 5] = [
    Role::Zones,
    Role::Demand,
    Role::Facilities,
    Role::Events,
    Role::Hazard,
];

impl TypedAnalysis for Hotspots {
    type Params = HotspotsParams;
    const NAME: &'static str = "hotspots";
    const DESCRIPTOR: Descriptor = Descriptor {
        title: text("Titik panas dan klaster spasial", "Hot spots and spatial clusters"),
        description: text(
            "Di mana nilai tinggi (atau rendah) mengelompok: Moran's I global, Moran lokal (LISA), Getis-Ord Gi / Gi* dari sebuah kolom atau rasio",
            "Spatial clusters of a field or rate: global Moran's I, local Moran (LISA), Getis-Ord Gi / Gi*",
        ),
        columns: &[
            Column::new(
                "z",
                text("Skor z", "z-score"),
                Unit::None,
                Kind::Score,
                Better::Neutral,
            )
            .headline(),
            Column::new(
                "label",
                text("Hasil uji", "Finding"),
                Unit::None,
                Kind::Category,
                Better::Neutral,
            )
            .values(LABELS),
            Column::new(
                "quadrant",
                text("Kuadran Moran", "Moran quadrant"),
                Unit::None,
                Kind::Category,
                Better::Neutral,
            )
            .values(QUADRANT_VALUES),
            Column::new(
                "value",
                text("Nilai yang diuji", "Value tested"),
                Unit::None,
                Kind::Score,
                Better::Neutral,
            ),
            Column::new(
                "eb",
                text("Rasio baku Bayes empiris", "Empirical-Bayes standardised rate"),
                Unit::None,
                Kind::Score,
                Better::Neutral,
            ),
            Column::new(
                "stat",
                text("Statistik lokal (I atau G)", "Local statistic (I or G)"),
                Unit::None,
                Kind::Score,
                Better::Neutral,
            ),
            Column::new(
                "p",
                text("Nilai p", "p-value"),
                Unit::None,
                Kind::Score,
                Better::Neutral,
            ),
            Column::new(
                "island",
                text("Tanpa tetangga", "No neighbour (island)"),
                Unit::None,
                Kind::Flag,
                Better::Neutral,
            ),
        ],
    };

    /// The finest zones, tested on the share of poor households when the zones carry both
    /// `poor_households` and `households`: where poverty clusters.
    fn defaults(project: &Project, _focus: &Focus) -> Result<Value> {
        let zones = defaults::finest_zones(project, Self::NAME)?;
        let layer = project.layers.get(&zones)?;
        let (num_f, den_f) = ("poor_households", "households");
        if layer.numeric_column(num_f).is_err() || layer.numeric_column(den_f).is_err() {
            return Err(Error::param(
                Self::NAME,
                "(params)",
                format!(
                    "zone layer '{zones}' has no numeric '{num_f}' and '{den_f}' fields to default to; give `field`, or `numerator` and `denominator`"
                ),
            ));
        }
        Ok(serde_json::json!({
            "layer": zones,
            "numerator": num_f,
            "denominator": den_f,
        }))
    }

    fn run(&self, project: &Project, p: &mut HotspotsParams) -> Result<Output> {
        let layer = layer_param(project, Self::NAME, "layer", &p.layer, &ROLES, true)?;
        check_params(p)?;
        let test = Test::new(
            p.statistic,
            p.weights.clone(),
            p.permutations,
            p.seed,
            p.alpha,
            p.fdr,
        )?;
        p.weights = test.weights.clone();
        let values = feature_values(layer, p)?;
        let original = p.weights.build(layer, Self::NAME, "weights")?;
        let found = local(&values.analysed, &original, &test, layer, &value_label(p))?;

        let mut summary = test_summary(&test, &found, layer);
        summary.insert("value".into(), Value::String(value_label(p)));
        summary.insert(
            "missing".into(),
            Value::Array(
                (0..layer.len())
                    .filter(|&i| values.analysed[i].is_none())
                    .map(|i| Value::String(layer.ids[i].clone()))
                    .collect(),
            ),
        );
        let eb = p.smoothing == Smoothing::Eb;
        let rows = (0..layer.len())
            .map(|i| {
                HotspotsRow {
                    id: &layer.ids[i],
                    value: values.shown[i],
                    eb: eb.then_some(values.analysed[i]),
                    stat: found.features[i],
                }
                .into_row()
            })
            .collect();
        Ok(Output {
            summary,
            rows,
            row_layer: Some(layer.name.clone()),
            layers_used: vec![layer.name.clone()],
        })
    }
}

fn check_params(p: &HotspotsParams) -> Result<()> {
    let name = Hotspots::NAME;
    match (&p.field, &p.numerator, &p.denominator) {
        (Some(_), None, None) => {
            if p.smoothing != Smoothing::None {
                return Err(Error::param(
                    name,
                    "smoothing",
                    "applies to rates (numerator / denominator) only",
                ));
            }
            if p.per.is_some() {
                return Err(Error::param(
                    name,
                    "per",
                    "applies to rates (numerator / denominator) only",
                ));
            }
        }
        (None, Some(_), Some(_)) => {
            if let Some(per) = p.per {
                if !(per.is_finite() && per > 0.0) {
                    return Err(Error::param(name, "per", "must be a finite number > 0"));
                }
            }
        }
        _ => {
            return Err(Error::param(
                name,
                "field",
                "give either `field` or both `numerator` and `denominator`",
            ))
        }
    }
    Ok(())
}

/// What is tested, as the summary and errors name it: the field, or `numerator / denominator`.
fn value_label(p: &HotspotsParams) -> String {
    match (&p.field, &p.numerator, &p.denominator) {
        (Some(f), _, _) => f.clone(),
        (None, a, b) => format!(
            "{} / {}",
            a.as_deref().unwrap_or_default(),
            b.as_deref().unwrap_or_default()
        ),
    }
}

/// The summary of a test: the statistic and its options, the global Moran's I, the weights
/// as used, islands (their ids) and the count per label. `complaints` reports part of it.
pub fn test_summary(test: &Test, found: &LocalStats, layer: &Layer) -> Map<String, Value> {
    let g = &found.global;
    let w = &found.weights;
    let mut s = Map::new();
    s.insert(
        "statistic".into(),
        serde_json::to_value(test.statistic).unwrap_or(Value::Null),
    );
    s.insert("features".into(), found.analysed.into());
    s.insert("moran_i".into(), num(g.i));
    s.insert("expected_i".into(), num(g.expected));
    s.insert("variance_norm".into(), num(g.variance_norm));
    s.insert("z_norm".into(), num(g.z_norm));
    s.insert("p_norm".into(), num(g.p_norm));
    s.insert("variance_rand".into(), num(g.variance_rand));
    s.insert("z_rand".into(), num(g.z_rand));
    s.insert("p_rand".into(), num(g.p_rand));
    s.insert("p_sim".into(), found.p_sim.map_or(Value::Null, num));
    s.insert("permutations".into(), test.permutations.into());
    s.insert(
        "weights".into(),
        serde_json::json!({
            "type": test.weights.kind.as_str(),
            "transform": test.weights.transform.as_str(),
            "pairs": w.pairs,
            "neighbors_min": w.neighbors_min,
            "neighbors_mean": num(w.neighbors_mean),
            "neighbors_max": w.neighbors_max,
        }),
    );
    s.insert(
        "islands".into(),
        Value::Array(
            found
                .islands
                .iter()
                .map(|&i| Value::String(layer.ids[i].clone()))
                .collect(),
        ),
    );
    s.insert(
        "island_policy".into(),
        serde_json::to_value(test.weights.islands).unwrap_or(Value::Null),
    );
    s.insert("alpha".into(), num(test.alpha));
    s.insert("fdr".into(), Value::Bool(test.fdr));
    s.insert("p_cutoff".into(), num(found.cutoff));
    s.insert(
        "counts".into(),
        Value::Object(
            found
                .counts
                .iter()
                .map(|(k, v)| (k.to_string(), (*v).into()))
                .collect(),
        ),
    );
    s
}

/// One row of `hotspots`.
struct HotspotsRow<'a> {
    id: &'a str,
    /// The value shown (the field, or the raw rate).
    value: Option<f64>,
    /// With `smoothing: eb`, the standardised rate that was tested.
    eb: Option<Option<f64>>,
    stat: FeatureStat,
}

impl HotspotsRow<'_> {
    fn into_row(self) -> Row {
        let number = |v: Option<f64>| v.map_or(Value::Null, num);
        let word = |v: Option<&str>| v.map_or(Value::Null, |s| Value::String(s.into()));
        let f = self.stat;
        let mut r = Row::new();
        r.insert("id".into(), Value::String(self.id.into()));
        r.insert("value".into(), number(self.value));
        if let Some(eb) = self.eb {
            r.insert("eb".into(), number(eb));
        }
        r.insert("stat".into(), number(f.stat));
        r.insert("z".into(), number(f.z));
        r.insert("p".into(), number(f.p));
        r.insert("label".into(), word(f.label));
        r.insert("quadrant".into(), word(f.quadrant));
        r.insert("island".into(), Value::Bool(f.island));
        r
    }
}

/// Per feature: the value shown in the row and the value analysed (they differ for EB rates).
struct FeatureValues {
    shown: Vec<Option<f64>>,
    analysed: Vec<Option<f64>>,
}

fn feature_values(layer: &Layer, p: &HotspotsParams) -> Result<FeatureValues> {
    let n = layer.len();
    if let Some(f) = &p.field {
        let col = layer.numeric_column(f)?;
        let v: Vec<Option<f64>> = (0..n)
            .map(|i| col.f64_at(i).filter(|x| x.is_finite()))
            .collect();
        return Ok(FeatureValues {
            shown: v.clone(),
            analysed: v,
        });
    }
    let (Some(num_f), Some(den_f)) = (&p.numerator, &p.denominator) else {
        return Err(Error::param(Hotspots::NAME, "field", "no field given"));
    };
    let (a, b) = (layer.numeric_column(num_f)?, layer.numeric_column(den_f)?);
    let per = p.per.unwrap_or(1.0);
    let mut pairs = vec![None; n];
    let mut bad = Vec::new();
    for (i, slot) in pairs.iter_mut().enumerate() {
        match (a.f64_at(i), b.f64_at(i)) {
            (Some(e), Some(d)) if e.is_finite() && d.is_finite() => {
                if d <= 0.0 {
                    bad.push(layer.ids[i].clone());
                } else {
                    *slot = Some((e, d));
                }
            }
            _ => {}
        }
    }
    if !bad.is_empty() {
        let shown: Vec<&str> = bad.iter().take(10).map(String::as_str).collect();
        return Err(Error::FieldType {
            layer: layer.name.clone(),
            field: den_f.clone(),
            message: format!(
                "a rate needs a denominator > 0; {} feature(s) have 0 or less: {}{}",
                bad.len(),
                shown.join(", "),
                if bad.len() > 10 { ", …" } else { "" }
            ),
        });
    }
    let shown: Vec<Option<f64>> = pairs.iter().map(|x| x.map(|(e, d)| e / d * per)).collect();
    let analysed = match p.smoothing {
        Smoothing::None => shown.clone(),
        Smoothing::Eb => {
            let present: Vec<(f64, f64)> = pairs.iter().flatten().copied().collect();
            let eb = assuncao_reis(&present);
            let mut it = eb.into_iter();
            pairs.iter().map(|x| x.and_then(|_| it.next())).collect()
        }
    };
    Ok(FeatureValues { shown, analysed })
}

/// Assunção & Reis (1999) empirical-Bayes standardised rates of (events, population) pairs,
/// as esda's `assuncao_rate`.
pub fn assuncao_reis(pairs: &[(f64, f64)]) -> Vec<f64> {
    let n = pairs.len() as f64;
    let e_sum: f64 = pairs.iter().map(|p| p.0).sum();
    let b_sum: f64 = pairs.iter().map(|p| p.1).sum();
    let b = e_sum / b_sum;
    let s2 = pairs
        .iter()
        .map(|(e, d)| d * (e / d - b).powi(2))
        .sum::<f64>()
        / b_sum;
    let a = s2 - b / (b_sum / n);
    pairs
        .iter()
        .map(|(e, d)| {
            let raw = a + b / d;
            let v = if raw < 0.0 { b / d } else { raw };
            (e / d - b) / v.sqrt()
        })
        .collect()
}

/// The labels, in summary order.
const MORAN_LABELS: [&str; 5] = [
    "High-High",
    "Low-High",
    "Low-Low",
    "High-Low",
    "Not significant",
];
const G_LABELS: [&str; 3] = ["Hot spot", "Cold spot", "Not significant"];
const QUADRANTS: [&str; 4] = ["HH", "LH", "LL", "HL"];

/// The values of the `label` column: LISA clusters and outliers, Getis-Ord hot and cold
/// spots, in words a reader of the map understands.
pub const LABELS: &[Category] = &[
    Category {
        value: "High-High",
        label: text(
            "Klaster tinggi (tinggi dikelilingi tinggi)",
            "High cluster (high among high)",
        ),
    },
    Category {
        value: "Low-Low",
        label: text(
            "Klaster rendah (rendah dikelilingi rendah)",
            "Low cluster (low among low)",
        ),
    },
    Category {
        value: "High-Low",
        label: text(
            "Pencilan tinggi (tinggi dikelilingi rendah)",
            "High outlier (high among low)",
        ),
    },
    Category {
        value: "Low-High",
        label: text(
            "Pencilan rendah (rendah dikelilingi tinggi)",
            "Low outlier (low among high)",
        ),
    },
    Category {
        value: "Hot spot",
        label: text("Titik panas", "Hot spot"),
    },
    Category {
        value: "Cold spot",
        label: text("Titik dingin", "Cold spot"),
    },
    Category {
        value: "Not significant",
        label: text("Tidak signifikan", "Not significant"),
    },
];

/// The Getis-Ord part of [`LABELS`]: hot spot, cold spot, not significant (what `complaints`
/// labels its Gi* hot spots with).
pub const SPOT_LABELS: &[Category] = LABELS.split_at(4).1;

/// The values of the `quadrant` column (the Moran scatterplot, significant or not).
const QUADRANT_VALUES: &[Category] = &[
    Category {
        value: "HH",
        label: text("Tinggi, tetangga tinggi", "High, neighbours high"),
    },
    Category {
        value: "LL",
        label: text("Rendah, tetangga rendah", "Low, neighbours low"),
    },
    Category {
        value: "HL",
        label: text("Tinggi, tetangga rendah", "High, neighbours low"),
    },
    Category {
        value: "LH",
        label: text("Rendah, tetangga tinggi", "Low, neighbours high"),
    },
];

/// Gi* weights: each row of the original weights plus the feature itself, weighing the
/// kernel's K(0) or else the row's largest weight (1 for binary weights: esda's rule), then
/// transformed. Returns the neighbours' weights and each feature's self weight.
pub fn star_weights(original: &Weights, t: Transform) -> (Weights, Vec<f64>) {
    let n = original.n();
    let mut nb = Vec::with_capacity(n);
    let mut vals = Vec::with_capacity(n);
    let mut selfw = Vec::with_capacity(n);
    for i in 0..n {
        let row = original.values(i);
        let s = match original.self_weight {
            Some(s) => s,
            None if row.is_empty() => 1.0,
            None => row.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        };
        let (mut r, mut sv) = (row.to_vec(), s);
        match t {
            Transform::B => {
                r.iter_mut().for_each(|v| *v = 1.0);
                sv = 1.0;
            }
            Transform::R => {
                let sum = r.iter().sum::<f64>() + sv;
                if sum != 0.0 {
                    r.iter_mut().for_each(|v| *v /= sum);
                    sv /= sum;
                }
            }
            Transform::V => {}
        }
        nb.push(original.neighbors(i).to_vec());
        vals.push(r);
        selfw.push(sv);
    }
    let mut w = Weights::new(nb, vals);
    w.transform = Some(t);
    (w, selfw)
}

/// esda's `fdr`: the largest k·α/m with p_(k) < k·α/m over the p-values sorted ascending
/// (Benjamini & Hochberg 1995), or α/m (Bonferroni) when there is none.
pub fn fdr_cutoff(p: &[f64], alpha: f64) -> f64 {
    let m = p.len();
    if m == 0 {
        return alpha;
    }
    let mut s = p.to_vec();
    s.sort_by(f64::total_cmp);
    for k in (1..=m).rev() {
        let c = k as f64 * alpha / m as f64;
        if s[k - 1] < c {
            return c;
        }
    }
    alpha / m as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project of one zone layer `z` with the given integer fields.
    fn zones_with(fields: &[&str]) -> Project {
        use crate::analysis::fixtures::{ints, rect, spec};
        let cols = fields.iter().map(|f| ints(f, &[1, 2])).collect();
        let z = Layer::new(
            "z",
            Role::Zones,
            Some(crate::crs::Crs::Epsg(32651)),
            vec![rect(0.0, 0.0, 1.0, 1.0), rect(1.0, 0.0, 1.0, 1.0)],
            cols,
        )
        .expect("zones");
        Project::from_layers(
            "t",
            crate::crs::Crs::Epsg(32651),
            vec![(spec("z", "zones"), z)],
        )
        .expect("project")
    }

    #[test]
    fn defaults_test_the_poor_share_or_say_what_is_missing() {
        let p = zones_with(&["poor_households", "households"]);
        let d = Hotspots::defaults(&p, &Focus::default()).expect("defaults");
        assert_eq!(
            d,
            serde_json::json!({"layer": "z", "numerator": "poor_households", "denominator": "households"})
        );
        let p = zones_with(&["poor_households"]);
        let e = Hotspots::defaults(&p, &Focus::default()).expect_err("no households");
        assert!(e.to_string().contains("'households'"), "{e}");
        assert!(e.to_string().contains("`field`"), "{e}");
    }

    #[test]
    fn fdr_like_esda() {
        // m = 4, α = 0.05: thresholds .0125 .025 .0375 .05; p = .001 .02 .04 .3 →
        // p_(2) = .02 < .025 is the last passing: cut-off .025.
        assert_eq!(fdr_cutoff(&[0.3, 0.001, 0.04, 0.02], 0.05), 0.025);
        assert_eq!(fdr_cutoff(&[0.3, 0.2], 0.05), 0.025);
    }

    #[test]
    fn eb_rates_by_hand() {
        // (1, 10), (4, 20): b = 5/30, s² = 1/450, a = s² − b/15 < 0; feature 1 has
        // a + b/10 > 0, feature 2 a + b/20 < 0 so its variance falls back to b/20.
        let z = assuncao_reis(&[(1.0, 10.0), (4.0, 20.0)]);
        let b: f64 = 1.0 / 6.0;
        let a: f64 = 1.0 / 450.0 - b / 15.0;
        assert!((z[0] - (0.1 - b) / (a + b / 10.0).sqrt()).abs() < 1e-15);
        assert!((z[1] - (0.2 - b) / (b / 20.0).sqrt()).abs() < 1e-15);
        assert!((z[0] - -0.755_928_946).abs() < 1e-8);
    }

    #[test]
    fn star_weights_add_the_feature() {
        let w = Weights::binary(vec![vec![1, 2], vec![0], vec![0]]);
        let (r, s) = star_weights(&w, Transform::R);
        assert_eq!(r.values(0), &[1.0 / 3.0, 1.0 / 3.0]);
        assert_eq!(s, vec![1.0 / 3.0, 0.5, 0.5]);
        let (b, s) = star_weights(&w, Transform::B);
        assert_eq!(b.values(1), &[1.0]);
        assert_eq!(s, vec![1.0; 3]);
    }
}
