//! The server's state, shared by every request through one `Arc`: the store (scenarios,
//! tokens, audit log, uploaded layers), a cache of analysis results, the registry of
//! analysis jobs, the directory of uploaded layer files — and the layers themselves.
//!
//! The layers change while serving (uploads add them, `DELETE /layers/{name}` removes
//! them), so they live in an immutable [`Snapshot`]: the project, a summary and an R-tree
//! per layer, and which layers were uploaded. A change builds a new snapshot that shares
//! every unchanged layer and R-tree by `Arc`, and swaps it in under a lock held only for
//! the swap; changes are serialised among themselves so that none is lost.
//!
//! **One request, one set of layers.** An [`AppState`] holds the snapshot that was current
//! when it was cloned, and `AppState::clone` takes the *latest* one. axum clones the state
//! for each request (once per `State` extractor, and the auth middleware its own copy), so a
//! handler sees one consistent set of layers from its start to its end, even while an
//! upload is published, and the next request sees the upload. Move the state into
//! blocking tasks rather than cloning it, or the task may see a newer snapshot than the
//! handler checked. Cache keys hash every layer's content, so a result computed on one
//! set of layers is never served for another.

use crate::bounded::{lock, Bounded};
use crate::jobs::registry::Jobs;
use crate::layers::summary::LayerSummary;
use crate::problem::Problem;
use crate::store::{Store, StoreError, StoredLayer};
use crate::uploads::stored::{
    load_stored, LayerFiles, LoadError, Prepared, DEFAULT_MAX_UPLOAD_BYTES,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use tepat_engine::analysis::AnalysisResult;
use tepat_engine::project::Project;
use tepat_engine::rtree::SpatialIndex;
use tepat_engine::{Layer, Result};

/// Bytes of analysis results kept in memory (estimated); past it the least recently used
/// go first. A forgotten result is made again from its recipe when its link is followed.
pub const RESULT_BYTES: usize = 256 << 20;

/// Bytes of recipes kept: how each handed-out result key was made (analysis, params, the
/// scenario version), so its link keeps working after the result itself is forgotten.
pub const RECIPE_BYTES: usize = 32 << 20;

/// Scenario views kept (each shares every unedited layer with the baseline).
pub const VIEWS: usize = 32;

/// Response header saying whether an analysis result came from the cache (`hit`/`miss`).
pub const CACHE_HEADER: &str = "x-tepat-cache";

/// How the server treats requests.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Reads need a token too (`tepat serve --private`).
    pub private: bool,
    /// How long an analysis run is waited for before it answers 202 with a job
    /// (`tepat serve --sync-timeout-ms`); 0 makes every run a job.
    pub sync_timeout_ms: u64,
    /// Bytes of analysis results kept in memory (default [`RESULT_BYTES`]).
    pub result_bytes: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            private: false,
            sync_timeout_ms: crate::jobs::registry::DEFAULT_SYNC_TIMEOUT_MS,
            result_bytes: RESULT_BYTES,
        }
    }
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
    /// The uploaded layers could not be loaded.
    #[error(transparent)]
    Layers(#[from] LoadError),
}

/// Shared application state; cloning is cheap and takes the latest [`Snapshot`] of the
/// layers (see the module documentation).
#[derive(Debug)]
pub struct AppState {
    shared: Arc<Shared>,
    /// The layers this state sees.
    current: Arc<Snapshot>,
}

impl Clone for AppState {
    /// A state on the latest snapshot of the layers (not necessarily `self`'s).
    fn clone(&self) -> AppState {
        AppState {
            shared: Arc::clone(&self.shared),
            current: self.shared.latest(),
        }
    }
}

