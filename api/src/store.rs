//! The server's store: SQLite (WAL) in the data directory — scenarios and every version of
//! them, recommendations with their decisions and comments, API tokens (hashed) and the
//! audit log of writes. Each write is one transaction, so
//! a server killed mid-write keeps everything it acknowledged and nothing half-written.
//! The schema is versioned by `PRAGMA user_version`; [`MIGRATIONS`] brings an older file up.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tepat_engine::analysis::AnalysisResult;
use tepat_engine::project::LayerSpec;
use tepat_engine::scenario::Scenario;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "tepat.db";

/// Schema migrations, in order; migration `i` brings `user_version` from `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: scenarios (soft-deleted, so the audit log can still name them), their versions,
    // tokens by SHA-256, the audit log.
    "CREATE TABLE scenarios (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        deleted_at TEXT
    );
    CREATE TABLE scenario_versions (
        scenario_id TEXT NOT NULL REFERENCES scenarios(id),
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT,
        PRIMARY KEY (scenario_id, version)
    );
    CREATE TABLE tokens (
        hash TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        label TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT,
        role TEXT,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT NOT NULL
    );",
    // 2: recommendations with the snapshot of the result they were based on, their
    // decisions and comments (append-only: an admin's change of decision adds a row).
    "CREATE TABLE recommendations (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        analysis TEXT NOT NULL,
        scenario_id TEXT,
        scenario_version INTEGER,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        result TEXT NOT NULL,
        result_sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT,
        created_role TEXT
    );
    CREATE TABLE recommendation_decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recommendation_id TEXT NOT NULL REFERENCES recommendations(id),
        decision TEXT NOT NULL,
        comment TEXT,
        at TEXT NOT NULL,
        actor TEXT,
        role TEXT
    );
    CREATE TABLE recommendation_comments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recommendation_id TEXT NOT NULL REFERENCES recommendations(id),
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT,
        role TEXT
    );
    CREATE INDEX recommendation_decisions_by_rec ON recommendation_decisions (recommendation_id);
    CREATE INDEX recommendation_comments_by_rec ON recommendation_comments (recommendation_id);",
    // 3: uploaded layers. A row is written only after its file is durable in
    // `<data-dir>/layers/`, so every row has its file; files without a row are leftovers of
    // an interrupted upload, removed at start.
    "CREATE TABLE layers (
        name TEXT PRIMARY KEY,
        file TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL,
        spec TEXT NOT NULL,
        original_name TEXT,
        bytes INTEGER NOT NULL,
        file_sha256 TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        features INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT
    );",
];

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory cannot be created or opened.
    #[error("data directory {}: {source}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer tepat.
    #[error(
        "store: schema version {found} is newer than this tepat knows ({known}); upgrade tepat"
    )]
    TooNew {
        /// The file's schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// No scenario (or no such version) with this id.
    #[error("no scenario '{id}'{}", version.map(|v| format!(" version {v}")).unwrap_or_default())]
    NoScenario {
        /// The id.
        id: String,
        /// The version asked for.
        version: Option<u32>,
    },
    /// A stored body that no longer parses (written by hand, or by an incompatible tepat).
    #[error("store: scenario '{id}' is unreadable: {message}")]
    Corrupt {
        /// The scenario.
        id: String,
        /// Why.
        message: String,
    },
    /// No recommendation with this id.
    #[error("no recommendation '{id}'")]
    NoRecommendation {
        /// The id.
        id: String,
    },
    /// The recommendation is decided already and the caller may not change that.
    #[error(
        "recommendation '{id}' is {status} already (by {}, at {at}); only an admin may change a decision",
        by.as_deref().unwrap_or("the command line")
    )]
    AlreadyDecided {
        /// The recommendation.
        id: String,
        /// Its status.
        status: String,
        /// Who decided (token hash prefix).
        by: Option<String>,
        /// When.
        at: String,
    },
    /// A stored recommendation that no longer parses.
    #[error("store: recommendation '{id}' is unreadable: {message}")]
    CorruptRecommendation {
        /// The recommendation.
        id: String,
        /// Why.
        message: String,
    },
    /// An uploaded layer of this name is stored already.
    #[error("a layer '{name}' exists already")]
    LayerExists {
        /// The name.
        name: String,
    },
    /// No uploaded layer of this name.
    #[error("no uploaded layer '{name}'")]
    NoLayer {
        /// The name.
        name: String,
    },
    /// A stored layer row that no longer parses.
    #[error("store: uploaded layer '{name}' is unreadable: {message}")]
    CorruptLayer {
        /// The layer.
        name: String,
        /// Why.
        message: String,
    },
}

