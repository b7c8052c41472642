//! Applying a scenario: the baseline project with the edits made, sharing every layer the
//! edits do not touch.

use super::edit::{Budget, Edit};
use super::{Scenario, ScenarioError};
use crate::crs::{Crs, Transformer};
use crate::layer::{Column, ColumnData, Layer, Role, Value};
use crate::project::Project;
use geo::{Buffer, Coord, Geometry, Point, Scale};
use std::collections::BTreeMap;

/// A scenario applied to a baseline.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The baseline with the edits made: edited layers are new, the rest are the baseline's
    /// own (`Arc`-shared, not copied).
    pub project: Project,
    /// The budget, if the scenario sets one.
    pub budget: Option<Budget>,
    /// What the scenario's new facilities cost (Σ `cost` of `add_facility`).
    pub spend: f64,
    /// Layers the edits changed, sorted.
    pub edited_layers: Vec<String>,
    /// Facilities closed, by layer.
    pub closed: BTreeMap<String, Vec<String>>,
}

/// Which edit is being applied, for the errors.
#[derive(Clone, Copy)]
struct Ctx {
    edit: usize,
    op: &'static str,
}

impl Ctx {
    fn invalid(self, message: impl Into<String>) -> ScenarioError {
        ScenarioError::InvalidEdit {
            edit: self.edit,
            op: self.op,
            message: message.into(),
        }
    }
}

/// The working state: copies of the layers edited so far, and the layer entries.
struct Work<'b> {
    base: &'b Project,
    layers: BTreeMap<String, Layer>,
    specs: Vec<crate::project::LayerSpec>,
}

impl Work<'_> {
    /// The layer `name` for editing (copied from the baseline on first use), which must have
    /// one of `roles`.
    fn layer(&mut self, ctx: Ctx, name: &str, roles: &[Role]) -> Result<&mut Layer, ScenarioError> {
        if !self.layers.contains_key(name) {
            let base = self
                .base
                .layers
                .get(name)
                .map_err(|_| ScenarioError::UnknownLayer {
                    edit: ctx.edit,
                    op: ctx.op,
                    layer: name.to_string(),
                    available: self.base.layers.names(),
                })?;
            self.layers.insert(name.to_string(), Layer::clone(base));
        }
        let layer = self
            .layers
            .get_mut(name)
            .ok_or_else(|| ctx.invalid(format!("layer '{name}' vanished while editing")))?;
        if !roles.contains(&layer.role) {
            return Err(ScenarioError::WrongRole {
                edit: ctx.edit,
                op: ctx.op,
                layer: name.to_string(),
                role: layer.role.as_str().to_string(),
                expected: roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" or "),
            });
        }
        Ok(layer)
    }

    /// The field that the project file names with `key` (`kind`, `capacity`, `population`)
    /// for `layer`.
    fn spec_field(
        &self,
        layer: &str,
        pick: fn(&crate::project::LayerSpec) -> &Option<String>,
    ) -> Option<String> {
        self.specs
            .iter()
            .find(|s| s.name == layer)
            .and_then(|s| pick(s).clone())
    }
}

