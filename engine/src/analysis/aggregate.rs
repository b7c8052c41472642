//! `aggregate`: count, sum and mean of one layer's features per zone of another.
//!
//! Stages: *map* each feature to the zones it falls in with a weight (points by containment,
//! weight 1, boundary rule of [`crate::kernels::point_in_polygon`]; lines and polygons by
//! overlay, weight = the share of their length / area inside the zone; table rows by code,
//! weight 1) → *aggregate* per zone. Zones with no features are reported with count 0.

use super::defaults::{self, Focus};
use super::descriptor::{text, Better, Column, Descriptor, Kind, Unit};
use super::inputs::rows_to_features;
use super::{layer_param, num, Output, Row, TypedAnalysis};
use crate::error::{Error, Result};
use crate::kernels::{overlay, point_coord, point_in_polygon};
use crate::layer::{GeomKind, Layer, Role};
use crate::project::Project;
use crate::rtree::SpatialIndex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `aggregate` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Aggregate;

/// Params of `aggregate`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateParams {
    /// Zone layer the rows are reported on (e.g. `kelurahan`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Zona", "en": "Zones"},
        "x-tepat-help" = {"id": "Lapisan zona tempat hasil dilaporkan (mis. `kelurahan`)."},
        "x-tepat-layer" = {"roles": ["zones", "hazard"], "geometry": ["polygon"]}
    ))]
    pub zones: String,
    /// Layer whose features are counted: points, lines, polygons, or a `table` joined by code.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Lapisan yang dihitung", "en": "Layer to count"},
        "x-tepat-help" = {"id": "Lapisan yang fiturnya dihitung: titik, garis, poligon, atau `table` yang digabung menurut kode."},
        "x-tepat-layer" = {"roles": ["facilities", "demand", "events", "network", "hazard", "zones", "table", "context"]}
    ))]
    pub layer: String,
    /// Numeric fields of `layer` to total; each gives `sum_<field>` and `mean_<field>`.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Jumlahkan kolom", "en": "Fields to total"},
        "x-tepat-help" = {"id": "Kolom numerik `layer` yang dijumlahkan; masing-masing memberi `sum_<kolom>` dan `mean_<kolom>`."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "float"]}
    ))]
    pub sum: Vec<String>,
    /// Only features whose `filter.field` is one of `filter.values` (e.g. schools of one level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Saring", "en": "Filter"},
        "x-tepat-help" = {"id": "Hanya fitur yang nilai `filter.field`-nya termasuk `filter.values` (mis. sekolah satu jenjang)."}
    ))]
    pub filter: Option<Filter>,
    /// For a table layer: the field holding the zone id (default: the layer's `key` in the project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom kode", "en": "Key field"},
        "x-tepat-help" = {"id": "Untuk lapisan tabel: kolom yang memuat kode zona (bawaan: `key` lapisan itu di proyek)."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "text"]}
    ))]
    pub key: Option<String>,
}

/// Keep only features whose field value is one of `values` (compared as text).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Field to test.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom", "en": "Field"},
        "x-tepat-help" = {"id": "Kolom yang diuji."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "text"]}
    ))]
    pub field: String,
    /// Accepted values.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Nilai", "en": "Values"},
        "x-tepat-help" = {"id": "Nilai yang diterima."}
    ))]
    pub values: Vec<String>,
}

/// A feature's contribution to a zone.
struct Hit {
    feature: usize,
    zone: usize,
    weight: f64,
    measure: f64,
}

impl TypedAnalysis for Aggregate {
    type Params = AggregateParams;
    const NAME: &'static str = "aggregate";
    const DESCRIPTOR: Descriptor = Descriptor {
        title: text("Agregasi per zona", "Aggregate per zone"),
        description: text(
            "Jumlah, total dan rata-rata fitur sebuah lapisan (atau baris tabel, menurut kode) per zona",
            "Count, sum and mean of a layer's features (or a table's rows, by code) per zone",
        ),
        columns: &[
            Column::new(
                "count",
                text("Jumlah fitur", "Features"),
                Unit::None,
                Kind::Count,
                Better::Neutral,
            )
            .headline(),
            Column::new(
                "area_m2",
                text("Luas di dalam zona", "Area inside the zone"),
                Unit::SquareMetres,
                Kind::Area,
                Better::Neutral,
            ),
            Column::new(
                "length_m",
                text("Panjang di dalam zona", "Length inside the zone"),
                Unit::Metres,
                Kind::Distance,
                Better::Neutral,
            ),
            Column::new(
                "sum_{field}",
                text("Total {field}", "Sum of {field}"),
                Unit::None,
                Kind::Count,
                Better::Neutral,
            ),
            Column::new(
                "mean_{field}",
                text("Rata-rata {field}", "Mean of {field}"),
                Unit::None,
                Kind::Score,
                Better::Neutral,
            ),
        ],
    };

