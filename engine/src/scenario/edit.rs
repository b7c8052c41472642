//! The edits a scenario is made of.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One change to the baseline. Positions are `lon`/`lat` (EPSG:4326, what a map click
/// gives) or `x`/`y` in the project's working CRS; exactly one pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Edit {
    /// A new facility.
    AddFacility {
        /// The facility layer.
        layer: String,
        /// Its id (must be new in the layer).
        id: String,
        /// Longitude (EPSG:4326).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lon: Option<f64>,
        /// Latitude (EPSG:4326).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lat: Option<f64>,
        /// X in the working CRS.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        x: Option<f64>,
        /// Y in the working CRS.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        y: Option<f64>,
        /// Kind (written to the layer's `kind` field).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<String>,
        /// Capacity (written to the layer's `capacity` field).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<f64>,
        /// What building it costs; counts against the scenario's budget.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cost: Option<f64>,
        /// Other fields of the layer, by name (unknown fields are an error).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        attributes: BTreeMap<String, serde_json::Value>,
    },
    /// A facility moved to another site.
    MoveFacility {
        /// The facility layer.
        layer: String,
        /// The facility's id.
        id: String,
        /// Longitude (EPSG:4326).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lon: Option<f64>,
        /// Latitude (EPSG:4326).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lat: Option<f64>,
        /// X in the working CRS.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        x: Option<f64>,
        /// Y in the working CRS.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        y: Option<f64>,
    },
    /// A facility taken out of the data (demolished, never built).
    RemoveFacility {
        /// The facility layer.
        layer: String,
        /// The facility's id.
        id: String,
    },
    /// A facility's capacity changed.
    SetCapacity {
        /// The facility layer.
        layer: String,
        /// The facility's id.
        id: String,
        /// The new capacity.
        capacity: f64,
        /// Field to write (default: the layer's `capacity` in the project file).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// A facility closed: it stays in the record but serves no one, so analyses do not see it.
    CloseFacility {
        /// The facility layer.
        layer: String,
        /// The facility's id.
        id: String,
    },
    /// Analyses that name hazard `layer` see hazard `to` instead (e.g. Q25 → Q100 flood).
    SwapHazard {
        /// The hazard layer analyses name.
        layer: String,
        /// The loaded hazard layer that takes its place.
        to: String,
    },
    /// Every polygon of a hazard scaled about the centre of its bounding box.
    ScaleHazard {
        /// The hazard layer.
        layer: String,
        /// Linear factor (> 0; 1.1 grows each polygon's width by 10 %, its area by 21 %).
        factor: f64,
    },
    /// Every polygon of a hazard grown (or, negative, shrunk) by a distance.
    BufferHazard {
        /// The hazard layer.
        layer: String,
        /// Distance in metres (the working CRS' unit).
        distance_m: f64,
    },
    /// Population growth: a count field multiplied by a factor, city-wide or in some zones.
    ScaleDemand {
        /// The zones or demand layer holding the count.
        layer: String,
        /// Factor (≥ 0; 1.05 = 5 % growth).
        factor: f64,
        /// Count field (default: the layer's `population` in the project file).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        /// Only these features (ids of `layer`); all without.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ids: Option<Vec<String>>,
    },
    /// Zones left out of every analysis (e.g. a kelurahan another programme already serves).
    ExcludeZones {
        /// The zone layer.
        layer: String,
        /// Ids of the zones to leave out.
        ids: Vec<String>,
    },
    /// The money the scenario may spend; the last one wins.
    SetBudget {
        /// Amount, in `currency`.
        amount: f64,
        /// Currency (default IDR).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        currency: Option<String>,
    },
}

impl Edit {
    /// The edit's `op`, as written.
    pub fn op(&self) -> &'static str {
        match self {
            Edit::AddFacility { .. } => "add_facility",
            Edit::MoveFacility { .. } => "move_facility",
            Edit::RemoveFacility { .. } => "remove_facility",
            Edit::SetCapacity { .. } => "set_capacity",
            Edit::CloseFacility { .. } => "close_facility",
            Edit::SwapHazard { .. } => "swap_hazard",
            Edit::ScaleHazard { .. } => "scale_hazard",
            Edit::BufferHazard { .. } => "buffer_hazard",
            Edit::ScaleDemand { .. } => "scale_demand",
            Edit::ExcludeZones { .. } => "exclude_zones",
            Edit::SetBudget { .. } => "set_budget",
        }
    }
}

/// A scenario's budget.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Budget {
    /// Amount.
    pub amount: f64,
    /// Currency (IDR unless given).
    pub currency: String,
}
