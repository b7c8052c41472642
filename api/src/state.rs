//! The server's state: the project, loaded once, with an R-tree and a summary per layer
//! built at start-up, the store (scenarios, tokens, audit log) and a cache of analysis
//! results, shared by every request through one `Arc`.

use crate::layers::LayerSummary;
use crate::store::{Store, StoreError};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use tepat_engine::analysis::AnalysisResult;
use tepat_engine::index::SpatialIndex;
use tepat_engine::project::Project;
use tepat_engine::{Layer, Result};

/// Most analysis results kept in memory; past it the cache starts afresh (results are
/// recomputed on demand, so forgetting is always safe).
pub const CACHE_ENTRIES: usize = 512;

/// How the server treats requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Reads need a token too (`tepat serve --private`).
    pub private: bool,
}

/// Why the server's state could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// Loading or indexing the project failed.
    #[error(transparent)]
    Engine(#[from] tepat_engine::Error),
    /// Opening the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

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
    store: Store,
    options: Options,
    /// Analysis results by [`AppState::cache_key`].
    cache: Mutex<HashMap<String, Arc<AnalysisResult>>>,
    /// SHA-256 over every layer's content hash: the baseline's part of a cache key.
    layers_key: OnceLock<String>,
}

impl AppState {
    /// Indexes and summarises every layer of `project`, with a store in memory and open
    /// reads. CPU-bound: call it before serving (or on a blocking thread).
    pub fn new(project: Project) -> std::result::Result<AppState, StartError> {
        AppState::with_store(project, Store::in_memory()?, Options::default())
    }

    /// As [`AppState::new`], with `store` (e.g. [`Store::open`] on the data directory).
    pub fn with_store(
        project: Project,
        store: Store,
        options: Options,
    ) -> std::result::Result<AppState, StartError> {
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
                store,
                options,
                cache: Mutex::new(HashMap::new()),
                layers_key: OnceLock::new(),
            }),
        })
    }

    /// Loads the project file at `path` (or the demo city) and indexes it.
    pub fn load(path: Option<&Path>) -> std::result::Result<AppState, StartError> {
        AppState::new(load_project(path)?)
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// The options the server runs with.
    pub fn options(&self) -> Options {
        self.shared.options
    }

    /// Cache key of analysis `name` with `params` on the baseline, or on version `version`
    /// of scenario `id`: the layers' content hashes, the params and the scenario version,
    /// so an edit (a new version) or other data never hits an old result.
    pub fn cache_key(
        &self,
        name: &str,
        params: &serde_json::Value,
        scenario: Option<(&str, u32)>,
    ) -> String {
        let layers = self.shared.layers_key.get_or_init(|| {
            let mut h = Sha256::new();
            for layer in self.shared.project.layers.layers() {
                h.update(layer.name.as_bytes());
                h.update(layer.content_hash().as_bytes());
            }
            hex::encode(h.finalize())
        });
        let key = serde_json::json!([layers, name, params, scenario]);
        hex::encode(Sha256::digest(key.to_string().as_bytes()))
    }

    /// A cached result.
    pub fn cached(&self, key: &str) -> Option<Arc<AnalysisResult>> {
        let cache = self.shared.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.get(key).cloned()
    }

    /// Caches a result.
    pub fn cache(&self, key: String, result: Arc<AnalysisResult>) {
        let mut cache = self.shared.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, result);
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
