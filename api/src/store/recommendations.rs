//! Recommendations with the snapshot of the result they were based on, their decisions
//! and comments (append-only: an admin's change of decision adds a row).

use super::audit::audit;
use super::{new_id, Principal, Store, StoreError, UserRole, NOW};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tepat_engine::analysis::AnalysisResult;

/// A saved recommendation: an analysis run (on the baseline or a scenario version) kept with
/// a snapshot of its result envelope and the content hashes of the layers it read, so the
/// decision on it can be traced to its data after layers or scenarios change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recommendation {
    /// Stable id (`rec_…`).
    pub id: String,
    /// Short title.
    pub title: String,
    /// The question it answers.
    pub question: Option<String>,
    /// The analysis run.
    pub analysis: String,
    /// The params as sent (the snapshot's `params` has them resolved).
    pub params: Value,
    /// The scenario it ran on (null: the baseline).
    pub scenario: Option<String>,
    /// That scenario's version.
    pub scenario_version: Option<u32>,
    /// How many of the ranked rows the recommendation is about.
    pub top_n: u32,
    /// The budget it was made under.
    pub budget: Option<f64>,
    /// Free notes.
    pub notes: Option<String>,
    /// `proposed`, `approved` or `rejected`.
    pub status: String,
    /// SHA-256 of each layer the analysis read.
    pub layers: BTreeMap<String, String>,
    /// Engine version that computed the snapshot.
    pub engine_version: String,
    /// SHA-256 of the stored snapshot, as the audit log records it.
    pub result_sha256: String,
    /// Token (hash prefix) that saved it.
    pub created_by: Option<String>,
    /// Its role.
    pub created_role: Option<String>,
    /// When it was saved.
    pub created_at: String,
    /// The result envelope as it was (left out of listings).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(value_type = Option<tepat_engine::analysis::AnalysisResult>, nullable = false)]
    pub result: Option<Value>,
    /// Decisions, oldest first (more than one only when an admin changed one).
    pub decisions: Vec<Decision>,
    /// Comments, oldest first.
    pub comments: Vec<Comment>,
}

/// What a new recommendation is made of.
#[derive(Debug, Clone)]
pub struct NewRecommendation<'a> {
    /// Short title.
    pub title: &'a str,
    /// The question it answers.
    pub question: Option<&'a str>,
    /// The params as sent.
    pub params: &'a Value,
    /// Scenario id and version, or the baseline.
    pub scenario: Option<(&'a str, u32)>,
    /// Rows it is about.
    pub top_n: u32,
    /// Budget.
    pub budget: Option<f64>,
    /// Free notes.
    pub notes: Option<&'a str>,
    /// The run (its analysis name, resolved params and layer hashes are taken from it).
    pub result: &'a AnalysisResult,
}

/// A leader's (or admin's) decision on a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Status becomes `approved`.
    Approve,
    /// Status becomes `rejected`.
    Reject,
}

impl Verdict {
    /// `approve` / `reject`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
        }
    }

    /// The status it leads to.
    pub fn status(self) -> &'static str {
        match self {
            Verdict::Approve => "approved",
            Verdict::Reject => "rejected",
        }
    }
}

/// One decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    /// `approve` or `reject`.
    pub decision: Verdict,
    /// Why.
    pub comment: Option<String>,
    /// Token (hash prefix).
    pub by: Option<String>,
    /// Its role.
    pub role: Option<String>,
    /// When.
    pub at: String,
}

/// One comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Comment {
    /// The text.
    pub text: String,
    /// Token (hash prefix).
    pub by: Option<String>,
    /// Its role.
    pub role: Option<String>,
    /// When.
    pub at: String,
}

/// The part of a recommendation kept as one JSON column (fields that are never queried).
#[derive(Debug, Serialize, Deserialize)]
struct RecommendationBody {
    question: Option<String>,
    params: Value,
    top_n: u32,
    budget: Option<f64>,
    notes: Option<String>,
    layers: BTreeMap<String, String>,
    engine_version: String,
}