    /// The finest zones and the first facility layer: how many facilities each zone has.
    fn defaults(project: &Project, focus: &Focus) -> Result<Value> {
        Ok(serde_json::json!({
            "zones": defaults::finest_zones(project, Self::NAME)?,
            "layer": defaults::facilities(project, focus, Self::NAME)?,
        }))
    }

    fn run(&self, project: &Project, p: &mut AggregateParams) -> Result<Output> {
        let zones = layer_param(
            project,
            Self::NAME,
            "zones",
            &p.zones,
            &[Role::Zones, Role::Hazard],
            true,
        )?;
        let layer = project.layers.get(&p.layer)?;
        let fields = p
            .sum
            .iter()
            .map(|f| layer.numeric_column(f).map(|_| f.as_str()))
            .collect::<Result<Vec<_>>>()?;
        let keep = feature_filter(layer, p.filter.as_ref())?;
        let mapped = if layer.role == Role::Table {
            let key = table_key(project, p, layer)?;
            let mapped = join_by_key(zones, layer, &key, &keep)?;
            p.key = Some(key);
            mapped
        } else {
            join_spatially(zones, layer, &keep)
        };
        let totals = Totals::of(&mapped.hits, layer, &fields, zones.len())?;
        let measure_name = match dominant_kind(layer) {
            Some(GeomKind::Line) => "length_m",
            _ => "area_m2",
        };
        let has_measure = mapped.hits.iter().any(|h| h.measure > 0.0);
        let rows = (0..zones.len())
            .map(|z| {
                AggregateRow {
                    id: zones.ids[z].clone(),
                    count: totals.count[z],
                    measure: has_measure.then_some((measure_name, totals.measure[z])),
                    sums: fields
                        .iter()
                        .enumerate()
                        .map(|(k, f)| (f.to_string(), totals.sums[k][z], totals.weights[k][z]))
                        .collect(),
                }
                .into_row()
            })
            .collect();
        let summary = summary(mapped.summary, &fields, &keep, &totals);
        Ok(Output {
            summary,
            rows,
            row_layer: Some(zones.name.clone()),
            layers_used: vec![zones.name.clone(), layer.name.clone()],
        })
    }
}

/// The field of table `layer` holding zone ids: `key`, else the layer's `key` in the project.
fn table_key(project: &Project, p: &AggregateParams, layer: &Layer) -> Result<String> {
    p.key
        .clone()
        .or_else(|| project.spec(&layer.name).and_then(|s| s.key.clone()))
        .ok_or_else(|| {
            Error::param(
                Aggregate::NAME,
                "key",
                format!(
                    "table '{}' needs `key`, the field holding zone ids",
                    layer.name
                ),
            )
        })
}

/// Features mapped to zones (stage *map*), and what the mapping says for the summary.
struct Mapped {
    hits: Vec<Hit>,
    /// `unmatched_keys` (a table) or `null_geometry_count` (features).
    summary: Map<String, Value>,
}

/// Per zone: how many features, how much of their length or area, and the weighted sums of
/// each field (stage *aggregate*).
struct Totals {
    count: Vec<u64>,
    measure: Vec<f64>,
    /// `sums[k][z]`, `weights[k][z]`: field `k`'s weighted sum and weight in zone `z`.
    sums: Vec<Vec<f64>>,
    weights: Vec<Vec<f64>>,
    /// Features that reached some zone.
    matched: Vec<bool>,
}

