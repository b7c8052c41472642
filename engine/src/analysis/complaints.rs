//! `complaints`: the command-centre view of citizen complaints (an `events` layer) per zone.
//!
//! Stages: *select* the events of one `category` (optional) within the window `from` – `to`
//! (optional; [`crate::events::selection`]) → *locate* each in its zone (points-in-polygons, the boundary
//! rule of [`crate::kernels::point_in_polygon`]) → per zone: `count`, `rate` per `per`
//! residents (default 1,000; null where the population is missing or 0), `count_<category>`
//! for each category → *trend*: events of the month (`month`, default the month the window
//! ends in, or of the last event) against the mean of the three months before, regardless
//! of `from` (whole calendar months on the wall clock, [`crate::events::timestamp`]) → *resolution*: median
//! hours from report to resolution where the layer has a resolution time (`resolved_field`,
//! default `resolved_at` or `selesai_pada` when present), and the events still open →
//! *hot spots*: the `hotspots` kernel ([`hotspots::local`]) run on the rate (Getis-Ord Gi*,
//! queen weights by default; options under `hotspots`), its label, z and p in each row.

use super::defaults::{self, Focus};
use super::descriptor::{text, Better, Column as Col, Descriptor, Kind, Unit};
use super::hotspots::{self, FeatureStat, Hotspots, Statistic};
use super::{layer_param, num, Output, Row, TypedAnalysis};
use crate::error::{Error, Result};
use crate::events::selection::{self, Query, Selection};
use crate::events::timestamp::{self, Stamp};
use crate::kernels::point_in_polygon;
use crate::layer::{Layer, Role};
use crate::project::Project;
use crate::rtree::SpatialIndex;
use crate::weights::WeightsSpec;
use geo::{Coord, Geometry};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The `complaints` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Complaints;

/// Options of the hot-spot test on the rate (the `hotspots` analysis, Gi*).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HotspotOptions {
    /// Spatial weights (default queen, row-standardised).
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bobot spasial (ketetanggaan)", "en": "Spatial weights"},
        "x-tepat-help" = {"id": "Cara menentukan tetangga (bawaan: queen, yaitu zona yang bersinggungan, dibakukan per baris)."}
    ))]
    pub weights: WeightsSpec,
    /// Permutations for the pseudo p-values (default 999; 0 = analytic).
    #[serde(default = "default_permutations")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah permutasi", "en": "Permutations"},
        "x-tepat-help" = {"id": "Jumlah permutasi acak untuk nilai p semu (bawaan 999; 0 = nilai p analitis)."}
    ))]
    pub permutations: usize,
    /// Seed of the permutations.
    #[serde(default = "default_seed")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Benih acak", "en": "Random seed"},
        "x-tepat-help" = {"id": "Benih permutasi acak (benih sama, hasil sama)."}
    ))]
    pub seed: u64,
    /// Significance level (default 0.05).
    #[serde(default = "default_alpha")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Taraf signifikansi", "en": "Significance level"},
        "x-tepat-help" = {"id": "Taraf signifikansi (bawaan 0,05)."}
    ))]
    pub alpha: f64,
    /// Benjamini–Hochberg false discovery rate instead of `alpha` per zone.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kendalikan temuan palsu (FDR)", "en": "Control false discoveries (FDR)"},
        "x-tepat-help" = {"id": "Kendalikan proporsi temuan palsu (Benjamini–Hochberg) alih-alih menguji tiap zona pada taraf `alpha`."}
    ))]
    pub fdr: bool,
}

