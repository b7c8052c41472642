//! Scenarios and every version of them: a version is never changed, an edit writes the
//! next one; a deleted scenario is marked, so the audit log can still name it.

use super::audit::audit;
use super::{new_id, Principal, Store, StoreError, NOW};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tepat_engine::scenario::Scenario;

/// A stored scenario (its latest version unless asked otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredScenario {
    /// Stable id, used in URLs and `?scenario=`.
    pub id: String,
    /// The scenario (its `version` is the stored version).
    #[serde(flatten)]
    #[schema(value_type = crate::schemas::Scenario)]
    pub scenario: Scenario,
    /// When the scenario was created.
    pub created_at: String,
    /// When this version was written.
    pub updated_at: String,
}

impl Store {
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
}
