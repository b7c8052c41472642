//! `allocate`: how to spend a budget across places. Each feature of `layer` is one
//! candidate intervention with a `cost` (rupiah) and an expected `benefit` (a field, or a
//! column of another analysis' rows such as `index` or `exposure`). The analysis chooses
//! which to fund to maximise the total benefit within `budget`: an exact 0-1 knapsack,
//! solved as a MILP with HiGHS so the equity rules fit in as rows:
//! - `min_one_per_group`: at least one funded intervention per group (kecamatan);
//! - `max_group_share`: no group above this share of the budget.
//!
//! Groups come from a `group` field or from the `group_zones` polygon containing each
//! intervention's location (kelurahan → kecamatan). The summary carries a curve of the best
//! benefit over a range of budgets with the marginal benefit per rupiah between points
//! (what another Rp 5 miliar buys), and each row the reasons it was or was not funded.
//!
//! Stages: *check* the params → *cost* and *benefit* per intervention → *groups* → *solve*
//! ([`solve`]) → *curve* over budgets → *outcome* (ranks, group spending, reasons) → rows
//! and summary.

use super::descriptor::{text, Better, Column, Descriptor, Kind, Unit};
use super::inputs::{weights_from, Taken};
use super::{layer_param, num, Output, Row, TypedAnalysis};
use crate::error::{Error, Result};
use crate::kernels::costs::location;
use crate::kernels::point_in_polygon;
use crate::layer::{Layer, Role};
use crate::optimize::{Direction, Mip, Options, Status};
use crate::project::Project;
use crate::rtree::SpatialIndex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// The `allocate` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Allocate;

/// A numeric column of another analysis' rows, keyed by the layer's ids.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FromAnalysis {
    /// The analysis to run (e.g. `index`, `exposure`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Analisis", "en": "Analysis"},
        "x-tepat-help" = {"id": "Analisis yang dijalankan untuk mendapatkan manfaat (mis. `index`, `exposure`)."}
    ))]
    pub analysis: String,
    /// Its params.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Parameter analisis", "en": "Analysis params"},
        "x-tepat-help" = {"id": "Parameter analisis tersebut."}
    ))]
    pub params: Value,
    /// The numeric column of its rows.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom manfaat", "en": "Benefit column"},
        "x-tepat-help" = {"id": "Kolom numerik hasil analisis itu yang dipakai sebagai manfaat."},
        "x-tepat-column" = {"analysis": "analysis"}
    ))]
    pub field: String,
}

