//! The schema's versions: each migration brings `PRAGMA user_version` one step up, in its
//! own transaction; a file written by a newer tepat is refused.

use super::StoreError;
use rusqlite::{Connection, TransactionBehavior};

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

/// Brings the file's schema up to [`MIGRATIONS`].
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, DB_FILE};

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
