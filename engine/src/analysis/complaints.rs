//! `complaints`: the command-centre view of citizen complaints (an `events` layer) per zone.
//!
//! Stages: *select* the events of one `category` (optional) within the window `from` – `to`
//! (optional; [`selection`]) → *locate* each in its zone (points-in-polygons, the boundary
//! rule of [`crate::kernels::point_in_polygon`]) → per zone: `count`, `rate` per `per`
//! residents (default 1,000; null where the population is missing or 0), `count_<category>`
//! for each category → *trend*: events of the month (`month`, default the month the window
//! ends in, or of the last event) against the mean of the three months before, regardless
//! of `from` (whole calendar months on the wall clock, [`timestamp`]) → *resolution*: median
//! hours from report to resolution where the layer has a resolution time (`resolved_field`,
//! default `resolved_at` or `selesai_pada` when present), and the events still open →
//! *hot spots*: the `hotspots` analysis run on the rate (Getis-Ord Gi*, queen weights by
//! default; options under `hotspots`), its label, z and p in each row.

pub mod selection;
pub mod timestamp;

use super::defaults::{self, Focus};
use super::descriptor::{text, Better, Category, Column as Col, Descriptor, Kind, Unit};
use super::{layer_param, num, Output, Row, TypedAnalysis};
use crate::error::{Error, Result};
use crate::kernels::point_in_polygon;
use crate::layer::{Column, Layer, Role, Value as Cell};
use crate::project::Project;
use crate::rtree::SpatialIndex;
use crate::weights::WeightsSpec;
use geo::{Coord, Geometry};
use schemars::JsonSchema;
use selection::Query;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use timestamp::Stamp;

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

