//! `exposure`: who and what is in the hazard, per zone.
//!
//! Stages, as InaSAFE names them: *prepare the hazard* (classify each polygon, dissolve by
//! class, the highest class wins where classes overlap: [`dissolve::exclusive_classes`]) →
//! *combine with the aggregation zones* (overlay areas per zone and class) → *recompute
//! counts* (zone populations split by area share, i.e. uniform density within a zone; or a
//! `demand` layer: points take the class they fall in, polygons are split by area) →
//! *post-process* (displaced = exposed × displacement rate per class; weekly needs of the
//! displaced from the BNPB Perka 7/2008 minimum-needs profile).

use super::defaults::{self, Focus};
use super::descriptor::{text, Better, Column as Col, Descriptor, Kind, Unit};
use super::{layer_param, num, Output, Row, TypedAnalysis};
use crate::error::{Error, Result};
use crate::kernels::overlay::{as_multipolygon, overlaps};
use crate::kernels::{dissolve, point_coord, point_in_polygon};
use crate::layer::{Column, Layer, Role};
use crate::project::Project;
use crate::rtree::SpatialIndex;
use geo::{Area, BooleanOps, BoundingRect, Geometry, MultiPolygon, Polygon};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The `exposure` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Exposure;

/// Where the people are.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PopulationSource {
    /// A numeric field of the zone layer (people spread evenly over the zone).
    Field(String),
    /// A `demand` layer of points or polygons with a count field.
    // Its fields' help carries its English: `annotate` does not reach into an `anyOf`.
    Layer {
        /// The demand layer.
        #[schemars(extend(
            "x-tepat-label" = {"id": "Lapisan penduduk", "en": "Population layer"},
            "x-tepat-help" = {"id": "Lapisan `demand` (titik atau poligon) yang memuat jumlah penduduk.", "en": "The demand layer."},
            "x-tepat-layer" = {"roles": ["demand"], "geometry": ["point", "polygon"]}
        ))]
        layer: String,
        /// Its count field.
        #[schemars(extend(
            "x-tepat-label" = {"id": "Kolom jumlah", "en": "Count field"},
            "x-tepat-help" = {"id": "Kolom jumlah penduduk pada lapisan itu.", "en": "Its count field."},
            "x-tepat-field" = {"of": "layer", "types": ["int", "float"]}
        ))]
        field: String,
    },
}

/// Per-person weekly minimum needs (BNPB Perka 7/2008, as InaSAFE's `BNPB_en.json`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Needs {
    /// Rice, kg per person per week.
    #[serde(default = "rice")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Beras (kg)", "en": "Rice (kg)"},
        "x-tepat-help" = {"id": "Beras, kg per orang per minggu."}
    ))]
    pub rice_kg: f64,
    /// Drinking water, litres per person per week.
    #[serde(default = "drinking")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Air minum (liter)", "en": "Drinking water (litres)"},
        "x-tepat-help" = {"id": "Air minum, liter per orang per minggu."}
    ))]
    pub drinking_water_l: f64,
    /// Clean water, litres per person per week.
    #[serde(default = "clean")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Air bersih (liter)", "en": "Clean water (litres)"},
        "x-tepat-help" = {"id": "Air bersih, liter per orang per minggu."}
    ))]
    pub clean_water_l: f64,
    /// Family kits per person (1 per 5 persons).
    #[serde(default = "kits")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Paket keluarga", "en": "Family kits"},
        "x-tepat-help" = {"id": "Paket keluarga per orang (1 paket untuk 5 orang)."}
    ))]
    pub family_kits: f64,
    /// Toilets per person (1 per 20 persons).
    #[serde(default = "toilets")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jamban", "en": "Toilets"},
        "x-tepat-help" = {"id": "Jamban per orang (1 jamban untuk 20 orang)."}
    ))]
    pub toilets: f64,
}

fn rice() -> f64 {
    2.8
}
fn drinking() -> f64 {
    17.5
}
fn clean() -> f64 {
    67.0
}
fn kits() -> f64 {
    0.2
}
fn toilets() -> f64 {
    0.05
}

impl Default for Needs {
    fn default() -> Self {
        Needs {
            rice_kg: rice(),
            drinking_water_l: drinking(),
            clean_water_l: clean(),
            family_kits: kits(),
            toilets: toilets(),
        }
    }
}

