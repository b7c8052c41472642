//! What analyses read besides their own layers, written once for all of them:
//! - **supply inputs**: counts of a field ([`counts`]), the hazard that closes facilities
//!   ([`HazardFilter`]) and a cost table read into the cost kernel's [`Reach`]
//!   ([`CostTable`], [`cost_table`]) — `access` and `locate`;
//! - **joins of tables to layers**: a field of a layer or of the table joined to it
//!   ([`numeric_field`]), a table's rows by key ([`Keyed`], [`rows_to_features`]) —
//!   `interpolate`, `index`, `aggregate`;
//! - **columns taken from another analysis**, run in the same request ([`run_for`],
//!   [`taken_column`], [`aligned`]) — `locate`, `allocate`, `clusters`, `index`.
//!
//! Join rule: a table is joined to a layer by its project entry (`join_to = "<layer>"`,
//! `key = "<field holding the layer's ids>"`); a feature takes the first table row whose key
//! equals its id, and a feature without a row gets no value.

use super::AnalysisResult;
use crate::error::{Error, Result};
use crate::kernels::costs::{sort_reach, Reach};
use crate::layer::{Column, Layer, Role};
use crate::project::Project;
use geo::Geometry;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------
// Supply inputs.

/// An origin–destination cost table computed elsewhere (road network, travel time).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostTable {
    /// The table layer.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Tabel biaya", "en": "Cost table"},
        "x-tepat-help" = {"id": "Lapisan tabel asal–tujuan."},
        "x-tepat-layer" = {"roles": ["table"]}
    ))]
    pub layer: String,
    /// Field holding demand ids.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom asal", "en": "Origin field"},
        "x-tepat-help" = {"id": "Kolom yang memuat id permintaan (asal)."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "text"]}
    ))]
    pub origin: String,
    /// Field holding facility ids.
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom tujuan", "en": "Destination field"},
        "x-tepat-help" = {"id": "Kolom yang memuat id fasilitas (tujuan)."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "text"]}
    ))]
    pub destination: String,
    /// Numeric cost field (its unit is the unit of `radius_m`, `nearest_m` and the weights).
    #[schemars(extend(
        "x-tepat-label" = {"id": "Kolom biaya", "en": "Cost field"},
        "x-tepat-help" = {"id": "Kolom biaya berupa angka (satuannya menjadi satuan `radius_m`, `nearest_m` dan bobot)."},
        "x-tepat-field" = {"of": "layer", "types": ["int", "float"]}
    ))]
    pub cost: String,
}

/// Hazard whose area closes the facilities in it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum HazardFilter {
    /// Every polygon of this hazard layer.
    Layer(String),
    /// Only the hazard polygons whose `field` is one of `values` (e.g. the deep classes).
    // Its fields' help carries its English: `annotate` does not reach into an `anyOf`.
    Classes {
        /// The hazard layer.
        #[schemars(extend(
            "x-tepat-label" = {"id": "Lapisan bahaya", "en": "Hazard layer"},
            "x-tepat-help" = {"id": "Lapisan kawasan rawan bencana.", "en": "The hazard layer."},
            "x-tepat-layer" = {"roles": ["hazard"], "geometry": ["polygon"]}
        ))]
        layer: String,
        /// Its class field.
        #[schemars(extend(
            "x-tepat-label" = {"id": "Kolom kelas", "en": "Class field"},
            "x-tepat-help" = {"id": "Kolom kelas bahaya lapisan itu.", "en": "Its class field."},
            "x-tepat-field" = {"of": "layer", "types": ["int", "float", "text"]}
        ))]
        field: String,
        /// Classes that close a facility.
        #[schemars(extend(
            "x-tepat-label" = {"id": "Kelas yang menutup fasilitas", "en": "Classes that close a facility"},
            "x-tepat-help" = {"id": "Kelas bahaya yang membuat fasilitas di dalamnya dianggap tutup.", "en": "Classes that close a facility."}
        ))]
        values: Vec<String>,
    },
}

impl HazardFilter {
    /// The hazard layer's name.
    pub fn layer(&self) -> &str {
        match self {
            HazardFilter::Layer(l) | HazardFilter::Classes { layer: l, .. } => l,
        }
    }