impl Store {
    /// Saves a recommendation (status `proposed`) with its audit entry — the params, the
    /// scenario version, the layer hashes and the snapshot's SHA-256 — in one transaction.
    pub fn create_recommendation(
        &self,
        new: &NewRecommendation<'_>,
        who: Option<&Principal>,
    ) -> Result<Recommendation, StoreError> {
        let id = new_id("rec");
        let corrupt = |e: serde_json::Error| StoreError::CorruptRecommendation {
            id: id.clone(),
            message: e.to_string(),
        };
        let result = serde_json::to_string(new.result).map_err(corrupt)?;
        let result_sha256 = hex::encode(Sha256::digest(result.as_bytes()));
        let meta = &new.result.meta;
        let body = RecommendationBody {
            question: new.question.map(str::to_string),
            params: new.params.clone(),
            top_n: new.top_n,
            budget: new.budget,
            notes: new.notes.map(str::to_string),
            layers: meta.layers.clone(),
            engine_version: meta.engine_version.clone(),
        };
        let body_text = serde_json::to_string(&body).map_err(corrupt)?;
        let detail = serde_json::json!({
            "title": new.title,
            "analysis": new.result.analysis,
            "params": new.result.params,
            "requested_params": new.params,
            "scenario": new.scenario.map(|s| s.0),
            "scenario_version": new.scenario.map(|s| s.1),
            "top_n": new.top_n,
            "budget": new.budget,
            "layers": meta.layers,
            "engine_version": meta.engine_version,
            "result_sha256": result_sha256,
        });
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                &format!(
                    "INSERT INTO recommendations (id, title, analysis, scenario_id, scenario_version, status, body, result, result_sha256, created_at, created_by, created_role)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'proposed', ?6, ?7, ?8, {NOW}, ?9, ?10)"
                ),
                params![
                    id,
                    new.title,
                    new.result.analysis,
                    new.scenario.map(|s| s.0),
                    new.scenario.map(|s| s.1),
                    body_text,
                    result,
                    result_sha256,
                    who.map(|p| p.actor.clone()),
                    who.map(|p| p.role.as_str()),
                ],
            )?;
            audit(&tx, who, "recommendation.create", Some(&id), &detail)?;
            let stored = read_recommendation(&tx, &id, true)?;
            tx.commit()?;
            Ok(stored)
        })
    }

    /// Recommendation `id` with its result snapshot, decisions and comments.
    pub fn recommendation(&self, id: &str) -> Result<Recommendation, StoreError> {
        self.with(|c| read_recommendation(c, id, true))
    }

    /// Every recommendation (of `status`, if given), newest first, without the snapshots.
    pub fn recommendations(&self, status: Option<&str>) -> Result<Vec<Recommendation>, StoreError> {
        self.with(|c| {
            let ids: Vec<String> = c
                .prepare(
                    "SELECT id FROM recommendations WHERE ?1 IS NULL OR status = ?1
                     ORDER BY created_at DESC, id",
                )?
                .query_map(params![status], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids.iter()
                .map(|id| read_recommendation(c, id, false))
                .collect()
        })
    }

    /// Records a decision on recommendation `id`. A proposed recommendation may be decided
    /// once; after that only an admin may change the decision (the earlier one stays in
    /// the history). The audit entry carries what the decision was based on: the analysis,
    /// params, scenario version, layer hashes and the snapshot's SHA-256.
    pub fn decide_recommendation(
        &self,
        id: &str,
        verdict: Verdict,
        comment: Option<&str>,
        who: Option<&Principal>,
    ) -> Result<Recommendation, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current = read_recommendation(&tx, id, false)?;
            let admin = who.is_some_and(|p| p.role == UserRole::Admin);
            if let Some(last) = current.decisions.last() {
                if !admin {
                    return Err(StoreError::AlreadyDecided {
                        id: id.to_string(),
                        status: current.status,
                        by: last.by.clone(),
                        at: last.at.clone(),
                    });
                }
            }
            tx.execute(
                &format!(
                    "INSERT INTO recommendation_decisions (recommendation_id, decision, comment, at, actor, role)
                     VALUES (?1, ?2, ?3, {NOW}, ?4, ?5)"
                ),
                params![
                    id,
                    verdict.as_str(),
                    comment,
                    who.map(|p| p.actor.clone()),
                    who.map(|p| p.role.as_str()),
                ],
            )?;
            tx.execute(
                "UPDATE recommendations SET status = ?2 WHERE id = ?1",
                params![id, verdict.status()],
            )?;
            let params: Value = tx.query_row(
                "SELECT json_extract(result, '$.params') FROM recommendations WHERE id = ?1",
                params![id],
                |r| r.get::<_, Option<String>>(0),
            )?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null);
            let detail = serde_json::json!({
                "decision": verdict.as_str(),
                "comment": comment,
                "previous_status": current.status,
                "title": current.title,
                "analysis": current.analysis,
                "params": params,
                "scenario": current.scenario,
                "scenario_version": current.scenario_version,
                "layers": current.layers,
                "engine_version": current.engine_version,
                "result_sha256": current.result_sha256,
            });
            let action = format!("recommendation.{}", verdict.as_str());
            audit(&tx, who, &action, Some(id), &detail)?;
            let stored = read_recommendation(&tx, id, true)?;
            tx.commit()?;
            Ok(stored)
        })
    }

    /// Adds a comment to recommendation `id`, with its audit entry.
    pub fn comment_recommendation(
        &self,
        id: &str,
        text: &str,
        who: Option<&Principal>,
    ) -> Result<Recommendation, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current = read_recommendation(&tx, id, false)?;
            tx.execute(
                &format!(
                    "INSERT INTO recommendation_comments (recommendation_id, text, at, actor, role)
                     VALUES (?1, ?2, {NOW}, ?3, ?4)"
                ),
                params![
                    id,
                    text,
                    who.map(|p| p.actor.clone()),
                    who.map(|p| p.role.as_str())
                ],
            )?;
            let detail = serde_json::json!({"text": text, "status": current.status});
            audit(&tx, who, "recommendation.comment", Some(id), &detail)?;
            let stored = read_recommendation(&tx, id, true)?;
            tx.commit()?;
            Ok(stored)
        })
    }
}

