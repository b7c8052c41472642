//! The zone indicators `kmeans` and `skater` cluster on: numeric fields of the layer and
//! columns of other analyses (run in the same request), standardised to z-scores.
//!
//! z = (x − mean) / sd with the population standard deviation (ddof 0, as scikit-learn's
//! `StandardScaler`), so every indicator weighs the same whatever its unit. A zone missing
//! any indicator is left out of the clustering (its row has a null cluster) and listed.

use super::ColumnFrom;
use crate::analysis::inputs::{taken_column, Taken};
use crate::analysis::num;
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::project::Project;
use serde_json::{Map, Value};

/// Standardised indicators of the zones that have all of them.
#[derive(Debug, Clone)]
pub struct Indicators {
    /// Indicator names (fields, then `columns` by their `name`).
    pub names: Vec<String>,
    /// Layer indices of the zones clustered, ascending.
    pub idx: Vec<usize>,
    /// Raw values, row-major: `raw[r * d + j]` for zone `idx[r]`, indicator `j`.
    pub raw: Vec<f64>,
    /// z-scores, same layout.
    pub z: Vec<f64>,
    /// Mean and standard deviation of each indicator (over the zones clustered).
    pub mean: Vec<f64>,
    /// Population standard deviation of each indicator.
    pub sd: Vec<f64>,
}

impl Indicators {
    /// Number of indicators.
    pub fn d(&self) -> usize {
        self.names.len()
    }

    /// Number of zones clustered.
    pub fn n(&self) -> usize {
        self.idx.len()
    }

    /// An indicator vector in original units from one in z-scores.
    pub fn unscale(&self, z: &[f64]) -> Vec<f64> {
        z.iter()
            .enumerate()
            .map(|(j, v)| self.mean[j] + v * self.sd[j])
            .collect()
    }

    /// `{name: value}` of a vector.
    pub fn named(&self, v: &[f64]) -> Value {
        Value::Object(
            self.names
                .iter()
                .zip(v)
                .map(|(k, x)| (k.clone(), num(*x)))
                .collect::<Map<String, Value>>(),
        )
    }
}

/// Reads and standardises the indicators of `layer` for analysis `caller`. Errors name the
/// param: no indicator, an unknown or non-numeric field, a column another analysis does not
/// give, too few zones with values, an indicator with zero variance.
pub fn gather(
    project: &Project,
    caller: &str,
    layer: &Layer,
    fields: &[String],
    columns: &[ColumnFrom],
    min_zones: usize,
) -> Result<Indicators> {
    if fields.is_empty() && columns.is_empty() {
        return Err(Error::param(
            caller,
            "fields",
            "name at least one numeric field (or a column of another analysis in `columns`) to cluster on",
        ));
    }
    let n = layer.len();
    let mut names = Vec::new();
    let mut cols: Vec<Vec<Option<f64>>> = Vec::new();
    for f in fields {
        let c = layer.numeric_column(f)?;
        names.push(f.clone());
        cols.push(
            (0..n)
                .map(|i| c.f64_at(i).filter(|x| x.is_finite()))
                .collect(),
        );
    }
    for (k, c) in columns.iter().enumerate() {
        let param = format!("columns[{k}]");
        let taken = Taken {
            caller,
            param: &param,
            analysis: &c.analysis,
            params: &c.params,
            field: &c.field,
        };
        let values = taken_column(project, taken, &layer.ids)?;
        let name = c
            .name
            .clone()
            .unwrap_or_else(|| format!("{}.{}", c.analysis, c.field));
        if names.contains(&name) {
            return Err(Error::param(
                caller,
                &format!("{param}.name"),
                format!("indicator '{name}' is named twice; give the column another `name`"),
            ));
        }
        names.push(name);
        cols.push(values);
    }
    let idx: Vec<usize> = (0..n)
        .filter(|&i| cols.iter().all(|c| c[i].is_some()))
        .collect();
    if idx.len() < min_zones {
        return Err(Error::param(
            caller,
            "layer",
            format!(
                "layer '{}' has {} feature(s) with every indicator; clustering needs at least {min_zones}",
                layer.name,
                idx.len()
            ),
        ));
    }
    let d = names.len();
    let m = idx.len();
    let mut raw = vec![0.0; m * d];
    for (r, &i) in idx.iter().enumerate() {
        for j in 0..d {
            raw[r * d + j] = cols[j][i].unwrap_or_default();
        }
    }
    let mut mean = vec![0.0; d];
    let mut sd = vec![0.0; d];
    for j in 0..d {
        let mu = (0..m).map(|r| raw[r * d + j]).sum::<f64>() / m as f64;
        let var = (0..m).map(|r| (raw[r * d + j] - mu).powi(2)).sum::<f64>() / m as f64;
        // Zero variance (up to rounding of a constant): the indicator cannot separate zones.
        if var.is_nan() || var.sqrt() <= 1e-12 * mu.abs().max(1e-300) {
            return Err(Error::FieldType {
                layer: layer.name.clone(),
                field: names[j].clone(),
                message: format!(
                    "every clustered feature has the same value ({mu}): a constant indicator cannot separate clusters; leave it out"
                ),
            });
        }
        mean[j] = mu;
        sd[j] = var.sqrt();
    }
    let z = raw
        .iter()
        .enumerate()
        .map(|(k, x)| (x - mean[k % d]) / sd[k % d])
        .collect();
    Ok(Indicators {
        names,
        idx,
        raw,
        z,
        mean,
        sd,
    })
}

