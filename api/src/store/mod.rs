//! The server's store: SQLite (WAL) in the data directory — scenarios and every version of
//! them, recommendations with their decisions and comments, API tokens (hashed) and the
//! audit log of writes. Each write is one transaction, so
//! a server killed mid-write keeps everything it acknowledged and nothing half-written.
//! The schema is versioned by `PRAGMA user_version`; [`MIGRATIONS`] brings an older file up.
//!
//! One file per table (and its neighbours): [`scenarios`], [`tokens`], [`audit`],
//! [`layers`], [`recommendations`], [`migrations`]; this one holds the connection, the
//! errors and who writes ([`UserRole`], [`Principal`]).

pub mod audit;
pub mod layers;
pub mod migrations;
pub mod recommendations;
pub mod scenarios;
pub mod tokens;

pub use audit::AuditEntry;
pub use layers::{NewLayer, StoredLayer};
pub use migrations::MIGRATIONS;
pub use recommendations::{Comment, Decision, NewRecommendation, Recommendation, Verdict};
pub use scenarios::StoredScenario;
pub use tokens::token_hash;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "tepat.db";

/// SQLite's time now, as every table stores times (RFC 3339, UTC, milliseconds).
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
        [
            UserRole::Admin,
            UserRole::Planner,
            UserRole::Leader,
            UserRole::Researcher,
        ]
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
        migrations::migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// The database file (none in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `f` on the connection (one caller at a time).
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back on drop), so a poisoned lock is safe to take over.
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }
}

/// `bytes` random bytes, hex.
fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A new id: `<prefix>_` and 16 hex digits.
fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_hex(8))
}
