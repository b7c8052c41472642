//! `index`: the targeting ranking: which zones need a programme most, and why.
//!
//! Stages: *gather* each indicator's raw value per zone (a zone field, a field of a table
//! joined to the zones, or a column of another analysis run in the same request, e.g.
//! `exposure`) → *normalise* (min-max, z-score or percentile rank, oriented so that higher
//! means more need) → *aggregate* (weighted sum, or TOPSIS) → *rank* (1 = most in need) →
//! *explain*: per-indicator contributions that sum to the score, the three largest as
//! sentences in Bahasa Indonesia and English, and how far each rank moves when the weights
//! are perturbed (Monte-Carlo sensitivity).
//!
//! Defined results for awkward data, so a ranking never fails on a real city's holes:
//! - a rate with a zero denominator (`per`, e.g. no households) is 0, not 0/0;
//! - a missing value takes the indicator's mean normalised value (neutral), is reported in
//!   the row (`imputed`) and counted in the summary;
//! - an indicator with the same value everywhere normalises to 0 (it cannot discriminate);
//! - equal scores share a rank (competition ranking: 1, 2, 2, 4).

pub(crate) mod reasons;

use super::defaults::{self, Focus};
use super::descriptor::{text, Better, Column as Col, Descriptor, Kind, Unit};
use super::inputs::{self, Keyed};
use super::{layer_param, num, AnalysisResult, Output, Row, TypedAnalysis};
use crate::error::{Error, Result};
use crate::layer::{Layer, Role};
use crate::project::Project;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// The `index` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Index;

/// How indicators combine into a score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Σ weight × normalised value; each term is the indicator's contribution.
    #[default]
    WeightedSum,
    /// TOPSIS (Hwang & Yoon): closeness to the most-in-need ideal,
    /// d⁻ / (d⁺ + d⁻) over weighted normalised values; contributions split the score by
    /// each indicator's share of the squared distance d⁻².
    Topsis,
}

/// Which way an indicator points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A higher value means more need (poverty rate, exposed share, distance).
    #[default]
    HigherIsWorse,
    /// A higher value means less need (access, coverage).
    HigherIsBetter,
}

/// How raw values become comparable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Normalize {
    /// (x − min) / (max − min), in [0, 1].
    #[default]
    Minmax,
    /// (x − mean) / sd (population sd, as `scipy.stats.zscore`).
    Zscore,
    /// Percentile rank (average rank of ties − 1) / (n − 1), in [0, 1].
    Rank,
}

/// A sentence with placeholders, in both languages.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonText {
    /// Bahasa Indonesia, e.g. `"{value} rumah tangga miskin di zona banjir Q25"`.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bahasa Indonesia", "en": "Bahasa Indonesia"},
        "x-tepat-help" = {"id": "Kalimat dalam bahasa Indonesia, mis. `\"{value} rumah tangga miskin di zona banjir Q25\"`."}
    ))]
    pub id: String,
    /// English, e.g. `"{value} of poor households are in the Q25 flood zone"`.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bahasa Inggris", "en": "English"},
        "x-tepat-help" = {"id": "Kalimat dalam bahasa Inggris, mis. `\"{value} of poor households are in the Q25 flood zone\"`."}
    ))]
    pub en: String,
}

/// One indicator of need.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// The field holding the value.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom", "en": "Field"},
        "x-tepat-help" = {"id": "Kolom yang memuat nilai indikator."},
        "x-tepat-field" = {"of": "zones", "types": ["int", "float"]},
        "x-tepat-column" = {"analysis": "from"}
    ))]
    pub field: String,
    /// Where the field is: the name of an entry of `inputs` (another analysis run in this
    /// request), or a table layer joined to the zones (`join_to`). Default: the zone layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Sumber", "en": "Source"},
        "x-tepat-help" = {"id": "Asal kolom: nama salah satu entri `inputs` (analisis lain yang dijalankan dalam permintaan ini), atau lapisan tabel yang digabung ke zona (`join_to`). Bawaan: lapisan zona."}
    ))]
    pub from: Option<String>,
    /// Divide by this field of the same source (e.g. `poor_households` per `households`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Dibagi dengan", "en": "Per"},
        "x-tepat-help" = {"id": "Bagi dengan kolom ini dari sumber yang sama (mis. `poor_households` per `households`)."},
        "x-tepat-field" = {"of": "zones", "types": ["int", "float"]},
        "x-tepat-column" = {"analysis": "from"}
    ))]
    pub per: Option<String>,
    /// Key in `contributions` (default: the field, or `from.field` when two indicators share a field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Nama indikator", "en": "Indicator name"},
        "x-tepat-help" = {"id": "Nama di `contributions` (bawaan: nama kolom, atau `from.field` bila dua indikator memakai kolom yang sama)."}
    ))]
    pub name: Option<String>,
    /// Relative weight (default 1; the weights are rescaled to sum to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bobot", "en": "Weight"},
        "x-tepat-help" = {"id": "Bobot relatif (bawaan 1; semua bobot diskalakan ulang agar berjumlah 1)."}
    ))]
    pub weight: Option<f64>,
    /// Whether a higher value means more or less need.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Arah", "en": "Direction"},
        "x-tepat-help" = {"id": "Apakah nilai yang lebih tinggi berarti kebutuhan lebih besar (`higher_is_worse`) atau lebih kecil (`higher_is_better`)."}
    ))]
    pub direction: Direction,
    /// Normalisation.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Normalisasi", "en": "Normalisation"},
        "x-tepat-help" = {"id": "Cara menyetarakan nilai: `minmax`, `zscore` atau `rank` (peringkat persentil)."}
    ))]
    pub normalize: Normalize,
    /// Custom reason sentence; placeholders `{value}`, `{median}`, `{rank}`, `{n}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kalimat alasan", "en": "Reason sentence"},
        "x-tepat-help" = {"id": "Kalimat alasan sendiri; penanda `{value}`, `{median}`, `{rank}`, `{n}`."}
    ))]
    pub reason: Option<ReasonText>,
}

/// Another analysis run in the same request, whose row fields indicators can use.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Registered analysis name (default: this entry's key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Analisis", "en": "Analysis"},
        "x-tepat-help" = {"id": "Nama analisis terdaftar (bawaan: nama entri ini)."}
    ))]
    pub analysis: Option<String>,
    /// Its params.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Parameter", "en": "Parameters"},
        "x-tepat-help" = {"id": "Parameter analisis itu."}
    ))]
    pub params: Value,
}