impl Needs {
    fn items(&self) -> [(&'static str, f64); 5] {
        [
            ("needs_rice_kg", self.rice_kg),
            ("needs_drinking_water_l", self.drinking_water_l),
            ("needs_clean_water_l", self.clean_water_l),
            ("needs_family_kits", self.family_kits),
            ("needs_toilets", self.toilets),
        ]
    }
}

/// Params of `exposure`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExposureParams {
    /// Zone layer results are reported on (e.g. `kelurahan`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Zona", "en": "Zones"},
        "x-tepat-help" = {"id": "Lapisan zona tempat hasil dilaporkan (mis. `kelurahan`)."},
        "x-tepat-layer" = {"roles": ["zones"], "geometry": ["polygon"]}
    ))]
    pub zones: String,
    /// Hazard layer (polygons), e.g. `banjir_q25`.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bahaya", "en": "Hazard"},
        "x-tepat-help" = {"id": "Lapisan kawasan rawan bencana (poligon), mis. `banjir_q25`."},
        "x-tepat-layer" = {"roles": ["hazard"], "geometry": ["polygon"]}
    ))]
    pub hazard: String,
    /// Hazard field holding the class or depth; without it the whole hazard is one class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom kelas bahaya", "en": "Hazard class field"},
        "x-tepat-help" = {"id": "Kolom lapisan bahaya yang memuat kelas atau kedalaman; tanpa kolom ini seluruh kawasan bahaya dihitung sebagai satu kelas."},
        "x-tepat-field" = {"of": "hazard", "types": ["int", "float", "text"]}
    ))]
    pub class_field: Option<String>,
    /// Class values ordered from lowest to highest (default: the field's values, sorted).
    /// With `breaks`, the names of the intervals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kelas bahaya", "en": "Hazard classes"},
        "x-tepat-help" = {"id": "Nilai kelas, urut dari yang paling ringan ke yang paling berat (bawaan: nilai-nilai kolom itu, diurutkan). Bila `breaks` diisi: nama tiap selang."}
    ))]
    pub classes: Option<Vec<String>>,
    /// For a numeric `class_field` (e.g. depth in m): interval breaks; class i holds values in
    /// [breaks[i-1], breaks[i]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Batas kelas", "en": "Class breaks"},
        "x-tepat-help" = {"id": "Untuk kolom kelas berupa angka (mis. kedalaman dalam m): batas antarkelas; kelas ke-i memuat nilai dari batas ke-(i-1) sampai sebelum batas ke-i."}
    ))]
    pub breaks: Option<Vec<f64>>,
    /// Zone population field, or `{"layer": …, "field": …}` (default: the zone layer's `population`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Penduduk", "en": "Population"},
        "x-tepat-help" = {"id": "Kolom jumlah penduduk zona, atau `{\"layer\": …, \"field\": …}` untuk lapisan penduduk tersendiri (bawaan: kolom `population` lapisan zona)."},
        "x-tepat-field" = {"of": "zones", "types": ["int", "float"]}
    ))]
    pub population: Option<PopulationSource>,
    /// Other zone count fields to expose by area share (default: those of `households`,
    /// `poor_households`, `under5`, `elderly` that exist).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlah lain yang dihitung", "en": "Other counts"},
        "x-tepat-help" = {"id": "Kolom jumlah lain pada zona yang dihitung keterpaparannya menurut proporsi luas (bawaan: yang tersedia dari `households`, `poor_households`, `under5`, `elderly`)."},
        "x-tepat-field" = {"of": "zones", "types": ["int", "float"]}
    ))]
    pub counts: Option<Vec<String>>,
    /// Facility layer to test against the hazard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Fasilitas", "en": "Facilities"},
        "x-tepat-help" = {"id": "Lapisan fasilitas yang diperiksa apakah berada di kawasan bahaya."},
        "x-tepat-layer" = {"roles": ["facilities"], "geometry": ["point"]}
    ))]
    pub facilities: Option<String>,
    /// Only facilities of these kinds (the layer's `kind` field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jenis fasilitas", "en": "Facility kinds"},
        "x-tepat-help" = {"id": "Hanya fasilitas dengan jenis ini (kolom `kind` lapisan itu)."}
    ))]
    pub facility_kinds: Option<Vec<String>>,
    /// Share of exposed people displaced, per class (default 0.01 for every class: InaSAFE's
    /// flood "wet" class).
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Tingkat pengungsian", "en": "Displacement rate"},
        "x-tepat-help" = {"id": "Bagian penduduk terpapar yang mengungsi, per kelas (bawaan 0,01 untuk setiap kelas, seperti kelas \"basah\" banjir InaSAFE)."}
    ))]
    pub displacement_rate: BTreeMap<String, f64>,
    /// Weekly needs per displaced person (default: BNPB Perka 7/2008).
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kebutuhan dasar", "en": "Minimum needs"},
        "x-tepat-help" = {"id": "Kebutuhan mingguan per pengungsi (bawaan: Perka BNPB 7/2008)."}
    ))]
    pub needs: Needs,
}

const DEFAULT_COUNTS: [&str; 4] = ["households", "poor_households", "under5", "elderly"];
const DEFAULT_DISPLACEMENT: f64 = 0.01;

/// The hazard, classified and dissolved: `geoms[c]` is disjoint from every other class.
struct Classes {
    names: Vec<String>,
    geoms: Vec<MultiPolygon>,
    unclassified: usize,
}

/// Maps a hazard feature index to its class index (None: not one of the classes).
type ClassOf<'a> = Box<dyn Fn(usize) -> Option<usize> + 'a>;

fn classify(layer: &Layer, p: &ExposureParams) -> Result<Classes> {
    let polys = |g: &Option<Geometry>| {
        g.as_ref()
            .and_then(as_multipolygon)
            .map(|m| m.0)
            .unwrap_or_default()
    };
    let Some(field) = &p.class_field else {
        let all: Vec<Polygon> = layer.geometries.iter().flat_map(polys).collect();
        return Ok(Classes {
            names: vec!["all".into()],
            geoms: dissolve::exclusive_classes(&[all]),
            unclassified: 0,
        });
    };
    let col = layer.column(field)?;
    let (names, class_of): (Vec<String>, ClassOf) = if let Some(breaks) = &p.breaks {
        if !col.is_numeric() {
            return Err(Error::param(
                Exposure::NAME,
                "breaks",
                format!("field '{field}' is not numeric"),
            ));
        }
        if breaks.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::param(
                Exposure::NAME,
                "breaks",
                "breaks must increase",
            ));
        }
        let n = breaks.len() + 1;
        let names = match &p.classes {
            Some(c) if c.len() == n => c.clone(),
            Some(c) => {
                return Err(Error::param(
                    Exposure::NAME,
                    "classes",
                    format!(
                        "{} breaks make {n} classes, but {} names were given",
                        breaks.len(),
                        c.len()
                    ),
                ))
            }
            None => (1..=n).map(|i| format!("c{i}")).collect(),
        };
        let breaks = breaks.clone();
        (
            names,
            Box::new(move |i| {
                col.f64_at(i)
                    .map(|v| breaks.iter().take_while(|b| v >= **b).count())
            }),
        )
    } else {
        let names = match &p.classes {
            Some(c) => c.clone(),
            None => distinct_sorted(col),
        };
        let lookup = names.clone();
        (
            names,
            Box::new(move |i| {
                col.get(i)
                    .as_key()
                    .and_then(|k| lookup.iter().position(|c| *c == k))
            }),
        )
    };
    let mut by_class: Vec<Vec<Polygon>> = vec![Vec::new(); names.len()];
    let mut unclassified = 0;
    for (i, g) in layer.geometries.iter().enumerate() {
        match class_of(i) {
            Some(c) => by_class[c].extend(polys(g)),
            None => unclassified += 1,
        }
    }
    Ok(Classes {
        names,
        geoms: dissolve::exclusive_classes(&by_class),
        unclassified,
    })
}