impl Default for HotspotOptions {
    fn default() -> Self {
        HotspotOptions {
            weights: WeightsSpec::default(),
            permutations: default_permutations(),
            seed: default_seed(),
            alpha: default_alpha(),
            fdr: false,
        }
    }
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
fn default_per() -> f64 {
    1000.0
}

/// Params of `complaints`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintsParams {
    /// The events layer (e.g. `pengaduan`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Lapisan pengaduan", "en": "Complaints layer"},
        "x-tepat-help" = {"id": "Lapisan kejadian berisi pengaduan warga (mis. `pengaduan`)."},
        "x-tepat-layer" = {"roles": ["events"], "geometry": ["point"]}
    ))]
    pub events: String,
    /// Zones to count in (e.g. `kelurahan`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Zona", "en": "Zones"},
        "x-tepat-help" = {"id": "Zona tempat pengaduan dihitung (mis. `kelurahan`)."},
        "x-tepat-layer" = {"roles": ["zones"], "geometry": ["polygon"]}
    ))]
    pub zones: String,
    /// Population field of the zones (default: the layer's `population` in tepat.toml).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom jumlah penduduk", "en": "Population field"},
        "x-tepat-help" = {"id": "Kolom jumlah penduduk pada zona (bawaan: `population` lapisan itu di tepat.toml)."},
        "x-tepat-field" = {"of": "zones", "types": ["int", "float"]}
    ))]
    pub population: Option<String>,
    /// Rates per this many residents (default 1000).
    #[serde(default = "default_per")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Rasio per … penduduk", "en": "Rate per … residents"},
        "x-tepat-help" = {"id": "Rasio pengaduan dihitung per sekian penduduk (bawaan 1000)."}
    ))]
    pub per: f64,
    /// Only events of this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kategori", "en": "Category"},
        "x-tepat-help" = {"id": "Hanya pengaduan kategori ini (mis. `drainase`)."}
    ))]
    pub category: Option<String>,
    /// Window start (ISO 8601, inclusive). Default: the first event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Dari tanggal", "en": "From"},
        "x-tepat-help" = {"id": "Awal periode (ISO 8601, termasuk). Bawaan: pengaduan pertama."}
    ))]
    pub from: Option<String>,
    /// Window end (ISO 8601, inclusive; a date runs through that day). Default: the last event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Sampai tanggal", "en": "To"},
        "x-tepat-help" = {"id": "Akhir periode (ISO 8601, termasuk; sebuah tanggal berlaku sampai akhir hari itu). Bawaan: pengaduan terakhir."}
    ))]
    pub to: Option<String>,
    /// Month of the trend, `YYYY-MM` (default: the month the window ends in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bulan tren", "en": "Trend month"},
        "x-tepat-help" = {"id": "Bulan yang dibandingkan dengan rata-rata tiga bulan sebelumnya, `YYYY-MM` (bawaan: bulan akhir periode)."}
    ))]
    pub month: Option<String>,
    /// Category field (default: the layer's `category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom kategori", "en": "Category field"},
        "x-tepat-help" = {"id": "Kolom kategori pengaduan (bawaan: `category` lapisan itu di proyek)."},
        "x-tepat-field" = {"of": "events", "types": ["text", "int"]}
    ))]
    pub category_field: Option<String>,
    /// Time field (default: the layer's `time`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom waktu lapor", "en": "Time field"},
        "x-tepat-help" = {"id": "Kolom waktu pengaduan dilaporkan (bawaan: `time` lapisan itu di proyek)."},
        "x-tepat-field" = {"of": "events", "types": ["text"]}
    ))]
    pub time_field: Option<String>,
    /// Resolution time field (default: `resolved_at` or `selesai_pada` if the layer has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom waktu selesai", "en": "Resolution time field"},
        "x-tepat-help" = {"id": "Kolom waktu pengaduan diselesaikan (bawaan: `resolved_at` atau `selesai_pada` bila ada)."},
        "x-tepat-field" = {"of": "events", "types": ["text"]}
    ))]
    pub resolved_field: Option<String>,
    /// Hot-spot test of the rate.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Uji titik panas", "en": "Hot-spot test"},
        "x-tepat-help" = {"id": "Pengaturan uji titik panas (Getis-Ord Gi*) atas rasio pengaduan."}
    ))]
    pub hotspots: HotspotOptions,
}

const NAME: &str = "complaints";

/// Resolution fields looked for when `resolved_field` is not given.
const RESOLVED_NAMES: [&str; 3] = ["resolved_at", "selesai_pada", "closed_at"];

/// The rate as errors of the hot-spot test name it.
const RATE_FIELD: &str = "rate (complaints per resident)";

