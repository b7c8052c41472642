//! The analysis registry as JSON (`GET /analyses`, `tepat analyses --json`) and as text
//! (`tepat analyses`). Both follow from [`tepat_engine::analysis::registry`], so a new
//! analysis appears here without touching this crate.

use serde::Serialize;
use serde_json::Value;
use std::fmt::Write;
use tepat_engine::analysis;

/// One registered analysis.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnalysisInfo {
    /// Registry name, used in `POST /analyses/{name}` and `tepat run NAME`.
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// JSON Schema of the params (also in the OpenAPI document as `<Name>Params`).
    #[schema(value_type = Object)]
    pub params_schema: Value,
}

/// Every registered analysis, in registry order.
pub fn catalog() -> Vec<AnalysisInfo> {
    analysis::registry()
        .into_iter()
        .map(|a| AnalysisInfo {
            name: a.name(),
            description: a.description(),
            params_schema: a.params_schema(),
        })
        .collect()
}

/// Terminal listing: each analysis with its description and its params from the schema.
pub fn to_text(list: &[AnalysisInfo]) -> String {
    let mut out = String::new();
    for a in list {
        let _ = writeln!(out, "{}\n    {}", a.name, a.description);
        let required: Vec<&str> = a.params_schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = a.params_schema["properties"].as_object() {
            for (name, p) in props {
                let ty = match &p["type"] {
                    Value::String(t) => t.clone(),
                    Value::Array(ts) => ts
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("|"),
                    _ => "object".to_string(),
                };
                let req = if required.contains(&name.as_str()) {
                    ", required"
                } else {
                    ""
                };
                let desc = p["description"].as_str().unwrap_or_default();
                let _ = writeln!(out, "    {name} ({ty}{req}): {desc}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_lists_aggregate_with_its_params() {
        let list = catalog();
        let agg = list.iter().find(|a| a.name == "aggregate");
        assert!(agg.is_some_and(|a| a.params_schema["properties"]["zones"].is_object()));
        let text = to_text(&list);
        assert!(text.contains("aggregate\n"), "{text}");
        assert!(text.contains("zones (string, required)"), "{text}");
    }
}
