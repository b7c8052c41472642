//! `interpolate`: area-weighted areal interpolation from source polygons to target zones,
//! with the semantics of tobler's `area_interpolate` (PySAL).
//!
//! Stages: *map* every (source, target) pair to its intersection area (the overlay kernel)
//! → *aggregate* per target. With `a_st` the area of source `s` ∩ target `t`:
//! - extensive (counts): `v_t = Σ_s v_s · a_st / d_s`, where `d_s` is the source's area, or,
//!   with `allocate_total` (the default, as in tobler), the part of it covered by targets, so
//!   the whole source total is allocated;
//! - intensive (rates): `v_t = Σ_s v_s · a_st / Σ_s a_st`, the area-weighted mean.
//!
//! A variable is a numeric field of the source layer or, when the source has no such field,
//! of a table joined to it (`join_to` = the source, `key` = the field holding the source
//! ids; see [`super::inputs`]): e.g. SP2010 population kept per kecamatan in a spreadsheet,
//! interpolated to kelurahan.
//!
//! Missing values (a null, or a source without a joined row) are skipped: they add nothing
//! to an extensive total, and an intensive mean is taken over the sources that have a value
//! (tobler instead reads NaN as 0, which drags rates towards 0 next to a data hole).
//! A source with zero area (or no overlap) contributes nothing rather than dividing by zero;
//! a target no source reaches gets 0 for extensive and null for intensive variables.
//!
//! A multipolygon whose parts overlap or nest (8 published kecamatan of Sulawesi Utara store
//! islets as separate parts inside their mainland) is read as the union of its parts, as
//! point-in-polygon reads it (inside any part = inside); the overlay's even-odd rule would
//! otherwise read a nested part as a hole and `allocate_total: false` would count it twice.

use super::descriptor::{text, Better, Column, Descriptor, Kind, Unit};
use super::inputs::{numeric_field, FieldValues};
use super::{layer_param, num, Output, Row, TypedAnalysis};
use crate::error::Result;
use crate::kernels::overlay::{measure, overlaps, parts_unioned, Overlap};
use crate::layer::{Layer, Role};
use crate::project::Project;
use crate::rtree::SpatialIndex;
use geo::Geometry;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The `interpolate` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Interpolate;

fn yes() -> bool {
    true
}

/// Params of `interpolate`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterpolateParams {
    /// Source polygons carrying the variables (e.g. census blocks, kecamatan).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Poligon sumber", "en": "Source polygons"},
        "x-tepat-help" = {"id": "Poligon sumber yang memuat variabel (mis. blok sensus, kecamatan)."},
        "x-tepat-layer" = {"roles": ["zones", "demand", "hazard"], "geometry": ["polygon"]}
    ))]
    pub source: String,
    /// Target zones the rows are reported on (e.g. `kelurahan`).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Zona tujuan", "en": "Target zones"},
        "x-tepat-help" = {"id": "Zona tujuan tempat hasil dilaporkan (mis. `kelurahan`)."},
        "x-tepat-layer" = {"roles": ["zones"], "geometry": ["polygon"]}
    ))]
    pub target: String,
    /// Count variables, split by area share: fields of the source, or of a table joined to it.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Variabel jumlah", "en": "Count variables"},
        "x-tepat-help" = {"id": "Variabel berupa jumlah (mis. penduduk), dibagi menurut proporsi luas: kolom lapisan sumber, atau kolom tabel yang digabung ke sumber."},
        "x-tepat-field" = {"of": "source", "types": ["int", "float"]}
    ))]
    pub extensive: Vec<String>,
    /// Rate variables, averaged by area: fields of the source, or of a table joined to it.
    #[serde(default)]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Variabel rasio", "en": "Rate variables"},
        "x-tepat-help" = {"id": "Variabel berupa rasio atau persentase, dirata-rata menurut luas: kolom lapisan sumber, atau kolom tabel yang digabung ke sumber."},
        "x-tepat-field" = {"of": "source", "types": ["int", "float"]}
    ))]
    pub intensive: Vec<String>,
    /// Allocate each source's whole total to the targets that cover it (tobler's default).
    #[serde(default = "yes")]
    #[schemars(extend(
        "x-tepat-label" = {"id": "Bagikan seluruh total", "en": "Allocate the whole total"},
        "x-tepat-help" = {"id": "Bagikan seluruh total setiap poligon sumber ke zona tujuan yang menutupinya (bawaan tobler)."}
    ))]
    pub allocate_total: bool,
}