impl TypedAnalysis for Complaints {
    type Params = ComplaintsParams;
    const NAME: &'static str = NAME;
    const DESCRIPTOR: Descriptor = Descriptor {
        title: text("Pengaduan warga per zona", "Citizen complaints per zone"),
        description: text(
            "Pengaduan per zona dan kategori dalam suatu periode: jumlah, rasio per 1.000 penduduk, tren bulanan, lama penyelesaian, titik panas Gi*",
            "Complaints per zone and category in a time window: counts, rates per 1,000 residents, monthly trend, time to resolution, Gi* hot spots",
        ),
        columns: &[
            Col::new(
                "rate",
                text("Rasio pengaduan terhadap penduduk", "Complaints per residents"),
                Unit::Events,
                Kind::Rate,
                Better::Lower,
            )
            .headline(),
            Col::new(
                "count",
                text("Jumlah pengaduan", "Complaints"),
                Unit::Events,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "population",
                text("Jumlah penduduk", "Population"),
                Unit::People,
                Kind::Count,
                Better::Neutral,
            ),
            Col::new(
                "count_{category}",
                text("Pengaduan {category}", "{category} complaints"),
                Unit::Events,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "this_month",
                text("Pengaduan bulan ini", "Complaints this month"),
                Unit::Events,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "previous_3_mean",
                text("Rata-rata 3 bulan sebelumnya", "Mean of the 3 months before"),
                Unit::Events,
                Kind::Count,
                Better::Lower,
            ),
            // This month over the mean of the three before: 1.5 = half again as many.
            Col::new(
                "trend",
                text("Tren (bulan ini ÷ rata-rata 3 bulan sebelumnya)", "Trend (this month ÷ mean of the 3 before)"),
                Unit::None,
                Kind::Rate,
                Better::Lower,
            ),
            Col::new(
                "open",
                text("Pengaduan belum selesai", "Complaints still open"),
                Unit::Events,
                Kind::Count,
                Better::Lower,
            ),
            // Hours: the descriptor has no hour unit, so the label carries it.
            Col::new(
                "median_resolution_hours",
                text("Median lama penyelesaian (jam)", "Median time to resolution (hours)"),
                Unit::None,
                Kind::Time,
                Better::Lower,
            ),
            Col::new(
                "hotspot",
                text("Titik panas pengaduan", "Complaint hot spot"),
                Unit::None,
                Kind::Category,
                Better::Neutral,
            )
            .values(hotspots::SPOT_LABELS),
            Col::new(
                "hotspot_z",
                text("Skor z titik panas", "Hot-spot z-score"),
                Unit::None,
                Kind::Score,
                Better::Lower,
            ),
            Col::new(
                "hotspot_p",
                text("Nilai p titik panas", "Hot-spot p-value"),
                Unit::None,
                Kind::Score,
                Better::Neutral,
            ),
        ],
    };

    /// The first events layer counted in the finest zones over the events' whole time span
    /// (the window defaults to the first and last event).
    fn defaults(project: &Project, _focus: &Focus) -> Result<Value> {
        Ok(json!({
            "events": defaults::first_of(project, Role::Events, NAME)?,
            "zones": defaults::finest_zones(project, NAME)?,
        }))
    }

    fn run(&self, project: &Project, p: &mut ComplaintsParams) -> Result<Output> {
        let inputs = resolve(project, p)?;
        // Zone of every event (also outside the window: the trend needs other months).
        let points: Vec<Option<Coord>> = inputs.events.geometries.iter().map(point_of).collect();
        let zones = inputs.zones;
        let zone_of =
            point_in_polygon::assign(&points, &zones.geometries, &SpatialIndex::of(zones));
        let cats = Categories::of(&inputs.sel);
        let mut tally = tally(&inputs, &zone_of, &cats);
        let month = trend_month(p, &inputs.sel)?;
        p.month = Some(timestamp::month_label(month));
        let months = by_month(&inputs, &zone_of, &cats, month, p.category.as_deref());
        let rate: Vec<Option<f64>> = (0..zones.len())
            .map(|z| {
                inputs.pop[z]
                    .filter(|&v| v > 0.0)
                    .map(|v| tally.count[z] as f64 / v * p.per)
            })
            .collect();
        let hot = hot_spots(zones, &rate, &p.hotspots)?;

        let with_resolution = inputs.resolved.is_some();
        let rows = (0..zones.len())
            .map(|z| {
                ComplaintsRow {
                    id: &zones.ids[z],
                    population: inputs.pop[z],
                    count: tally.count[z],
                    rate: rate[z],
                    by_category: cats.names.iter().zip(&tally.by_cat[z]).collect(),
                    trend: Trend::of(&months.zone[z]),
                    resolution: with_resolution
                        .then(|| (tally.open[z], median(&mut tally.hours[z]))),
                    hotspot: hot.features[z],
                }
                .into_row()
            })
            .collect();
        let mut summary = summary(&inputs, &cats, tally, &months, p.per);
        summary.insert("hotspots".into(), Value::Object(hot.summary));
        Ok(Output {
            summary,
            rows,
            row_layer: Some(zones.name.clone()),
            layers_used: vec![inputs.events.name.clone(), zones.name.clone()],
        })
    }
}