fn distinct_sorted(col: &Column) -> Vec<String> {
    let mut vals: Vec<(Option<f64>, String)> = (0..col.len())
        .filter_map(|i| col.get(i).as_key().map(|k| (col.f64_at(i), k)))
        .collect();
    vals.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => a.1.cmp(&b.1),
    });
    vals.dedup_by(|a, b| a.1 == b.1);
    vals.into_iter().map(|v| v.1).collect()
}

/// A class value as a field-name suffix: lower case, runs of other characters as `_`.
fn suffix(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    s.trim_matches('_').to_string()
}

impl TypedAnalysis for Exposure {
    type Params = ExposureParams;
    const NAME: &'static str = "exposure";
    const DESCRIPTOR: Descriptor = Descriptor {
        title: text("Keterpaparan bencana", "Hazard exposure"),
        description: text(
            "Penduduk, rumah tangga dan fasilitas di kawasan rawan bencana per zona, dengan perkiraan pengungsi dan kebutuhan dasar mingguan (BNPB)",
            "People, households and facilities in a hazard zone per zone, with displaced and weekly needs (BNPB)",
        ),
        columns: &[
            Col::new(
                "area_m2",
                text("Luas zona", "Zone area"),
                Unit::SquareMetres,
                Kind::Area,
                Better::Neutral,
            ),
            Col::new(
                "hazard_area_m2",
                text("Luas kawasan bahaya", "Hazard area"),
                Unit::SquareMetres,
                Kind::Area,
                Better::Lower,
            ),
            Col::new(
                "hazard_share",
                text("Bagian wilayah di kawasan bahaya", "Share of the area in the hazard"),
                Unit::Percent,
                Kind::Share,
                Better::Lower,
            ),
            Col::new(
                "population",
                text("Penduduk", "Population"),
                Unit::People,
                Kind::Count,
                Better::Neutral,
            ),
            Col::new(
                "exposed_population",
                text("Penduduk terpapar", "People exposed"),
                Unit::People,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "exposed_share",
                text("Persentase penduduk terpapar", "Share of people exposed"),
                Unit::Percent,
                Kind::Share,
                Better::Lower,
            )
            .headline(),
            // The default counts, named so that each has its own unit and words; any other
            // count falls to the `exposed_{count}` templates below.
            Col::new(
                "exposed_households",
                text("Rumah tangga terpapar", "Households exposed"),
                Unit::Households,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "exposed_households_share",
                text("Persentase rumah tangga terpapar", "Share of households exposed"),
                Unit::Percent,
                Kind::Share,
                Better::Lower,
            ),
            Col::new(
                "exposed_poor_households",
                text("Rumah tangga miskin terpapar", "Poor households exposed"),
                Unit::Households,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "exposed_poor_households_share",
                text(
                    "Persentase rumah tangga miskin terpapar",
                    "Share of poor households exposed",
                ),
                Unit::Percent,
                Kind::Share,
                Better::Lower,
            ),
            Col::new(
                "exposed_under5",
                text("Balita terpapar", "Children under five exposed"),
                Unit::People,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "exposed_under5_share",
                text("Persentase balita terpapar", "Share of children under five exposed"),
                Unit::Percent,
                Kind::Share,
                Better::Lower,
            ),
            Col::new(
                "exposed_elderly",
                text("Lansia terpapar", "Elderly people exposed"),
                Unit::People,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "exposed_elderly_share",
                text("Persentase lansia terpapar", "Share of elderly people exposed"),
                Unit::Percent,
                Kind::Share,
                Better::Lower,
            ),
            Col::new(
                "poor_exposed_share",
                text(
                    "Persentase rumah tangga miskin terpapar",
                    "Share of poor households exposed",
                ),
                Unit::Percent,
                Kind::Share,
                Better::Lower,
            ),
            Col::new(
                "facilities_exposed",
                text("Fasilitas di kawasan bahaya", "Facilities in the hazard"),
                Unit::Facilities,
                Kind::Detail,
                Better::Lower,
            ),
            Col::new(
                "facilities_exposed_kinds",
                text(
                    "Fasilitas di kawasan bahaya menurut jenis",
                    "Facilities in the hazard by kind",
                ),
                Unit::Facilities,
                Kind::Detail,
                Better::Lower,
            ),
            Col::new(
                "displaced",
                text("Perkiraan pengungsi", "People displaced"),
                Unit::People,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "needs_rice_kg",
                text("Kebutuhan beras (kg/minggu)", "Rice needed (kg/week)"),
                Unit::None,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "needs_drinking_water_l",
                text(
                    "Kebutuhan air minum (liter/minggu)",
                    "Drinking water needed (litres/week)",
                ),
                Unit::None,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "needs_clean_water_l",
                text(
                    "Kebutuhan air bersih (liter/minggu)",
                    "Clean water needed (litres/week)",
                ),
                Unit::None,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "needs_family_kits",
                text("Kebutuhan paket keluarga", "Family kits needed"),
                Unit::None,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "needs_toilets",
                text("Kebutuhan jamban", "Toilets needed"),
                Unit::None,
                Kind::Count,
                Better::Lower,
            ),
            // Per class (when the hazard has more than one) and other counts. Templates are
            // tried in order, so the more specific come first: `exposed_{count}` would also
            // match `exposed_population_tinggi`, and `exposed_population_{class}` would match
            // `exposed_population_share` of a `population` count.
            Col::new(
                "hazard_area_m2_{class}",
                text("Luas kawasan bahaya kelas {class}", "Hazard area, class {class}"),
                Unit::SquareMetres,
                Kind::Area,
                Better::Lower,
            ),
            Col::new(
                "exposed_{count}_share",
                text("Persentase {count} terpapar", "Share of {count} exposed"),
                Unit::Percent,
                Kind::Share,
                Better::Lower,
            ),
            Col::new(
                "exposed_population_{class}",
                text("Penduduk terpapar kelas {class}", "People exposed, class {class}"),
                Unit::People,
                Kind::Count,
                Better::Lower,
            ),
            Col::new(
                "exposed_{count}",
                text("{count} terpapar", "{count} exposed"),
                Unit::None,
                Kind::Count,
                Better::Lower,
            ),
        ],
    };