/// Monte-Carlo weight sensitivity.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sensitivity {
    /// Number of perturbed rankings.
    #[serde(default = "default_runs")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah percobaan", "en": "Runs"},
        "x-tepat-help" = {"id": "Banyaknya pemeringkatan dengan bobot yang digeser."}
    ))]
    pub runs: usize,
    /// Each weight is multiplied by 1 + u, u uniform in [−spread, +spread].
    #[serde(default = "default_spread")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Rentang geser bobot", "en": "Spread"},
        "x-tepat-help" = {"id": "Setiap bobot dikalikan 1 + u, dengan u acak merata dalam [−rentang, +rentang]."}
    ))]
    pub spread: f64,
    /// Random seed (ChaCha8), so a ranking's interval is reproducible.
    #[serde(default = "default_seed")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Benih acak", "en": "Seed"},
        "x-tepat-help" = {"id": "Benih acak (ChaCha8), agar rentang peringkat dapat diulang."}
    ))]
    pub seed: u64,
}

fn default_runs() -> usize {
    200
}
fn default_spread() -> f64 {
    0.2
}
fn default_seed() -> u64 {
    7
}
fn default_top_n() -> usize {
    10
}

/// Params of `index`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexParams {
    /// Zone layer to rank (e.g. `kelurahan`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Zona", "en": "Zones"},
        "x-tepat-help" = {"id": "Lapisan zona yang diperingkat (mis. `kelurahan`)."},
        "x-tepat-layer" = {"roles": ["zones"], "geometry": ["polygon"]}
    ))]
    pub zones: String,
    /// The indicators of need.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Indikator", "en": "Indicators"},
        "x-tepat-help" = {"id": "Indikator kebutuhan."}
    ))]
    pub indicators: Vec<Indicator>,
    /// Analyses run first, by name, for indicators with `from` (e.g.
    /// `{"flood": {"analysis": "exposure", "params": {...}}}`). Their rows must be the zones'.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Analisis masukan", "en": "Input analyses"},
        "x-tepat-help" = {"id": "Analisis yang dijalankan lebih dulu, menurut nama, untuk indikator dengan `from` (mis. `{\"banjir\": {\"analysis\": \"exposure\", \"params\": {...}}}`). Barisnya harus zona yang sama."}
    ))]
    pub inputs: BTreeMap<String, Input>,
    /// Weights as a list in indicator order (instead of each indicator's `weight`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Daftar bobot", "en": "Weights"},
        "x-tepat-help" = {"id": "Bobot sebagai daftar menurut urutan indikator (sebagai ganti `weight` tiap indikator)."}
    ))]
    pub weights: Option<Vec<f64>>,
    /// `weighted_sum` or `topsis`.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Metode", "en": "Method"},
        "x-tepat-help" = {"id": "`weighted_sum` (jumlah berbobot) atau `topsis`."}
    ))]
    pub method: Method,
    /// Size of the shortlist reported in the summary (and counted in the sensitivity run).
    #[serde(default = "default_top_n")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah prioritas", "en": "Shortlist size"},
        "x-tepat-help" = {"id": "Banyaknya zona dalam daftar prioritas di ringkasan (juga yang dihitung dalam uji sensitivitas)."}
    ))]
    pub top_n: usize,
    /// Monte-Carlo weight sensitivity; gives each row `rank_low`/`rank_high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Uji sensitivitas bobot", "en": "Weight sensitivity"},
        "x-tepat-help" = {"id": "Uji sensitivitas bobot Monte-Carlo; memberi setiap baris `rank_low`/`rank_high`."}
    ))]
    pub sensitivity: Option<Sensitivity>,
}

/// Where an indicator's values came from (for the reason sentences).
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A zone or table field.
    Layer,
    /// A column of another analysis: its name and resolved params.
    Analysis { analysis: String, params: Value },
}

/// An indicator's values across the zones, before and after normalisation.
struct Column {
    name: String,
    raw: Vec<Option<f64>>,
    /// Oriented (higher = more need) and normalised; missing values imputed.
    norm: Vec<f64>,
    weight: f64,
    source: Source,
    /// The city-wide value, when it is not the median (a rate's Σ/Σ, an analysis' summary).
    city: Option<f64>,
    /// The table the values came from, if any.
    table: Option<String>,
}

impl TypedAnalysis for Index {
    type Params = IndexParams;
    const NAME: &'static str = "index";
    const DESCRIPTOR: Descriptor = Descriptor {
        title: text("Indeks prioritas", "Targeting index"),
        description: text(
            "Memeringkat zona menurut kebutuhan dari indikator berbobot (jumlah berbobot atau TOPSIS), dengan kontribusi tiap indikator, alasan dalam dua bahasa dan uji sensitivitas bobot",
            "Ranks zones by need from weighted indicators (weighted sum or TOPSIS), with contributions, bilingual reasons and weight sensitivity",
        ),
        columns: &[
            Col::new(
                "name",
                text("Nama", "Name"),
                Unit::None,
                Kind::Text,
                Better::Neutral,
            ),
            // A higher score is more need: worse news.
            Col::new(
                "score",
                text("Skor kebutuhan", "Need score"),
                Unit::None,
                Kind::Score,
                Better::Lower,
            )
            .headline(),
            // Rank 1 is the most need, so a rank going up (a larger number) is good news.
            Col::new(
                "rank",
                text("Peringkat", "Rank"),
                Unit::None,
                Kind::Rank,
                Better::Higher,
            ),
            Col::new(
                "top",
                text("Masuk daftar prioritas", "On the shortlist"),
                Unit::None,
                Kind::Flag,
                Better::Lower,
            ),
            Col::new(
                "contributions",
                text("Kontribusi indikator", "Indicator contributions"),
                Unit::None,
                Kind::Detail,
                Better::Neutral,
            ),
            Col::new(
                "reasons",
                text("Alasan", "Reasons"),
                Unit::None,
                Kind::Detail,
                Better::Neutral,
            ),
            Col::new(
                "rank_low",
                text(
                    "Peringkat teratas saat bobot digeser",
                    "Highest rank as the weights vary",
                ),
                Unit::None,
                Kind::Rank,
                Better::Higher,
            ),
            Col::new(
                "rank_high",
                text(
                    "Peringkat terbawah saat bobot digeser",
                    "Lowest rank as the weights vary",
                ),
                Unit::None,
                Kind::Rank,
                Better::Higher,
            ),
            Col::new(
                "top_n_share",
                text(
                    "Peluang masuk daftar prioritas saat bobot digeser",
                    "Share of weight variations on the shortlist",
                ),
                Unit::Percent,
                Kind::Share,
                Better::Lower,
            ),
        ],
    };