/// The layers, the zones' population and the selected events, with the params they imply
/// written back into `p` (population, category and time fields, resolution field).
struct Inputs<'p> {
    events: &'p Layer,
    zones: &'p Layer,
    /// Population per zone (None: missing or not finite).
    pop: Vec<Option<f64>>,
    /// The events in the window (and category).
    sel: Selection,
    /// Every event's resolution time, when the layer has a resolution field.
    resolved: Option<Vec<Option<Stamp>>>,
}

fn resolve<'p>(project: &'p Project, p: &mut ComplaintsParams) -> Result<Inputs<'p>> {
    let events: &Layer = layer_param(project, NAME, "events", &p.events, &[Role::Events], true)?;
    let zones: &Layer = layer_param(project, NAME, "zones", &p.zones, &[Role::Zones], true)?;
    if !(p.per.is_finite() && p.per > 0.0) {
        return Err(Error::param(NAME, "per", "must be a finite number > 0"));
    }
    if p.population.is_none() {
        p.population = project.spec(&zones.name).and_then(|s| s.population.clone());
    }
    let Some(pop_field) = p.population.clone() else {
        return Err(Error::param(
            NAME,
            "population",
            format!(
                "layer '{}' has no population field in the project; name one",
                zones.name
            ),
        ));
    };
    let pop_col = zones.numeric_column(&pop_field)?;
    let pop: Vec<Option<f64>> = (0..zones.len())
        .map(|i| pop_col.f64_at(i).filter(|x| x.is_finite()))
        .collect();

    let mut q = Query {
        category_field: p.category_field.clone(),
        time_field: p.time_field.clone(),
        category: p.category.clone(),
        from: p.from.clone(),
        to: p.to.clone(),
    };
    let sel = selection::select(project, NAME, events, &mut q)?;
    p.category_field = q.category_field.clone();
    p.time_field = q.time_field.clone();
    if p.time_field.is_none() {
        return Err(Error::param(
            NAME,
            "time_field",
            format!(
                "layer '{}' has no time field in the project; name it",
                events.name
            ),
        ));
    }
    if p.resolved_field.is_none() {
        p.resolved_field = RESOLVED_NAMES
            .iter()
            .find(|n| events.column(n).is_ok())
            .map(|n| n.to_string());
    }
    let resolved = match &p.resolved_field {
        Some(f) => Some(timestamp::column_stamps(events, f)?),
        None => None,
    };
    Ok(Inputs {
        events,
        zones,
        pop,
        sel,
        resolved,
    })
}

/// The categories of the selected events, sorted: the `count_<category>` columns.
struct Categories {
    names: Vec<String>,
}

impl Categories {
    fn of(sel: &Selection) -> Categories {
        let mut names: Vec<String> = sel
            .idx
            .iter()
            .filter_map(|&i| sel.categories[i].clone())
            .collect();
        names.sort();
        names.dedup();
        Categories { names }
    }

    /// Position of event `i`'s category (None: no category, or none selected).
    fn of_event(&self, sel: &Selection, i: usize) -> Option<usize> {
        let c = sel.categories[i].as_deref()?;
        self.names.binary_search_by(|n| n.as_str().cmp(c)).ok()
    }
}

