//! Scenarios over HTTP: create / list / read / replace / append edits / delete, compare,
//! and analysis runs on a scenario (`POST /analyses/{name}?scenario=ID`). Every write is
//! validated by applying the scenario to the project first (an edit naming an unknown
//! layer, feature or field is a 422, and nothing is stored), then stored with its audit
//! entry — the scenario's fingerprint and the hashes of the layers it edits — in one
//! transaction.

use crate::auth::Caller;
use crate::blocking::blocking;
use crate::problem::Problem;
use crate::state::AppState;
use crate::store::StoredScenario;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use tepat_engine::analysis::{self, AnalysisResult};
use tepat_engine::project::Project;
use tepat_engine::scenario::{self, AnalysisRequest, Edit, Scenario};

/// Query of `GET /scenarios/{id}`: an older `version`.
#[derive(Debug, Deserialize)]
pub struct VersionQuery {
    version: Option<String>,
}

/// `?version=`: a positive integer.
pub fn parse_version(v: Option<&str>) -> Result<Option<u32>, Problem> {
    v.map(|v| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| {
                Problem::invalid_query(format!("version: '{v}' is not a positive integer"))
            })
    })
    .transpose()
}

fn body_json(body: &Bytes) -> Result<Value, Problem> {
    serde_json::from_slice(body).map_err(|e| Problem::invalid_json(format!("request body: {e}")))
}

fn scenario_from_body(body: &Bytes) -> Result<Scenario, Problem> {
    let text = std::str::from_utf8(body)
        .map_err(|_| Problem::invalid_json("request body is not UTF-8"))?;
    body_json(body)?; // malformed JSON is a 400, a body of the wrong shape a 422
    Ok(Scenario::from_json(text)?)
}

/// Checks a scenario before it is written (it must apply to the project: a bad edit is a 422
/// and nothing is stored), and returns what the audit log keeps of the write: the scenario
/// as written, its fingerprint, and the content hashes of the baseline layers it edits.
fn checked_audit_detail(project: &Project, s: &Scenario) -> Result<Value, Problem> {
    let applied = scenario::apply(project, s)?;
    let mut layers = Map::new();
    for name in &applied.edited_layers {
        if let Ok(l) = project.layers.get(name) {
            layers.insert(name.clone(), l.content_hash().into());
        }
    }
    Ok(json!({"scenario": s, "fingerprint": s.fingerprint(), "layers": layers}))
}

fn created(stored: &StoredScenario) -> Response {
    let location = format!("/api/v1/scenarios/{}", stored.id);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(stored),
    )
        .into_response()
}

/// `POST /scenarios`: `{"name": …, "description"?: …, "edits"?: […]}` → 201 with the stored
/// scenario, its `id` and `version` 1.
#[utoipa::path(post, path = "/scenarios", operation_id = "create_scenario", tag = "scenarios",
    request_body(content = crate::schemas::Scenario, description = "The scenario: `name`, optional \
        `description` and `edits`."),
    responses(
        (status = 201, description = "Stored as version 1.", body = StoredScenario,
            headers(("location" = String, description = "URL of the new scenario."))),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An edit that does not apply (unknown layer, feature \
            or field; the detail names it) or a body of the wrong shape; nothing is stored.",
            body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, Problem> {
    let s = scenario_from_body(&body)?;
    let stored = blocking(move || {
        let detail = checked_audit_detail(state.project(), &s)?;
        Ok(state
            .store()
            .create_scenario(&s, caller.0.as_ref(), detail)?)
    })
    .await?;
    Ok(created(&stored))
}

/// `GET /scenarios`.
#[utoipa::path(get, path = "/scenarios", operation_id = "list_scenarios", tag = "scenarios",
    responses((status = 200, description = "Every scenario, at its latest version.",
        body = Vec<StoredScenario>)))]
pub async fn list(State(state): State<AppState>) -> Result<Response, Problem> {
    let all = blocking(move || Ok(state.store().scenarios()?)).await?;
    Ok(Json(all).into_response())
}