/// Applies `scenario`'s edits, in order, to `base`.
pub fn apply(base: &Project, scenario: &Scenario) -> Result<Applied, ScenarioError> {
    let mut w = Work {
        base,
        layers: BTreeMap::new(),
        specs: base.specs.clone(),
    };
    let mut budget = None;
    let mut spend = 0.0;
    let mut closed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, edit) in scenario.edits.iter().enumerate() {
        let ctx = Ctx {
            edit: k + 1,
            op: edit.op(),
        };
        match edit {
            Edit::AddFacility {
                layer,
                id,
                lon,
                lat,
                x,
                y,
                kind,
                capacity,
                cost,
                attributes,
            } => {
                let at = position(base, ctx, *lon, *lat, *x, *y)?;
                if let Some(c) = cost {
                    if !c.is_finite() || *c < 0.0 {
                        return Err(ctx.invalid(format!("cost {c} is not a non-negative number")));
                    }
                    spend += c;
                }
                let mut cells: Vec<(String, Value)> = Vec::new();
                if let Some(kind) = kind {
                    let f = required_field(&w, ctx, layer, "kind", |s| &s.kind)?;
                    cells.push((f, Value::Text(kind.clone())));
                }
                if let Some(c) = capacity {
                    check_capacity(ctx, *c)?;
                    let f = required_field(&w, ctx, layer, "capacity", |s| &s.capacity)?;
                    cells.push((f, Value::Float(*c)));
                }
                for (f, v) in attributes {
                    cells.push((f.clone(), Value::from_json(v)));
                }
                let l = w.layer(ctx, layer, &[Role::Facilities])?;
                if l.ids.iter().any(|i| i == id) {
                    return Err(ScenarioError::DuplicateFeature {
                        edit: ctx.edit,
                        op: ctx.op,
                        layer: layer.clone(),
                        id: id.clone(),
                    });
                }
                // Validate every cell before changing the layer, so an error leaves no half row.
                let mut targets = Vec::with_capacity(cells.len());
                for (f, v) in cells {
                    let c = column_index(l, ctx, &f)?;
                    targets.push((c, v));
                }
                let row = l.len();
                l.ids.push(id.clone());
                l.geometries.push(Some(Geometry::Point(Point(at))));
                for col in &mut l.columns {
                    push_null(col);
                }
                if let Some(id_field) = l.id_field.clone() {
                    let c = column_index(l, ctx, &id_field)?;
                    set_cell(&mut l.columns[c], row, Value::Text(id.clone()))
                        .map_err(|m| ctx.invalid(m))?;
                }
                for (c, v) in targets {
                    set_cell(&mut l.columns[c], row, v).map_err(|m| ctx.invalid(m))?;
                }
            }
            Edit::MoveFacility {
                layer,
                id,
                lon,
                lat,
                x,
                y,
            } => {
                let at = position(base, ctx, *lon, *lat, *x, *y)?;
                let l = w.layer(ctx, layer, &[Role::Facilities])?;
                let i = feature(l, ctx, id)?;
                l.geometries[i] = Some(Geometry::Point(Point(at)));
            }
            Edit::RemoveFacility { layer, id } => {
                let l = w.layer(ctx, layer, &[Role::Facilities])?;
                let i = feature(l, ctx, id)?;
                remove_feature(l, i);
            }
            Edit::CloseFacility { layer, id } => {
                let l = w.layer(ctx, layer, &[Role::Facilities])?;
                let i = feature(l, ctx, id)?;
                remove_feature(l, i);
                closed.entry(layer.clone()).or_default().push(id.clone());
            }
            Edit::SetCapacity {
                layer,
                id,
                capacity,
                field,
            } => {
                check_capacity(ctx, *capacity)?;
                let f = match field {
                    Some(f) => f.clone(),
                    None => required_field(&w, ctx, layer, "capacity", |s| &s.capacity)?,
                };
                let l = w.layer(ctx, layer, &[Role::Facilities])?;
                let i = feature(l, ctx, id)?;
                let c = column_index(l, ctx, &f)?;
                set_cell(&mut l.columns[c], i, Value::Float(*capacity))
                    .map_err(|m| ctx.invalid(m))?;
            }
            Edit::SwapHazard { layer, to } => {
                w.layer(ctx, layer, &[Role::Hazard])?;
                let mut with = w.layer(ctx, to, &[Role::Hazard])?.clone();
                with.name = layer.clone();
                w.layers.insert(layer.clone(), with);
                // Analyses read the class / level field from the entry of the name they use.
                if let Some(mut spec) = w.specs.iter().find(|s| &s.name == to).cloned() {
                    spec.name = layer.clone();
                    if let Some(slot) = w.specs.iter_mut().find(|s| &s.name == layer) {
                        *slot = spec;
                    }
                }
            }
            Edit::ScaleHazard { layer, factor } => {
                if !factor.is_finite() || *factor <= 0.0 {
                    return Err(ctx.invalid(format!("factor {factor} is not a positive number")));
                }
                let l = w.layer(ctx, layer, &[Role::Hazard])?;
                for g in l.geometries.iter_mut().flatten() {
                    g.scale_mut(*factor);
                }
            }
            Edit::BufferHazard { layer, distance_m } => {
                if !distance_m.is_finite() {
                    return Err(ctx.invalid("distance_m is not a number"));
                }
                let l = w.layer(ctx, layer, &[Role::Hazard])?;
                for g in &mut l.geometries {
                    if let Some(geom) = g.as_ref() {
                        let grown = geom.buffer(*distance_m);
                        // A polygon shrunk to nothing is no hazard: a null geometry.
                        *g = (!grown.0.is_empty()).then_some(Geometry::MultiPolygon(grown));
                    }
                }
            }
            Edit::ScaleDemand {
                layer,
                factor,
                field,
                ids,
            } => {
                if !factor.is_finite() || *factor < 0.0 {
                    return Err(
                        ctx.invalid(format!("factor {factor} is not a non-negative number"))
                    );
                }
                let f = match field {
                    Some(f) => f.clone(),
                    None => required_field(&w, ctx, layer, "population", |s| &s.population)?,
                };
                let l = w.layer(ctx, layer, &[Role::Zones, Role::Demand])?;
                let c = column_index(l, ctx, &f)?;
                if !l.columns[c].is_numeric() {
                    return Err(
                        ctx.invalid(format!("field '{f}' of layer '{layer}' is not numeric"))
                    );
                }
                let rows: Vec<usize> = match ids {
                    Some(ids) => ids
                        .iter()
                        .map(|id| feature(l, ctx, id))
                        .collect::<Result<_, _>>()?,
                    None => (0..l.len()).collect(),
                };
                for i in rows {
                    if let Some(v) = l.columns[c].f64_at(i) {
                        set_cell(&mut l.columns[c], i, Value::Float(v * factor))
                            .map_err(|m| ctx.invalid(m))?;
                    }
                }
            }
            Edit::ExcludeZones { layer, ids } => {
                let l = w.layer(ctx, layer, &[Role::Zones])?;
                for id in ids {
                    let i = feature(l, ctx, id)?;
                    remove_feature(l, i);
                }
            }
            Edit::SetBudget { amount, currency } => {
                if !amount.is_finite() || *amount < 0.0 {
                    return Err(
                        ctx.invalid(format!("amount {amount} is not a non-negative number"))
                    );
                }
                budget = Some(Budget {
                    amount: *amount,
                    currency: currency.clone().unwrap_or_else(|| "IDR".to_string()),
                });
            }
        }
    }
    let mut project = base.clone();
    let edited_layers: Vec<String> = w.layers.keys().cloned().collect();
    for (_, layer) in w.layers {
        project.layers.insert(layer);
    }
    project.specs = w.specs;
    Ok(Applied {
        project,
        budget,
        spend,
        edited_layers,
        closed,
    })
}

