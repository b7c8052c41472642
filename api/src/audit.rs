//! `GET /audit`: the decision log — who wrote what, based on which data.

use crate::auth;
use crate::blocking::blocking;
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

/// Query of `GET /audit`.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    limit: Option<String>,
}

/// `GET /audit?limit=N`: the latest writes (default 100), newest first — who changed what,
/// with the data and params it was based on.
#[utoipa::path(get, path = "/audit", tag = "audit",
    params(("limit" = Option<u64>, Query, minimum = 0,
        description = "At most this many entries (default 100).")),
    responses(
        (status = 200, description = "The latest writes, newest first.",
            body = Vec<crate::store::AuditEntry>),
        (status = 400, description = "A malformed `limit`.", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn audit_log(
    State(state): State<AppState>,
    Extension(_caller): Extension<auth::Caller>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, Problem> {
    let limit = match q.limit.as_deref() {
        Some(l) => l.trim().parse::<usize>().map_err(|_| {
            Problem::invalid_query(format!("limit: '{l}' is not a non-negative integer"))
        })?,
        None => 100,
    };
    let entries = blocking(move || Ok(state.store().audit_log(limit)?)).await?;
    Ok(Json(entries).into_response())
}
