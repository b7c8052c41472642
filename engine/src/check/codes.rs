//! Zone codes that do not match between layers: a table's `key` values against the ids of
//! its `join_to` layer, and a zone layer's `parent_key` values against the ids of its
//! `parent` layer. Both directions are errors: a code with no partner drops a row from a
//! join (statistics that never reach the map, a kelurahan counted in no kecamatan).

use super::report::{plural, Finding, Severity};
use crate::layer::Layer;
use std::collections::{BTreeMap, BTreeSet};

/// How `from.field` relates to `to`'s ids, for messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Relation {
    /// A table joined to a layer (`join_to` / `key`).
    Join,
    /// A zone layer nested in a coarser one (`parent` / `parent_key`).
    Parent,
}

/// `code-mismatch` findings (Error) for `from.field` against the ids of `to`.
pub(crate) fn check_codes(from: &Layer, field: &str, to: &Layer, rel: Relation) -> Vec<Finding> {
    let Ok(col) = from.column(field) else {
        return Vec::new(); // the loader rejects unknown fields; nothing to compare here
    };
    let targets: BTreeSet<&str> = to.ids.iter().map(String::as_str).collect();
    let mut used: BTreeSet<String> = BTreeSet::new();
    // Codes in `from` that name no feature of `to`: code → rows.
    let mut unknown: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in 0..from.len() {
        let Some(code) = col.get(i).as_key() else {
            continue;
        }; // nulls: reported as null-values
        if targets.contains(code.as_str()) {
            used.insert(code);
        } else {
            unknown.entry(code).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    if !unknown.is_empty() {
        let rows: Vec<usize> = unknown.values().flatten().copied().collect();
        let mut codes: Vec<&String> = unknown.keys().collect();
        codes.sort_by(|a, b| super::report::cmp_ids(a, b));
        let shown: Vec<&str> = codes.iter().take(10).map(|s| s.as_str()).collect();
        let hint = formatting_hint(codes.iter().map(|s| s.as_str()), &targets);
        let noun = match rel {
            Relation::Join => "row",
            Relation::Parent => "feature",
        };
        let what = match rel {
            Relation::Join => format!(
                "of '{}' with a {field} that is not an id of '{}'",
                from.name, to.name
            ),
            Relation::Parent => format!(
                "of '{}' naming a parent in {field} that is not an id of '{}'",
                from.name, to.name
            ),
        };
        out.push(
            Finding::new(
                Severity::Error,
                "code-mismatch",
                Some(&from.name),
                format!(
                    "{} {what}: {}{}{hint}",
                    plural(rows.len(), noun),
                    shown.join(", "),
                    if codes.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                ),
            )
            .field(field)
            .features(rows.iter().map(|&i| from.ids[i].clone())),
        );
    }
    let missing: Vec<&String> = to
        .ids
        .iter()
        .filter(|id| !used.contains(id.as_str()))
        .collect();
    if !missing.is_empty() {
        let mut shown: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        shown.sort_by(|a, b| super::report::cmp_ids(a, b));
        shown.dedup();
        let n = shown.len();
        shown.truncate(10);
        let what = match rel {
            Relation::Join => format!(
                "of '{}' without a row in '{}' (by {field})",
                to.name, from.name
            ),
            Relation::Parent => format!(
                "of '{}' containing no feature of '{}' (no {field} names them)",
                to.name, from.name
            ),
        };
        let mut f = Finding::new(
            Severity::Error,
            "code-mismatch",
            Some(&to.name),
            format!(
                "{} {what}: {}{}",
                plural(n, "feature"),
                shown.join(", "),
                if n > shown.len() { ", …" } else { "" }
            ),
        )
        .features(missing.iter().map(|s| s.to_string()));
        if let Some(idf) = &to.id_field {
            f = f.field(idf);
        }
        out.push(f);
    }
    out
}

/// Codes are often the same code written differently (`71.71.010`, ` 7171010`, `07171010`);
/// say so when normalising punctuation, spaces and leading zeros would match them.
fn formatting_hint<'a>(codes: impl Iterator<Item = &'a str>, targets: &BTreeSet<&str>) -> String {
    let norm = |s: &str| -> String {
        let t: String = s.chars().filter(|c| c.is_alphanumeric()).collect();
        let t = t.trim_start_matches('0');
        t.to_lowercase()
    };
    let by_norm: BTreeMap<String, &str> = targets.iter().map(|t| (norm(t), *t)).collect();
    let pairs: Vec<(&str, &str)> = codes
        .filter_map(|c| by_norm.get(&norm(c)).map(|t| (c, *t)))
        .collect();
    match pairs.first() {
        None => String::new(),
        Some((c, t)) => format!(
            " ({} look like formatting differences, e.g. '{c}' vs '{t}')",
            pairs.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{Column, Role, Value};

    fn table(name: &str, field: &str, codes: &[&str]) -> Layer {
        let col = Column::from_values(
            field,
            codes.iter().map(|c| Value::Text(c.to_string())).collect(),
        );
        let mut l =
            Layer::new(name, Role::Table, None, vec![None; codes.len()], vec![col]).expect("layer");
        l.set_id_field(field).expect("ids");
        l
    }

    #[test]
    fn both_directions_and_hint() {
        let stats = table("stats", "kode", &["A1", "A2", "0B3"]);
        let zones = table("zones", "id", &["A1", "B3", "C4"]);
        let f = check_codes(&stats, "kode", &zones, Relation::Join);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].layer.as_deref(), Some("stats"));
        assert_eq!(f[0].features, vec!["0B3", "A2"]);
        assert!(f[0].message.contains("formatting"), "{}", f[0].message);
        assert_eq!(f[1].layer.as_deref(), Some("zones"));
        assert_eq!(f[1].features, vec!["B3", "C4"]);
        let clean = check_codes(&zones, "id", &zones, Relation::Join);
        assert!(clean.is_empty());
    }
}