    /// The finest zones in the hazard a scenario edits, else the first hazard.
    fn defaults(project: &Project, focus: &Focus) -> Result<Value> {
        Ok(serde_json::json!({
            "zones": defaults::finest_zones(project, Self::NAME)?,
            "hazard": defaults::hazard(project, focus, Self::NAME)?,
        }))
    }

    fn run(&self, project: &Project, p: &mut ExposureParams) -> Result<Output> {
        let zones = layer_param(project, Self::NAME, "zones", &p.zones, &[Role::Zones], true)?;
        let hazard = layer_param(
            project,
            Self::NAME,
            "hazard",
            &p.hazard,
            &[Role::Hazard],
            false,
        )?;
        let population = resolve_population(project, p, zones)?;
        let count_fields = resolve_counts(p, zones)?;
        let classes = classify(hazard, p)?;
        let rates = displacement_rates(p, &classes)?;
        let areas = HazardAreas::of(zones, &classes);
        let people = exposed_people(project, zones, &population, &classes, &areas)?;
        let counts = exposed_counts(zones, &count_fields, &areas)?;
        let facilities = match &p.facilities {
            Some(f) => Some(facilities_in_hazard(project, p, f, zones, &areas)?),
            None => None,
        };
        let displaced = people.displaced(&rates);
        let rows = (0..zones.len())
            .map(|z| {
                exposure_row(
                    z,
                    zones,
                    &classes,
                    &areas,
                    &people,
                    &counts,
                    facilities.as_ref(),
                )
                .with_displaced(displaced[z], &p.needs)
                .into_row()
            })
            .collect();
        let summary = summary(
            &classes,
            &areas,
            &people,
            &displaced,
            &counts,
            facilities.as_ref(),
            &p.needs,
        );
        let mut layers_used = vec![zones.name.clone(), hazard.name.clone()];
        if let PopulationSource::Layer { layer, .. } = &population {
            layers_used.push(layer.clone());
        }
        layers_used.extend(p.facilities.clone());
        Ok(Output {
            summary,
            rows,
            row_layer: Some(zones.name.clone()),
            layers_used,
        })
    }
}

/// Where the people are: `population` as given, else the zone layer's population field
/// (filled into `p`).
fn resolve_population(
    project: &Project,
    p: &mut ExposureParams,
    zones: &Layer,
) -> Result<PopulationSource> {
    let population = match p.population.clone() {
        Some(src) => src,
        None => PopulationSource::Field(
            project
                .spec(&zones.name)
                .and_then(|s| s.population.clone())
                .ok_or_else(|| {
                    Error::param(
                        Exposure::NAME,
                        "population",
                        format!(
                            "zone layer '{}' names no population field; give `population`",
                            zones.name
                        ),
                    )
                })?,
        ),
    };
    p.population = Some(population.clone());
    Ok(population)
}

/// The zone count fields to expose: `counts`, else those of [`DEFAULT_COUNTS`] the zones
/// have (filled into `p`); each must be numeric.
fn resolve_counts(p: &mut ExposureParams, zones: &Layer) -> Result<Vec<String>> {
    let counts: Vec<String> = match &p.counts {
        Some(c) => c.clone(),
        None => DEFAULT_COUNTS
            .iter()
            .filter(|f| zones.numeric_column(f).is_ok())
            .map(|f| f.to_string())
            .collect(),
    };
    for f in &counts {
        zones.numeric_column(f)?;
    }
    p.counts = Some(counts.clone());
    Ok(counts)
}

/// The displacement rate of each class (filled into `p`); a rate for no class is an error.
fn displacement_rates(p: &mut ExposureParams, classes: &Classes) -> Result<Vec<f64>> {
    let rates: Vec<f64> = classes
        .names
        .iter()
        .map(|c| {
            p.displacement_rate
                .get(c)
                .copied()
                .unwrap_or(DEFAULT_DISPLACEMENT)
        })
        .collect();
    if let Some(k) = p
        .displacement_rate
        .keys()
        .find(|k| !classes.names.contains(k))
    {
        return Err(Error::param(
            Exposure::NAME,
            "displacement_rate",
            format!(
                "'{k}' is not a hazard class (classes: {})",
                classes.names.join(", ")
            ),
        ));
    }
    for (c, r) in classes.names.iter().zip(&rates) {
        p.displacement_rate.insert(c.clone(), *r);
    }
    Ok(rates)
}

/// The hazard combined with the zones: each zone's area and its hazard area per class.
struct HazardAreas {
    zone_area: Vec<f64>,
    /// `haz[z][c]`: area of zone `z` in class `c`.
    haz: Vec<Vec<f64>>,
    /// The classes' geometries, one per class, and their index.
    class_geoms: Vec<Option<Geometry>>,
    class_index: SpatialIndex,
}

impl HazardAreas {
    /// *Combine with the aggregation zones*: overlay areas per zone and class.
    fn of(zones: &Layer, classes: &Classes) -> HazardAreas {
        let class_geoms: Vec<Option<Geometry>> = classes
            .geoms
            .iter()
            .map(|m| Some(Geometry::MultiPolygon(m.clone())))
            .collect();
        let class_index = SpatialIndex::build(&class_geoms);
        let zone_area: Vec<f64> = zones
            .geometries
            .iter()
            .map(|g| {
                g.as_ref()
                    .and_then(as_multipolygon)
                    .map_or(0.0, |m| m.unsigned_area())
            })
            .collect();
        let mut haz = vec![vec![0.0; classes.names.len()]; zones.len()];
        for o in overlaps(&zones.geometries, &class_geoms, &class_index) {
            haz[o.a][o.b] += o.measure;
        }
        HazardAreas {
            zone_area,
            haz,
            class_geoms,
            class_index,
        }
    }

