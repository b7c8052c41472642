//! Recommendations and the decision log. A planner saves an analysis run (a ranking or a
//! siting result, on the baseline or a scenario version) as a recommendation: the params,
//! the scenario id and version, the layer content hashes and a snapshot of the result
//! envelope are stored, so a decision can always be traced to the data it was based on.
//! Leaders approve or reject and comment; a decided recommendation can only be re-decided
//! by an admin (the earlier decision stays in its history). Every write is in the audit log.
//! `GET /me` tells a client whom the server sees behind its token.

use crate::auth::Caller;
use crate::blocking::blocking;
use crate::problem::Problem;
use crate::scenarios;
use crate::state::AppState;
use crate::store::{NewRecommendation, StoreError, Verdict};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tepat_engine::analysis;

/// Default `top_n` of a recommendation.
pub const DEFAULT_TOP_N: u32 = 10;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// Body of `POST /recommendations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    title: String,
    #[serde(default)]
    question: Option<String>,
    analysis: String,
    #[serde(default)]
    params: Value,
    #[serde(default)]
    scenario: Option<String>,
    /// Pins an older version of `scenario` (default: its latest).
    #[serde(default)]
    scenario_version: Option<u32>,
    #[serde(default)]
    top_n: Option<u32>,
    #[serde(default)]
    budget: Option<f64>,
    #[serde(default)]
    notes: Option<String>,
}

/// Body of `POST /recommendations/{id}/decision`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    decision: Value,
    #[serde(default)]
    comment: Option<String>,
}

/// Body of `POST /recommendations/{id}/comments`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentBody {
    text: String,
}

// The bodies as the document describes them; the handlers read the bodies above, by hand,
// to name the offending field in a 422.
/// Body of `POST /recommendations`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = NewRecommendation)]
pub struct NewRecommendationBody {
    /// Short title (at most 200 characters).
    pub title: String,
    /// The question it answers.
    pub question: Option<String>,
    /// Registered analysis to run.
    pub analysis: String,
    /// Its params (as for `POST /analyses/{name}`).
    #[schema(value_type = Object)]
    pub params: Value,
    /// Run on this stored scenario (default: the baseline).
    pub scenario: Option<String>,
    /// That scenario's version (default: its latest).
    #[schema(minimum = 1)]
    pub scenario_version: Option<u32>,
    /// How many of the ranked rows the recommendation is about (default 10).
    #[schema(minimum = 1)]
    pub top_n: Option<u32>,
    /// The budget it is made under.
    pub budget: Option<f64>,
    /// Free notes.
    pub notes: Option<String>,
}

/// Body of `POST /recommendations/{id}/decision`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionRequest {
    /// The decision.
    #[schema(value_type = crate::store::Verdict)]
    pub decision: Value,
    /// Why.
    pub comment: Option<String>,
}

/// Body of `POST /recommendations/{id}/comments`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentRequest {
    /// The comment.
    pub text: String,
}

/// `GET /me`: who the caller's token is; every member null without a token.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The token's role.
    #[schema(value_type = Option<crate::store::UserRole>)]
    pub role: Option<String>,
    /// The token's label (`tepat token create --label`), else its hash prefix.
    pub name: Option<String>,
    /// Hash prefix naming the token in the audit log.
    pub actor: Option<String>,
}

/// Query of `GET /recommendations`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
}

fn invalid(kind: &str, title: &str, detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, kind, title, detail)
}

/// The body as `T`: malformed JSON is a 400, a body of the wrong shape a 422 naming the
/// field.
fn typed<T: DeserializeOwned>(body: &Bytes, kind: &str, title: &str) -> Result<T, Problem> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Problem::invalid_json(format!("request body: {e}")))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        invalid(kind, title, format!("{path}: {}", e.into_inner()))
    })
}

