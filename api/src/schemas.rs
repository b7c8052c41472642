//! Schemas the engine's own `ToSchema` derives (feature `openapi`) do not give. The types
//! whose JSON Schema comes from schemars (scenarios, edits, each analysis' params) appear
//! here as named markers whose schema `openapi::document` replaces with the schemars one, so
//! the document and the engine's validation cannot disagree; GeoJSON is the API's own.

use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
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
    /// `tepat_engine::scenario::AnalysisRequest`.
    AnalysisRequest,
    /// Any registered analysis' params: `anyOf` the `<Name>Params` schemas.
    AnalysisParams,
);

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