    /// The finest zones ranked by exposed share (default exposure) and access (default
    /// access), plus poor households per household when the zones have both; top 10.
    fn defaults(project: &Project, focus: &Focus) -> Result<Value> {
        let zones = defaults::finest_zones(project, Self::NAME)?;
        let exposure = super::exposure::Exposure::defaults(project, focus)
            .map_err(|_| defaults::missing(Self::NAME, "hazard"))?;
        let access = super::access::Access::defaults(project, focus)
            .map_err(|_| defaults::missing(Self::NAME, "facilities"))?;
        let mut indicators = vec![
            serde_json::json!({"from": "exposure", "field": "exposed_share"}),
            serde_json::json!({"from": "access", "field": "access", "direction": "higher_is_better"}),
        ];
        let layer = project.layers.get(&zones)?;
        if layer.numeric_column("poor_households").is_ok()
            && layer.numeric_column("households").is_ok()
        {
            indicators.push(serde_json::json!({"field": "poor_households", "per": "households"}));
        }
        Ok(serde_json::json!({
            "zones": zones,
            "inputs": {
                "exposure": {"analysis": "exposure", "params": exposure},
                "access": {"analysis": "access", "params": access}
            },
            "indicators": indicators,
            "top_n": 10
        }))
    }

    fn run(&self, project: &Project, p: &mut IndexParams) -> Result<Output> {
        let zones = layer_param(project, Self::NAME, "zones", &p.zones, &[Role::Zones], true)?;
        if p.indicators.is_empty() {
            return Err(Error::param(
                Self::NAME,
                "indicators",
                "give at least one indicator",
            ));
        }
        resolve_weights(p)?;
        resolve_names(p)?;
        let inputs = run_inputs(project, p)?;
        let cols = p
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| Column::gather(project, zones, &inputs, ind, i))
            .collect::<Result<Vec<_>>>()?;
        let ranking = Ranking::of(p, &cols, zones.len())?;
        let stats: Vec<reasons::Stats> = cols
            .iter()
            .map(|c| reasons::Stats::of(&c.raw, c.city))
            .collect();
        let name_col = ["nama", "name"]
            .iter()
            .find_map(|f| zones.column(f).ok().filter(|c| !c.is_numeric()));
        let rows = (0..zones.len())
            .map(|z| {
                IndexRow {
                    id: zones.ids[z].clone(),
                    name: name_col.map(|c| c.get(z).to_json()),
                    score: ranking.scores[z],
                    rank: ranking.ranks[z],
                    top: ranking.ranks[z] <= p.top_n,
                    contributions: contributions(z, &cols, &ranking),
                    reasons: explain(z, p, &cols, &stats, &ranking),
                    interval: ranking
                        .interval
                        .as_ref()
                        .map(|iv| (iv.low[z], iv.high[z], iv.top_share[z])),
                }
                .into_row()
            })
            .collect();
        let summary = summary(p, zones, name_col, &cols, &ranking, &inputs);
        let mut layers_used = vec![zones.name.clone()];
        layers_used.extend(cols.iter().filter_map(|c| c.table.clone()));
        for r in inputs.values() {
            layers_used.extend(r.meta.layers.keys().cloned());
        }
        layers_used.sort();
        layers_used.dedup();
        Ok(Output {
            summary,
            rows,
            row_layer: Some(zones.name.clone()),
            layers_used,
        })
    }
}

/// Scores, contributions and ranks of the zones (stages *aggregate* and *rank*), and how
/// far each rank moves when the weights are perturbed.
struct Ranking {
    /// The indicators' weights, rescaled to sum to 1.
    weights: Vec<f64>,
    scores: Vec<f64>,
    /// `contrib[k][z]`: indicator `k`'s part of zone `z`'s score.
    contrib: Vec<Vec<f64>>,
    ranks: Vec<usize>,
    interval: Option<Interval>,
}

impl Ranking {
    fn of(p: &IndexParams, cols: &[Column], n: usize) -> Result<Ranking> {
        let total: f64 = cols.iter().map(|c| c.weight).sum();
        let weights: Vec<f64> = cols.iter().map(|c| c.weight / total).collect();
        let matrix: Vec<&[f64]> = cols.iter().map(|c| c.norm.as_slice()).collect();
        let (scores, contrib) = score(p.method, &matrix, &weights, n);
        let ranks = rank(&scores);
        let interval = p
            .sensitivity
            .as_ref()
            .map(|s| sensitivity(p.method, &matrix, &weights, &ranks, s, p.top_n))
            .transpose()?;
        Ok(Ranking {
            weights,
            scores,
            contrib,
            ranks,
            interval,
        })
    }
}

/// One indicator's part of a zone's score.
struct Contribution {
    indicator: String,
    raw: Option<f64>,
    normalized: f64,
    weight: f64,
    contribution: f64,
}

/// Zone `z`'s contributions, one per indicator.
fn contributions(z: usize, cols: &[Column], r: &Ranking) -> Vec<Contribution> {
    cols.iter()
        .enumerate()
        .map(|(k, c)| Contribution {
            indicator: c.name.clone(),
            raw: c.raw[z],
            normalized: c.norm[z],
            weight: r.weights[k],
            contribution: r.contrib[k][z],
        })
        .collect()
}

/// A reason a zone is ranked where it is, in both languages.
struct Reason {
    indicator: String,
    contribution: f64,
    id: String,
    en: String,
}

/// *Explain* zone `z`'s rank: the three largest contributions that point to need.
fn explain(
    z: usize,
    p: &IndexParams,
    cols: &[Column],
    stats: &[reasons::Stats],
    r: &Ranking,
) -> Vec<Reason> {
    let contrib = &r.contrib;
    let mut order: Vec<usize> = (0..cols.len())
        .filter(|&k| contrib[k][z] > 0.0 && cols[k].raw[z].is_some())
        .collect();
    order.sort_by(|&a, &b| contrib[b][z].total_cmp(&contrib[a][z]).then(a.cmp(&b)));
    // A reason says why the zone is in need: an indicator on which it is better off than
    // the city ("access 1.03× the city average") still adds to a min-max score, but is no
    // reason. Should none point to need, the largest contribution stays.
    let needy: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&k| {
            stats[k].points_to_need(
                cols[k].raw[z].unwrap_or(f64::NAN),
                p.indicators[k].direction,
            )
        })
        .collect();
    if !needy.is_empty() {
        order = needy;
    } else {
        order.truncate(1);
    }
    order
        .iter()
        .take(3)
        .map(|&k| {
            let c = &cols[k];
            let (id, en) = reasons::sentence(
                &p.indicators[k],
                &c.source,
                c.raw[z].unwrap_or(f64::NAN),
                &stats[k],
            );
            Reason {
                indicator: c.name.clone(),
                contribution: contrib[k][z],
                id,
                en,
            }
        })
        .collect()
}