    /// The polygons of `hz` (the filter's layer) that the filter selects; the others are None,
    /// so indexes stay those of the layer.
    pub fn geometries(&self, hz: &Layer) -> Result<Vec<Option<Geometry>>> {
        Ok(match self {
            HazardFilter::Layer(_) => hz.geometries.clone(),
            HazardFilter::Classes { field, values, .. } => {
                let col = hz.column(field)?;
                (0..hz.len())
                    .map(|i| {
                        let on = col.get(i).as_key().is_some_and(|k| values.contains(&k));
                        if on {
                            hz.geometries[i].clone()
                        } else {
                            None
                        }
                    })
                    .collect()
            }
        })
    }
}

/// Values of a numeric count field `col` of `layer`, with how many were null: null → 0,
/// negative or non-finite → an error on `analysis`'s `param` naming the feature.
pub fn counts(
    analysis: &str,
    layer: &Layer,
    col: &Column,
    param: &str,
) -> Result<(Vec<f64>, usize)> {
    let mut missing = 0;
    let mut out = Vec::with_capacity(layer.len());
    for i in 0..layer.len() {
        match col.f64_at(i) {
            None => {
                missing += 1;
                out.push(0.0);
            }
            Some(v) if v.is_finite() && v >= 0.0 => out.push(v),
            Some(v) => {
                return Err(Error::param(
                    analysis,
                    param,
                    format!(
                        "layer '{}' feature '{}': field '{}' is {v}; it must be a count ≥ 0",
                        layer.name, layer.ids[i], col.name
                    ),
                ))
            }
        }
    }
    Ok((out, missing))
}

/// How the rows of a cost table were used.
#[derive(Debug, Clone, PartialEq)]
pub struct CostRows {
    /// The table layer.
    pub table: String,
    /// Its rows.
    pub rows: usize,
    /// Rows that gave a pair.
    pub used: usize,
    /// Rows naming an unknown demand or facility (or with no id at all).
    pub unmatched: usize,
    /// Rows with a null cost.
    pub null_cost: usize,
    /// Rows to a facility that is not open (closed, of another kind, not a candidate).
    pub not_open: usize,
}

impl CostRows {
    /// The summary entries that say so.
    pub fn summary(&self) -> Map<String, Value> {
        let mut s = Map::new();
        s.insert("cost_source".into(), format!("table {}", self.table).into());
        s.insert("cost_rows".into(), self.rows.into());
        s.insert("cost_rows_used".into(), self.used.into());
        s.insert("cost_rows_unmatched".into(), self.unmatched.into());
        s.insert("cost_rows_null_cost".into(), self.null_cost.into());
        s.insert(
            "cost_rows_closed_or_other_kind".into(),
            self.not_open.into(),
        );
        s
    }
}