    /// The share of zone `z` in class `c` (0 for a zone without area).
    fn share_in(&self, z: usize, c: usize) -> f64 {
        if self.zone_area[z] > 0.0 {
            (self.haz[z][c] / self.zone_area[z]).min(1.0)
        } else {
            0.0
        }
    }

    /// The class geometries highest first, with their index: the point-in-polygon rule
    /// (lowest index on a boundary) then picks the highest class.
    fn descending(&self) -> (Vec<Option<Geometry>>, SpatialIndex) {
        let desc: Vec<Option<Geometry>> = self.class_geoms.iter().rev().cloned().collect();
        let index = SpatialIndex::build(&desc);
        (desc, index)
    }
}

/// People per zone, and exposed people per zone and class.
struct People {
    pop: Vec<f64>,
    /// `exposed[z][c]`.
    exposed: Vec<Vec<f64>>,
}

impl People {
    /// Displaced per zone: exposed × the displacement rate of each class.
    fn displaced(&self, rates: &[f64]) -> Vec<f64> {
        self.exposed
            .iter()
            .map(|e| (0..rates.len()).map(|c| e[c] * rates[c]).sum())
            .collect()
    }
}

/// *Recompute counts*: zone populations split by area share, or a demand layer's people
/// where they are.
fn exposed_people(
    project: &Project,
    zones: &Layer,
    population: &PopulationSource,
    classes: &Classes,
    areas: &HazardAreas,
) -> Result<People> {
    let (n, nc) = (zones.len(), classes.names.len());
    let mut pop = vec![0.0; n];
    let mut exposed = vec![vec![0.0; nc]; n];
    match population {
        PopulationSource::Field(f) => {
            let col = zones.numeric_column(f)?;
            for (z, row) in exposed.iter_mut().enumerate() {
                pop[z] = col.f64_at(z).unwrap_or(0.0);
                for (c, e) in row.iter_mut().enumerate() {
                    *e = pop[z] * areas.share_in(z, c);
                }
            }
        }
        PopulationSource::Layer { layer, field } => {
            let demand = project.layers.get(layer)?;
            let col = demand.numeric_column(field)?;
            demand_exposure(zones, demand, col, areas, &mut pop, &mut exposed);
        }
    }
    Ok(People { pop, exposed })
}

/// Other zone counts exposed by area share.
struct Counts {
    fields: Vec<String>,
    /// `zone[k][z]`: field `k` of zone `z` (null → 0).
    zone: Vec<Vec<f64>>,
    /// `exposed[k][z]`.
    exposed: Vec<Vec<f64>>,
    /// Σ over the zones of each field.
    total: Vec<f64>,
    /// The field that holds poor households, for the `poor_exposed_share` shortcut.
    poor: Option<usize>,
}

/// The count fields' values and exposed values per zone.
fn exposed_counts(zones: &Layer, fields: &[String], areas: &HazardAreas) -> Result<Counts> {
    let n = zones.len();
    let nc = areas.class_geoms.len();
    let mut exposed = vec![vec![0.0; n]; fields.len()];
    let mut zone = vec![vec![0.0; n]; fields.len()];
    let mut total = vec![0.0; fields.len()];
    for (k, f) in fields.iter().enumerate() {
        let col = zones.numeric_column(f)?;
        for z in 0..n {
            let v = col.f64_at(z).unwrap_or(0.0);
            zone[k][z] = v;
            total[k] += v;
            exposed[k][z] = (0..nc).map(|c| v * areas.share_in(z, c)).sum();
        }
    }
    Ok(Counts {
        poor: fields
            .iter()
            .position(|f| f.contains("poor") || f.contains("miskin")),
        fields: fields.to_vec(),
        zone,
        exposed,
        total,
    })
}

/// Facilities in the hazard, per zone.
struct FacilitiesHit {
    ids: Vec<Vec<String>>,
    kinds: Vec<BTreeMap<String, u64>>,
    total: u64,
}

/// The facilities of layer `fname` (of `facility_kinds`, if given) in the hazard, each in
/// the zone it falls in.
fn facilities_in_hazard(
    project: &Project,
    p: &ExposureParams,
    fname: &str,
    zones: &Layer,
    areas: &HazardAreas,
) -> Result<FacilitiesHit> {
    let n = zones.len();
    let mut hit = FacilitiesHit {
        ids: vec![Vec::new(); n],
        kinds: vec![BTreeMap::new(); n],
        total: 0,
    };
    let fac = project.layers.get(fname)?;
    let kind_col = match project.spec(fname).and_then(|s| s.kind.clone()) {
        Some(k) => Some(fac.column(&k)?),
        None => None,
    };
    if p.facility_kinds.is_some() && kind_col.is_none() {
        return Err(Error::param(
            Exposure::NAME,
            "facility_kinds",
            format!("layer '{fname}' names no `kind` field in the project"),
        ));
    }
    let zone_index = SpatialIndex::of(zones);
    let (desc, desc_index) = areas.descending();
    for (i, g) in fac.geometries.iter().enumerate() {
        let kind = kind_col.and_then(|k| k.get(i).as_key()).unwrap_or_default();
        if p.facility_kinds
            .as_ref()
            .is_some_and(|k| !k.contains(&kind))
        {
            continue;
        }
        let Some(c) = g.as_ref().and_then(point_coord) else {
            continue;
        };
        if point_in_polygon::locate(c, &desc, &desc_index).is_none() {
            continue;
        }
        let Some(z) = point_in_polygon::locate(c, &zones.geometries, &zone_index) else {
            continue;
        };
        hit.total += 1;
        hit.ids[z].push(fac.ids[i].clone());
        *hit.kinds[z].entry(kind).or_default() += 1;
    }
    Ok(hit)
}