/// Params of `allocate`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocateParams {
    /// The interventions: one feature each (e.g. the kelurahan layer, one programme per
    /// kelurahan), or a table.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Usulan kegiatan", "en": "Interventions"},
        "x-tepat-help" = {"id": "Lapisan usulan kegiatan: satu fitur satu kegiatan (mis. lapisan kelurahan, satu program per kelurahan), atau sebuah tabel."},
        "x-tepat-layer" = {"roles": ["zones", "table", "facilities", "demand"]}
    ))]
    pub layer: String,
    /// Cost field (rupiah).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom biaya (Rp)", "en": "Cost field (Rp)"},
        "x-tepat-help" = {"id": "Kolom biaya tiap kegiatan, dalam rupiah."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "float"]}
    ))]
    pub cost: String,
    /// Benefit field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom manfaat", "en": "Benefit field"},
        "x-tepat-help" = {"id": "Kolom manfaat yang diharapkan dari tiap kegiatan (mis. jumlah rumah tangga miskin)."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "float"]}
    ))]
    pub benefit: Option<String>,
    /// Benefit from another analysis' rows instead of a field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Manfaat dari analisis lain", "en": "Benefit from another analysis"},
        "x-tepat-help" = {"id": "Manfaat diambil dari kolom hasil analisis lain (mis. skor `index`), sebagai ganti kolom lapisan."}
    ))]
    pub benefit_from: Option<FromAnalysis>,
    /// Total budget (rupiah).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Pagu anggaran (Rp)", "en": "Budget (Rp)"},
        "x-tepat-help" = {"id": "Total anggaran yang dibagi, dalam rupiah."}
    ))]
    pub budget: f64,
    /// Field holding each intervention's group (e.g. the kecamatan code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom kelompok", "en": "Group field"},
        "x-tepat-help" = {"id": "Kolom kelompok tiap kegiatan (mis. kode kecamatan)."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "text"]}
    ))]
    pub group: Option<String>,
    /// Zones whose polygon containing an intervention's location is its group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Zona kelompok", "en": "Group zones"},
        "x-tepat-help" = {"id": "Lapisan zona pengelompokan: zona yang memuat lokasi sebuah kegiatan menjadi kelompoknya (mis. kelurahan → kecamatan)."},
        "x-tepat-layer" = {"roles": ["zones"], "geometry": ["polygon"]}
    ))]
    pub group_zones: Option<String>,
    /// Fund at least one intervention in every group.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Minimal satu per kelompok", "en": "At least one per group"},
        "x-tepat-help" = {"id": "Danai paling sedikit satu kegiatan di setiap kelompok (mis. setiap kecamatan)."}
    ))]
    pub min_one_per_group: bool,
    /// No group may take more than this share of the budget (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Porsi maksimum per kelompok", "en": "Largest share per group"},
        "x-tepat-help" = {"id": "Tidak ada kelompok yang boleh mengambil lebih dari porsi anggaran ini (0–1)."}
    ))]
    pub max_group_share: Option<f64>,
    /// Budgets of the benefit curve (default: ¼, ½, ¾, 1, 1¼, 1½ × budget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Anggaran untuk kurva manfaat", "en": "Budgets of the benefit curve"},
        "x-tepat-help" = {"id": "Besaran anggaran pada kurva manfaat (bawaan: ¼, ½, ¾, 1, 1¼, 1½ × pagu)."}
    ))]
    pub curve_budgets: Option<Vec<f64>>,
    /// Time limit of each solve, seconds.
    #[serde(default = "default_time_limit")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Batas waktu (detik)", "en": "Time limit (s)"},
        "x-tepat-help" = {"id": "Batas waktu tiap pencarian solusi, dalam detik."}
    ))]
    pub time_limit_s: f64,
}

fn default_time_limit() -> f64 {
    30.0
}

fn err(param: &str, message: impl Into<String>) -> Error {
    Error::param(Allocate::NAME, param, message)
}

/// A knapsack with equity rules, independent of layers.
#[derive(Debug, Clone)]
pub struct Knapsack {
    /// Cost per item.
    pub cost: Vec<f64>,
    /// Benefit per item.
    pub benefit: Vec<f64>,
    /// Group index per item (None: in no group).
    pub group: Vec<Option<usize>>,
    /// Number of groups.
    pub groups: usize,
    /// At least one funded item per group.
    pub min_one_per_group: bool,
    /// Largest share of the budget per group.
    pub max_group_share: Option<f64>,
}

/// The chosen items and the solve's quality.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Funded per item.
    pub funded: Vec<bool>,
    /// Total benefit.
    pub benefit: f64,
    /// Total cost.
    pub spent: f64,
    /// Upper bound on the benefit.
    pub bound: Option<f64>,
    /// `optimal` or `time_limit`.
    pub status: &'static str,
}

/// Why a budget cannot be allocated under the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Infeasible(pub String);

