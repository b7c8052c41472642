//! The HTTP API under `/api/v1` (DESIGN.md §4): every route to its handler, the auth and
//! body-limit middleware, request tracing. Handlers (in their concept's module) only
//! extract, run the engine on a blocking thread where the work is more than a lookup, and
//! serialise; every error leaves as `application/problem+json` (see [`crate::problem`]).

use crate::problem;
use crate::state::AppState;
use crate::{
    analyses, audit, auth, jobs, layers, limits, openapi, recommendations, scenarios, system,
    tiles, uploads, viewer,
};
use axum::routing::{get, post};
use axum::{middleware, Router};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The application: `/api/v1/...` with request tracing, a body limit and problem+json
/// errors. Drive it in-process with `tower::ServiceExt::oneshot`, or serve it.
pub fn router(state: AppState) -> Router {
    let body_limits = state.clone();
    let api = Router::new()
        .route("/health", get(system::health))
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/docs", get(openapi::docs))
        .route(
            "/layers",
            get(layers::list_layers)
                .post(uploads::upload)
                // Uploads stream past axum's default limit; `limits` bounds them.
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/layers/{name}",
            get(layers::layer_detail).delete(uploads::delete),
        )
        .route("/layers/{name}/features", get(layers::layer_features))
        .route("/analyses", get(analyses::list_analyses))
        .route("/analyses/{name}", post(analyses::run_analysis))
        .route("/scenarios", get(scenarios::list).post(scenarios::create))
        .route(
            "/scenarios/{id}",
            get(scenarios::get_one)
                .put(scenarios::replace)
                .delete(scenarios::delete),
        )
        .route("/scenarios/{id}/edits", post(scenarios::add_edits))
        .route("/scenarios/{id}/compare", post(scenarios::compare_one))
        .route("/compare", post(scenarios::compare))
        .route("/audit", get(audit::audit_log))
        .route(
            "/recommendations",
            get(recommendations::list).post(recommendations::create),
        )
        .route("/recommendations/{id}", get(recommendations::get_one))
        .route(
            "/recommendations/{id}/decision",
            post(recommendations::decide),
        )
        .route(
            "/recommendations/{id}/comments",
            post(recommendations::comment),
        )
        .route("/me", get(recommendations::me))
        .route("/jobs/{id}", get(jobs::get_one))
        .route("/jobs/{id}/events", get(jobs::events))
        // matchit has no `{y}.mvt` suffixes: `tiles` parses the last segment.
        .route("/tiles/{file}", get(tiles::tilejson))
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tiles::layer_tile_handler))
        .route("/results/{key}", get(tiles::result))
        .route(
            "/results/{key}/tiles/{z}/{x}/{y}",
            get(tiles::result_tile_handler),
        )
        // On matched routes only: an unknown path stays a 404 whoever asks.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        .with_state(state);
    Router::new()
        .nest("/api/v1", api)
        .fallback(viewer::handler)
        // MAX_BODY_BYTES, or the upload limit for POST /layers.
        .layer(middleware::from_fn_with_state(
            body_limits,
            limits::limit_body,
        ))
        // Outside the body limit, so a 413 of an extractor becomes a problem too.
        .layer(middleware::map_response(problem::ensure_problem))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}