/// A zone's row.
struct ExposureRow {
    id: String,
    area_m2: f64,
    hazard_area_m2: f64,
    hazard_share: f64,
    /// With more than one class: (class suffix, hazard area) per class.
    hazard_area_by_class: Vec<(String, f64)>,
    population: f64,
    exposed_population: f64,
    exposed_share: f64,
    /// With more than one class: (class suffix, people exposed) per class.
    exposed_by_class: Vec<(String, f64)>,
    /// (field, exposed, exposed share) per count field.
    counts: Vec<(String, f64, f64)>,
    poor_exposed_share: Option<f64>,
    /// With `facilities`: those in the hazard, and how many of each kind.
    facilities: Option<(Vec<String>, BTreeMap<String, u64>)>,
    displaced: f64,
    /// Weekly needs of the displaced.
    needs: Vec<(&'static str, f64)>,
}

/// A zone with none of a count has a share of 0, not 0/0.
fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}

/// Zone `z`'s row, before *post-processing* (displaced and needs).
fn exposure_row(
    z: usize,
    zones: &Layer,
    classes: &Classes,
    areas: &HazardAreas,
    people: &People,
    counts: &Counts,
    facilities: Option<&FacilitiesHit>,
) -> ExposureRow {
    let per_class = classes.names.len() > 1;
    let by_class = |v: &[f64]| -> Vec<(String, f64)> {
        if per_class {
            classes
                .names
                .iter()
                .map(|c| suffix(c))
                .zip(v.iter().copied())
                .collect()
        } else {
            Vec::new()
        }
    };
    let h: f64 = areas.haz[z].iter().sum();
    let e: f64 = people.exposed[z].iter().sum();
    let count_share = |k: usize| share(counts.exposed[k][z], counts.zone[k][z]);
    ExposureRow {
        id: zones.ids[z].clone(),
        area_m2: areas.zone_area[z],
        hazard_area_m2: h,
        hazard_share: if areas.zone_area[z] > 0.0 {
            (h / areas.zone_area[z]).min(1.0)
        } else {
            0.0
        },
        hazard_area_by_class: by_class(&areas.haz[z]),
        population: people.pop[z],
        exposed_population: e,
        exposed_share: share(e, people.pop[z]),
        exposed_by_class: by_class(&people.exposed[z]),
        counts: counts
            .fields
            .iter()
            .enumerate()
            .map(|(k, f)| (f.clone(), counts.exposed[k][z], count_share(k)))
            .collect(),
        poor_exposed_share: counts.poor.map(count_share),
        facilities: facilities.map(|f| (f.ids[z].clone(), f.kinds[z].clone())),
        displaced: 0.0,
        needs: Vec::new(),
    }
}

impl ExposureRow {
    /// *Post-process*: the displaced and their weekly needs.
    fn with_displaced(mut self, displaced: f64, needs: &Needs) -> ExposureRow {
        self.displaced = displaced;
        self.needs = needs
            .items()
            .iter()
            .map(|(name, rate)| (*name, displaced * rate))
            .collect();
        self
    }

    fn into_row(self) -> Row {
        let mut r = Row::new();
        r.insert("id".into(), Value::String(self.id));
        r.insert("area_m2".into(), num(self.area_m2));
        r.insert("hazard_area_m2".into(), num(self.hazard_area_m2));
        r.insert("hazard_share".into(), num(self.hazard_share));
        for (s, a) in self.hazard_area_by_class {
            r.insert(format!("hazard_area_m2_{s}"), num(a));
        }
        r.insert("population".into(), num(self.population));
        r.insert("exposed_population".into(), num(self.exposed_population));
        r.insert("exposed_share".into(), num(self.exposed_share));
        for (s, e) in self.exposed_by_class {
            r.insert(format!("exposed_population_{s}"), num(e));
        }
        for (f, e, sh) in self.counts {
            r.insert(format!("exposed_{f}"), num(e));
            r.insert(format!("exposed_{f}_share"), num(sh));
        }
        if let Some(s) = self.poor_exposed_share {
            r.insert("poor_exposed_share".into(), num(s));
        }
        if let Some((ids, kinds)) = self.facilities {
            r.insert(
                "facilities_exposed".into(),
                Value::Array(ids.into_iter().map(Value::String).collect()),
            );
            r.insert(
                "facilities_exposed_kinds".into(),
                serde_json::to_value(&kinds).unwrap_or(Value::Null),
            );
        }
        r.insert("displaced".into(), num(self.displaced));
        for (name, v) in self.needs {
            r.insert(name.into(), num(v));
        }
        r
    }
}

