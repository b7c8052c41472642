//! Uploaded layers at rest: their files in `<data-dir>/layers/` ([`LayerFiles`]: temporary
//! files while an upload is received, the durable ones, the sweep of leftovers), a file
//! read again as the layer it was on upload (`prepare`, through the engine's
//! [`read_uploaded_layer`]) and every listed layer loaded at start (`load_stored`). No
//! HTTP here: the handlers are in [`crate::uploads`].

use crate::layers::summary::LayerSummary;
use crate::store::{Store, StoreError, StoredLayer};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tepat_engine::crs::Crs;
use tepat_engine::io::upload::{read_uploaded_layer, UploadError, UploadFormat, UploadedLayer};
use tepat_engine::project::{LayerSpec, Project};
use tepat_engine::rtree::SpatialIndex;

/// Default upload limit (`tepat serve --max-upload-mb`): 200 MB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 200 * 1_000_000;

/// Directory of uploaded layer files inside the data directory.
pub const LAYERS_DIR: &str = "layers";

/// Prefix of files still being received; never listed, removed at start.
const TEMP_PREFIX: &str = ".upload-";

/// The directory uploaded layer files live in: `<data-dir>/layers`, or a temporary
/// directory (removed with the state) when the store is in memory.
#[derive(Debug)]
pub struct LayerFiles {
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

/// Why the uploaded layers could not be loaded at start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The layers directory cannot be created or listed.
    #[error("layer files directory {}: {source}", dir.display())]
    Dir {
        /// The directory.
        dir: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The store's list of layers could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A listed layer cannot be read again (its file is missing or was changed).
    #[error("uploaded layer '{name}' ({}): {message}", file.display())]
    Layer {
        /// The layer.
        name: String,
        /// Its file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl LayerFiles {
    /// The layers directory of `store`'s data directory (created if missing).
    pub fn for_store(store: &Store) -> Result<LayerFiles, LoadError> {
        let (dir, temp) = match store.path().and_then(Path::parent) {
            Some(data) => (data.join(LAYERS_DIR), None),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("tepat-layers-")
                    .tempdir()
                    .map_err(|source| LoadError::Dir {
                        dir: std::env::temp_dir(),
                        source,
                    })?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        std::fs::create_dir_all(&dir).map_err(|source| LoadError::Dir {
            dir: dir.clone(),
            source,
        })?;
        Ok(LayerFiles { dir, _temp: temp })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Removes every file in the directory that is not in `keep`: temporary files of
    /// uploads that never finished, and files whose row was never written (a crash between
    /// rename and insert) or was deleted. Returns the names removed.
    pub fn sweep(&self, keep: &BTreeSet<String>) -> Result<Vec<String>, LoadError> {
        let dir_err = |source| LoadError::Dir {
            dir: self.dir.clone(),
            source,
        };
        let mut removed = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(dir_err)? {
            let entry = entry.map_err(dir_err)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if keep.contains(&name) || !entry.file_type().map_err(dir_err)?.is_file() {
                continue;
            }
            std::fs::remove_file(entry.path()).map_err(dir_err)?;
            removed.push(name);
        }
        removed.sort();
        Ok(removed)
    }

    /// A new temporary file in the directory, removed on drop unless kept.
    pub(crate) fn temp(&self) -> std::io::Result<TempUpload> {
        let path = self
            .dir
            .join(format!("{TEMP_PREFIX}{:016x}.part", rand::random::<u64>()));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(TempUpload {
            path,
            file: Some(file),
        })
    }

    /// Makes `tmp` the durable file of layer `name`: rename within the directory (atomic),
    /// then fsync the directory so the rename itself survives a crash.
    pub(crate) fn keep(
        &self,
        mut tmp: TempUpload,
        name: &str,
        format: UploadFormat,
    ) -> std::io::Result<String> {
        let file = format!(
            "{name}.{:016x}.{}",
            rand::random::<u64>(),
            format.extension()
        );
        std::fs::rename(&tmp.path, self.dir.join(&file))?;
        tmp.path = PathBuf::new(); // renamed: nothing left to clean up
        sync_dir(&self.dir)?;
        Ok(file)
    }

    /// The path of `file` in the directory.
    pub(crate) fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Directories cannot be opened for syncing here; the rename is durable on its own.
    Ok(())
}

/// A file being received; removed on drop unless kept (an error, a client that went away).
#[derive(Debug)]
pub(crate) struct TempUpload {
    /// Where it is (empty once renamed into place).
    pub(crate) path: PathBuf,
    /// The open file, while it is written.
    pub(crate) file: Option<std::fs::File>,
}

impl TempUpload {
    /// Gives the file `format`'s extension (readers choose by extension).
    pub(crate) fn set_format(&mut self, format: UploadFormat) -> std::io::Result<()> {
        let to = self.path.with_extension(format.extension());
        std::fs::rename(&self.path, &to)?;
        self.path = to;
        Ok(())
    }
}

impl Drop for TempUpload {
    fn drop(&mut self) {
        self.file = None;
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A layer read, checked and reprojected, with its summary and R-tree: ready to publish.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The layer as the engine read it.
    pub upload: UploadedLayer,
    /// Its summary (`GET /layers`).
    pub summary: LayerSummary,
    /// Its R-tree.
    pub index: Arc<SpatialIndex>,
}

/// Reads the file of a layer entry (stored at `path`, known to the client as `shown`) as
/// the engine admits an upload ([`read_uploaded_layer`]), and summarises and indexes it.
/// Shared by uploads and by the start-up load, so a layer is the same after a restart.
pub(crate) fn prepare(
    path: &Path,
    shown: &str,
    format: UploadFormat,
    spec: &LayerSpec,
    crs: &Crs,
    max_unzipped: u64,
) -> Result<Prepared, UploadError> {
    let upload = read_uploaded_layer(path, shown, format, spec, crs, max_unzipped)?;
    let summary = LayerSummary::of_layer(&upload.layer, crs)
        .map_err(|e| UploadError::content(e, path, shown))?;
    let index = Arc::new(SpatialIndex::of(&upload.layer));
    Ok(Prepared {
        upload,
        summary,
        index,
    })
}

/// A layer the store lists, read again at start.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub prepared: Prepared,
    pub stored: StoredLayer,
}

/// Loads every uploaded layer the store lists, after removing the files no row lists
/// (interrupted uploads). A layer whose name the project file now uses is skipped with a
/// warning (the project file wins); a listed layer whose file is missing, changed or no
/// longer readable stops the start, naming it.
pub(crate) fn load_stored(
    files: &LayerFiles,
    store: &Store,
    project: &Project,
) -> Result<Vec<Loaded>, LoadError> {
    let rows = store.layers()?;
    let keep: BTreeSet<String> = rows.iter().map(|r| r.file.clone()).collect();
    for removed in files.sweep(&keep)? {
        tracing::warn!("removed {removed} from the layer files: an upload that never finished");
    }
    let taken = project.layers.names();
    let mut out = Vec::new();
    for stored in rows {
        if taken.contains(&stored.name) {
            tracing::warn!(
                "uploaded layer '{}' is not loaded: the project file has a layer of that name",
                stored.name
            );
            continue;
        }
        let path = files.path(&stored.file);
        let fail = |message: String| LoadError::Layer {
            name: stored.name.clone(),
            file: path.clone(),
            message,
        };
        let bytes = std::fs::read(&path).map_err(|e| fail(e.to_string()))?;
        if hex::encode(Sha256::digest(&bytes)) != stored.file_sha256 {
            return Err(fail("the file changed since it was uploaded".into()));
        }
        drop(bytes);
        let format = UploadFormat::parse(&stored.format)
            .ok_or_else(|| fail(format!("unknown format '{}'", stored.format)))?;
        let shown = stored
            .original_name
            .clone()
            .unwrap_or_else(|| stored.file.clone());
        let mut prepared = prepare(&path, &shown, format, &stored.spec, &project.crs, u64::MAX)
            .map_err(|e| fail(e.to_string()))?;
        prepared.upload.spec = stored.spec.clone();
        if prepared.upload.layer.content_hash() != stored.content_hash {
            tracing::warn!(
                "uploaded layer '{}' reads with another content hash than on upload (a newer reader?)",
                stored.name
            );
        }
        out.push(Loaded { prepared, stored });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_keeps_listed_files_only() -> anyhow::Result<()> {
        let store = Store::in_memory()?;
        let files = LayerFiles::for_store(&store)?;
        let tmp = files.temp()?;
        let tmp_name = tmp
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(tmp_name.starts_with(TEMP_PREFIX));
        std::mem::forget(tmp); // as a killed server would leave it
        std::fs::write(files.path("a.1.geojson"), b"{}")?;
        std::fs::write(files.path("b.2.csv"), b"x")?;
        let keep = BTreeSet::from(["a.1.geojson".to_string()]);
        let removed = files.sweep(&keep)?;
        assert_eq!(removed, vec![tmp_name, "b.2.csv".to_string()]);
        assert!(files.path("a.1.geojson").exists());
        Ok(())
    }
}