/// A zone's row.
struct IndexRow {
    id: String,
    /// The zone's name, when the zone layer has a `nama` or `name` text field.
    name: Option<Value>,
    score: f64,
    rank: usize,
    top: bool,
    contributions: Vec<Contribution>,
    reasons: Vec<Reason>,
    /// With `sensitivity`: the lowest and highest rank, and the share of runs in the top.
    interval: Option<(usize, usize, f64)>,
}

impl IndexRow {
    fn into_row(self) -> Row {
        let mut r = Row::new();
        r.insert("id".into(), Value::String(self.id));
        if let Some(name) = self.name {
            r.insert("name".into(), name);
        }
        r.insert("score".into(), num(self.score));
        r.insert("rank".into(), self.rank.into());
        r.insert("top".into(), self.top.into());
        let mut cmap = Map::new();
        for c in self.contributions {
            let mut e = Map::new();
            e.insert("raw".into(), c.raw.map_or(Value::Null, num));
            e.insert("normalized".into(), num(c.normalized));
            e.insert("weight".into(), num(c.weight));
            e.insert("contribution".into(), num(c.contribution));
            if c.raw.is_none() {
                e.insert("imputed".into(), true.into());
            }
            cmap.insert(c.indicator, Value::Object(e));
        }
        r.insert("contributions".into(), Value::Object(cmap));
        let reasons = self
            .reasons
            .into_iter()
            .map(|s| {
                let mut o = Map::new();
                o.insert("indicator".into(), Value::String(s.indicator));
                o.insert("contribution".into(), num(s.contribution));
                o.insert("id".into(), Value::String(s.id));
                o.insert("en".into(), Value::String(s.en));
                Value::Object(o)
            })
            .collect();
        r.insert("reasons".into(), Value::Array(reasons));
        if let Some((low, high, share)) = self.interval {
            r.insert("rank_low".into(), low.into());
            r.insert("rank_high".into(), high.into());
            r.insert("top_n_share".into(), num(share));
        }
        r
    }
}

/// The summary: method and weights, the shortlist (and which of it is stable under the
/// perturbed weights), imputed values per indicator, and the inputs' own summaries.
fn summary(
    p: &IndexParams,
    zones: &Layer,
    name_col: Option<&crate::layer::Column>,
    cols: &[Column],
    r: &Ranking,
    inputs: &BTreeMap<String, AnalysisResult>,
) -> Map<String, Value> {
    let n = zones.len();
    let mut s = Map::new();
    s.insert("zones".into(), n.into());
    s.insert(
        "method".into(),
        serde_json::to_value(p.method).unwrap_or(Value::Null),
    );
    let mut wmap = Map::new();
    for (k, c) in cols.iter().enumerate() {
        wmap.insert(c.name.clone(), num(r.weights[k]));
    }
    s.insert("weights".into(), Value::Object(wmap));
    let mut top: Vec<usize> = (0..n).filter(|&z| r.ranks[z] <= p.top_n).collect();
    top.sort_by(|&a, &b| {
        r.ranks[a]
            .cmp(&r.ranks[b])
            .then_with(|| super::compare_ids(&zones.ids[a], &zones.ids[b]))
    });
    s.insert(
        "top".into(),
        Value::Array(
            top.iter()
                .map(|&z| {
                    let mut o = Map::new();
                    o.insert("id".into(), Value::String(zones.ids[z].clone()));
                    if let Some(c) = name_col {
                        o.insert("name".into(), c.get(z).to_json());
                    }
                    o.insert("rank".into(), r.ranks[z].into());
                    o.insert("score".into(), num(r.scores[z]));
                    Value::Object(o)
                })
                .collect(),
        ),
    );
    let imputed: Map<String, Value> = cols
        .iter()
        .map(|c| (c.name.clone(), c.raw.iter().filter(|v| v.is_none()).count()))
        .filter(|(_, k)| *k > 0)
        .map(|(name, k)| (name, k.into()))
        .collect();
    s.insert("imputed".into(), Value::Object(imputed));
    if let Some(iv) = &r.interval {
        let stable: Vec<Value> = top
            .iter()
            .filter(|&&z| iv.top_share[z] >= 1.0)
            .map(|&z| Value::String(zones.ids[z].clone()))
            .collect();
        s.insert("top_stable".into(), Value::Array(stable));
    }
    let mut ins = Map::new();
    for (alias, r) in inputs {
        let mut o = Map::new();
        o.insert("analysis".into(), Value::String(r.analysis.clone()));
        o.insert("summary".into(), Value::Object(r.summary.clone()));
        ins.insert(alias.clone(), Value::Object(o));
    }
    if !ins.is_empty() {
        s.insert("inputs".into(), Value::Object(ins));
    }
    s
}

/// Fills each indicator's `weight` (from the `weights` list or 1) and checks them.
fn resolve_weights(p: &mut IndexParams) -> Result<()> {
    if let Some(w) = &p.weights {
        if w.len() != p.indicators.len() {
            return Err(Error::param(
                Index::NAME,
                "weights",
                format!(
                    "{} weights for {} indicators; give one weight per indicator",
                    w.len(),
                    p.indicators.len()
                ),
            ));
        }
        if let Some(i) = p.indicators.iter().position(|i| i.weight.is_some()) {
            return Err(Error::param(
                Index::NAME,
                &format!("indicators[{i}].weight"),
                "weights are given both as a list and per indicator; give one of them",
            ));
        }
        for (ind, w) in p.indicators.iter_mut().zip(w) {
            ind.weight = Some(*w);
        }
    }
    for (i, ind) in p.indicators.iter_mut().enumerate() {
        let w = *ind.weight.get_or_insert(1.0);
        if !w.is_finite() || w < 0.0 {
            return Err(Error::param(
                Index::NAME,
                &format!("indicators[{i}].weight"),
                format!("weight must be a finite number ≥ 0, got {w}"),
            ));
        }
    }
    if p.indicators.iter().all(|i| i.weight == Some(0.0)) {
        return Err(Error::param(
            Index::NAME,
            "weights",
            "all weights are 0; at least one must be positive",
        ));
    }
    if let Some(s) = &p.sensitivity {
        if !(0.0..1.0).contains(&s.spread) {
            return Err(Error::param(
                Index::NAME,
                "sensitivity.spread",
                format!("spread is relative and must be in [0, 1), got {}", s.spread),
            ));
        }
        if s.runs == 0 || s.runs > 100_000 {
            return Err(Error::param(
                Index::NAME,
                "sensitivity.runs",
                format!("runs must be between 1 and 100000, got {}", s.runs),
            ));
        }
    }
    Ok(())
}