/// Squared Euclidean distance of two vectors.
pub fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::{rect, spec};
    use crate::crs::Crs;
    use crate::layer::{Column, Role, Value as Cell};

    fn project(a: Vec<Cell>, b: Vec<Cell>) -> Project {
        let n = a.len();
        let geoms = (0..n).map(|i| rect(i as f64, 0.0, 1.0, 1.0)).collect();
        let l = Layer::new(
            "z",
            Role::Zones,
            None,
            geoms,
            vec![Column::from_values("a", a), Column::from_values("b", b)],
        )
        .expect("layer");
        Project::from_layers(
            "t",
            Crs::parse("EPSG:32651").expect("crs"),
            vec![(spec("z", "zones"), l)],
        )
        .expect("project")
    }

    #[test]
    fn z_scores_by_hand_and_missing_left_out() {
        use Cell::*;
        let p = project(
            vec![Int(1), Int(2), Int(3), Null],
            vec![Float(10.0), Float(10.0), Float(40.0), Float(1.0)],
        );
        let l = p.layers.get("z").expect("z");
        let ind = gather(&p, "clusters", l, &["a".into(), "b".into()], &[], 2).expect("gather");
        assert_eq!(ind.idx, vec![0, 1, 2]);
        // a: mean 2, population sd sqrt(2/3); b: mean 20, sd sqrt(200).
        let sa = (2.0f64 / 3.0).sqrt();
        assert!((ind.z[0] - (-1.0 / sa)).abs() < 1e-12);
        assert!((ind.z[1] - (-10.0 / 200f64.sqrt())).abs() < 1e-12);
        assert!((ind.z[5] - (20.0 / 200f64.sqrt())).abs() < 1e-12);
        let back = ind.unscale(&ind.z[2..4]);
        assert!((back[0] - 2.0).abs() < 1e-12 && (back[1] - 10.0).abs() < 1e-12);
    }

    #[test]
    fn constant_indicator_is_an_error_naming_it() {
        use Cell::*;
        let p = project(vec![Int(1), Int(2), Int(3)], vec![Int(5), Int(5), Int(5)]);
        let l = p.layers.get("z").expect("z");
        let e = gather(&p, "clusters", l, &["a".into(), "b".into()], &[], 2).expect_err("constant");
        assert!(
            matches!(&e, Error::FieldType { field, .. } if field == "b"),
            "{e}"
        );
        let e = gather(&p, "clusters", l, &[], &[], 2).expect_err("no indicator");
        assert!(e.to_string().contains("parameter 'fields'"), "{e}");
    }
}
