//! What-if scenarios: a named, versioned list of [`Edit`]s over the baseline project.
//!
//! [`apply`] turns a scenario into a [`Project`](crate::project::Project) view: unchanged
//! layers stay shared with the baseline (the [`LayerSet`](crate::layer::LayerSet) holds
//! them by `Arc`), and only an edited layer is copied, once, however many edits touch it.
//! [`compare`] runs a list of analyses on the baseline and on up to
//! [`MAX_SCENARIOS`] scenarios and reports per-zone values, deltas, summary deltas and
//! sentences a planner can read ("+12,400 people within 2 km of a puskesmas").
//!
//! A scenario is written in JSON or TOML:
//!
//! ```toml
//! name = "Puskesmas baru di pesisir"
//! [[edits]]
//! op = "add_facility"
//! layer = "puskesmas"
//! id = "PKM-BARU"
//! lon = 124.83
//! lat = 1.47
//! capacity = 30000
//! cost = 2500000000
//! [[edits]]
//! op = "swap_hazard"
//! layer = "banjir_q25"
//! to = "banjir_q100"
//! ```

mod apply;
mod compare;
mod edit;
mod sentences;

pub use apply::{apply, Applied};
pub use compare::{
    compare, requests, AnalysisComparison, AnalysisRequest, Comparison, ScenarioInfo,
    ScenarioOutcome, DEFAULT_ANALYSES, MAX_SCENARIOS,
};
pub use edit::{Budget, Edit};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A named, versioned list of edits to the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Display name.
    pub name: String,
    /// Version, raised by every change (the store numbers them; files may leave it at 1).
    #[serde(default = "first_version")]
    pub version: u32,
    /// What the scenario is about, for the people reviewing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The edits, applied in order.
    #[serde(default)]
    pub edits: Vec<Edit>,
}

fn first_version() -> u32 {
    1
}

impl Scenario {
    /// An empty scenario (version 1) called `name`.
    pub fn new(name: impl Into<String>) -> Scenario {
        Scenario {
            name: name.into(),
            version: first_version(),
            description: None,
            edits: Vec::new(),
        }
    }

    /// Parses a scenario from JSON or TOML: JSON when the text starts with `{`.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        if text.trim_start().starts_with('{') {
            Scenario::from_json(text)
        } else {
            Scenario::from_toml(text)
        }
    }

    /// Parses a JSON scenario; the error names the path of the offending key.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            ScenarioError::Parse(format!("{path}: {}", e.into_inner()))
        })
    }

    /// Parses a TOML scenario.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        toml::from_str(text).map_err(|e| ScenarioError::Parse(e.to_string().trim().to_string()))
    }

    /// The scenario as TOML (for `tepat` users who keep scenarios in files).
    pub fn to_toml(&self) -> Result<String, ScenarioError> {
        toml::to_string(self).map_err(|e| ScenarioError::Parse(e.to_string()))
    }

    /// SHA-256 of the scenario's canonical JSON: a cache key that changes with any edit.
    pub fn fingerprint(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }
}