/// Fills each indicator's `name`, unique across indicators.
fn resolve_names(p: &mut IndexParams) -> Result<()> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for ind in &p.indicators {
        *count.entry(ind.field.clone()).or_default() += 1;
    }
    for ind in &mut p.indicators {
        if ind.name.is_none() {
            ind.name = Some(match (&ind.from, count[&ind.field] > 1) {
                (Some(f), true) => format!("{f}.{}", ind.field),
                _ => ind.field.clone(),
            });
        }
    }
    let mut seen = HashMap::new();
    for (i, ind) in p.indicators.iter().enumerate() {
        let name = ind.name.clone().unwrap_or_default();
        if let Some(j) = seen.insert(name.clone(), i) {
            return Err(Error::param(
                Index::NAME,
                &format!("indicators[{i}].name"),
                format!(
                    "indicators {j} and {i} are both called '{name}'; give each a distinct `name`"
                ),
            ));
        }
    }
    Ok(())
}

/// Runs the `inputs` analyses (each once), checking they report on the zones.
fn run_inputs(project: &Project, p: &IndexParams) -> Result<BTreeMap<String, AnalysisResult>> {
    let mut out = BTreeMap::new();
    // The inputs are most of an index run's work: each gets an equal share of 90 %.
    let share = 0.9 / p.inputs.len().max(1) as f64;
    for (k, (alias, input)) in p.inputs.iter().enumerate() {
        let name = input.analysis.clone().unwrap_or_else(|| alias.clone());
        if name == Index::NAME {
            return Err(Error::param(
                Index::NAME,
                &format!("inputs.{alias}.analysis"),
                "an index cannot take another index as input",
            ));
        }
        let (lo, hi) = (k as f64 * share, (k + 1) as f64 * share);
        let result =
            crate::progress::within(lo, hi, || super::run(project, &name, input.params.clone()))?;
        if result.meta.row_layer.as_deref() != Some(p.zones.as_str()) {
            return Err(Error::param(
                Index::NAME,
                &format!("inputs.{alias}"),
                format!(
                    "'{name}' reports on layer '{}', but the index ranks '{}'; run it with zones = '{}'",
                    result.meta.row_layer.as_deref().unwrap_or("(none)"),
                    p.zones,
                    p.zones
                ),
            ));
        }
        out.insert(alias.clone(), result);
    }
    Ok(out)
}

/// A zone's (value, denominator) before division.
type NumDen = (Option<f64>, Option<f64>);

/// An indicator's values from its source, before division (stage *gather*).
struct Gathered {
    num_den: Vec<NumDen>,
    source: Source,
    /// The source's own city-wide value, when it reports one.
    city: Option<f64>,
    /// The table the values came from, if any.
    table: Option<String>,
}

impl Column {
    /// *Gather* indicator `i`'s raw values for every zone, in zone order, and *normalise*
    /// them.
    fn gather(
        project: &Project,
        zones: &Layer,
        inputs: &BTreeMap<String, AnalysisResult>,
        ind: &Indicator,
        i: usize,
    ) -> Result<Column> {
        let param = |f: &str| format!("indicators[{i}].{f}");
        let g = match ind.from.as_deref() {
            Some(alias) if inputs.contains_key(alias) => {
                from_input(zones, alias, &inputs[alias], ind, &param)?
            }
            Some(name) if name != zones.name => {
                from_table(project, zones, inputs, name, ind, &param)?
            }
            _ => from_zones(zones, ind)?,
        };
        let num_den_sums = g
            .num_den
            .iter()
            .fold((0.0, 0.0), |(a, b), pair| match pair {
                (Some(x), Some(d)) if x.is_finite() && d.is_finite() => (a + x, b + d),
                _ => (a, b),
            });
        let raw: Vec<Option<f64>> = g
            .num_den
            .into_iter()
            .map(|(x, d)| {
                let x = x.filter(|x| x.is_finite())?;
                match &ind.per {
                    None => Some(x),
                    Some(_) => {
                        let d = d.filter(|d| d.is_finite())?;
                        // Nobody to count: the rate is 0 (documented), not 0/0.
                        Some(if d == 0.0 { 0.0 } else { x / d })
                    }
                }
            })
            .collect();
        // A rate's city-wide value is Σ numerator / Σ denominator, not the mean of the rates.
        let city = g.city.or_else(|| {
            ind.per.as_ref()?;
            let (a, b) = num_den_sums;
            (b > 0.0).then_some(a / b)
        });
        if raw.iter().all(Option::is_none) {
            return Err(Error::param(
                Index::NAME,
                &param("field"),
                format!("indicator '{}' has no value in any zone", ind.field),
            ));
        }
        Ok(Column {
            name: ind.name.clone().unwrap_or_else(|| ind.field.clone()),
            norm: normalize(&raw, ind.direction, ind.normalize),
            raw,
            weight: ind.weight.unwrap_or(1.0),
            source: g.source,
            city,
            table: g.table,
        })
    }
}

/// An indicator's values from the rows of input `alias` (result `r`).
fn from_input(
    zones: &Layer,
    alias: &str,
    r: &AnalysisResult,
    ind: &Indicator,
    param: &dyn Fn(&str) -> String,
) -> Result<Gathered> {
    let check = |f: &str, what: &str| -> Result<()> {
        if inputs::has_numeric(r, f) {
            return Ok(());
        }
        Err(Error::param(
            Index::NAME,
            &param(what),
            format!(
                "'{}' ({}) has no numeric field '{f}'; it has: {}",
                alias,
                r.analysis,
                inputs::numeric_columns(r).join(", ")
            ),
        ))
    };
    check(&ind.field, "field")?;
    if let Some(per) = &ind.per {
        check(per, "per")?;
    }
    let values = inputs::aligned(r, &ind.field, &zones.ids);
    let per = match &ind.per {
        Some(f) => inputs::aligned(r, f, &zones.ids),
        None => vec![None; zones.len()],
    };
    Ok(Gathered {
        num_den: values.into_iter().zip(per).collect(),
        source: Source::Analysis {
            analysis: r.analysis.clone(),
            params: r.params.clone(),
        },
        // The analysis' own city-wide figure, when it reports one under the same name.
        city: match &ind.per {
            None => r.summary.get(&ind.field).and_then(Value::as_f64),
            Some(_) => None,
        },
        table: None,
    })
}