/// The best choice within `budget` (exact, by HiGHS).
pub fn solve(pb: &Knapsack, budget: f64, time_limit: Duration) -> Result<Choice, Infeasible> {
    let n = pb.cost.len();
    if pb.min_one_per_group {
        // The cheapest item of each group must fit, together and within each group's cap.
        let mut cheapest = vec![f64::INFINITY; pb.groups];
        for i in 0..n {
            if let Some(g) = pb.group[i] {
                cheapest[g] = cheapest[g].min(pb.cost[i]);
            }
        }
        let total: f64 = cheapest.iter().sum();
        if total > budget * (1.0 + 1e-12) {
            return Err(Infeasible(format!(
                "one intervention per group costs at least {total}, more than the budget {budget}"
            )));
        }
        if let Some(s) = pb.max_group_share {
            if let Some(g) = (0..pb.groups).find(|&g| cheapest[g] > s * budget * (1.0 + 1e-12)) {
                return Err(Infeasible(format!(
                    "group #{g}'s cheapest intervention ({}) exceeds its cap of {} of the budget",
                    cheapest[g],
                    s * budget
                )));
            }
        }
    }
    let mut mip = Mip::new(Direction::Maximise);
    let x: Vec<usize> = (0..n)
        .map(|i| mip.var(pb.benefit[i], 0.0, 1.0, true))
        .collect();
    let all: Vec<(usize, f64)> = (0..n).map(|i| (x[i], pb.cost[i])).collect();
    mip.row(f64::NEG_INFINITY, budget, &all);
    for g in 0..pb.groups {
        let members: Vec<usize> = (0..n).filter(|&i| pb.group[i] == Some(g)).collect();
        if pb.min_one_per_group {
            let t: Vec<(usize, f64)> = members.iter().map(|&i| (x[i], 1.0)).collect();
            mip.row(1.0, f64::INFINITY, &t);
        }
        if let Some(s) = pb.max_group_share {
            let t: Vec<(usize, f64)> = members.iter().map(|&i| (x[i], pb.cost[i])).collect();
            mip.row(f64::NEG_INFINITY, s * budget, &t);
        }
    }
    let solved = mip.solve(&Options {
        time_limit,
        ..Options::default()
    });
    match (solved.status, &solved.values) {
        (Status::Optimal | Status::TimeLimit, Some(v)) => {
            let funded: Vec<bool> = x.iter().map(|&c| v[c] > 0.5).collect();
            let benefit = (0..n).filter(|&i| funded[i]).map(|i| pb.benefit[i]).sum();
            let spent = (0..n).filter(|&i| funded[i]).map(|i| pb.cost[i]).sum();
            Ok(Choice {
                funded,
                benefit,
                spent,
                bound: solved.bound,
                status: if solved.status == Status::Optimal {
                    "optimal"
                } else {
                    "time_limit"
                },
            })
        }
        (Status::Infeasible, _) => Err(Infeasible(
            "no choice of interventions satisfies the budget and the equity rules".into(),
        )),
        _ => Err(Infeasible(format!("the solver failed: {}", solved.detail))),
    }
}

fn values_of(layer: &Layer, field: &str, param: &str) -> Result<Vec<f64>> {
    let col = layer.numeric_column(field)?;
    (0..layer.len())
        .map(|i| match col.f64_at(i) {
            Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
            None => Ok(0.0),
            Some(v) => Err(err(
                param,
                format!(
                    "layer '{}' feature '{}': field '{field}' is {v}; it must be ≥ 0",
                    layer.name, layer.ids[i]
                ),
            )),
        })
        .collect()
}

impl TypedAnalysis for Allocate {
    type Params = AllocateParams;
    const NAME: &'static str = "allocate";
    const DESCRIPTOR: Descriptor = Descriptor {
        title: text("Alokasi anggaran", "Budget allocation"),
        description: text(
            "Kegiatan mana yang didanai agar manfaatnya terbesar dalam pagu: knapsack 0-1 eksak dengan aturan pemerataan, kurva manfaat per rupiah dan alasannya",
            "Budget allocation across zones: exact 0-1 knapsack with equity rules, benefit-per-rupiah curve and reasons",
        ),
        columns: &[
            Column::new(
                "benefit_per_rupiah",
                text("Manfaat per rupiah", "Benefit per rupiah"),
                Unit::None,
                Kind::Rate,
                Better::Higher,
            )
            .headline(),
            Column::new(
                "funded",
                text("Didanai", "Funded"),
                Unit::None,
                Kind::Flag,
                Better::Higher,
            ),
            Column::new(
                "group",
                text("Kelompok", "Group"),
                Unit::None,
                Kind::Category,
                Better::Neutral,
            ),
            Column::new(
                "cost",
                text("Biaya", "Cost"),
                Unit::Rupiah,
                Kind::Money,
                Better::Lower,
            ),
            Column::new(
                "benefit",
                text("Manfaat", "Benefit"),
                Unit::None,
                Kind::Score,
                Better::Higher,
            ),
            // Rank 1 is the best value for money, so a smaller rank is better.
            Column::new(
                "rank_by_ratio",
                text("Peringkat manfaat per rupiah", "Rank by benefit per rupiah"),
                Unit::None,
                Kind::Rank,
                Better::Lower,
            ),
            Column::new(
                "reasons",
                text("Alasan", "Reasons"),
                Unit::None,
                Kind::Detail,
                Better::Neutral,
            ),
        ],
    };