impl TypedAnalysis for Interpolate {
    type Params = InterpolateParams;
    const NAME: &'static str = "interpolate";
    const DESCRIPTOR: Descriptor = Descriptor {
        title: text("Interpolasi antarwilayah", "Areal interpolation"),
        description: text(
            "Memindahkan jumlah dan rasio dari poligon sumber (atau tabel yang digabung ke sumber) ke zona tujuan menurut proporsi luas (seperti tobler)",
            "Area-weighted interpolation of counts and rates from source polygons (or a table joined to them) to target zones (as tobler)",
        ),
        columns: &[
            // Every variable's column takes the variable's name, so only this one has a
            // name of its own: how far the target's numbers rest on source data at all.
            Column::new(
                "source_coverage",
                text("Tercakup poligon sumber", "Covered by the source"),
                Unit::Percent,
                Kind::Share,
                Better::Higher,
            )
            .headline(),
            Column::new(
                "{field}",
                text("{field}", "{field}"),
                Unit::None,
                Kind::Score,
                Better::Neutral,
            ),
        ],
    };

    fn run(&self, project: &Project, p: &mut InterpolateParams) -> Result<Output> {
        let polygons = [Role::Zones, Role::Demand, Role::Hazard];
        let source = layer_param(project, Self::NAME, "source", &p.source, &polygons, false)?;
        let target = layer_param(
            project,
            Self::NAME,
            "target",
            &p.target,
            &[Role::Zones],
            true,
        )?;
        let ext = variables(project, source, "extensive", &p.extensive)?;
        let int = variables(project, source, "intensive", &p.intensive)?;
        let pieces = Pieces::of(source, target);
        let denom = pieces.denominators(p.allocate_total);
        let totals = Totals::of(&pieces, &denom, &ext, &int, target.len());
        let rows = (0..target.len())
            .map(|t| {
                InterpolateRow {
                    id: target.ids[t].clone(),
                    extensive: p
                        .extensive
                        .iter()
                        .zip(&totals.ext)
                        .map(|(f, v)| (f.clone(), v[t]))
                        .collect(),
                    intensive: p.intensive.iter().cloned().zip(totals.mean(t)).collect(),
                    source_coverage: pieces.coverage(&totals.covered, t),
                }
                .into_row()
            })
            .collect();
        let summary = summary(p, &ext, &int, &pieces, &totals);
        let mut layers_used = vec![source.name.clone(), target.name.clone()];
        layers_used.extend(
            ext.iter()
                .chain(&int)
                .filter_map(|v| Some(v.join.as_ref()?.table.clone())),
        );
        layers_used.sort();
        layers_used.dedup();
        Ok(Output {
            summary,
            rows,
            row_layer: Some(target.name.clone()),
            layers_used,
        })
    }
}

/// The values of `fields` (the `kind` param's list) on the source, each from the source or
/// a table joined to it.
fn variables(
    project: &Project,
    source: &Layer,
    kind: &str,
    fields: &[String],
) -> Result<Vec<FieldValues>> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            numeric_field(
                project,
                source,
                f,
                Interpolate::NAME,
                &format!("{kind}[{i}]"),
            )
        })
        .collect()
}

/// *Map*: every (source, target) pair that overlaps, with its intersection area.
struct Pieces<'l> {
    /// The sources and targets with overlapping parts unioned (borrowed when none were).
    src_geoms: Cow<'l, [Option<Geometry>]>,
    tgt_geoms: Cow<'l, [Option<Geometry>]>,
    /// How many features had their parts unioned, of the source and the target.
    unioned: (usize, usize),
    pieces: Vec<Overlap>,
}

