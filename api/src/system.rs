//! `GET /health`: liveness, the engine version and the project served.

use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use tepat_engine::ENGINE_VERSION;

/// What `GET /health` answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
    /// Version of the engine.
    pub engine_version: &'static str,
    /// Name of the project served.
    pub project: String,
}

/// Liveness, the engine version and the project served.
#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, description = "The server is up.", body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        engine_version: ENGINE_VERSION,
        project: state.project().name.clone(),
    })
}
