//! `access`: how far people are from services, and how much service they can reach.
//!
//! Stages: *locate* demand (points as they are; polygons, e.g. kelurahan, at their centroid)
//! and the open facilities (of the requested kinds, not in the hazard of
//! `exclude_in_hazard`) → *cost* every demand–facility pair that matters (a [`Costs`]
//! source: euclidean distance in the working CRS, or a `costs` table computed elsewhere)
//! → *measure* per demand with the method → *normalize* → *aggregate* to `zones` if given.
//!
//! Methods, and the PySAL `access` (1.1) function each one equals, with `c` the cost from
//! demand `i` (population `P_i`) to facility `j` (capacity `S_j`, 1 when there is no
//! capacity field) and `r` = `radius_m`:
//! - `nearest`: the cost to the nearest open facility (`access_raw` = `nearest_m`; here a
//!   cost, so *higher is worse*). PySAL has no such measure.
//! - `coverage`: `Σ_j S_j` over `c ≤ r`: `Access.weighted_catchment(max_cost=r)`.
//! - `2sfca`: `R_j = S_j / Σ_i P_i [c ≤ r]`, `A_i = Σ_j R_j [c ≤ r]`:
//!   `Access.two_stage_fca(max_cost=r)`.
//! - `e2sfca`: the same with both sums weighted by `w(c)`: `Access.enhanced_two_stage_fca(
//!   max_cost=r, weight_fn=w)` with `w` = `weights.step_fn` (`steps`) or `weights.gaussian`
//!   (`gaussian`). The default steps are PySAL's default `{10: 1, 20: 0.68, 30: 0.22}` with
//!   the thresholds scaled so the last is `radius_m`.
//! - `gravity`: `Σ_j S_j (max(c, min_cost)/scale)^alpha` over `c ≤ r` (all pairs without
//!   `radius_m`): `Access.weighted_catchment(weight_fn=weights.gravity(scale, alpha,
//!   min_cost), max_cost=r)`.
//!
//! Boundaries are PySAL's: a pair is in the catchment when `c ≤ r` (inclusive), a step
//! applies when `c ≤` its threshold. `access` is `access_raw` divided by its demand-weighted
//! mean `Σ P_i A_i / Σ P_i` over all demand (PySAL's `normalize=True`), so that mean is 1.
//!
//! Where PySAL divides by zero or leaves a value missing, this analysis gives a defined
//! value instead (the goldens in `engine/tests/golden/make_access.py` avoid these cases):
//! - demand with no open facility in reach: `access_raw` = 0 (PySAL: NaN; its normalization
//!   counts such demand as 0 too, so `access` agrees everywhere else);
//! - a facility whose catchment holds no (weighted) population: `R_j` = 0, its supply serves
//!   no one (PySAL: `S_j / 0` = inf, which spreads to the zero-population demand near it);
//! - zero total population: means are plain (unweighted) means; a normalizer of 0 (no
//!   supply in anyone's reach) or none (no demand) leaves `access` null;
//! - `gravity` at cost 0 with `alpha < 0` is an error (PySAL: inf): give `min_cost`.
//!
//! Demand polygons (a zone layer as `demand`) stand at their area centroid: with no
//! population inside a zone known, that is its population-weighted centroid. With a point
//! `demand` layer and `zones`, every point is measured and normalized, then zone rows give
//! population totals and population-weighted means (plain means for a zone whose population
//! is 0): `nearest_m` (mean) and `nearest_m_max` (over points with people), `access_raw` and
//! `access`; `nearest_id` is the facility nearest to the largest part of the zone's
//! population. Points outside every zone count in the totals, not in any zone row.
//!
//! Covered population: demand whose nearest open facility is within `radius_m`, or, without
//! `radius_m`, that can reach any open facility; `covered + uncovered = population` always.

use super::defaults::{self, Focus};
use super::descriptor::{text, Better, Column as Col, Descriptor, Kind, Unit};
use super::inputs::{cost_table, counts, CostRows, CostTable, HazardFilter};
use super::{layer_param, num, Output, Row, TypedAnalysis};
use crate::error::{Error, Result};
use crate::kernels::costs::{each_reachable, location, Costs};
use crate::kernels::point_in_polygon;
use crate::layer::{GeomKind, Layer, Role};
use crate::project::Project;
use crate::rtree::SpatialIndex;
use geo::Coord;
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Catchment of the default `access` run, in metres.
pub const DEFAULT_RADIUS_M: f64 = 2000.0;

/// The `access` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Access;

/// How access is measured (see the module docs for the formula and PySAL equivalent of each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum Method {
    /// Cost to the nearest open facility (and to the `k`-th).
    #[default]
    #[serde(rename = "nearest")]
    Nearest,
    /// Capacity within `radius_m` (PySAL `weighted_catchment(max_cost)`).
    #[serde(rename = "coverage")]
    Coverage,
    /// Two-step floating catchment area (PySAL `two_stage_fca`).
    #[serde(rename = "2sfca")]
    TwoStep,
    /// Enhanced 2SFCA with distance-decay `weights` (PySAL `enhanced_two_stage_fca`).
    #[serde(rename = "e2sfca")]
    Enhanced,
    /// Gravity potential (PySAL `weighted_catchment` with `weights.gravity`).
    #[serde(rename = "gravity")]
    Gravity,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Nearest => "nearest",
            Method::Coverage => "coverage",
            Method::TwoStep => "2sfca",
            Method::Enhanced => "e2sfca",
            Method::Gravity => "gravity",
        }
    }
}

/// Distance decay of `e2sfca`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Weights {
    /// `[[max_cost, weight], …]`: a cost takes the weight of the smallest `max_cost` it does not
    /// exceed, 0 beyond the largest (PySAL `weights.step_fn`).
    Steps(Vec<[f64; 2]>),
    /// Width σ (in cost units) of `exp(−cost² / (2σ²))` (PySAL `weights.gaussian(sigma)`).
    Gaussian(f64),
}

/// Gravity weight `(max(cost, min_cost) / scale)^alpha` (PySAL `weights.gravity`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GravityParams {
    /// Cost that scales the input (metres for euclidean costs).
    #[serde(default = "default_scale")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Skala", "en": "Scale"},
        "x-tepat-help" = {"id": "Biaya yang menjadi satuan skala (meter untuk jarak garis lurus)."}
    ))]
    pub scale: f64,
    /// Power; negative for a decay (PySAL does not negate it).
    #[serde(default = "default_alpha")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Pangkat", "en": "Power"},
        "x-tepat-help" = {"id": "Pangkat; negatif agar bobot menurun dengan jarak (PySAL tidak membalik tandanya)."}
    ))]
    pub alpha: f64,
    /// Costs below this count as this (PySAL `min_dist`; needed when a cost can be 0).
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Biaya minimum", "en": "Minimum cost"},
        "x-tepat-help" = {"id": "Biaya di bawah nilai ini dihitung sebesar nilai ini (PySAL `min_dist`; perlu bila ada biaya 0)."}
    ))]
    pub min_cost: f64,
}

fn default_scale() -> f64 {
    1000.0
}
fn default_alpha() -> f64 {
    -1.0
}

impl Default for GravityParams {
    fn default() -> Self {
        GravityParams {
            scale: default_scale(),
            alpha: default_alpha(),
            min_cost: 0.0,
        }
    }
}

