//! `locate`: where to build. Facility location models with PySAL spopt's semantics, solved
//! exactly with HiGHS (or by greedy + interchange with an honest bound when too large):
//! - `lscp`: fewest sites covering every demand point within `radius_m`;
//! - `mclp`: the most weight covered within `radius_m` with `p` new sites (and/or `budget`);
//! - `pmedian`: the least weighted total cost with `p` new sites;
//! - `pcenter`: the least maximum cost with `p` new sites.
//!
//! Demand stands at its points (polygons at their centroid, as in `access`); sites are the
//! `candidates` layer's points or a `grid` over buildable land, without those in the hazard
//! of `exclude_hazard`, plus the `existing` facilities, which stay open and do not count in
//! `p`. Costs are euclidean distances in the working CRS, or a `costs` table (origin = demand
//! id, destination = site id; missing pairs are out of reach). `capacity` (a field of the
//! candidates and existing sites) makes the models capacitated, the demand quantity being
//! the weight; `site_cost` + `budget` limit the total cost of the new sites.
//!
//! Summary figures follow spopt: `uncovered_count` counts demand points (unweighted), so
//! `covered_share` = spopt's `perc_cov / 100`; p-median's `mean_distance` = objective / Σ
//! weight (spopt's `mean_dist`). A demand point is covered when its site is within
//! `radius_m` (without `radius_m`, when it has a site). Rows: one per demand point
//! (`kind` = "demand"), per open site ("site") and, with `zones`, per zone ("zone") with
//! the coverage before (existing sites only) and after.
//!
//! Stages of [`Locate`]'s run: *check* the params → demand *weights* → *sites* (existing,
//! then candidates or grid, outside the hazard) → *costs* (euclidean or the table) →
//! *solve* ([`models::solve`]) → *cover* before and after → summary and rows.

pub mod heuristic;
pub mod models;

use super::descriptor::{text, Better, Category, Column, Descriptor, Kind as ColumnKind, Unit};
use super::inputs::{cost_table, counts, weights_from, CostTable, HazardFilter, Taken};
use super::{layer_param, num, Output, Row, TypedAnalysis};
use crate::error::{Error, Result};
use crate::kernels::costs::location;
use crate::kernels::point_in_polygon;
use crate::layer::{Column as LayerColumn, Layer, Role, Value as Cell};
use crate::project::Project;
use crate::rtree::{PointIndex, SpatialIndex};
use geo::{Coord, Geometry, Point};
use models::{Instance, Kind, Method, Plan, Spec};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::Duration;

/// The `locate` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Locate;

/// The location model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModelName {
    /// Location set covering (spopt `LSCP`).
    Lscp,
    /// Maximal covering (spopt `MCLP`).
    Mclp,
    /// p-median (spopt `PMedian`).
    Pmedian,
    /// p-center (spopt `PCenter`).
    Pcenter,
}

impl ModelName {
    fn kind(self) -> Kind {
        match self {
            ModelName::Lscp => Kind::Lscp,
            ModelName::Mclp => Kind::Mclp,
            ModelName::Pmedian => Kind::PMedian,
            ModelName::Pcenter => Kind::PCenter,
        }
    }
}

/// How to solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SolveMethod {
    /// HiGHS when the model is small enough, else the heuristic (with HiGHS's bound when
    /// it can build the model).
    #[default]
    Auto,
    /// HiGHS up to the time limit.
    Exact,
    /// Greedy + interchange with a Lagrangian / trivial bound.
    Heuristic,
}

/// Candidate sites generated on a grid.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GridParams {
    /// Grid spacing in metres.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jarak antartitik grid (m)", "en": "Grid spacing (m)"},
        "x-tepat-help" = {"id": "Jarak antara titik-titik calon lokasi pada grid, dalam meter."}
    ))]
    pub spacing_m: f64,
    /// Polygons of buildable land: cell centres inside them become candidates (default: the
    /// `zones` layer, else the `demand` layer when it holds polygons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Lahan yang bisa dibangun", "en": "Buildable land"},
        "x-tepat-help" = {"id": "Poligon lahan yang bisa dibangun: titik grid di dalamnya menjadi calon lokasi (bawaan: lapisan `zones`, atau lapisan permintaan bila berupa poligon)."},
        "x-tepat-layer" = {"roles": ["zones", "context", "demand", "hazard"], "geometry": ["polygon"]}
    ))]
    pub within: Option<String>,
}

/// Demand weights taken from another analysis' rows (keyed by the demand layer's ids).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightFrom {
    /// The analysis to run (e.g. `exposure`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Analisis", "en": "Analysis"},
        "x-tepat-help" = {"id": "Analisis yang dijalankan untuk mendapatkan bobot (mis. `exposure`)."}
    ))]
    pub analysis: String,
    /// Its params.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Parameter analisis", "en": "Analysis params"},
        "x-tepat-help" = {"id": "Parameter analisis tersebut."}
    ))]
    pub params: Value,
    /// The numeric column of its rows to use as the weight.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom bobot", "en": "Weight column"},
        "x-tepat-help" = {"id": "Kolom numerik hasil analisis itu yang dipakai sebagai bobot permintaan."},
        "x-tepat-column" = {"analysis": "analysis"}
    ))]
    pub field: String,
}