/// The selected events counted per zone and category, and their time to resolution.
struct Tally {
    /// Per zone.
    count: Vec<u64>,
    /// Per zone, per category.
    by_cat: Vec<Vec<u64>>,
    /// Per category, the whole layer (events outside the zones too).
    city_cat: Vec<u64>,
    /// Events in no zone.
    outside: usize,
    /// Per zone, events without a resolution time.
    open: Vec<u64>,
    /// Per zone, hours to resolution.
    hours: Vec<Vec<f64>>,
    /// Per category, hours to resolution.
    hours_cat: Vec<Vec<f64>>,
    /// All hours to resolution.
    all_hours: Vec<f64>,
    /// Events resolved before they were reported (left out of the hours).
    reversed: usize,
    /// Events without a resolution time.
    open_all: usize,
}

fn tally(inputs: &Inputs, zone_of: &[Option<usize>], cats: &Categories) -> Tally {
    let (nz, nc) = (inputs.zones.len(), cats.names.len());
    let sel = &inputs.sel;
    let mut t = Tally {
        count: vec![0; nz],
        by_cat: vec![vec![0; nc]; nz],
        city_cat: vec![0; nc],
        outside: 0,
        open: vec![0; nz],
        hours: vec![Vec::new(); nz],
        hours_cat: vec![Vec::new(); nc],
        all_hours: Vec::new(),
        reversed: 0,
        open_all: 0,
    };
    for &i in &sel.idx {
        let ck = cats.of_event(sel, i);
        if let Some(k) = ck {
            t.city_cat[k] += 1;
        }
        let z = zone_of[i];
        match z {
            Some(z) => {
                t.count[z] += 1;
                if let Some(k) = ck {
                    t.by_cat[z][k] += 1;
                }
            }
            None => t.outside += 1,
        }
        let Some(res) = &inputs.resolved else {
            continue;
        };
        match (sel.stamps[i], res[i]) {
            (Some(a), Some(b)) => {
                let h = a.millis_until(&b) as f64 / 3_600_000.0;
                if h < 0.0 {
                    t.reversed += 1;
                    continue;
                }
                t.all_hours.push(h);
                if let Some(z) = z {
                    t.hours[z].push(h);
                }
                if let Some(k) = ck {
                    t.hours_cat[k].push(h);
                }
            }
            (_, None) => {
                t.open_all += 1;
                if let Some(z) = z {
                    t.open[z] += 1;
                }
            }
            (None, Some(_)) => {}
        }
    }
    t
}

/// The month of the trend: `month`, else the month the window ends in (`to`), else the
/// month of the last selected event.
fn trend_month(p: &ComplaintsParams, sel: &Selection) -> Result<(i64, u32)> {
    if let Some(m) = &p.month {
        return timestamp::parse_month(m)
            .ok_or_else(|| Error::param(NAME, "month", format!("'{m}' is not a month YYYY-MM")));
    }
    match sel.until {
        Some(u) if p.to.is_some() => Ok(Stamp {
            local: u.local - 1,
            offset: u.offset,
        }
        .month()),
        _ => sel
            .idx
            .iter()
            .filter_map(|&i| sel.stamps[i])
            .max()
            .map(|s| s.month())
            .ok_or_else(|| Error::param(NAME, "time_field", "no selected event has a timestamp")),
    }
}

/// Events of the trend month and the three before it: [this month, 1, 2, 3 before].
struct Months {
    /// The four months.
    months: Vec<(i64, u32)>,
    /// Per zone (events of the category).
    zone: Vec<[u64; 4]>,
    /// The whole layer (events of the category).
    city: [u64; 4],
    /// Per category.
    cat: Vec<[u64; 4]>,
    /// The whole layer, every category: a month without any event is a gap in the data.
    layer: [u64; 4],
}

/// Counts the months regardless of the window's `from`: every event of `category` (all
/// without one) in the four months.
fn by_month(
    inputs: &Inputs,
    zone_of: &[Option<usize>],
    cats: &Categories,
    month: (i64, u32),
    category: Option<&str>,
) -> Months {
    let sel = &inputs.sel;
    let mut m = Months {
        months: (0..4).map(|n| timestamp::months_before(month, n)).collect(),
        zone: vec![[0; 4]; inputs.zones.len()],
        city: [0; 4],
        cat: vec![[0; 4]; cats.names.len()],
        layer: [0; 4],
    };
    for (i, zone) in zone_of.iter().enumerate() {
        let Some(s) = sel.stamps[i] else { continue };
        let Some(k) = m.months.iter().position(|&x| x == s.month()) else {
            continue;
        };
        m.layer[k] += 1;
        if category.is_some_and(|c| sel.categories[i].as_deref() != Some(c)) {
            continue;
        }
        m.city[k] += 1;
        if let Some(z) = zone {
            m.zone[*z][k] += 1;
        }
        if let Some(c) = cats.of_event(sel, i) {
            m.cat[c][k] += 1;
        }
    }
    m
}

