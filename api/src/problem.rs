//! Errors over HTTP: RFC 9457 `application/problem+json` bodies `{type, title, status,
//! detail}`. Every engine error is mapped to an HTTP status here and nowhere else; the
//! `type` is `https://tepat.dev/problems/<kind>` with the engine's stable
//! [`Error::kind`](tepat_engine::Error::kind), so clients can branch on it. Scenario,
//! upload and store errors are mapped here too, with their own stable kinds.

use crate::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tepat_engine::io::upload::{Refusal, UploadError};
use tepat_engine::scenario::ScenarioError;
use tepat_engine::Error;

/// Media type of problem bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Prefix of every problem `type`.
pub const TYPE_BASE: &str = "https://tepat.dev/problems/";

/// Largest error body of another layer (axum, tower-http) read back to become a `detail`.
const MAX_FOREIGN_BODY: usize = 16 * 1024;

/// One problem, ready to be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "type": "https://tepat.dev/problems/unknown-layer",
    "title": "Unknown layer",
    "status": 404,
    "detail": "unknown layer 'sekolah' (available: kelurahan, puskesmas)"
}))]
pub struct Problem {
    /// `https://tepat.dev/problems/<kind>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the kind of problem, the same for every instance of it.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// This occurrence: names the layer, field, parameter or file concerned.
    pub detail: String,
}

impl Problem {
    /// A problem of `kind` (a stable slug such as `invalid-json`) with `status`.
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            type_uri: format!("{TYPE_BASE}{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: detail.into(),
        }
    }

    /// A request body that is not valid JSON.
    pub fn invalid_json(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-json",
            "Malformed JSON body",
            detail,
        )
    }

    /// A query string parameter that cannot be understood.
    pub fn invalid_query(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            "Invalid query parameter",
            detail,
        )
    }

    /// A failure of the server itself (a panicked or cancelled task).
    pub fn internal(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            detail,
        )
    }

    /// A request without a (known) token where one is needed.
    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            detail,
        )
    }

    /// A token whose role may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Problem {
        engine_problem(&e)
    }
}

/// The one mapping of engine errors (by reference: a scenario error wraps one).
fn engine_problem(e: &Error) -> Problem {
    {
        use StatusCode as S;
        let (status, title) = match e {
            Error::UnknownLayer { .. } => (S::NOT_FOUND, "Unknown layer"),
            Error::UnknownAnalysis { .. } => (S::NOT_FOUND, "Unknown analysis"),
            Error::InvalidParams { .. } => (S::UNPROCESSABLE_ENTITY, "Invalid analysis parameters"),
            Error::UnknownField { .. } => (S::UNPROCESSABLE_ENTITY, "Unknown field"),
            Error::FieldType { .. } => (S::UNPROCESSABLE_ENTITY, "Field of the wrong type"),
            Error::EmptyLayer { .. } => (S::UNPROCESSABLE_ENTITY, "Empty layer"),
            Error::Geometry { .. } => (S::UNPROCESSABLE_ENTITY, "Unusable geometry"),
            Error::Crs { .. } => (
                S::UNPROCESSABLE_ENTITY,
                "Coordinate reference system problem",
            ),
            // Only reachable with uploaded data: the content is what is wrong.
            Error::Parse { .. } => (S::UNPROCESSABLE_ENTITY, "Malformed data"),
            Error::Project { .. } => (S::UNPROCESSABLE_ENTITY, "Invalid project"),
            Error::UnsupportedFormat { .. } => (S::UNSUPPORTED_MEDIA_TYPE, "Unsupported format"),
            // Reading the server's own files failed: not the client's fault.
            Error::Io { .. } => (S::INTERNAL_SERVER_ERROR, "File error"),
            Error::Gdal { .. } => (S::INTERNAL_SERVER_ERROR, "GDAL error"),
            _ => (S::INTERNAL_SERVER_ERROR, "Engine error"),
        };
        Problem::new(status, e.kind(), title, e.to_string())
    }
}