/// Who may do what (the roles).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum UserRole {
    /// Layers and tokens, and everything else.
    Admin,
    /// Scenarios and runs.
    Planner,
    /// Read; approve, reject and comment on recommendations.
    Leader,
    /// Read and run analyses.
    Researcher,
}

impl UserRole {
    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Admin => "admin",
            UserRole::Planner => "planner",
            UserRole::Leader => "leader",
            UserRole::Researcher => "researcher",
        }
    }

    fn parse(s: &str) -> Option<UserRole> {
        [UserRole::Admin, UserRole::Planner, UserRole::Leader, UserRole::Researcher]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A token's holder, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// First 12 hex digits of the token's hash: names the token without revealing it.
    pub actor: String,
    /// The token's role.
    pub role: UserRole,
}

/// A stored scenario (its latest version unless asked otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredScenario {
    /// Stable id, used in URLs and `?scenario=`.
    pub id: String,
    /// The scenario (its `version` is the stored version).
    #[serde(flatten)]
    #[schema(value_type = crate::openapi::engine::Scenario)]
    pub scenario: Scenario,
    /// When the scenario was created.
    pub created_at: String,
    /// When this version was written.
    pub updated_at: String,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When.
    pub at: String,
    /// Token (hash prefix), or null for the command line.
    pub actor: Option<String>,
    /// Its role.
    pub role: Option<String>,
    /// What was done (`scenario.create`, …).
    pub action: String,
    /// What it was done to (a scenario id).
    pub target: Option<String>,
    /// The data and params it was based on.
    pub detail: Value,
}

/// The store; one connection behind a mutex (SQLite writes are serial anyway).
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
}

