//! The analyses: the registry as JSON (`GET /analyses`, `tepat analyses --json`) and as
//! text (`tepat analyses`), and runs (`POST /analyses/{name}`, on the baseline or a stored
//! scenario, through the results cache, as a job when long). The listing follows from
//! [`tepat_engine::analysis::registry`], so a new analysis appears here without touching
//! this crate.

use crate::output::{render, Format, OutputError};
use crate::problem::Problem;
use crate::state::{AppState, CACHE_HEADER};
use crate::{jobs, scenarios, schemas, tiles};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::Write;
use tepat_engine::analysis;
use tepat_engine::analysis::descriptor::{Column, Text};
use tepat_engine::project::Project;
use utoipa::ToSchema;

/// One registered analysis: its descriptor, the JSON Schema of its params and, when a
/// project is known, the params it defaults to there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnalysisInfo {
    /// Registry name, used in `POST /analyses/{name}` and `tepat run NAME`.
    pub name: &'static str,
    /// Title in Indonesian and English.
    pub title: Text,
    /// One line on what it answers, in Indonesian and English.
    pub description: Text,
    /// JSON Schema of the params (also in the OpenAPI document as `<Name>Params`), with the
    /// `x-tepat-label`, `x-tepat-help`, `x-tepat-layer`, `x-tepat-field` and
    /// `x-tepat-column` annotations.
    #[schema(value_type = Object)]
    pub params_schema: Value,
    /// Every column its rows may carry besides `id`: label, unit, kind, which way is better,
    /// the headline, a category's values. A `{placeholder}` in a name stands for any text.
    pub columns: &'static [Column],
    /// The params it runs with on this project when given none; absent when it has no
    /// defaults there (the reason is not an error of the listing).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub default_params: Option<Value>,
}

/// Every registered analysis, in registry order, with its defaults on `project` if given.
pub fn catalog(project: Option<&Project>) -> Vec<AnalysisInfo> {
    analysis::registry()
        .into_iter()
        .map(|a| {
            let d = a.descriptor();
            AnalysisInfo {
                name: a.name(),
                title: d.title,
                description: d.description,
                params_schema: a.params_schema(),
                columns: d.columns,
                default_params: project
                    .and_then(|p| a.default_params(p, &analysis::Focus::default()).ok()),
            }
        })
        .collect()
}

/// Terminal listing: each analysis with its description and its params from the schema.
pub fn to_text(list: &[AnalysisInfo]) -> String {
    let mut out = String::new();
    for a in list {
        let _ = writeln!(out, "{}\n    {}", a.name, a.description.en);
        let required: Vec<&str> = a.params_schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = a.params_schema["properties"].as_object() {
            for (name, p) in props {
                let ty = match &p["type"] {
                    Value::String(t) => t.clone(),
                    Value::Array(ts) => ts
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("|"),
                    _ => "object".to_string(),
                };
                let req = if required.contains(&name.as_str()) {
                    ", required"
                } else {
                    ""
                };
                let desc = p["description"].as_str().unwrap_or_default();
                let _ = writeln!(out, "    {name} ({ty}{req}): {desc}");
            }
        }
    }
    out
}

/// The registered analyses: each one's descriptor, the JSON Schema of its params and its
/// default params on the served project.
#[utoipa::path(get, path = "/analyses", tag = "analyses",
    responses((status = 200, description = "Every registered analysis, in registry order.",
        body = Vec<AnalysisInfo>)))]
pub async fn list_analyses(State(state): State<AppState>) -> Json<Vec<AnalysisInfo>> {
    Json(catalog(Some(state.project())))
}

/// Query of `POST /analyses/{name}`: `format=json|geojson|csv` (default json), and
/// `scenario=ID` (optionally `version=N`) to run on a stored scenario instead of the baseline.
#[derive(Debug, Deserialize)]
pub struct RunQuery {
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

/// `format` of `POST /analyses/{name}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// The result envelope.
    Json,
    /// The rows joined to their features, in EPSG:4326.
    Geojson,
    /// The rows as a table.
    Csv,
}

/// Runs an analysis on the baseline or on a stored scenario; the body is its params.
///
/// Results are cached by the layers' content hashes, the params and the scenario version
/// (`x-tepat-cache` says whether this one came from the cache).
#[utoipa::path(post, path = "/analyses/{name}", tag = "analyses",
    params(
        ("name" = String, Path, description = "Registered analysis name (`GET /analyses`)."),
        ("format" = Option<OutputFormat>, Query,
            description = "`json` (the result envelope, default), `geojson` (rows joined to \
                their features) or `csv`."),
        ("scenario" = Option<String>, Query,
            description = "Run on this stored scenario instead of the baseline."),
        ("version" = Option<u32>, Query, minimum = 1,
            description = "That scenario's version (default: its latest); needs `scenario`."),
        ("prefer" = Option<String>, Header,
            description = "`respond-async`: answer 202 with a job at once."),
    ),
    request_body(content = Option<schemas::AnalysisParams>,
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
                (tepat_engine::analysis::AnalysisResult = "application/json"),
                (schemas::FeatureCollection = "application/geo+json"),
                (String = "text/csv"),
            )),
        (status = 202, description = "A job: asked for with `Prefer: respond-async`, or the \
            run outlasted the server's `--sync-timeout-ms`. Follow `Location`.",
            body = jobs::JobSchema,
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
pub async fn run_analysis(
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
        tiles::result_key(&state, &name, &params, query.scenario.as_deref(), version).await?;
    let result_header = [(tiles::RESULT_HEADER, result_key)];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_lists_aggregate_with_its_params() {
        let list = catalog(None);
        let agg = list.iter().find(|a| a.name == "aggregate");
        assert!(agg.is_some_and(|a| a.params_schema["properties"]["zones"].is_object()));
        let text = to_text(&list);
        assert!(text.contains("aggregate\n"), "{text}");
        assert!(text.contains("zones (string, required)"), "{text}");
    }
}
