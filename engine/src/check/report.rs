//! The report the check produces: findings (severity, stable code, layer, field, feature
//! ids, message, measure), a summary per layer, and the human-readable text form.

use crate::layer::{FieldType, Role};
use serde::Serialize;
use std::cmp::Ordering;
use std::fmt::Write as _;

/// At most this many feature ids are listed in one finding; `feature_count` has the total.
pub const MAX_FEATURES: usize = 50;

/// At most this many feature ids per finding in the text report.
const MAX_TEXT_FEATURES: usize = 12;

/// `1 feature`, `2 features`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// How serious a finding is; decides the exit code of `tepat check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing (e.g. a few nulls in an attribute no analysis is told to use).
    Info,
    /// Results may be off (overlaps, gaps, points outside the city, totals that disagree).
    Warning,
    /// Results would be wrong or analyses fail (invalid geometry, duplicate ids, broken joins).
    Error,
}

impl Severity {
    /// Upper-case label used in the text report.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }
}

/// One problem found in the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// Stable machine-readable kind, e.g. `invalid-geometry`, `zone-overlap`.
    pub code: &'static str,
    /// The layer concerned (the layer whose features are listed).
    pub layer: Option<String>,
    /// The attribute field concerned, if any.
    pub field: Option<String>,
    /// Feature ids concerned, sorted, at most [`MAX_FEATURES`].
    pub features: Vec<String>,
    /// How many features are concerned in total (may exceed `features.len()`).
    pub feature_count: usize,
    /// What is wrong, in words, naming the place.
    pub message: String,
    /// The finding's measure: m² for overlaps and gaps, the largest difference for totals,
    /// the most extreme offending value for out-of-range values.
    pub value: Option<f64>,
    /// Longitude / latitude of a representative point (overlaps and gaps), to find it on a map.
    pub location: Option<[f64; 2]>,
}

impl Finding {
    /// A finding with no features, field, value or location yet.
    pub fn new(
        severity: Severity,
        code: &'static str,
        layer: Option<&str>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            severity,
            code,
            layer: layer.map(str::to_string),
            field: None,
            features: Vec::new(),
            feature_count: 0,
            message: message.into(),
            value: None,
            location: None,
        }
    }

    /// Sets the field.
    pub fn field(mut self, field: &str) -> Finding {
        self.field = Some(field.to_string());
        self
    }

    /// Sets the features (sorted naturally, de-duplicated, capped at [`MAX_FEATURES`]).
    pub fn features<I, S>(mut self, ids: I) -> Finding
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut v: Vec<String> = ids.into_iter().map(Into::into).collect();
        v.sort_by(|a, b| cmp_ids(a, b));
        v.dedup();
        self.feature_count = v.len();
        v.truncate(MAX_FEATURES);
        self.features = v;
        self
    }

    /// Sets the measure.
    pub fn value(mut self, v: f64) -> Finding {
        self.value = Some(v);
        self
    }

    /// Sets the lon/lat location.
    pub fn location(mut self, at: Option<[f64; 2]>) -> Finding {
        self.location = at;
        self
    }

    /// Deterministic order: errors first, then by layer, code, field, features, message.
    fn order(&self, other: &Finding) -> Ordering {
        other
            .severity
            .cmp(&self.severity)
            .then_with(|| self.layer.cmp(&other.layer))
            .then_with(|| self.code.cmp(other.code))
            .then_with(|| self.field.cmp(&other.field))
            .then_with(|| cmp_id_lists(&self.features, &other.features))
            .then_with(|| self.message.cmp(&other.message))
    }
}

/// Sorts findings deterministically (errors first).
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.order(b));
}