impl Store {
    /// Opens (creating) `dir/tepat.db` in WAL mode and migrates it.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path)?;
        // WAL: readers do not block the writer; FULL sync: an acknowledged write survives a
        // power cut, not only a killed process.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Store::init(conn, Some(path))
    }

    /// A store in memory (tests, and `AppState::new` without a data directory).
    pub fn in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Store::init(conn, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Store, StoreError> {
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// The database file (none in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back on drop), so a poisoned lock is safe to take over.
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    /// Stores a new scenario as version 1, with its audit entry, in one transaction.
    pub fn create_scenario(
        &self,
        scenario: &Scenario,
        who: Option<&Principal>,
        detail: Value,
    ) -> Result<StoredScenario, StoreError> {
        let id = new_id("sc");
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                &format!("INSERT INTO scenarios (id, created_at) VALUES (?1, {NOW})"),
                params![id],
            )?;
            let mut s = scenario.clone();
            s.version = 1;
            insert_version(&tx, &id, &s, who)?;
            audit(&tx, who, "scenario.create", Some(&id), &detail)?;
            let stored = read_scenario(&tx, &id, None)?;
            tx.commit()?;
            Ok(stored)
        })
    }

    /// Replaces scenario `id` with `scenario` as a new version (the old ones stay).
    pub fn update_scenario(
        &self,
        id: &str,
        scenario: &Scenario,
        who: Option<&Principal>,
        detail: Value,
    ) -> Result<StoredScenario, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current = read_scenario(&tx, id, None)?;
            let mut s = scenario.clone();
            s.version = current.scenario.version + 1;
            insert_version(&tx, id, &s, who)?;
            audit(&tx, who, "scenario.update", Some(id), &detail)?;
            let stored = read_scenario(&tx, id, None)?;
            tx.commit()?;
            Ok(stored)
        })
    }

    /// Marks scenario `id` deleted (its versions stay for the audit log).
    pub fn delete_scenario(
        &self,
        id: &str,
        who: Option<&Principal>,
        detail: Value,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                &format!(
                    "UPDATE scenarios SET deleted_at = {NOW} WHERE id = ?1 AND deleted_at IS NULL"
                ),
                params![id],
            )?;
            if n == 0 {
                return Err(StoreError::NoScenario {
                    id: id.to_string(),
                    version: None,
                });
            }
            audit(&tx, who, "scenario.delete", Some(id), &detail)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Scenario `id` at `version` (latest without).
    pub fn scenario(&self, id: &str, version: Option<u32>) -> Result<StoredScenario, StoreError> {
        self.with(|c| read_scenario(c, id, version))
    }

    /// Every scenario not deleted, latest versions, oldest first.
    pub fn scenarios(&self) -> Result<Vec<StoredScenario>, StoreError> {
        self.with(|c| {
            let ids: Vec<String> = c
                .prepare(
                    "SELECT id FROM scenarios WHERE deleted_at IS NULL ORDER BY created_at, id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids.iter().map(|id| read_scenario(c, id, None)).collect()
        })
    }

    /// A new token of `role`; returns it in clear (the only time it is seen: only its
    /// SHA-256 is stored).
    pub fn create_token(&self, role: UserRole, label: Option<&str>) -> Result<String, StoreError> {
        let token = format!("tepat_{}", random_hex(32));
        let hash = token_hash(&token);
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                &format!(
                    "INSERT INTO tokens (hash, role, label, created_at) VALUES (?1, ?2, ?3, {NOW})"
                ),
                params![hash, role.as_str(), label],
            )?;
            let detail = serde_json::json!({"role": role.as_str(), "label": label});
            audit(&tx, None, "token.create", Some(&hash[..12]), &detail)?;
            tx.commit()?;
            Ok(())
        })?;
        Ok(token)
    }

    /// Who holds `token`, if it is one of ours.
    pub fn principal(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        let hash = token_hash(token);
        let role: Option<String> = self.with(|c| {
            Ok(c.query_row(
                "SELECT role FROM tokens WHERE hash = ?1",
                params![hash],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        Ok(role.and_then(|r| UserRole::parse(&r)).map(|role| Principal {
            actor: hash[..12].to_string(),
            role,
        }))
    }

    /// The latest `limit` audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT id, at, actor, role, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map(params![limit as i64], |r| {
                let detail: String = r.get(6)?;
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    role: r.get(3)?,
                    action: r.get(4)?,
                    target: r.get(5)?,
                    detail: serde_json::from_str(&detail).unwrap_or(Value::String(detail)),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

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
    #[schema(value_type = Option<crate::openapi::engine::AnalysisResult>, nullable = false)]
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

    /// The label given to the token whose hash starts with `actor` (`tepat token create
    /// --label`), if any.
    pub fn token_label(&self, actor: &str) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT label FROM tokens WHERE substr(hash, 1, 12) = ?1",
                params![actor],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
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

/// An uploaded layer as the store lists it: the file in `<data-dir>/layers/` that holds it
/// as uploaded, and the layer entry it is read with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredLayer {
    /// Layer name.
    pub name: String,
    /// File name inside the layers directory.
    pub file: String,
    /// Upload format (`geojson`, `gpkg`, `shapefile-zip`, `csv`).
    pub format: String,
    /// The layer entry it is read with (role, id field, CSV columns, key fields).
    pub spec: LayerSpec,
    /// The file name the client sent.
    pub original_name: Option<String>,
    /// Size of the file.
    pub bytes: u64,
    /// SHA-256 of the file as uploaded.
    pub file_sha256: String,
    /// Content hash of the layer as loaded (what results record in `meta.layers`).
    pub content_hash: String,
    /// Number of features.
    pub features: u64,
    /// When it was uploaded.
    pub created_at: String,
    /// Token (hash prefix) that uploaded it.
    pub created_by: Option<String>,
}

/// What a new uploaded layer is made of (its file is durable already).
#[derive(Debug, Clone)]
pub struct NewLayer<'a> {
    /// Layer name.
    pub name: &'a str,
    /// File name inside the layers directory.
    pub file: &'a str,
    /// Upload format.
    pub format: &'a str,
    /// The layer entry.
    pub spec: &'a LayerSpec,
    /// The file name the client sent.
    pub original_name: Option<&'a str>,
    /// Size of the file.
    pub bytes: u64,
    /// SHA-256 of the file.
    pub file_sha256: &'a str,
    /// Content hash of the layer.
    pub content_hash: &'a str,
    /// Number of features.
    pub features: u64,
}

const LAYER_COLUMNS: &str = "name, file, format, spec, original_name, bytes, file_sha256, content_hash, features, created_at, created_by";

impl Store {
    /// Records an uploaded layer, with its audit entry (name, content hash, file hash), in
    /// one transaction. Call it only once the file is durable.
    pub fn insert_layer(
        &self,
        new: &NewLayer<'_>,
        who: Option<&Principal>,
    ) -> Result<StoredLayer, StoreError> {
        let spec = serde_json::to_string(new.spec).map_err(|e| StoreError::CorruptLayer {
            name: new.name.to_string(),
            message: e.to_string(),
        })?;
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let taken: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM layers WHERE name = ?1",
                    params![new.name],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::LayerExists {
                    name: new.name.to_string(),
                });
            }
            tx.execute(
                &format!(
                    "INSERT INTO layers ({LAYER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, {NOW}, ?10)"
                ),
                params![
                    new.name,
                    new.file,
                    new.format,
                    spec,
                    new.original_name,
                    new.bytes as i64,
                    new.file_sha256,
                    new.content_hash,
                    new.features as i64,
                    who.map(|p| p.actor.clone()),
                ],
            )?;
            let stored = read_layer(&tx, new.name)?;
            audit(&tx, who, "layer.upload", Some(new.name), &layer_detail(&stored))?;
            tx.commit()?;
            Ok(stored)
        })
    }

    /// Removes uploaded layer `name` from the list, with its audit entry; returns its row
    /// (its file is the caller's to remove).
    pub fn delete_layer(
        &self,
        name: &str,
        who: Option<&Principal>,
    ) -> Result<StoredLayer, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored = read_layer(&tx, name)?;
            tx.execute("DELETE FROM layers WHERE name = ?1", params![name])?;
            audit(&tx, who, "layer.delete", Some(name), &layer_detail(&stored))?;
            tx.commit()?;
            Ok(stored)
        })
    }

    /// Every uploaded layer, oldest first.
    pub fn layers(&self) -> Result<Vec<StoredLayer>, StoreError> {
        self.with(|c| {
            let names: Vec<String> = c
                .prepare("SELECT name FROM layers ORDER BY created_at, name")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            names.iter().map(|n| read_layer(c, n)).collect()
        })
    }
}