/// Reads cost table `t` (layer `table`) into per-demand (open slot, cost) lists sorted by
/// cost then slot, `open[slot]` being the facility of `fac` in that slot. Rows naming an
/// unknown demand or facility, or a facility that is not open, are skipped; null costs are
/// skipped; negative or non-finite costs, repeated pairs and repeated ids of `demand` or
/// `fac` are errors on `analysis`'s `costs`.
pub fn cost_table(
    analysis: &str,
    table: &Layer,
    t: &CostTable,
    demand: &Layer,
    fac: &Layer,
    open: &[usize],
) -> Result<(Reach, CostRows)> {
    let o = table.column(&t.origin)?;
    let d = table.column(&t.destination)?;
    let c = table.numeric_column(&t.cost)?;
    let unique = |l: &Layer| -> Result<HashMap<String, usize>> {
        let mut m = HashMap::with_capacity(l.len());
        for (i, id) in l.ids.iter().enumerate() {
            if m.insert(id.clone(), i).is_some() {
                return Err(Error::param(
                    analysis,
                    "costs",
                    format!(
                        "layer '{}' has the id '{id}' twice, so a cost table cannot name its features",
                        l.name
                    ),
                ));
            }
        }
        Ok(m)
    };
    let demand_of = unique(demand)?;
    let fac_of = unique(fac)?;
    let mut slot_of = vec![None; fac.len()];
    for (s, &j) in open.iter().enumerate() {
        slot_of[j] = Some(s);
    }
    let mut reach: Reach = vec![Vec::new(); demand.len()];
    let mut used = CostRows {
        table: table.name.clone(),
        rows: table.len(),
        used: 0,
        unmatched: 0,
        null_cost: 0,
        not_open: 0,
    };
    for r in 0..table.len() {
        let (Some(ok), Some(dk)) = (o.get(r).as_key(), d.get(r).as_key()) else {
            used.unmatched += 1;
            continue;
        };
        let (Some(&i), Some(&j)) = (demand_of.get(&ok), fac_of.get(&dk)) else {
            used.unmatched += 1;
            continue;
        };
        let Some(cost) = c.f64_at(r) else {
            used.null_cost += 1;
            continue;
        };
        if !(cost.is_finite() && cost >= 0.0) {
            return Err(Error::param(
                analysis,
                "costs",
                format!(
                    "row {} ({ok} → {dk}) has cost {cost}; costs must be finite and ≥ 0",
                    r + 1
                ),
            ));
        }
        let Some(s) = slot_of[j] else {
            used.not_open += 1;
            continue;
        };
        reach[i].push((s, cost));
        used.used += 1;
    }
    sort_reach(&mut reach).map_err(|twice| {
        Error::param(
            analysis,
            "costs",
            format!(
                "the pair {} → {} appears more than once",
                demand.ids[twice.origin], fac.ids[open[twice.slot]]
            ),
        )
    })?;
    Ok((reach, used))
}

// ---------------------------------------------------------------------------------------
// Joins of tables to layers.

/// The rows of a table by the value of its key field: the first row of each value.
#[derive(Debug, Clone)]
pub struct Keyed {
    row_of: HashMap<String, usize>,
}

impl Keyed {
    /// `table`'s rows by field `key` (rows with a null key are left out).
    pub fn of(table: &Layer, key: &str) -> Result<Keyed> {
        let key_col = table.column(key)?;
        let mut row_of: HashMap<String, usize> = HashMap::with_capacity(table.len());
        for r in 0..table.len() {
            if let Some(k) = key_col.get(r).as_key() {
                row_of.entry(k).or_insert(r);
            }
        }
        Ok(Keyed { row_of })
    }

    /// The row each of `ids` takes (None: the table has no row for it).
    pub fn rows_for(&self, ids: &[String]) -> Vec<Option<usize>> {
        ids.iter().map(|id| self.row_of.get(id).copied()).collect()
    }
}

/// Where a field was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    /// The table layer.
    pub table: String,
    /// Its field matching the layer's ids.
    pub key: String,
    /// Features of the layer with no row in the table.
    pub without_row: usize,
}

/// A numeric field's values, one per feature of the layer it was asked for.
#[derive(Debug, Clone)]
pub struct FieldValues {
    /// Value per feature (`None`: null, or no joined row).
    pub values: Vec<Option<f64>>,
    /// The join, when the field came from a table rather than the layer itself.
    pub join: Option<Join>,
}

/// The table layers joined to `layer`, with their key field, in project order.
pub fn tables_joined_to<'p>(project: &'p Project, layer: &str) -> Vec<(&'p Layer, &'p str)> {
    project
        .specs
        .iter()
        .filter(|s| s.join_to.as_deref() == Some(layer))
        .filter_map(|s| {
            let table = project.layers.get(&s.name).ok()?;
            Some((table.as_ref(), s.key.as_deref()?))
        })
        .filter(|(t, _)| t.role == Role::Table)
        .collect()
}

/// The key field of layer `table` when the project joins it to layer `to`.
pub fn join_key<'p>(project: &'p Project, table: &str, to: &str) -> Option<&'p str> {
    let spec = project.spec(table)?;
    match (spec.join_to.as_deref(), spec.key.as_deref()) {
        (Some(j), Some(key)) if j == to => Some(key),
        _ => None,
    }
}

