//! Which events an analysis looks at: one category (optional) within a time window
//! (optional), as `complaints` and `clusters` (DBSCAN) take them. The category and time
//! fields default to the layer's `category` / `time` entries in `tepat.toml`.
//!
//! The window is on the wall clock as written ([`super::timestamp`]): `from` is inclusive,
//! `to` inclusive too, and a date-only `to` runs through the end of that day. With a window,
//! events without a timestamp are left out.

use super::timestamp::{self, Stamp, DAY_MS};
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::project::Project;
use std::collections::BTreeSet;

/// What to select (the params as the caller took them).
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Category field (default: the layer's `category`).
    pub category_field: Option<String>,
    /// Time field (default: the layer's `time`).
    pub time_field: Option<String>,
    /// Only events of this category.
    pub category: Option<String>,
    /// Window start (ISO 8601), inclusive.
    pub from: Option<String>,
    /// Window end (ISO 8601), inclusive; a date runs through that day.
    pub to: Option<String>,
}

/// The selected events and what the selection resolved.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Indices of the selected events, ascending.
    pub idx: Vec<usize>,
    /// Every event's timestamp (all features, `None` without a time field or value).
    pub stamps: Vec<Option<Stamp>>,
    /// Every event's category (all features).
    pub categories: Vec<Option<String>>,
    /// The category field used.
    pub category_field: Option<String>,
    /// The time field used.
    pub time_field: Option<String>,
    /// Window start (inclusive).
    pub from: Option<Stamp>,
    /// Window end (exclusive).
    pub until: Option<Stamp>,
}

/// Selects the events of `layer` per `q`. Errors name `analysis`'s parameter: an unknown
/// category (listing the categories), a bad or reversed window, a window or category with
/// no event.
pub fn select(
    project: &Project,
    analysis: &str,
    layer: &Layer,
    q: &mut Query,
) -> Result<Selection> {
    let spec = project.spec(&layer.name);
    if q.category_field.is_none() {
        q.category_field = spec.and_then(|s| s.category.clone());
    }
    if q.time_field.is_none() {
        q.time_field = spec.and_then(|s| s.time.clone());
    }
    let n = layer.len();
    let categories: Vec<Option<String>> = match &q.category_field {
        Some(f) => {
            let col = layer
                .column(f)
                .map_err(|e| Error::param(analysis, "category_field", e.to_string()))?;
            (0..n).map(|i| col.get(i).as_key()).collect()
        }
        None => vec![None; n],
    };
    if let Some(c) = &q.category {
        if q.category_field.is_none() {
            return Err(Error::param(
                analysis,
                "category",
                format!(
                    "layer '{}' has no category field in the project; name it with `category_field`",
                    layer.name
                ),
            ));
        }
        if !categories.iter().flatten().any(|x| x == c) {
            let all: BTreeSet<&str> = categories.iter().flatten().map(String::as_str).collect();
            return Err(Error::param(
                analysis,
                "category",
                format!(
                    "no event of layer '{}' has category '{c}' (categories: {})",
                    layer.name,
                    all.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    let windowed = q.from.is_some() || q.to.is_some();
    let stamps = match &q.time_field {
        Some(f) => timestamp::column_stamps(layer, f)?,
        None if windowed => {
            return Err(Error::param(
                analysis,
                if q.from.is_some() { "from" } else { "to" },
                format!(
                    "layer '{}' has no time field in the project; name it with `time_field`",
                    layer.name
                ),
            ))
        }
        None => vec![None; n],
    };
    let bound = |name: &str, text: &Option<String>| -> Result<Option<timestamp::Parsed>> {
        text.as_deref()
            .map(|t| timestamp::parse(t).map_err(|m| Error::param(analysis, name, m)))
            .transpose()
    };
    let from = bound("from", &q.from)?.map(|p| p.stamp);
    let until = bound("to", &q.to)?.map(|p| Stamp {
        local: p.stamp.local + if p.date_only { DAY_MS } else { 1 },
        offset: p.stamp.offset,
    });
    if let (Some(a), Some(b)) = (from, until) {
        if b.local <= a.local {
            return Err(Error::param(
                analysis,
                "to",
                "the window ends before it starts",
            ));
        }
    }
    let idx: Vec<usize> = (0..n)
        .filter(|&i| {
            q.category
                .as_ref()
                .is_none_or(|c| categories[i].as_ref() == Some(c))
        })
        .filter(|&i| {
            if !windowed {
                return true;
            }
            stamps[i].is_some_and(|s| {
                from.is_none_or(|f| s.local >= f.local) && until.is_none_or(|u| s.local < u.local)
            })
        })
        .collect();
    if idx.is_empty() {
        let what = q
            .category
            .as_ref()
            .map(|c| format!(" of category '{c}'"))
            .unwrap_or_default();
        return Err(Error::param(
            analysis,
            if windowed {
                if q.from.is_some() {
                    "from"
                } else {
                    "to"
                }
            } else {
                "category"
            },
            format!(
                "no event{what} of layer '{}' between {} and {}: the window is empty",
                layer.name,
                q.from.as_deref().unwrap_or("the first event"),
                q.to.as_deref().unwrap_or("the last event"),
            ),
        ));
    }
    Ok(Selection {
        idx,
        stamps,
        categories,
        category_field: q.category_field.clone(),
        time_field: q.time_field.clone(),
        from,
        until,
    })
}
