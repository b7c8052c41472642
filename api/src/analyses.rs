//! The analysis registry as JSON (`GET /analyses`, `tepat analyses --json`) and as text
//! (`tepat analyses`). Both follow from [`tepat_engine::analysis::registry`], so a new
//! analysis appears here without touching this crate.

use serde::Serialize;
use serde_json::Value;
use std::fmt::Write;
use tepat_engine::analysis::descriptor::{Column, Text};
use tepat_engine::analysis;
use tepat_engine::project::Project;

/// One registered analysis: its descriptor, the JSON Schema of its params and, when a
/// project is known, the params it defaults to there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnalysisInfo {
    /// Registry name, used in `POST /analyses/{name}` and `tepat run NAME`.
    pub name: &'static str,
    /// Title, `{"id", "en"}`.
    #[schema(value_type = Object)]
    pub title: Text,
    /// One line on what it answers, `{"id", "en"}`.
    #[schema(value_type = Object)]
    pub description: Text,
    /// JSON Schema of the params (also in the OpenAPI document as `<Name>Params`), with the
    /// `x-tepat-label`, `x-tepat-help`, `x-tepat-layer`, `x-tepat-field` and
    /// `x-tepat-column` annotations.
    #[schema(value_type = Object)]
    pub params_schema: Value,
    /// Every column its rows may carry besides `id`: label, unit, kind, which way is better,
    /// the headline, a category's values. A `{placeholder}` in a name stands for any text.
    #[schema(value_type = Vec<Object>)]
    pub columns: &'static [Column],
    /// The params it runs with on this project when given none; absent when it has no
    /// defaults there (the reason is not an error of the listing).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub default_params: Option<Value>,
}

/// Every registered analysis, in registry order, with its defaults on `project` if given.
pub fn catalog(project: Option<&Project>) -> Vec<AnalysisInfo> {
    analysis::registry()
        .into_iter()
        .map(|a| {
            let d = a.descriptor();
            AnalysisInfo {
                name: a.name(),
                title: d.title,
                description: d.description,
                params_schema: a.params_schema(),
                columns: d.columns,
                default_params: project
                    .and_then(|p| a.default_params(p, &analysis::Focus::default()).ok()),
            }
        })
        .collect()
}

/// Terminal listing: each analysis with its description and its params from the schema.
pub fn to_text(list: &[AnalysisInfo]) -> String {
    let mut out = String::new();
    for a in list {
        let _ = writeln!(out, "{}\n    {}", a.name, a.description.en);
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
        let list = catalog(None);
        let agg = list.iter().find(|a| a.name == "aggregate");
        assert!(agg.is_some_and(|a| a.params_schema["properties"]["zones"].is_object()));
        let text = to_text(&list);
        assert!(text.contains("aggregate\n"), "{text}");
        assert!(text.contains("zones (string, required)"), "{text}");
    }
}
