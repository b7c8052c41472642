//! The HTTP API under `/api/v1` (DESIGN.md §4). Handlers only extract, run the engine on a
//! blocking thread where the work is more than a lookup, and serialise; every error leaves
//! as `application/problem+json` (see [`crate::problem`]).

use crate::analyses;
use crate::auth;
use crate::features::{self, Selection};
use crate::jobs;
use crate::layers::LayerDetail;
use crate::output::{render, Format, OutputError};
use crate::problem::{self, Problem};
use crate::recommendations;
use crate::scenarios;
use crate::blocking::blocking;
use crate::state::{AppState, CACHE_HEADER};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::{middleware, Json, Router};
use geo::{coord, Rect};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tepat_engine::{analysis, Role, ENGINE_VERSION};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The application: `/api/v1/...` with request tracing, a body limit and problem+json
/// errors. Drive it in-process with `tower::ServiceExt::oneshot`, or serve it.
pub fn router(state: AppState) -> Router {
    let limits = state.clone();
    let api = Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(crate::openapi::openapi_json))
        .route("/docs", get(crate::openapi::docs))
        .route(
            "/layers",
            get(list_layers)
                .post(crate::uploads::upload)
                // Uploads stream past axum's default limit; crate::limits bounds them.
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/layers/{name}",
            get(layer_detail).delete(crate::uploads::delete),
        )
        .route("/layers/{name}/features", get(layer_features))
        .route("/analyses", get(list_analyses))
        .route("/analyses/{name}", post(run_analysis))
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
        .route("/audit", get(audit_log))
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
        // matchit has no `{y}.mvt` suffixes: crate::tiles parses the last segment.
        .route("/tiles/{file}", get(crate::tiles::tilejson))
        .route(
            "/tiles/{layer}/{z}/{x}/{y}",
            get(crate::tiles::layer_tile_handler),
        )
        .route("/results/{key}", get(crate::tiles::result))
        .route(
            "/results/{key}/tiles/{z}/{x}/{y}",
            get(crate::tiles::result_tile_handler),
        )
        // On matched routes only: an unknown path stays a 404 whoever asks.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        .with_state(state);
    Router::new()
        .nest("/api/v1", api)
        .fallback(crate::viewer::handler)
        // MAX_BODY_BYTES, or the upload limit for POST /layers.
        .layer(middleware::from_fn_with_state(
            limits,
            crate::limits::limit_body,
        ))
        // Outside the body limit, so a 413 of an extractor becomes a problem too.
        .layer(middleware::map_response(problem::ensure_problem))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

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
async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        engine_version: ENGINE_VERSION,
        project: state.project().name.clone(),
    })
}

/// Every layer of the project at a glance.
#[utoipa::path(get, path = "/layers", tag = "layers",
    responses((status = 200, description = "One summary per layer, in project order.",
        body = Vec<crate::layers::LayerSummary>)))]
async fn list_layers(State(state): State<AppState>) -> Response {
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
async fn layer_detail(
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
struct FeaturesQuery {
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
            body = crate::openapi::engine::FeatureCollection,
            content_type = "application/geo+json"),
        (status = 400, description = "A malformed `bbox` or `limit`.", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "No such layer.", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "A raster layer, or an unknown field in `properties`.",
            body = Problem, content_type = "application/problem+json"),
    ))]
async fn layer_features(
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

/// The registered analyses: each one's descriptor, the JSON Schema of its params and its
/// default params on the served project.
#[utoipa::path(get, path = "/analyses", tag = "analyses",
    responses((status = 200, description = "Every registered analysis, in registry order.",
        body = Vec<analyses::AnalysisInfo>)))]
async fn list_analyses(State(state): State<AppState>) -> Json<Vec<analyses::AnalysisInfo>> {
    Json(analyses::catalog(Some(state.project())))
}

/// Query of `POST /analyses/{name}`: `format=json|geojson|csv` (default json), and
/// `scenario=ID` (optionally `version=N`) to run on a stored scenario instead of the baseline.
#[derive(Debug, Deserialize)]
struct RunQuery {
    format: Option<String>,
    scenario: Option<String>,
    version: Option<String>,
}

impl RunQuery {
    fn format(&self) -> Result<Format, Problem> {
        match self.format.as_deref().map(str::trim) {
            None | Some("json") => Ok(Format::Json),
            Some("geojson") => Ok(Format::Geojson),
            Some("csv") => Ok(Format::Csv),
            Some(other) => Err(Problem::invalid_query(format!(
                "format: '{other}' is not one of json, geojson, csv"
            ))),
        }
    }
}