/// `GET /scenarios/{id}[?version=N]`.
#[utoipa::path(get, path = "/scenarios/{id}", operation_id = "get_scenario", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id."),
        ("version" = Option<u32>, Query, minimum = 1,
            description = "An older version (default: the latest).")),
    responses(
        (status = 200, description = "The scenario.", body = StoredScenario),
        (status = 400, description = "A malformed `version`.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such scenario or version.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, Problem> {
    let version = parse_version(q.version.as_deref())?;
    let s = blocking(move || Ok(state.store().scenario(&id, version)?)).await?;
    Ok(Json(s).into_response())
}

/// `PUT /scenarios/{id}`: the whole scenario replaced; a new version.
#[utoipa::path(put, path = "/scenarios/{id}", operation_id = "replace_scenario", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id.")),
    request_body(content = crate::schemas::Scenario, description = "The whole scenario."),
    responses(
        (status = 200, description = "Stored as a new version.", body = StoredScenario),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such scenario.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An edit that does not apply; nothing is stored.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn replace(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let s = scenario_from_body(&body)?;
    let stored = blocking(move || {
        state.store().scenario(&id, None)?; // 404 before 422
        let detail = checked_audit_detail(state.project(), &s)?;
        Ok(state
            .store()
            .update_scenario(&id, &s, caller.0.as_ref(), detail)?)
    })
    .await?;
    Ok(Json(stored).into_response())
}

/// `POST /scenarios/{id}/edits`: one edit or a list, appended; a new version.
#[utoipa::path(post, path = "/scenarios/{id}/edits", operation_id = "add_scenario_edits", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id.")),
    request_body(content = Edits, description = "One edit, or a list."),
    responses(
        (status = 200, description = "Appended; stored as a new version.",
            body = StoredScenario),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such scenario.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An edit that does not apply; nothing is stored.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_edits(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let value = body_json(&body)?;
    let items = match value {
        Value::Array(items) => items,
        one => vec![one],
    };
    let edits: Vec<Edit> = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            serde_path_to_error::deserialize(v).map_err(|e| {
                let path = e.path().to_string();
                Problem::from(scenario::ScenarioError::Parse(format!(
                    "edit {}: {path}: {}",
                    i + 1,
                    e.into_inner()
                )))
            })
        })
        .collect::<Result<_, _>>()?;
    let stored = blocking(move || {
        let mut s = state.store().scenario(&id, None)?.scenario;
        s.edits.extend(edits);
        let detail = checked_audit_detail(state.project(), &s)?;
        Ok(state
            .store()
            .update_scenario(&id, &s, caller.0.as_ref(), detail)?)
    })
    .await?;
    Ok(Json(stored).into_response())
}

/// `DELETE /scenarios/{id}` → 204.
#[utoipa::path(delete, path = "/scenarios/{id}", operation_id = "delete_scenario", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id.")),
    responses(
        (status = 204, description = "Deleted (the audit log still names it)."),
        (status = 404, description = "No such scenario.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    blocking(move || {
        let s = state.store().scenario(&id, None)?;
        let detail = json!({"name": s.scenario.name, "version": s.scenario.version});
        Ok(state
            .store()
            .delete_scenario(&id, caller.0.as_ref(), detail)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One analysis of a comparison: a bare name (default params) or `{"name", "params"}`
/// (described as [`AnalysisItem`]).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RequestedAnalysis {
    Name(String),
    Full(AnalysisRequest),
}

// The document's description of the edits body; the handler reads the edits one by one, to
// name the one that does not parse.
/// Body of `POST /scenarios/{id}/edits`: one edit or a list of them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Edits {
    /// One edit.
    One(crate::schemas::Edit),
    /// Several, appended in order.
    Many(Vec<crate::schemas::Edit>),
}

// The document's description of a [`RequestedAnalysis`].
/// One analysis of a comparison: a bare name (its default params) or `{"name", "params"}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum AnalysisItem {
    /// A registered analysis, with its default params.
    Name(String),
    /// An analysis with params.
    Full(crate::schemas::AnalysisRequest),
}

/// A scenario of `POST /compare`: an id, or `{"id", "version"}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub(crate) enum ScenarioRef {
    /// The scenario's latest version.
    Id(String),
    /// One version of it.
    Versioned {
        /// Scenario id.
        id: String,
        /// Its version.
        #[schema(minimum = 1)]
        version: u32,
    },
}

/// Body of `POST /compare`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompareBody {
    /// The scenarios, 1 to 5.
    #[schema(min_items = 1, max_items = 5)]
    scenarios: Vec<ScenarioRef>,
    /// The analyses (default: exposure, access, index).
    #[serde(default)]
    #[schema(value_type = Option<Vec<AnalysisItem>>)]
    analyses: Option<Vec<RequestedAnalysis>>,
}

/// Body of `POST /scenarios/{id}/compare`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompareOneBody {
    /// The analyses (default: exposure, access, index).
    #[serde(default)]
    #[schema(value_type = Option<Vec<AnalysisItem>>)]
    analyses: Option<Vec<RequestedAnalysis>>,
}

fn parse_body<T: serde::de::DeserializeOwned + Default>(body: &Bytes) -> Result<T, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    typed(body_json(body)?)
}

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, Problem> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        Problem::from(scenario::ScenarioError::InvalidCompare(format!(
            "{path}: {}",
            e.into_inner()
        )))
    })
}

