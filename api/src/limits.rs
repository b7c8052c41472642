//! Request body limits: [`MAX_BODY_BYTES`] for every request (params and scenarios are
//! small JSON documents), except a layer upload (`POST /api/v1/layers`), which may be as
//! large as the server's upload limit (`tepat serve --max-upload-mb`, default 200 MB).
//!
//! A declared `Content-Length` over the limit is refused before the body is read; a body
//! without one (chunked) is cut off when it passes the limit, which the extractors answer
//! with 413 too. Either way the client gets a `payload-too-large` problem.

use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest request body accepted: analysis params are small JSON documents.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The path of uploads, the one route with its own limit.
pub const UPLOAD_PATH: &str = "/api/v1/layers";

/// The body limit of a request to `method` `path`, in bytes.
pub fn limit_for(state: &AppState, method: &Method, path: &str) -> u64 {
    if method == Method::POST && path.trim_end_matches('/') == UPLOAD_PATH {
        state.max_upload_bytes()
    } else {
        MAX_BODY_BYTES as u64
    }
}

/// Middleware: enforces [`limit_for`] on the request body.
pub async fn limit_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = limit_for(&state, req.method(), req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(len) = declared.filter(|len| *len > limit) {
        return Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload Too Large",
            format!(
                "{} {}: the body is {len} bytes, over the limit of {limit} bytes",
                req.method(),
                req.uri().path()
            ),
        )
        .into_response();
    }
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, cap)));
    next.run(req).await
}
