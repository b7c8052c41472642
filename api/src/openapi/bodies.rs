//! Request bodies and answers the handlers parse or build by hand (to name the offending
//! field in a 422, or to stream), described for the document. The contract test checks
//! live answers against them.

use super::engine::{AnalysisRequest, AnalysisResult, Edit};
use crate::problem::Problem;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

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

/// Body of `POST /scenarios/{id}/edits`: one edit or a list of them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Edits {
    /// One edit.
    One(Edit),
    /// Several, appended in order.
    Many(Vec<Edit>),
}

/// One analysis of a comparison: a bare name (its default params) or `{"name", "params"}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AnalysisItem {
    /// A registered analysis, with its default params.
    Name(String),
    /// An analysis with params.
    Full(AnalysisRequest),
}

/// Body of `POST /recommendations`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewRecommendation {
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
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionRequest {
    /// The decision.
    #[schema(value_type = crate::store::Verdict)]
    pub decision: Value,
    /// Why.
    pub comment: Option<String>,
}

/// Body of `POST /recommendations/{id}/comments`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentRequest {
    /// The comment.
    pub text: String,
}

/// `GET /me`: who the caller's token is; every member null without a token.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The token's role.
    #[schema(value_type = Option<crate::store::UserRole>)]
    pub role: Option<String>,
    /// The token's label (`tepat token create --label`), else its hash prefix.
    pub name: Option<String>,
    /// Hash prefix naming the token in the audit log.
    pub actor: Option<String>,
}

/// Where a job is.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker.
    Queued,
    /// Computing.
    Running,
    /// Finished with a result.
    Done,
    /// Finished with a problem.
    Failed,
}

/// An analysis run that outlasted the request (`202`), or was asked to with `Prefer:
/// respond-async`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    /// Job id.
    pub job: String,
    /// The analysis run.
    pub analysis: String,
    /// The scenario it runs on (null: the baseline).
    pub scenario: Option<String>,
    /// Where it is.
    pub status: JobStatus,
    /// 0..1.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub progress: f64,
    /// `GET` this to follow the job.
    pub href: String,
    /// Server-Sent Events of the job.
    pub events: String,
    /// The result envelope, once done.
    #[schema(nullable = false)]
    pub result: Option<AnalysisResult>,
    /// The problem, once failed.
    #[schema(nullable = false)]
    pub error: Option<Problem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<T: ToSchema>() -> Vec<Value> {
        let schema = serde_json::to_value(T::schema()).expect("schema serialises");
        schema["enum"].as_array().cloned().unwrap_or_default()
    }

    #[test]
    fn job_statuses_match_the_jobs_module() {
        use crate::jobs::Status;
        let statuses: Vec<Value> = [
            Status::Queued,
            Status::Running,
            Status::Done,
            Status::Failed,
        ]
        .iter()
        .map(|s| serde_json::to_value(s).expect("status serialises"))
        .collect();
        assert_eq!(values::<JobStatus>(), statuses);
    }
}
