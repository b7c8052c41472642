//! The server's state: the project, loaded once, with an R-tree and a summary per layer
//! built at start-up, shared by every request through one `Arc`.

use crate::layers::LayerSummary;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use tepat_engine::index::SpatialIndex;
use tepat_engine::project::Project;
use tepat_engine::{Layer, Result};

/// Shared application state; cloning is cheap.
#[derive(Debug, Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    project: Project,
    /// Vector and raster layers, by name (the order of `GET /layers`).
    summaries: BTreeMap<String, LayerSummary>,
    /// Bounding-box R-tree of each vector layer, in the working CRS.
    indexes: BTreeMap<String, SpatialIndex>,
}

impl AppState {
    /// Indexes and summarises every layer of `project`. CPU-bound: call it before serving
    /// (or on a blocking thread).
    pub fn new(project: Project) -> Result<AppState> {
        let mut summaries = BTreeMap::new();
        let mut indexes = BTreeMap::new();
        for layer in project.layers.layers() {
            summaries.insert(
                layer.name.clone(),
                LayerSummary::of_layer(layer, &project.crs)?,
            );
            indexes.insert(layer.name.clone(), SpatialIndex::of(layer));
        }
        for (name, raster) in project.layers.rasters() {
            summaries.insert(
                name.clone(),
                LayerSummary::of_raster(name, raster, &project.crs)?,
            );
        }
        Ok(AppState {
            shared: Arc::new(Shared {
                project,
                summaries,
                indexes,
            }),
        })
    }

    /// Loads the project file at `path` (or the demo city) and indexes it.
    pub fn load(path: Option<&Path>) -> Result<AppState> {
        AppState::new(load_project(path)?)
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.shared.project
    }

    /// Summaries of all layers, sorted by name.
    pub fn summaries(&self) -> impl Iterator<Item = &LayerSummary> {
        self.shared.summaries.values()
    }

    /// The summary of layer `name` (vector or raster).
    pub fn summary(&self, name: &str) -> Result<&LayerSummary> {
        match self.shared.summaries.get(name) {
            Some(s) => Ok(s),
            None => Err(self.unknown_layer(name)),
        }
    }

    /// Vector layer `name` with its R-tree.
    pub fn indexed_layer(&self, name: &str) -> Result<(&Arc<Layer>, &SpatialIndex)> {
        let layer = self.shared.project.layers.get(name)?;
        match self.shared.indexes.get(name) {
            Some(index) => Ok((layer, index)),
            None => Err(self.unknown_layer(name)),
        }
    }

    fn unknown_layer(&self, name: &str) -> tepat_engine::Error {
        tepat_engine::Error::UnknownLayer {
            name: name.to_string(),
            available: self.shared.summaries.keys().cloned().collect(),
        }
    }
}

/// The project file at `path`, or the embedded demo city when there is none.
pub fn load_project(path: Option<&Path>) -> Result<Project> {
    match path {
        Some(p) => Project::load(p),
        None => tepat_datasets::demo_project(),
    }
}