impl<'l> Pieces<'l> {
    fn of(source: &'l Layer, target: &'l Layer) -> Pieces<'l> {
        let (src_geoms, src_unioned) = parts_unioned(&source.geometries);
        let (tgt_geoms, tgt_unioned) = parts_unioned(&target.geometries);
        let tgt_index = if tgt_unioned > 0 {
            SpatialIndex::build(&tgt_geoms)
        } else {
            SpatialIndex::of(target)
        };
        let pieces = overlaps(&src_geoms, &tgt_geoms, &tgt_index);
        Pieces {
            src_geoms,
            tgt_geoms,
            unioned: (src_unioned, tgt_unioned),
            pieces,
        }
    }

    /// What each source's counts are divided by: the part of it the targets cover (with
    /// `allocate_total`), else its whole area; 0 when not finite.
    fn denominators(&self, allocate_total: bool) -> Vec<f64> {
        let mut denom: Vec<f64> = if allocate_total {
            let mut covered = vec![0.0; self.src_geoms.len()];
            for o in &self.pieces {
                covered[o.a] += o.measure;
            }
            covered
        } else {
            self.src_geoms
                .iter()
                .map(|g| g.as_ref().map_or(0.0, measure))
                .collect()
        };
        denom.iter_mut().for_each(|d| {
            if !d.is_finite() {
                *d = 0.0;
            }
        });
        denom
    }

    /// How much of target `t` the sources cover, given the area `covered` of each target:
    /// where it is short of 1, a target's counts miss the part outside the sources and its
    /// rates rest on part of its area.
    fn coverage(&self, covered: &[f64], t: usize) -> f64 {
        let area = self.tgt_geoms[t].as_ref().map_or(0.0, measure);
        if area > 0.0 && area.is_finite() {
            (covered[t] / area).min(1.0)
        } else {
            0.0
        }
    }
}

/// *Aggregate* per target.
struct Totals {
    /// `ext[k][t]`: extensive variable `k` in target `t`.
    ext: Vec<Vec<f64>>,
    /// Area-weighted sums and weights of each intensive variable.
    int_num: Vec<Vec<f64>>,
    int_den: Vec<Vec<f64>>,
    /// Area of each target covered by the sources.
    covered: Vec<f64>,
}

impl Totals {
    fn of(
        pieces: &Pieces,
        denom: &[f64],
        ext: &[FieldValues],
        int: &[FieldValues],
        nt: usize,
    ) -> Totals {
        let mut ext_t = vec![vec![0.0; nt]; ext.len()];
        let mut int_num = vec![vec![0.0; nt]; int.len()];
        let mut int_den = vec![vec![0.0; nt]; int.len()];
        for o in &pieces.pieces {
            if denom[o.a] > 0.0 {
                let w = o.measure / denom[o.a];
                for (k, c) in ext.iter().enumerate() {
                    ext_t[k][o.b] += c.values[o.a].unwrap_or(0.0) * w;
                }
            }
            for (k, c) in int.iter().enumerate() {
                if let Some(v) = c.values[o.a] {
                    int_num[k][o.b] += v * o.measure;
                    int_den[k][o.b] += o.measure;
                }
            }
        }
        let mut covered = vec![0.0; nt];
        for o in &pieces.pieces {
            covered[o.b] += o.measure;
        }
        Totals {
            ext: ext_t,
            int_num,
            int_den,
            covered,
        }
    }

    /// Each intensive variable's mean in target `t` (None where no source with a value reaches it).
    fn mean(&self, t: usize) -> Vec<Option<f64>> {
        self.int_num
            .iter()
            .zip(&self.int_den)
            .map(|(n, d)| (d[t] > 0.0).then(|| n[t] / d[t]))
            .collect()
    }
}

/// A target's row: its variables, then how much of it the sources cover.
struct InterpolateRow {
    id: String,
    extensive: Vec<(String, f64)>,
    intensive: Vec<(String, Option<f64>)>,
    source_coverage: f64,
}

impl InterpolateRow {
    fn into_row(self) -> Row {
        let mut r = Row::new();
        r.insert("id".into(), Value::String(self.id));
        for (f, v) in self.extensive {
            r.insert(f, num(v));
        }
        for (f, v) in self.intensive {
            r.insert(f, v.map_or(Value::Null, num));
        }
        // A variable of that name keeps its column.
        r.entry("source_coverage")
            .or_insert_with(|| num(self.source_coverage));
        r
    }
}

