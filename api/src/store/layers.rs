//! Uploaded layers: a row per layer whose file is durable in `<data-dir>/layers/` (written
//! only after the file, so every row has its file), with the layer entry it is read with.

use super::audit::audit;
use super::{Principal, Store, StoreError, NOW};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tepat_engine::project::LayerSpec;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