/// This month against the mean of the three before.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Trend {
    this_month: u64,
    previous_3_mean: f64,
    /// The ratio; None when the previous months had no event.
    trend: Option<f64>,
}

impl Trend {
    /// From the counts of [this month, 1, 2, 3 months before].
    fn of(m: &[u64; 4]) -> Trend {
        let prev = (m[1] + m[2] + m[3]) as f64 / 3.0;
        Trend {
            this_month: m[0],
            previous_3_mean: prev,
            trend: (prev > 0.0).then(|| m[0] as f64 / prev),
        }
    }

    /// `this_month`, `previous_3_mean`, `trend`.
    fn insert_into(self, r: &mut Row) {
        r.insert("this_month".into(), self.this_month.into());
        r.insert("previous_3_mean".into(), num(self.previous_3_mean));
        r.insert("trend".into(), self.trend.map_or(Value::Null, num));
    }
}

/// One zone's row.
struct ComplaintsRow<'a> {
    id: &'a str,
    population: Option<f64>,
    count: u64,
    rate: Option<f64>,
    /// `count_<category>` per category of the window.
    by_category: Vec<(&'a String, &'a u64)>,
    trend: Trend,
    /// Events still open and the median hours to resolution, with a resolution field.
    resolution: Option<(u64, Option<f64>)>,
    hotspot: FeatureStat,
}

impl ComplaintsRow<'_> {
    fn into_row(self) -> Row {
        let mut r = Row::new();
        r.insert("id".into(), self.id.into());
        r.insert(
            "population".into(),
            self.population.map_or(Value::Null, num),
        );
        r.insert("count".into(), self.count.into());
        r.insert("rate".into(), self.rate.map_or(Value::Null, num));
        for (c, n) in self.by_category {
            r.insert(format!("count_{c}"), (*n).into());
        }
        self.trend.insert_into(&mut r);
        if let Some((open, hours)) = self.resolution {
            r.insert("open".into(), open.into());
            r.insert(
                "median_resolution_hours".into(),
                hours.map_or(Value::Null, num),
            );
        }
        let h = self.hotspot;
        r.insert("hotspot".into(), h.label.map_or(Value::Null, Value::from));
        r.insert("hotspot_z".into(), h.z.map_or(Value::Null, num));
        r.insert("hotspot_p".into(), h.p.map_or(Value::Null, num));
        r
    }
}