/// Field `field` of `layer` as numbers, from the layer or else from a table joined to it.
///
/// The layer's own field wins over a table's. Errors: the field is nowhere (an
/// `InvalidParams` error on `analysis`'s `param` naming the field, the layer, the joined
/// tables and their fields), is in more than one joined table, or is not numeric.
pub fn numeric_field(
    project: &Project,
    layer: &Layer,
    field: &str,
    analysis: &str,
    param: &str,
) -> Result<FieldValues> {
    if layer.column(field).is_ok() {
        let col = layer.numeric_column(field)?;
        return Ok(FieldValues {
            values: (0..layer.len()).map(|i| col.f64_at(i)).collect(),
            join: None,
        });
    }
    let tables = tables_joined_to(project, &layer.name);
    let having: Vec<&(&Layer, &str)> = tables
        .iter()
        .filter(|(t, _)| t.column(field).is_ok())
        .collect();
    let (table, key) = match having.as_slice() {
        [one] => **one,
        [] => {
            let joined = if tables.is_empty() {
                format!(
                    "no table is joined to it (a table layer with join_to = \"{}\" and key adds fields)",
                    layer.name
                )
            } else {
                let each: Vec<String> = tables
                    .iter()
                    .map(|(t, _)| format!("'{}' (fields: {})", t.name, t.field_names().join(", ")))
                    .collect();
                format!("nor in the table(s) joined to it: {}", each.join("; "))
            };
            return Err(Error::param(
                analysis,
                param,
                format!(
                    "field '{field}' is not in layer '{}' (fields: {}); {joined}",
                    layer.name,
                    layer.field_names().join(", ")
                ),
            ));
        }
        many => {
            let names: Vec<&str> = many.iter().map(|(t, _)| t.name.as_str()).collect();
            return Err(Error::param(
                analysis,
                param,
                format!(
                    "field '{field}' is in more than one table joined to '{}' ({}); rename it in all but one",
                    layer.name,
                    names.join(", ")
                ),
            ));
        }
    };
    let col = table.numeric_column(field)?;
    let rows = Keyed::of(table, key)?.rows_for(&layer.ids);
    let without_row = rows.iter().filter(|r| r.is_none()).count();
    Ok(FieldValues {
        values: rows.iter().map(|r| r.and_then(|r| col.f64_at(r))).collect(),
        join: Some(Join {
            table: table.name.clone(),
            key: key.to_string(),
            without_row,
        }),
    })
}

/// A table's rows matched to the features of `layer` whose ids their `key` holds.
#[derive(Debug, Clone, Default)]
pub struct RowsToFeatures {
    /// (row, feature) for every matched row, in row order.
    pub matched: Vec<(usize, usize)>,
    /// The keys that name no feature, in row order (None: a row with no key).
    pub unmatched: Vec<Option<String>>,
}

