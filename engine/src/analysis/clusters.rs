//! `clusters`: which zones are alike, and where points crowd together.
//!
//! Three methods, one params object (options of another method are refused, not ignored):
//!
//! - `kmeans`: k-means of zone indicators (numeric `fields`, and `columns` of other analyses
//!   such as `index` or `exposure`), standardised to z-scores ([`indicators`]), fitted with
//!   linfa, seeded ([`kmeans`]). `k` given, or chosen between `k_min` and `k_max` by the
//!   highest mean silhouette ([`silhouette`]; ties to the smaller k), every k's silhouette
//!   and inertia in the summary. Rows: `cluster`, `distance` (to its centroid, in z-score
//!   units), `silhouette`. Summary: per cluster its size and centroid in original units and
//!   in z-scores; `silhouette`, `inertia` (Σ squared distances in z-scores).
//! - `dbscan`: DBSCAN of a point layer ([`dbscan`]), optionally the events of one `category`
//!   within a window `from` – `to` (as `complaints` selects them); `eps` in metres (the
//!   project CRS is metric), `min_points`. Rows: one per point selected, `cluster` (null for
//!   noise), `noise`. Summary: per cluster its size, centroid and convex hull (WKT, project
//!   CRS) for the map; the noise count.
//! - `skater`: contiguous regions ([`skater`]): minimum spanning tree over queen contiguity
//!   of the standardised indicators, pruned to `k` regions that each hold at least `floor`
//!   of `floor_field` (default: the layer's population field; without one, zones are counted).
//!   Rows and summary as k-means, plus each region's floor sum.
//!
//! Clusters are numbered from 1 in the order of their first feature by id
//! ([`number_by_first`]), so the numbers do not depend on the algorithm's internal order.

pub mod dbscan;
pub mod indicators;
pub mod kmeans;
pub mod silhouette;
pub mod skater;

use super::descriptor::{text, Better, Column, Descriptor, Kind, Unit};
use super::{compare_ids, layer_param, num, Output, Row, TypedAnalysis};
use crate::error::{Error, Result};
use crate::events::selection::{self, Query};
use crate::layer::{Layer, Role};
use crate::project::Project;
use crate::weights::{WeightsKind, WeightsSpec};
use geo::{Coord, Geometry};
use indicators::Indicators;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The `clusters` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Clusters;

/// Which clustering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// k-means of standardised zone indicators.
    #[default]
    Kmeans,
    /// Density-based clusters of points (eps in metres, min_points).
    Dbscan,
    /// Contiguous regions with a minimum population (minimum spanning tree pruning).
    Skater,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Kmeans => "kmeans",
            Method::Dbscan => "dbscan",
            Method::Skater => "skater",
        }
    }
}

/// A numeric column of another analysis' result, used as an indicator.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnFrom {
    /// The analysis to run (e.g. `index`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Analisis", "en": "Analysis"},
        "x-tepat-help" = {"id": "Analisis yang dijalankan untuk mendapatkan indikator (mis. `index`)."}
    ))]
    pub analysis: String,
    /// Its params.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Parameter analisis", "en": "Analysis params"},
        "x-tepat-help" = {"id": "Parameter analisis tersebut."}
    ))]
    pub params: Value,
    /// The numeric column of its rows (e.g. `score`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom hasil", "en": "Result column"},
        "x-tepat-help" = {"id": "Kolom numerik hasil analisis itu (mis. `score`)."},
        "x-tepat-column" = {"analysis": "analysis"}
    ))]
    pub field: String,
    /// Name of the indicator in the result (default `analysis.field`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Nama indikator", "en": "Indicator name"},
        "x-tepat-help" = {"id": "Nama indikator ini dalam hasil (bawaan `analisis.kolom`)."}
    ))]
    pub name: Option<String>,
}

