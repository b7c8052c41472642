//! The result envelope (DESIGN.md §4) as the CLI writes it: pretty JSON, GeoJSON (the rows
//! joined to the geometry of `meta.row_layer`, the rest as foreign members) or CSV; to
//! stdout or atomically to a file.

use crate::features;
use geojson::{FeatureCollection, JsonObject};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use tepat_engine::analysis::AnalysisResult;
use tepat_engine::project::Project;
use tepat_engine::scenario::Comparison;

/// Output format of `tepat run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// The envelope as pretty JSON.
    #[default]
    Json,
    /// A FeatureCollection of the rows in EPSG:4326, envelope members alongside.
    Geojson,
    /// The rows as CSV: `id`, then every row key in first-seen order.
    Csv,
}

/// Why a result could not be rendered or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// Joining rows to geometry failed (e.g. reprojection).
    #[error(transparent)]
    Engine(#[from] tepat_engine::Error),
    /// Encoding JSON or CSV failed.
    #[error("cannot encode the result: {0}")]
    Encode(String),
    /// Writing the output file failed.
    #[error("{}: {source}", path.display())]
    Write {
        /// The output file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// The result in `format`, newline-terminated: JSON pretty-printed, GeoJSON compact.
pub fn render(
    result: &AnalysisResult,
    project: &Project,
    format: Format,
) -> Result<Vec<u8>, OutputError> {
    let encode = |e: &dyn std::fmt::Display| OutputError::Encode(e.to_string());
    let mut bytes = match format {
        Format::Json => serde_json::to_vec_pretty(result).map_err(|e| encode(&e))?,
        // Compact: pretty-printed coordinates would be most of the file, one number a line.
        Format::Geojson => {
            serde_json::to_vec(&geojson(result, project)?).map_err(|e| encode(&e))?
        }
        Format::Csv => csv(result).map_err(|e| encode(&e))?,
    };
    if bytes.last() != Some(&b'\n') {
        bytes.push(b'\n');
    }
    Ok(bytes)
}

fn geojson(result: &AnalysisResult, project: &Project) -> Result<FeatureCollection, OutputError> {
    let layer = result
        .meta
        .row_layer
        .as_deref()
        .and_then(|n| project.layers.get(n).ok());
    let features = features::row_features(&result.rows, layer.map(|l| &**l), &project.crs)?;
    let mut members = JsonObject::new();
    members.insert("analysis".into(), result.analysis.clone().into());
    members.insert("params".into(), result.params.clone());
    members.insert("summary".into(), Value::Object(result.summary.clone()));
    members.insert(
        "meta".into(),
        serde_json::to_value(&result.meta).map_err(|e| OutputError::Encode(e.to_string()))?,
    );
    Ok(FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(members),
    })
}

fn csv(result: &AnalysisResult) -> Result<Vec<u8>, csv::Error> {
    let mut columns: Vec<&str> = vec!["id"];
    for row in &result.rows {
        for key in row.keys() {
            if !columns.contains(&key.as_str()) {
                columns.push(key);
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&columns)?;
    for row in &result.rows {
        w.write_record(columns.iter().map(|c| cell(row.get(*c))))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A JSON value as a CSV cell: text as is, null/missing empty, nested values as JSON.
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// A comparison in words (`tepat compare --text`): per scenario, what its money does and
/// what changed in each analysis.
pub fn comparison_text(c: &Comparison) -> String {
    let mut out = String::new();
    for (k, s) in c.scenarios.iter().enumerate() {
        out.push_str(&format!(
            "{} (version {}, {} edit{})\n",
            s.name,
            s.version,
            s.edits,
            if s.edits == 1 { "" } else { "s" }
        ));
        for line in &s.sentences {
            out.push_str(&format!("  {line}\n"));
        }
        for a in &c.analyses {
            for line in a
                .scenarios
                .get(k)
                .map(|o| o.sentences.as_slice())
                .unwrap_or_default()
            {
                out.push_str(&format!("  {}: {line}\n", a.analysis));
            }
        }
    }
    out
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// readers never see a half-written file and a failure leaves any old file in place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let err = |source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tepat_engine::analysis::Meta;

    fn result() -> AnalysisResult {
        let rows = [
            json!({"id": "1", "count": 2, "name": "a, \"b\""}),
            json!({"id": "2", "extra": null, "count": 0}),
        ];
        AnalysisResult {
            analysis: "t".into(),
            params: json!({}),
            summary: Default::default(),
            rows: rows
                .into_iter()
                .filter_map(|r| r.as_object().cloned())
                .collect(),
            meta: Meta {
                engine_version: "0".into(),
                elapsed_ms: 0,
                layers: Default::default(),
                row_layer: None,
            },
        }
    }

    #[test]
    fn csv_has_id_first_then_keys_in_first_seen_order() -> Result<(), csv::Error> {
        let text = String::from_utf8_lossy(&csv(&result())?).into_owned();
        assert_eq!(text, "id,count,name,extra\n1,2,\"a, \"\"b\"\"\",\n2,0,,\n");
        Ok(())
    }

    #[test]
    fn atomic_write_replaces_the_file() -> Result<(), OutputError> {
        let dir = tempfile::tempdir().map_err(|e| OutputError::Encode(e.to_string()))?;
        let path = dir.path().join("out.json");
        write_atomic(&path, b"old")?;
        write_atomic(&path, b"new")?;
        assert_eq!(std::fs::read(&path).ok().as_deref(), Some(&b"new"[..]));
        assert_eq!(
            std::fs::read_dir(dir.path()).map(|d| d.count()).ok(),
            Some(1)
        );
        Ok(())
    }
}
