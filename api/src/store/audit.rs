//! The audit log: every write, with who made it and the data and params it was based on,
//! in the write's own transaction.

use super::{Principal, Store, StoreError, NOW};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

impl Store {
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

/// Appends an entry (call it inside the write's transaction).
pub(super) fn audit(
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