/// Params of `clusters`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClustersParams {
    /// `kmeans` (default), `dbscan` or `skater`.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Metode", "en": "Method"},
        "x-tepat-help" = {"id": "`kmeans` (bawaan): zona yang mirip indikatornya; `dbscan`: titik yang berkerumun (mis. pengaduan); `skater`: wilayah bersebelahan dengan jumlah penduduk minimum."}
    ))]
    pub method: Method,
    /// Zones (kmeans, skater) or points (dbscan) to cluster.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Lapisan", "en": "Layer"},
        "x-tepat-help" = {"id": "Zona (kmeans, skater) atau titik (dbscan) yang dikelompokkan."},
        "x-tepat-layer" = {"roles": ["zones", "demand", "events", "facilities"], "geometry": ["polygon", "point"]}
    ))]
    pub layer: String,
    /// kmeans / skater: numeric fields of `layer` to cluster on (standardised).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom indikator", "en": "Indicator fields"},
        "x-tepat-help" = {"id": "kmeans / skater: kolom numerik lapisan yang menjadi dasar pengelompokan (dibakukan ke skor z)."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "float"]}
    ))]
    pub fields: Vec<String>,
    /// kmeans / skater: columns of other analyses to cluster on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Indikator dari analisis lain", "en": "Indicators from other analyses"},
        "x-tepat-help" = {"id": "kmeans / skater: kolom hasil analisis lain yang ikut menjadi dasar pengelompokan (mis. skor `index`)."}
    ))]
    pub columns: Vec<ColumnFrom>,
    /// kmeans: number of clusters (default: chosen by silhouette between k_min and k_max).
    /// skater: number of regions (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah kelompok", "en": "Number of clusters"},
        "x-tepat-help" = {"id": "kmeans: jumlah kelompok (bawaan: dipilih menurut nilai silhouette antara k_min dan k_max). skater: jumlah wilayah (wajib)."}
    ))]
    pub k: Option<usize>,
    /// kmeans without k: smallest k tried (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah kelompok terkecil", "en": "Fewest clusters tried"},
        "x-tepat-help" = {"id": "kmeans tanpa k: jumlah kelompok terkecil yang dicoba (bawaan 2)."}
    ))]
    pub k_min: Option<usize>,
    /// kmeans without k: largest k tried (default 8, at most n − 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah kelompok terbesar", "en": "Most clusters tried"},
        "x-tepat-help" = {"id": "kmeans tanpa k: jumlah kelompok terbesar yang dicoba (bawaan 8, paling banyak n − 1)."}
    ))]
    pub k_max: Option<usize>,
    /// kmeans: seed of the k-means++ starts (same seed, same clusters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Benih acak", "en": "Random seed"},
        "x-tepat-help" = {"id": "kmeans: benih titik awal k-means++ (benih sama, kelompok sama)."}
    ))]
    pub seed: Option<u64>,
    /// kmeans: random restarts, the best kept (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah pengulangan", "en": "Restarts"},
        "x-tepat-help" = {"id": "kmeans: berapa kali diulang dari titik awal acak; hasil terbaik yang dipakai (bawaan 10)."}
    ))]
    pub n_init: Option<usize>,
    /// kmeans: iteration cap (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Batas iterasi", "en": "Iteration cap"},
        "x-tepat-help" = {"id": "kmeans: jumlah iterasi paling banyak (bawaan 300)."}
    ))]
    pub max_iterations: Option<usize>,
    /// skater: minimum of `floor_field` per region (e.g. 20000 residents). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Batas minimum per wilayah", "en": "Floor per region"},
        "x-tepat-help" = {"id": "skater: nilai minimum `floor_field` di setiap wilayah (mis. 20000 penduduk). Bawaan: tanpa batas."}
    ))]
    pub floor: Option<f64>,
    /// skater: the field the floor applies to (default: the layer's population field;
    /// without one, the number of zones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom batas minimum", "en": "Floor field"},
        "x-tepat-help" = {"id": "skater: kolom yang dikenai batas minimum (bawaan: kolom penduduk lapisan itu; tanpa itu, jumlah zona)."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "float"]}
    ))]
    pub floor_field: Option<String>,
    /// skater: contiguity (queen by default, or rook; `tolerance` for slivers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Ketetanggaan", "en": "Contiguity"},
        "x-tepat-help" = {"id": "skater: cara menentukan zona yang bersebelahan (bawaan queen, atau rook; `tolerance` untuk celah kecil antarbatas)."}
    ))]
    pub weights: Option<WeightsSpec>,
    /// dbscan: neighbourhood radius in metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Radius ketetanggaan (m)", "en": "Neighbourhood radius (m)"},
        "x-tepat-help" = {"id": "dbscan: radius ketetanggaan, dalam meter."}
    ))]
    pub eps: Option<f64>,
    /// dbscan: points within eps (itself included) that make a core point (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Titik minimum", "en": "Minimum points"},
        "x-tepat-help" = {"id": "dbscan: jumlah titik dalam radius (termasuk titik itu sendiri) agar sebuah titik menjadi inti kerumunan (bawaan 5)."}
    ))]
    pub min_points: Option<usize>,
    /// dbscan on events: only this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kategori", "en": "Category"},
        "x-tepat-help" = {"id": "dbscan pada kejadian: hanya kategori ini (mis. `drainase`)."}
    ))]
    pub category: Option<String>,
    /// dbscan on events: window start (ISO 8601, inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Dari tanggal", "en": "From"},
        "x-tepat-help" = {"id": "dbscan pada kejadian: awal periode (ISO 8601, termasuk)."}
    ))]
    pub from: Option<String>,
    /// dbscan on events: window end (ISO 8601, inclusive; a date runs through that day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Sampai tanggal", "en": "To"},
        "x-tepat-help" = {"id": "dbscan pada kejadian: akhir periode (ISO 8601, termasuk; sebuah tanggal berlaku sampai akhir hari itu)."}
    ))]
    pub to: Option<String>,
    /// dbscan on events: category field (default: the layer's `category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom kategori", "en": "Category field"},
        "x-tepat-help" = {"id": "dbscan pada kejadian: kolom kategori (bawaan: `category` lapisan itu di proyek)."},
        "x-tepat-field" = {"of": "layer", "types": ["text", "int"]}
    ))]
    pub category_field: Option<String>,
    /// dbscan on events: time field (default: the layer's `time`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom waktu", "en": "Time field"},
        "x-tepat-help" = {"id": "dbscan pada kejadian: kolom waktu (bawaan: `time` lapisan itu di proyek)."},
        "x-tepat-field" = {"of": "layer", "types": ["text"]}
    ))]
    pub time_field: Option<String>,
}