/// The summary: city totals, per class with more than one class, of each count, the
/// displaced and their needs.
fn summary(
    classes: &Classes,
    areas: &HazardAreas,
    people: &People,
    displaced: &[f64],
    counts: &Counts,
    facilities: Option<&FacilitiesHit>,
    needs: &Needs,
) -> Map<String, Value> {
    let nc = classes.names.len();
    let (mut tot_pop, mut tot_exp, mut tot_disp, mut tot_haz) = (0.0, 0.0, 0.0, 0.0);
    let mut tot_exp_class = vec![0.0; nc];
    for (z, exposed) in people.exposed.iter().enumerate() {
        tot_pop += people.pop[z];
        tot_exp += exposed.iter().sum::<f64>();
        tot_disp += displaced[z];
        tot_haz += areas.haz[z].iter().sum::<f64>();
        for (t, e) in tot_exp_class.iter_mut().zip(exposed) {
            *t += e;
        }
    }
    let mut s = Map::new();
    s.insert("population".into(), num(tot_pop));
    s.insert("exposed_population".into(), num(tot_exp));
    s.insert("exposed_share".into(), num(share(tot_exp, tot_pop)));
    if nc > 1 {
        for (c, name) in classes.names.iter().enumerate() {
            s.insert(
                format!("exposed_population_{}", suffix(name)),
                num(tot_exp_class[c]),
            );
        }
    }
    s.insert(
        "classes".into(),
        Value::Array(classes.names.iter().cloned().map(Value::String).collect()),
    );
    s.insert("hazard_area_m2".into(), num(tot_hazard_area(classes)));
    s.insert("hazard_area_in_zones_m2".into(), num(tot_haz));
    for (k, f) in counts.fields.iter().enumerate() {
        let e: f64 = counts.exposed[k].iter().sum();
        s.insert(format!("exposed_{f}"), num(e));
        s.insert(format!("exposed_{f}_share"), num(share(e, counts.total[k])));
    }
    if let Some(k) = counts.poor {
        let e: f64 = counts.exposed[k].iter().sum();
        s.insert("poor_exposed_share".into(), num(share(e, counts.total[k])));
    }
    s.insert("displaced".into(), num(tot_disp));
    for (name, rate) in needs.items() {
        s.insert(name.into(), num(tot_disp * rate));
    }
    if let Some(f) = facilities {
        s.insert("facilities_exposed".into(), f.total.into());
    }
    s.insert(
        "unclassified_hazard_features".into(),
        classes.unclassified.into(),
    );
    s
}

fn tot_hazard_area(classes: &Classes) -> f64 {
    classes.geoms.iter().map(|m| m.unsigned_area()).sum()
}