/// Params of `access`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessParams {
    /// Where people are: a `demand` point layer, or zones / polygons (taken at their centroid).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Permintaan", "en": "Demand"},
        "x-tepat-help" = {"id": "Letak penduduk: lapisan titik `demand`, atau zona / poligon (diwakili titik pusatnya)."},
        "x-tepat-layer" = {"roles": ["demand", "zones"], "geometry": ["point", "polygon"]}
    ))]
    pub demand: String,
    /// Population (count) field of `demand` (default: the layer's `population` in the project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom penduduk", "en": "Population field"},
        "x-tepat-help" = {"id": "Kolom jumlah penduduk pada `demand` (bawaan: kolom `population` lapisan itu di proyek)."},
        "x-tepat-field" = {"of": "demand", "types": ["int", "float"]}
    ))]
    pub population: Option<String>,
    /// The facility layer (e.g. `puskesmas`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Fasilitas", "en": "Facilities"},
        "x-tepat-help" = {"id": "Lapisan fasilitas (mis. `puskesmas`)."},
        "x-tepat-layer" = {"roles": ["facilities"], "geometry": ["point"]}
    ))]
    pub facilities: String,
    /// Only facilities of these kinds (values of `kind_field`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jenis fasilitas", "en": "Facility kinds"},
        "x-tepat-help" = {"id": "Hanya fasilitas dengan jenis ini (nilai `kind_field`)."}
    ))]
    pub kind: Option<Vec<String>>,
    /// Field holding the facility kind (default: the layer's `kind` in the project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom jenis", "en": "Kind field"},
        "x-tepat-help" = {"id": "Kolom yang memuat jenis fasilitas (bawaan: kolom `kind` lapisan itu di proyek)."},
        "x-tepat-field" = {"of": "facilities", "types": ["int", "text"]}
    ))]
    pub kind_field: Option<String>,
    /// Capacity (supply) field of the facilities (default: the layer's `capacity` in the
    /// project; without one, every facility has capacity 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom kapasitas", "en": "Capacity field"},
        "x-tepat-help" = {"id": "Kolom kapasitas (daya layan) fasilitas (bawaan: kolom `capacity` lapisan itu di proyek; tanpa kolom itu setiap fasilitas berkapasitas 1)."},
        "x-tepat-field" = {"of": "facilities", "types": ["int", "float"]}
    ))]
    pub capacity: Option<String>,
    /// `nearest`, `coverage`, `2sfca`, `e2sfca` or `gravity`.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Metode", "en": "Method"},
        "x-tepat-help" = {"id": "`nearest` (jarak ke fasilitas terdekat), `coverage` (kapasitas dalam jangkauan), `2sfca`, `e2sfca` atau `gravity`."}
    ))]
    pub method: Method,
    /// Catchment, in cost units (metres for euclidean costs); a facility at cost ≤ radius_m is
    /// in reach. Needed by `coverage` and `2sfca` (and by `e2sfca` without `weights`); optional
    /// cut-off for the others; sets what counts as covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Radius jangkauan (m)", "en": "Catchment radius (m)"},
        "x-tepat-help" = {"id": "Jangkauan layanan, dalam satuan biaya (meter untuk jarak garis lurus); fasilitas dengan biaya ≤ radius terjangkau. Wajib untuk `coverage` dan `2sfca` (dan `e2sfca` tanpa `weights`); batas opsional untuk metode lain; menentukan siapa yang terlayani."}
    ))]
    pub radius_m: Option<f64>,
    /// Also report `kth_m`, the cost to the k-th nearest open facility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Fasilitas ke-k", "en": "k-th facility"},
        "x-tepat-help" = {"id": "Laporkan juga `kth_m`, biaya ke fasilitas buka terdekat ke-k."}
    ))]
    pub k: Option<usize>,
    /// Distance decay of `e2sfca`: `{"steps": [[max_cost, weight], …]}` or `{"gaussian": σ}`
    /// (default: steps at radius_m/3, 2·radius_m/3, radius_m with weights 1, 0.68, 0.22).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bobot jarak", "en": "Distance decay"},
        "x-tepat-help" = {"id": "Penurunan bobot menurut jarak untuk `e2sfca`: `{\"steps\": [[biaya_maks, bobot], …]}` atau `{\"gaussian\": σ}` (bawaan: tangga pada radius_m/3, 2·radius_m/3, radius_m dengan bobot 1; 0,68; 0,22)."}
    ))]
    pub weights: Option<Weights>,
    /// Gravity weight of `gravity` (default scale 1000, alpha −1, min_cost 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bobot gravitasi", "en": "Gravity weight"},
        "x-tepat-help" = {"id": "Bobot gravitasi untuk `gravity` (bawaan: skala 1000, pangkat −1, biaya minimum 0)."}
    ))]
    pub gravity: Option<GravityParams>,
    /// Zone layer to report on (population-weighted) when `demand` is a point layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Zona", "en": "Zones"},
        "x-tepat-help" = {"id": "Lapisan zona tempat hasil dilaporkan (rata-rata berbobot penduduk) bila `demand` berupa titik."},
        "x-tepat-layer" = {"roles": ["zones"], "geometry": ["polygon"]}
    ))]
    pub zones: Option<String>,
    /// Costs from a table `{"layer", "origin", "destination", "cost"}` keyed by demand and
    /// facility ids, instead of euclidean distances; pairs missing from it are out of reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Tabel biaya", "en": "Cost table"},
        "x-tepat-help" = {"id": "Biaya dari tabel `{\"layer\", \"origin\", \"destination\", \"cost\"}` menurut id permintaan dan id fasilitas, sebagai ganti jarak garis lurus; pasangan yang tidak ada di tabel dianggap tak terjangkau."}
    ))]
    pub costs: Option<CostTable>,
    /// Hazard layer (or `{"layer", "field", "values"}`): facilities in it (boundary included)
    /// are closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Tutup fasilitas di kawasan bahaya", "en": "Close facilities in a hazard"},
        "x-tepat-help" = {"id": "Lapisan bahaya (atau `{\"layer\", \"field\", \"values\"}`): fasilitas di dalamnya (termasuk di batasnya) dianggap tutup."}
    ))]
    pub exclude_in_hazard: Option<HazardFilter>,
}

/// Resolved distance decay.
enum Decay {
    None,
    Steps(Vec<[f64; 2]>),
    Gaussian(f64),
}

impl Decay {
    fn weight(&self, c: f64) -> f64 {
        match self {
            Decay::None => 1.0,
            Decay::Steps(s) => s.iter().find(|st| c <= st[0]).map_or(0.0, |st| st[1]),
            Decay::Gaussian(sigma) => (-c * c / (2.0 * sigma * sigma)).exp(),
        }
    }
}

/// Mean of `v` weighted by `w`; the plain mean when the weights sum to 0; None when empty.
fn weighted_mean(items: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut sw, mut swv, mut n, mut sv) = (0.0, 0.0, 0usize, 0.0);
    for (w, v) in items {
        sw += w;
        swv += w * v;
        n += 1;
        sv += v;
    }
    if sw > 0.0 {
        Some(swv / sw)
    } else if n > 0 {
        Some(sv / n as f64)
    } else {
        None
    }
}

fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Null, num)
}

fn check_cost(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::param(
            Access::NAME,
            name,
            format!("must be a finite cost ≥ 0, not {v}"),
        ))
    }
}

/// Demand, located (stage *locate*).
struct Demand<'p> {
    layer: &'p Layer,
    /// People per feature (a null count is 0).
    pop: Vec<f64>,
    /// Features whose count is null.
    missing_pop: usize,
    /// Where each feature stands; None without a geometry.
    origins: Vec<Option<Coord>>,
}

/// The facilities, and which of them are open (stage *locate*).
struct Supply<'p> {
    layer: &'p Layer,
    /// Of a kind asked for (all without `kind`).
    kind_ok: Vec<bool>,
    /// Of a kind asked for, and in the hazard that closes facilities.
    closed: Vec<bool>,
    /// Capacity per facility (1 without a capacity field; a null is 0).
    capacity: Vec<f64>,
    /// Facilities whose capacity is null.
    missing_cap: usize,
    /// Where each facility stands.
    loc: Vec<Option<Coord>>,
    /// The hazard layer that closes facilities, if any.
    hazard: Option<String>,
}

impl Supply<'_> {
    /// Of a kind asked for and not closed.
    fn open(&self, j: usize) -> bool {
        self.kind_ok[j] && !self.closed[j]
    }
}

/// Costs from the demand to the open facilities (stage *cost*).
struct Reachable {
    costs: Costs,
    /// The facility in each open slot.
    open: Vec<usize>,
    /// The capacity in each open slot.
    supply: Vec<f64>,
    /// Where the costs came from.
    source: CostSource,
}

/// Where costs came from, for the summary.
enum CostSource {
    /// Straight lines; open facilities without a location cannot be reached.
    Euclidean { unlocated: usize },
    /// A table, and how its rows were used.
    Table(CostRows),
}

/// The method with its parameters checked (stage *resolve params*).
struct Measure {
    method: Method,
    radius: Option<f64>,
    k: usize,
    decay: Decay,
    gravity: GravityParams,
}

/// Per-demand results before rows are made (stages *measure* and *normalize*).
struct PerDemand<'d> {
    pop: &'d [f64],
    /// The nearest open facility's slot and cost.
    nearest: Vec<Option<(usize, f64)>>,
    /// The cost to the k-th nearest.
    kth: Vec<Option<f64>>,
    /// Whether the nearest is within `radius_m` (reachable at all without one).
    covered: Vec<bool>,
    /// The method's value.
    raw: Vec<Option<f64>>,
    /// `raw` over its demand-weighted mean.
    access: Vec<Option<f64>>,
    /// That mean.
    mean_raw: Option<f64>,
}

