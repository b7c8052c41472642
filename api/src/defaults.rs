//! Default params for `compare` (CLI `tepat compare --analyses exposure,access,index` and
//! `POST /compare` with bare analysis names), read off the project's layer roles so the
//! demo city — and any project laid out like it — needs no params file.
//!
//! - zones: the finest zone layer (one with a `parent`), else the first zone layer;
//! - hazard: the first hazard layer a scenario edits, else the project's first hazard layer;
//! - facilities: the first facility layer a scenario edits, else the first with a capacity;
//! - `exposure`: zones × hazard; `access`: 2SFCA within 2 km of the facilities, people at the
//!   zone centroids; `index`: exposed share and access (weight 1 each), plus poor households
//!   per household when the zones have both fields; top 10.

use serde_json::{json, Value};
use tepat_engine::project::Project;
use tepat_engine::scenario::{AnalysisRequest, Edit, Scenario};
use tepat_engine::{Error, Result, Role};

/// Catchment of the default `access` run, in metres.
pub const DEFAULT_RADIUS_M: f64 = 2000.0;

/// The analyses `compare` runs when none are named.
pub const DEFAULT_ANALYSES: [&str; 3] = ["exposure", "access", "index"];

/// Requests for `names`: each analysis' params from `given` (an object keyed by analysis
/// name) when there, else the defaults above.
pub fn requests(
    project: &Project,
    scenarios: &[Scenario],
    names: &[String],
    given: &Value,
) -> Result<Vec<AnalysisRequest>> {
    names
        .iter()
        .map(|name| {
            let params = match given.get(name) {
                Some(p) => p.clone(),
                None => default_params(project, scenarios, name)?,
            };
            Ok(AnalysisRequest {
                name: name.clone(),
                params,
            })
        })
        .collect()
}

/// The default params of analysis `name` on `project`.
pub fn default_params(project: &Project, scenarios: &[Scenario], name: &str) -> Result<Value> {
    tepat_engine::analysis::find(name)?;
    let need = |what: &str| {
        Error::param(
            name,
            "(params)",
            format!("the project has no {what} layer to default to; give the params"),
        )
    };
    let zones = finest_zones(project).ok_or_else(|| need("zones"))?;
    let exposure = |hazard: &str| json!({"zones": zones, "hazard": hazard});
    let access = |facilities: &str| json!({"demand": zones, "facilities": facilities, "method": "2sfca", "radius_m": DEFAULT_RADIUS_M});
    match name {
        "exposure" => Ok(exposure(&hazard(project, scenarios).ok_or_else(|| need("hazard"))?)),
        "access" => Ok(access(
            &facilities(project, scenarios).ok_or_else(|| need("facilities"))?,
        )),
        "index" => {
            let hazard = hazard(project, scenarios).ok_or_else(|| need("hazard"))?;
            let facilities = facilities(project, scenarios).ok_or_else(|| need("facilities"))?;
            let mut indicators = vec![
                json!({"from": "exposure", "field": "exposed_share"}),
                json!({"from": "access", "field": "access", "direction": "higher_is_better"}),
            ];
            let layer = project.layers.get(&zones)?;
            if layer.numeric_column("poor_households").is_ok()
                && layer.numeric_column("households").is_ok()
            {
                indicators.push(json!({"field": "poor_households", "per": "households"}));
            }
            Ok(json!({
                "zones": zones,
                "inputs": {
                    "exposure": {"analysis": "exposure", "params": exposure(&hazard)},
                    "access": {"analysis": "access", "params": access(&facilities)}
                },
                "indicators": indicators,
                "top_n": 10
            }))
        }
        other => Err(Error::param(
            other,
            "(params)",
            format!("no default params for '{other}'; give them (CLI: --params @file with {{\"{other}\": {{…}}}})"),
        )),
    }
}

fn finest_zones(project: &Project) -> Option<String> {
    let zones: Vec<_> = project
        .specs
        .iter()
        .filter(|s| s.role().ok() == Some(Role::Zones))
        .collect();
    zones
        .iter()
        .find(|s| s.parent.is_some())
        .or_else(|| zones.first())
        .map(|s| s.name.clone())
}

fn hazard(project: &Project, scenarios: &[Scenario]) -> Option<String> {
    let edited = scenarios
        .iter()
        .flat_map(|s| &s.edits)
        .find_map(|e| match e {
            Edit::SwapHazard { layer, .. }
            | Edit::ScaleHazard { layer, .. }
            | Edit::BufferHazard { layer, .. } => Some(layer.clone()),
            _ => None,
        });
    edited.or_else(|| {
        project
            .specs
            .iter()
            .find(|s| s.role().ok() == Some(Role::Hazard))
            .map(|s| s.name.clone())
    })
}

fn facilities(project: &Project, scenarios: &[Scenario]) -> Option<String> {
    let edited = scenarios
        .iter()
        .flat_map(|s| &s.edits)
        .find_map(|e| match e {
            Edit::AddFacility { layer, .. }
            | Edit::MoveFacility { layer, .. }
            | Edit::RemoveFacility { layer, .. }
            | Edit::SetCapacity { layer, .. }
            | Edit::CloseFacility { layer, .. } => Some(layer.clone()),
            _ => None,
        });
    let facility_specs = || {
        project
            .specs
            .iter()
            .filter(|s| s.role().ok() == Some(Role::Facilities))
    };
    edited
        .or_else(|| {
            facility_specs()
                .find(|s| s.capacity.is_some())
                .map(|s| s.name.clone())
        })
        .or_else(|| facility_specs().next().map(|s| s.name.clone()))
}