/// People from a demand layer: points take the class they fall in (highest on a shared
/// boundary); polygons are split by area over zones and classes.
fn demand_exposure(
    zones: &Layer,
    demand: &Layer,
    col: &Column,
    areas: &HazardAreas,
    pop: &mut [f64],
    exposed: &mut [Vec<f64>],
) {
    let nc = areas.class_geoms.len();
    let zone_index = SpatialIndex::of(zones);
    let (desc, desc_index) = areas.descending();
    let zone_polys: Vec<Option<MultiPolygon>> = zones
        .geometries
        .iter()
        .map(|g| g.as_ref().and_then(as_multipolygon))
        .collect();
    for (i, g) in demand.geometries.iter().enumerate() {
        let Some(g) = g else { continue };
        let v = col.f64_at(i).unwrap_or(0.0);
        if let Some(c) = point_coord(g) {
            let Some(z) = point_in_polygon::locate(c, &zones.geometries, &zone_index) else {
                continue;
            };
            pop[z] += v;
            if let Some(d) = point_in_polygon::locate(c, &desc, &desc_index) {
                exposed[z][nc - 1 - d] += v;
            }
        } else if let (Some(mp), Some(bbox)) = (as_multipolygon(g), g.bounding_rect()) {
            let total = mp.unsigned_area();
            if total <= 0.0 {
                continue;
            }
            for z in zone_index.in_rect(bbox) {
                let Some(zp) = &zone_polys[z] else { continue };
                let piece = mp.intersection(zp);
                let a = piece.unsigned_area();
                if a <= 0.0 {
                    continue;
                }
                pop[z] += v * a / total;
                for c in areas.class_index.in_rect(bbox) {
                    if let Some(Geometry::MultiPolygon(cg)) = &areas.class_geoms[c] {
                        exposed[z][c] += v * piece.intersection(cg).unsigned_area() / total;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::{ints, rect as sq, spec, text};
    use crate::crs::Crs;
    use crate::layer::Value as Cell;
    use geo::{point, polygon};
    use serde_json::json;

    /// Two 100×100 zones (A: 1000 people, 200 poor; B: 500 people, 0 poor). Hazard: a "low"
    /// strip x∈[50,150] over the full height, and a "high" square [100,150]×[0,50] that
    /// overlaps it (the high class wins there). A school at (120, 25) (high), one at (10, 10).
    fn project() -> Project {
        let c = Crs::Epsg(32651);
        let mut z = Layer::new(
            "z",
            Role::Zones,
            Some(c.clone()),
            vec![sq(0.0, 0.0, 100.0, 100.0), sq(100.0, 0.0, 100.0, 100.0)],
            vec![
                text("kode", &["A", "B"]),
                ints("population", &[1000, 500]),
                ints("poor_households", &[200, 0]),
            ],
        )
        .expect("z");
        z.set_id_field("kode").expect("id");
        let h = Layer::new(
            "h",
            Role::Hazard,
            Some(c.clone()),
            vec![sq(50.0, 0.0, 100.0, 100.0), sq(100.0, 0.0, 50.0, 50.0)],
            vec![text("kelas", &["low", "high"])],
        )
        .expect("h");
        let mut f = Layer::new(
            "f",
            Role::Facilities,
            Some(c.clone()),
            vec![
                Some(point!(x: 120.0, y: 25.0).into()),
                Some(point!(x: 10.0, y: 10.0).into()),
            ],
            vec![text("kode", &["S1", "S2"]), text("jenis", &["SD", "SD"])],
        )
        .expect("f");
        f.set_id_field("kode").expect("id");
        let mut zs = spec("z", "zones");
        zs.population = Some("population".into());
        let mut fs = spec("f", "facilities");
        fs.kind = Some("jenis".into());
        Project::from_layers("t", c, vec![(zs, z), (spec("h", "hazard"), h), (fs, f)]).expect("p")
    }

    #[test]
    fn by_hand_with_overlapping_classes() {
        let r = super::super::run(&project(), "exposure", json!({"zones": "z", "hazard": "h", "class_field": "kelas", "classes": ["low", "high"], "facilities": "f"})).expect("run");
        let (a, b) = (&r.rows[0], &r.rows[1]);
        // A: low strip x∈[50,100] = 5000 m² of 10000 → half of 1000 people.
        assert_eq!(a["hazard_area_m2"], 5000.0);
        assert_eq!(a["hazard_share"], 0.5);
        assert_eq!(a["exposed_population"], 500.0);
        assert_eq!(a["exposed_population_low"], 500.0);
        assert_eq!(a["exposed_poor_households"], 100.0);
        // B: x∈[100,150] full height = 5000 m²; of which high 2500, low 2500 (no double count).
        assert_eq!(b["hazard_area_m2"], 5000.0);
        assert_eq!(b["hazard_area_m2_high"], 2500.0);
        assert_eq!(b["hazard_area_m2_low"], 2500.0);
        assert_eq!(b["exposed_population"], 250.0);
        assert_eq!(b["exposed_population_high"], 125.0);
        assert_eq!(b["facilities_exposed"], json!(["S1"]));
        assert_eq!(b["facilities_exposed_kinds"], json!({"SD": 1}));
        assert_eq!(a["facilities_exposed"], json!([]));
        // Displaced = 1 % of exposed; needs = displaced × BNPB rates.
        assert!((b["displaced"].as_f64().unwrap_or(0.0) - 2.5).abs() < 1e-12);
        assert!((b["needs_rice_kg"].as_f64().unwrap_or(0.0) - 7.0).abs() < 1e-12);
        assert_eq!(r.summary["population"], 1500.0);
        assert_eq!(r.summary["exposed_population"], 750.0);
        assert_eq!(r.summary["poor_exposed_share"], 0.5);
        assert_eq!(r.summary["hazard_area_m2"], 10000.0);
        assert_eq!(
            r.params["displacement_rate"],
            json!({"high": 0.01, "low": 0.01})
        );
    }

    #[test]
    fn inasafe_minimum_needs_from_displaced() {
        // InaSAFE's test: ≈175.6 displaced → rice 492, drinking 3073, clean 11764, kits 35, toilets 9.
        let n = Needs::default();
        let d = 175.58;
        assert_eq!((d * n.rice_kg).round(), 492.0);
        assert_eq!((d * n.drinking_water_l).round(), 3073.0);
        assert_eq!((d * n.clean_water_l).round(), 11764.0);
        assert_eq!((d * n.family_kits).round(), 35.0);
        assert_eq!((d * n.toilets).round(), 9.0);
    }

    #[test]
    fn demand_points_take_the_highest_class() {
        let mut p = project();
        let pts = vec![
            Some(point!(x: 120.0, y: 25.0).into()),
            Some(point!(x: 120.0, y: 75.0).into()),
            Some(point!(x: 10.0, y: 10.0).into()),
            Some(point!(x: 100.0, y: 50.0).into()),
        ];
        let d = Layer::new(
            "d",
            Role::Demand,
            Some(Crs::Epsg(32651)),
            pts,
            vec![ints("jiwa", &[10, 20, 30, 40])],
        )
        .expect("d");
        p.layers.insert(d);
        let r = super::super::run(&p, "exposure", json!({"zones": "z", "hazard": "h", "class_field": "kelas", "classes": ["low", "high"], "population": {"layer": "d", "field": "jiwa"}})).expect("run");
        // (100, 50) is on the A|B edge → zone A; it is inside the low strip but on the corner
        // of the high square, and a boundary goes to the highest class it touches.
        assert_eq!(r.rows[0]["population"], 70.0);
        assert_eq!(r.rows[0]["exposed_population_high"], 40.0);
        assert_eq!(r.rows[0]["exposed_population_low"], 0.0);
        assert_eq!(r.rows[1]["exposed_population_high"], 10.0);
        assert_eq!(r.rows[1]["exposed_population_low"], 20.0);
        assert_eq!(r.summary["exposed_population"], 70.0);
    }

    #[test]
    fn breaks_classify_depths_and_errors_name_params() {
        let mut p = project();
        let h = Layer::new(
            "d",
            Role::Hazard,
            Some(Crs::Epsg(32651)),
            vec![sq(0.0, 0.0, 50.0, 100.0), sq(150.0, 0.0, 50.0, 100.0)],
            vec![Column::from_values(
                "depth",
                vec![Cell::Float(0.3), Cell::Float(2.0)],
            )],
        )
        .expect("h");
        p.layers.insert(h);
        let r = super::super::run(&p, "exposure", json!({"zones": "z", "hazard": "d", "class_field": "depth", "breaks": [0.5, 1.5], "classes": ["rendah", "sedang", "tinggi"]})).expect("run");
        assert_eq!(r.rows[0]["exposed_population_rendah"], 500.0);
        assert_eq!(r.rows[1]["exposed_population_tinggi"], 250.0);
        assert_eq!(r.rows[1]["exposed_population_sedang"], 0.0);
        let e = super::super::run(&p, "exposure", json!({"zones": "z", "hazard": "d", "class_field": "depth", "breaks": [0.5], "classes": ["a"]})).expect_err("names");
        assert!(e.to_string().contains("parameter 'classes'"), "{e}");
        let e = super::super::run(&p, "exposure", json!({"zones": "z", "hazard": "z"}))
            .expect_err("role");
        assert!(e.to_string().contains("parameter 'hazard'"), "{e}");
        let e = super::super::run(&p, "exposure", json!({"zones": "z", "hazard": "h", "class_field": "kelas", "displacement_rate": {"wet": 0.1}})).expect_err("class");
        assert!(e.to_string().contains("'wet'"), "{e}");
    }

    #[test]
    fn zero_area_zone_gives_zero_not_nan() {
        let mut p = project();
        let mut z = Layer::new(
            "z0",
            Role::Zones,
            Some(Crs::Epsg(32651)),
            vec![Some(
                polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 2.0, y: 0.0)].into(),
            )],
            vec![ints("population", &[10])],
        )
        .expect("z");
        z.set_id_field("population").expect("id");
        p.layers.insert(z);
        let r = super::super::run(
            &p,
            "exposure",
            json!({"zones": "z0", "hazard": "h", "population": "population"}),
        )
        .expect("run");
        assert_eq!(r.rows[0]["exposed_population"], 0.0);
        assert_eq!(r.rows[0]["hazard_share"], 0.0);
    }
}
