//! Attribute checks on one layer: duplicate ids, nulls per field, values out of range.
//!
//! **Range rule (by field name).** A field name is split into lower-case words (at
//! non-letters/digits, camelCase humps and letter–digit boundaries: `jumlahPenduduk2020`
//! → `jumlah`, `penduduk`, `2020`). Then, first match wins:
//! 1. a percentage — a word in [`PERCENT_WORDS`] or a `%` in the name — must lie in 0–100;
//! 2. a share — a word in [`SHARE_WORDS`] — must lie in 0–1;
//! 3. a count — a word in [`COUNT_WORDS`], or the field named by the layer's `population` or
//!    `capacity` key — must be ≥ 0, unless a word in [`SIGNED_WORDS`] says it is a change.
//!
//! Every numeric field must also be finite (no NaN or ±∞). Fields that match no rule are
//! not range-checked; rename a field (e.g. `pct_miskin`) to opt in.

use super::report::{plural, Finding, Severity};
use crate::layer::{ColumnData, Layer};
use crate::project::LayerSpec;
use std::collections::BTreeMap;

/// Words marking a percentage (0–100).
pub const PERCENT_WORDS: &[&str] = &[
    "pct",
    "perc",
    "percent",
    "percentage",
    "persen",
    "persentase",
];
/// Words marking a share or ratio (0–1).
pub const SHARE_WORDS: &[&str] = &[
    "share",
    "fraction",
    "frac",
    "proportion",
    "proporsi",
    "ratio",
    "rasio",
];
/// Words marking a count or another quantity that cannot be negative.
pub const COUNT_WORDS: &[&str] = &[
    "pop",
    "population",
    "penduduk",
    "jiwa",
    "household",
    "households",
    "hh",
    "kk",
    "ruta",
    "keluarga",
    "capacity",
    "kapasitas",
    "beds",
    "bed",
    "count",
    "counts",
    "jumlah",
    "jml",
    "n",
    "num",
    "number",
    "total",
    "area",
    "luas",
    "students",
    "siswa",
    "murid",
    "patients",
    "pasien",
    "male",
    "female",
    "laki",
    "perempuan",
    "workers",
    "pekerja",
    "visits",
    "kunjungan",
    "cases",
    "kasus",
];
/// Words marking a signed quantity (a change or balance), exempt from the count rule.
pub const SIGNED_WORDS: &[&str] = &[
    "change",
    "delta",
    "diff",
    "difference",
    "selisih",
    "perubahan",
    "growth",
    "pertumbuhan",
    "net",
    "balance",
    "saldo",
];

/// The range a field's values must lie in, by the rule in the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// ≥ 0 (counts, capacities, areas).
    NonNegative,
    /// 0–1 (shares, ratios).
    Unit,
    /// 0–100 (percentages).
    Percent,
}

impl Range {
    fn contains(self, v: f64) -> bool {
        match self {
            Range::NonNegative => v >= 0.0,
            Range::Unit => (0.0..=1.0).contains(&v),
            Range::Percent => (0.0..=100.0).contains(&v),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Range::NonNegative => "a count or quantity must not be negative",
            Range::Unit => "a share or ratio must lie in 0–1",
            Range::Percent => "a percentage must lie in 0–100",
        }
    }
}

/// Lower-case words of a field name (see the module docs).
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let hump = p.is_lowercase() && ch.is_uppercase();
            let digit_edge = p.is_ascii_digit() != ch.is_ascii_digit();
            if (hump || digit_edge) && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(ch.to_lowercase());
        prev = Some(ch);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The range rule for a field, if any. `counted` is true for the spec's population /
/// capacity fields, which are counts whatever they are called.
pub fn range_rule(name: &str, counted: bool) -> Option<Range> {
    let w = words(name);
    let has = |list: &[&str]| w.iter().any(|x| list.contains(&x.as_str()));
    if name.contains('%') || has(PERCENT_WORDS) {
        Some(Range::Percent)
    } else if has(SHARE_WORDS) {
        Some(Range::Unit)
    } else if counted || (has(COUNT_WORDS) && !has(SIGNED_WORDS)) {
        Some(Range::NonNegative)
    } else {
        None
    }
}

/// The fields a spec names (id, population, capacity, keys …): nulls there are warnings.
pub(crate) fn named_fields(spec: Option<&LayerSpec>) -> Vec<String> {
    spec.map(|s| {
        s.named_fields()
            .into_iter()
            .map(|(_, f)| f.to_string())
            .collect()
    })
    .unwrap_or_default()
}