    fn run(&self, project: &Project, p: &mut AllocateParams) -> Result<Output> {
        let layer = layer_param(
            project,
            Self::NAME,
            "layer",
            &p.layer,
            &[Role::Zones, Role::Table, Role::Facilities, Role::Demand],
            true,
        )?;
        check_params(p)?;
        let cost = values_of(layer, &p.cost, "cost")?;
        let benefit = benefit_of(project, layer, p)?;
        let groups = groups_of(project, layer, p)?;
        let pb = Knapsack {
            cost,
            benefit,
            group: groups.of.clone(),
            groups: groups.names.len(),
            min_one_per_group: p.min_one_per_group,
            max_group_share: p.max_group_share,
        };
        let limit = Duration::from_secs_f64(p.time_limit_s);
        let choice = solve(&pb, p.budget, limit).map_err(|e| err("budget", e.0))?;
        let curve = curve(&pb, p, limit);
        let outcome = Outcome::of(&pb, &choice, p);
        let rows = (0..pb.cost.len())
            .map(|i| {
                AllocateRow {
                    id: &layer.ids[i],
                    group: pb.group[i].map(|g| groups.names[g].as_str()),
                    cost: pb.cost[i],
                    benefit: pb.benefit[i],
                    ratio: ratio(&pb, i),
                    rank: outcome.rank[i],
                    funded: choice.funded[i],
                    reasons: outcome.reasons(&groups.names, i),
                }
                .into_row()
            })
            .collect();
        let mut summary = summary(&pb, &choice, &outcome, &groups.names, p.budget);
        summary.insert("curve".into(), Value::Array(curve));
        let mut layers_used = vec![layer.name.clone()];
        layers_used.extend(groups.layer);
        Ok(Output {
            summary,
            rows,
            row_layer: Some(layer.name.clone()),
            layers_used,
        })
    }
}

fn check_params(p: &AllocateParams) -> Result<()> {
    if !(p.budget.is_finite() && p.budget >= 0.0) {
        return Err(err(
            "budget",
            format!("must be finite and ≥ 0, not {}", p.budget),
        ));
    }
    if let Some(s) = p.max_group_share {
        if !(s > 0.0 && s <= 1.0) {
            return Err(err(
                "max_group_share",
                format!("must be in (0, 1], not {s}"),
            ));
        }
    }
    if !(p.time_limit_s.is_finite() && p.time_limit_s > 0.0) {
        return Err(err("time_limit_s", "must be > 0"));
    }
    Ok(())
}

/// The benefit per intervention: a field, or a column of another analysis' rows.
fn benefit_of(project: &Project, layer: &Layer, p: &AllocateParams) -> Result<Vec<f64>> {
    match (&p.benefit, &p.benefit_from) {
        (Some(f), None) => values_of(layer, f, "benefit"),
        (None, Some(b)) => weights_from(
            project,
            Taken {
                caller: Allocate::NAME,
                param: "benefit_from",
                analysis: &b.analysis,
                params: &b.params,
                field: &b.field,
            },
            &layer.ids,
        ),
        _ => Err(err(
            "benefit",
            "give `benefit` (a field) or `benefit_from`, one of them",
        )),
    }
}

/// The groups of the interventions.
struct Groups {
    /// Group names, sorted.
    names: Vec<String>,
    /// Per intervention, its group (None: in no group).
    of: Vec<Option<usize>>,
    /// The `group_zones` layer, when groups come from it.
    layer: Option<String>,
}