/// Orders feature ids naturally: numeric ids by value (so `2` < `10`), before text ids,
/// which sort as strings. Ties between equal numbers (`7` vs `07`) fall back to the text.
pub fn cmp_ids(a: &str, b: &str) -> Ordering {
    let num = |s: &str| s.parse::<f64>().ok().filter(|x| x.is_finite());
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

fn cmp_id_lists(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = cmp_ids(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// One attribute field of a layer: type, nulls and numeric range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldSummary {
    /// Field name.
    pub name: String,
    /// Column type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Number of null cells.
    pub nulls: usize,
    /// Smallest finite value (numeric fields).
    pub min: Option<f64>,
    /// Largest finite value (numeric fields).
    pub max: Option<f64>,
}

/// What the check saw in one layer, and what it found wrong there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerReport {
    /// Layer name.
    pub name: String,
    /// Role in the project.
    pub role: Role,
    /// Number of features (cells for rasters).
    pub count: usize,
    /// CRS of the layer (the working CRS once loaded).
    pub crs: Option<String>,
    /// Bounding box `[min_x, min_y, max_x, max_y]` in the layer's CRS.
    pub bbox: Option<[f64; 4]>,
    /// Bounding box `[min_lon, min_lat, max_lon, max_lat]` in WGS 84.
    pub bbox_lonlat: Option<[f64; 4]>,
    /// Attribute fields, in file order.
    pub fields: Vec<FieldSummary>,
    /// Findings about this layer alone (sorted).
    pub findings: Vec<Finding>,
}

/// Number of findings per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Errors.
    pub error: usize,
    /// Warnings.
    pub warning: usize,
    /// Infos.
    pub info: usize,
}

/// The data-integrity report of a project (`tepat check P [--json]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// Project name.
    pub project: String,
    /// Working CRS.
    pub crs: String,
    /// What the loader decided (e.g. the chosen UTM zone).
    pub notes: Vec<String>,
    /// One report per layer, sorted by name.
    pub layers: Vec<LayerReport>,
    /// Findings that involve more than one layer (codes, totals, points outside zones).
    pub cross_layer: Vec<Finding>,
    /// Findings per severity, over all layers and cross-layer findings.
    pub counts: Counts,
}

impl CheckReport {
    /// Builds the report, sorting findings and counting them.
    pub fn new(
        project: String,
        crs: String,
        notes: Vec<String>,
        mut layers: Vec<LayerReport>,
        mut cross_layer: Vec<Finding>,
    ) -> CheckReport {
        layers.sort_by(|a, b| a.name.cmp(&b.name));
        for l in &mut layers {
            sort_findings(&mut l.findings);
        }
        sort_findings(&mut cross_layer);
        let mut r = CheckReport {
            project,
            crs,
            notes,
            layers,
            cross_layer,
            counts: Counts::default(),
        };
        let mut counts = Counts::default();
        for f in r.findings() {
            match f.severity {
                Severity::Error => counts.error += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
        }
        r.counts = counts;
        r
    }

    /// 0 when clean (info only), 1 with warnings, 2 with any error.
    pub fn exit_code(&self) -> i32 {
        if self.counts.error > 0 {
            2
        } else if self.counts.warning > 0 {
            1
        } else {
            0
        }
    }

    /// Every finding: per layer (layers by name), then cross-layer.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.layers
            .iter()
            .flat_map(|l| l.findings.iter())
            .chain(self.cross_layer.iter())
    }