/// A position in the working CRS from `lon`/`lat` or `x`/`y`.
fn position(
    base: &Project,
    ctx: Ctx,
    lon: Option<f64>,
    lat: Option<f64>,
    x: Option<f64>,
    y: Option<f64>,
) -> Result<Coord, ScenarioError> {
    match (lon, lat, x, y) {
        (Some(lon), Some(lat), None, None) => {
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                return Err(ctx.invalid(format!(
                    "lon {lon}, lat {lat} is outside longitude -180..180 / latitude -90..90"
                )));
            }
            let t = Transformer::new(&Crs::WGS84, &base.crs)
                .map_err(|e| ctx.invalid(format!("cannot reproject lon/lat: {e}")))?;
            let (x, y) = t
                .point(lon, lat)
                .map_err(|e| ctx.invalid(format!("cannot reproject lon {lon}, lat {lat}: {e}")))?;
            Ok(Coord { x, y })
        }
        (None, None, Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok(Coord { x, y }),
        _ => Err(ctx
            .invalid("give the position as lon and lat (EPSG:4326), or as x and y (working CRS)")),
    }
}

fn check_capacity(ctx: Ctx, c: f64) -> Result<(), ScenarioError> {
    if c.is_finite() && c >= 0.0 {
        Ok(())
    } else {
        Err(ctx.invalid(format!("capacity {c} is not a non-negative number")))
    }
}

/// The field the project file names for `key` on `layer`, or an error saying how to name it.
fn required_field(
    w: &Work<'_>,
    ctx: Ctx,
    layer: &str,
    key: &str,
    pick: fn(&crate::project::LayerSpec) -> &Option<String>,
) -> Result<String, ScenarioError> {
    if w.base.layers.get(layer).is_err() {
        return Err(ScenarioError::UnknownLayer {
            edit: ctx.edit,
            op: ctx.op,
            layer: layer.to_string(),
            available: w.base.layers.names(),
        });
    }
    w.spec_field(layer, pick).ok_or_else(|| {
        ctx.invalid(format!(
            "layer '{layer}' has no {key} field: name it with `{key} = \"…\"` in the project file, or give `field`"
        ))
    })
}

