//! What default params are read off: a project's layer roles, and the layers a scenario
//! edits. Each analysis builds its own defaults from these (its `defaults`), so the demo
//! city — and any project laid out like it — runs and compares with no params file.
//!
//! - zones: the finest zone layer (one with a `parent`), else the first zone layer;
//! - hazard: the first hazard layer a scenario edits, else the project's first hazard;
//! - facilities: the first facility layer a scenario edits, else the first with a capacity,
//!   else the first facility layer.

use crate::error::{Error, Result};
use crate::layer::Role;
use crate::project::Project;
use crate::scenario::{Edit, Scenario};

/// The layers the scenarios being compared edit: defaults prefer them, so a comparison
/// shows what the edit changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// The first hazard layer an edit swaps, scales or buffers.
    pub hazard: Option<String>,
    /// The first facility layer an edit adds to, moves, removes or changes.
    pub facilities: Option<String>,
}

impl Focus {
    /// The focus of `scenarios`' edits.
    pub fn of(scenarios: &[Scenario]) -> Focus {
        let edits = || scenarios.iter().flat_map(|s| &s.edits);
        Focus {
            hazard: edits().find_map(|e| match e {
                Edit::SwapHazard { layer, .. }
                | Edit::ScaleHazard { layer, .. }
                | Edit::BufferHazard { layer, .. } => Some(layer.clone()),
                _ => None,
            }),
            facilities: edits().find_map(|e| match e {
                Edit::AddFacility { layer, .. }
                | Edit::MoveFacility { layer, .. }
                | Edit::RemoveFacility { layer, .. }
                | Edit::SetCapacity { layer, .. }
                | Edit::CloseFacility { layer, .. } => Some(layer.clone()),
                _ => None,
            }),
        }
    }
}

/// The error of an analysis whose defaults need a layer of `what` role the project lacks.
pub fn missing(analysis: &str, what: &str) -> Error {
    Error::param(
        analysis,
        "(params)",
        format!("the project has no {what} layer to default to; give the params"),
    )
}

/// The finest zone layer: one with a `parent`, else the first.
pub fn finest_zones(project: &Project, analysis: &str) -> Result<String> {
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
        .ok_or_else(|| missing(analysis, "zones"))
}

/// The hazard layer: the focus', else the project's first hazard layer.
pub fn hazard(project: &Project, focus: &Focus, analysis: &str) -> Result<String> {
    focus
        .hazard
        .clone()
        .or_else(|| {
            project
                .specs
                .iter()
                .find(|s| s.role().ok() == Some(Role::Hazard))
                .map(|s| s.name.clone())
        })
        .ok_or_else(|| missing(analysis, "hazard"))
}

/// The facility layer: the focus', else the first with a capacity, else the first.
pub fn facilities(project: &Project, focus: &Focus, analysis: &str) -> Result<String> {
    let specs = || {
        project
            .specs
            .iter()
            .filter(|s| s.role().ok() == Some(Role::Facilities))
    };
    focus
        .facilities
        .clone()
        .or_else(|| {
            specs()
                .find(|s| s.capacity.is_some())
                .map(|s| s.name.clone())
        })
        .or_else(|| specs().next().map(|s| s.name.clone()))
        .ok_or_else(|| missing(analysis, "facilities"))
}

/// The first layer of `role`.
pub fn first_of(project: &Project, role: Role, analysis: &str) -> Result<String> {
    project
        .specs
        .iter()
        .find(|s| s.role().ok() == Some(role))
        .map(|s| s.name.clone())
        .ok_or_else(|| missing(analysis, role.as_str()))
}