/// Where demand points fell among the zones (stage *aggregate*).
struct ZoneTally {
    zones: usize,
    outside: usize,
    outside_pop: f64,
}

/// One row: a demand feature, or a zone of demand points.
struct AccessRow {
    id: String,
    population: f64,
    /// Zone rows only.
    zone: Option<ZoneOnly>,
    nearest_id: Option<String>,
    nearest_m: Option<f64>,
    /// With `k` given: the cost to the k-th nearest (`kth_m`).
    kth_m: Option<Option<f64>>,
    covered_population: f64,
    access_raw: Option<f64>,
    access: Option<f64>,
}

/// What only a zone's row says.
struct ZoneOnly {
    demand_points: usize,
    nearest_m_max: Option<f64>,
}

impl AccessRow {
    fn into_row(self) -> Row {
        let mut r = Row::new();
        r.insert("id".into(), Value::String(self.id));
        r.insert("population".into(), num(self.population));
        if let Some(z) = &self.zone {
            r.insert("demand_points".into(), z.demand_points.into());
        }
        r.insert(
            "nearest_id".into(),
            self.nearest_id.map_or(Value::Null, Value::String),
        );
        r.insert("nearest_m".into(), opt(self.nearest_m));
        if let Some(z) = &self.zone {
            r.insert("nearest_m_max".into(), opt(z.nearest_m_max));
        }
        if let Some(kth) = self.kth_m {
            r.insert("kth_m".into(), opt(kth));
        }
        r.insert("covered_population".into(), num(self.covered_population));
        r.insert(
            "uncovered_population".into(),
            num(self.population - self.covered_population),
        );
        r.insert("access_raw".into(), opt(self.access_raw));
        r.insert("access".into(), opt(self.access));
        r
    }
}

impl TypedAnalysis for Access {
    type Params = AccessParams;
    const NAME: &'static str = "access";
    const DESCRIPTOR: Descriptor = Descriptor {
        title: text("Akses ke layanan", "Access to services"),
        description: text(
            "Jarak ke fasilitas terdekat, cakupan layanan, serta akses 2SFCA / E2SFCA dan gravitasi per titik permintaan atau zona (seperti PySAL access)",
            "Distance to the nearest facility, coverage, 2SFCA / E2SFCA and gravity access per demand point or zone (as PySAL access)",
        ),
        columns: &[
            Col::new(
                "population",
                text("Penduduk", "Population"),
                Unit::People,
                Kind::Count,
                Better::Neutral,
            ),
            Col::new(
                "demand_points",
                text("Titik permintaan", "Demand points"),
                Unit::None,
                Kind::Count,
                Better::Neutral,
            ),
            Col::new(
                "nearest_id",
                text("Fasilitas terdekat", "Nearest facility"),
                Unit::None,
                Kind::Text,
                Better::Neutral,
            ),
            Col::new(
                "nearest_m",
                text("Jarak ke fasilitas terdekat", "Distance to the nearest facility"),
                Unit::Metres,
                Kind::Distance,
                Better::Lower,
            ),
            Col::new(
                "nearest_m_max",
                text(
                    "Jarak terjauh ke fasilitas terdekat",
                    "Longest distance to the nearest facility",
                ),
                Unit::Metres,
                Kind::Distance,
                Better::Lower,
            ),
            Col::new(
                "kth_m",
                text("Jarak ke fasilitas terdekat ke-k", "Distance to the k-th nearest facility"),
                Unit::Metres,
                Kind::Distance,
                Better::Lower,
            ),
            Col::new(
                "covered_population",
                text("Penduduk terlayani", "People covered"),
                Unit::People,
                Kind::Count,
                Better::Higher,
            ),
            Col::new(
                "uncovered_population",
                text("Penduduk tidak terlayani", "People not covered"),
                Unit::People,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "access_raw",
                text("Nilai akses", "Access value"),
                Unit::None,
                Kind::Score,
                Better::Higher,
            ),
            Col::new(
                "access",
                text("Akses (1 = rata-rata kota)", "Access (1 = city average)"),
                Unit::None,
                Kind::Score,
                Better::Higher,
            )
            .headline(),
        ],
    };

    /// 2SFCA within [`DEFAULT_RADIUS_M`] of the facilities a scenario edits (else the first
    /// with a capacity), people at the centroids of the finest zones.
    fn defaults(project: &Project, focus: &Focus) -> Result<Value> {
        Ok(serde_json::json!({
            "demand": defaults::finest_zones(project, Self::NAME)?,
            "facilities": defaults::facilities(project, focus, Self::NAME)?,
            "method": "2sfca",
            "radius_m": DEFAULT_RADIUS_M,
        }))
    }

    fn run(&self, project: &Project, p: &mut AccessParams) -> Result<Output> {
        let (demand, fac) = layers(project, p)?;
        let demand = locate_demand(project, p, demand)?;
        let zones = report_zones(project, p, &demand)?;
        let supply = locate_supply(project, p, fac)?;
        let reach = cost(project, p, &demand, &supply)?;
        let measure = resolve_method(p)?;
        let per = measure_demand(&measure, &reach, &demand, &supply)?;
        let (rows, tally) = match zones {
            None => (
                demand_rows(&demand, &supply, &reach, &per, p.k.is_some()),
                None,
            ),
            Some(zl) => {
                let (rows, tally) = zone_rows(zl, &demand, &supply, &reach, &per, p.k.is_some());
                (rows, Some(tally))
            }
        };
        let summary = summary(p.method, &demand, &supply, &reach, &per, tally.as_ref());
        let mut layers_used = vec![demand.layer.name.clone(), supply.layer.name.clone()];
        layers_used.extend(zones.map(|z| z.name.clone()));
        layers_used.extend(supply.hazard.clone());
        if let CostSource::Table(t) = &reach.source {
            layers_used.push(t.table.clone());
        }
        Ok(Output {
            summary,
            rows: rows.into_iter().map(AccessRow::into_row).collect(),
            row_layer: Some(zones.unwrap_or(demand.layer).name.clone()),
            layers_used,
        })
    }
}

/// The demand and facility layers the params name.
fn layers<'p>(project: &'p Project, p: &AccessParams) -> Result<(&'p Layer, &'p Layer)> {
    let demand = layer_param(
        project,
        Access::NAME,
        "demand",
        &p.demand,
        &[Role::Demand, Role::Zones],
        false,
    )?;
    let fac = layer_param(
        project,
        Access::NAME,
        "facilities",
        &p.facilities,
        &[Role::Facilities],
        false,
    )?;
    Ok((demand, fac))
}

/// *Locate* demand: its population (filling the default field into `p`) and locations.
fn locate_demand<'p>(
    project: &Project,
    p: &mut AccessParams,
    layer: &'p Layer,
) -> Result<Demand<'p>> {
    let field = match &p.population {
        Some(f) => f.clone(),
        None => project
            .spec(&layer.name)
            .and_then(|s| s.population.clone())
            .ok_or_else(|| {
                Error::param(
                    Access::NAME,
                    "population",
                    format!(
                        "layer '{}' names no population field; give `population`",
                        layer.name
                    ),
                )
            })?,
    };
    let (pop, missing_pop) = counts(
        Access::NAME,
        layer,
        layer.numeric_column(&field)?,
        "population",
    )?;
    p.population = Some(field);
    Ok(Demand {
        layer,
        pop,
        missing_pop,
        origins: layer.geometries.iter().map(location).collect(),
    })
}

/// The zones point demand is reported on; None when rows are the demand's own.
fn report_zones<'p>(
    project: &'p Project,
    p: &AccessParams,
    demand: &Demand,
) -> Result<Option<&'p Layer>> {
    let z = match &p.zones {
        Some(z) if *z != demand.layer.name => z,
        _ => return Ok(None),
    };
    let zl = layer_param(project, Access::NAME, "zones", z, &[Role::Zones], false)?;
    if demand
        .layer
        .geometries
        .iter()
        .flatten()
        .any(|g| GeomKind::of(g) != GeomKind::Point)
    {
        return Err(Error::param(
            Access::NAME,
            "zones",
            format!(
                "`zones` aggregates point demand, but '{}' holds polygons: leave `zones` out",
                demand.layer.name
            ),
        ));
    }
    Ok(Some(zl))
}