/// Params of `locate`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocateParams {
    /// `lscp`, `mclp`, `pmedian` or `pcenter`.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Model lokasi", "en": "Location model"},
        "x-tepat-help" = {"id": "`lscp`: lokasi sesedikit mungkin yang menjangkau semua permintaan; `mclp`: permintaan terbanyak yang terjangkau dengan `p` lokasi baru; `pmedian`: total jarak tertimbang terkecil; `pcenter`: jarak terjauh sekecil mungkin."}
    ))]
    pub model: ModelName,
    /// Demand: a `demand` point layer or zones (at their centroid).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Permintaan (penduduk)", "en": "Demand"},
        "x-tepat-help" = {"id": "Lokasi permintaan: lapisan titik `demand`, atau zona (diambil titik tengahnya)."},
        "x-tepat-layer" = {"roles": ["demand", "zones"], "geometry": ["point", "polygon"]}
    ))]
    pub demand: String,
    /// Weight field of `demand` (default: the layer's `population`, else 1 per point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom bobot", "en": "Weight field"},
        "x-tepat-help" = {"id": "Kolom bobot pada lapisan permintaan (bawaan: kolom `population` lapisan itu, atau 1 per titik)."},
        "x-tepat-field" = {"of": "demand", "types": ["int", "float"]}
    ))]
    pub weight: Option<String>,
    /// Weight from another analysis' rows instead of a field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bobot dari analisis lain", "en": "Weight from another analysis"},
        "x-tepat-help" = {"id": "Bobot diambil dari kolom hasil analisis lain (mis. penduduk terpapar banjir), sebagai ganti kolom lapisan."}
    ))]
    pub weight_from: Option<WeightFrom>,
    /// Candidate site layer (points; polygons at their centroid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Calon lokasi", "en": "Candidate sites"},
        "x-tepat-help" = {"id": "Lapisan calon lokasi (titik; poligon diambil titik tengahnya), mis. lahan milik pemda."},
        "x-tepat-layer" = {"roles": ["facilities", "demand", "zones", "context"], "geometry": ["point", "polygon"]}
    ))]
    pub candidates: Option<String>,
    /// Generated candidate sites instead of a layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Grid calon lokasi", "en": "Candidate grid"},
        "x-tepat-help" = {"id": "Calon lokasi dibuat sebagai grid titik, sebagai ganti lapisan calon lokasi."}
    ))]
    pub grid: Option<GridParams>,
    /// Hazard layer (or `{"layer", "field", "values"}`): candidates inside it are dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Hindari kawasan bahaya", "en": "Avoid hazard area"},
        "x-tepat-help" = {"id": "Lapisan bahaya (atau `{\"layer\", \"field\", \"values\"}` untuk kelas tertentu): calon lokasi di dalamnya tidak dipakai."},
        "x-tepat-layer" = {"roles": ["hazard"], "geometry": ["polygon"]}
    ))]
    pub exclude_hazard: Option<HazardFilter>,
    /// Facilities that stay open (they do not count in `p` and cost nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Fasilitas yang sudah ada", "en": "Existing facilities"},
        "x-tepat-help" = {"id": "Fasilitas yang tetap buka; tidak dihitung dalam `p` dan tanpa biaya."},
        "x-tepat-layer" = {"roles": ["facilities"], "geometry": ["point"]}
    ))]
    pub existing: Option<String>,
    /// Service radius in cost units (metres for euclidean costs): needed by `lscp` and
    /// `mclp`; for the others it only defines what counts as covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Radius layanan (m)", "en": "Service radius (m)"},
        "x-tepat-help" = {"id": "Radius layanan dalam satuan biaya (meter untuk jarak garis lurus): wajib untuk `lscp` dan `mclp`; untuk model lain hanya menentukan apa yang dihitung terjangkau."}
    ))]
    pub radius_m: Option<f64>,
    /// Number of new sites to open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah lokasi baru", "en": "New sites"},
        "x-tepat-help" = {"id": "Jumlah lokasi baru yang akan dibuka."}
    ))]
    pub p: Option<usize>,
    /// Budget for the new sites' `site_cost` (rupiah).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Anggaran (Rp)", "en": "Budget (Rp)"},
        "x-tepat-help" = {"id": "Anggaran untuk biaya pembangunan lokasi baru (`site_cost`), dalam rupiah."}
    ))]
    pub budget: Option<f64>,
    /// Field of the candidates holding the cost of opening each site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom biaya lokasi", "en": "Site cost field"},
        "x-tepat-help" = {"id": "Kolom pada calon lokasi yang memuat biaya membuka tiap lokasi."},
        "x-tepat-field" = {"of": "candidates", "types": ["int", "float"]}
    ))]
    pub site_cost: Option<String>,
    /// Capacity field (of the candidates, and of `existing`): capacitated models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom kapasitas", "en": "Capacity field"},
        "x-tepat-help" = {"id": "Kolom kapasitas (pada calon lokasi dan fasilitas yang sudah ada): tiap lokasi melayani paling banyak sebesar kapasitasnya."},
        "x-tepat-field" = {"of": "candidates", "types": ["int", "float"]}
    ))]
    pub capacity: Option<String>,
    /// Costs from a table `{"layer", "origin", "destination", "cost"}` (origin = demand id,
    /// destination = site id) instead of euclidean distances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Tabel biaya perjalanan", "en": "Travel cost table"},
        "x-tepat-help" = {"id": "Biaya dari tabel asal–tujuan (asal = id permintaan, tujuan = id lokasi), sebagai ganti jarak garis lurus."}
    ))]
    pub costs: Option<CostTable>,
    /// Zone layer for before/after rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Zona ringkasan", "en": "Summary zones"},
        "x-tepat-help" = {"id": "Lapisan zona untuk baris sebelum/sesudah per zona (mis. `kecamatan`)."},
        "x-tepat-layer" = {"roles": ["zones"], "geometry": ["polygon"]}
    ))]
    pub zones: Option<String>,
    /// `auto`, `exact` or `heuristic`.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Cara penyelesaian", "en": "Solve method"},
        "x-tepat-help" = {"id": "`auto` (bawaan): solusi eksak bila model cukup kecil, selain itu heuristik; `exact`: selalu eksak (HiGHS); `heuristic`: greedy + pertukaran, dengan batas mutu."}
    ))]
    pub method: SolveMethod,
    /// Time limit of the solver, seconds.
    #[serde(default = "default_time_limit")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Batas waktu (detik)", "en": "Time limit (s)"},
        "x-tepat-help" = {"id": "Batas waktu pencarian solusi, dalam detik."}
    ))]
    pub time_limit_s: f64,
}

