//! The project's layers over HTTP: `GET /layers` (one summary per layer, computed when the
//! layers change), `GET /layers/{name}` and `GET /layers/{name}/features` (GeoJSON in
//! EPSG:4326). Uploads and deletes are in [`crate::uploads`].

pub mod summary;

pub use summary::{Field, LayerDetail, LayerSummary};

use crate::blocking::blocking;
use crate::features::{self, Selection};
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use geo::{coord, Rect};
use serde::Deserialize;
use tepat_engine::Role;

/// Every layer of the project at a glance.
#[utoipa::path(get, path = "/layers", tag = "layers",
    responses((status = 200, description = "One summary per layer, in project order.",
        body = Vec<LayerSummary>)))]
pub async fn list_layers(State(state): State<AppState>) -> Response {
    Json(state.summaries().collect::<Vec<_>>()).into_response()
}

/// One layer: its summary, id field and project-file entry.
#[utoipa::path(get, path = "/layers/{name}", tag = "layers",
    params(("name" = String, Path, description = "Layer name.")),
    responses(
        (status = 200, description = "The layer.", body = LayerDetail),
        (status = 404, description = "No such layer.", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn layer_detail(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, Problem> {
    let summary = state.summary(&name)?;
    let detail = LayerDetail {
        summary,
        id_field: state
            .project()
            .layers
            .get(&name)
            .ok()
            .and_then(|l| l.id_field.as_deref()),
        spec: state.project().spec(&name),
    };
    Ok(Json(detail).into_response())
}

/// Query of `GET /layers/{name}/features`; parsed by hand so each error names its parameter.
#[derive(Debug, Deserialize)]
pub struct FeaturesQuery {
    /// `minlon,minlat,maxlon,maxlat` in EPSG:4326.
    bbox: Option<String>,
    limit: Option<String>,
    /// Comma-separated field names.
    properties: Option<String>,
}

impl FeaturesQuery {
    fn selection(self) -> Result<Selection, Problem> {
        let bbox = self.bbox.as_deref().map(parse_bbox).transpose()?;
        let limit = match self.limit.as_deref() {
            Some(l) => Some(l.trim().parse::<usize>().map_err(|_| {
                Problem::invalid_query(format!("limit: '{l}' is not a non-negative integer"))
            })?),
            None => None,
        };
        let properties = self.properties.map(|p| {
            p.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        });
        Ok(Selection {
            bbox,
            limit,
            properties,
        })
    }
}

fn parse_bbox(text: &str) -> Result<Rect, Problem> {
    let bad = |why: &str| {
        Problem::invalid_query(format!(
            "bbox: '{text}' {why} (expected minlon,minlat,maxlon,maxlat in EPSG:4326)"
        ))
    };
    let v: Vec<f64> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(|| bad("is not four numbers"))?;
    let [minx, miny, maxx, maxy] = v[..] else {
        return Err(bad("is not four numbers"));
    };
    if minx > maxx || miny > maxy {
        return Err(bad("has a minimum above its maximum"));
    }
    if minx < -180.0 || maxx > 180.0 || miny < -90.0 || maxy > 90.0 {
        return Err(bad("is outside longitude -180..180 / latitude -90..90"));
    }
    Ok(Rect::new(
        coord! { x: minx, y: miny },
        coord! { x: maxx, y: maxy },
    ))
}

/// A vector layer's features as GeoJSON in EPSG:4326, optionally those meeting a bbox.
///
/// The answer has `numberMatched` (before `limit`) and `numberReturned`, as OGC API
/// Features does.
#[utoipa::path(get, path = "/layers/{name}/features", tag = "layers",
    params(
        ("name" = String, Path, description = "Layer name."),
        ("bbox" = Option<String>, Query,
            description = "`minlon,minlat,maxlon,maxlat` in EPSG:4326: only features whose \
                bounding box meets it.",
            example = "124.8,1.4,124.9,1.5"),
        ("limit" = Option<u64>, Query, minimum = 0, description = "At most this many features."),
        ("properties" = Option<String>, Query,
            description = "Comma-separated field names to keep (all without)."),
    ),
    responses(
        (status = 200, description = "The features.",
            body = crate::schemas::FeatureCollection,
            content_type = "application/geo+json"),
        (status = 400, description = "A malformed `bbox` or `limit`.", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "No such layer.", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "A raster layer, or an unknown field in `properties`.",
            body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn layer_features(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<FeaturesQuery>,
) -> Result<Response, Problem> {
    let selection = query.selection()?;
    if state.summary(&name)?.role == Role::Raster {
        return Err(Problem::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "raster-layer",
            "Raster layer",
            format!("layer '{name}' is a raster; only vector layers have features"),
        ));
    }
    // Reprojecting and encoding a whole layer is CPU work: keep it off the async workers.
    let body = blocking(move || {
        let (layer, index) = state.indexed_layer(&name)?;
        let fc = features::layer_features(layer, index, &state.project().crs, &selection)?;
        serde_json::to_vec(&fc).map_err(|e| Problem::internal(format!("encoding features: {e}")))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tepat_engine::crs;

    #[test]
    fn bbox_parsing_names_the_problem() {
        let r = parse_bbox("124.8, 1.4,124.9,1.5").map(crs::bbox_array);
        assert_eq!(r, Ok([124.8, 1.4, 124.9, 1.5]));
        for (text, why) in [
            ("1,2,3", "four numbers"),
            ("1,2,x,4", "four numbers"),
            ("3,0,1,1", "minimum"),
            ("0,0,200,1", "outside"),
        ] {
            let p = parse_bbox(text).err().map(|p| p.detail).unwrap_or_default();
            assert!(p.contains("bbox") && p.contains(why), "{text}: {p}");
        }
    }
}