const NAME: &str = "clusters";

impl TypedAnalysis for Clusters {
    type Params = ClustersParams;
    const NAME: &'static str = NAME;
    const DESCRIPTOR: Descriptor = Descriptor {
        title: text("Pengelompokan zona dan titik", "Clusters of zones and points"),
        description: text(
            "Zona mana yang mirip dan di mana titik berkerumun: k-means indikator zona, DBSCAN titik (mis. pengaduan), wilayah bersebelahan SKATER dengan penduduk minimum",
            "Clusters: k-means of zone indicators, DBSCAN of points (e.g. complaints), SKATER contiguous regions with a population floor",
        ),
        columns: &[
            // Numbered from 1 by each cluster's first feature; null for DBSCAN noise.
            Column::new(
                "cluster",
                text("Kelompok", "Cluster"),
                Unit::None,
                Kind::Category,
                Better::Neutral,
            )
            .headline(),
            // kmeans and skater: in z-score units of the indicators.
            Column::new(
                "distance",
                text("Jarak ke pusat kelompok (skor z)", "Distance to the cluster centre (z-score)"),
                Unit::None,
                Kind::Score,
                Better::Neutral,
            ),
            // kmeans: how well a zone fits its cluster (−1 to 1).
            Column::new(
                "silhouette",
                text("Kecocokan dengan kelompoknya (silhouette)", "Fit to its cluster (silhouette)"),
                Unit::None,
                Kind::Score,
                Better::Higher,
            ),
            // dbscan.
            Column::new(
                "noise",
                text("Di luar kerumunan", "Noise (in no cluster)"),
                Unit::None,
                Kind::Flag,
                Better::Neutral,
            ),
        ],
    };

    fn run(&self, project: &Project, p: &mut ClustersParams) -> Result<Output> {
        check_applicable(p)?;
        match p.method {
            Method::Kmeans => run_kmeans(project, p),
            Method::Skater => run_skater(project, p),
            Method::Dbscan => run_dbscan(project, p),
        }
    }
}

/// Refuses options of another method, naming them.
fn check_applicable(p: &ClustersParams) -> Result<()> {
    let m = p.method;
    let set: [(&str, bool, &[Method]); 17] = [
        (
            "fields",
            !p.fields.is_empty(),
            &[Method::Kmeans, Method::Skater],
        ),
        (
            "columns",
            !p.columns.is_empty(),
            &[Method::Kmeans, Method::Skater],
        ),
        ("k", p.k.is_some(), &[Method::Kmeans, Method::Skater]),
        ("k_min", p.k_min.is_some(), &[Method::Kmeans]),
        ("k_max", p.k_max.is_some(), &[Method::Kmeans]),
        ("seed", p.seed.is_some(), &[Method::Kmeans]),
        ("n_init", p.n_init.is_some(), &[Method::Kmeans]),
        (
            "max_iterations",
            p.max_iterations.is_some(),
            &[Method::Kmeans],
        ),
        ("floor", p.floor.is_some(), &[Method::Skater]),
        ("floor_field", p.floor_field.is_some(), &[Method::Skater]),
        ("weights", p.weights.is_some(), &[Method::Skater]),
        ("eps", p.eps.is_some(), &[Method::Dbscan]),
        ("min_points", p.min_points.is_some(), &[Method::Dbscan]),
        ("category", p.category.is_some(), &[Method::Dbscan]),
        ("from", p.from.is_some(), &[Method::Dbscan]),
        ("to", p.to.is_some(), &[Method::Dbscan]),
        (
            "category_field",
            p.category_field.is_some() || p.time_field.is_some(),
            &[Method::Dbscan],
        ),
    ];
    for (name, given, methods) in set {
        if given && !methods.contains(&m) {
            let name = if name == "category_field" && p.category_field.is_none() {
                "time_field"
            } else {
                name
            };
            return Err(Error::param(
                NAME,
                name,
                format!("does not apply to method '{}'", m.as_str()),
            ));
        }
    }
    Ok(())
}