/// Runs an analysis on the baseline or on a stored scenario; the body is its params.
///
/// Results are cached by the layers' content hashes, the params and the scenario version
/// (`x-tepat-cache` says whether this one came from the cache).
#[utoipa::path(post, path = "/analyses/{name}", tag = "analyses",
    params(
        ("name" = String, Path, description = "Registered analysis name (`GET /analyses`)."),
        ("format" = Option<crate::openapi::OutputFormat>, Query,
            description = "`json` (the result envelope, default), `geojson` (rows joined to \
                their features) or `csv`."),
        ("scenario" = Option<String>, Query,
            description = "Run on this stored scenario instead of the baseline."),
        ("version" = Option<u32>, Query, minimum = 1,
            description = "That scenario's version (default: its latest); needs `scenario`."),
        ("prefer" = Option<String>, Header,
            description = "`respond-async`: answer 202 with a job at once."),
    ),
    request_body(content = Option<crate::openapi::engine::AnalysisParams>,
        description = "The analysis' params (see `GET /analyses`); empty for all defaults.",
        content_type = "application/json"),
    responses(
        (status = 200, description = "The result.",
            headers(
                ("x-tepat-cache" = String,
                    description = "`hit` when the result came from the cache, else `miss`."),
                ("x-tepat-result" = String, description = "Key of the result: \
                    `GET /results/{key}` and its tiles."),
            ),
            content(
                (crate::openapi::engine::AnalysisResult = "application/json"),
                (crate::openapi::engine::FeatureCollection = "application/geo+json"),
                (String = "text/csv"),
            )),
        (status = 202, description = "A job: asked for with `Prefer: respond-async`, or the \
            run outlasted the server's `--sync-timeout-ms`. Follow `Location`.",
            body = crate::openapi::Job,
            headers(("location" = String, description = "`GET` this to follow the job."))),
        (status = 400, description = "Malformed JSON or query parameter.", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "Unknown analysis, layer or scenario.", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Params the analysis cannot use (the detail names the \
            parameter).", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many jobs still running; try again later.",
            body = Problem, content_type = "application/problem+json"),
    ))]
async fn run_analysis(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<RunQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let format = query.format()?;
    let version = scenarios::parse_version(query.version.as_deref())?;
    if version.is_some() && query.scenario.is_none() {
        return Err(Problem::invalid_query("version: needs scenario"));
    }
    analysis::find(&name)?; // an unknown analysis is a 404 whatever the body
                            // An empty body means "all defaults", like `tepat run` without --params.
    let params = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| Problem::invalid_json(format!("request body: {e}")))?
    };
    // The key of `x-tepat-result`, with the scenario version pinned so run and key agree.
    let (result_key, version) =
        crate::tiles::result_key(&state, &name, &params, query.scenario.as_deref(), version)
            .await?;
    let result_header = [(crate::tiles::RESULT_HEADER, result_key)];
    let scenario = query.scenario;
    // A long run (or one asked for with `Prefer: respond-async`) answers 202 with a job
    // whose result is the envelope; a client wanting GeoJSON or CSV asks again, from cache.
    let (job_state, job_name, job_scenario) = (state.clone(), name.clone(), scenario.clone());
    let ran = jobs::run(
        &job_state,
        &job_name,
        job_scenario.as_deref(),
        jobs::prefers_async(&headers),
        move || {
            let scenario = scenario.as_deref().map(|id| (id, version));
            let (result, hit) = scenarios::run_cached(&state, &name, params, scenario)?;
            if format == Format::Json {
                return Ok((result, (hit, None)));
            }
            // GeoJSON joins the rows to the zones' geometry (reprojected to EPSG:4326); CSV
            // flattens.
            let view = scenario.map(|(id, v)| state.view(id, v)).transpose()?;
            let project = view.as_ref().map_or(state.project(), |v| &v.project);
            let bytes = render(&result, project, format).map_err(|e| match e {
                OutputError::Engine(e) => Problem::from(e),
                other => Problem::internal(other.to_string()),
            })?;
            Ok((result, (hit, Some(bytes))))
        },
    )
    .await?;
    let (result, (hit, rendered)) = match ran {
        jobs::Ran::Now(done) => done,
        // The key tells where the result will be (`GET /results/{key}`) once the job is done.
        jobs::Ran::Later(accepted) => return Ok((result_header, accepted).into_response()),
    };
    let Some(bytes) = rendered else {
        let cache = if hit { "hit" } else { "miss" };
        return Ok((
            [(CACHE_HEADER, cache)],
            result_header,
            Json(result.as_ref()),
        )
            .into_response());
    };
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        _ => "application/geo+json",
    };
    Ok(([(header::CONTENT_TYPE, content_type)], result_header, bytes).into_response())
}

/// Query of `GET /audit`.
#[derive(Debug, Deserialize)]
struct AuditQuery {
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
async fn audit_log(
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