/// The city's figures: events, window, rate, trend (with a note on months without any
/// event), per category, and resolution.
fn summary(
    inputs: &Inputs,
    cats: &Categories,
    mut t: Tally,
    months: &Months,
    per: f64,
) -> Map<String, Value> {
    let sel = &inputs.sel;
    let total_pop: f64 = inputs.pop.iter().flatten().filter(|v| **v > 0.0).sum();
    let city_rate = |c: u64| {
        if total_pop > 0.0 {
            num(c as f64 / total_pop * per)
        } else {
            Value::Null
        }
    };
    let stamp = |s: Option<Stamp>| s.map_or(Value::Null, |s| timestamp::format(&s).into());
    let mut s = Map::new();
    s.insert("events".into(), sel.idx.len().into());
    s.insert("events_in_layer".into(), inputs.events.len().into());
    s.insert("outside_zones".into(), t.outside.into());
    s.insert(
        "window".into(),
        json!({
            "from": stamp(sel.from),
            "to_exclusive": stamp(sel.until),
            "first_event": stamp(sel.idx.iter().filter_map(|&i| sel.stamps[i]).min()),
            "last_event": stamp(sel.idx.iter().filter_map(|&i| sel.stamps[i]).max()),
        }),
    );
    s.insert("population".into(), num(total_pop));
    s.insert(
        "rate".into(),
        city_rate(t.count.iter().sum::<u64>() + t.outside as u64),
    );
    s.insert(
        "month".into(),
        timestamp::month_label(months.months[0]).into(),
    );
    let mut trend = Row::new();
    Trend::of(&months.city).insert_into(&mut trend);
    s.extend(trend);
    let empty: Vec<String> = (1..4)
        .filter(|&m| months.layer[m] == 0)
        .map(|m| timestamp::month_label(months.months[m]))
        .collect();
    if !empty.is_empty() {
        s.insert(
            "trend_note".into(),
            format!(
                "layer '{}' has no event at all in {}: the data may not cover those months, so the trend may overstate",
                inputs.events.name,
                empty.join(", ")
            )
            .into(),
        );
    }
    let resolved = inputs.resolved.is_some();
    let mut per_cat = Map::new();
    for (k, c) in cats.names.iter().enumerate() {
        let mut e = Row::new();
        e.insert("count".into(), t.city_cat[k].into());
        e.insert("rate".into(), city_rate(t.city_cat[k]));
        Trend::of(&months.cat[k]).insert_into(&mut e);
        if resolved {
            e.insert(
                "median_resolution_hours".into(),
                median(&mut t.hours_cat[k]).map_or(Value::Null, num),
            );
        }
        per_cat.insert(c.clone(), Value::Object(e));
    }
    s.insert("categories".into(), Value::Object(per_cat));
    if resolved {
        s.insert("resolved".into(), t.all_hours.len().into());
        s.insert("open".into(), t.open_all.into());
        s.insert("resolved_before_reported".into(), t.reversed.into());
        s.insert(
            "median_resolution_hours".into(),
            median(&mut t.all_hours).map_or(Value::Null, num),
        );
    }
    s
}

fn point_of(g: &Option<Geometry>) -> Option<Coord> {
    match g {
        Some(Geometry::Point(p)) => Some(p.0),
        Some(Geometry::MultiPoint(mp)) => mp.0.first().map(|p| p.0),
        _ => None,
    }
}

/// Median (sorts in place); None when empty.
fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The hot spots of the rate: per zone its Gi* result, and the part of the test's summary
/// complaints reports.
struct Hot {
    features: Vec<FeatureStat>,
    summary: Map<String, Value>,
}

/// Gi* of the rate by the `hotspots` kernel, so the statistic, weights and permutations
/// are hotspots' own (same seed, same p-values). Errors name `hotspots.<option>`.
fn hot_spots(zones: &Layer, rate: &[Option<f64>], o: &HotspotOptions) -> Result<Hot> {
    let relabel = |e: Error| match e {
        Error::InvalidParams { param, message, .. } => {
            Error::param(NAME, &format!("hotspots.{param}"), message)
        }
        other => other,
    };
    let test = hotspots::Test::new(
        Statistic::GiStar,
        o.weights.clone(),
        o.permutations,
        o.seed,
        o.alpha,
        o.fdr,
    )
    .map_err(relabel)?;
    let weights = test
        .weights
        .build(zones, Hotspots::NAME, "weights")
        .map_err(relabel)?;
    let found = hotspots::local(rate, &weights, &test, zones, RATE_FIELD).map_err(relabel)?;
    let mut all = hotspots::test_summary(&test, &found, zones);
    let summary = HOTSPOT_SUMMARY
        .iter()
        .filter_map(|k| Some((k.to_string(), all.remove(*k)?)))
        .collect();
    Ok(Hot {
        features: found.features,
        summary,
    })
}

/// What the summary reports of the hot-spot test.
const HOTSPOT_SUMMARY: [&str; 10] = [
    "statistic",
    "counts",
    "p_cutoff",
    "alpha",
    "fdr",
    "permutations",
    "moran_i",
    "p_norm",
    "p_sim",
    "islands",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_by_hand() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn trend_by_hand() {
        let mut r = Row::new();
        Trend::of(&[6, 3, 4, 5]).insert_into(&mut r);
        assert_eq!(r["this_month"], 6);
        assert_eq!(r["previous_3_mean"], 4.0);
        assert_eq!(r["trend"], 1.5);
        Trend::of(&[2, 0, 0, 0]).insert_into(&mut r);
        assert_eq!(r["trend"], Value::Null);
    }
}