/// Groups from the `group` field or the `group_zones` polygon holding each intervention.
fn groups_of(project: &Project, layer: &Layer, p: &AllocateParams) -> Result<Groups> {
    let n = layer.len();
    let mut zones = None;
    let labels: Vec<Option<String>> = match (&p.group, &p.group_zones) {
        (Some(_), Some(_)) => return Err(err("group", "give `group` or `group_zones`, not both")),
        (Some(f), None) => {
            let col = layer.column(f)?;
            (0..n).map(|i| col.get(i).as_key()).collect()
        }
        (None, Some(z)) => {
            let zl = layer_param(
                project,
                Allocate::NAME,
                "group_zones",
                z,
                &[Role::Zones],
                false,
            )?;
            zones = Some(zl.name.clone());
            let locs: Vec<_> = layer.geometries.iter().map(location).collect();
            let zone_of = point_in_polygon::assign(&locs, &zl.geometries, &SpatialIndex::of(zl));
            zone_of
                .iter()
                .map(|z| z.map(|z| zl.ids[z].clone()))
                .collect()
        }
        (None, None) => {
            if p.min_one_per_group || p.max_group_share.is_some() {
                return Err(err(
                    "group",
                    "the equity rules need `group` or `group_zones`",
                ));
            }
            vec![None; n]
        }
    };
    let names: Vec<String> = labels
        .iter()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(k, s)| (s.as_str(), k))
        .collect();
    let of = labels
        .iter()
        .map(|l| l.as_deref().and_then(|s| index.get(s).copied()))
        .collect();
    Ok(Groups {
        names,
        of,
        layer: zones,
    })
}

/// The best benefit over `curve_budgets` (default ¼ … 1½ × budget; sorted, deduplicated
/// and written back), with the marginal benefit per rupiah between feasible points.
fn curve(pb: &Knapsack, p: &mut AllocateParams, limit: Duration) -> Vec<Value> {
    let budgets = p.curve_budgets.clone().unwrap_or_else(|| {
        [0.25, 0.5, 0.75, 1.0, 1.25, 1.5]
            .iter()
            .map(|k| k * p.budget)
            .collect()
    });
    let mut budgets: Vec<f64> = budgets
        .into_iter()
        .filter(|b| b.is_finite() && *b >= 0.0)
        .collect();
    budgets.sort_by(f64::total_cmp);
    budgets.dedup();
    p.curve_budgets = Some(budgets.clone());
    let mut curve = Vec::new();
    let mut prev: Option<(f64, f64)> = None;
    for b in budgets {
        let mut pt = Map::new();
        pt.insert("budget".into(), num(b));
        match solve(pb, b, limit) {
            Ok(c) => {
                pt.insert("benefit".into(), num(c.benefit));
                pt.insert("spent".into(), num(c.spent));
                pt.insert(
                    "funded".into(),
                    c.funded.iter().filter(|f| **f).count().into(),
                );
                pt.insert(
                    "marginal_benefit_per_rupiah".into(),
                    match prev {
                        Some((pb_, pv)) if b > pb_ => num((c.benefit - pv) / (b - pb_)),
                        _ => Value::Null,
                    },
                );
                prev = Some((b, c.benefit));
            }
            Err(_) => {
                pt.insert("benefit".into(), Value::Null);
                pt.insert("spent".into(), Value::Null);
                pt.insert("funded".into(), Value::Null);
                pt.insert("marginal_benefit_per_rupiah".into(), Value::Null);
                pt.insert("infeasible".into(), true.into());
            }
        }
        curve.push(Value::Object(pt));
    }
    curve
}

/// Benefit per rupiah of item `i` (a free item with a benefit: infinite).
fn ratio(pb: &Knapsack, i: usize) -> f64 {
    let (cost, benefit) = (pb.cost[i], pb.benefit[i]);
    if cost > 0.0 {
        benefit / cost
    } else if benefit > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// The choice seen per item and per group: what the reasons and the summary report.
struct Outcome<'a> {
    pb: &'a Knapsack,
    funded: &'a [bool],
    /// Rank by benefit per rupiah (1 = best; ties by index).
    rank: Vec<usize>,
    group_spent: Vec<f64>,
    group_funded: Vec<usize>,
    /// Budget left unspent.
    left: f64,
    budget: f64,
    min_one_per_group: bool,
    max_group_share: Option<f64>,
}