#[derive(Debug)]
struct Shared {
    /// The current layers; replaced whole, never changed in place.
    snapshot: RwLock<Arc<Snapshot>>,
    /// Held while a change of layers is built, written and published, so two uploads or
    /// deletes never both start from the same snapshot.
    changing: Mutex<()>,
    store: Store,
    options: Options,
    /// Analysis results by [`AppState::cache_key`].
    results: Mutex<Bounded<String, Arc<AnalysisResult>>>,
    /// How each result key was made, by key.
    /// (The layers' key it was made on, kept beside it: a recipe is only good on those.)
    recipes: Mutex<Bounded<String, (String, Arc<Recipe>)>>,
    /// Scenarios applied, by layers, scenario id and version.
    views: Mutex<Bounded<String, Arc<View>>>,
    /// Analysis runs answered with 202, followed at `/jobs/{id}`.
    jobs: Jobs,
    /// Vector tiles cut so far, and what makes the next ones quick.
    tiles: crate::tiles::cache::TileCache,
    /// Where uploaded layers are kept.
    files: LayerFiles,
    /// Largest upload body, in bytes.
    max_upload_bytes: AtomicU64,
}

impl Shared {
    fn latest(&self) -> Arc<Snapshot> {
        // A panic while holding the lock cannot leave a half-swapped `Arc` behind.
        let s = self.snapshot.read().unwrap_or_else(|p| p.into_inner());
        Arc::clone(&s)
    }
}

/// How a result was made: enough to make it again once the cache has forgotten it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipe {
    /// Analysis name.
    pub analysis: String,
    /// Params as the request gave them.
    pub params: serde_json::Value,
    /// The scenario id and version it ran on; `None`: the baseline.
    pub scenario: Option<(String, u32)>,
}

/// A scenario version as the server applied it.
#[derive(Debug)]
pub struct View {
    /// The project it makes: every layer it does not edit is the baseline's.
    pub project: Project,
    /// The layers it edits.
    pub edited: Vec<String>,
    /// Its id and version.
    pub pinned: (String, u32),
}

/// A result's size in memory, roughly: its rows' cells and a little for the envelope.
fn result_weight(r: &AnalysisResult) -> usize {
    let cells: usize = r.rows.iter().map(|row| row.len()).sum();
    1024 + cells * 48 + r.summary.len() * 64
}

/// One consistent set of layers: the project, each layer's summary and R-tree, and which
/// layers were uploaded. Immutable; a change of layers makes a new one.
#[derive(Debug)]
pub struct Snapshot {
    project: Project,
    /// Vector and raster layers, by name (the order of `GET /layers`).
    summaries: BTreeMap<String, LayerSummary>,
    /// Bounding-box R-tree of each vector layer, in the working CRS.
    indexes: BTreeMap<String, Arc<SpatialIndex>>,
    /// The uploaded layers, as the store lists them.
    uploaded: BTreeMap<String, StoredLayer>,
    /// SHA-256 over every layer's content hash: the layers' part of a cache key.
    layers_key: OnceLock<String>,
}

impl Snapshot {
    /// Summarises and indexes every layer of `project`.
    fn build(project: Project) -> Result<Snapshot> {
        let mut summaries = BTreeMap::new();
        let mut indexes = BTreeMap::new();
        for layer in project.layers.layers() {
            summaries.insert(
                layer.name.clone(),
                LayerSummary::of_layer(layer, &project.crs)?,
            );
            indexes.insert(layer.name.clone(), Arc::new(SpatialIndex::of(layer)));
        }
        for (name, raster) in project.layers.rasters() {
            summaries.insert(
                name.clone(),
                LayerSummary::of_raster(name, raster, &project.crs)?,
            );
        }
        Ok(Snapshot {
            project,
            summaries,
            indexes,
            uploaded: BTreeMap::new(),
            layers_key: OnceLock::new(),
        })
    }

    /// This snapshot with an uploaded layer added (or replaced); the other layers and
    /// R-trees are shared, not copied.
    pub(crate) fn with_layer(&self, prepared: Prepared, stored: StoredLayer) -> Snapshot {
        let name = stored.name.clone();
        let mut project = self.project.clone();
        project.layers.insert_shared(prepared.upload.layer);
        project.specs.retain(|s| s.name != name);
        project.specs.push(prepared.upload.spec);
        let mut summaries = self.summaries.clone();
        summaries.insert(name.clone(), prepared.summary);
        let mut indexes = self.indexes.clone();
        indexes.insert(name.clone(), prepared.index);
        let mut uploaded = self.uploaded.clone();
        uploaded.insert(name, stored);
        Snapshot {
            project,
            summaries,
            indexes,
            uploaded,
            layers_key: OnceLock::new(),
        }
    }