const ZONE_ROLES: [Role; 2] = [Role::Zones, Role::Demand];

/// Renumbers labels (`None` = unclustered) 1.. in the order of each cluster's first feature
/// by id; returns the new labels and the number of clusters.
pub fn number_by_first(labels: &[Option<usize>], ids: &[&str]) -> (Vec<Option<usize>>, usize) {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| compare_ids(ids[a], ids[b]));
    let mut map = std::collections::HashMap::new();
    for &i in &order {
        if let Some(l) = labels[i] {
            let next = map.len() + 1;
            map.entry(l).or_insert(next);
        }
    }
    let out = labels
        .iter()
        .map(|l| l.and_then(|l| map.get(&l).copied()))
        .collect();
    (out, map.len())
}

/// One row: a zone (kmeans, skater) or a point (dbscan) and its cluster.
struct ClusterRow<'a> {
    id: &'a str,
    /// Numbered from 1; None: not clustered (a zone without every indicator, DBSCAN noise).
    cluster: Option<usize>,
    detail: RowDetail,
}

/// The columns that depend on the method.
enum RowDetail {
    /// kmeans, skater: distance to the cluster's centroid (z-score units), and with kmeans
    /// the silhouette (`Some(None)`: the zone was not clustered).
    Zone {
        distance: Option<f64>,
        silhouette: Option<Option<f64>>,
    },
    /// dbscan: in no cluster.
    Point { noise: bool },
}

impl ClusterRow<'_> {
    fn into_row(self) -> Row {
        let mut row = Row::new();
        row.insert("id".into(), self.id.into());
        row.insert(
            "cluster".into(),
            self.cluster.map_or(Value::Null, Value::from),
        );
        match self.detail {
            RowDetail::Zone {
                distance,
                silhouette,
            } => {
                row.insert("distance".into(), distance.map_or(Value::Null, num));
                if let Some(s) = silhouette {
                    row.insert("silhouette".into(), s.map_or(Value::Null, num));
                }
            }
            RowDetail::Point { noise } => {
                row.insert("noise".into(), noise.into());
            }
        }
        row
    }
}

/// A partition of the indicator zones, numbered and measured.
struct Partition {
    rows: Vec<Row>,
    /// Per cluster: size, centroid in original units and in z-scores (and the floor sum).
    clusters: Vec<Value>,
    /// Σ squared distances to the centroids, in z-scores.
    inertia: f64,
}

/// Rows and per-cluster summary of a partition of indicator zones (kmeans, skater):
/// `labels` per clustered zone (`ind.idx`), `silhouette` per clustered zone (kmeans),
/// `floor_weights` per clustered zone (skater).
fn partition(
    layer: &Layer,
    ind: &Indicators,
    labels: &[usize],
    silhouette: Option<&[f64]>,
    floor_weights: Option<&[f64]>,
) -> Partition {
    let d = ind.d();
    let ids: Vec<&str> = ind.idx.iter().map(|&i| layer.ids[i].as_str()).collect();
    let opt: Vec<Option<usize>> = labels.iter().map(|&l| Some(l)).collect();
    let (num_l, k) = number_by_first(&opt, &ids);
    let lab: Vec<usize> = num_l.iter().map(|l| l.unwrap_or(1) - 1).collect();
    let mut size = vec![0usize; k];
    let mut sum = vec![0.0; k * d];
    let mut fsum = vec![0.0; k];
    for (r, &l) in lab.iter().enumerate() {
        size[l] += 1;
        for j in 0..d {
            sum[l * d + j] += ind.z[r * d + j];
        }
        if let Some(w) = floor_weights {
            fsum[l] += w[r];
        }
    }
    let cz: Vec<f64> = (0..k * d)
        .map(|t| sum[t] / size[t / d].max(1) as f64)
        .collect();
    let mut inertia = 0.0;
    let mut at = vec![None; layer.len()];
    for (r, &i) in ind.idx.iter().enumerate() {
        at[i] = Some(r);
    }
    let rows = (0..layer.len())
        .map(|i| {
            let (cluster, distance, sil) = match at[i] {
                Some(r) => {
                    let l = lab[r];
                    let dist =
                        indicators::sq_dist(&ind.z[r * d..(r + 1) * d], &cz[l * d..(l + 1) * d]);
                    inertia += dist;
                    (Some(l + 1), Some(dist.sqrt()), silhouette.map(|s| s[r]))
                }
                None => (None, None, None),
            };
            ClusterRow {
                id: &layer.ids[i],
                cluster,
                detail: RowDetail::Zone {
                    distance,
                    silhouette: silhouette.map(|_| sil),
                },
            }
            .into_row()
        })
        .collect();
    let clusters = (0..k)
        .map(|l| {
            let z = &cz[l * d..(l + 1) * d];
            let mut c = json!({
                "cluster": l + 1,
                "size": size[l],
                "centroid": ind.named(&ind.unscale(z)),
                "centroid_z": ind.named(z),
            });
            if floor_weights.is_some() {
                c["floor_sum"] = num(fsum[l]);
            }
            c
        })
        .collect();
    Partition {
        rows,
        clusters,
        inertia,
    }
}

