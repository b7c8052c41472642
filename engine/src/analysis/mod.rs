//! Analyses: named, pure functions of a project's layers + JSON params → a result table
//! keyed by feature id, plus a summary.
//!
//! Adding an analysis = one new file here implementing [`Analysis`] and one line in
//! [`registry`]. The CLI (`tepat analyses`, `tepat run`), the HTTP API and the viewer's
//! forms all follow from the registry and each analysis' params JSON Schema.

pub mod access;
pub mod aggregate;
pub mod allocate;
pub mod clusters;
pub mod complaints;
pub mod defaults;
pub mod descriptor;
pub mod exposure;
pub mod hotspots;
pub mod index;
pub mod inputs;
pub mod interpolate;
pub mod locate;

pub use defaults::Focus;
pub use descriptor::Descriptor;

use crate::error::{Error, Result};
use crate::project::Project;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::time::Instant;

/// One result row: `id` plus the analysis' columns (JSON object).
pub type Row = Map<String, Value>;

/// [`Row`] as the OpenAPI document describes it (a type alias cannot derive a schema);
/// never built.
#[cfg(feature = "openapi")]
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Row, description = "One result row: `id` plus the analysis' columns.")]
pub struct RowSchema {
    /// Feature id in the row layer.
    pub id: String,
    /// The analysis' columns (`GET /analyses` describes them).
    #[serde(flatten)]
    pub columns: BTreeMap<String, Value>,
}

/// What an analysis computes, before the runner adds the envelope.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// Totals and global statistics.
    pub summary: Map<String, Value>,
    /// One row per zone / feature; each must have an `id`.
    pub rows: Vec<Row>,
    /// The layer whose features the rows' ids name (for GeoJSON output and the map).
    pub row_layer: Option<String>,
    /// Layers the result depends on (their content hashes go into `meta`).
    pub layers_used: Vec<String>,
}

/// Provenance of a result.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    /// Engine version that computed it.
    pub engine_version: String,
    /// Wall time of the run.
    pub elapsed_ms: u64,
    /// SHA-256 of each layer used.
    pub layers: BTreeMap<String, String>,
    /// The layer whose feature ids the rows carry.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub row_layer: Option<String>,
}

/// The result envelope shared by the CLI and HTTP (DESIGN.md §4).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AnalysisResult {
    /// Analysis name.
    pub analysis: String,
    /// Params as resolved (defaults filled in).
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Value>))]
    pub params: Value,
    /// Totals and global statistics.
    pub summary: Map<String, Value>,
    /// Rows sorted by id.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<RowSchema>))]
    pub rows: Vec<Row>,
    /// Provenance.
    pub meta: Meta,
}

/// An analysis, object-safe so the registry can list them.
pub trait Analysis: Send + Sync {
    /// Registry name (`aggregate`).
    fn name(&self) -> &'static str;
    /// One-line description for listings (the descriptor's English).
    fn description(&self) -> &'static str;
    /// What the analysis says about itself: titles and output columns.
    fn descriptor(&self) -> Descriptor;
    /// JSON Schema of the params, with their `x-tepat-*` annotations.
    fn params_schema(&self) -> Value;
    /// Params that suit `project` when the caller gives none: read off the layers' roles,
    /// preferring the layers `focus` names (those a scenario edits). An error says what the
    /// project lacks.
    fn default_params(&self, project: &Project, focus: &Focus) -> Result<Value>;
    /// Parses params (filling defaults), returning them resolved and the output.
    fn run_json(&self, project: &Project, params: Value) -> Result<(Value, Output)>;
}

/// Typed analyses implement this; [`Analysis`] follows.
pub trait TypedAnalysis: Send + Sync {
    /// Params, deserialised from JSON with defaults.
    type Params: DeserializeOwned + Serialize + JsonSchema;
    /// Registry name.
    const NAME: &'static str;
    /// What it says about itself.
    const DESCRIPTOR: Descriptor;
    /// Default params on `project` (see [`Analysis::default_params`]). Analyses that need
    /// choices no project layout implies keep this default, which says so.
    fn defaults(project: &Project, focus: &Focus) -> Result<Value> {
        let _ = (project, focus);
        Err(Error::param(
            Self::NAME,
            "(params)",
            format!("'{}' has no default params; give them", Self::NAME),
        ))
    }
    /// The computation. It may fill defaults that depend on the project into `params`
    /// (e.g. a table's key field), so the envelope reports the params as resolved.
    fn run(&self, project: &Project, params: &mut Self::Params) -> Result<Output>;
}

impl<T: TypedAnalysis> Analysis for T {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn description(&self) -> &'static str {
        T::DESCRIPTOR.description.en
    }
    fn descriptor(&self) -> Descriptor {
        T::DESCRIPTOR
    }
    fn params_schema(&self) -> Value {
        let mut schema =
            serde_json::to_value(schemars::schema_for!(T::Params)).unwrap_or(Value::Null);
        descriptor::annotate(&mut schema);
        schema
    }
    fn default_params(&self, project: &Project, focus: &Focus) -> Result<Value> {
        T::defaults(project, focus)
    }
    fn run_json(&self, project: &Project, params: Value) -> Result<(Value, Output)> {
        let mut params: T::Params = serde_path_to_error::deserialize(params).map_err(|e| {
            let path = e.path().to_string();
            Error::InvalidParams {
                analysis: T::NAME.to_string(),
                param: if path == "." { "(params)".into() } else { path },
                message: e.into_inner().to_string(),
            }
        })?;
        let out = self.run(project, &mut params)?;
        let resolved = serde_json::to_value(&params).unwrap_or(Value::Null);
        Ok((resolved, out))
    }
}