    /// The human-readable report printed by `tepat check`.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        // Writing to a String cannot fail; the results are ignored on purpose.
        let _ = writeln!(
            s,
            "tepat check: {} (working CRS {})",
            self.project, self.crs
        );
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        let _ = writeln!(s, "\nlayers:");
        for l in &self.layers {
            let unit = match l.role {
                Role::Raster => "cell",
                Role::Table => "row",
                _ => "feature",
            };
            let crs = match (l.role, &l.crs) {
                (Role::Table, _) => "no geometry".to_string(),
                (_, Some(c)) => format!("CRS {c}"),
                (_, None) => "CRS unknown".to_string(),
            };
            let _ = writeln!(
                s,
                "  {} ({}): {}, {crs}",
                l.name,
                l.role.as_str(),
                plural(l.count, unit)
            );
            if let Some(b) = l.bbox {
                let _ = write!(
                    s,
                    "    bbox: x {:.1} .. {:.1}, y {:.1} .. {:.1}",
                    b[0], b[2], b[1], b[3]
                );
                if let Some(g) = l.bbox_lonlat {
                    let _ = write!(
                        s,
                        "; lon {:.5} .. {:.5}, lat {:.5} .. {:.5}",
                        g[0], g[2], g[1], g[3]
                    );
                }
                s.push('\n');
            }
            if !l.fields.is_empty() {
                let fields: Vec<String> = l
                    .fields
                    .iter()
                    .map(|f| {
                        let t = format!("{:?}", f.field_type).to_lowercase();
                        if f.nulls > 0 {
                            format!("{} {t} ({} null)", f.name, f.nulls)
                        } else {
                            format!("{} {t}", f.name)
                        }
                    })
                    .collect();
                let _ = writeln!(s, "    fields: {}", fields.join(", "));
            }
        }
        let c = self.counts;
        let _ = writeln!(
            s,
            "\nfindings: {} error(s), {} warning(s), {} info",
            c.error, c.warning, c.info
        );
        let mut all: Vec<&Finding> = self.findings().collect();
        all.sort_by(|a, b| a.order(b));
        if all.is_empty() {
            let _ = writeln!(s, "  none");
        }
        for f in all {
            let place = match (&f.layer, &f.field) {
                (Some(l), Some(fl)) => format!("{l}.{fl}: "),
                (Some(l), None) => format!("{l}: "),
                (None, Some(fl)) => format!("{fl}: "),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                s,
                "  {:<7}  {:<19}  {place}{}",
                f.severity.label(),
                f.code,
                f.message
            );
            if !f.features.is_empty() {
                // The JSON lists up to MAX_FEATURES ids; a line of text, fewer.
                let shown = &f.features[..f.features.len().min(MAX_TEXT_FEATURES)];
                let more = f.feature_count.saturating_sub(shown.len());
                let tail = if more > 0 {
                    format!(" (+{more} more)")
                } else {
                    String::new()
                };
                let _ = writeln!(s, "           features: {}{tail}", shown.join(", "));
            }
            if let Some([lon, lat]) = f.location {
                let _ = writeln!(s, "           at lon {lon:.6}, lat {lat:.6}");
            }
        }
        let verdict = match self.exit_code() {
            0 => "clean",
            1 => "warnings",
            _ => "errors",
        };
        let _ = writeln!(s, "\nresult: {verdict} (exit code {})", self.exit_code());
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_naturally_and_cap() {
        let mut v = vec!["10", "b", "2", "a", "07", "7"];
        v.sort_by(|a, b| cmp_ids(a, b));
        assert_eq!(v, vec!["2", "07", "7", "10", "a", "b"]);
        let f = Finding::new(Severity::Info, "x", None, "m")
            .features((0..120).rev().map(|i| i.to_string()));
        assert_eq!(f.feature_count, 120);
        assert_eq!(f.features.len(), MAX_FEATURES);
        assert_eq!(f.features[0], "0");
    }

    #[test]
    fn exit_codes_and_order() {
        let w = Finding::new(Severity::Warning, "zone-gap", Some("b"), "gap");
        let e = Finding::new(Severity::Error, "duplicate-id", Some("z"), "dup");
        let i = Finding::new(Severity::Info, "null-values", Some("a"), "nulls");
        let mk =
            |f: Vec<Finding>| CheckReport::new("p".into(), "EPSG:32651".into(), vec![], vec![], f);
        assert_eq!(mk(vec![]).exit_code(), 0);
        assert_eq!(mk(vec![i.clone()]).exit_code(), 0);
        assert_eq!(mk(vec![i.clone(), w.clone()]).exit_code(), 1);
        let r = mk(vec![i, w, e]);
        assert_eq!(r.exit_code(), 2);
        let codes: Vec<&str> = r.findings().map(|f| f.code).collect();
        assert_eq!(codes, vec!["duplicate-id", "zone-gap", "null-values"]);
        assert_eq!(
            r.counts,
            Counts {
                error: 1,
                warning: 1,
                info: 1
            }
        );
        let text = r.to_text();
        assert!(
            text.contains("ERROR") && text.contains("dup") && text.contains("exit code 2"),
            "{text}"
        );
    }
}