fn indicator_summary(layer: &Layer, ind: &Indicators) -> Map<String, Value> {
    let mut s = Map::new();
    s.insert("features".into(), ind.n().into());
    s.insert("indicators".into(), json!(ind.names));
    s.insert("mean".into(), ind.named(&ind.mean));
    s.insert("sd".into(), ind.named(&ind.sd));
    let mut clustered = vec![false; layer.len()];
    ind.idx.iter().for_each(|&i| clustered[i] = true);
    s.insert(
        "missing".into(),
        Value::Array(
            (0..layer.len())
                .filter(|&i| !clustered[i])
                .map(|i| Value::String(layer.ids[i].clone()))
                .collect(),
        ),
    );
    s
}

fn output(layer: &Layer, summary: Map<String, Value>, rows: Vec<Row>) -> Output {
    Output {
        summary,
        rows,
        row_layer: Some(layer.name.clone()),
        layers_used: vec![layer.name.clone()],
    }
}

/// kmeans: indicators → the k to try → the best fit by silhouette → rows and summary.
fn run_kmeans(project: &Project, p: &mut ClustersParams) -> Result<Output> {
    let layer = layer_param(project, NAME, "layer", &p.layer, &ZONE_ROLES, true)?;
    let ind = indicators::gather(project, NAME, layer, &p.fields, &p.columns, 3)?;
    let opts = kmeans_options(p)?;
    let ks = ks_to_try(p, layer, ind.n())?;
    let best = best_fit(&ind, &ks, &opts)?;
    let part = partition(layer, &ind, &best.fit.labels, Some(&best.silhouette), None);
    let mut s = Map::new();
    s.insert("method".into(), "kmeans".into());
    s.insert("k".into(), best.k.into());
    s.extend(indicator_summary(layer, &ind));
    s.insert("silhouette".into(), num(best.score));
    s.insert("inertia".into(), num(part.inertia));
    s.insert("silhouette_by_k".into(), Value::Array(best.tried));
    s.insert("clusters".into(), Value::Array(part.clusters));
    Ok(output(layer, s, part.rows))
}

/// The k-means options, defaults written back into `p`.
fn kmeans_options(p: &mut ClustersParams) -> Result<kmeans::Options> {
    let seed = *p.seed.get_or_insert(12345);
    let n_init = *p.n_init.get_or_insert(10);
    let max_iterations = *p.max_iterations.get_or_insert(300);
    if n_init == 0 {
        return Err(Error::param(NAME, "n_init", "must be at least 1"));
    }
    if max_iterations == 0 {
        return Err(Error::param(NAME, "max_iterations", "must be at least 1"));
    }
    Ok(kmeans::Options {
        n_init,
        max_iterations,
        seed,
        init: None,
    })
}

/// `k`, or `k_min` – `k_max` (defaults written back into `p`), for `n` zones: the
/// silhouette needs 2 ≤ k ≤ n − 1.
fn ks_to_try(p: &mut ClustersParams, layer: &Layer, n: usize) -> Result<Vec<usize>> {
    let too_many = |param: &str, k: usize| {
        Error::param(
            NAME,
            param,
            format!(
                "k = {k} but layer '{}' has {n} features with every indicator; the silhouette needs 2 ≤ k ≤ n − 1 = {}",
                layer.name,
                n - 1
            ),
        )
    };
    if let Some(k) = p.k {
        if p.k_min.is_some() || p.k_max.is_some() {
            return Err(Error::param(
                NAME,
                "k_min",
                "give either k or the range k_min – k_max, not both",
            ));
        }
        if k < 2 {
            return Err(Error::param(NAME, "k", "must be at least 2"));
        }
        if k > n - 1 {
            return Err(too_many("k", k));
        }
        return Ok(vec![k]);
    }
    let lo = *p.k_min.get_or_insert(2);
    if lo < 2 {
        return Err(Error::param(NAME, "k_min", "must be at least 2"));
    }
    if lo > n - 1 {
        return Err(too_many("k_min", lo));
    }
    let hi = *p.k_max.get_or_insert((n - 1).min(8));
    if hi < lo {
        return Err(Error::param(
            NAME,
            "k_max",
            format!("must be ≥ k_min = {lo}"),
        ));
    }
    if hi > n - 1 {
        return Err(too_many("k_max", hi));
    }
    Ok((lo..=hi).collect())
}