fn default_time_limit() -> f64 {
    60.0
}

/// Largest number of generated grid candidates.
const MAX_GRID: usize = 50_000;

fn err(param: &str, message: impl Into<String>) -> Error {
    Error::param(Locate::NAME, param, message)
}

/// The polygons of a hazard filter (non-matching classes → None).
fn hazard_geoms(project: &Project, h: &HazardFilter) -> Result<(String, Vec<Option<Geometry>>)> {
    let hz = layer_param(
        project,
        Locate::NAME,
        "exclude_hazard",
        h.layer(),
        &[Role::Hazard],
        false,
    )?;
    let geoms = h.geometries(hz)?;
    Ok((hz.name.clone(), geoms))
}

fn numeric_values(layer: &Layer, field: &str, param: &str) -> Result<Vec<f64>> {
    let (v, _) = counts(Locate::NAME, layer, layer.numeric_column(field)?, param)?;
    Ok(v)
}

/// What each row kind means: the values of the `kind` column.
const ROW_KINDS: &[Category] = &[
    Category {
        value: "demand",
        label: text("Titik permintaan", "Demand point"),
    },
    Category {
        value: "site",
        label: text("Lokasi layanan", "Service site"),
    },
    Category {
        value: "zone",
        label: text("Zona (sebelum/sesudah)", "Zone (before/after)"),
    },
];

/// The columns of the three row kinds: demand points, open sites and, with `zones`, zones.
/// Distances are in cost units: metres unless `costs` gives a table.
const COLUMNS: &[Column] = &[
    Column::new(
        "kind",
        text("Jenis baris", "Row kind"),
        Unit::None,
        ColumnKind::Category,
        Better::Neutral,
    )
    .values(ROW_KINDS),
    // Demand rows.
    Column::new(
        "distance",
        text("Jarak ke lokasi layanan", "Distance to its site"),
        Unit::Metres,
        ColumnKind::Distance,
        Better::Lower,
    )
    .headline(),
    Column::new(
        "weight",
        text("Bobot permintaan", "Demand weight"),
        Unit::None,
        ColumnKind::Count,
        Better::Neutral,
    ),
    Column::new(
        "site",
        text("Lokasi layanan", "Assigned site"),
        Unit::None,
        ColumnKind::Text,
        Better::Neutral,
    ),
    Column::new(
        "covered",
        text("Terjangkau", "Covered"),
        Unit::None,
        ColumnKind::Flag,
        Better::Higher,
    ),
    Column::new(
        "covered_weight",
        text("Bobot terjangkau", "Covered weight"),
        Unit::None,
        ColumnKind::Count,
        Better::Higher,
    ),
    Column::new(
        "uncovered_weight",
        text("Bobot tidak terjangkau", "Uncovered weight"),
        Unit::None,
        ColumnKind::Count,
        Better::Lower,
    ),
    Column::new(
        "site_before",
        text("Lokasi layanan sebelumnya", "Site before"),
        Unit::None,
        ColumnKind::Text,
        Better::Neutral,
    ),
    Column::new(
        "distance_before",
        text("Jarak sebelumnya", "Distance before"),
        Unit::Metres,
        ColumnKind::Distance,
        Better::Lower,
    ),
    Column::new(
        "covered_before",
        text("Terjangkau sebelumnya", "Covered before"),
        Unit::None,
        ColumnKind::Flag,
        Better::Higher,
    ),
    // Site rows.
    Column::new(
        "existing",
        text("Fasilitas yang sudah ada", "Existing facility"),
        Unit::None,
        ColumnKind::Flag,
        Better::Neutral,
    ),
    Column::new(
        "cost",
        text("Biaya lokasi", "Site cost"),
        Unit::Rupiah,
        ColumnKind::Money,
        Better::Lower,
    ),
    Column::new(
        "x",
        text("Koordinat X", "X coordinate"),
        Unit::Metres,
        ColumnKind::Score,
        Better::Neutral,
    ),
    Column::new(
        "y",
        text("Koordinat Y", "Y coordinate"),
        Unit::Metres,
        ColumnKind::Score,
        Better::Neutral,
    ),
    Column::new(
        "geometry",
        text("Geometri (WKT)", "Geometry (WKT)"),
        Unit::None,
        ColumnKind::Text,
        Better::Neutral,
    ),
    Column::new(
        "capacity",
        text("Kapasitas", "Capacity"),
        Unit::None,
        ColumnKind::Count,
        Better::Higher,
    ),
    Column::new(
        "assigned_demand",
        text("Titik permintaan yang dilayani", "Demand points served"),
        Unit::None,
        ColumnKind::Count,
        Better::Neutral,
    ),
    Column::new(
        "assigned_weight",
        text("Bobot yang dilayani", "Weight served"),
        Unit::None,
        ColumnKind::Count,
        Better::Neutral,
    ),
    // Zone rows.
    Column::new(
        "demand_points",
        text("Titik permintaan", "Demand points"),
        Unit::None,
        ColumnKind::Count,
        Better::Neutral,
    ),
    Column::new(
        "covered_weight_before",
        text("Bobot terjangkau sebelum", "Covered weight before"),
        Unit::None,
        ColumnKind::Count,
        Better::Higher,
    ),
    Column::new(
        "covered_weight_after",
        text("Bobot terjangkau sesudah", "Covered weight after"),
        Unit::None,
        ColumnKind::Count,
        Better::Higher,
    ),
    Column::new(
        "covered_share_before",
        text("Porsi terjangkau sebelum", "Covered share before"),
        Unit::Percent,
        ColumnKind::Share,
        Better::Higher,
    ),
    Column::new(
        "covered_share_after",
        text("Porsi terjangkau sesudah", "Covered share after"),
        Unit::Percent,
        ColumnKind::Share,
        Better::Higher,
    ),
    Column::new(
        "mean_distance_before",
        text("Jarak rata-rata sebelum", "Mean distance before"),
        Unit::Metres,
        ColumnKind::Distance,
        Better::Lower,
    ),
    Column::new(
        "mean_distance_after",
        text("Jarak rata-rata sesudah", "Mean distance after"),
        Unit::Metres,
        ColumnKind::Distance,
        Better::Lower,
    ),
];