/// Duplicate ids (Error), nulls per field (Info, Warning in named fields), out-of-range
/// values (Warning).
pub(crate) fn check_attributes(layer: &Layer, spec: Option<&LayerSpec>) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(f) = duplicate_ids(layer) {
        out.push(f);
    }
    let named = named_fields(spec);
    let counted: Vec<&str> = spec
        .map(|s| {
            [s.population.as_deref(), s.capacity.as_deref()]
                .into_iter()
                .flatten()
                .collect()
        })
        .unwrap_or_default();
    let n = layer.len();
    for col in &layer.columns {
        let nulls = col.null_count();
        if nulls > 0 {
            let key = named.iter().any(|f| f == &col.name);
            let sev = if key {
                Severity::Warning
            } else {
                Severity::Info
            };
            let ids = (0..n)
                .filter(|&i| col.get(i).as_key().is_none())
                .map(|i| layer.ids[i].clone());
            let why = if key {
                " (a field the project file names)"
            } else {
                ""
            };
            out.push(
                Finding::new(
                    sev,
                    "null-values",
                    Some(&layer.name),
                    format!("{nulls} of {n} values are null{why}"),
                )
                .field(&col.name)
                .features(ids),
            );
        }
        if !col.is_numeric() {
            continue;
        }
        // Non-finite floats break sums and averages whatever the field means.
        if let ColumnData::Float(v) = &col.data {
            let bad: Vec<usize> = (0..n)
                .filter(|&i| v.get(i).copied().flatten().is_some_and(|x| !x.is_finite()))
                .collect();
            if !bad.is_empty() {
                out.push(
                    Finding::new(
                        Severity::Warning,
                        "out-of-range",
                        Some(&layer.name),
                        format!(
                            "{} (NaN or infinity)",
                            plural(bad.len(), "non-finite value")
                        ),
                    )
                    .field(&col.name)
                    .features(bad.iter().map(|&i| layer.ids[i].clone())),
                );
            }
        }
        let Some(rule) = range_rule(&col.name, counted.contains(&col.name.as_str())) else {
            continue;
        };
        let bad: Vec<(usize, f64)> = (0..n)
            .filter_map(|i| {
                col.f64_at(i)
                    .filter(|x| x.is_finite() && !rule.contains(*x))
                    .map(|x| (i, x))
            })
            .collect();
        if bad.is_empty() {
            continue;
        }
        // The most extreme offender: furthest outside the range.
        let worst = bad
            .iter()
            .map(|&(_, x)| x)
            .max_by(|a, b| distance_outside(rule, *a).total_cmp(&distance_outside(rule, *b)))
            .unwrap_or(f64::NAN);
        let examples: Vec<String> = bad
            .iter()
            .take(5)
            .map(|&(i, x)| format!("{} = {x}", layer.ids[i]))
            .collect();
        out.push(
            Finding::new(
                Severity::Warning,
                "out-of-range",
                Some(&layer.name),
                format!(
                    "{} out of range ({}): {}{}",
                    plural(bad.len(), "value"),
                    rule.describe(),
                    examples.join(", "),
                    if bad.len() > examples.len() {
                        ", …"
                    } else {
                        ""
                    }
                ),
            )
            .field(&col.name)
            .features(bad.iter().map(|&(i, _)| layer.ids[i].clone()))
            .value(worst),
        );
    }
    out
}

fn distance_outside(rule: Range, v: f64) -> f64 {
    let (lo, hi) = match rule {
        Range::NonNegative => (0.0, f64::INFINITY),
        Range::Unit => (0.0, 1.0),
        Range::Percent => (0.0, 100.0),
    };
    (lo - v).max(v - hi).max(0.0)
}

/// Ids used by more than one feature (Error): joins and results keyed by id would be ambiguous.
fn duplicate_ids(layer: &Layer) -> Option<Finding> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for id in &layer.ids {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    let dups: Vec<(&str, usize)> = counts.into_iter().filter(|&(_, c)| c > 1).collect();
    if dups.is_empty() {
        return None;
    }
    let rows: usize = dups.iter().map(|&(_, c)| c).sum();
    let mut examples: Vec<(&str, usize)> = dups.clone();
    examples.sort_by(|a, b| super::report::cmp_ids(a.0, b.0));
    let shown: Vec<String> = examples
        .iter()
        .take(5)
        .map(|(id, c)| format!("{id} ×{c}"))
        .collect();
    let mut f = Finding::new(
        Severity::Error,
        "duplicate-id",
        Some(&layer.name),
        format!(
            "{} used by more than one feature ({rows} features): {}{}",
            plural(dups.len(), "id"),
            shown.join(", "),
            if dups.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        ),
    )
    .features(dups.iter().map(|(id, _)| id.to_string()));
    if let Some(field) = &layer.id_field {
        f = f.field(field);
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_names() {
        assert_eq!(
            words("jumlahPenduduk2020"),
            vec!["jumlah", "penduduk", "2020"]
        );
        assert_eq!(words("pct_miskin"), vec!["pct", "miskin"]);
        assert_eq!(words("HH-count"), vec!["hh", "count"]);
        assert!(words("").is_empty());
    }

    #[test]
    fn range_rules() {
        assert_eq!(range_rule("pop", false), Some(Range::NonNegative));
        assert_eq!(range_rule("jumlah_kk", false), Some(Range::NonNegative));
        assert_eq!(range_rule("pop_change", false), None);
        assert_eq!(range_rule("pct_poor", false), Some(Range::Percent));
        assert_eq!(range_rule("miskin %", false), Some(Range::Percent));
        assert_eq!(range_rule("elderly_share", false), Some(Range::Unit));
        assert_eq!(range_rule("elevation", false), None);
        assert_eq!(
            range_rule("beds_available", false),
            Some(Range::NonNegative)
        );
        assert_eq!(range_rule("weird_name", true), Some(Range::NonNegative));
        assert!(!Range::Unit.contains(1.5) && Range::Percent.contains(55.0));
        assert_eq!(distance_outside(Range::Unit, 1.5), 0.5);
    }
}