/// The best k-means fit over `ks`: the highest mean silhouette, ties to the smaller k.
struct Best {
    k: usize,
    score: f64,
    fit: kmeans::Fit,
    /// Per clustered zone.
    silhouette: Vec<f64>,
    /// Every k's silhouette and inertia.
    tried: Vec<Value>,
}

fn best_fit(ind: &Indicators, ks: &[usize], opts: &kmeans::Options) -> Result<Best> {
    let d = ind.d();
    let mut tried = Vec::new();
    let mut best: Option<(f64, usize, kmeans::Fit, Vec<f64>)> = None;
    for &k in ks {
        let fit = kmeans::fit(&ind.z, d, k, opts);
        let s = silhouette::samples(&ind.z, d, &fit.labels, k);
        let score = silhouette::score(&s);
        tried.push(json!({"k": k, "silhouette": num(score), "inertia": num(fit.inertia)}));
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, k, fit, s));
        }
    }
    let Some((score, k, fit, silhouette)) = best else {
        return Err(Error::param(NAME, "k", "no k to try"));
    };
    Ok(Best {
        k,
        score,
        fit,
        silhouette,
        tried,
    })
}

/// skater: contiguity → indicators → the floor → the spanning forest of the contiguous
/// parts → pruned to k regions → rows and summary.
fn run_skater(project: &Project, p: &mut ClustersParams) -> Result<Output> {
    let layer = layer_param(project, NAME, "layer", &p.layer, &[Role::Zones], true)?;
    let Some(k) = p.k else {
        return Err(Error::param(
            NAME,
            "k",
            "skater needs the number of regions k",
        ));
    };
    let spec = contiguity(p)?;
    let ind = indicators::gather(project, NAME, layer, &p.fields, &p.columns, 2)?;
    let n = ind.n();
    if k < 1 {
        return Err(Error::param(NAME, "k", "must be at least 1"));
    }
    if k > n {
        return Err(Error::param(
            NAME,
            "k",
            format!(
                "k = {k} regions but layer '{}' has only {n} features with every indicator",
                layer.name
            ),
        ));
    }
    let floor = floor_of(project, layer, &ind, p)?;
    let mut forest = contiguous_forest(layer, &ind, &spec, k, &floor)?;
    let regions = skater::prune(&mut forest, &ind.z, ind.d(), &floor.weight, floor.floor, k);
    let part = partition(layer, &ind, &regions.labels, None, Some(&floor.weight));
    let mut s = Map::new();
    s.insert("method".into(), "skater".into());
    s.insert("k".into(), k.into());
    s.insert("regions".into(), regions.count.into());
    s.insert("contiguous_parts".into(), regions.components.into());
    if regions.count < k {
        s.insert(
            "note".into(),
            format!(
                "only {} regions: no further cut leaves both sides at the floor {}",
                regions.count, floor.floor
            )
            .into(),
        );
    }
    s.extend(indicator_summary(layer, &ind));
    s.insert("floor".into(), p.floor.map_or(Value::Null, num));
    s.insert("within_ssd".into(), num(part.inertia));
    s.insert(
        "total_ssd".into(),
        num(ind.z.iter().map(|v| v * v).sum::<f64>()),
    );
    s.insert("clusters".into(), Value::Array(part.clusters));
    Ok(output(layer, s, part.rows))
}

/// The contiguity of `weights` (queen by default; rook), resolved and written back.
fn contiguity(p: &mut ClustersParams) -> Result<WeightsSpec> {
    let mut spec = p
        .weights
        .clone()
        .unwrap_or_else(|| WeightsSpec::of(WeightsKind::Queen));
    if !matches!(spec.kind, WeightsKind::Queen | WeightsKind::Rook) {
        return Err(Error::param(
            NAME,
            "weights.type",
            "skater keeps regions contiguous: use queen or rook contiguity",
        ));
    }
    spec.resolve(NAME, "weights")?;
    p.weights = Some(spec.clone());
    Ok(spec)
}

