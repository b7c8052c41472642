//! The engine's types as OpenAPI schemas. The engine knows nothing of utoipa: the types
//! that already have a JSON Schema (scenarios, edits, each analysis' params, via schemars)
//! appear here as named markers whose schema `openapi::document` replaces with the
//! schemars one; the others (the result envelope, comparisons, layer enums) are described
//! by mirrors, kept honest by the tests below and by the contract test, which checks live
//! responses against them.

use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use utoipa::openapi::{ObjectBuilder, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// Description of a marker's schema until `openapi::document` puts the schemars one there.
pub(crate) const PLACEHOLDER: &str = "placeholder: replaced by the engine's schemars schema";

macro_rules! from_schemars {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Serialize)]
        pub struct $name;
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new().description(Some(PLACEHOLDER)).into()
            }
        }
        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    )*};
}

from_schemars!(
    /// `tepat_engine::scenario::Scenario`.
    Scenario,
    /// `tepat_engine::scenario::Edit`.
    Edit,
    /// `tepat_engine::scenario::Budget`.
    Budget,
    /// `tepat_engine::scenario::AnalysisRequest`.
    AnalysisRequest,
    /// Any registered analysis' params: `anyOf` the `<Name>Params` schemas.
    AnalysisParams,
);

/// What a layer is for (`tepat_engine::Role`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LayerRole {
    /// Polygons results are reported on.
    Zones,
    /// No geometry: a statistics sheet or an origin–destination table.
    Table,
    /// Points with a kind and optional capacity.
    Facilities,
    /// Polygons with optional level / return period / depth.
    Hazard,
    /// Points or polygons carrying people or households.
    Demand,
    /// Road lines.
    Network,
    /// Points with time and category.
    Events,
    /// Grids.
    Raster,
    /// Map-only reference geometry.
    Context,
}

/// Dimension class of a layer's geometries (`tepat_engine::layer::GeomKind`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GeometryKind {
    /// Point or MultiPoint.
    Point,
    /// LineString or MultiLineString.
    Line,
    /// Polygon or MultiPolygon.
    Polygon,
    /// GeometryCollection.
    Collection,
}

/// Type of an attribute field (`tepat_engine::layer::FieldType`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// 64-bit signed integer.
    Int,
    /// 64-bit float.
    Float,
    /// UTF-8 text.
    Text,
    /// Boolean.
    Bool,
}

/// A `[[layers]]` entry of the project file (`tepat_engine::project::LayerSpec`): the file,
/// its id field, and the key fields analyses read (kind, capacity, population…).
#[derive(Debug, Serialize, ToSchema)]
pub struct LayerSpec {
    /// Unique name in the project.
    pub name: String,
    /// Role.
    pub role: String,
    /// File, relative to the project file.
    pub path: String,
    /// Where the data comes from (agency, publication).
    #[schema(nullable = false)]
    pub source: Option<String>,
    /// When the data was published or describes: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[schema(nullable = false, pattern = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
    pub source_date: Option<String>,
}

/// Provenance of a result (`tepat_engine::analysis::Meta`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Meta {
    /// Engine version that computed it.
    pub engine_version: String,
    /// Wall time of the run.
    #[schema(minimum = 0)]
    pub elapsed_ms: u64,
    /// SHA-256 of each layer used, by layer name.
    pub layers: BTreeMap<String, String>,
    /// The layer whose feature ids the rows carry.
    #[schema(nullable = false)]
    pub row_layer: Option<String>,
}

/// One result row: `id` plus the analysis' columns.
#[derive(Debug, Serialize, ToSchema)]
pub struct Row {
    /// Feature id in the row layer.
    #[schema(value_type = Value)]
    pub id: Value,
}

/// The result envelope shared by the CLI and HTTP (`tepat_engine::analysis::AnalysisResult`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisResult {
    /// Analysis name.
    pub analysis: String,
    /// Params as resolved (defaults filled in).
    pub params: Value,
    /// Totals and global statistics.
    #[schema(value_type = Object, additional_properties)]
    pub summary: Value,
    /// One row per zone / feature, sorted by id.
    pub rows: Vec<Row>,
    /// Provenance.
    pub meta: Meta,
}

/// What a scenario is, as compared (`tepat_engine::scenario::ScenarioInfo`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioInfo {
    /// Name.
    pub name: String,
    /// Version.
    #[schema(minimum = 1)]
    pub version: u32,
    /// SHA-256 of the scenario: changes with every edit.
    pub fingerprint: String,
    /// Number of edits.
    #[schema(minimum = 0)]
    pub edits: usize,
    /// Layers the edits changed.
    pub edited_layers: Vec<String>,
    /// Facilities closed, by layer.
    pub closed: BTreeMap<String, Vec<String>>,
    /// Budget, if set.
    pub budget: Option<Budget>,
    /// Σ cost of the new facilities.
    pub spend: f64,
    /// The money, in words (English).
    pub sentences: Vec<String>,
    /// The same, in Bahasa Indonesia.
    pub sentences_id: Vec<String>,
}