fn read_layer(c: &Connection, name: &str) -> Result<StoredLayer, StoreError> {
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
        String,
        String,
        i64,
        String,
        Option<String>,
    );
    let row: Option<Row> = c
        .query_row(
            &format!("SELECT {LAYER_COLUMNS} FROM layers WHERE name = ?1"),
            params![name],
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
        name,
        file,
        format,
        spec,
        original_name,
        bytes,
        file_sha256,
        content_hash,
        features,
        created_at,
        created_by,
    )) = row
    else {
        return Err(StoreError::NoLayer {
            name: name.to_string(),
        });
    };
    let spec = serde_json::from_str(&spec).map_err(|e| StoreError::CorruptLayer {
        name: name.clone(),
        message: e.to_string(),
    })?;
    Ok(StoredLayer {
        name,
        file,
        format,
        spec,
        original_name,
        bytes: u64::try_from(bytes).unwrap_or_default(),
        file_sha256,
        content_hash,
        features: u64::try_from(features).unwrap_or_default(),
        created_at,
        created_by,
    })
}

/// What the audit log keeps of a layer write: enough to tell later which data it was.
fn layer_detail(l: &StoredLayer) -> Value {
    serde_json::json!({
        "layer": l.name,
        "content_hash": l.content_hash,
        "file_sha256": l.file_sha256,
        "format": l.format,
        "original_name": l.original_name,
        "bytes": l.bytes,
        "features": l.features,
        "role": l.spec.role,
    })
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::TooNew {
            found: version,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

fn insert_version(
    c: &Connection,
    id: &str,
    s: &Scenario,
    who: Option<&Principal>,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(s).map_err(|e| StoreError::Corrupt {
        id: id.to_string(),
        message: e.to_string(),
    })?;
    c.execute(
        &format!("INSERT INTO scenario_versions (scenario_id, version, body, created_at, created_by) VALUES (?1, ?2, ?3, {NOW}, ?4)"),
        params![id, s.version, body, who.map(|p| p.actor.clone())],
    )?;
    Ok(())
}

fn read_scenario(
    c: &Connection,
    id: &str,
    version: Option<u32>,
) -> Result<StoredScenario, StoreError> {
    let missing = || StoreError::NoScenario {
        id: id.to_string(),
        version,
    };
    let created_at: String = c
        .query_row(
            "SELECT created_at FROM scenarios WHERE id = ?1 AND deleted_at IS NULL",
            params![id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(missing)?;
    let row: Option<(String, String)> = match version {
        Some(v) => c
            .query_row(
                "SELECT body, created_at FROM scenario_versions WHERE scenario_id = ?1 AND version = ?2",
                params![id, v],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?,
        None => c
            .query_row(
                "SELECT body, created_at FROM scenario_versions WHERE scenario_id = ?1 ORDER BY version DESC LIMIT 1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?,
    };
    let (body, updated_at) = row.ok_or_else(missing)?;
    let scenario = Scenario::from_json(&body).map_err(|e| StoreError::Corrupt {
        id: id.to_string(),
        message: e.to_string(),
    })?;
    Ok(StoredScenario {
        id: id.to_string(),
        scenario,
        created_at,
        updated_at,
    })
}

fn audit(
    c: &Connection,
    who: Option<&Principal>,
    action: &str,
    target: Option<&str>,
    detail: &Value,
) -> Result<(), StoreError> {
    c.execute(
        &format!("INSERT INTO audit_log (at, actor, role, action, target, detail) VALUES ({NOW}, ?1, ?2, ?3, ?4, ?5)"),
        params![
            who.map(|p| p.actor.clone()),
            who.map(|p| p.role.as_str()),
            action,
            target,
            detail.to_string()
        ],
    )?;
    Ok(())
}

/// SHA-256 of a token, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_hex(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_version_and_survive_reopening() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let id = {
            let store = Store::open(dir.path())?;
            let s = store.create_scenario(&Scenario::new("a"), None, Value::Null)?;
            assert_eq!(s.scenario.version, 1);
            let mut next = s.scenario.clone();
            next.description = Some("dua".into());
            let v2 = store.update_scenario(&s.id, &next, None, Value::Null)?;
            assert_eq!(v2.scenario.version, 2);
            s.id
        };
        let store = Store::open(dir.path())?;
        assert_eq!(
            store.scenario(&id, None)?.scenario.description.as_deref(),
            Some("dua")
        );
        assert_eq!(store.scenario(&id, Some(1))?.scenario.description, None);
        assert!(matches!(
            store.scenario(&id, Some(3)),
            Err(StoreError::NoScenario { .. })
        ));
        assert_eq!(store.scenarios()?.len(), 1);
        store.delete_scenario(&id, None, Value::Null)?;
        assert!(store.scenarios()?.is_empty());
        assert!(matches!(
            store.delete_scenario(&id, None, Value::Null),
            Err(StoreError::NoScenario { .. })
        ));
        let actions: Vec<String> = store.audit_log(10)?.into_iter().map(|e| e.action).collect();
        assert_eq!(
            actions,
            vec!["scenario.delete", "scenario.update", "scenario.create"]
        );
        Ok(())
    }

    #[test]
    fn tokens_are_stored_hashed() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(dir.path())?;
        let token = store.create_token(UserRole::Planner, Some("dinas"))?;
        let p = store.principal(&token)?.expect("known token");
        assert_eq!(p.role, UserRole::Planner);
        assert_eq!(store.principal("tepat_nope")?, None);
        drop(store);
        let raw = std::fs::read(dir.path().join(DB_FILE))?;
        let wal = std::fs::read(dir.path().join("tepat.db-wal")).unwrap_or_default();
        let text = String::from_utf8_lossy(&raw) + String::from_utf8_lossy(&wal);
        assert!(!text.contains(&token), "the token itself is never written");
        Ok(())
    }

    #[test]
    fn uploaded_layers_are_listed_refused_twice_and_deleted_with_audit() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let spec = LayerSpec {
            name: "banjir".into(),
            role: "hazard".into(),
            path: "layers/banjir.1.geojson".into(),
            ..LayerSpec::default()
        };
        let new = NewLayer {
            name: "banjir",
            file: "banjir.1.geojson",
            format: "geojson",
            spec: &spec,
            original_name: Some("Banjir Q100.geojson"),
            bytes: 123,
            file_sha256: "f1",
            content_hash: "c1",
            features: 4,
        };
        {
            let store = Store::open(dir.path())?;
            let stored = store.insert_layer(&new, None)?;
            assert_eq!((stored.spec.role.as_str(), stored.bytes), ("hazard", 123));
            assert!(matches!(
                store.insert_layer(&new, None),
                Err(StoreError::LayerExists { .. })
            ));
        }
        let store = Store::open(dir.path())?;
        let listed = store.layers()?;
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed[0].original_name.as_deref(),
            Some("Banjir Q100.geojson")
        );
        assert_eq!(store.delete_layer("banjir", None)?.file, "banjir.1.geojson");
        assert!(store.layers()?.is_empty());
        assert!(matches!(
            store.delete_layer("banjir", None),
            Err(StoreError::NoLayer { .. })
        ));
        let log = store.audit_log(10)?;
        assert_eq!(log[0].action, "layer.delete");
        assert_eq!(log[0].detail["content_hash"], "c1");
        assert_eq!(log[1].action, "layer.upload");
        Ok(())
    }

    #[test]
    fn a_newer_schema_is_refused() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        drop(Store::open(dir.path())?);
        let c = Connection::open(dir.path().join(DB_FILE))?;
        c.pragma_update(None, "user_version", 99)?;
        drop(c);
        assert!(matches!(
            Store::open(dir.path()),
            Err(StoreError::TooNew { found: 99, .. })
        ));
        Ok(())
    }
}