/// What each region must hold: `floor` of `floor_field` (or of the zone count).
struct Floor {
    /// Per clustered zone: its value of `floor_field`, or 1.
    weight: Vec<f64>,
    /// The minimum per region (−∞ without a floor).
    floor: f64,
    /// What the floor counts, for messages.
    of: String,
}

/// The floor and each zone's weight toward it; `floor_field` defaults to the layer's
/// population field when a floor is given (written back into `p`).
fn floor_of(
    project: &Project,
    layer: &Layer,
    ind: &Indicators,
    p: &mut ClustersParams,
) -> Result<Floor> {
    let n = ind.n();
    if p.floor_field.is_none() && p.floor.is_some() {
        p.floor_field = project.spec(&layer.name).and_then(|s| s.population.clone());
    }
    let weight: Vec<f64> = match &p.floor_field {
        Some(f) => {
            let col = layer.numeric_column(f)?;
            ind.idx
                .iter()
                .map(|&i| {
                    col.f64_at(i)
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| Error::FieldType {
                            layer: layer.name.clone(),
                            field: f.clone(),
                            message: format!(
                                "feature {} has no value; the floor needs one for every zone",
                                layer.ids[i]
                            ),
                        })
                })
                .collect::<Result<_>>()?
        }
        None => vec![1.0; n],
    };
    let floor = p.floor.unwrap_or(f64::NEG_INFINITY);
    if p.floor.is_some() && !floor.is_finite() {
        return Err(Error::param(NAME, "floor", "must be a finite number"));
    }
    let of = p.floor_field.clone().unwrap_or_else(|| "zones".into());
    let total: f64 = weight.iter().sum();
    if floor > total {
        return Err(Error::param(
            NAME,
            "floor",
            format!(
                "floor {floor} is more than the total {total} of {of} over the {n} zones: not even one region can reach it"
            ),
        ));
    }
    Ok(Floor { weight, floor, of })
}

/// The minimum spanning forest of the clustered zones over their contiguity; refuses more
/// contiguous parts than `k`, and a part below the floor by itself.
fn contiguous_forest(
    layer: &Layer,
    ind: &Indicators,
    spec: &WeightsSpec,
    k: usize,
    floor: &Floor,
) -> Result<Vec<Vec<usize>>> {
    let w = spec.build(layer, NAME, "weights")?;
    let mut keep = vec![false; layer.len()];
    ind.idx.iter().for_each(|&i| keep[i] = true);
    let (sub, _) = w.subset(&keep);
    let neighbors: Vec<Vec<usize>> = (0..sub.n()).map(|r| sub.neighbors(r).to_vec()).collect();
    let forest = skater::spanning_forest(&neighbors, &ind.z, ind.d());
    let (comp, ncomp) = skater::components(&forest);
    if ncomp > k {
        return Err(Error::param(
            NAME,
            "k",
            format!(
                "the zones of layer '{}' form {ncomp} separate contiguous parts (islands count as regions), more than k = {k}; raise k or join the parts with weights.tolerance",
                layer.name
            ),
        ));
    }
    let mut part_sum = vec![0.0; ncomp];
    comp.iter()
        .zip(&floor.weight)
        .for_each(|(&c, w)| part_sum[c] += w);
    if let Some(c) = (0..ncomp).find(|&c| part_sum[c] < floor.floor) {
        let ids: Vec<&str> = (0..ind.n())
            .filter(|&r| comp[r] == c)
            .take(10)
            .map(|r| layer.ids[ind.idx[r]].as_str())
            .collect();
        return Err(Error::param(
            NAME,
            "floor",
            format!(
                "zones {} form a contiguous part of their own with {} of {} below the floor {}; lower the floor or leave them out",
                ids.join(", "),
                part_sum[c],
                floor.of,
                floor.floor
            ),
        ));
    }
    Ok(forest)
}

/// dbscan: the points (events of a category and window) → DBSCAN → clusters numbered by
/// id → rows, and per cluster its centroid and hull.
fn run_dbscan(project: &Project, p: &mut ClustersParams) -> Result<Output> {
    let layer = layer_param(
        project,
        NAME,
        "layer",
        &p.layer,
        &[Role::Events, Role::Facilities, Role::Demand],
        true,
    )?;
    let (eps, min_points) = dbscan_options(p)?;
    let idx = selected(project, layer, p)?;
    let points = points_of(layer, &idx)?;
    let raw = dbscan::labels(&points.at, eps, min_points);
    let ids: Vec<&str> = points
        .feature
        .iter()
        .map(|&i| layer.ids[i].as_str())
        .collect();
    let (lab, k) = number_by_first(&raw, &ids);
    let rows: Vec<Row> = ids
        .iter()
        .zip(&lab)
        .map(|(id, l)| {
            ClusterRow {
                id,
                cluster: *l,
                detail: RowDetail::Point { noise: l.is_none() },
            }
            .into_row()
        })
        .collect();
    let mut s = Map::new();
    s.insert("method".into(), "dbscan".into());
    s.insert("points".into(), points.at.len().into());
    s.insert("without_geometry".into(), points.without_geometry.into());
    s.insert("clusters_found".into(), k.into());
    s.insert(
        "noise".into(),
        lab.iter().filter(|l| l.is_none()).count().into(),
    );
    s.insert("crs".into(), project.crs.to_string().into());
    s.insert(
        "clusters".into(),
        Value::Array(point_clusters(&points.at, &lab, k)),
    );
    Ok(output(layer, s, rows))
}