/// An indicator's values from table layer `name`, joined to the zones.
fn from_table(
    project: &Project,
    zones: &Layer,
    inputs: &BTreeMap<String, AnalysisResult>,
    name: &str,
    ind: &Indicator,
    param: &dyn Fn(&str) -> String,
) -> Result<Gathered> {
    let Ok(table) = project.layers.get(name) else {
        let mut avail: Vec<String> = inputs.keys().cloned().collect();
        avail.extend(
            project
                .layers
                .with_role(Role::Table)
                .map(|l| l.name.clone()),
        );
        return Err(Error::param(
            Index::NAME,
            &param("from"),
            format!(
                "'{name}' is neither an entry of `inputs` nor a layer (available: {})",
                avail.join(", ")
            ),
        ));
    };
    let Some(key) = inputs::join_key(project, name, &zones.name) else {
        return Err(Error::param(
            Index::NAME,
            &param("from"),
            format!(
                "layer '{name}' is not joined to '{}' (set join_to = \"{}\" and key in the project file)",
                zones.name, zones.name
            ),
        ));
    };
    let rows = Keyed::of(table, key)?.rows_for(&zones.ids);
    let fcol = table.numeric_column(&ind.field)?;
    let pcol = ind
        .per
        .as_deref()
        .map(|f| table.numeric_column(f))
        .transpose()?;
    Ok(Gathered {
        num_den: rows
            .iter()
            .map(|r| match *r {
                Some(r) => (fcol.f64_at(r), pcol.and_then(|c| c.f64_at(r))),
                None => (None, None),
            })
            .collect(),
        source: Source::Layer,
        city: None,
        table: Some(table.name.clone()),
    })
}

/// An indicator's values from a field of the zones.
fn from_zones(zones: &Layer, ind: &Indicator) -> Result<Gathered> {
    let fcol = zones.numeric_column(&ind.field)?;
    let pcol = ind
        .per
        .as_deref()
        .map(|f| zones.numeric_column(f))
        .transpose()?;
    Ok(Gathered {
        num_den: (0..zones.len())
            .map(|z| (fcol.f64_at(z), pcol.and_then(|c| c.f64_at(z))))
            .collect(),
        source: Source::Layer,
        city: None,
        table: None,
    })
}

/// Oriented, normalised values; missing values get the mean of the others (neutral).
fn normalize(raw: &[Option<f64>], dir: Direction, how: Normalize) -> Vec<f64> {
    let sign = match dir {
        Direction::HigherIsWorse => 1.0,
        Direction::HigherIsBetter => -1.0,
    };
    let present: Vec<f64> = raw.iter().flatten().map(|x| sign * x).collect();
    let m = present.len() as f64;
    let (lo, hi) = present
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    // Values are finite; no values at all leaves lo = +inf > hi, also "constant".
    let constant = hi <= lo;
    let f: Box<dyn Fn(f64) -> f64> = if constant {
        Box::new(|_| 0.0)
    } else {
        match how {
            Normalize::Minmax => Box::new(move |x| (x - lo) / (hi - lo)),
            Normalize::Zscore => {
                let mean = present.iter().sum::<f64>() / m;
                let sd = (present.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / m).sqrt();
                Box::new(move |x| (x - mean) / sd)
            }
            Normalize::Rank => {
                let mut sorted = present.clone();
                sorted.sort_by(f64::total_cmp);
                Box::new(move |x| {
                    // Average 1-based rank of the ties of x.
                    let below = sorted.partition_point(|&y| y < x) as f64;
                    let upto = sorted.partition_point(|&y| y <= x) as f64;
                    let avg = (below + 1.0 + upto) / 2.0;
                    (avg - 1.0) / (m - 1.0)
                })
            }
        }
    };
    let mut out: Vec<f64> = raw
        .iter()
        .map(|v| v.map_or(f64::NAN, |x| f(sign * x)))
        .collect();
    let fill = {
        let known: Vec<f64> = out.iter().copied().filter(|x| !x.is_nan()).collect();
        known.iter().sum::<f64>() / known.len().max(1) as f64
    };
    for x in &mut out {
        if x.is_nan() {
            *x = fill;
        }
    }
    out
}

/// Scores and per-indicator contributions (`contrib[k][z]`, summing to `score[z]`).
fn score(method: Method, m: &[&[f64]], w: &[f64], n: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = m.len();
    match method {
        Method::WeightedSum => {
            let contrib: Vec<Vec<f64>> = (0..k)
                .map(|i| m[i].iter().map(|x| w[i] * x).collect())
                .collect();
            let scores = (0..n)
                .map(|z| (0..k).map(|i| contrib[i][z]).sum())
                .collect();
            (scores, contrib)
        }
        Method::Topsis => {
            let (best, worst) = ideals(m, w);
            let mut scores = vec![0.0; n];
            let mut contrib = vec![vec![0.0; n]; k];
            for z in 0..n {
                let (mut dp, mut dm) = (0.0, 0.0);
                for i in 0..k {
                    let v = w[i] * m[i][z];
                    dp += (v - best[i]).powi(2);
                    dm += (v - worst[i]).powi(2);
                }
                let c = closeness(dp, dm);
                scores[z] = c;
                if dm > 0.0 {
                    for i in 0..k {
                        contrib[i][z] = c * (w[i] * m[i][z] - worst[i]).powi(2) / dm;
                    }
                }
            }
            (scores, contrib)
        }
    }
}

/// TOPSIS ideals over weighted values: most need (max) and least need (min) per indicator.
fn ideals(m: &[&[f64]], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    m.iter()
        .zip(w)
        .map(|(col, w)| {
            col.iter()
                .fold((f64::NEG_INFINITY, f64::INFINITY), |(b, a), x| {
                    (b.max(w * x), a.min(w * x))
                })
        })
        .unzip()
}

/// d⁻ / (d⁺ + d⁻) from squared distances; 0 when every zone is the same.
fn closeness(dp2: f64, dm2: f64) -> f64 {
    let (dp, dm) = (dp2.sqrt(), dm2.sqrt());
    if dp + dm > 0.0 {
        dm / (dp + dm)
    } else {
        0.0
    }
}