impl TypedAnalysis for Locate {
    type Params = LocateParams;
    const NAME: &'static str = "locate";
    const DESCRIPTOR: Descriptor = Descriptor {
        title: text("Lokasi fasilitas baru", "Where to build new facilities"),
        description: text(
            "Di mana membangun fasilitas baru: LSCP, MCLP, p-median, p-center dengan fasilitas yang ada, kapasitas dan anggaran, diselesaikan dengan HiGHS (seperti PySAL spopt)",
            "Facility location: LSCP, MCLP, p-median, p-center with existing sites, capacities and a budget, solved with HiGHS (as PySAL spopt)",
        ),
        columns: COLUMNS,
    };

    fn run(&self, project: &Project, p: &mut LocateParams) -> Result<Output> {
        let kind = p.model.kind();
        let demand = layer_param(
            project,
            Self::NAME,
            "demand",
            &p.demand,
            &[Role::Demand, Role::Zones],
            true,
        )?;
        check_params(p, kind)?;
        let origins: Vec<Option<Coord>> = demand.geometries.iter().map(location).collect();
        let weight = demand_weights(project, demand, p)?;
        let sites = sites_of(project, demand, p)?;
        let costs = costs(project, p, kind, demand, &origins, &sites)?;
        let inst = Instance {
            weight,
            reach: costs.reach,
            sites: sites.ids.len(),
            forced: sites.existing.clone(),
            site_cost: sites.cost.clone(),
            capacity: sites.capacity.clone(),
        };
        // Progress: the distances are built; the solve is the rest (its phases report).
        crate::progress::report(0.1);
        let spec = spec_of(p, kind);
        let plan = crate::progress::within(0.1, 1.0, || models::solve(&inst, &spec))
            .map_err(|e| err(e.param, e.message))?;
        let zones = match &p.zones {
            Some(z) => Some(layer_param(
                project,
                Self::NAME,
                "zones",
                z,
                &[Role::Zones],
                false,
            )?),
            None => None,
        };

        let before = heuristic::nearest_open(&inst, &sites.existing);
        let cover = Cover::of(&plan, &before, p.radius_m);
        let mut summary = summary(kind, &inst, &sites, &plan, &cover, &origins);
        summary.insert("candidates_in_hazard".into(), sites.in_hazard.into());
        summary.extend(costs.summary);
        let mut rows = demand_rows(demand, &inst, &sites, &plan, &before, &cover);
        rows.extend(site_rows(&sites, &inst, &plan));
        let mut layers_used = vec![demand.name.clone()];
        layers_used.extend(sites.layers.iter().cloned());
        layers_used.extend(costs.table);
        if let Some(zl) = zones {
            rows.extend(zone_rows(zl, &origins, &inst, &plan, &before, &cover));
            if !layers_used.contains(&zl.name) {
                layers_used.push(zl.name.clone());
            }
        }
        Ok(Output {
            summary,
            rows,
            row_layer: Some(demand.name.clone()),
            layers_used,
        })
    }
}

/// The checks between params: radius, budget and `p` as the model takes them.
fn check_params(p: &LocateParams, kind: Kind) -> Result<()> {
    if !(p.time_limit_s.is_finite() && p.time_limit_s > 0.0) {
        return Err(err("time_limit_s", "must be > 0"));
    }
    if let Some(r) = p.radius_m {
        if !(r.is_finite() && r >= 0.0) {
            return Err(err(
                "radius_m",
                format!("must be a finite cost ≥ 0, not {r}"),
            ));
        }
    }
    if matches!(kind, Kind::Lscp | Kind::Mclp) && p.radius_m.is_none() {
        return Err(err(
            "radius_m",
            format!("model {} needs radius_m", kind.as_str()),
        ));
    }
    if let Some(b) = p.budget {
        if !(b.is_finite() && b >= 0.0) {
            return Err(err("budget", format!("must be finite and ≥ 0, not {b}")));
        }
        if p.site_cost.is_none() {
            return Err(err(
                "budget",
                "a budget needs `site_cost`, the field of site costs",
            ));
        }
        if kind == Kind::Lscp {
            return Err(err(
                "budget",
                "lscp minimises the number of sites; it takes no budget",
            ));
        }
    }
    if kind == Kind::Lscp && p.p.is_some() {
        return Err(err(
            "p",
            "lscp finds the number of sites itself; leave p out",
        ));
    }
    Ok(())
}