/// Store errors of recommendations as problems: an unknown id is a 404, a decision the
/// caller may not change a 409.
fn store_problem(e: StoreError) -> Problem {
    match &e {
        StoreError::NoRecommendation { .. } => Problem::new(
            StatusCode::NOT_FOUND,
            "unknown-recommendation",
            "Unknown recommendation",
            e.to_string(),
        ),
        StoreError::AlreadyDecided { .. } => Problem::new(
            StatusCode::CONFLICT,
            "already-decided",
            "Recommendation already decided",
            e.to_string(),
        ),
        _ => Problem::from(e),
    }
}

fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// `POST /recommendations`: runs the analysis (through the results cache) and saves the
/// recommendation with a snapshot of the result → 201.
#[utoipa::path(post, path = "/recommendations", operation_id = "create_recommendation", tag = "recommendations",
    request_body(content = NewRecommendationBody, description = "What to \
        recommend: the analysis is run (through the results cache) and its result kept."),
    responses(
        (status = 201, description = "Saved as `proposed`, with the result snapshot.",
            body = crate::store::Recommendation, headers(("location" = String, description = "Its URL."))),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown analysis, layer or scenario.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body of the wrong shape or params the analysis \
            cannot use; the detail names the field.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, Problem> {
    const KIND: &str = "invalid-recommendation";
    const TITLE: &str = "Invalid recommendation";
    let req: CreateBody = typed(&body, KIND, TITLE)?;
    let title = req.title.trim().to_string();
    if title.is_empty() {
        return Err(invalid(KIND, TITLE, "title: must not be empty"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(invalid(
            KIND,
            TITLE,
            format!("title: longer than {MAX_TITLE_CHARS} characters"),
        ));
    }
    let top_n = req.top_n.unwrap_or(DEFAULT_TOP_N);
    if top_n == 0 {
        return Err(invalid(KIND, TITLE, "top_n: must be at least 1"));
    }
    if let Some(b) = req.budget {
        if !(b.is_finite() && b >= 0.0) {
            return Err(invalid(
                KIND,
                TITLE,
                format!("budget: {b} is not a non-negative amount"),
            ));
        }
    }
    if req.scenario_version.is_some() && req.scenario.is_none() {
        return Err(invalid(KIND, TITLE, "scenario_version: needs scenario"));
    }
    analysis::find(&req.analysis)?; // 404 before the params are looked at
    let stored = blocking(move || {
        let scenario = match &req.scenario {
            Some(id) => Some(state.store().scenario(id, req.scenario_version)?),
            None => None,
        };
        let pinned = scenario
            .as_ref()
            .map(|s| (s.id.as_str(), s.scenario.version));
        let params = if req.params.is_null() {
            json!({})
        } else {
            req.params
        };
        let (result, _) = scenarios::run_cached(
            &state,
            &req.analysis,
            params.clone(),
            pinned.map(|(id, v)| (id, Some(v))),
        )?;
        let question = non_blank(req.question);
        let notes = non_blank(req.notes);
        let new = NewRecommendation {
            title: &title,
            question: question.as_deref(),
            params: &params,
            scenario: pinned,
            top_n,
            budget: req.budget,
            notes: notes.as_deref(),
            result: &result,
        };
        state
            .store()
            .create_recommendation(&new, caller.0.as_ref())
            .map_err(store_problem)
    })
    .await?;
    let location = format!("/api/v1/recommendations/{}", stored.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(stored),
    )
        .into_response())
}

/// `GET /recommendations[?status=proposed|approved|rejected]`: newest first, without the
/// result snapshots.
#[utoipa::path(get, path = "/recommendations", operation_id = "list_recommendations", tag = "recommendations",
    params(("status" = Option<String>, Query,
        description = "Only those of this status: `proposed`, `approved` or `rejected`.")),
    responses(
        (status = 200, description = "Newest first, without the result snapshots.",
            body = Vec<crate::store::Recommendation>),
        (status = 400, description = "An unknown `status`.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response, Problem> {
    let status = match q.status.as_deref().map(str::trim) {
        None => None,
        Some(s @ ("proposed" | "approved" | "rejected")) => Some(s.to_string()),
        Some(other) => {
            return Err(Problem::invalid_query(format!(
                "status: '{other}' is not one of proposed, approved, rejected"
            )))
        }
    };
    let all = blocking(move || {
        state
            .store()
            .recommendations(status.as_deref())
            .map_err(store_problem)
    })
    .await?;
    Ok(Json(all).into_response())
}

/// `GET /recommendations/{id}`: with the result snapshot, decisions and comments.
#[utoipa::path(get, path = "/recommendations/{id}", operation_id = "get_recommendation", tag = "recommendations",
    params(("id" = String, Path, description = "Recommendation id.")),
    responses(
        (status = 200, description = "With its result snapshot, decisions and comments.",
            body = crate::store::Recommendation),
        (status = 404, description = "No such recommendation.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let r = blocking(move || state.store().recommendation(&id).map_err(store_problem)).await?;
    Ok(Json(r).into_response())
}

/// `POST /recommendations/{id}/decision`: `{"decision": "approve"|"reject", "comment"?}` →
/// 200 with the recommendation; 409 when it is decided already and the caller is no admin.
#[utoipa::path(post, path = "/recommendations/{id}/decision", operation_id = "decide_recommendation", tag = "recommendations",
    params(("id" = String, Path, description = "Recommendation id.")),
    request_body(content = DecisionRequest),
    responses(
        (status = 200, description = "Decided: `status` is `approved` or `rejected`.",
            body = crate::store::Recommendation),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such recommendation.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already (only an admin may change it).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body of the wrong shape.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    const KIND: &str = "invalid-decision";
    const TITLE: &str = "Invalid decision";
    let req: DecisionBody = typed(&body, KIND, TITLE)?;
    let verdict = match req.decision.as_str() {
        Some("approve") => Verdict::Approve,
        Some("reject") => Verdict::Reject,
        _ => {
            return Err(invalid(
                KIND,
                TITLE,
                format!(
                    "decision: {} is not one of \"approve\", \"reject\"",
                    req.decision
                ),
            ))
        }
    };
    let comment = non_blank(req.comment);
    let r = blocking(move || {
        state
            .store()
            .decide_recommendation(&id, verdict, comment.as_deref(), caller.0.as_ref())
            .map_err(store_problem)
    })
    .await?;
    Ok(Json(r).into_response())
}

/// `POST /recommendations/{id}/comments`: `{"text"}` → 201 with the recommendation (the
/// new comment last).
#[utoipa::path(post, path = "/recommendations/{id}/comments", operation_id = "comment_recommendation", tag = "recommendations",
    params(("id" = String, Path, description = "Recommendation id.")),
    request_body(content = CommentRequest),
    responses(
        (status = 201, description = "Added; the recommendation with the comment last.",
            body = crate::store::Recommendation),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such recommendation.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body of the wrong shape or an empty text.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn comment(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Problem> {
    const KIND: &str = "invalid-comment";
    const TITLE: &str = "Invalid comment";
    let req: CommentBody = typed(&body, KIND, TITLE)?;
    let text =
        non_blank(Some(req.text)).ok_or_else(|| invalid(KIND, TITLE, "text: must not be empty"))?;
    let r = blocking(move || {
        state
            .store()
            .comment_recommendation(&id, &text, caller.0.as_ref())
            .map_err(store_problem)
    })
    .await?;
    let location = format!("/api/v1/recommendations/{}", r.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(r)).into_response())
}

/// `GET /me`: `{"role", "name", "actor"}` of the caller's token; all null without one.
/// `name` is the token's label (`tepat token create --label`), else its hash prefix.
#[utoipa::path(get, path = "/me", tag = "system",
    responses((status = 200, description = "The caller's role and name (null without a \
        token).", body = Me)))]
pub async fn me(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, Problem> {
    let Some(p) = caller.0 else {
        return Ok(Json(json!({"role": null, "name": null, "actor": null})).into_response());
    };
    let actor = p.actor.clone();
    let label = blocking(move || Ok(state.store().token_label(&actor)?)).await?;
    Ok(Json(json!({
        "role": p.role.as_str(),
        "name": label.unwrap_or_else(|| p.actor.clone()),
        "actor": p.actor,
    }))
    .into_response())
}