/// The summary: source and target totals of each count, the joins variables came through,
/// and the features whose parts were unioned.
fn summary(
    p: &InterpolateParams,
    ext: &[FieldValues],
    int: &[FieldValues],
    pieces: &Pieces,
    totals: &Totals,
) -> Map<String, Value> {
    let mut summary = Map::new();
    for (k, f) in p.extensive.iter().enumerate() {
        let src: f64 = ext[k].values.iter().flatten().sum();
        summary.insert(format!("source_total_{f}"), num(src));
        summary.insert(format!("target_total_{f}"), num(totals.ext[k].iter().sum()));
    }
    summary.insert("intersections".into(), pieces.pieces.len().into());
    let mut joins = Map::new();
    for (f, v) in p
        .extensive
        .iter()
        .chain(&p.intensive)
        .zip(ext.iter().chain(int))
    {
        if let Some(j) = &v.join {
            let mut o = Map::new();
            o.insert("table".into(), Value::String(j.table.clone()));
            o.insert("key".into(), Value::String(j.key.clone()));
            o.insert("sources_without_row".into(), j.without_row.into());
            joins.insert(f.clone(), Value::Object(o));
        }
    }
    if !joins.is_empty() {
        summary.insert("joined".into(), Value::Object(joins));
    }
    let mut unioned = Map::new();
    unioned.insert("source".into(), pieces.unioned.0.into());
    unioned.insert("target".into(), pieces.unioned.1.into());
    summary.insert("overlapping_parts_unioned".into(), Value::Object(unioned));
    summary
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixtures::{rect as sq, spec};
    use crate::crs::Crs;
    use crate::layer::{Column, Layer, Role, Value as Cell};
    use crate::project::{LayerSpec, Project};
    use geo::{polygon, MultiPolygon};
    use serde_json::{json, Value};

    /// Source: two 10×10 blocks (pop 100 rate 0.2; pop 50 rate 0.6). Target: T1 = [0,15]×[0,10]
    /// covers block 1 and half of block 2; T2 = [15,30]×[0,10] covers the other half of block 2
    /// and 10 m of nothing. Block 2 also sticks out of every target by nothing; block 3 is
    /// outside all targets.
    fn project() -> Project {
        let c = Crs::Epsg(32651);
        let src = Layer::new(
            "s",
            Role::Demand,
            Some(c.clone()),
            vec![
                sq(0.0, 0.0, 10.0, 10.0),
                sq(10.0, 0.0, 10.0, 10.0),
                sq(100.0, 0.0, 10.0, 10.0),
            ],
            vec![
                Column::from_values("pop", vec![Cell::Int(100), Cell::Int(50), Cell::Int(7)]),
                Column::from_values("rate", vec![Cell::Float(0.2), Cell::Float(0.6), Cell::Null]),
            ],
        )
        .expect("s");
        let tgt = Layer::new(
            "t",
            Role::Zones,
            Some(c.clone()),
            vec![
                sq(0.0, 0.0, 15.0, 10.0),
                sq(15.0, 0.0, 15.0, 10.0),
                sq(50.0, 0.0, 1.0, 1.0),
            ],
            vec![],
        )
        .expect("t");
        Project::from_layers(
            "p",
            c,
            vec![(spec("s", "demand"), src), (spec("t", "zones"), tgt)],
        )
        .expect("p")
    }

    #[test]
    fn by_hand() {
        let r = super::super::run(
            &project(),
            "interpolate",
            json!({"source": "s", "target": "t", "extensive": ["pop"], "intensive": ["rate"]}),
        )
        .expect("run");
        assert_eq!(r.rows[0]["pop"], 125.0);
        assert_eq!(r.rows[1]["pop"], 25.0);
        assert_eq!(r.rows[2]["pop"], 0.0);
        // T1: (0.2·100 + 0.6·50) / 150; T2: only block 2.
        assert!((r.rows[0]["rate"].as_f64().unwrap_or(0.0) - 50.0 / 150.0).abs() < 1e-12);
        assert_eq!(r.rows[1]["rate"], 0.6);
        assert_eq!(r.rows[2]["rate"], Value::Null);
        // T1 lies wholly on blocks 1 and 2; T2 has [15,20]×[0,10] of its 150 m²; T3 none.
        assert_eq!(r.rows[0]["source_coverage"], 1.0);
        assert!((r.rows[1]["source_coverage"].as_f64().unwrap_or(0.0) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.rows[2]["source_coverage"], 0.0);
        // Block 3 reaches no target: its 7 people cannot be allocated.
        assert_eq!(r.summary["source_total_pop"], 157.0);
        assert_eq!(r.summary["target_total_pop"], 150.0);
        assert_eq!(r.params["allocate_total"], true);
    }

    #[test]
    fn allocate_total_false_divides_by_the_whole_source_area() {
        let mut p = project();
        // A source half outside every target: with allocate_total it is all allocated, without only half.
        let s2 = Layer::new(
            "s2",
            Role::Demand,
            Some(Crs::Epsg(32651)),
            vec![sq(25.0, 0.0, 10.0, 10.0)],
            vec![Column::from_values("pop", vec![Cell::Int(40)])],
        )
        .expect("s2");
        p.layers.insert(s2);
        let all = super::super::run(
            &p,
            "interpolate",
            json!({"source": "s2", "target": "t", "extensive": ["pop"]}),
        )
        .expect("run");
        assert_eq!(all.rows[1]["pop"], 40.0);
        let part = super::super::run(
            &p,
            "interpolate",
            json!({"source": "s2", "target": "t", "extensive": ["pop"], "allocate_total": false}),
        )
        .expect("run");
        assert_eq!(part.rows[1]["pop"], 20.0);
    }

    /// `project()` plus a table `tab` joined to `s` by `kode_s` (the source ids `1`, `2`, `3`):
    /// rows for block 2, block 1, block 1 again (ignored: the first row wins) and a block that
    /// does not exist; block 3 has no row. Its `pop` column is shadowed by the source's own.
    fn with_table() -> Project {
        let mut p = project();
        let tab = Layer::new(
            "tab",
            Role::Table,
            None,
            vec![None; 4],
            vec![
                Column::from_values(
                    "kode_s",
                    vec![
                        Cell::Int(2),
                        Cell::Text("1".into()),
                        Cell::Int(1),
                        Cell::Int(9),
                    ],
                ),
                Column::from_values(
                    "jiwa",
                    vec![Cell::Int(50), Cell::Int(100), Cell::Int(999), Cell::Int(5)],
                ),
                Column::from_values(
                    "rasio",
                    vec![
                        Cell::Float(0.6),
                        Cell::Float(0.2),
                        Cell::Float(0.9),
                        Cell::Float(0.1),
                    ],
                ),
                Column::from_values("pop", vec![Cell::Int(1); 4]),
                Column::from_values("nama", vec![Cell::Text("x".into()); 4]),
            ],
        )
        .expect("tab");
        p.layers.insert(tab);
        p.specs.push(LayerSpec {
            join_to: Some("s".into()),
            key: Some("kode_s".into()),
            ..spec("tab", "table")
        });
        p
    }

    #[test]
    fn variables_from_a_table_joined_to_the_source() {
        let r = super::super::run(
            &with_table(),
            "interpolate",
            json!({"source": "s", "target": "t", "extensive": ["jiwa", "pop"], "intensive": ["rasio"]}),
        )
        .expect("run");
        // The same figures as `by_hand`, read through the join: T1 = block 1 + half of block 2.
        assert_eq!(r.rows[0]["jiwa"], 125.0);
        assert_eq!(r.rows[1]["jiwa"], 25.0);
        assert_eq!(r.rows[2]["jiwa"], 0.0);
        assert!((r.rows[0]["rasio"].as_f64().unwrap_or(0.0) - 50.0 / 150.0).abs() < 1e-12);
        assert_eq!(r.rows[1]["rasio"], 0.6);
        assert_eq!(r.rows[2]["rasio"], Value::Null);
        // The source's own `pop` wins over the table's.
        assert_eq!(r.rows[0]["pop"], 125.0);
        // Block 3 has no row: it adds nothing (not the duplicate's 999, not the orphan's 5).
        assert_eq!(r.summary["source_total_jiwa"], 150.0);
        assert_eq!(r.summary["target_total_jiwa"], 150.0);
        assert_eq!(
            r.summary["joined"],
            json!({
                "jiwa": {"table": "tab", "key": "kode_s", "sources_without_row": 1},
                "rasio": {"table": "tab", "key": "kode_s", "sources_without_row": 1},
            })
        );
        assert!(r.summary["joined"].get("pop").is_none());
        assert!(r.meta.layers.contains_key("tab"));
    }

    #[test]
    fn a_missing_joined_value_is_skipped_in_the_mean() {
        // Block 2's row has no rate: T1's mean is block 1's alone, T2 has no value.
        let mut p = with_table();
        let mut tab = (**p.layers.get("tab").expect("tab")).clone();
        let i = tab
            .columns
            .iter()
            .position(|c| c.name == "rasio")
            .expect("rasio");
        tab.columns[i] = Column::from_values(
            "rasio",
            vec![
                Cell::Null,
                Cell::Float(0.2),
                Cell::Float(0.9),
                Cell::Float(0.1),
            ],
        );
        p.layers.insert(tab);
        let r = super::super::run(
            &p,
            "interpolate",
            json!({"source": "s", "target": "t", "intensive": ["rasio"]}),
        )
        .expect("run");
        assert_eq!(r.rows[0]["rasio"], 0.2);
        assert_eq!(r.rows[1]["rasio"], Value::Null);
    }

    #[test]
    fn nested_parts_are_land_of_their_polygon() {
        // A 10×10 source with a 2×2 islet stored as a second part inside it (a "nested
        // shell", as 8 published kecamatan have), 100 people, split by two 5×10 targets; the
        // islet lies in the left one. Read as the union of its parts: 50 / 50 whether the
        // denominator is the covered area or the source's area (100 m², not 104).
        let c = Crs::Epsg(32651);
        let nested = MultiPolygon::new(vec![
            polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            polygon![(x: 2.0, y: 2.0), (x: 4.0, y: 2.0), (x: 4.0, y: 4.0), (x: 2.0, y: 4.0)],
        ]);
        let src = Layer::new(
            "s",
            Role::Zones,
            Some(c.clone()),
            vec![Some(nested.into())],
            vec![Column::from_values("pop", vec![Cell::Int(100)])],
        )
        .expect("s");
        let tgt = Layer::new(
            "t",
            Role::Zones,
            Some(c.clone()),
            vec![sq(0.0, 0.0, 5.0, 10.0), sq(5.0, 0.0, 5.0, 10.0)],
            vec![],
        )
        .expect("t");
        let p = Project::from_layers(
            "p",
            c,
            vec![(spec("s", "zones"), src), (spec("t", "zones"), tgt)],
        )
        .expect("p");
        for allocate_total in [true, false] {
            let r = super::super::run(
                &p,
                "interpolate",
                json!({"source": "s", "target": "t", "extensive": ["pop"], "allocate_total": allocate_total}),
            )
            .expect("run");
            for row in &r.rows {
                let v = row["pop"].as_f64().unwrap_or(0.0);
                assert!(
                    (v - 50.0).abs() < 1e-9,
                    "allocate_total {allocate_total}: {row:?}"
                );
            }
            assert_eq!(
                r.summary["overlapping_parts_unioned"],
                json!({"source": 1, "target": 0})
            );
        }
    }

    #[test]
    fn errors_name_params() {
        let p = project();
        let e = super::super::run(
            &p,
            "interpolate",
            json!({"source": "s", "target": "s", "extensive": ["pop"]}),
        )
        .expect_err("role");
        assert!(e.to_string().contains("parameter 'target'"), "{e}");
        let e = super::super::run(
            &p,
            "interpolate",
            json!({"source": "s", "target": "t", "extensive": ["nope"]}),
        )
        .expect_err("field");
        assert!(e.to_string().contains("'nope'"), "{e}");
        assert!(e.to_string().contains("parameter 'extensive[0]'"), "{e}");
        assert!(e.to_string().contains("no table is joined"), "{e}");
        // With a joined table, the message names the field, the layer and the table's fields.
        let e = super::super::run(
            &with_table(),
            "interpolate",
            json!({"source": "s", "target": "t", "extensive": ["jiwa"], "intensive": ["nope"]}),
        )
        .expect_err("field");
        let m = e.to_string();
        assert!(m.contains("parameter 'intensive[0]'"), "{m}");
        assert!(m.contains("field 'nope' is not in layer 's'"), "{m}");
        assert!(
            m.contains("'tab' (fields: kode_s, jiwa, rasio, pop, nama)"),
            "{m}"
        );
        // A text field of the table is a type error naming the table.
        let e = super::super::run(
            &with_table(),
            "interpolate",
            json!({"source": "s", "target": "t", "extensive": ["nama"]}),
        )
        .expect_err("type");
        assert!(
            e.to_string().contains("tab") && e.to_string().contains("nama"),
            "{e}"
        );
    }
}