/// The weight of each demand point: `weight`, `weight_from`, the layer's population field
/// (written back into `p`), else 1.
fn demand_weights(project: &Project, demand: &Layer, p: &mut LocateParams) -> Result<Vec<f64>> {
    match (&p.weight_from, &p.weight) {
        (Some(_), Some(_)) => Err(err(
            "weight_from",
            "give `weight` or `weight_from`, not both",
        )),
        (Some(wf), None) => weights_from(
            project,
            Taken {
                caller: Locate::NAME,
                param: "weight_from",
                analysis: &wf.analysis,
                params: &wf.params,
                field: &wf.field,
            },
            &demand.ids,
        ),
        (None, Some(f)) => numeric_values(demand, f, "weight"),
        (None, None) => match project
            .spec(&demand.name)
            .and_then(|s| s.population.clone())
        {
            Some(f) => {
                let w = numeric_values(demand, &f, "weight")?;
                p.weight = Some(f);
                Ok(w)
            }
            None => Ok(vec![1.0; demand.len()]),
        },
    }
}

/// The sites of an instance: where they come from and what they are.
struct Sites {
    ids: Vec<String>,
    loc: Vec<Option<Coord>>,
    existing: Vec<bool>,
    cost: Vec<f64>,
    capacity: Option<Vec<f64>>,
    /// Candidates left out because they lie in the hazard.
    in_hazard: usize,
    /// The layers the sites were taken from (existing, hazard, candidates or grid land).
    layers: Vec<String>,
}

impl Sites {
    fn push(
        &mut self,
        id: String,
        loc: Option<Coord>,
        existing: bool,
        cost: f64,
        cap: Option<f64>,
    ) {
        self.ids.push(id);
        self.loc.push(loc);
        self.existing.push(existing);
        self.cost.push(cost);
        if let (Some(c), Some(v)) = (&mut self.capacity, cap) {
            c.push(v);
        }
    }
}

/// The area of `exclude_hazard`: candidates inside it are dropped.
struct Hazard {
    layer: String,
    geoms: Vec<Option<Geometry>>,
    index: SpatialIndex,
}

impl Hazard {
    fn of(project: &Project, h: &HazardFilter) -> Result<Hazard> {
        let (layer, geoms) = hazard_geoms(project, h)?;
        let index = SpatialIndex::build(&geoms);
        Ok(Hazard {
            layer,
            geoms,
            index,
        })
    }

    fn contains(&self, c: Option<Coord>) -> bool {
        c.is_some_and(|c| point_in_polygon::locate(c, &self.geoms, &self.index).is_some())
    }
}

/// The existing facilities first (open whatever the model decides), then the candidates:
/// a layer or a grid, without those in the hazard.
fn sites_of(project: &Project, demand: &Layer, p: &LocateParams) -> Result<Sites> {
    let mut sites = Sites {
        ids: Vec::new(),
        loc: Vec::new(),
        existing: Vec::new(),
        cost: Vec::new(),
        capacity: p.capacity.as_ref().map(|_| Vec::new()),
        in_hazard: 0,
        layers: Vec::new(),
    };
    if let Some(e) = &p.existing {
        let ex = layer_param(
            project,
            Locate::NAME,
            "existing",
            e,
            &[Role::Facilities],
            false,
        )?;
        sites.layers.push(ex.name.clone());
        let cap = match &p.capacity {
            Some(f) => Some(numeric_values(ex, f, "capacity")?),
            None => None,
        };
        for j in 0..ex.len() {
            let c = cap.as_ref().map(|v| v[j]);
            sites.push(ex.ids[j].clone(), location(&ex.geometries[j]), true, 0.0, c);
        }
    }
    let hazard = match &p.exclude_hazard {
        Some(h) => {
            let hz = Hazard::of(project, h)?;
            sites.layers.push(hz.layer.clone());
            Some(hz)
        }
        None => None,
    };
    match (&p.candidates, &p.grid) {
        (Some(_), Some(_)) => return Err(err("grid", "give `candidates` or `grid`, not both")),
        (None, None) if p.existing.is_none() => {
            return Err(err("candidates", "give a `candidates` layer or a `grid`"))
        }
        (None, None) => {}
        (Some(c), None) => add_candidates(project, c, p, hazard.as_ref(), &mut sites)?,
        (None, Some(g)) => add_grid(project, demand, g, p, hazard.as_ref(), &mut sites)?,
    }
    if sites.ids.is_empty() {
        return Err(err(
            "candidates",
            "no candidate site is left (all excluded or without location)",
        ));
    }
    Ok(sites)
}

/// The features of layer `name` as candidates (without a location only with a cost table).
fn add_candidates(
    project: &Project,
    name: &str,
    p: &LocateParams,
    hazard: Option<&Hazard>,
    sites: &mut Sites,
) -> Result<()> {
    let cl = layer_param(
        project,
        Locate::NAME,
        "candidates",
        name,
        &[Role::Facilities, Role::Demand, Role::Zones, Role::Context],
        false,
    )?;
    sites.layers.push(cl.name.clone());
    let cost = match &p.site_cost {
        Some(f) => Some(numeric_values(cl, f, "site_cost")?),
        None => None,
    };
    let cap = match &p.capacity {
        Some(f) => Some(numeric_values(cl, f, "capacity")?),
        None => None,
    };
    for j in 0..cl.len() {
        let l = location(&cl.geometries[j]);
        if p.costs.is_none() && l.is_none() {
            continue;
        }
        if hazard.is_some_and(|h| h.contains(l)) {
            sites.in_hazard += 1;
            continue;
        }
        let c = cost.as_ref().map_or(0.0, |c| c[j]);
        sites.push(cl.ids[j].clone(), l, false, c, cap.as_ref().map(|v| v[j]));
    }
    Ok(())
}