/// Why a scenario could not be read, applied or compared. Edits are numbered from 1, in
/// the order of the scenario's `edits`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The scenario text is not valid JSON / TOML, or does not fit the scenario's schema.
    #[error("invalid scenario: {0}")]
    Parse(String),
    /// An edit names a layer the project does not have.
    #[error("edit {edit} ({op}): unknown layer '{layer}' (available: {})", available.join(", "))]
    UnknownLayer {
        /// 1-based edit number.
        edit: usize,
        /// The edit's `op`.
        op: &'static str,
        /// The requested layer.
        layer: String,
        /// The layers that exist.
        available: Vec<String>,
    },
    /// An edit names a layer whose role does not fit it (moving a "facility" of a zone layer).
    #[error("edit {edit} ({op}): layer '{layer}' is a {role} layer; expected {expected}")]
    WrongRole {
        /// 1-based edit number.
        edit: usize,
        /// The edit's `op`.
        op: &'static str,
        /// The layer.
        layer: String,
        /// Its role.
        role: String,
        /// The roles the edit accepts.
        expected: String,
    },
    /// An edit names a feature id that is not in the layer (or no longer, after an earlier edit).
    #[error("edit {edit} ({op}): layer '{layer}' has no feature '{id}'")]
    UnknownFeature {
        /// 1-based edit number.
        edit: usize,
        /// The edit's `op`.
        op: &'static str,
        /// The layer.
        layer: String,
        /// The requested id.
        id: String,
    },
    /// `add_facility` with an id the layer already has.
    #[error("edit {edit} ({op}): layer '{layer}' already has a feature '{id}'")]
    DuplicateFeature {
        /// 1-based edit number.
        edit: usize,
        /// The edit's `op`.
        op: &'static str,
        /// The layer.
        layer: String,
        /// The id.
        id: String,
    },
    /// An edit names a field the layer does not have.
    #[error("edit {edit} ({op}): layer '{layer}' has no field '{field}' (fields: {})", available.join(", "))]
    UnknownField {
        /// 1-based edit number.
        edit: usize,
        /// The edit's `op`.
        op: &'static str,
        /// The layer.
        layer: String,
        /// The requested field.
        field: String,
        /// The fields that exist.
        available: Vec<String>,
    },
    /// An edit whose values cannot be used (a negative factor, a position outside the CRS).
    #[error("edit {edit} ({op}): {message}")]
    InvalidEdit {
        /// 1-based edit number.
        edit: usize,
        /// The edit's `op`.
        op: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A comparison request that cannot be run (no analyses, too many scenarios).
    #[error("compare: {0}")]
    InvalidCompare(String),
    /// An analysis failed on the baseline or a scenario.
    #[error("{}{source}", scenario.as_ref().map(|s| format!("scenario '{s}': ")).unwrap_or_default())]
    Analysis {
        /// The scenario it failed on (none: the baseline).
        scenario: Option<String>,
        /// The engine's error.
        #[source]
        source: crate::Error,
    },
}

impl ScenarioError {
    /// A stable, machine-readable kind, used as the problem+json `type` by the API.
    pub fn kind(&self) -> &'static str {
        match self {
            ScenarioError::Parse(_) => "invalid-scenario",
            ScenarioError::UnknownLayer { .. } => "unknown-layer",
            ScenarioError::WrongRole { .. } => "scenario-wrong-role",
            ScenarioError::UnknownFeature { .. } => "unknown-feature",
            ScenarioError::DuplicateFeature { .. } => "duplicate-feature",
            ScenarioError::UnknownField { .. } => "unknown-field",
            ScenarioError::InvalidEdit { .. } => "invalid-edit",
            ScenarioError::InvalidCompare(_) => "invalid-compare",
            ScenarioError::Analysis { source, .. } => source.kind(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_toml_read_the_same_scenario() {
        let toml = r#"
name = "baru"
[[edits]]
op = "add_facility"
layer = "puskesmas"
id = "PKM-X"
lon = 124.8
lat = 1.5
capacity = 100
attributes = { nama = "Puskesmas X" }
[[edits]]
op = "set_budget"
amount = 5e9
"#;
        let a = Scenario::parse(toml).expect("toml");
        let json = serde_json::to_string(&a).expect("json");
        let b = Scenario::parse(&json).expect("json back");
        assert_eq!(a, b);
        assert_eq!(a.version, 1);
        assert_eq!(a.edits.len(), 2);
        let back = Scenario::from_toml(&a.to_toml().expect("to toml")).expect("toml back");
        assert_eq!(a, back);
        assert_eq!(a.fingerprint(), back.fingerprint());
    }

    #[test]
    fn typos_are_named() {
        let e = Scenario::parse(
            r#"{"name": "x", "edits": [{"op": "close_facility", "layer": "p", "idd": "1"}]}"#,
        )
        .expect_err("unknown key");
        assert!(e.to_string().contains("idd"), "{e}");
        assert!(e.to_string().contains("edits[0]"), "{e}");
        let e = Scenario::parse("name = \"x\"\n[[edits]]\nop = \"paint_it\"\n").expect_err("op");
        assert!(e.to_string().contains("paint_it"), "{e}");
        assert_eq!(e.kind(), "invalid-scenario");
    }
}
