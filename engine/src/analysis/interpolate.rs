//! `interpolate`: area-weighted areal interpolation from source polygons to target zones,
//! with the semantics of tobler's `area_interpolate` (PySAL).
//!
//! Stages: *map* every (source, target) pair to its intersection area (the overlay kernel)
//! → *aggregate* per target. With `a_st` the area of source `s` ∩ target `t`:
//! - extensive (counts): `v_t = Σ_s v_s · a_st / d_s`, where `d_s` is the source's area, or,
//!   with `allocate_total` (the default, as in tobler), the part of it covered by targets, so
//!   the whole source total is allocated;
//! - intensive (rates): `v_t = Σ_s v_s · a_st / Σ_s a_st`, the area-weighted mean.
//!
//! A source with zero area (or no overlap) contributes nothing rather than dividing by zero;
//! a target no source reaches gets 0 for extensive and null for intensive variables.

use super::{layer_param, num, Output, Row, TypedAnalysis};
use crate::error::Result;
use crate::index::SpatialIndex;
use crate::kernels::overlay::{measure, overlaps};
use crate::layer::Role;
use crate::project::Project;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `interpolate` analysis.
#[derive(Debug, Clone, Copy)]
pub struct Interpolate;

fn yes() -> bool {
    true
}

/// Params of `interpolate`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterpolateParams {
    /// Source polygons carrying the variables (e.g. census blocks).
    pub source: String,
    /// Target zones the rows are reported on (e.g. `kelurahan`).
    pub target: String,
    /// Count variables, split by area share.
    #[serde(default)]
    pub extensive: Vec<String>,
    /// Rate variables, averaged by area.
    #[serde(default)]
    pub intensive: Vec<String>,
    /// Allocate each source's whole total to the targets that cover it (tobler's default).
    #[serde(default = "yes")]
    pub allocate_total: bool,
}

impl TypedAnalysis for Interpolate {
    type Params = InterpolateParams;
    const NAME: &'static str = "interpolate";
    const DESCRIPTION: &'static str =
        "Area-weighted interpolation of counts and rates from source polygons to target zones (as tobler)";