    /// This snapshot without layer `name`.
    pub(crate) fn without_layer(&self, name: &str) -> Snapshot {
        let mut project = self.project.clone();
        project.layers.remove(name);
        project.specs.retain(|s| s.name != name);
        let mut summaries = self.summaries.clone();
        summaries.remove(name);
        let mut indexes = self.indexes.clone();
        indexes.remove(name);
        let mut uploaded = self.uploaded.clone();
        uploaded.remove(name);
        Snapshot {
            project,
            summaries,
            indexes,
            uploaded,
            layers_key: OnceLock::new(),
        }
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Summaries of all layers, sorted by name.
    pub fn summaries(&self) -> impl Iterator<Item = &LayerSummary> {
        self.summaries.values()
    }

    /// The summary of layer `name` (vector or raster).
    pub fn summary(&self, name: &str) -> Result<&LayerSummary> {
        self.summaries
            .get(name)
            .ok_or_else(|| self.unknown_layer(name))
    }

    /// The uploaded layer `name`, if it is one.
    pub fn uploaded(&self, name: &str) -> Option<&StoredLayer> {
        self.uploaded.get(name)
    }

    fn layers_key(&self) -> &str {
        self.layers_key.get_or_init(|| {
            let mut h = Sha256::new();
            for layer in self.project.layers.layers() {
                h.update(layer.name.as_bytes());
                h.update(layer.content_hash().as_bytes());
            }
            hex::encode(h.finalize())
        })
    }

    fn unknown_layer(&self, name: &str) -> tepat_engine::Error {
        tepat_engine::Error::UnknownLayer {
            name: name.to_string(),
            available: self.summaries.keys().cloned().collect(),
        }
    }
}

impl AppState {
    /// Indexes and summarises every layer of `project`, with a store in memory and open
    /// reads. CPU-bound: call it before serving (or on a blocking thread).
    pub fn new(project: Project) -> std::result::Result<AppState, StartError> {
        AppState::with_store(project, Store::in_memory()?, Options::default())
    }