/// *Locate* the facilities: kind filter and capacity (filling the project's default fields
/// into `p`), locations, and those the hazard closes.
fn locate_supply<'p>(
    project: &'p Project,
    p: &mut AccessParams,
    layer: &'p Layer,
) -> Result<Supply<'p>> {
    let spec = project.spec(&layer.name);
    if p.kind_field.is_none() {
        p.kind_field = spec.and_then(|s| s.kind.clone());
    }
    let kind_ok: Vec<bool> = match &p.kind {
        None => vec![true; layer.len()],
        Some(kinds) => {
            let field = p.kind_field.as_ref().ok_or_else(|| {
                Error::param(
                    Access::NAME,
                    "kind",
                    format!(
                        "layer '{}' names no kind field; give `kind_field`",
                        layer.name
                    ),
                )
            })?;
            let col = layer.column(field)?;
            (0..layer.len())
                .map(|i| col.get(i).as_key().is_some_and(|k| kinds.contains(&k)))
                .collect()
        }
    };
    if let (None, Some(f)) = (&p.kind, &p.kind_field) {
        layer.column(f)?;
    }
    if p.capacity.is_none() {
        p.capacity = spec.and_then(|s| s.capacity.clone());
    }
    let (capacity, missing_cap) = match &p.capacity {
        Some(f) => counts(Access::NAME, layer, layer.numeric_column(f)?, "capacity")?,
        None => (vec![1.0; layer.len()], 0),
    };
    let loc: Vec<Option<Coord>> = layer.geometries.iter().map(location).collect();
    let (closed, hazard) = match &p.exclude_in_hazard {
        None => (vec![false; layer.len()], None),
        Some(h) => {
            let (closed, hz) = closed_by(project, h, &loc, &kind_ok)?;
            (closed, Some(hz))
        }
    };
    Ok(Supply {
        layer,
        kind_ok,
        closed,
        capacity,
        missing_cap,
        loc,
        hazard,
    })
}

/// Which facilities (of a kind asked for) hazard `h` closes, boundary included, and the
/// hazard layer's name.
fn closed_by(
    project: &Project,
    h: &HazardFilter,
    loc: &[Option<Coord>],
    kind_ok: &[bool],
) -> Result<(Vec<bool>, String)> {
    let hz = layer_param(
        project,
        Access::NAME,
        "exclude_in_hazard",
        h.layer(),
        &[Role::Hazard],
        false,
    )?;
    let geoms = h.geometries(hz)?;
    let index = SpatialIndex::build(&geoms);
    let closed = loc
        .iter()
        .zip(kind_ok)
        .map(|(c, k)| {
            *k && c.is_some_and(|c| point_in_polygon::locate(c, &geoms, &index).is_some())
        })
        .collect();
    Ok((closed, hz.name.clone()))
}

/// *Cost* every demand–open facility pair that matters: straight lines, or the `costs` table.
fn cost(project: &Project, p: &AccessParams, demand: &Demand, fac: &Supply) -> Result<Reachable> {
    let n = fac.layer.len();
    let (costs, open, source) = match &p.costs {
        None => {
            let open: Vec<usize> = (0..n)
                .filter(|&j| fac.open(j) && fac.loc[j].is_some())
                .collect();
            let targets: Vec<Coord> = open.iter().filter_map(|&j| fac.loc[j]).collect();
            let unlocated = (0..n)
                .filter(|&j| fac.open(j) && fac.loc[j].is_none())
                .count();
            (
                Costs::euclidean(demand.origins.clone(), targets),
                open,
                CostSource::Euclidean { unlocated },
            )
        }
        Some(t) => {
            let open: Vec<usize> = (0..n).filter(|&j| fac.open(j)).collect();
            let table = project.layers.get(&t.layer)?;
            let (rows, used) = cost_table(Access::NAME, table, t, demand.layer, fac.layer, &open)?;
            (Costs::Table(rows), open, CostSource::Table(used))
        }
    };
    Ok(Reachable {
        supply: open.iter().map(|&j| fac.capacity[j]).collect(),
        costs,
        open,
        source,
    })
}

/// *Resolve* the method's params: radius, k, the decay of `e2sfca` and the gravity weight
/// (filling their defaults into `p`). A param of another method is an error.
fn resolve_method(p: &mut AccessParams) -> Result<Measure> {
    if let Some(r) = p.radius_m {
        check_cost("radius_m", r)?;
    }
    let k = match p.k {
        Some(0) => return Err(Error::param(Access::NAME, "k", "k must be at least 1")),
        Some(k) => k,
        None => 1,
    };
    let decay = match p.method {
        Method::Enhanced => {
            let w = match p.weights.clone() {
                Some(w) => w,
                None => {
                    let r = need_radius(p.radius_m, "e2sfca without `weights`")?;
                    Weights::Steps(vec![[r / 3.0, 1.0], [2.0 * r / 3.0, 0.68], [r, 0.22]])
                }
            };
            let d = decay(&w)?;
            p.weights = Some(w);
            d
        }
        _ if p.weights.is_some() => {
            return Err(Error::param(
                Access::NAME,
                "weights",
                "weights apply to method e2sfca only",
            ))
        }
        _ => Decay::None,
    };
    let gravity = match p.method {
        Method::Gravity => {
            let g = p.gravity.clone().unwrap_or_default();
            if !(g.scale.is_finite() && g.scale > 0.0) {
                return Err(Error::param(Access::NAME, "gravity", "scale must be > 0"));
            }
            if !g.alpha.is_finite() {
                return Err(Error::param(
                    Access::NAME,
                    "gravity",
                    "alpha must be finite",
                ));
            }
            check_cost("gravity", g.min_cost)?;
            p.gravity = Some(g.clone());
            g
        }
        _ if p.gravity.is_some() => {
            return Err(Error::param(
                Access::NAME,
                "gravity",
                "gravity applies to method gravity only",
            ))
        }
        _ => GravityParams::default(),
    };
    Ok(Measure {
        method: p.method,
        radius: p.radius_m,
        k,
        decay,
        gravity,
    })
}

/// The radius, which method `what` needs.
fn need_radius(radius: Option<f64>, what: &str) -> Result<f64> {
    radius.ok_or_else(|| {
        Error::param(
            Access::NAME,
            "radius_m",
            format!("method {what} needs radius_m"),
        )
    })
}

/// The decay of weights `w`, checked: steps sorted by cost, none sharing a cost; a
/// gaussian of positive width.
fn decay(w: &Weights) -> Result<Decay> {
    match w {
        Weights::Steps(steps) => {
            if steps.is_empty() {
                return Err(Error::param(Access::NAME, "weights", "no steps given"));
            }
            for s in steps {
                check_cost("weights", s[0])?;
                if !(s[1].is_finite() && s[1] >= 0.0) {
                    return Err(Error::param(
                        Access::NAME,
                        "weights",
                        format!("weight {} must be finite and ≥ 0", s[1]),
                    ));
                }
            }
            let mut sorted = steps.clone();
            sorted.sort_by(|a, b| a[0].total_cmp(&b[0]));
            if sorted.windows(2).any(|w| w[0][0] == w[1][0]) {
                return Err(Error::param(
                    Access::NAME,
                    "weights",
                    "two steps share a max_cost",
                ));
            }
            Ok(Decay::Steps(sorted))
        }
        Weights::Gaussian(s) => {
            if !(s.is_finite() && *s > 0.0) {
                return Err(Error::param(
                    Access::NAME,
                    "weights",
                    format!("gaussian width must be > 0, not {s}"),
                ));
            }
            Ok(Decay::Gaussian(*s))
        }
    }
}

/// *Measure* every demand point: nearest (and k-th) facility and coverage, for every
/// method; the method's value; then *normalize* by the demand-weighted mean.
fn measure_demand<'d>(
    m: &Measure,
    r: &Reachable,
    d: &'d Demand,
    fac: &Supply,
) -> Result<PerDemand<'d>> {
    let near: Vec<Vec<(usize, f64)>> = (0..d.layer.len())
        .into_par_iter()
        .map(|i| r.costs.nearest(i, m.k))
        .collect();
    let nearest: Vec<Option<(usize, f64)>> = near.iter().map(|v| v.first().copied()).collect();
    let kth = near.iter().map(|v| v.get(m.k - 1).map(|x| x.1)).collect();
    let covered = nearest
        .iter()
        .map(|n| n.is_some_and(|(_, c)| m.radius.is_none_or(|r| c <= r)))
        .collect();
    let raw = match m.method {
        Method::Nearest => nearest.iter().map(|n| n.map(|x| x.1)).collect(),
        Method::Coverage => coverage(r, d.layer.len(), need_radius(m.radius, "coverage")?)?,
        Method::TwoStep | Method::Enhanced => floating_catchment(m, r, &d.pop)?,
        Method::Gravity => gravity(&m.gravity, m.radius, r, d, fac)?,
    };
    let mean_raw = weighted_mean(
        raw.iter()
            .zip(&d.pop)
            .filter_map(|(a, w)| a.map(|a| (*w, a))),
    );
    let access = raw
        .iter()
        .map(|a| match (a, mean_raw) {
            (Some(a), Some(m)) if m != 0.0 && m.is_finite() => Some(a / m),
            _ => None,
        })
        .collect();
    Ok(PerDemand {
        pop: &d.pop,
        nearest,
        kth,
        covered,
        raw,
        access,
        mean_raw,
    })
}