/// Every registered analysis, in listing order.
pub fn registry() -> Vec<&'static dyn Analysis> {
    vec![
        &aggregate::Aggregate,
        &exposure::Exposure,
        &interpolate::Interpolate,
        &access::Access,
        &index::Index,
        &locate::Locate,
        &allocate::Allocate,
        &hotspots::Hotspots,
        &clusters::Clusters,
        &complaints::Complaints,
    ]
}

/// The analysis called `name`.
pub fn find(name: &str) -> Result<&'static dyn Analysis> {
    registry()
        .into_iter()
        .find(|a| a.name() == name)
        .ok_or_else(|| Error::UnknownAnalysis {
            name: name.to_string(),
            available: registry().iter().map(|a| a.name().to_string()).collect(),
        })
}

/// Runs analysis `name` on `project` with JSON `params` and wraps the result in the envelope:
/// rows sorted by id, meta with engine version, time and the hashes of the layers used.
pub fn run(project: &Project, name: &str, params: Value) -> Result<AnalysisResult> {
    let analysis = find(name)?;
    let params = if params.is_null() {
        Value::Object(Map::new())
    } else {
        params
    };
    let start = Instant::now();
    let (params, mut out) = analysis.run_json(project, params)?;
    out.rows.sort_by(|a, b| compare_ids(row_id(a), row_id(b)));
    let mut layers = BTreeMap::new();
    for l in &out.layers_used {
        if let Ok(layer) = project.layers.get(l) {
            layers.insert(l.clone(), layer.content_hash().to_string());
        }
    }
    Ok(AnalysisResult {
        analysis: name.to_string(),
        params,
        summary: out.summary,
        rows: out.rows,
        meta: Meta {
            engine_version: crate::ENGINE_VERSION.to_string(),
            elapsed_ms: start.elapsed().as_millis() as u64,
            layers,
            row_layer: out.row_layer,
        },
    })
}

fn row_id(r: &Row) -> &str {
    r.get("id").and_then(Value::as_str).unwrap_or_default()
}

/// Id order: numerically when both ids are integers (so 2 < 10), else by text.
pub fn compare_ids(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<i128>(), b.parse::<i128>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// The layer named by parameter `param` of `analysis`, which must have one of `roles` and,
/// when `non_empty`, at least one feature. Every analysis resolves its layers through this,
/// so the errors read the same everywhere.
pub fn layer_param<'p>(
    project: &'p Project,
    analysis: &str,
    param: &str,
    name: &str,
    roles: &[crate::layer::Role],
    non_empty: bool,
) -> Result<&'p std::sync::Arc<crate::layer::Layer>> {
    let layer = project.layers.get(name)?;
    if !roles.contains(&layer.role) {
        let wanted: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        return Err(Error::param(
            analysis,
            param,
            format!(
                "layer '{}' is a {} layer; expected {}",
                layer.name,
                layer.role.as_str(),
                wanted.join(" or ")
            ),
        ));
    }
    if non_empty && layer.is_empty() {
        return Err(Error::EmptyLayer {
            layer: layer.name.clone(),
            source_path: layer.source.clone(),
        });
    }
    Ok(layer)
}

/// A JSON number from an f64 (non-finite → null, since JSON has no NaN).
pub fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// Small builders shared by the analyses' hand-computed tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::layer::{Column, Value};
    use crate::project::LayerSpec;
    use geo::{polygon, Geometry};

    /// An axis-aligned w × h rectangle at (x0, y0).
    pub fn rect(x0: f64, y0: f64, w: f64, h: f64) -> Option<Geometry> {
        Some(polygon![(x: x0, y: y0), (x: x0 + w, y: y0), (x: x0 + w, y: y0 + h), (x: x0, y: y0 + h)].into())
    }

    /// A `[[layers]]` entry with only a name and a role.
    pub fn spec(name: &str, role: &str) -> LayerSpec {
        LayerSpec {
            name: name.into(),
            role: role.into(),
            ..LayerSpec::default()
        }
    }

    /// A text column.
    pub fn text(name: &str, v: &[&str]) -> Column {
        Column::from_values(name, v.iter().map(|s| Value::Text(s.to_string())).collect())
    }

    /// An integer column.
    pub fn ints(name: &str, v: &[i64]) -> Column {
        Column::from_values(name, v.iter().map(|x| Value::Int(*x)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_order_is_natural() {
        let mut v = vec!["10", "2", "b", "a", "1"];
        v.sort_by(|a, b| compare_ids(a, b));
        assert_eq!(v, vec!["1", "2", "10", "a", "b"]);
    }

    #[test]
    fn registry_names_are_unique_and_schemas_are_objects() {
        let names: Vec<_> = registry().iter().map(|a| a.name()).collect();
        let mut dedup = names.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(names.len(), dedup.len());
        for a in registry() {
            assert_eq!(a.params_schema()["type"], "object", "{}", a.name());
        }
        assert!(matches!(find("nope"), Err(Error::UnknownAnalysis { .. })));
    }
}