fn read_recommendation(
    c: &Connection,
    id: &str,
    with_result: bool,
) -> Result<Recommendation, StoreError> {
    let corrupt = |message: String| StoreError::CorruptRecommendation {
        id: id.to_string(),
        message,
    };
    type Row = (
        String,
        String,
        Option<String>,
        Option<u32>,
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = c
        .query_row(
            &format!(
                "SELECT title, analysis, scenario_id, scenario_version, status, body, {}, result_sha256, created_at, created_by, created_role
                 FROM recommendations WHERE id = ?1",
                if with_result { "result" } else { "NULL" }
            ),
            params![id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            },
        )
        .optional()?;
    let Some((
        title,
        analysis,
        scenario,
        scenario_version,
        status,
        body,
        result,
        result_sha256,
        created_at,
        created_by,
        created_role,
    )) = row
    else {
        return Err(StoreError::NoRecommendation { id: id.to_string() });
    };
    let body: RecommendationBody =
        serde_json::from_str(&body).map_err(|e| corrupt(e.to_string()))?;
    let result = result
        .map(|r| serde_json::from_str(&r))
        .transpose()
        .map_err(|e| corrupt(e.to_string()))?;
    let decisions = c
        .prepare(
            "SELECT decision, comment, actor, role, at FROM recommendation_decisions
             WHERE recommendation_id = ?1 ORDER BY id",
        )?
        .query_map(params![id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })?
        .map(|row| {
            let (decision, comment, by, role, at) = row?;
            let decision = match decision.as_str() {
                "approve" => Verdict::Approve,
                "reject" => Verdict::Reject,
                other => return Err(corrupt(format!("unknown decision '{other}'"))),
            };
            Ok(Decision {
                decision,
                comment,
                by,
                role,
                at,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let comments = c
        .prepare(
            "SELECT text, actor, role, at FROM recommendation_comments
             WHERE recommendation_id = ?1 ORDER BY id",
        )?
        .query_map(params![id], |r| {
            Ok(Comment {
                text: r.get(0)?,
                by: r.get(1)?,
                role: r.get(2)?,
                at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Recommendation {
        id: id.to_string(),
        title,
        question: body.question,
        analysis,
        params: body.params,
        scenario,
        scenario_version,
        top_n: body.top_n,
        budget: body.budget,
        notes: body.notes,
        status,
        layers: body.layers,
        engine_version: body.engine_version,
        result_sha256,
        created_by,
        created_role,
        created_at,
        result,
        decisions,
        comments,
    })
}