/// The values of the `hotspot` column: the Gi* labels of `hotspots`.
const HOTSPOT_LABELS: &[Category] = &[
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

/// The rate column handed to `hotspots`.
const RATE: &str = "rate";

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
            .values(HOTSPOT_LABELS),
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
        let events = layer_param(project, NAME, "events", &p.events, &[Role::Events], true)?;
        let zones = layer_param(project, NAME, "zones", &p.zones, &[Role::Zones], true)?;
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
        let resolved: Option<Vec<Option<Stamp>>> = match &p.resolved_field {
            Some(f) => Some(timestamp::column_stamps(events, f)?),
            None => None,
        };

        // Zone of every event (also outside the window: the trend needs other months).
        let points: Vec<Option<Coord>> = events.geometries.iter().map(point_of).collect();
        let zone_of =
            point_in_polygon::assign(&points, &zones.geometries, &SpatialIndex::of(zones));
        let nz = zones.len();
        let in_cat = |i: usize| {
            p.category
                .as_ref()
                .is_none_or(|c| sel.categories[i].as_ref() == Some(c))
        };

        // Counts per zone and category in the window.
        let cats: Vec<String> = {
            let mut v: Vec<String> = sel
                .idx
                .iter()
                .filter_map(|&i| sel.categories[i].clone())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let cat_pos: HashMap<&str, usize> = cats
            .iter()
            .enumerate()
            .map(|(k, c)| (c.as_str(), k))
            .collect();
        let mut count = vec![0u64; nz];
        let mut by_cat = vec![vec![0u64; cats.len()]; nz];
        let mut city_cat = vec![0u64; cats.len()];
        let mut open = vec![0u64; nz];
        let mut hours: Vec<Vec<f64>> = vec![Vec::new(); nz];
        let mut hours_cat: Vec<Vec<f64>> = vec![Vec::new(); cats.len()];
        let mut all_hours = Vec::new();
        let (mut outside, mut reversed, mut open_all) = (0usize, 0usize, 0usize);
        for &i in &sel.idx {
            let ck = sel.categories[i]
                .as_deref()
                .and_then(|c| cat_pos.get(c).copied());
            if let Some(k) = ck {
                city_cat[k] += 1;
            }
            let z = zone_of[i];
            match z {
                Some(z) => {
                    count[z] += 1;
                    if let Some(k) = ck {
                        by_cat[z][k] += 1;
                    }
                }
                None => outside += 1,
            }
            if let Some(res) = &resolved {
                match (sel.stamps[i], res[i]) {
                    (Some(a), Some(b)) => {
                        let h = a.millis_until(&b) as f64 / 3_600_000.0;
                        if h < 0.0 {
                            reversed += 1;
                            continue;
                        }
                        all_hours.push(h);
                        if let Some(z) = z {
                            hours[z].push(h);
                        }
                        if let Some(k) = ck {
                            hours_cat[k].push(h);
                        }
                    }
                    (_, None) => {
                        open_all += 1;
                        if let Some(z) = z {
                            open[z] += 1;
                        }
                    }
                    (None, Some(_)) => {}
                }
            }
        }

        // Trend month and the three before it.
        let month = match &p.month {
            Some(m) => timestamp::parse_month(m).ok_or_else(|| {
                Error::param(NAME, "month", format!("'{m}' is not a month YYYY-MM"))
            })?,
            None => match sel.until {
                Some(u) if p.to.is_some() => Stamp {
                    local: u.local - 1,
                    offset: u.offset,
                }
                .month(),
                _ => sel
                    .idx
                    .iter()
                    .filter_map(|&i| sel.stamps[i])
                    .max()
                    .map(|s| s.month())
                    .ok_or_else(|| {
                        Error::param(NAME, "time_field", "no selected event has a timestamp")
                    })?,
            },
        };
        p.month = Some(timestamp::month_label(month));
        let months: Vec<(i64, u32)> = (0..4).map(|n| timestamp::months_before(month, n)).collect();
        let mut per_month = vec![[0u64; 4]; nz];
        let mut city_month = [0u64; 4];
        let mut cat_month = vec![[0u64; 4]; cats.len()];
        let mut layer_months = [0u64; 4];
        for (i, zone) in zone_of.iter().enumerate() {
            let Some(s) = sel.stamps[i] else { continue };
            let Some(m) = months.iter().position(|&m| m == s.month()) else {
                continue;
            };
            layer_months[m] += 1;
            if !in_cat(i) {
                continue;
            }
            city_month[m] += 1;
            if let Some(z) = zone {
                per_month[*z][m] += 1;
            }
            if let Some(k) = sel.categories[i]
                .as_deref()
                .and_then(|c| cat_pos.get(c).copied())
            {
                cat_month[k][m] += 1;
            }
        }

        // Rates, and the hot spots of the rate through the `hotspots` analysis.
        let rate: Vec<Option<f64>> = (0..nz)
            .map(|z| {
                pop[z]
                    .filter(|&v| v > 0.0)
                    .map(|v| count[z] as f64 / v * p.per)
            })
            .collect();
        let hot = hotspots_of_rate(project, zones, &rate, &p.hotspots)?;

        let mut rows = Vec::with_capacity(nz);
        for z in 0..nz {
            let mut r = Row::new();
            r.insert("id".into(), zones.ids[z].clone().into());
            r.insert("population".into(), pop[z].map_or(Value::Null, num));
            r.insert("count".into(), count[z].into());
            r.insert("rate".into(), rate[z].map_or(Value::Null, num));
            for (k, c) in cats.iter().enumerate() {
                r.insert(format!("count_{c}"), by_cat[z][k].into());
            }
            insert_trend(&mut r, &per_month[z]);
            if resolved.is_some() {
                r.insert("open".into(), open[z].into());
                r.insert(
                    "median_resolution_hours".into(),
                    median(&mut hours[z]).map_or(Value::Null, num),
                );
            }
            let h = hot.rows.get(zones.ids[z].as_str());
            for (key, from) in [("hotspot", "label"), ("hotspot_z", "z"), ("hotspot_p", "p")] {
                r.insert(
                    key.into(),
                    h.and_then(|row| row.get(from))
                        .cloned()
                        .unwrap_or(Value::Null),
                );
            }
            rows.push(r);
        }

        let total_pop: f64 = pop.iter().flatten().filter(|v| **v > 0.0).sum();
        let city_rate = |c: u64| {
            if total_pop > 0.0 {
                num(c as f64 / total_pop * p.per)
            } else {
                Value::Null
            }
        };
        let mut s = Map::new();
        s.insert("events".into(), sel.idx.len().into());
        s.insert("events_in_layer".into(), events.len().into());
        s.insert("outside_zones".into(), outside.into());
        s.insert(
            "window".into(),
            json!({
                "from": sel.from.map_or(Value::Null, |f| timestamp::format(&f).into()),
                "to_exclusive": sel.until.map_or(Value::Null, |u| timestamp::format(&u).into()),
                "first_event": sel.idx.iter().filter_map(|&i| sel.stamps[i]).min().map_or(Value::Null, |f| timestamp::format(&f).into()),
                "last_event": sel.idx.iter().filter_map(|&i| sel.stamps[i]).max().map_or(Value::Null, |f| timestamp::format(&f).into()),
            }),
        );
        s.insert("population".into(), num(total_pop));
        s.insert(
            "rate".into(),
            city_rate(count.iter().sum::<u64>() + outside as u64),
        );
        let mut trend = Row::new();
        insert_trend(&mut trend, &city_month);
        s.insert("month".into(), timestamp::month_label(month).into());
        s.extend(trend);
        let empty: Vec<String> = (1..4)
            .filter(|&m| layer_months[m] == 0)
            .map(|m| timestamp::month_label(months[m]))
            .collect();
        if !empty.is_empty() {
            s.insert(
                "trend_note".into(),
                format!(
                    "layer '{}' has no event at all in {}: the data may not cover those months, so the trend may overstate",
                    events.name,
                    empty.join(", ")
                )
                .into(),
            );
        }
        let mut per_cat = Map::new();
        for (k, c) in cats.iter().enumerate() {
            let mut e = Row::new();
            e.insert("count".into(), city_cat[k].into());
            e.insert("rate".into(), city_rate(city_cat[k]));
            insert_trend(&mut e, &cat_month[k]);
            if resolved.is_some() {
                e.insert(
                    "median_resolution_hours".into(),
                    median(&mut hours_cat[k]).map_or(Value::Null, num),
                );
            }
            per_cat.insert(c.clone(), Value::Object(e));
        }
        s.insert("categories".into(), Value::Object(per_cat));
        if resolved.is_some() {
            s.insert("resolved".into(), all_hours.len().into());
            s.insert("open".into(), open_all.into());
            s.insert("resolved_before_reported".into(), reversed.into());
            s.insert(
                "median_resolution_hours".into(),
                median(&mut all_hours).map_or(Value::Null, num),
            );
        }
        s.insert("hotspots".into(), Value::Object(hot.summary));
        Ok(Output {
            summary: s,
            rows,
            row_layer: Some(zones.name.clone()),
            layers_used: vec![events.name.clone(), zones.name.clone()],
        })
    }
}

