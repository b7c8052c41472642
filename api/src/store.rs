//! The server's store: SQLite (WAL) in the data directory — scenarios and every version of
//! them, API tokens (hashed) and the audit log of writes. Each write is one transaction, so
//! a server killed mid-write keeps everything it acknowledged and nothing half-written.
//! The schema is versioned by `PRAGMA user_version`; [`MIGRATIONS`] brings an older file up.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
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
}

/// Who may do what (the roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Layers and tokens, and everything else.
    Admin,
    /// Scenarios and runs.
    Planner,
    /// Read; approve, reject and comment on recommendations.
    Leader,
    /// Read and run analyses.
    Researcher,
}

impl Role {
    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Planner => "planner",
            Role::Leader => "leader",
            Role::Researcher => "researcher",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        [Role::Admin, Role::Planner, Role::Leader, Role::Researcher]
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
    pub role: Role,
}

/// A stored scenario (its latest version unless asked otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredScenario {
    /// Stable id, used in URLs and `?scenario=`.
    pub id: String,
    /// The scenario (its `version` is the stored version).
    #[serde(flatten)]
    pub scenario: Scenario,
    /// When the scenario was created.
    pub created_at: String,
    /// When this version was written.
    pub updated_at: String,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub fn create_token(&self, role: Role, label: Option<&str>) -> Result<String, StoreError> {
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
        Ok(role.and_then(|r| Role::parse(&r)).map(|role| Principal {
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
        let token = store.create_token(Role::Planner, Some("dinas"))?;
        let p = store.principal(&token)?.expect("known token");
        assert_eq!(p.role, Role::Planner);
        assert_eq!(store.principal("tepat_nope")?, None);
        drop(store);
        let raw = std::fs::read(dir.path().join(DB_FILE))?;
        let wal = std::fs::read(dir.path().join("tepat.db-wal")).unwrap_or_default();
        let text = String::from_utf8_lossy(&raw) + String::from_utf8_lossy(&wal);
        assert!(!text.contains(&token), "the token itself is never written");
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