fn feature(l: &Layer, ctx: Ctx, id: &str) -> Result<usize, ScenarioError> {
    l.ids
        .iter()
        .position(|i| i == id)
        .ok_or_else(|| ScenarioError::UnknownFeature {
            edit: ctx.edit,
            op: ctx.op,
            layer: l.name.clone(),
            id: id.to_string(),
        })
}

fn column_index(l: &Layer, ctx: Ctx, field: &str) -> Result<usize, ScenarioError> {
    l.columns
        .iter()
        .position(|c| c.name == field)
        .ok_or_else(|| ScenarioError::UnknownField {
            edit: ctx.edit,
            op: ctx.op,
            layer: l.name.clone(),
            field: field.to_string(),
            available: l.field_names(),
        })
}

fn remove_feature(l: &mut Layer, i: usize) {
    l.ids.remove(i);
    l.geometries.remove(i);
    for c in &mut l.columns {
        match &mut c.data {
            ColumnData::Int(v) => drop(v.remove(i)),
            ColumnData::Float(v) => drop(v.remove(i)),
            ColumnData::Text(v) => drop(v.remove(i)),
            ColumnData::Bool(v) => drop(v.remove(i)),
        }
    }
    // Reader notes point at feature indexes: drop the removed one's, shift the later ones.
    l.notes.retain(|n| n.feature != i);
    for n in &mut l.notes {
        if n.feature > i {
            n.feature -= 1;
        }
    }
}

fn push_null(c: &mut Column) {
    match &mut c.data {
        ColumnData::Int(v) => v.push(None),
        ColumnData::Float(v) => v.push(None),
        ColumnData::Text(v) => v.push(None),
        ColumnData::Bool(v) => v.push(None),
    }
}

