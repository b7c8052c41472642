//! tepat-engine: the geometry and analysis core of tepat.
//!
//! Data flows file → [`io`] (read, reproject with [`crs`]) → [`layer::Layer`] in a
//! [`layer::LayerSet`] → [`rtree::SpatialIndex`] → [`kernels`] → an [`analysis`] →
//! an [`analysis::AnalysisResult`] (a table keyed by feature id). No HTTP, no async.

pub mod analysis;
pub mod check;
pub mod crs;
pub mod error;
pub mod events;
pub mod io;
pub mod kernels;
pub mod layer;
pub mod optimize;
pub mod progress;
pub mod project;
pub mod rtree;
pub mod scenario;
pub mod tiles;
pub mod weights;
pub mod words;

pub use error::{Error, Result};
pub use layer::{Column, ColumnData, Layer, LayerSet, Role, Value};

/// Version of the engine, reported in every result's `meta`.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