    /// As [`AppState::new`], with `store` (e.g. [`Store::open`] on the data directory).
    /// The layers the store lists as uploaded are loaded from their files next to it
    /// (files no row lists, left by an interrupted upload, are removed first).
    pub fn with_store(
        project: Project,
        store: Store,
        options: Options,
    ) -> std::result::Result<AppState, StartError> {
        let files = LayerFiles::for_store(&store)?;
        let loaded = load_stored(&files, &store, &project)?;
        let mut snapshot = Snapshot::build(project)?;
        for l in loaded {
            snapshot = snapshot.with_layer(l.prepared, l.stored);
        }
        let current = Arc::new(snapshot);
        Ok(AppState {
            shared: Arc::new(Shared {
                snapshot: RwLock::new(Arc::clone(&current)),
                changing: Mutex::new(()),
                store,
                options,
                results: Mutex::new(Bounded::new(options.result_bytes)),
                recipes: Mutex::new(Bounded::new(RECIPE_BYTES)),
                views: Mutex::new(Bounded::new(VIEWS)),
                jobs: Jobs::default(),
                tiles: crate::tiles::cache::TileCache::default(),
                files,
                max_upload_bytes: AtomicU64::new(DEFAULT_MAX_UPLOAD_BYTES),
            }),
            current,
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

    /// The analysis jobs.
    pub fn jobs(&self) -> &Jobs {
        &self.shared.jobs
    }

    /// The vector tile cache.
    pub fn tiles(&self) -> &crate::tiles::cache::TileCache {
        &self.shared.tiles
    }

    /// The options the server runs with.
    pub fn options(&self) -> Options {
        self.shared.options
    }

    /// Largest upload accepted, in bytes (default [`DEFAULT_MAX_UPLOAD_BYTES`]).
    pub fn max_upload_bytes(&self) -> u64 {
        self.shared.max_upload_bytes.load(Ordering::Relaxed)
    }

    /// Sets the upload limit (`tepat serve --max-upload-mb`); read when a request starts.
    pub fn set_max_upload_bytes(&self, bytes: u64) {
        self.shared.max_upload_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Where uploaded layer files are kept.
    pub fn layer_files(&self) -> &LayerFiles {
        &self.shared.files
    }

    /// The layers this state sees.
    pub fn snapshot(&self) -> &Snapshot {
        &self.current
    }

    /// Changes the layers: `change` gets the latest snapshot and returns the next one
    /// (after writing whatever must be durable first); it is published when `change`
    /// succeeds. Changes run one at a time. Blocking: call it on a blocking thread.
    pub(crate) fn change_layers<T>(
        &self,
        change: impl FnOnce(&Snapshot) -> std::result::Result<(Snapshot, T), Problem>,
    ) -> std::result::Result<T, Problem> {
        let _one_at_a_time = self
            .shared
            .changing
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let (next, out) = change(&self.shared.latest())?;
        let mut slot = self
            .shared
            .snapshot
            .write()
            .unwrap_or_else(|p| p.into_inner());
        *slot = Arc::new(next);
        Ok(out)
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
        let key = serde_json::json!([self.current.layers_key(), name, params, scenario]);
        hex::encode(Sha256::digest(key.to_string().as_bytes()))
    }

    /// A cached result.
    pub fn cached(&self, key: &str) -> Option<Arc<AnalysisResult>> {
        lock(&self.shared.results).get(&key.to_string())
    }

    /// Caches a result and how it was made.
    pub fn cache(&self, key: String, result: Arc<AnalysisResult>, recipe: Recipe) {
        let recipe_weight = recipe.params.to_string().len() + key.len() + 256;
        let layers = self.current.layers_key().to_string();
        lock(&self.shared.recipes).insert(key.clone(), (layers, Arc::new(recipe)), recipe_weight);
        let weight = result_weight(&result);
        lock(&self.shared.results).insert(key, result, weight);
    }

    /// How result `key` was made, while the layers it was made on are the current ones.
    pub fn recipe(&self, key: &str) -> Option<Arc<Recipe>> {
        lock(&self.shared.recipes)
            .get(&key.to_string())
            .filter(|(layers, _)| layers == self.current.layers_key())
            .map(|(_, recipe)| recipe)
    }

    /// Scenario `id` at `version` (else its latest) applied to the current layers, once:
    /// results, tiles and GeoJSON of one scenario version share it.
    pub fn view(&self, id: &str, version: Option<u32>) -> Result<Arc<View>, Problem> {
        let stored = self.store().scenario(id, version)?;
        let v = stored.scenario.version;
        let key = format!("{}/{}/{v}", self.current.layers_key(), stored.id);
        if let Some(view) = lock(&self.shared.views).get(&key) {
            return Ok(view);
        }
        let applied = tepat_engine::scenario::apply(self.project(), &stored.scenario)?;
        let view = Arc::new(View {
            project: applied.project,
            edited: applied.edited_layers,
            pinned: (stored.id, v),
        });
        lock(&self.shared.views).insert(key, view.clone(), 1);
        Ok(view)
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.current.project
    }

    /// Summaries of all layers, sorted by name.
    pub fn summaries(&self) -> impl Iterator<Item = &LayerSummary> {
        self.current.summaries()
    }

    /// The summary of layer `name` (vector or raster).
    pub fn summary(&self, name: &str) -> Result<&LayerSummary> {
        self.current.summary(name)
    }

    /// The uploaded layer `name` as the store lists it, if it is one.
    pub fn uploaded_layer(&self, name: &str) -> Option<&StoredLayer> {
        self.current.uploaded(name)
    }

    /// Vector layer `name` with its R-tree.
    pub fn indexed_layer(&self, name: &str) -> Result<(&Arc<Layer>, &SpatialIndex)> {
        let layer = self.current.project.layers.get(name)?;
        match self.current.indexes.get(name) {
            Some(index) => Ok((layer, index.as_ref())),
            None => Err(self.current.unknown_layer(name)),
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
