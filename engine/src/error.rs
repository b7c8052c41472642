//! The engine's one error type. Every variant names what the user must fix: the file,
//! layer, field or parameter, and where known the line or feature. The API maps these to
//! HTTP status codes in one place (`api/src/problem.rs`).

use std::path::PathBuf;

/// Result alias used across the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read (missing file, permissions).
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A file's content is malformed (truncated JSON, a bad number in a CSV, bad WKT).
    #[error("{path}{}: {message}", location(*line, *feature))]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line, where known.
        line: Option<usize>,
        /// 0-based feature index, where known.
        feature: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A file format the engine cannot read or write (or GDAL is not compiled in).
    #[error("{path}: unsupported format: {message}")]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The project file (`tepat.toml`) is invalid.
    #[error("{path}{}: {message}", project_location(layer.as_deref(), field.as_deref()))]
    Project {
        /// The project file.
        path: PathBuf,
        /// The `[[layers]]` entry concerned, if any.
        layer: Option<String>,
        /// The key or attribute field concerned, if any.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A layer name that is not in the project.
    #[error("unknown layer '{name}' (available: {})", available.join(", "))]
    UnknownLayer {
        /// The requested name.
        name: String,
        /// The layers that exist.
        available: Vec<String>,
    },
    /// A field name that is not in the layer.
    #[error("layer '{layer}' has no field '{field}' (fields: {})", available.join(", "))]
    UnknownField {
        /// The layer.
        layer: String,
        /// The requested field.
        field: String,
        /// The fields that exist.
        available: Vec<String>,
    },
    /// A field exists but has the wrong type for the use (text where a number is needed).
    #[error("layer '{layer}' field '{field}': {message}")]
    FieldType {
        /// The layer.
        layer: String,
        /// The field.
        field: String,
        /// What was expected.
        message: String,
    },
    /// A CRS that is missing, unknown, or cannot be transformed.
    #[error("{context}: {message}")]
    Crs {
        /// The layer or file concerned.
        context: String,
        /// What is wrong.
        message: String,
    },
    /// A geometry that the layer's role forbids, or that cannot be used.
    #[error("layer '{layer}'{}: {message}", feature.as_ref().map(|f| format!(" feature {f}")).unwrap_or_default())]
    Geometry {
        /// The layer.
        layer: String,
        /// The feature id or index, where known.
        feature: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A layer with no features where features are needed.
    #[error("layer '{layer}' is empty{}", source_path.as_ref().map(|p| format!(" ({})", p.display())).unwrap_or_default())]
    EmptyLayer {
        /// The layer.
        layer: String,
        /// The file it came from, if any.
        source_path: Option<PathBuf>,
    },
    /// An analysis name that is not registered.
    #[error("unknown analysis '{name}' (available: {})", available.join(", "))]
    UnknownAnalysis {
        /// The requested name.
        name: String,
        /// The registered analyses.
        available: Vec<String>,
    },
    /// Analysis parameters that do not fit the analysis' schema or the data.
    #[error("analysis '{analysis}' parameter '{param}': {message}")]
    InvalidParams {
        /// The analysis.
        analysis: String,
        /// The parameter (JSON path).
        param: String,
        /// What is wrong.
        message: String,
    },
    /// An error reported by GDAL while reading or writing a file.
    #[error("{path}: GDAL: {message}")]
    Gdal {
        /// The file.
        path: PathBuf,
        /// GDAL's message.
        message: String,
    },
}

fn location(line: Option<usize>, feature: Option<usize>) -> String {
    match (line, feature) {
        (Some(l), _) => format!(" line {l}"),
        (None, Some(f)) => format!(" feature {f}"),
        (None, None) => String::new(),
    }
}

fn project_location(layer: Option<&str>, field: Option<&str>) -> String {
    match (layer, field) {
        (Some(l), Some(f)) => format!(" layer '{l}' field '{f}'"),
        (Some(l), None) => format!(" layer '{l}'"),
        (None, Some(f)) => format!(" field '{f}'"),
        (None, None) => String::new(),
    }
}

impl Error {
    /// Shorthand for a parse error in a file.
    pub fn parse(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.into(),
            line: None,
            feature: None,
            message: message.into(),
        }
    }

    /// Shorthand for an I/O error on a file.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Shorthand for an invalid analysis parameter.
    pub fn param(analysis: &str, param: &str, message: impl Into<String>) -> Self {
        Error::InvalidParams {
            analysis: analysis.to_string(),
            param: param.to_string(),
            message: message.into(),
        }
    }

    /// A stable, machine-readable kind, used as the problem+json `type` by the API.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Parse { .. } => "parse",
            Error::UnsupportedFormat { .. } => "unsupported-format",
            Error::Project { .. } => "project",
            Error::UnknownLayer { .. } => "unknown-layer",
            Error::UnknownField { .. } => "unknown-field",
            Error::FieldType { .. } => "field-type",
            Error::Crs { .. } => "crs",
            Error::Geometry { .. } => "geometry",
            Error::EmptyLayer { .. } => "empty-layer",
            Error::UnknownAnalysis { .. } => "unknown-analysis",
            Error::InvalidParams { .. } => "invalid-params",
            Error::Gdal { .. } => "gdal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_place() {
        let e = Error::Parse {
            path: "a/b.csv".into(),
            line: Some(7),
            feature: None,
            message: "field 'pop': 'abc' is not a number".into(),
        };
        assert_eq!(
            e.to_string(),
            "a/b.csv line 7: field 'pop': 'abc' is not a number"
        );
        let e = Error::Project {
            path: "tepat.toml".into(),
            layer: Some("kelurahan".into()),
            field: Some("id".into()),
            message: "no such field".into(),
        };
        assert_eq!(
            e.to_string(),
            "tepat.toml layer 'kelurahan' field 'id': no such field"
        );
    }
}
