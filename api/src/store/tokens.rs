//! API tokens: only their SHA-256 is stored, with the role and an optional label; the
//! first 12 hex digits name the token in the audit log.

use super::audit::audit;
use super::{random_hex, Principal, Store, StoreError, UserRole, NOW};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

impl Store {
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
        Ok(role
            .and_then(|r| UserRole::parse(&r))
            .map(|role| Principal {
                actor: hash[..12].to_string(),
                role,
            }))
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

/// SHA-256 of a token, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DB_FILE;

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
}