fn requests(
    project: &Project,
    scenarios: &[Scenario],
    items: Option<Vec<RequestedAnalysis>>,
) -> Result<Vec<AnalysisRequest>, Problem> {
    let items = items.unwrap_or_else(|| {
        scenario::DEFAULT_ANALYSES
            .iter()
            .map(|n| RequestedAnalysis::Name(n.to_string()))
            .collect()
    });
    items
        .into_iter()
        .map(|item| match item {
            RequestedAnalysis::Full(r) => Ok(r),
            RequestedAnalysis::Name(name) => {
                Ok(AnalysisRequest::default_for(project, scenarios, &name)?)
            }
        })
        .collect()
}

/// `POST /compare`: `{"scenarios": [id | {"id", "version"}, …], "analyses"?: [name |
/// {"name", "params"}, …]}` (default analyses: exposure, access, index with default params).
#[utoipa::path(post, path = "/compare", operation_id = "compare_scenarios", tag = "scenarios",
    request_body(content = CompareBody, description = "Up to five scenarios and the \
        analyses to compare them on (default: exposure, access, index with default params)."),
    responses(
        (status = 200, description = "Per analysis: the baseline result and, per scenario, \
            values, deltas and sentences.", body = tepat_engine::scenario::Comparison),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such scenario or version.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A comparison that cannot run (no or too many \
            scenarios, unknown analysis, invalid params); the detail says which.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn compare(State(state): State<AppState>, body: Bytes) -> Result<Response, Problem> {
    let body: CompareBody = typed(body_json(&body)?)?;
    let c = blocking(move || {
        let scenarios = body
            .scenarios
            .iter()
            .map(|r| {
                let (id, v) = match r {
                    ScenarioRef::Id(id) => (id.as_str(), None),
                    ScenarioRef::Versioned { id, version } => (id.as_str(), Some(*version)),
                };
                Ok(state.store().scenario(id, v)?.scenario)
            })
            .collect::<Result<Vec<_>, Problem>>()?;
        let reqs = requests(state.project(), &scenarios, body.analyses)?;
        Ok(scenario::compare(state.project(), &scenarios, &reqs)?)
    })
    .await?;
    Ok(Json(c).into_response())
}

/// `POST /scenarios/{id}/compare`: the scenario against the baseline.
#[utoipa::path(post, path = "/scenarios/{id}/compare", operation_id = "compare_scenario", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id.")),
    request_body(content = Option<CompareOneBody>, description = "The analyses to \
        compare on (default: exposure, access, index with default params); may be empty."),
    responses(
        (status = 200, description = "The scenario against the baseline.",
            body = tepat_engine::scenario::Comparison),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such scenario.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A comparison that cannot run; the detail says why.",
            body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn compare_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    let body: CompareOneBody = parse_body(&body)?;
    let c = blocking(move || {
        let s = state.store().scenario(&id, None)?.scenario;
        let scenarios = [s];
        let reqs = requests(state.project(), &scenarios, body.analyses)?;
        Ok(scenario::compare(state.project(), &scenarios, &reqs)?)
    })
    .await?;
    Ok(Json(c).into_response())
}

/// Analysis `name` with `params` on the baseline or on a scenario version, from the cache
/// or run (on the scenario's memoised view) and cached with its recipe; `true` on a hit.
pub fn run_cached(
    state: &AppState,
    name: &str,
    params: Value,
    scenario: Option<(&str, Option<u32>)>,
) -> Result<(Arc<AnalysisResult>, bool), Problem> {
    let view = scenario
        .map(|(id, version)| state.view(id, version))
        .transpose()?;
    let pinned = view.as_ref().map(|v| v.pinned.clone());
    let key = state.cache_key(
        name,
        &params,
        pinned.as_ref().map(|(id, v)| (id.as_str(), *v)),
    );
    if let Some(hit) = state.cached(&key) {
        return Ok((hit, true));
    }
    let project = view.as_ref().map_or(state.project(), |v| &v.project);
    let result = Arc::new(analysis::run(project, name, params.clone())?);
    let recipe = crate::state::Recipe {
        analysis: name.to_string(),
        params,
        scenario: pinned,
    };
    state.cache(key, result.clone(), recipe);
    Ok((result, false))
}

/// Result `key` (as handed out in `x-tepat-result`): from the cache, or made again from its
/// recipe while the layers it was made on are current. `None` when the key was never
/// handed out here, or its data has changed since.
pub fn result_by_key(state: &AppState, key: &str) -> Result<Option<Arc<AnalysisResult>>, Problem> {
    if let Some(hit) = state.cached(key) {
        return Ok(Some(hit));
    }
    let Some(recipe) = state.recipe(key) else {
        return Ok(None);
    };
    let scenario = recipe
        .scenario
        .as_ref()
        .map(|(id, v)| (id.as_str(), Some(*v)));
    let (result, _) = run_cached(state, &recipe.analysis, recipe.params.clone(), scenario)?;
    Ok(Some(result))
}