/// Candidates at the centres of a grid's cells over buildable land (`within`, else the
/// zones, else the demand layer), at most [`MAX_GRID`].
fn add_grid(
    project: &Project,
    demand: &Layer,
    g: &GridParams,
    p: &LocateParams,
    hazard: Option<&Hazard>,
    sites: &mut Sites,
) -> Result<()> {
    if p.site_cost.is_some() || p.capacity.is_some() {
        return Err(err(
            "grid",
            "grid candidates have no fields: `site_cost` and `capacity` need a candidates layer",
        ));
    }
    if !(g.spacing_m.is_finite() && g.spacing_m > 0.0) {
        return Err(err("grid", "spacing_m must be > 0"));
    }
    let within_name = g
        .within
        .clone()
        .or_else(|| p.zones.clone())
        .unwrap_or_else(|| demand.name.clone());
    let wl = project.layers.get(&within_name)?;
    sites.layers.push(wl.name.clone());
    let idx = SpatialIndex::of(wl);
    let Some(bb) = wl.bbox() else {
        return Err(err(
            "grid",
            format!("layer '{within_name}' has no geometry"),
        ));
    };
    let s = g.spacing_m;
    let nx = ((bb.width() / s).floor() as usize) + 1;
    let ny = ((bb.height() / s).floor() as usize) + 1;
    if nx.saturating_mul(ny) > 20 * MAX_GRID {
        return Err(err(
            "grid",
            format!("spacing_m {s} gives too many cells; use a larger spacing"),
        ));
    }
    for r in 0..ny {
        for c in 0..nx {
            let pt = Coord {
                x: bb.min().x + s * (c as f64 + 0.5),
                y: bb.min().y + s * (r as f64 + 0.5),
            };
            if point_in_polygon::locate(pt, &wl.geometries, &idx).is_none() {
                continue;
            }
            if hazard.is_some_and(|h| h.contains(Some(pt))) {
                sites.in_hazard += 1;
                continue;
            }
            sites.push(format!("grid-{r}-{c}"), Some(pt), false, 0.0, None);
        }
    }
    if sites.ids.len() > MAX_GRID {
        return Err(err(
            "grid",
            format!(
                "{} grid candidates (at most {MAX_GRID}); use a larger spacing",
                sites.ids.len()
            ),
        ));
    }
    Ok(())
}

/// Per demand point, the sites in reach as (site, cost), sorted by cost then site.
struct Reach {
    reach: Vec<Vec<(u32, f64)>>,
    /// `cost_source` and what the cost table matched.
    summary: Map<String, Value>,
    /// The cost table's layer.
    table: Option<String>,
}

/// The costs: euclidean in the working CRS, or the `costs` table. The coverage models keep
/// the sites within `radius_m` only.
fn costs(
    project: &Project,
    p: &LocateParams,
    kind: Kind,
    demand: &Layer,
    origins: &[Option<Coord>],
    sites: &Sites,
) -> Result<Reach> {
    let radius = match kind {
        Kind::Lscp | Kind::Mclp => p.radius_m,
        _ => None,
    };
    let Some(t) = &p.costs else {
        let mut summary = Map::new();
        summary.insert("cost_source".into(), "euclidean".into());
        return Ok(Reach {
            reach: euclidean(origins, &sites.loc, radius),
            summary,
            table: None,
        });
    };
    let table = project.layers.get(&t.layer)?;
    let site_layer = site_layer(sites)?;
    let all: Vec<usize> = (0..sites.ids.len()).collect();
    let (rows, used) = cost_table(Locate::NAME, table, t, demand, &site_layer, &all)?;
    let reach = rows
        .into_iter()
        .map(|l| {
            l.into_iter()
                .filter(|(_, c)| radius.is_none_or(|r| *c <= r))
                .map(|(j, c)| (j as u32, c))
                .collect()
        })
        .collect();
    Ok(Reach {
        reach,
        summary: used.summary(),
        table: Some(table.name.clone()),
    })
}

/// Straight-line costs from each origin to the sites with a location (within `radius`).
fn euclidean(
    origins: &[Option<Coord>],
    loc: &[Option<Coord>],
    radius: Option<f64>,
) -> Vec<Vec<(u32, f64)>> {
    let slots: Vec<usize> = (0..loc.len()).filter(|&j| loc[j].is_some()).collect();
    let coords: Vec<Coord> = slots.iter().filter_map(|&j| loc[j]).collect();
    let index = PointIndex::from_coords(&coords);
    origins
        .par_iter()
        .map(|o| {
            let Some(o) = o else { return Vec::new() };
            let mut l: Vec<(u32, f64)> = match radius {
                Some(r) => index
                    .within(*o, r * (1.0 + 1e-9) + 1e-9)
                    .into_iter()
                    .filter(|(_, c)| *c <= r)
                    .map(|(k, c)| (slots[k] as u32, c))
                    .collect(),
                None => slots
                    .iter()
                    .zip(&coords)
                    .map(|(&j, t)| (j as u32, ((t.x - o.x).powi(2) + (t.y - o.y).powi(2)).sqrt()))
                    .collect(),
            };
            l.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            l
        })
        .collect()
}

fn spec_of(p: &LocateParams, kind: Kind) -> Spec {
    Spec {
        kind,
        p: p.p,
        budget: p.budget,
        method: match p.method {
            SolveMethod::Auto => Method::Auto,
            SolveMethod::Exact => Method::Exact,
            SolveMethod::Heuristic => Method::Heuristic,
        },
        time_limit: Duration::from_secs_f64(p.time_limit_s),
    }
}

/// A facilities layer of the sites (ids only), so the shared cost-table reader can match
/// destination ids against them.
fn site_layer(sites: &Sites) -> Result<Layer> {
    let col = LayerColumn::from_values(
        "id",
        sites.ids.iter().map(|s| Cell::Text(s.clone())).collect(),
    );
    let mut l = Layer::new(
        "sites",
        Role::Facilities,
        None,
        vec![None; sites.ids.len()],
        vec![col],
    )?;
    l.set_id_field("id")?;
    Ok(l)
}