/// `eps` (required, metres) and `min_points` (default 5, written back).
fn dbscan_options(p: &mut ClustersParams) -> Result<(f64, usize)> {
    let Some(eps) = p.eps else {
        return Err(Error::param(
            NAME,
            "eps",
            "dbscan needs eps, the neighbourhood radius in metres",
        ));
    };
    if !(eps.is_finite() && eps > 0.0) {
        return Err(Error::param(
            NAME,
            "eps",
            "must be a finite number of metres > 0",
        ));
    }
    let min_points = *p.min_points.get_or_insert(5);
    if min_points == 0 {
        return Err(Error::param(NAME, "min_points", "must be at least 1"));
    }
    Ok((eps, min_points))
}

/// The features to cluster: the events of `category` within `from` – `to` when any is
/// given ([`crate::events::selection`]), else all.
fn selected(project: &Project, layer: &Layer, p: &mut ClustersParams) -> Result<Vec<usize>> {
    if p.category.is_none() && p.from.is_none() && p.to.is_none() {
        return Ok((0..layer.len()).collect());
    }
    let mut q = Query {
        category_field: p.category_field.clone(),
        time_field: p.time_field.clone(),
        category: p.category.clone(),
        from: p.from.clone(),
        to: p.to.clone(),
    };
    let sel = selection::select(project, NAME, layer, &mut q)?;
    p.category_field = q.category_field;
    p.time_field = q.time_field;
    Ok(sel.idx)
}

/// The points of the selected features.
struct Points {
    /// Coordinates.
    at: Vec<Coord>,
    /// Feature index of each.
    feature: Vec<usize>,
    /// Selected features without a geometry.
    without_geometry: usize,
}

/// The points of features `idx`; a feature that is not a point is an error.
fn points_of(layer: &Layer, idx: &[usize]) -> Result<Points> {
    let mut pts = Points {
        at: Vec::with_capacity(idx.len()),
        feature: Vec::with_capacity(idx.len()),
        without_geometry: 0,
    };
    for &i in idx {
        match &layer.geometries[i] {
            Some(Geometry::Point(pt)) if pt.x().is_finite() && pt.y().is_finite() => {
                pts.at.push(pt.0);
                pts.feature.push(i);
            }
            None => pts.without_geometry += 1,
            Some(_) => {
                return Err(Error::Geometry {
                    layer: layer.name.clone(),
                    feature: Some(layer.ids[i].clone()),
                    message: "dbscan clusters points; this feature is not a point (zones are clustered with kmeans or skater)".into(),
                })
            }
        }
    }
    if pts.at.is_empty() {
        return Err(Error::param(
            NAME,
            "layer",
            format!("layer '{}' has no point to cluster", layer.name),
        ));
    }
    Ok(pts)
}

/// Per DBSCAN cluster (labels 1..=k): its size, centroid and convex hull (WKT).
fn point_clusters(pts: &[Coord], lab: &[Option<usize>], k: usize) -> Vec<Value> {
    let mut members: Vec<Vec<Coord>> = vec![Vec::new(); k];
    for (r, l) in lab.iter().enumerate() {
        if let Some(l) = l {
            members[l - 1].push(pts[r]);
        }
    }
    members
        .iter()
        .enumerate()
        .map(|(c, m)| {
            let (sx, sy) = m.iter().fold((0.0, 0.0), |(a, b), p| (a + p.x, b + p.y));
            let (cx, cy) = (sx / m.len() as f64, sy / m.len() as f64);
            json!({
                "cluster": c + 1,
                "size": m.len(),
                "centroid": [num(cx), num(cy)],
                "geometry": dbscan::hull_wkt(m),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_follows_the_ids() {
        let (l, k) = number_by_first(&[Some(7), None, Some(3), Some(7)], &["10", "2", "3", "1"]);
        // By id: "1" (label 7) → 1, "2" noise, "3" (label 3) → 2.
        assert_eq!(l, vec![Some(1), None, Some(2), Some(1)]);
        assert_eq!(k, 2);
    }
}