impl From<ScenarioError> for Problem {
    fn from(e: ScenarioError) -> Problem {
        use StatusCode as S;
        let title = match &e {
            // The analysis' own error, with the scenario it failed on in front.
            ScenarioError::Analysis { source, .. } => {
                let mut p = engine_problem(source);
                p.detail = e.to_string();
                return p;
            }
            ScenarioError::Parse(_) => "Invalid scenario",
            ScenarioError::UnknownLayer { .. } => "Edit names an unknown layer",
            ScenarioError::WrongRole { .. } => "Edit names a layer of the wrong role",
            ScenarioError::UnknownFeature { .. } => "Edit names an unknown feature",
            ScenarioError::DuplicateFeature { .. } => "Feature id already used",
            ScenarioError::UnknownField { .. } => "Edit names an unknown field",
            ScenarioError::InvalidEdit { .. } => "Invalid edit",
            ScenarioError::InvalidCompare(_) => "Invalid comparison",
            _ => "Scenario error",
        };
        // Everything here is about the request body: the edits or the comparison asked for.
        Problem::new(S::UNPROCESSABLE_ENTITY, e.kind(), title, e.to_string())
    }
}

impl From<UploadError> for Problem {
    fn from(e: UploadError) -> Problem {
        match e {
            // Writing or reading the server's own files failed: not the client's fault.
            UploadError::Content {
                error: Error::Io { .. },
                detail,
            } => Problem::internal(detail),
            // The format was recognised, so whatever the engine says is about the content.
            UploadError::Content { error, detail } => {
                let mut p = engine_problem(&error);
                p.status = StatusCode::UNPROCESSABLE_ENTITY.as_u16();
                p.detail = detail;
                p
            }
            UploadError::Refused { refusal, detail } => {
                let title = match refusal {
                    Refusal::InvalidUpload => "Invalid upload",
                    Refusal::InvalidLayerName => "Invalid layer name",
                    Refusal::EmptyLayer => "Empty layer",
                    Refusal::UnknownField => "Unknown field",
                    Refusal::FieldType => "Field of the wrong type",
                    Refusal::Geometry => "Unusable geometry",
                    Refusal::Crs => "Coordinate reference system problem",
                    Refusal::InvalidCoordinates => "Coordinates out of range",
                    Refusal::OutsideProjectArea => "Layer outside the project's area",
                    Refusal::Integrity => "Layer fails the integrity check",
                };
                Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    refusal.kind(),
                    title,
                    detail,
                )
            }
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        match &e {
            StoreError::NoScenario { .. } => Problem::new(
                StatusCode::NOT_FOUND,
                "unknown-scenario",
                "Unknown scenario",
                e.to_string(),
            ),
            _ => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "store",
                "Store error",
                e.to_string(),
            ),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(kind = %self.type_uri, "{}", self.detail);
        }
        // Serialising four plain fields cannot fail; the fallback keeps this total anyway.
        let body = serde_json::to_vec(&self).unwrap_or_else(|_| b"{}".to_vec());
        (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
            body,
        )
            .into_response()
    }
}

/// Middleware (`axum::middleware::map_response`): turns error responses made by other
/// layers — axum's 404 for an unknown route and 405, tower-http's 413 for a body over the
/// limit, extractor rejections — into problems too, so every error has the same shape.
pub async fn ensure_problem(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = axum::body::to_bytes(response.into_body(), MAX_FOREIGN_BODY)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let detail = if text.trim().is_empty() {
        reason.to_string()
    } else {
        text.trim().to_string()
    };
    let kind = reason.to_ascii_lowercase().replace(' ', "-");
    Problem::new(status, &kind, reason, detail).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_map_to_statuses_with_stable_types() {
        let p = Problem::from(Error::UnknownLayer {
            name: "x".into(),
            available: vec!["a".into()],
        });
        assert_eq!(p.status, 404);
        assert_eq!(p.type_uri, "https://tepat.dev/problems/unknown-layer");
        assert!(p.detail.contains("'x'"), "{}", p.detail);
        assert_eq!(
            Problem::from(Error::param("aggregate", "sum", "bad")).status,
            422
        );
        let io = Error::io("/data/a.csv", std::io::Error::other("disk"));
        assert_eq!(Problem::from(io).status, 500);
    }
}