/// Is demand `i` with assignment `a` covered (see the module docs)?
fn covered(a: Option<(u32, f64)>, radius: Option<f64>) -> bool {
    a.is_some_and(|(_, c)| radius.is_none_or(|r| c <= r))
}

/// Which demand is covered, by the plan and before it (existing sites only).
struct Cover {
    now: Vec<bool>,
    before: Vec<bool>,
}

impl Cover {
    fn of(plan: &Plan, before: &[Option<(u32, f64)>], radius: Option<f64>) -> Cover {
        Cover {
            now: plan.assign.iter().map(|a| covered(*a, radius)).collect(),
            before: before.iter().map(|a| covered(*a, radius)).collect(),
        }
    }
}

/// The plan's figures as spopt reports them, and its coverage before and after.
fn summary(
    kind: Kind,
    inst: &Instance,
    sites: &Sites,
    plan: &Plan,
    cover: &Cover,
    origins: &[Option<Coord>],
) -> Map<String, Value> {
    let n = inst.demand();
    let w = &inst.weight;
    let total_w: f64 = w.iter().sum();
    let uncovered = cover.now.iter().filter(|c| !**c).count();
    let covered_w: f64 = (0..n).filter(|&i| cover.now[i]).map(|i| w[i]).sum();
    let assigned: Vec<(f64, f64)> = (0..n)
        .filter_map(|i| plan.assign[i].map(|(_, c)| (w[i], c)))
        .collect();
    let aw: f64 = assigned.iter().map(|x| x.0).sum();
    let mean = if kind == Kind::PMedian {
        (total_w > 0.0).then(|| plan.objective / total_w)
    } else if aw > 0.0 {
        Some(assigned.iter().map(|x| x.0 * x.1).sum::<f64>() / aw)
    } else {
        None
    };
    let max = assigned.iter().map(|x| x.1).reduce(f64::max);
    let selected: Vec<usize> = (0..inst.sites)
        .filter(|&j| plan.open[j] && !sites.existing[j])
        .collect();
    let existing = sites.existing.iter().filter(|e| **e).count();
    let share = |x: f64, of: f64| if of > 0.0 { num(x / of) } else { Value::Null };

    let mut s = Map::new();
    s.insert("model".into(), kind.as_str().into());
    s.insert("status".into(), plan.status.into());
    s.insert("method".into(), plan.method.into());
    s.insert("objective".into(), num(plan.objective));
    s.insert("bound".into(), plan.bound.map_or(Value::Null, num));
    s.insert("gap".into(), plan.gap().map_or(Value::Null, num));
    s.insert(
        "selected".into(),
        Value::Array(
            selected
                .iter()
                .map(|&j| sites.ids[j].clone().into())
                .collect(),
        ),
    );
    s.insert("sites_opened".into(), selected.len().into());
    s.insert("existing_sites".into(), existing.into());
    s.insert("candidate_sites".into(), (inst.sites - existing).into());
    s.insert(
        "total_site_cost".into(),
        num(selected.iter().map(|&j| sites.cost[j]).sum()),
    );
    s.insert("demand_features".into(), n.into());
    s.insert("total_weight".into(), num(total_w));
    s.insert("uncovered_count".into(), uncovered.into());
    s.insert(
        "covered_share".into(),
        if n > 0 {
            num(1.0 - uncovered as f64 / n as f64)
        } else {
            Value::Null
        },
    );
    s.insert("covered_weight".into(), num(covered_w));
    s.insert("covered_weight_share".into(), share(covered_w, total_w));
    s.insert("mean_distance".into(), mean.map_or(Value::Null, num));
    s.insert("max_distance".into(), max.map_or(Value::Null, num));
    let cov_w_before: f64 = (0..n).filter(|&i| cover.before[i]).map(|i| w[i]).sum();
    s.insert("covered_weight_before".into(), num(cov_w_before));
    s.insert("solve_ms".into(), (plan.elapsed.as_millis() as u64).into());
    s.insert(
        "demand_without_location".into(),
        origins.iter().filter(|o| o.is_none()).count().into(),
    );
    s
}

/// A demand point's site and cost, and whether that covers it.
struct Served<'a> {
    site: Option<&'a str>,
    distance: Option<f64>,
    covered: bool,
}

impl<'a> Served<'a> {
    fn of(sites: &'a Sites, a: Option<(u32, f64)>, covered: bool) -> Served<'a> {
        Served {
            site: a.map(|(j, _)| sites.ids[j as usize].as_str()),
            distance: a.map(|(_, c)| c),
            covered,
        }
    }
}

/// A demand point's row (`kind` = "demand"): served by the plan and before it.
struct DemandRow<'a> {
    id: &'a str,
    weight: f64,
    now: Served<'a>,
    before: Served<'a>,
}

impl DemandRow<'_> {
    fn into_row(self) -> Row {
        let text = |s: Option<&str>| s.map_or(Value::Null, Value::from);
        let number = |x: Option<f64>| x.map_or(Value::Null, num);
        let w = self.weight;
        let mut r = Row::new();
        r.insert("id".into(), self.id.into());
        r.insert("kind".into(), "demand".into());
        r.insert("weight".into(), num(w));
        r.insert("site".into(), text(self.now.site));
        r.insert("distance".into(), number(self.now.distance));
        r.insert("covered".into(), self.now.covered.into());
        let (c, u) = if self.now.covered { (w, 0.0) } else { (0.0, w) };
        r.insert("covered_weight".into(), num(c));
        r.insert("uncovered_weight".into(), num(u));
        r.insert("site_before".into(), text(self.before.site));
        r.insert("distance_before".into(), number(self.before.distance));
        r.insert("covered_before".into(), self.before.covered.into());
        r
    }
}