/// `coverage`: the capacity within `radius` of each demand point.
fn coverage(r: &Reachable, n: usize, radius: f64) -> Result<Vec<Option<f64>>> {
    let mut raw = vec![Some(0.0); n];
    each_reachable(&r.costs, n, Some(radius), |i, l| {
        raw[i] = Some(l.iter().map(|(j, _)| r.supply[*j]).sum());
        Ok::<(), Error>(())
    })?;
    Ok(raw)
}

/// `2sfca` and `e2sfca`: each facility's capacity over the (weighted) population in its
/// catchment, summed (weighted) over the facilities each demand point reaches.
fn floating_catchment(m: &Measure, r: &Reachable, pop: &[f64]) -> Result<Vec<Option<f64>>> {
    let max = match (&m.decay, m.radius) {
        (Decay::None, _) => Some(need_radius(m.radius, "2sfca")?),
        // Beyond the last step the weight is 0: no need to visit those pairs.
        (Decay::Steps(s), r) => {
            let last = s.last().map_or(0.0, |x| x[0]);
            Some(r.map_or(last, |r| r.min(last)))
        }
        (Decay::Gaussian(_), r) => r,
    };
    let n = pop.len();
    let mut weighted_demand = vec![0.0; r.open.len()];
    each_reachable(&r.costs, n, max, |i, l| {
        for (j, c) in l {
            weighted_demand[*j] += pop[i] * m.decay.weight(*c);
        }
        Ok::<(), Error>(())
    })?;
    let ratio: Vec<f64> = r
        .supply
        .iter()
        .zip(&weighted_demand)
        .map(|(s, d)| if *d > 0.0 { s / d } else { 0.0 })
        .collect();
    let mut raw = vec![Some(0.0); n];
    each_reachable(&r.costs, n, max, |i, l| {
        raw[i] = Some(l.iter().map(|(j, c)| ratio[*j] * m.decay.weight(*c)).sum());
        Ok::<(), Error>(())
    })?;
    Ok(raw)
}

/// `gravity`: capacity weighted by `(max(cost, min_cost) / scale)^alpha`, within `radius`
/// when given. An infinite weight (cost 0, alpha < 0) is an error naming the pair.
fn gravity(
    g: &GravityParams,
    radius: Option<f64>,
    r: &Reachable,
    d: &Demand,
    fac: &Supply,
) -> Result<Vec<Option<f64>>> {
    let n = d.layer.len();
    let mut raw = vec![Some(0.0); n];
    each_reachable(&r.costs, n, radius, |i, l| {
        let mut sum = 0.0;
        for (j, c) in l {
            let w = (c.max(g.min_cost) / g.scale).powf(g.alpha);
            if !w.is_finite() {
                return Err(Error::param(
                    Access::NAME,
                    "gravity",
                    format!(
                        "demand '{}' is at cost {c} from facility '{}': the weight is infinite; set min_cost",
                        d.layer.ids[i], fac.layer.ids[r.open[*j]]
                    ),
                ));
            }
            sum += r.supply[*j] * w;
        }
        raw[i] = Some(sum);
        Ok(())
    })?;
    Ok(raw)
}

/// Rows of the demand features themselves.
fn demand_rows(
    d: &Demand,
    fac: &Supply,
    r: &Reachable,
    per: &PerDemand,
    with_kth: bool,
) -> Vec<AccessRow> {
    (0..d.layer.len())
        .map(|i| AccessRow {
            id: d.layer.ids[i].clone(),
            population: per.pop[i],
            zone: None,
            nearest_id: per.nearest[i].map(|(j, _)| fac.layer.ids[r.open[j]].clone()),
            nearest_m: per.nearest[i].map(|x| x.1),
            kth_m: with_kth.then_some(per.kth[i]),
            covered_population: if per.covered[i] { per.pop[i] } else { 0.0 },
            access_raw: per.raw[i],
            access: per.access[i],
        })
        .collect()
}

/// *Aggregate* demand points to the zones they fall in: a row per zone (see the module
/// docs), and how many points fell outside every zone.
fn zone_rows(
    zl: &Layer,
    d: &Demand,
    fac: &Supply,
    r: &Reachable,
    per: &PerDemand,
    with_kth: bool,
) -> (Vec<AccessRow>, ZoneTally) {
    let zone_of = point_in_polygon::assign(&d.origins, &zl.geometries, &SpatialIndex::of(zl));
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); zl.len()];
    let (mut outside, mut outside_pop) = (0usize, 0.0);
    for (i, z) in zone_of.iter().enumerate() {
        match z {
            Some(z) => members[*z].push(i),
            None => {
                outside += 1;
                outside_pop += per.pop[i];
            }
        }
    }
    let rows = members
        .iter()
        .enumerate()
        .map(|(z, m)| {
            zone_row(&zl.ids[z], m, per, with_kth, |slot| {
                fac.layer.ids[r.open[slot]].clone()
            })
        })
        .collect();
    let tally = ZoneTally {
        zones: zl.len(),
        outside,
        outside_pop,
    };
    (rows, tally)
}

/// The largest nearest cost among `members` with people (among all of them when none has).
fn max_nearest(members: &[usize], per: &PerDemand) -> Option<f64> {
    let any_people = members.iter().any(|&i| per.pop[i] > 0.0);
    members
        .iter()
        .filter(|&&i| !any_people || per.pop[i] > 0.0)
        .filter_map(|&i| per.nearest[i].map(|x| x.1))
        .reduce(f64::max)
}

/// One zone's row from its demand points (see the module docs).
fn zone_row(
    id: &str,
    members: &[usize],
    per: &PerDemand,
    with_kth: bool,
    fac_id: impl Fn(usize) -> String,
) -> AccessRow {
    let pop: f64 = members.iter().map(|&i| per.pop[i]).sum();
    let covered: f64 = members
        .iter()
        .filter(|&&i| per.covered[i])
        .map(|&i| per.pop[i])
        .sum();
    let mean = |f: &dyn Fn(usize) -> Option<f64>| {
        weighted_mean(
            members
                .iter()
                .filter_map(|&i| f(i).map(|v| (per.pop[i], v))),
        )
    };
    // The facility nearest to the most people (the most points when nobody lives here).
    let mut served: Vec<(usize, f64, usize)> = Vec::new();
    for &i in members {
        if let Some((j, _)) = per.nearest[i] {
            match served.iter_mut().find(|s| s.0 == j) {
                Some(s) => {
                    s.1 += per.pop[i];
                    s.2 += 1;
                }
                None => served.push((j, per.pop[i], 1)),
            }
        }
    }
    served.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    AccessRow {
        id: id.to_string(),
        population: pop,
        zone: Some(ZoneOnly {
            demand_points: members.len(),
            nearest_m_max: max_nearest(members, per),
        }),
        nearest_id: served.first().map(|s| fac_id(s.0)),
        nearest_m: mean(&|i| per.nearest[i].map(|x| x.1)),
        kth_m: with_kth.then(|| mean(&|i| per.kth[i])),
        covered_population: covered,
        access_raw: mean(&|i| per.raw[i]),
        access: mean(&|i| per.access[i]),
    }
}