    fn run(&self, project: &Project, p: &mut InterpolateParams) -> Result<Output> {
        let polygons = [Role::Zones, Role::Demand, Role::Hazard];
        let source = layer_param(project, Self::NAME, "source", &p.source, &polygons, false)?;
        let target = layer_param(
            project,
            Self::NAME,
            "target",
            &p.target,
            &[Role::Zones],
            true,
        )?;
        let ext = p
            .extensive
            .iter()
            .map(|f| source.numeric_column(f))
            .collect::<Result<Vec<_>>>()?;
        let int = p
            .intensive
            .iter()
            .map(|f| source.numeric_column(f))
            .collect::<Result<Vec<_>>>()?;

        let pieces = overlaps(
            &source.geometries,
            &target.geometries,
            &SpatialIndex::of(target),
        );
        let (ns, nt) = (source.len(), target.len());
        let mut denom: Vec<f64> = if p.allocate_total {
            let mut covered = vec![0.0; ns];
            for o in &pieces {
                covered[o.a] += o.measure;
            }
            covered
        } else {
            source
                .geometries
                .iter()
                .map(|g| g.as_ref().map_or(0.0, measure))
                .collect()
        };
        denom.iter_mut().for_each(|d| {
            if !d.is_finite() {
                *d = 0.0;
            }
        });
        let mut ext_t = vec![vec![0.0; nt]; ext.len()];
        let mut int_num = vec![vec![0.0; nt]; int.len()];
        let mut int_den = vec![vec![0.0; nt]; int.len()];
        for o in &pieces {
            if denom[o.a] > 0.0 {
                let w = o.measure / denom[o.a];
                for (k, c) in ext.iter().enumerate() {
                    ext_t[k][o.b] += c.f64_at(o.a).unwrap_or(0.0) * w;
                }
            }
            for (k, c) in int.iter().enumerate() {
                if let Some(v) = c.f64_at(o.a) {
                    int_num[k][o.b] += v * o.measure;
                    int_den[k][o.b] += o.measure;
                }
            }
        }
        let rows = (0..nt)
            .map(|t| {
                let mut r = Row::new();
                r.insert("id".into(), Value::String(target.ids[t].clone()));
                for (k, f) in p.extensive.iter().enumerate() {
                    r.insert(f.clone(), num(ext_t[k][t]));
                }
                for (k, f) in p.intensive.iter().enumerate() {
                    let v = if int_den[k][t] > 0.0 {
                        num(int_num[k][t] / int_den[k][t])
                    } else {
                        Value::Null
                    };
                    r.insert(f.clone(), v);
                }
                r
            })
            .collect();
        let mut summary = Map::new();
        for (k, f) in p.extensive.iter().enumerate() {
            let src: f64 = (0..ns).filter_map(|i| ext[k].f64_at(i)).sum();
            summary.insert(format!("source_total_{f}"), num(src));
            summary.insert(format!("target_total_{f}"), num(ext_t[k].iter().sum()));
        }
        summary.insert("intersections".into(), pieces.len().into());
        Ok(Output {
            summary,
            rows,
            row_layer: Some(target.name.clone()),
            layers_used: vec![source.name.clone(), target.name.clone()],
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::fixtures::{rect as sq, spec};
    use crate::crs::Crs;
    use crate::layer::{Column, Layer, Role, Value as Cell};
    use crate::project::Project;
    use serde_json::{json, Value};

    /// Source: two 10×10 blocks (pop 100 rate 0.2; pop 50 rate 0.6). Target: T1 = [0,15]×[0,10]
    /// covers block 1 and half of block 2; T2 = [15,30]×[0,10] covers the other half of block 2
    /// and 10 m of nothing. Block 2 also sticks out of every target by nothing; block 3 is
    /// outside all targets.
    fn project() -> Project {
        let c = Crs::Epsg(32651);
        let src = Layer::new(
            "s",
            Role::Demand,
            Some(c.clone()),
            vec![
                sq(0.0, 0.0, 10.0, 10.0),
                sq(10.0, 0.0, 10.0, 10.0),
                sq(100.0, 0.0, 10.0, 10.0),
            ],
            vec![
                Column::from_values("pop", vec![Cell::Int(100), Cell::Int(50), Cell::Int(7)]),
                Column::from_values("rate", vec![Cell::Float(0.2), Cell::Float(0.6), Cell::Null]),
            ],
        )
        .expect("s");
        let tgt = Layer::new(
            "t",
            Role::Zones,
            Some(c.clone()),
            vec![
                sq(0.0, 0.0, 15.0, 10.0),
                sq(15.0, 0.0, 15.0, 10.0),
                sq(50.0, 0.0, 1.0, 1.0),
            ],
            vec![],
        )
        .expect("t");
        Project::from_layers(
            "p",
            c,
            vec![(spec("s", "demand"), src), (spec("t", "zones"), tgt)],
        )
        .expect("p")
    }

    #[test]
    fn by_hand() {
        let r = super::super::run(
            &project(),
            "interpolate",
            json!({"source": "s", "target": "t", "extensive": ["pop"], "intensive": ["rate"]}),
        )
        .expect("run");
        assert_eq!(r.rows[0]["pop"], 125.0);
        assert_eq!(r.rows[1]["pop"], 25.0);
        assert_eq!(r.rows[2]["pop"], 0.0);
        // T1: (0.2·100 + 0.6·50) / 150; T2: only block 2.
        assert!((r.rows[0]["rate"].as_f64().unwrap_or(0.0) - 50.0 / 150.0).abs() < 1e-12);
        assert_eq!(r.rows[1]["rate"], 0.6);
        assert_eq!(r.rows[2]["rate"], Value::Null);
        // Block 3 reaches no target: its 7 people cannot be allocated.
        assert_eq!(r.summary["source_total_pop"], 157.0);
        assert_eq!(r.summary["target_total_pop"], 150.0);
        assert_eq!(r.params["allocate_total"], true);
    }

    #[test]
    fn allocate_total_false_divides_by_the_whole_source_area() {
        let mut p = project();
        // A source half outside every target: with allocate_total it is all allocated, without only half.
        let s2 = Layer::new(
            "s2",
            Role::Demand,
            Some(Crs::Epsg(32651)),
            vec![sq(25.0, 0.0, 10.0, 10.0)],
            vec![Column::from_values("pop", vec![Cell::Int(40)])],
        )
        .expect("s2");
        p.layers.insert(s2);
        let all = super::super::run(
            &p,
            "interpolate",
            json!({"source": "s2", "target": "t", "extensive": ["pop"]}),
        )
        .expect("run");
        assert_eq!(all.rows[1]["pop"], 40.0);
        let part = super::super::run(
            &p,
            "interpolate",
            json!({"source": "s2", "target": "t", "extensive": ["pop"], "allocate_total": false}),
        )
        .expect("run");
        assert_eq!(part.rows[1]["pop"], 20.0);
    }

    #[test]
    fn errors_name_params() {
        let p = project();
        let e = super::super::run(
            &p,
            "interpolate",
            json!({"source": "s", "target": "s", "extensive": ["pop"]}),
        )
        .expect_err("role");
        assert!(e.to_string().contains("parameter 'target'"), "{e}");
        let e = super::super::run(
            &p,
            "interpolate",
            json!({"source": "s", "target": "t", "extensive": ["nope"]}),
        )
        .expect_err("field");
        assert!(e.to_string().contains("'nope'"), "{e}");
    }
}