/// Competition ranks, 1 = highest score; equal scores share a rank.
fn rank(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut ranks = vec![0; scores.len()];
    for (pos, &z) in order.iter().enumerate() {
        ranks[z] = if pos > 0 && scores[order[pos - 1]] == scores[z] {
            ranks[order[pos - 1]]
        } else {
            pos + 1
        };
    }
    ranks
}

/// Rank interval per zone over the perturbed runs (the unperturbed ranking included).
struct Interval {
    low: Vec<usize>,
    high: Vec<usize>,
    top_share: Vec<f64>,
}

fn sensitivity(
    method: Method,
    m: &[&[f64]],
    w: &[f64],
    base: &[usize],
    s: &Sensitivity,
    top_n: usize,
) -> Result<Interval> {
    let n = base.len();
    let mut low = base.to_vec();
    let mut high = base.to_vec();
    let mut in_top = vec![0usize; n];
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    for _ in 0..s.runs {
        let mut wr: Vec<f64> = w
            .iter()
            .map(|w| w * (1.0 + rng.random_range(-s.spread..=s.spread)))
            .collect();
        let t: f64 = wr.iter().sum();
        wr.iter_mut().for_each(|x| *x /= t);
        let (scores, _) = score(method, m, &wr, n);
        let r = rank(&scores);
        for z in 0..n {
            low[z] = low[z].min(r[z]);
            high[z] = high[z].max(r[z]);
            if r[z] <= top_n {
                in_top[z] += 1;
            }
        }
    }
    Ok(Interval {
        low,
        high,
        top_share: in_top.iter().map(|&c| c as f64 / s.runs as f64).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::{ints, rect, spec, text};
    use crate::crs::Crs;
    use crate::layer::{Column, Value as LValue};
    use serde_json::json;

    /// Three zones with poor households, households and an access value, and a table joined
    /// to them that lacks zone c (and has a row for no zone).
    fn project() -> Project {
        let c = Crs::Epsg(32651);
        let mut zones = Layer::new(
            "zones",
            Role::Zones,
            Some(c.clone()),
            vec![
                rect(0.0, 0.0, 10.0, 10.0),
                rect(10.0, 0.0, 10.0, 10.0),
                rect(20.0, 0.0, 10.0, 10.0),
            ],
            vec![
                text("kode", &["a", "b", "c"]),
                text("nama", &["Zona a", "Zona b", "Zona c"]),
                ints("poor", &[10, 40, 0]),
                ints("hh", &[100, 100, 0]),
                Column::from_values(
                    "access",
                    [1.0, 0.5, 2.0].into_iter().map(LValue::Float).collect(),
                ),
            ],
        )
        .expect("present");
        zones.set_id_field("kode").expect("present");
        let table = Layer::new(
            "stats",
            Role::Table,
            None,
            vec![None, None, None],
            vec![
                text("kode", &["a", "b", "x"]),
                ints("complaints", &[3, 1, 9]),
            ],
        )
        .expect("present");
        let mut tspec = spec("stats", "table");
        tspec.join_to = Some("zones".into());
        tspec.key = Some("kode".into());
        Project::from_layers(
            "t",
            c,
            vec![(spec("zones", "zones"), zones), (tspec, table)],
        )
        .expect("present")
    }

    fn run(params: Value) -> Result<AnalysisResult> {
        crate::analysis::run(&project(), "index", params)
    }

    fn row<'a>(r: &'a AnalysisResult, id: &str) -> &'a Row {
        r.rows.iter().find(|r| r["id"] == id).expect("present")
    }

    #[test]
    fn weighted_sum_by_hand() {
        // poor/hh: a 0.1, b 0.4, c 0 (no households → 0) → minmax 0.25, 1, 0.
        // access (higher is better): 1, 0.5, 2 → oriented minmax (2−x)/1.5: 2/3, 1, 0.
        // weights 3:1 → 0.75, 0.25. Scores: a 0.1875+0.1667=0.3542, b 1, c 0.
        let r = run(json!({
            "zones": "zones",
            "indicators": [
                {"field": "poor", "per": "hh", "weight": 3},
                {"field": "access", "direction": "higher_is_better"}
            ],
            "sensitivity": {"runs": 50, "spread": 0.2, "seed": 1}
        }))
        .expect("present");
        let a = row(&r, "a");
        let want = 0.75 * 0.25 + 0.25 * (2.0 / 3.0);
        assert!((a["score"].as_f64().expect("present") - want).abs() < 1e-12);
        assert_eq!(a["rank"], 2);
        assert_eq!(row(&r, "b")["rank"], 1);
        assert_eq!(row(&r, "c")["rank"], 3);
        assert_eq!(row(&r, "c")["score"], 0.0);
        assert_eq!(a["name"], "Zona a");
        for z in &r.rows {
            let sum: f64 = z["contributions"]
                .as_object()
                .expect("present")
                .values()
                .map(|c| c["contribution"].as_f64().expect("present"))
                .sum();
            assert!((sum - z["score"].as_f64().expect("present")).abs() < 1e-12);
        }
        assert_eq!(a["contributions"]["poor"]["raw"], 0.1);
        assert_eq!(a["contributions"]["poor"]["normalized"], 0.25);
        // Reasons: biggest contribution first, bilingual.
        let reasons = row(&r, "b")["reasons"].as_array().expect("present");
        assert_eq!(reasons.len(), 2);
        assert_eq!(reasons[0]["indicator"], "poor");
        assert!(
            reasons[0]["id"].as_str().expect("present").contains("40%"),
            "{reasons:?}"
        );
        assert!(
            reasons[0]["en"].as_str().expect("present").contains("40%"),
            "{reasons:?}"
        );
        // a is better off than the city on both (poor 0.1 < 0.25 city-wide, access at the
        // median): no reason points to need, so only its largest contribution is said.
        let ra = a["reasons"].as_array().expect("present");
        assert_eq!(ra.len(), 1, "{ra:?}");
        // c has no positive contribution, so no reason.
        assert!(row(&r, "c")["reasons"]
            .as_array()
            .expect("present")
            .is_empty());
        // A 3:1 weighting perturbed by ±20% never reorders these three.
        for z in &r.rows {
            assert_eq!(z["rank_low"], z["rank"]);
            assert_eq!(z["rank_high"], z["rank"]);
        }
        assert_eq!(r.params["indicators"][1]["weight"], 1.0);
    }

    #[test]
    fn sensitivity_widens_close_calls() {
        // Equal weights: a = 0.5·0.25 + 0.5·(2/3) = 0.458; b = 1; c = 0. With one weight at
        // +40% of the other, a still can't pass b; now make a and b close.
        let r = run(json!({
            "zones": "zones",
            "indicators": [
                {"field": "poor"},
                {"field": "hh", "direction": "higher_is_better"},
            ],
            "sensitivity": {"runs": 200, "spread": 0.5, "seed": 7},
            "top_n": 1
        }))
        .expect("present");
        // poor: 10, 40, 0 → 0.25, 1, 0; hh better: 100, 100, 0 → 0, 0, 1.
        // Equal weights: a 0.125, b 0.5, c 0.5 → b and c tie at rank 1, a 3.
        assert_eq!(row(&r, "b")["rank"], 1);
        assert_eq!(row(&r, "c")["rank"], 1);
        assert_eq!(row(&r, "a")["rank"], 3);
        // Perturbed weights break the tie both ways.
        assert_eq!(row(&r, "b")["rank_high"], 2);
        assert_eq!(row(&r, "c")["rank_high"], 2);
        let share = row(&r, "b")["top_n_share"].as_f64().expect("present");
        assert!(share > 0.2 && share < 0.8, "{share}");
        assert_eq!(r.summary["top"].as_array().expect("present").len(), 2);
        assert!(r.summary["top_stable"]
            .as_array()
            .expect("present")
            .is_empty());
    }

    #[test]
    fn topsis_by_hand() {
        // Normalised (oriented): poor 0.25, 1, 0; access 2/3, 1, 0; weights 0.5 each.
        // Weighted: a (0.125, 1/3), b (0.5, 0.5), c (0, 0). Best (0.5, 0.5), worst (0, 0).
        // a: d+ = √(0.375² + (1/6)²), d- = √(0.125² + (1/3)²).
        let r = run(json!({
            "zones": "zones",
            "method": "topsis",
            "indicators": [
                {"field": "poor", "per": "hh"},
                {"field": "access", "direction": "higher_is_better"}
            ]
        }))
        .expect("present");
        let dp = (0.375f64.powi(2) + (1.0f64 / 6.0).powi(2)).sqrt();
        let dm = (0.125f64.powi(2) + (1.0f64 / 3.0).powi(2)).sqrt();
        let a = row(&r, "a");
        assert!((a["score"].as_f64().expect("present") - dm / (dp + dm)).abs() < 1e-12);
        assert_eq!(row(&r, "b")["score"], 1.0);
        assert_eq!(row(&r, "c")["score"], 0.0);
        let c = &a["contributions"];
        let sum = c["poor"]["contribution"].as_f64().expect("present")
            + c["access"]["contribution"].as_f64().expect("present");
        assert!((sum - a["score"].as_f64().expect("present")).abs() < 1e-12);
        // access is the larger share of a's distance from the least-needy ideal.
        assert_eq!(a["reasons"][0]["indicator"], "access");
    }

    #[test]
    fn normalisations_by_hand() {
        let raw = [Some(1.0), Some(3.0), Some(3.0), None, Some(5.0)];
        let z = normalize(&raw, Direction::HigherIsWorse, Normalize::Zscore);
        // mean 3, population sd √2.
        let s = 2f64.sqrt();
        assert!((z[0] + 2.0 / s).abs() < 1e-12 && (z[4] - 2.0 / s).abs() < 1e-12);
        assert!(z[3].abs() < 1e-12, "imputed = mean z = 0");
        let r = normalize(&raw, Direction::HigherIsWorse, Normalize::Rank);
        // ranks 1, 2.5, 2.5, 4 of 4 → 0, 0.5, 0.5, 1.
        assert_eq!(&r[..3], &[0.0, 0.5, 0.5]);
        assert_eq!(r[4], 1.0);
        let m = normalize(&raw, Direction::HigherIsBetter, Normalize::Minmax);
        assert_eq!(&m[..3], &[1.0, 0.5, 0.5]);
        assert_eq!(m[4], 0.0);
        assert_eq!(m[3], 0.5);
        let c = normalize(
            &[Some(2.0), Some(2.0)],
            Direction::HigherIsWorse,
            Normalize::Rank,
        );
        assert_eq!(c, vec![0.0, 0.0]);
        assert_eq!(rank(&[0.5, 0.9, 0.5, 0.1]), vec![2, 1, 2, 4]);
    }

    #[test]
    fn table_fields_join_and_missing_rows_are_imputed() {
        let r = run(json!({
            "zones": "zones",
            "indicators": [{"field": "complaints", "from": "stats"}]
        }))
        .expect("present");
        // a 3, b 1, c missing → minmax 1, 0, imputed 0.5.
        assert_eq!(row(&r, "a")["rank"], 1);
        assert_eq!(row(&r, "c")["contributions"]["complaints"]["imputed"], true);
        assert_eq!(
            row(&r, "c")["contributions"]["complaints"]["normalized"],
            0.5
        );
        assert_eq!(r.summary["imputed"]["complaints"], 1);
        assert_eq!(r.meta.layers.len(), 2);
    }

    #[test]
    fn bad_input_names_the_param() {
        let err = |p: Value| run(p).expect_err("an error").to_string();
        let e = err(
            json!({"zones": "zones", "indicators": [{"field": "poor"}, {"field": "hh"}], "weights": [1]}),
        );
        assert!(
            e.contains("weights") && e.contains("1 weights for 2 indicators"),
            "{e}"
        );
        let e = err(json!({"zones": "zones", "indicators": [{"field": "nope"}]}));
        assert!(e.contains("nope"), "{e}");
        let e = err(json!({"zones": "zones", "indicators": [{"field": "x", "from": "ghost"}]}));
        assert!(
            e.contains("indicators[0].from") && e.contains("ghost"),
            "{e}"
        );
        let e = err(json!({"zones": "zones", "indicators": []}));
        assert!(e.contains("indicators"), "{e}");
        let e = err(json!({"zones": "zones", "indicators": [{"field": "poor", "weight": -1}]}));
        assert!(e.contains("indicators[0].weight"), "{e}");
        let e = err(json!({"zones": "zones", "indicators": [{"field": "poor", "wieght": 1}]}));
        assert!(e.contains("wieght"), "{e}");
        let e = err(json!({"zones": "stats", "indicators": [{"field": "poor"}]}));
        assert!(e.contains("zones") && e.contains("table"), "{e}");
        let e = err(json!({"zones": "zones", "indicators": [{"field": "poor"}],
            "inputs": {"again": {"analysis": "index", "params": {}}}}));
        assert!(e.contains("inputs.again.analysis"), "{e}");
    }
}