/// One analysis on one scenario, against the baseline (`tepat_engine::scenario::ScenarioOutcome`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioOutcome {
    /// Scenario name.
    pub scenario: String,
    /// Scenario version.
    pub version: u32,
    /// The scenario's summary.
    #[schema(value_type = Object, additional_properties)]
    pub summary: Value,
    /// Scenario − baseline, for every numeric summary entry both have.
    #[schema(value_type = Object, additional_properties)]
    pub summary_delta: Value,
    /// Per row: `id`, every numeric column's scenario value and `<column>_delta`.
    pub rows: Vec<Row>,
    /// Row ids the scenario no longer has.
    pub only_in_baseline: Vec<String>,
    /// Row ids only the scenario has.
    pub only_in_scenario: Vec<String>,
    /// What changed, in words (English).
    pub sentences: Vec<String>,
    /// The same, in Bahasa Indonesia.
    pub sentences_id: Vec<String>,
    /// Provenance of the scenario run.
    pub meta: Meta,
}

/// One analysis on the baseline and on every scenario (`tepat_engine::scenario::AnalysisComparison`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisComparison {
    /// Analysis name.
    pub analysis: String,
    /// The full baseline result.
    pub baseline: AnalysisResult,
    /// Per scenario, in request order.
    pub scenarios: Vec<ScenarioOutcome>,
}

/// The answer of a comparison (`tepat_engine::scenario::Comparison`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Comparison {
    /// The scenarios compared, in request order.
    pub scenarios: Vec<ScenarioInfo>,
    /// One entry per requested analysis, in request order.
    pub analyses: Vec<AnalysisComparison>,
    /// Wall time of the whole comparison.
    #[schema(minimum = 0)]
    pub elapsed_ms: u64,
}

/// A GeoJSON Feature in EPSG:4326 (RFC 7946).
#[derive(Debug, Serialize, ToSchema)]
pub struct Feature {
    /// `Feature`.
    #[schema(pattern = "^Feature$")]
    #[serde(rename = "type")]
    pub kind: String,
    /// The feature id (row index or the layer's id field).
    #[schema(value_type = Value, nullable = false)]
    pub id: Option<Value>,
    /// GeoJSON geometry, or null.
    #[schema(value_type = Option<Object>, additional_properties)]
    pub geometry: Value,
    /// The feature's fields.
    #[schema(value_type = Option<Object>, additional_properties)]
    pub properties: Value,
}

/// A GeoJSON FeatureCollection in EPSG:4326, with OGC API Features' counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureCollection {
    /// `FeatureCollection`.
    #[schema(pattern = "^FeatureCollection$")]
    #[serde(rename = "type")]
    pub kind: String,
    /// The features.
    pub features: Vec<Feature>,
    /// `[minlon, minlat, maxlon, maxlat]` of the features.
    #[schema(nullable = false)]
    pub bbox: Option<Vec<f64>>,
    /// Features that matched before `limit`.
    #[serde(rename = "numberMatched")]
    #[schema(nullable = false, minimum = 0)]
    pub number_matched: Option<usize>,
    /// Features in this answer.
    #[serde(rename = "numberReturned")]
    #[schema(nullable = false, minimum = 0)]
    pub number_returned: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use tepat_engine::layer::{FieldType as EngineField, GeomKind};
    use tepat_engine::Role;

    /// The enum mirrors list exactly what the engine serialises.
    fn values<T: ToSchema>() -> Vec<Value> {
        let schema = serde_json::to_value(T::schema()).expect("schema serialises");
        schema["enum"].as_array().cloned().unwrap_or_default()
    }

    #[test]
    fn enum_mirrors_match_the_engine() {
        let roles: Vec<Value> = Role::ALL
            .iter()
            .map(|r| serde_json::to_value(r).expect("role serialises"))
            .collect();
        assert_eq!(values::<LayerRole>(), roles);
        let kinds: Vec<Value> = [
            GeomKind::Point,
            GeomKind::Line,
            GeomKind::Polygon,
            GeomKind::Collection,
        ]
        .iter()
        .map(|k| serde_json::to_value(k).expect("kind serialises"))
        .collect();
        assert_eq!(values::<GeometryKind>(), kinds);
        let types: Vec<Value> = [
            EngineField::Int,
            EngineField::Float,
            EngineField::Text,
            EngineField::Bool,
        ]
        .iter()
        .map(|t| serde_json::to_value(t).expect("type serialises"))
        .collect();
        assert_eq!(values::<FieldType>(), types);
    }
}