impl Totals {
    fn of(hits: &[Hit], layer: &Layer, fields: &[&str], n: usize) -> Result<Totals> {
        let mut t = Totals {
            count: vec![0; n],
            measure: vec![0.0; n],
            sums: vec![vec![0.0; n]; fields.len()],
            weights: vec![vec![0.0; n]; fields.len()],
            matched: vec![false; layer.len()],
        };
        for h in hits {
            t.count[h.zone] += 1;
            t.measure[h.zone] += h.measure;
            t.matched[h.feature] = true;
            for (k, f) in fields.iter().enumerate() {
                if let Some(v) = layer.column(f)?.f64_at(h.feature) {
                    t.sums[k][h.zone] += v * h.weight;
                    t.weights[k][h.zone] += h.weight;
                }
            }
        }
        Ok(t)
    }
}

/// A zone's row.
struct AggregateRow {
    id: String,
    count: u64,
    /// `length_m` or `area_m2` and its value, when the features have a length or area.
    measure: Option<(&'static str, f64)>,
    /// (field, weighted sum, weight) per field of `sum`.
    sums: Vec<(String, f64, f64)>,
}

impl AggregateRow {
    fn into_row(self) -> Row {
        let mut r = Row::new();
        r.insert("id".into(), Value::String(self.id));
        r.insert("count".into(), self.count.into());
        if let Some((name, m)) = self.measure {
            r.insert(name.into(), num(m));
        }
        for (f, sum, weight) in self.sums {
            r.insert(format!("sum_{f}"), num(sum));
            let mean = if weight > 0.0 {
                num(sum / weight)
            } else {
                Value::Null
            };
            r.insert(format!("mean_{f}"), mean);
        }
        r
    }
}

/// The summary: what the mapping says, then features considered, in zones and outside, and
/// each field's total.
fn summary(
    mut s: Map<String, Value>,
    fields: &[&str],
    keep: &[bool],
    t: &Totals,
) -> Map<String, Value> {
    let considered = keep.iter().filter(|k| **k).count();
    let in_zones = t
        .matched
        .iter()
        .zip(keep)
        .filter(|(m, k)| **m && **k)
        .count();
    s.insert("zones".into(), t.count.len().into());
    s.insert("features".into(), considered.into());
    s.insert("total_count".into(), in_zones.into());
    s.insert("outside_count".into(), (considered - in_zones).into());
    for (k, f) in fields.iter().enumerate() {
        s.insert(format!("total_sum_{f}"), num(t.sums[k].iter().sum()));
    }
    s
}

fn feature_filter(layer: &Layer, filter: Option<&Filter>) -> Result<Vec<bool>> {
    let Some(f) = filter else {
        return Ok(vec![true; layer.len()]);
    };
    let col = layer.column(&f.field)?;
    Ok((0..layer.len())
        .map(|i| col.get(i).as_key().is_some_and(|v| f.values.contains(&v)))
        .collect())
}

fn dominant_kind(layer: &Layer) -> Option<GeomKind> {
    layer.geometries.iter().flatten().map(GeomKind::of).next()
}

/// *Map* features to zones: points by containment, lines and polygons by overlay.
fn join_spatially(zones: &Layer, layer: &Layer, keep: &[bool]) -> Mapped {
    let index = SpatialIndex::of(zones);
    let points: Vec<Option<geo::Coord>> = layer
        .geometries
        .iter()
        .zip(keep)
        .map(|(g, k)| {
            if *k {
                g.as_ref().and_then(point_coord)
            } else {
                None
            }
        })
        .collect();
    let assignment = point_in_polygon::assign(&points, &zones.geometries, &index);
    let mut hits: Vec<Hit> = assignment
        .iter()
        .enumerate()
        .filter_map(|(i, z)| {
            z.map(|zone| Hit {
                feature: i,
                zone,
                weight: 1.0,
                measure: 0.0,
            })
        })
        .collect();
    // Lines and polygons: split by intersected length / area.
    let others: Vec<Option<geo::Geometry>> = layer
        .geometries
        .iter()
        .zip(keep)
        .map(|(g, k)| match g {
            Some(g) if *k && matches!(GeomKind::of(g), GeomKind::Line | GeomKind::Polygon) => {
                Some(g.clone())
            }
            _ => None,
        })
        .collect();
    if others.iter().any(Option::is_some) {
        for o in overlay::overlaps(&others, &zones.geometries, &index) {
            hits.push(Hit {
                feature: o.a,
                zone: o.b,
                weight: o.share,
                measure: o.measure,
            });
        }
    }
    let nulls = layer
        .geometries
        .iter()
        .zip(keep)
        .filter(|(g, k)| **k && g.is_none())
        .count();
    let mut summary = Map::new();
    summary.insert("null_geometry_count".into(), nulls.into());
    Mapped { hits, summary }
}

/// *Map* table rows to the zones their `key` names.
fn join_by_key(zones: &Layer, table: &Layer, key: &str, keep: &[bool]) -> Result<Mapped> {
    let joined = rows_to_features(table, key, zones, keep)?;
    let unmatched = joined
        .unmatched
        .into_iter()
        .map(|k| k.map_or(Value::Null, Value::String))
        .collect();
    let mut summary = Map::new();
    summary.insert("unmatched_keys".into(), Value::Array(unmatched));
    let hits = joined
        .matched
        .into_iter()
        .map(|(feature, zone)| Hit {
            feature,
            zone,
            weight: 1.0,
            measure: 0.0,
        })
        .collect();
    Ok(Mapped { hits, summary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::spec;
    use crate::crs::Crs;
    use crate::layer::{Column, Value as Cell};
    use crate::project::Project;
    use geo::{point, polygon, Geometry};
    use serde_json::json;

    fn project() -> Project {
        let sq = |x0: f64| -> Option<Geometry> {
            Some(polygon![(x: x0, y: 0.0), (x: x0 + 10.0, y: 0.0), (x: x0 + 10.0, y: 10.0), (x: x0, y: 10.0)].into())
        };
        let mut zones = Layer::new(
            "z",
            Role::Zones,
            Some(Crs::Epsg(32651)),
            vec![sq(0.0), sq(10.0), sq(20.0)],
            vec![Column::from_values(
                "kode",
                vec![
                    Cell::Text("A".into()),
                    Cell::Text("B".into()),
                    Cell::Text("C".into()),
                ],
            )],
        )
        .expect("zones");
        zones.set_id_field("kode").expect("id");
        let pts = [
            (1.0, 1.0),
            (2.0, 2.0),
            (10.0, 5.0),
            (15.0, 5.0),
            (50.0, 5.0),
        ];
        let geoms = pts
            .iter()
            .map(|&(x, y)| Some(Geometry::Point(point!(x: x, y: y))))
            .chain([None])
            .collect();
        let students = Column::from_values(
            "students",
            vec![
                Cell::Int(100),
                Cell::Int(200),
                Cell::Int(30),
                Cell::Null,
                Cell::Int(7),
                Cell::Int(1),
            ],
        );
        let jenjang = Column::from_values(
            "jenjang",
            ["SD", "SMP", "SD", "SD", "SD", "SD"]
                .map(|s| Cell::Text(s.into()))
                .to_vec(),
        );
        let schools = Layer::new(
            "s",
            Role::Facilities,
            Some(Crs::Epsg(32651)),
            geoms,
            vec![students, jenjang],
        )
        .expect("s");
        let table = Layer::new(
            "t",
            Role::Table,
            None,
            vec![None, None, None],
            vec![
                Column::from_values(
                    "kode",
                    vec![
                        Cell::Text("A".into()),
                        Cell::Text("A".into()),
                        Cell::Text("X".into()),
                    ],
                ),
                Column::from_values("pop", vec![Cell::Int(5), Cell::Int(6), Cell::Int(7)]),
            ],
        )
        .expect("t");
        let mut tspec = spec("t", "table");
        tspec.join_to = Some("z".into());
        tspec.key = Some("kode".into());
        Project::from_layers(
            "test",
            Crs::Epsg(32651),
            vec![
                (spec("z", "zones"), zones),
                (spec("s", "facilities"), schools),
                (tspec, table),
            ],
        )
        .expect("project")
    }

    #[test]
    fn points_by_hand() {
        let r = super::super::run(
            &project(),
            "aggregate",
            json!({"zones": "z", "layer": "s", "sum": ["students"]}),
        )
        .expect("run");
        assert_eq!(r.rows.len(), 3);
        let ids: Vec<_> = r
            .rows
            .iter()
            .map(|r| r["id"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(ids, ["A", "B", "C"]);
        // (10, 5) lies on the shared edge of A and B and goes to A, the first zone.
        assert_eq!(r.rows[0]["count"], 3);
        assert_eq!(r.rows[0]["sum_students"], 330.0);
        assert_eq!(r.rows[0]["mean_students"], 110.0);
        assert_eq!(r.rows[1]["count"], 1);
        assert_eq!(r.rows[1]["sum_students"], 0.0);
        assert_eq!(
            r.rows[1]["mean_students"],
            Value::Null,
            "the only school has no student count"
        );
        assert_eq!(r.rows[2]["count"], 0);
        assert_eq!(r.summary["total_count"], 4);
        assert_eq!(
            r.summary["outside_count"], 2,
            "one point outside, one null geometry"
        );
        assert_eq!(r.summary["null_geometry_count"], 1);
        assert!(r.meta.layers.contains_key("z") && r.meta.layers.contains_key("s"));
    }

    #[test]
    fn filter_and_table_join() {
        let p = project();
        let r = super::super::run(
            &p,
            "aggregate",
            json!({"zones": "z", "layer": "s", "filter": {"field": "jenjang", "values": ["SMP"]}}),
        )
        .expect("run");
        assert_eq!(r.rows[0]["count"], 1);
        assert_eq!(r.summary["total_count"], 1);
        let r = super::super::run(
            &p,
            "aggregate",
            json!({"zones": "z", "layer": "t", "sum": ["pop"]}),
        )
        .expect("run");
        assert_eq!(
            r.params["key"], "kode",
            "the key is resolved from the project"
        );
        assert_eq!(r.rows[0]["sum_pop"], 11.0);
        assert_eq!(r.rows[0]["count"], 2);
        assert_eq!(r.summary["unmatched_keys"], json!(["X"]));
    }

    #[test]
    fn polygons_split_by_area() {
        let mut p = project();
        let blob =
            polygon![(x: 5.0, y: 0.0), (x: 15.0, y: 0.0), (x: 15.0, y: 10.0), (x: 5.0, y: 10.0)];
        let l = Layer::new(
            "h",
            Role::Demand,
            Some(Crs::Epsg(32651)),
            vec![Some(blob.into())],
            vec![Column::from_values("people", vec![Cell::Int(1000)])],
        )
        .expect("h");
        p.layers.insert(l);
        let r = super::super::run(
            &p,
            "aggregate",
            json!({"zones": "z", "layer": "h", "sum": ["people"]}),
        )
        .expect("run");
        assert_eq!(r.rows[0]["sum_people"], 500.0);
        assert_eq!(r.rows[1]["sum_people"], 500.0);
        assert_eq!(r.rows[0]["area_m2"], 50.0);
        assert_eq!(r.rows[0]["mean_people"], 1000.0);
    }

    #[test]
    fn bad_params_name_the_param() {
        let p = project();
        let e = super::super::run(
            &p,
            "aggregate",
            json!({"zones": "z", "layer": "s", "sum": ["nope"]}),
        )
        .expect_err("field");
        assert!(e.to_string().contains("'nope'"), "{e}");
        let e = super::super::run(
            &p,
            "aggregate",
            json!({"zones": "z", "layer": "s", "sum": ["jenjang"]}),
        )
        .expect_err("text");
        assert!(e.to_string().contains("jenjang"), "{e}");
        let e = super::super::run(&p, "aggregate", json!({"zones": "z", "layer": "nope"}))
            .expect_err("layer");
        assert!(matches!(e, Error::UnknownLayer { .. }));
        let e = super::super::run(
            &p,
            "aggregate",
            json!({"zones": "z", "layer": "s", "sums": []}),
        )
        .expect_err("typo");
        assert!(e.to_string().contains("sums"), "{e}");
        let e = super::super::run(&p, "aggregate", json!({"zones": "s", "layer": "s"}))
            .expect_err("role");
        assert!(e.to_string().contains("parameter 'zones'"), "{e}");
    }
}