impl<'a> Outcome<'a> {
    fn of(pb: &'a Knapsack, choice: &'a Choice, p: &AllocateParams) -> Outcome<'a> {
        let n = pb.cost.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| ratio(pb, b).total_cmp(&ratio(pb, a)).then(a.cmp(&b)));
        let mut rank = vec![0usize; n];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r + 1;
        }
        let mut group_spent = vec![0.0; pb.groups];
        let mut group_funded = vec![0usize; pb.groups];
        for i in (0..n).filter(|&i| choice.funded[i]) {
            if let Some(g) = pb.group[i] {
                group_spent[g] += pb.cost[i];
                group_funded[g] += 1;
            }
        }
        Outcome {
            pb,
            funded: &choice.funded,
            rank,
            group_spent,
            group_funded,
            left: p.budget - choice.spent,
            budget: p.budget,
            min_one_per_group: p.min_one_per_group,
            max_group_share: p.max_group_share,
        }
    }

    /// Why item `i` was funded or not, in words.
    fn reasons(&self, names: &[String], i: usize) -> Vec<String> {
        let (pb, n) = (self.pb, self.pb.cost.len());
        let mut reasons: Vec<String> = Vec::new();
        if self.funded[i] {
            reasons.push(format!(
                "benefit {:.4} per rupiah, rank {} of {n}",
                ratio(pb, i),
                self.rank[i]
            ));
            if let (true, Some(g)) = (self.min_one_per_group, pb.group[i]) {
                if self.group_funded[g] == 1 {
                    reasons.push(format!(
                        "the only funded intervention in group {} (at least one per group)",
                        names[g]
                    ));
                }
            }
            return reasons;
        }
        if pb.benefit[i] <= 0.0 {
            reasons.push("no expected benefit".into());
            return reasons;
        }
        if let (Some(s), Some(g)) = (self.max_group_share, pb.group[i]) {
            if self.group_spent[g] + pb.cost[i] > s * self.budget * (1.0 + 1e-12) {
                reasons.push(format!(
                    "group {} would exceed its cap of {:.0}% of the budget",
                    names[g],
                    100.0 * s
                ));
            }
        }
        if pb.cost[i] > self.left {
            reasons.push(format!(
                "costs {} but only {} of the budget is left",
                pb.cost[i], self.left
            ));
        }
        if reasons.is_empty() {
            reasons.push(format!(
                "rank {} of {n} by benefit per rupiah; the budget buys more benefit elsewhere",
                self.rank[i]
            ));
        }
        reasons
    }
}

/// One intervention's row.
struct AllocateRow<'a> {
    id: &'a str,
    group: Option<&'a str>,
    cost: f64,
    benefit: f64,
    ratio: f64,
    rank: usize,
    funded: bool,
    reasons: Vec<String>,
}

impl AllocateRow<'_> {
    fn into_row(self) -> Row {
        let mut r = Row::new();
        r.insert("id".into(), self.id.into());
        r.insert("group".into(), self.group.map_or(Value::Null, Value::from));
        r.insert("cost".into(), num(self.cost));
        r.insert("benefit".into(), num(self.benefit));
        r.insert("benefit_per_rupiah".into(), num(self.ratio));
        r.insert("rank_by_ratio".into(), self.rank.into());
        r.insert("funded".into(), self.funded.into());
        r.insert(
            "reasons".into(),
            Value::Array(self.reasons.into_iter().map(Value::String).collect()),
        );
        r
    }
}

/// The solve's quality, the money and each group's part (the curve is added by the caller).
fn summary(
    pb: &Knapsack,
    choice: &Choice,
    o: &Outcome,
    names: &[String],
    budget: f64,
) -> Map<String, Value> {
    let mut s = Map::new();
    s.insert("status".into(), choice.status.into());
    s.insert("objective".into(), num(choice.benefit));
    s.insert("bound".into(), choice.bound.map_or(Value::Null, num));
    s.insert(
        "gap".into(),
        choice
            .bound
            .and_then(|b| crate::optimize::gap(choice.benefit, b))
            .map_or(Value::Null, num),
    );
    s.insert("budget".into(), num(budget));
    s.insert("spent".into(), num(choice.spent));
    s.insert("left".into(), num(o.left));
    s.insert("interventions".into(), pb.cost.len().into());
    s.insert(
        "funded".into(),
        choice.funded.iter().filter(|f| **f).count().into(),
    );
    s.insert(
        "total_benefit_available".into(),
        num(pb.benefit.iter().sum()),
    );
    let per_group: Map<String, Value> = names
        .iter()
        .enumerate()
        .map(|(g, name)| {
            let share = if budget > 0.0 {
                num(o.group_spent[g] / budget)
            } else {
                Value::Null
            };
            let v = json!({
                "spent": num(o.group_spent[g]),
                "funded": o.group_funded[g],
                "share": share,
            });
            (name.clone(), v)
        })
        .collect();
    s.insert("groups".into(), Value::Object(per_group));
    s
}