/// Writes `v` into row `i`. An integer column that receives a fraction becomes a float
/// column; a value of another kind (text into a number) is an error naming the field.
fn set_cell(c: &mut Column, i: usize, v: Value) -> Result<(), String> {
    let mismatch = |c: &Column, v: &Value| {
        format!(
            "field '{}' holds {:?} values; cannot write {}",
            c.name,
            c.field_type(),
            v.to_json()
        )
    };
    if let (ColumnData::Int(ints), Value::Float(f)) = (&c.data, &v) {
        if f.fract() != 0.0 || f.abs() > 9.0e15 {
            let floats = ints.iter().map(|x| x.map(|x| x as f64)).collect();
            c.data = ColumnData::Float(floats);
        }
    }
    if matches!(v, Value::Null) {
        match &mut c.data {
            ColumnData::Int(col) => col[i] = None,
            ColumnData::Float(col) => col[i] = None,
            ColumnData::Text(col) => col[i] = None,
            ColumnData::Bool(col) => col[i] = None,
        }
        return Ok(());
    }
    let message = mismatch(c, &v);
    match (&mut c.data, v) {
        (ColumnData::Int(col), Value::Int(x)) => col[i] = Some(x),
        (ColumnData::Int(col), Value::Float(x)) => col[i] = Some(x as i64),
        (ColumnData::Float(col), Value::Int(x)) => col[i] = Some(x as f64),
        (ColumnData::Float(col), Value::Float(x)) => col[i] = Some(x),
        (ColumnData::Text(col), v @ (Value::Text(_) | Value::Int(_) | Value::Float(_))) => {
            col[i] = v.as_key();
        }
        (ColumnData::Bool(col), Value::Bool(b)) => col[i] = Some(b),
        _ => return Err(message),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::{ints, rect, spec, text};
    use crate::project::LayerSpec;
    use std::sync::Arc;

    fn project() -> Project {
        let zones = Layer::new(
            "z",
            Role::Zones,
            None,
            vec![rect(0.0, 0.0, 10.0, 10.0), rect(10.0, 0.0, 10.0, 10.0)],
            vec![text("kode", &["a", "b"]), ints("pop", &[100, 200])],
        )
        .expect("zones");
        let mut fac = Layer::new(
            "f",
            Role::Facilities,
            None,
            vec![
                Some(Geometry::Point(Point::new(1.0, 1.0))),
                Some(Geometry::Point(Point::new(12.0, 1.0))),
            ],
            vec![text("kode", &["F1", "F2"]), ints("cap", &[10, 20])],
        )
        .expect("facilities");
        fac.set_id_field("kode").expect("ids");
        let mut zones = zones;
        zones.set_id_field("kode").expect("ids");
        let h1 = Layer::new(
            "h1",
            Role::Hazard,
            None,
            vec![rect(0.0, 0.0, 2.0, 2.0)],
            vec![],
        )
        .expect("h1");
        let h2 = Layer::new(
            "h2",
            Role::Hazard,
            None,
            vec![rect(0.0, 0.0, 4.0, 4.0)],
            vec![],
        )
        .expect("h2");
        let crs = Crs::parse("EPSG:32651").expect("crs");
        let zspec = LayerSpec {
            population: Some("pop".into()),
            id: Some("kode".into()),
            ..spec("z", "zones")
        };
        let fspec = LayerSpec {
            capacity: Some("cap".into()),
            id: Some("kode".into()),
            ..spec("f", "facilities")
        };
        Project::from_layers(
            "t",
            crs,
            vec![
                (zspec, zones),
                (fspec, fac),
                (spec("h1", "hazard"), h1),
                (spec("h2", "hazard"), h2),
            ],
        )
        .expect("project")
    }

    fn scenario(edits: serde_json::Value) -> Scenario {
        let mut s = Scenario::new("s");
        s.edits = serde_json::from_value(edits).expect("edits");
        s
    }

    #[test]
    fn unedited_layers_are_shared_and_edited_ones_copied() {
        let p = project();
        let a = apply(
            &p,
            &scenario(serde_json::json!([
                {"op": "add_facility", "layer": "f", "id": "F3", "x": 5.0, "y": 5.0, "capacity": 2.5, "cost": 7.0},
                {"op": "set_capacity", "layer": "f", "id": "F1", "capacity": 11},
                {"op": "set_budget", "amount": 10}
            ])),
        )
        .expect("apply");
        assert_eq!(a.edited_layers, vec!["f"]);
        for name in ["z", "h1", "h2"] {
            assert!(Arc::ptr_eq(
                p.layers.get(name).expect("base"),
                a.project.layers.get(name).expect("view")
            ));
        }
        let f = a.project.layers.get("f").expect("f");
        assert_eq!(f.ids, vec!["F1", "F2", "F3"]);
        let cap = f.column("cap").expect("cap");
        assert_eq!(
            cap.field_type(),
            crate::layer::FieldType::Float,
            "2.5 made it a float"
        );
        assert_eq!(
            (0..3).map(|i| cap.f64_at(i)).collect::<Vec<_>>(),
            vec![Some(11.0), Some(20.0), Some(2.5)]
        );
        assert_eq!(
            f.column("kode").expect("kode").get(2),
            Value::Text("F3".into())
        );
        assert_ne!(
            f.content_hash(),
            p.layers.get("f").expect("f").content_hash()
        );
        assert_eq!(
            p.layers.get("f").expect("f").len(),
            2,
            "the baseline is untouched"
        );
        assert_eq!(a.spend, 7.0);
        assert_eq!(a.budget.as_ref().map(|b| b.amount), Some(10.0));
    }

    #[test]
    fn close_swap_scale_exclude() {
        let p = project();
        let a = apply(
            &p,
            &scenario(serde_json::json!([
                {"op": "close_facility", "layer": "f", "id": "F1"},
                {"op": "swap_hazard", "layer": "h1", "to": "h2"},
                {"op": "scale_demand", "layer": "z", "factor": 1.5, "ids": ["b"]},
                {"op": "exclude_zones", "layer": "z", "ids": ["a"]}
            ])),
        )
        .expect("apply");
        let v = &a.project.layers;
        assert_eq!(v.get("f").expect("f").ids, vec!["F2"]);
        assert_eq!(a.closed["f"], vec!["F1"]);
        let h1 = v.get("h1").expect("h1");
        assert_eq!(h1.name, "h1");
        assert_eq!(h1.content_hash(), v.get("h2").expect("h2").content_hash());
        let z = v.get("z").expect("z");
        assert_eq!(z.ids, vec!["b"]);
        assert_eq!(z.column("pop").expect("pop").f64_at(0), Some(300.0));
    }

    #[test]
    fn buffer_and_scale_hazard_grow_it() {
        use geo::Area;
        let p = project();
        let area = |s: serde_json::Value| {
            let a = apply(&p, &scenario(s)).expect("apply");
            let h = a.project.layers.get("h1").expect("h1");
            h.geometries[0].as_ref().map_or(0.0, |g| g.unsigned_area())
        };
        assert!(
            (area(serde_json::json!([{"op": "scale_hazard", "layer": "h1", "factor": 2.0}]))
                - 16.0)
                .abs()
                < 1e-9
        );
        let grown =
            area(serde_json::json!([{"op": "buffer_hazard", "layer": "h1", "distance_m": 1.0}]));
        // A 2×2 square grown by 1: 4 + 4·2 + π (rounded corners), within the arc's segmentation.
        assert!(
            (grown - (12.0 + std::f64::consts::PI)).abs() < 0.05,
            "{grown}"
        );
        assert_eq!(
            area(serde_json::json!([{"op": "buffer_hazard", "layer": "h1", "distance_m": -5.0}])),
            0.0
        );
    }

    #[test]
    fn errors_name_the_edit_layer_feature_and_field() {
        let p = project();
        let err = |s: serde_json::Value| apply(&p, &scenario(s)).expect_err("error");
        let e = err(serde_json::json!([{"op": "close_facility", "layer": "nope", "id": "F1"}]));
        assert!(
            matches!(e, ScenarioError::UnknownLayer { edit: 1, .. }),
            "{e}"
        );
        let e = err(serde_json::json!([
            {"op": "close_facility", "layer": "f", "id": "F1"},
            {"op": "move_facility", "layer": "f", "id": "F1", "x": 1, "y": 1}
        ]));
        assert!(
            matches!(e, ScenarioError::UnknownFeature { edit: 2, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("edit 2 (move_facility)"), "{e}");
        let e = err(
            serde_json::json!([{"op": "add_facility", "layer": "f", "id": "F9", "x": 1, "y": 1, "attributes": {"beds": 3}}]),
        );
        assert!(
            matches!(e, ScenarioError::UnknownField { ref field, .. } if field == "beds"),
            "{e}"
        );
        let e = err(
            serde_json::json!([{"op": "add_facility", "layer": "f", "id": "F1", "x": 1, "y": 1}]),
        );
        assert!(matches!(e, ScenarioError::DuplicateFeature { .. }), "{e}");
        let e = err(serde_json::json!([{"op": "add_facility", "layer": "f", "id": "F9", "x": 1}]));
        assert!(e.to_string().contains("lon and lat"), "{e}");
        let e = err(serde_json::json!([{"op": "close_facility", "layer": "z", "id": "a"}]));
        assert!(matches!(e, ScenarioError::WrongRole { .. }), "{e}");
        let e = err(serde_json::json!([{"op": "swap_hazard", "layer": "h1", "to": "z"}]));
        assert!(matches!(e, ScenarioError::WrongRole { .. }), "{e}");
        let e = err(
            serde_json::json!([{"op": "set_capacity", "layer": "f", "id": "F1", "capacity": -1}]),
        );
        assert_eq!(e.kind(), "invalid-edit");
        let e = err(
            serde_json::json!([{"op": "add_facility", "layer": "f", "id": "F9", "x": 1, "y": 1, "attributes": {"cap": "many"}}]),
        );
        assert!(e.to_string().contains("field 'cap'"), "{e}");
        let e = err(serde_json::json!([{"op": "scale_demand", "layer": "f", "factor": 2}]));
        assert!(
            matches!(e, ScenarioError::InvalidEdit { .. }),
            "no population field: {e}"
        );
    }

    #[test]
    fn lon_lat_become_working_crs() {
        let p = project();
        let a = apply(
            &p,
            &scenario(serde_json::json!([{"op": "move_facility", "layer": "f", "id": "F1", "lon": 123.0, "lat": 0.0}])),
        )
        .expect("apply");
        let f = a.project.layers.get("f").expect("f");
        let Some(Geometry::Point(pt)) = &f.geometries[0] else {
            panic!("a point")
        };
        // 123° E is the central meridian of UTM zone 51: easting 500 000 m on the equator.
        assert!(
            (pt.x() - 500_000.0).abs() < 1e-6 && pt.y().abs() < 1e-6,
            "{pt:?}"
        );
    }
}