/// The rows of `table` that `keep` keeps, each with the feature of `layer` whose id its
/// field `key` holds (a repeated id of `layer` names its last feature).
pub fn rows_to_features(
    table: &Layer,
    key: &str,
    layer: &Layer,
    keep: &[bool],
) -> Result<RowsToFeatures> {
    let col = table.column(key)?;
    let by_id: HashMap<&str, usize> = layer
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut out = RowsToFeatures::default();
    for r in (0..table.len()).filter(|r| keep[*r]) {
        let k = col.get(r).as_key();
        match k.as_deref().and_then(|k| by_id.get(k)) {
            Some(&feature) => out.matched.push((r, feature)),
            None => out.unmatched.push(k),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Columns taken from another analysis.

/// Runs analysis `analysis` with `params` for param `param` of analysis `caller`, which
/// cannot take from itself.
pub fn run_for(
    project: &Project,
    caller: &str,
    param: &str,
    analysis: &str,
    params: &Value,
) -> Result<AnalysisResult> {
    if analysis == caller {
        return Err(Error::param(
            caller,
            param,
            format!("{caller} cannot take '{param}' from itself"),
        ));
    }
    super::run(project, analysis, params.clone())
}

/// Numeric column `field` of a result, aligned to `ids` (the rows' layer): each id's value,
/// None when no row has that id or its `field` is no number.
pub fn aligned(r: &AnalysisResult, field: &str, ids: &[String]) -> Vec<Option<f64>> {
    let by_id = by_id(r, field);
    ids.iter()
        .map(|id| by_id.get(id.as_str()).copied())
        .collect()
}

/// Numeric column `field` of a result by row id.
fn by_id<'r>(r: &'r AnalysisResult, field: &str) -> HashMap<&'r str, f64> {
    r.rows
        .iter()
        .filter_map(|row| Some((row.get("id")?.as_str()?, row.get(field)?.as_f64()?)))
        .collect()
}

/// Whether some row of `r` carries `field` as a number.
pub fn has_numeric(r: &AnalysisResult, field: &str) -> bool {
    r.rows
        .iter()
        .any(|row| row.get(field).is_some_and(Value::is_number))
}

/// The numeric columns the rows of `r` carry, sorted: what an error offers instead.
pub fn numeric_columns(r: &AnalysisResult) -> Vec<&str> {
    let mut fields: Vec<&str> = r
        .rows
        .iter()
        .flat_map(|row| row.iter())
        .filter(|(_, v)| v.is_number())
        .map(|(k, _)| k.as_str())
        .collect();
    fields.sort();
    fields.dedup();
    fields
}

/// Which column of which analysis a param takes.
#[derive(Debug, Clone, Copy)]
pub struct Taken<'a> {
    /// The analysis taking it, and its param that names the column.
    pub caller: &'a str,
    /// That param.
    pub param: &'a str,
    /// The analysis run.
    pub analysis: &'a str,
    /// Its params.
    pub params: &'a Value,
    /// Its numeric column.
    pub field: &'a str,
}

/// Column `t.field` of analysis `t.analysis` run on `project`, aligned to `ids` (see
/// [`aligned`]). No row with a numeric `field` at all is an error on the caller's param.
pub fn taken_column(project: &Project, t: Taken, ids: &[String]) -> Result<Vec<Option<f64>>> {
    let r = run_for(project, t.caller, t.param, t.analysis, t.params)?;
    let by_id = by_id(&r, t.field);
    if by_id.is_empty() {
        return Err(Error::param(
            t.caller,
            t.param,
            format!(
                "analysis '{}' gave no rows with a numeric '{}'",
                t.analysis, t.field
            ),
        ));
    }
    Ok(ids
        .iter()
        .map(|id| by_id.get(id.as_str()).copied())
        .collect())
}

