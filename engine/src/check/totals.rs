//! Totals that disagree between levels of a zone hierarchy (kelurahan → kecamatan).
//!
//! For a layer with `parent` / `parent_key`, every numeric field present under the same
//! name in both layers is summed over the children of each parent (grouped by
//! `parent_key`) and compared with the parent's own value. A parent is reported when
//! `|Σ children − parent| > 0.5 % · |parent|` ([`TOTALS_TOLERANCE`]; any non-zero sum
//! against a parent value of 0 counts). Parents without children (a code mismatch, reported
//! as such) and parents with a child whose value is null (reported as nulls) are skipped.
//!
//! Only additive fields are compared: ids and key fields are excluded, and so are fields
//! whose name marks a share or percentage (see [`super::attributes`]) or a non-additive
//! quantity (a word in [`NON_ADDITIVE_WORDS`]: densities, means, rates, coordinates, years).

use super::attributes::{range_rule, words, Range};
use super::report::{Finding, Severity};
use crate::layer::Layer;
use crate::project::LayerSpec;
use std::collections::BTreeMap;

/// Relative difference above which a parent's total disagrees with its children's sum.
pub const TOTALS_TOLERANCE: f64 = 0.005;

/// Words marking fields that do not add up over zones.
pub const NON_ADDITIVE_WORDS: &[&str] = &[
    "density",
    "kepadatan",
    "mean",
    "avg",
    "average",
    "rata",
    "median",
    "min",
    "max",
    "rate",
    "index",
    "indeks",
    "idx",
    "lat",
    "lon",
    "lng",
    "latitude",
    "longitude",
    "x",
    "y",
    "elev",
    "elevation",
    "ketinggian",
    "year",
    "tahun",
    "code",
    "kode",
    "id",
    "rank",
    "score",
    "skor",
];

fn additive(name: &str) -> bool {
    if matches!(range_rule(name, false), Some(Range::Unit | Range::Percent)) {
        return false;
    }
    !words(name)
        .iter()
        .any(|w| NON_ADDITIVE_WORDS.contains(&w.as_str()))
}

/// `total-mismatch` findings (Warning), one per compared field with disagreeing parents.
pub(crate) fn check_totals(
    child: &Layer,
    spec: &LayerSpec,
    parent: &Layer,
    parent_spec: Option<&LayerSpec>,
) -> Vec<Finding> {
    let Some(pk) = spec.parent_key.as_deref() else {
        return Vec::new();
    };
    let Ok(keys) = child.column(pk) else {
        return Vec::new();
    };
    let mut excluded: Vec<&str> = vec![pk];
    excluded.extend(child.id_field.as_deref());
    excluded.extend(parent.id_field.as_deref());
    for s in [Some(spec), parent_spec].into_iter().flatten() {
        excluded.extend(s.id.as_deref());
        excluded.extend(s.key.as_deref());
        excluded.extend(s.parent_key.as_deref());
    }
    let child_keys: Vec<Option<String>> = (0..child.len()).map(|i| keys.get(i).as_key()).collect();
    let mut out = Vec::new();
    for pcol in parent.columns.iter().filter(|c| c.is_numeric()) {
        let name = pcol.name.as_str();
        if excluded.contains(&name) || !additive(name) {
            continue;
        }
        let Some(ccol) = child
            .columns
            .iter()
            .find(|c| c.name == name && c.is_numeric())
        else {
            continue;
        };
        // parent code → (sum, any child null)
        let mut sums: BTreeMap<&str, (f64, bool)> = BTreeMap::new();
        for (i, k) in child_keys.iter().enumerate() {
            let Some(k) = k else { continue };
            let e = sums.entry(k.as_str()).or_insert((0.0, false));
            match ccol.f64_at(i) {
                Some(v) => e.0 += v,
                None => e.1 = true,
            }
        }
        let mut bad: Vec<(usize, f64, f64)> = Vec::new(); // (parent index, sum, parent value)
        let mut compared = 0usize;
        for i in 0..parent.len() {
            let Some(pv) = pcol.f64_at(i) else { continue };
            let Some(&(sum, has_null)) = sums.get(parent.ids[i].as_str()) else {
                continue;
            };
            if has_null {
                continue;
            }
            compared += 1;
            let diff = (sum - pv).abs();
            if diff > TOTALS_TOLERANCE * pv.abs() && diff > 1e-9 {
                bad.push((i, sum, pv));
            }
        }
        if bad.is_empty() {
            continue;
        }
        let worst = bad
            .iter()
            .map(|&(_, s, p)| (s - p).abs())
            .fold(0.0, f64::max);
        let examples: Vec<String> = bad
            .iter()
            .take(5)
            .map(|&(i, s, p)| {
                let pct = if p != 0.0 {
                    format!(", {:+.1} %", (s - p) / p.abs() * 100.0)
                } else {
                    String::new()
                };
                format!("{} (children {} vs {}{pct})", parent.ids[i], num(s), num(p))
            })
            .collect();
        out.push(
            Finding::new(
                Severity::Warning,
                "total-mismatch",
                Some(&parent.name),
                format!(
                    "the sum of {name} over '{}' differs from '{}' by more than {} % for {} of {compared}: {}{}",
                    child.name,
                    parent.name,
                    TOTALS_TOLERANCE * 100.0,
                    bad.len(),
                    examples.join("; "),
                    if bad.len() > examples.len() { "; …" } else { "" }
                ),
            )
            .field(name)
            .features(bad.iter().map(|&(i, _, _)| parent.ids[i].clone()))
            .value(worst),
        );
    }
    out
}

/// A number without float noise: integers as integers, others with up to 3 decimals.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn additive_fields() {
        assert!(additive("pop"));
        assert!(additive("households"));
        assert!(!additive("pct_poor"));
        assert!(!additive("density"));
        assert!(!additive("kode_kec"));
        assert!(!additive("pop_density"));
        assert_eq!(num(12.0), "12");
        assert_eq!(num(0.5), "0.500");
    }
}