/// `this_month`, `previous_3_mean`, `trend` (ratio; null when the previous months had
/// none) from counts of [this month, 1, 2, 3 months before].
fn insert_trend(r: &mut Row, m: &[u64; 4]) {
    let prev = (m[1] + m[2] + m[3]) as f64 / 3.0;
    r.insert("this_month".into(), m[0].into());
    r.insert("previous_3_mean".into(), num(prev));
    r.insert(
        "trend".into(),
        if prev > 0.0 {
            num(m[0] as f64 / prev)
        } else {
            Value::Null
        },
    );
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

struct Hot {
    rows: BTreeMap<String, Map<String, Value>>,
    summary: Map<String, Value>,
}

/// Runs `hotspots` (Gi*) on the rate: the zones layer with the rate as its only field, in a
/// copy of the project, so the statistic, weights and permutations are hotspots' own.
fn hotspots_of_rate(
    project: &Project,
    zones: &Layer,
    rate: &[Option<f64>],
    o: &HotspotOptions,
) -> Result<Hot> {
    let col = Column::from_values(
        RATE,
        rate.iter()
            .map(|r| r.map_or(Cell::Null, Cell::Float))
            .collect(),
    );
    let mut derived = Layer::new(
        zones.name.clone(),
        zones.role,
        zones.crs.clone(),
        zones.geometries.clone(),
        vec![col],
    )?;
    derived.ids = zones.ids.clone();
    let mut copy = project.clone();
    copy.layers.insert(derived);
    let params = json!({
        "layer": zones.name,
        "field": RATE,
        "statistic": "gi_star",
        "weights": o.weights,
        "permutations": o.permutations,
        "seed": o.seed,
        "alpha": o.alpha,
        "fdr": o.fdr,
    });
    let r = super::run(&copy, "hotspots", params).map_err(|e| match e {
        Error::InvalidParams { param, message, .. } => {
            Error::param(NAME, &format!("hotspots.{param}"), message)
        }
        Error::FieldType { layer, message, .. } => Error::FieldType {
            layer,
            field: format!("{RATE} (complaints per resident)"),
            message,
        },
        other => other,
    })?;
    let rows = r
        .rows
        .into_iter()
        .filter_map(|row| Some((row.get("id")?.as_str()?.to_string(), row)))
        .collect();
    let mut summary = Map::new();
    for k in [
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
    ] {
        if let Some(v) = r.summary.get(k) {
            summary.insert(k.into(), v.clone());
        }
    }
    Ok(Hot { rows, summary })
}

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
        insert_trend(&mut r, &[6, 3, 4, 5]);
        assert_eq!(r["this_month"], 6);
        assert_eq!(r["previous_3_mean"], 4.0);
        assert_eq!(r["trend"], 1.5);
        insert_trend(&mut r, &[2, 0, 0, 0]);
        assert_eq!(r["trend"], Value::Null);
    }
}