fn demand_rows(
    demand: &Layer,
    inst: &Instance,
    sites: &Sites,
    plan: &Plan,
    before: &[Option<(u32, f64)>],
    cover: &Cover,
) -> Vec<Row> {
    (0..inst.demand())
        .map(|i| {
            DemandRow {
                id: &demand.ids[i],
                weight: inst.weight[i],
                now: Served::of(sites, plan.assign[i], cover.now[i]),
                before: Served::of(sites, before[i], cover.before[i]),
            }
            .into_row()
        })
        .collect()
}

/// An open site's row (`kind` = "site").
struct SiteRow<'a> {
    id: &'a str,
    existing: bool,
    cost: f64,
    at: Option<Coord>,
    /// Capacitated models only.
    capacity: Option<f64>,
    assigned_demand: usize,
    assigned_weight: f64,
}

impl SiteRow<'_> {
    fn into_row(self) -> Row {
        let mut r = Row::new();
        r.insert("id".into(), self.id.into());
        r.insert("kind".into(), "site".into());
        r.insert("existing".into(), self.existing.into());
        r.insert("cost".into(), num(self.cost));
        r.insert("x".into(), self.at.map_or(Value::Null, |c| num(c.x)));
        r.insert("y".into(), self.at.map_or(Value::Null, |c| num(c.y)));
        r.insert(
            "geometry".into(),
            self.at.map_or(Value::Null, |c| wkt_point(c).into()),
        );
        if let Some(cap) = self.capacity {
            r.insert("capacity".into(), num(cap));
        }
        r.insert("assigned_demand".into(), self.assigned_demand.into());
        r.insert("assigned_weight".into(), num(self.assigned_weight));
        r
    }
}

fn site_rows(sites: &Sites, inst: &Instance, plan: &Plan) -> Vec<Row> {
    let mut served = vec![(0usize, 0.0f64); inst.sites];
    for (a, wi) in plan.assign.iter().zip(&inst.weight) {
        if let Some((j, _)) = a {
            served[*j as usize].0 += 1;
            served[*j as usize].1 += wi;
        }
    }
    (0..inst.sites)
        .filter(|&j| plan.open[j])
        .map(|j| {
            SiteRow {
                id: &sites.ids[j],
                existing: sites.existing[j],
                cost: sites.cost[j],
                at: sites.loc[j],
                capacity: sites.capacity.as_ref().map(|c| c[j]),
                assigned_demand: served[j].0,
                assigned_weight: served[j].1,
            }
            .into_row()
        })
        .collect()
}

/// A zone's row (`kind` = "zone"): its demand covered before and after.
struct ZoneRow<'a> {
    id: &'a str,
    demand_points: usize,
    weight: f64,
    covered_before: f64,
    covered_after: f64,
    mean_distance_before: Option<f64>,
    mean_distance_after: Option<f64>,
}

impl ZoneRow<'_> {
    fn into_row(self) -> Row {
        let zw = self.weight;
        let share = |x: f64| if zw > 0.0 { num(x / zw) } else { Value::Null };
        let mut r = Row::new();
        r.insert("id".into(), self.id.into());
        r.insert("kind".into(), "zone".into());
        r.insert("demand_points".into(), self.demand_points.into());
        r.insert("weight".into(), num(zw));
        r.insert("covered_weight_before".into(), num(self.covered_before));
        r.insert("covered_weight_after".into(), num(self.covered_after));
        r.insert("covered_share_before".into(), share(self.covered_before));
        r.insert("covered_share_after".into(), share(self.covered_after));
        r.insert(
            "mean_distance_before".into(),
            self.mean_distance_before.map_or(Value::Null, num),
        );
        r.insert(
            "mean_distance_after".into(),
            self.mean_distance_after.map_or(Value::Null, num),
        );
        r
    }
}

/// Demand points gathered into the zones holding them.
fn zone_rows(
    zl: &Layer,
    origins: &[Option<Coord>],
    inst: &Instance,
    plan: &Plan,
    before: &[Option<(u32, f64)>],
    cover: &Cover,
) -> Vec<Row> {
    let w = &inst.weight;
    let zone_of = point_in_polygon::assign(origins, &zl.geometries, &SpatialIndex::of(zl));
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); zl.len()];
    for (i, z) in zone_of.iter().enumerate() {
        if let Some(z) = z {
            members[*z].push(i);
        }
    }
    let covered_w =
        |mem: &[usize], c: &[bool]| mem.iter().filter(|&&i| c[i]).map(|&i| w[i]).sum::<f64>();
    let mean_distance = |mem: &[usize], a: &[Option<(u32, f64)>]| {
        let (mut sw, mut s) = (0.0, 0.0);
        for &i in mem {
            if let Some((_, c)) = a[i] {
                sw += w[i];
                s += w[i] * c;
            }
        }
        (sw > 0.0).then(|| s / sw)
    };
    members
        .iter()
        .enumerate()
        .map(|(z, mem)| {
            ZoneRow {
                id: &zl.ids[z],
                demand_points: mem.len(),
                weight: mem.iter().map(|&i| w[i]).sum(),
                covered_before: covered_w(mem, &cover.before),
                covered_after: covered_w(mem, &cover.now),
                mean_distance_before: mean_distance(mem, before),
                mean_distance_after: mean_distance(mem, &plan.assign),
            }
            .into_row()
        })
        .collect()
}

fn wkt_point(c: Coord) -> String {
    let p = Point::from(c);
    format!("POINT ({} {})", p.x(), p.y())
}