/// The summary: totals over all demand, the facilities open and closed, where costs came
/// from, and, with zones, the demand outside them.
fn summary(
    method: Method,
    d: &Demand,
    fac: &Supply,
    r: &Reachable,
    per: &PerDemand,
    zones: Option<&ZoneTally>,
) -> Map<String, Value> {
    let nd = d.layer.len();
    let mut s = Map::new();
    if let Some(t) = zones {
        s.insert("zones".into(), t.zones.into());
        s.insert("demand_outside_zones".into(), t.outside.into());
        s.insert("population_outside_zones".into(), num(t.outside_pop));
    }
    let total: f64 = per.pop.iter().sum();
    let covered: f64 = (0..nd)
        .filter(|&i| per.covered[i])
        .map(|i| per.pop[i])
        .sum();
    let unreachable: f64 = (0..nd)
        .filter(|&i| per.nearest[i].is_none())
        .map(|i| per.pop[i])
        .sum();
    s.insert("method".into(), method.as_str().into());
    s.insert("demand_features".into(), nd.into());
    s.insert("population".into(), num(total));
    s.insert("covered_population".into(), num(covered));
    s.insert("uncovered_population".into(), num(total - covered));
    s.insert(
        "covered_share".into(),
        if total > 0.0 {
            num(covered / total)
        } else {
            Value::Null
        },
    );
    s.insert("unreachable_population".into(), num(unreachable));
    s.insert(
        "mean_nearest_m".into(),
        opt(weighted_mean(
            (0..nd).filter_map(|i| per.nearest[i].map(|x| (per.pop[i], x.1))),
        )),
    );
    s.insert(
        "max_nearest_m".into(),
        opt(max_nearest(&(0..nd).collect::<Vec<_>>(), per)),
    );
    s.insert("mean_access_raw".into(), opt(per.mean_raw));
    s.insert("facilities_open".into(), r.open.len().into());
    s.insert(
        "facilities_closed".into(),
        fac.closed.iter().filter(|c| **c).count().into(),
    );
    s.insert(
        "closed_facilities".into(),
        Value::Array(
            (0..fac.layer.len())
                .filter(|&j| fac.closed[j])
                .map(|j| Value::String(fac.layer.ids[j].clone()))
                .collect(),
        ),
    );
    s.insert(
        "facilities_other_kind".into(),
        fac.kind_ok.iter().filter(|k| !**k).count().into(),
    );
    s.insert("total_capacity_open".into(), num(r.supply.iter().sum()));
    s.insert("demand_missing_population".into(), d.missing_pop.into());
    s.insert("facilities_missing_capacity".into(), fac.missing_cap.into());
    s.insert(
        "demand_without_location".into(),
        d.origins.iter().filter(|o| o.is_none()).count().into(),
    );
    match &r.source {
        CostSource::Euclidean { unlocated } => {
            s.insert("cost_source".into(), "euclidean".into());
            s.insert("facilities_without_location".into(), (*unlocated).into());
        }
        CostSource::Table(t) => s.append(&mut t.summary()),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::{ints, rect, spec, text};
    use crate::analysis::AnalysisResult;
    use crate::crs::Crs;
    use crate::layer::{Column, Layer, Value as Cell};
    use geo::{point, Geometry};
    use serde_json::json;

    fn pt(x: f64, y: f64) -> Option<Geometry> {
        Some(point!(x: x, y: y).into())
    }

    fn f(v: &Value) -> f64 {
        v.as_f64().unwrap_or(f64::NAN)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    /// Three demand points on a line, d1 (0,0) 100 people, d2 (10,0) 50, d3 (30,0) 0;
    /// facilities F1 (0,0) capacity 2, F2 (20,0) capacity 1, F3 (100,0) capacity 5 and kind
    /// "rs". Two zones side by side: A = [−5,15]×[−5,5] holds d1, d2; B = [15,35]×[−5,5] d3.
    /// Hazard H = [95,105]² around F3.
    fn project() -> Project {
        let c = Crs::Epsg(32651);
        let mut d = Layer::new(
            "d",
            Role::Demand,
            Some(c.clone()),
            vec![pt(0.0, 0.0), pt(10.0, 0.0), pt(30.0, 0.0)],
            vec![
                text("kode", &["d1", "d2", "d3"]),
                ints("jiwa", &[100, 50, 0]),
            ],
        )
        .expect("d");
        d.set_id_field("kode").expect("id");
        let mut fl = Layer::new(
            "f",
            Role::Facilities,
            Some(c.clone()),
            vec![pt(0.0, 0.0), pt(20.0, 0.0), pt(100.0, 0.0)],
            vec![
                text("kode", &["F1", "F2", "F3"]),
                text("jenis", &["pkm", "pkm", "rs"]),
                ints("kap", &[2, 1, 5]),
            ],
        )
        .expect("f");
        fl.set_id_field("kode").expect("id");
        let mut z = Layer::new(
            "z",
            Role::Zones,
            Some(c.clone()),
            vec![rect(-5.0, -5.0, 20.0, 10.0), rect(15.0, -5.0, 20.0, 10.0)],
            vec![text("kode", &["A", "B"]), ints("penduduk", &[150, 0])],
        )
        .expect("z");
        z.set_id_field("kode").expect("id");
        let h = Layer::new(
            "h",
            Role::Hazard,
            Some(c.clone()),
            vec![rect(95.0, -5.0, 10.0, 10.0)],
            vec![text("kelas", &["tinggi"])],
        )
        .expect("h");
        let mut ds = spec("d", "demand");
        ds.population = Some("jiwa".into());
        let mut fs = spec("f", "facilities");
        fs.kind = Some("jenis".into());
        fs.capacity = Some("kap".into());
        let mut zs = spec("z", "zones");
        zs.population = Some("penduduk".into());
        Project::from_layers(
            "t",
            c,
            vec![(ds, d), (fs, fl), (zs, z), (spec("h", "hazard"), h)],
        )
        .expect("p")
    }

    fn run(p: &Project, params: Value) -> AnalysisResult {
        super::super::run(p, "access", params).unwrap_or_else(|e| panic!("{e}"))
    }

    fn col(r: &AnalysisResult, name: &str) -> Vec<f64> {
        r.rows.iter().map(|row| f(&row[name])).collect()
    }

    #[test]
    fn nearest_and_kth_by_hand() {
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "k": 2, "radius_m": 10}),
        );
        assert_eq!(r.rows.len(), 3);
        assert_eq!(col(&r, "nearest_m"), vec![0.0, 10.0, 10.0]);
        assert_eq!(col(&r, "kth_m"), vec![20.0, 10.0, 30.0]);
        // d2 is 10 from both F1 and F2: the tie goes to the first in the layer.
        let ids: Vec<&Value> = r.rows.iter().map(|r| &r["nearest_id"]).collect();
        assert_eq!(ids, vec!["F1", "F1", "F2"]);
        // Within 10 (inclusive) everyone is covered.
        assert_eq!(col(&r, "covered_population"), vec![100.0, 50.0, 0.0]);
        assert_eq!(r.summary["uncovered_population"], 0.0);
        // access_raw of nearest is the distance; normalized by (100·0 + 50·10)/150.
        assert!(close(f(&r.rows[1]["access"]), 3.0));
        assert!(close(f(&r.summary["mean_nearest_m"]), 10.0 / 3.0));
        assert_eq!(r.summary["max_nearest_m"], 10.0);
        assert_eq!(r.summary["facilities_open"], 3);
        assert_eq!(r.params["capacity"], "kap");
        assert_eq!(r.params["population"], "jiwa");
    }

    #[test]
    fn coverage_and_invariants() {
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "method": "coverage", "radius_m": 9.99}),
        );
        // d1 reaches F1 (cap 2); d2 at 10 from F1 and F2 reaches nothing; d3 nothing.
        assert_eq!(col(&r, "access_raw"), vec![2.0, 0.0, 0.0]);
        assert_eq!(col(&r, "covered_population"), vec![100.0, 0.0, 0.0]);
        assert_eq!(r.summary["covered_population"], 100.0);
        assert_eq!(r.summary["uncovered_population"], 50.0);
        for row in &r.rows {
            assert_eq!(
                f(&row["covered_population"]) + f(&row["uncovered_population"]),
                f(&row["population"])
            );
        }
        // Mean 2·100/150 = 4/3; d1's access = 2 / (4/3) = 1.5.
        assert!(close(f(&r.rows[0]["access"]), 1.5));
    }

    #[test]
    fn two_step_by_hand() {
        // r = 10: F1 serves d1, d2 (150 people) → R = 2/150; F2 serves d2, d3 (50) → R = 1/50.
        // A(d1) = 2/150, A(d2) = 2/150 + 1/50 = 5/150, A(d3) = 1/50 = 3/150.
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "method": "2sfca", "radius_m": 10}),
        );
        let raw = col(&r, "access_raw");
        for (got, want) in raw.iter().zip([2.0 / 150.0, 5.0 / 150.0, 3.0 / 150.0]) {
            assert!(close(*got, want), "{got} vs {want}");
        }
        // Demand-weighted mean: (100·2 + 50·5)/150/150 = 3/150 → access = raw/(3/150).
        let acc = col(&r, "access");
        for (got, want) in acc.iter().zip([2.0 / 3.0, 5.0 / 3.0, 1.0]) {
            assert!(close(*got, want), "{got} vs {want}");
        }
        // Supply is conserved: Σ P·A = total capacity reached (F1 and F2: 3).
        let total: f64 = [100.0, 50.0, 0.0]
            .iter()
            .zip(&raw)
            .map(|(p, a)| p * a)
            .sum();
        assert!(close(total, 3.0));
    }

    #[test]
    fn e2sfca_steps_and_gaussian_by_hand() {
        // Steps ≤5 → 1, ≤10 → 0.5. F1: d1·1 + d2·0.5 = 125 → R = 2/125; F2: d2·0.5 + d3·0.5
        // = 25 → R = 1/25. A(d1) = 2/125; A(d2) = 0.5·2/125 + 0.5/25; A(d3) = 0.5/25.
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "method": "e2sfca", "weights": {"steps": [[10, 0.5], [5, 1]]}}),
        );
        let raw = col(&r, "access_raw");
        for (got, want) in raw
            .iter()
            .zip([2.0 / 125.0, 1.0 / 125.0 + 0.5 / 25.0, 0.5 / 25.0])
        {
            assert!(close(*got, want), "{got} vs {want}");
        }
        // Default steps: radius 30 → [10, 1], [20, 0.68], [30, 0.22], resolved into params.
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "method": "e2sfca", "radius_m": 30}),
        );
        assert_eq!(
            r.params["weights"],
            json!({"steps": [[10.0, 1.0], [20.0, 0.68], [30.0, 0.22]]})
        );
        // Gaussian σ = 10, no cut-off: every pair counts, F3 too.
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "method": "e2sfca", "weights": {"gaussian": 10}}),
        );
        let w = |c: f64| (-c * c / 200.0).exp();
        let pops = [100.0, 50.0, 0.0];
        let dx: [f64; 3] = [0.0, 10.0, 30.0];
        let fx: [(f64, f64); 3] = [(0.0, 2.0), (20.0, 1.0), (100.0, 5.0)];
        let ratio: Vec<f64> = fx
            .iter()
            .map(|(x, s)| s / (0..3).map(|i| pops[i] * w((dx[i] - x).abs())).sum::<f64>())
            .collect();
        for (row, x) in r.rows.iter().zip(dx) {
            let want: f64 = fx
                .iter()
                .zip(&ratio)
                .map(|((fxj, _), rj)| rj * w((x - fxj).abs()))
                .sum();
            assert!(close(f(&row["access_raw"]), want));
        }
    }

    #[test]
    fn gravity_by_hand_and_zero_cost() {
        // scale 10, alpha −1, min_cost 5: d2 → F1 (10): 2·1, F2 (10): 1·1, F3 (90): 5/9.
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "method": "gravity", "gravity": {"scale": 10, "alpha": -1, "min_cost": 5}}),
        );
        assert!(close(f(&r.rows[1]["access_raw"]), 3.0 + 5.0 / 9.0));
        // d1 is at F1: cost 0 → min_cost 5 → 2·2.
        assert!(close(
            f(&r.rows[0]["access_raw"]),
            4.0 + 1.0 / 2.0 + 5.0 / 10.0
        ));
        // Without min_cost, cost 0 with alpha < 0 is infinite: an error, not a silent inf.
        let e = super::super::run(
            &project(),
            "access",
            json!({"demand": "d", "facilities": "f", "method": "gravity"}),
        )
        .expect_err("inf");
        assert!(e.to_string().contains("min_cost"), "{e}");
    }

    #[test]
    fn kind_filter_and_hazard_closure() {
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "kind": ["rs"]}),
        );
        assert_eq!(r.summary["facilities_open"], 1);
        assert_eq!(r.summary["facilities_other_kind"], 2);
        assert_eq!(col(&r, "nearest_m"), vec![100.0, 90.0, 70.0]);
        assert_eq!(r.params["kind_field"], "jenis");
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "kind": ["rs"], "exclude_in_hazard": "h"}),
        );
        assert_eq!(r.summary["facilities_open"], 0);
        assert_eq!(r.summary["closed_facilities"], json!(["F3"]));
        assert_eq!(r.rows[0]["nearest_id"], Value::Null);
        assert_eq!(r.rows[0]["nearest_m"], Value::Null);
        assert_eq!(r.summary["uncovered_population"], 150.0);
        assert_eq!(r.summary["unreachable_population"], 150.0);
        // A class filter that names no polygon closes nothing.
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "exclude_in_hazard": {"layer": "h", "field": "kelas", "values": ["rendah"]}}),
        );
        assert_eq!(r.summary["facilities_closed"], 0);
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "exclude_in_hazard": {"layer": "h", "field": "kelas", "values": ["tinggi"]}}),
        );
        assert_eq!(r.summary["closed_facilities"], json!(["F3"]));
    }

    #[test]
    fn zones_aggregate_population_weighted() {
        let r = run(
            &project(),
            json!({"demand": "d", "facilities": "f", "method": "2sfca", "radius_m": 10, "zones": "z"}),
        );
        assert_eq!(r.meta.row_layer.as_deref(), Some("z"));
        let (a, b) = (&r.rows[0], &r.rows[1]);
        assert_eq!(a["population"], 150.0);
        assert_eq!(a["demand_points"], 2);
        // A: (100·2/150 + 50·5/150) / 150 = 3/150; B has nobody: the plain mean of d3.
        assert!(close(f(&a["access_raw"]), 3.0 / 150.0));
        assert!(close(f(&a["access"]), 1.0));
        assert!(close(f(&b["access_raw"]), 3.0 / 150.0));
        assert!(close(f(&a["nearest_m"]), 50.0 * 10.0 / 150.0));
        assert_eq!(a["nearest_m_max"], 10.0);
        assert_eq!(a["nearest_id"], "F1");
        assert_eq!(b["nearest_id"], "F2");
        assert_eq!(b["population"], 0.0);
        assert_eq!(r.summary["demand_outside_zones"], 0);
    }

    #[test]
    fn zones_as_demand_use_centroids() {
        // Zone A's centroid is (5, 0), B's (25, 0): nearest F1 at 5, F2 at 5.
        let r = run(&project(), json!({"demand": "z", "facilities": "f"}));
        assert_eq!(r.meta.row_layer.as_deref(), Some("z"));
        assert_eq!(col(&r, "nearest_m"), vec![5.0, 5.0]);
        assert_eq!(r.params["population"], "penduduk");
        // Same layer as zones: no aggregation (a different zone layer over polygon demand is
        // an error: tests/analyses_access.rs).
        let same = run(
            &project(),
            json!({"demand": "z", "facilities": "f", "zones": "z"}),
        );
        assert_eq!(same.rows, r.rows);
    }

    #[test]
    fn cost_table_equals_euclidean_and_skips_what_it_cannot_use() {
        let mut p = project();
        let (o, d, c): (Vec<&str>, Vec<&str>, Vec<f64>) = (
            vec![
                "d1", "d1", "d1", "d2", "d2", "d2", "d3", "d3", "d3", "dX", "d1",
            ],
            vec![
                "F1", "F2", "F3", "F1", "F2", "F3", "F1", "F2", "F3", "F1", "FX",
            ],
            vec![
                0.0, 20.0, 100.0, 10.0, 10.0, 90.0, 30.0, 10.0, 70.0, 1.0, 1.0,
            ],
        );
        let od = Layer::new(
            "od",
            Role::Table,
            None,
            vec![None; o.len()],
            vec![
                text("asal", &o),
                text("tujuan", &d),
                Column::from_values("menit", c.into_iter().map(Cell::Float).collect()),
            ],
        )
        .expect("od");
        p.layers.insert(od);
        let costs =
            json!({"layer": "od", "origin": "asal", "destination": "tujuan", "cost": "menit"});
        for method in [
            json!({"method": "2sfca", "radius_m": 10}),
            json!({"method": "e2sfca", "weights": {"gaussian": 10}}),
            json!({"method": "coverage", "radius_m": 10, "k": 2}),
            json!({"method": "gravity", "gravity": {"min_cost": 1}}),
        ] {
            let mut a = json!({"demand": "d", "facilities": "f"});
            let mut b = json!({"demand": "d", "facilities": "f", "costs": costs});
            for (k, v) in method.as_object().expect("obj") {
                a[k] = v.clone();
                b[k] = v.clone();
            }
            let (ra, rb) = (run(&p, a), run(&p, b));
            for (x, y) in ra.rows.iter().zip(&rb.rows) {
                for key in ["nearest_id", "covered_population"] {
                    assert_eq!(x[key], y[key], "{method}");
                }
                for key in ["nearest_m", "access_raw", "access"] {
                    assert!(close(f(&x[key]), f(&y[key])), "{method} {key}");
                }
            }
            assert_eq!(rb.summary["cost_rows_unmatched"], 2);
            assert_eq!(rb.summary["cost_rows_used"], 9);
        }
        // A repeated pair, a negative cost, a missing field: errors naming `costs`.
        let dup = Layer::new(
            "dup",
            Role::Table,
            None,
            vec![None; 2],
            vec![
                text("asal", &["d1", "d1"]),
                text("tujuan", &["F1", "F1"]),
                ints("menit", &[1, 2]),
            ],
        )
        .expect("dup");
        p.layers.insert(dup);
        let e = super::super::run(&p, "access", json!({"demand": "d", "facilities": "f", "costs": {"layer": "dup", "origin": "asal", "destination": "tujuan", "cost": "menit"}})).expect_err("dup");
        assert!(e.to_string().contains("more than once"), "{e}");
        let e = super::super::run(&p, "access", json!({"demand": "d", "facilities": "f", "costs": {"layer": "od", "origin": "asal", "destination": "nope", "cost": "menit"}})).expect_err("field");
        assert!(matches!(e, Error::UnknownField { .. }), "{e}");
        let e = super::super::run(&p, "access", json!({"demand": "d", "facilities": "f", "costs": {"layer": "od", "origin": "asal", "cost": "menit"}})).expect_err("missing");
        assert!(e.to_string().contains("destination"), "{e}");
    }

    #[test]
    fn pysal_reference_f_grid() {
        // pysal/access test_floating_catchment_area: a 5×5 unit grid of facilities (value 1),
        // 5 of its cells as demand (value 1), euclidean costs. Catchment 0.9 → 2SFCA = 1;
        // a catchment holding everything (PySAL: no max_cost) → 25/5 = 5.
        let c = Crs::Epsg(32651);
        let grid: Vec<Option<Geometry>> = (0..25)
            .map(|i| pt((i / 5) as f64, (i % 5) as f64))
            .collect();
        let fl =
            Layer::new("g", Role::Facilities, Some(c.clone()), grid.clone(), vec![]).expect("g");
        let picks = [3usize, 7, 12, 18, 24];
        let d = Layer::new(
            "d",
            Role::Demand,
            Some(c.clone()),
            picks.iter().map(|&i| grid[i].clone()).collect(),
            vec![ints("v", &[1; 5])],
        )
        .expect("d");
        let p = Project::from_layers(
            "f",
            c,
            vec![(spec("g", "facilities"), fl), (spec("d", "demand"), d)],
        )
        .expect("p");
        for (radius, want) in [(0.9, 1.0), (100.0, 5.0)] {
            let r = run(
                &p,
                json!({"demand": "d", "population": "v", "facilities": "g", "method": "2sfca", "radius_m": radius}),
            );
            assert!(
                col(&r, "access_raw").iter().all(|a| close(*a, want)),
                "{radius}"
            );
            assert!(col(&r, "access").iter().all(|a| close(*a, 1.0)));
        }
        let e = super::super::run(&p, "access", json!({"demand": "d", "population": "v", "facilities": "g", "method": "2sfca", "radius_m": -1}))
            .expect_err("negative");
        assert!(e.to_string().contains("radius_m"), "{e}");
    }

    #[test]
    fn empty_inputs_and_zero_population() {
        let mut p = project();
        let c = Crs::Epsg(32651);
        p.layers.insert(
            Layer::new("nf", Role::Facilities, Some(c.clone()), vec![], vec![]).expect("nf"),
        );
        // No facilities: everyone unreachable, 2SFCA 0, access undefined (null), no panic.
        let r = run(
            &p,
            json!({"demand": "d", "facilities": "nf", "method": "2sfca", "radius_m": 10}),
        );
        assert_eq!(col(&r, "access_raw"), vec![0.0, 0.0, 0.0]);
        assert!(r.rows.iter().all(|row| row["access"].is_null()));
        assert_eq!(r.summary["uncovered_population"], 150.0);
        assert_eq!(r.summary["mean_access_raw"], 0.0);
        // No demand: no rows, zero totals.
        p.layers.insert(
            Layer::new(
                "nd",
                Role::Demand,
                Some(c.clone()),
                vec![],
                vec![Column {
                    name: "jiwa".into(),
                    data: crate::layer::ColumnData::Int(vec![]),
                }],
            )
            .expect("nd"),
        );
        let r = run(
            &p,
            json!({"demand": "nd", "population": "jiwa", "facilities": "f", "method": "2sfca", "radius_m": 10}),
        );
        assert!(r.rows.is_empty());
        assert_eq!(r.summary["population"], 0.0);
        assert_eq!(r.summary["covered_share"], Value::Null);
        assert_eq!(r.summary["mean_access_raw"], Value::Null);
        // Zero population everywhere: facilities serve no one (R = 0, not S/0 = inf), and
        // the means fall back to plain means.
        p.layers.insert(
            Layer::new(
                "zp",
                Role::Demand,
                Some(c),
                vec![pt(0.0, 0.0), pt(10.0, 0.0)],
                vec![ints("jiwa", &[0, 0])],
            )
            .expect("zp"),
        );
        let r = run(
            &p,
            json!({"demand": "zp", "population": "jiwa", "facilities": "f", "method": "2sfca", "radius_m": 10}),
        );
        assert_eq!(col(&r, "access_raw"), vec![0.0, 0.0]);
        assert!(r.rows.iter().all(|row| row["access"].is_null()));
        assert_eq!(r.summary["mean_nearest_m"], 5.0);
        let r = run(
            &p,
            json!({"demand": "zp", "population": "jiwa", "facilities": "f", "method": "coverage", "radius_m": 10}),
        );
        // Plain mean of raw (2 + 3)/2 = 2.5.
        assert_eq!(col(&r, "access"), vec![2.0 / 2.5, 3.0 / 2.5]);
    }

    #[test]
    fn bad_params_name_the_param() {
        let p = project();
        let err = |params: Value| {
            super::super::run(&p, "access", params)
                .expect_err("bad")
                .to_string()
        };
        assert!(err(json!({"demand": "nope", "facilities": "f"})).contains("unknown layer 'nope'"));
        assert!(err(json!({"demand": "h", "facilities": "f"})).contains("parameter 'demand'"));
        assert!(err(json!({"demand": "d", "facilities": "d"})).contains("parameter 'facilities'"));
        assert!(
            err(json!({"demand": "d", "population": "x", "facilities": "f"}))
                .contains("no field 'x'")
        );
        assert!(
            err(json!({"demand": "d", "facilities": "f", "capacity": "jenis"}))
                .contains("expected a number")
        );
        assert!(
            err(json!({"demand": "d", "facilities": "f", "method": "2sfca"})).contains("radius_m")
        );
        assert!(
            err(json!({"demand": "d", "facilities": "f", "method": "coverage"}))
                .contains("radius_m")
        );
        assert!(
            err(json!({"demand": "d", "facilities": "f", "method": "3sfca"}))
                .contains("parameter 'method'")
        );
        assert!(err(json!({"demand": "d", "facilities": "f", "k": 0})).contains("parameter 'k'"));
        assert!(
            err(json!({"demand": "d", "facilities": "f", "weights": {"gaussian": 1}}))
                .contains("e2sfca only")
        );
        assert!(err(json!({"demand": "d", "facilities": "f", "method": "e2sfca", "weights": {"gaussian": 0}}))
            .contains("parameter 'weights'"));
        assert!(err(json!({"demand": "d", "facilities": "f", "method": "e2sfca", "weights": {"steps": [[1, 1], [1, 0.5]]}}))
            .contains("share"));
        assert!(err(json!({"demand": "d", "facilities": "f", "zones": "h"}))
            .contains("parameter 'zones'"));
        assert!(
            err(json!({"demand": "z", "facilities": "f", "zones": "z2"})).contains("unknown layer")
        );
        assert!(
            err(json!({"demand": "d", "facilities": "f", "exclude_in_hazard": "z"}))
                .contains("parameter 'exclude_in_hazard'")
        );
        assert!(
            err(json!({"demand": "d", "facilities": "f", "radius": 5})).contains("unknown field")
        );
        assert!(err(
            json!({"demand": "d", "facilities": "f", "kind": ["x"], "kind_field": "nope"})
        )
        .contains("no field 'nope'"));
    }

    #[test]
    fn negative_population_is_an_error() {
        let mut p = project();
        p.layers.insert(
            Layer::new(
                "neg",
                Role::Demand,
                Some(Crs::Epsg(32651)),
                vec![pt(0.0, 0.0)],
                vec![ints("jiwa", &[-3])],
            )
            .expect("neg"),
        );
        let e = super::super::run(
            &p,
            "access",
            json!({"demand": "neg", "population": "jiwa", "facilities": "f"}),
        )
        .expect_err("neg");
        assert!(e.to_string().contains("parameter 'population'"), "{e}");
    }
}