/// A numeric column of another analysis as weights aligned to `ids`: what `locate` weights
/// demand by (`weight_from`) and `allocate` takes as benefit (`benefit_from`). An id without
/// a row, or a negative value, counts as 0.
pub fn weights_from(project: &Project, t: Taken, ids: &[String]) -> Result<Vec<f64>> {
    Ok(taken_column(project, t, ids)?
        .into_iter()
        .map(|v| v.unwrap_or(0.0).max(0.0))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::{ints, rect, spec, text};
    use crate::analysis::Meta;
    use crate::crs::Crs;
    use crate::layer::Value as Cell;
    use serde_json::json;

    /// Zones A, B, C with `pop` 10, 20, 30; a table `t` joined to them by `kode`, whose
    /// rows are A (5), A again (7), a null key (9), X (11) and B (13).
    fn project() -> Project {
        let c = Crs::Epsg(32651);
        let mut z = Layer::new(
            "z",
            Role::Zones,
            Some(c.clone()),
            vec![
                rect(0.0, 0.0, 1.0, 1.0),
                rect(1.0, 0.0, 1.0, 1.0),
                rect(2.0, 0.0, 1.0, 1.0),
            ],
            vec![text("kode", &["A", "B", "C"]), ints("pop", &[10, 20, 30])],
        )
        .expect("z");
        z.set_id_field("kode").expect("id");
        let key = Column::from_values(
            "kode",
            vec![
                Cell::Text("A".into()),
                Cell::Text("A".into()),
                Cell::Null,
                Cell::Text("X".into()),
                Cell::Text("B".into()),
            ],
        );
        let t = Layer::new(
            "t",
            Role::Table,
            None,
            vec![None; 5],
            vec![key, ints("v", &[5, 7, 9, 11, 13])],
        )
        .expect("t");
        let mut ts = spec("t", "table");
        ts.join_to = Some("z".into());
        ts.key = Some("kode".into());
        Project::from_layers("p", c, vec![(spec("z", "zones"), z), (ts, t)]).expect("p")
    }

    #[test]
    fn a_feature_takes_the_first_row_of_its_key() {
        let p = project();
        let (z, t) = (p.layers.get("z").expect("z"), p.layers.get("t").expect("t"));
        assert_eq!(
            Keyed::of(t, "kode").expect("keyed").rows_for(&z.ids),
            vec![Some(0), Some(4), None]
        );
        let v = numeric_field(&p, z, "v", "test", "field").expect("joined");
        assert_eq!(v.values, vec![Some(5.0), Some(13.0), None]);
        let join = v.join.expect("from the table");
        assert_eq!((join.table.as_str(), join.without_row), ("t", 1));
        // The layer's own field wins; a field nowhere names the tables it looked in.
        assert!(numeric_field(&p, z, "pop", "test", "field")
            .expect("own")
            .join
            .is_none());
        let e = numeric_field(&p, z, "nope", "test", "fields[0]").expect_err("nowhere");
        assert!(
            e.to_string().contains("fields[0]") && e.to_string().contains("'t'"),
            "{e}"
        );
        assert_eq!(join_key(&p, "t", "z"), Some("kode"));
        assert_eq!(join_key(&p, "t", "other"), None);
        assert_eq!(tables_joined_to(&p, "z").len(), 1);
    }

    #[test]
    fn table_rows_go_to_the_feature_their_key_names() {
        let p = project();
        let (z, t) = (p.layers.get("z").expect("z"), p.layers.get("t").expect("t"));
        let keep = [true, false, true, true, true];
        let r = rows_to_features(t, "kode", z, &keep).expect("rows");
        assert_eq!(r.matched, vec![(0, 0), (4, 1)]);
        assert_eq!(r.unmatched, vec![None, Some("X".to_string())]);
    }

    #[test]
    fn counts_are_non_negative_and_nulls_are_counted() {
        let l = Layer::new(
            "l",
            Role::Demand,
            None,
            vec![None; 3],
            vec![Column::from_values(
                "n",
                vec![Cell::Int(2), Cell::Null, Cell::Float(1.5)],
            )],
        )
        .expect("l");
        let col = l.numeric_column("n").expect("n");
        assert_eq!(
            counts("test", &l, col, "n").expect("counts"),
            (vec![2.0, 0.0, 1.5], 1)
        );
        let neg = Layer::new(
            "neg",
            Role::Demand,
            None,
            vec![None],
            vec![ints("n", &[-1])],
        )
        .expect("neg");
        let e = counts(
            "locate",
            &neg,
            neg.numeric_column("n").expect("n"),
            "weight",
        )
        .expect_err("negative");
        assert!(
            e.to_string().contains("'locate'") && e.to_string().contains("'weight'"),
            "{e}"
        );
    }

    #[test]
    fn columns_of_a_result_align_to_ids() {
        let rows = [
            json!({"id": "B", "x": 2.0, "s": "a"}),
            json!({"id": "A", "x": 1.0}),
        ]
        .into_iter()
        .filter_map(|v| v.as_object().cloned())
        .collect();
        let r = AnalysisResult {
            analysis: "a".into(),
            params: Value::Null,
            summary: Map::new(),
            rows,
            meta: Meta {
                engine_version: String::new(),
                elapsed_ms: 0,
                layers: Default::default(),
                row_layer: None,
            },
        };
        let ids: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        assert_eq!(aligned(&r, "x", &ids), vec![Some(1.0), Some(2.0), None]);
        assert!(has_numeric(&r, "x") && !has_numeric(&r, "s"));
        assert_eq!(numeric_columns(&r), vec!["x"]);
        let e = run_for(&project(), "locate", "weight_from", "locate", &Value::Null)
            .expect_err("itself");
        assert!(e.to_string().contains("from itself"), "{e}");
    }
}
