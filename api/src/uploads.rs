//! Layer uploads: `POST /layers` (multipart: a GeoJSON, GeoPackage, zipped Shapefile or CSV
//! file plus its name, role and key fields) and `DELETE /layers/{name}`, both admin only.
//!
//! An upload is streamed to a temporary file in `<data-dir>/layers/` (counting bytes, so
//! the size limit holds whatever the client says), read by the engine, validated — a name
//! without path characters, a known CRS, coordinates that are longitude/latitude once
//! transformed and lie near the project's area, the id and key fields present, the
//! integrity check without errors — and reprojected to the working CRS, as
//! `Project::load` does. Only then is it made durable, in this order:
//!
//! 1. the temporary file is fsynced, renamed to `<name>.<random>.<ext>` and the directory
//!    fsynced: the file now survives a crash, but nothing lists it yet;
//! 2. the row is inserted in SQLite with its audit entry, in one transaction: from here on
//!    the upload is acknowledged and the 201 goes out;
//! 3. a new snapshot of the layers is published to the requests that start afterwards.
//!
//! A crash before 2 leaves a file without a row, which the next start removes; a crash
//! after 2 finds the row and its complete file. So every row has its file, and a layer is
//! either all there or not at all. At start ([`load_stored`]) every listed layer is read
//! again from its file, exactly as it was on upload. Deleting removes the row first and
//! the file after.

use crate::auth::Caller;
use crate::layers::{LayerDetail, LayerSummary};
use crate::problem::Problem;
use crate::blocking::blocking;
use crate::state::{AppState, Snapshot};
use crate::store::{NewLayer, Store, StoreError, StoredLayer};
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use geo::{coord, CoordsIter, Rect};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tepat_engine::check::{self, CheckReport, Finding, Severity};
use tepat_engine::crs::{Crs, Transformer};
use tepat_engine::rtree::SpatialIndex;
use tepat_engine::io::upload::{read_upload, UploadFormat};
use tepat_engine::io::ReadOptions;
use tepat_engine::layer::{FeatureNote, LayerSet};
use tepat_engine::project::{self, LayerSpec, Project};
use tepat_engine::{Error, Layer, Role};
use tokio::io::AsyncWriteExt;

/// Default upload limit (`tepat serve --max-upload-mb`): 200 MB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 200 * 1_000_000;

/// Directory of uploaded layer files inside the data directory.
pub const LAYERS_DIR: &str = "layers";

/// Prefix of files still being received; never listed, removed at start.
const TEMP_PREFIX: &str = ".upload-";

/// Longest text part (name, role, field names…), in bytes.
const MAX_TEXT_PART: usize = 1024;

/// A zip may inflate to this many times the upload limit (a Shapefile compresses about 3:1;
/// far more means a zip bomb).
const MAX_ZIP_RATIO: u64 = 10;

/// How far (degrees) outside the project's bounding box an upload may reach and still be
/// taken as near the city: about 55 km, room for a regional hazard layer.
pub const AREA_MARGIN_DEG: f64 = 0.5;

/// Text parts a client may send besides `file`, and the layer-entry key each sets.
const TEXT_PARTS: [&str; 16] = [
    "name",
    "role",
    "id_field",
    "layer",
    "x",
    "y",
    "crs",
    "kind",
    "capacity",
    "population",
    "level",
    "time",
    "category",
    "key",
    "source",
    "source_date",
];

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

    fn temp(&self) -> std::io::Result<TempUpload> {
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
    fn keep(
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

    fn path(&self, file: &str) -> PathBuf {
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
struct TempUpload {
    path: PathBuf,
    file: Option<std::fs::File>,
}

impl TempUpload {
    /// Gives the file `format`'s extension (readers choose by extension).
    fn set_format(&mut self, format: UploadFormat) -> std::io::Result<()> {
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

/// The multipart form as received: the file on disk and the text parts.
#[derive(Debug)]
struct Form {
    file: TempUpload,
    file_name: Option<String>,
    head: Vec<u8>,
    bytes: u64,
    sha256: String,
    parts: BTreeMap<String, String>,
}

fn invalid(kind: &str, title: &str, detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, kind, title, detail)
}

fn invalid_upload(detail: impl Into<String>) -> Problem {
    invalid("invalid-upload", "Invalid upload", detail)
}

fn too_large(detail: impl Into<String>) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "Payload Too Large",
        detail,
    )
}

fn io_problem(what: &str, e: &std::io::Error) -> Problem {
    Problem::internal(format!("{what}: {e}"))
}

fn multipart_problem(e: MultipartError) -> Problem {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(format!(
            "the upload is larger than the limit: {}",
            e.body_text()
        ))
    } else {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-multipart",
            "Malformed multipart body",
            e.body_text(),
        )
    }
}

/// Reads the form: the `file` part streamed to disk, the text parts into memory.
async fn receive(files: &LayerFiles, mut multipart: Multipart) -> Result<Form, Problem> {
    let mut file: Option<ReceivedFile> = None;
    let mut parts = BTreeMap::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_problem)? {
        let part = field.name().unwrap_or_default().to_string();
        if part == "file" {
            if file.is_some() {
                return Err(invalid_upload("part 'file' is sent twice; upload one file"));
            }
            file = Some(receive_file(files, field).await?);
        } else if TEXT_PARTS.contains(&part.as_str()) {
            if parts.contains_key(&part) {
                return Err(invalid_upload(format!("part '{part}' is sent twice")));
            }
            let text = receive_text(&part, field).await?;
            parts.insert(part, text);
        } else {
            return Err(invalid_upload(format!(
                "unknown part '{part}' (parts: file, {})",
                TEXT_PARTS.join(", ")
            )));
        }
    }
    let Some((file, file_name, head, bytes, sha256)) = file else {
        return Err(invalid_upload(
            "part 'file' is missing: send the layer as a multipart file part named 'file'",
        ));
    };
    Ok(Form {
        file,
        file_name,
        head,
        bytes,
        sha256,
        parts,
    })
}

/// The file part on disk: its temp file, the name the client gave, its first bytes (to
/// sniff the format), its size and SHA-256.
type ReceivedFile = (TempUpload, Option<String>, Vec<u8>, u64, String);

async fn receive_file(files: &LayerFiles, mut field: Field<'_>) -> Result<ReceivedFile, Problem> {
    let file_name = field
        .file_name()
        .map(str::to_string)
        .filter(|n| !n.is_empty());
    let mut tmp = files
        .temp()
        .map_err(|e| io_problem("creating the upload file", &e))?;
    let std_file = tmp
        .file
        .take()
        .ok_or_else(|| Problem::internal("upload file already taken"))?;
    let mut out = tokio::fs::File::from_std(std_file);
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut bytes = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(multipart_problem)? {
        if head.len() < 64 {
            head.extend(chunk.iter().take(64 - head.len()));
        }
        hasher.update(&chunk);
        bytes += chunk.len() as u64;
        out.write_all(&chunk)
            .await
            .map_err(|e| io_problem("writing the upload", &e))?;
    }
    out.flush()
        .await
        .map_err(|e| io_problem("writing the upload", &e))?;
    // Durable before it is read, so what was validated is what a crash leaves behind.
    out.sync_all()
        .await
        .map_err(|e| io_problem("syncing the upload", &e))?;
    tmp.file = Some(out.into_std().await);
    Ok((tmp, file_name, head, bytes, hex::encode(hasher.finalize())))
}

async fn receive_text(part: &str, mut field: Field<'_>) -> Result<String, Problem> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_problem)? {
        if buf.len() + chunk.len() > MAX_TEXT_PART {
            return Err(invalid_upload(format!(
                "part '{part}' is longer than {MAX_TEXT_PART} bytes"
            )));
        }
        buf.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(buf)
        .map_err(|_| invalid_upload(format!("part '{part}' is not UTF-8 text")))?;
    Ok(text.trim().to_string())
}

/// Checks a layer name: `^[a-z][a-z0-9_]{0,62}$`, so it is safe in a file name and a URL.
pub fn check_name(name: &str) -> Result<(), Problem> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 63
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "invalid-layer-name",
            "Invalid layer name",
            format!(
                "name: '{name}' is not a layer name: use a lower-case letter, then up to 62 \
                 lower-case letters, digits or '_' (no '/', '.', spaces or capitals)"
            ),
        ))
    }
}

/// The layer entry an upload's text parts describe.
fn spec_of(parts: &BTreeMap<String, String>, format: UploadFormat) -> Result<LayerSpec, Problem> {
    let get = |k: &str| parts.get(k).filter(|v| !v.is_empty()).cloned();
    let name = get("name").ok_or_else(|| {
        invalid_upload("part 'name' is missing: the layer's name, e.g. banjir_q100")
    })?;
    check_name(&name)?;
    let role_text = get("role").unwrap_or_else(|| Role::Context.as_str().to_string());
    let role: Role = role_text
        .parse()
        .map_err(|m: String| invalid_upload(format!("role: {m}")))?;
    if role == Role::Raster {
        return Err(invalid_upload(
            "role: rasters cannot be uploaded; add them to the project file",
        ));
    }
    let is_csv = format == UploadFormat::Csv;
    for part in ["x", "y"] {
        if !is_csv && get(part).is_some() {
            return Err(invalid_upload(format!(
                "part '{part}' is for CSV files only; this is {}",
                format.as_str()
            )));
        }
    }
    let (x, y) = match (get("x"), get("y")) {
        _ if !is_csv || role == Role::Table => (None, None),
        (Some(x), Some(y)) => (Some(x), Some(y)),
        (None, None) => (Some("lon".to_string()), Some("lat".to_string())),
        (Some(_), None) => {
            return Err(invalid_upload("part 'y' is missing: give x and y together"))
        }
        (None, Some(_)) => {
            return Err(invalid_upload("part 'x' is missing: give x and y together"))
        }
    };
    if get("layer").is_some()
        && !matches!(
            format,
            UploadFormat::Geopackage | UploadFormat::ZippedShapefile
        )
    {
        return Err(invalid_upload(format!(
            "part 'layer' picks a layer of a GeoPackage or zipped Shapefile; this is {}",
            format.as_str()
        )));
    }
    // A CSV cannot say its CRS: lon/lat unless told.
    let crs = get("crs").or_else(|| (is_csv && role != Role::Table).then(|| "EPSG:4326".into()));
    if let Some(c) = &crs {
        Crs::parse(c).map_err(|e| invalid_upload(format!("crs: {e}")))?;
    }
    let source_date = get("source_date");
    if let Some(d) = &source_date {
        tepat_engine::project::check_date(d)
            .map_err(|m| invalid_upload(format!("source_date: {m}")))?;
    }
    Ok(LayerSpec {
        name,
        role: role.as_str().to_string(),
        path: PathBuf::new(),
        id: get("id_field"),
        crs,
        layer: get("layer"),
        x,
        y,
        kind: get("kind"),
        capacity: get("capacity"),
        population: get("population"),
        level: get("level"),
        time: get("time"),
        category: get("category"),
        key: get("key"),
        source: get("source"),
        source_date,
        ..LayerSpec::default()
    })
}

/// A layer read, checked and reprojected, ready to publish.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub spec: LayerSpec,
    pub layer: Arc<Layer>,
    pub summary: LayerSummary,
    pub index: Arc<SpatialIndex>,
    /// What the reader repaired (unclosed rings it closed), reported as warnings.
    pub repaired: Vec<FeatureNote>,
}

/// An engine error about an uploaded file, with the server's path replaced by the name
/// the client knows. Everything about the content is a 422 (the format was already
/// recognised); only the server's own I/O is a 500.
fn content_problem(e: Error, stored: &Path, shown: &str) -> Problem {
    if matches!(e, Error::Io { .. }) {
        return Problem::internal(e.to_string());
    }
    let detail = e.to_string().replace(&stored.display().to_string(), shown);
    let mut p = Problem::from(e);
    p.status = StatusCode::UNPROCESSABLE_ENTITY.as_u16();
    p.detail = detail;
    p
}

/// Reads the file of a layer entry and makes it what a project layer is: named, with its
/// role and id field, in a known CRS, its coordinates longitude/latitude once transformed,
/// reprojected to `crs`, with the key fields it names present. Shared by uploads and by
/// the start-up load, so a layer is the same after a restart.
pub(crate) fn prepare(
    path: &Path,
    shown: &str,
    format: UploadFormat,
    spec: &LayerSpec,
    crs: &Crs,
    max_unzipped: u64,
) -> Result<Prepared, Problem> {
    let role: Role = spec
        .role()
        .map_err(|m| invalid_upload(format!("role: {m}")))?;
    let spec_crs = spec
        .crs
        .as_deref()
        .map(Crs::parse)
        .transpose()
        .map_err(|e| invalid_upload(format!("crs: {e}")))?;
    let opts = ReadOptions {
        name: spec.name.clone(),
        role,
        x: spec.x.clone(),
        y: spec.y.clone(),
        wkt: None,
        crs: spec_crs.clone(),
        source_layer: spec.layer.clone(),
    };
    let engine = |e: Error| content_problem(e, path, shown);
    let mut layer = read_upload(path, format, &opts, max_unzipped).map_err(engine)?;
    layer.name = spec.name.clone();
    layer.role = role;
    layer.source = Some(PathBuf::from(shown));
    if spec_crs.is_some() {
        layer.crs = spec_crs; // an explicit crs overrides what the file says, as in a project
    }
    if layer.is_empty() {
        return Err(invalid(
            "empty-layer",
            "Empty layer",
            format!("{shown}: the layer '{}' has no features", spec.name),
        ));
    }
    if let Some(id) = &spec.id {
        if layer.column(id).is_err() {
            return Err(invalid(
                "unknown-field",
                "Unknown field",
                format!(
                    "id_field: {shown} has no field '{id}' (fields: {})",
                    layer.field_names().join(", ")
                ),
            ));
        }
        layer.set_id_field(id).map_err(engine)?;
    }
    let has_geometry = layer.geometries.iter().any(Option::is_some);
    if role != Role::Table && !has_geometry {
        return Err(invalid(
            "geometry",
            "Unusable geometry",
            format!(
                "{shown}: no feature has a geometry, but a {} layer needs them (role=table for a sheet without geometry)",
                role.as_str()
            ),
        ));
    }
    if role != Role::Table && layer.crs.is_none() {
        return Err(invalid(
            "crs",
            "Coordinate reference system problem",
            format!(
                "{shown} does not say its CRS (a Shapefile without .prj?); send a part 'crs', e.g. EPSG:32651"
            ),
        ));
    }
    layer.check_role_geometries().map_err(engine)?;
    if role != Role::Table {
        check_lon_lat(&layer, shown)?;
    }
    // The readers' repairs are accepted (the geometry is usable as repaired) and reported.
    let (repaired, notes): (Vec<FeatureNote>, Vec<FeatureNote>) = std::mem::take(&mut layer.notes)
        .into_iter()
        .partition(|n| n.kind == "unclosed-ring");
    layer.notes = notes;
    project::reproject(&mut layer, crs).map_err(engine)?;
    check_named_fields(&layer, spec, shown)?;
    let summary = LayerSummary::of_layer(&layer, crs).map_err(engine)?;
    let index = Arc::new(SpatialIndex::of(&layer));
    let mut spec = spec.clone();
    spec.path = PathBuf::from(shown);
    Ok(Prepared {
        spec,
        layer: Arc::new(layer),
        summary,
        index,
        repaired,
    })
}

/// Every coordinate is a longitude/latitude once transformed to EPSG:4326: a projected
/// file labelled EPSG:4326 (or lon/lat swapped) is caught here, naming the feature.
fn check_lon_lat(layer: &Layer, shown: &str) -> Result<(), Problem> {
    let Some(crs) = &layer.crs else {
        return Ok(());
    };
    let bad = |detail: String| invalid("invalid-coordinates", "Coordinates out of range", detail);
    let in_range = |x: f64, y: f64| (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y);
    if crs.is_geographic() {
        for (i, g) in layer.geometries.iter().enumerate() {
            let Some(g) = g else { continue };
            if let Some(c) = g.coords_iter().find(|c| !in_range(c.x, c.y)) {
                return Err(bad(format!(
                    "{shown}: feature {} has coordinate ({}, {}), not a longitude/latitude in {crs}; \
                     is the file projected (send a part 'crs') or are x and y swapped?",
                    layer.ids[i], c.x, c.y
                )));
            }
        }
        return Ok(());
    }
    let Some(extent) = layer.bbox() else {
        return Ok(());
    };
    let t = Transformer::new(crs, &Crs::WGS84).map_err(|e| {
        invalid(
            "crs",
            "Coordinate reference system problem",
            format!("{shown}: {e}"),
        )
    })?;
    let r = t.envelope(extent).map_err(|e| bad(format!("{shown}: {e} (CRS {crs})")))?;
    if !(in_range(r.min().x, r.min().y) && in_range(r.max().x, r.max().y)) {
        return Err(bad(format!(
            "{shown}: the layer's extent in {crs} is not a longitude/latitude box once \
             transformed ({:?}); is the CRS right?",
            tepat_engine::crs::bbox_array(r)
        )));
    }
    Ok(())
}

/// The fields the entry names exist, numeric where they must be (as a project file's
/// entries are checked).
fn check_named_fields(layer: &Layer, spec: &LayerSpec, shown: &str) -> Result<(), Problem> {
    for (key, field) in spec.named_fields() {
        if layer.column(field).is_err() {
            let part = if key == "id" { "id_field" } else { key };
            return Err(invalid(
                "unknown-field",
                "Unknown field",
                format!(
                    "{part}: {shown} has no field '{field}' (fields: {})",
                    layer.field_names().join(", ")
                ),
            ));
        }
    }
    for (key, field) in [
        ("capacity", &spec.capacity),
        ("population", &spec.population),
    ] {
        if let Some(f) = field {
            if layer.numeric_column(f).is_err() {
                return Err(invalid(
                    "field-type",
                    "Field of the wrong type",
                    format!("{key}: field '{f}' of {shown} must be numeric"),
                ));
            }
        }
    }
    Ok(())
}

/// The project's extent in lon/lat: the union of its layers' boxes.
fn project_extent(snapshot: &Snapshot) -> Option<Rect> {
    snapshot
        .summaries()
        .filter_map(|s| s.bbox)
        .map(|[a, b, c, d]| Rect::new(coord! { x: a, y: b }, coord! { x: c, y: d }))
        .reduce(|u, r| {
            Rect::new(
                coord! { x: u.min().x.min(r.min().x), y: u.min().y.min(r.min().y) },
                coord! { x: u.max().x.max(r.max().x), y: u.max().y.max(r.max().y) },
            )
        })
}

/// The upload lies (at least partly) within [`AREA_MARGIN_DEG`] of the project's extent.
fn check_area(snapshot: &Snapshot, prepared: &Prepared, shown: &str) -> Result<(), Problem> {
    let (Some(area), Some([a, b, c, d])) = (project_extent(snapshot), prepared.summary.bbox) else {
        return Ok(());
    };
    let m = AREA_MARGIN_DEG;
    let apart = c < area.min().x - m
        || a > area.max().x + m
        || d < area.min().y - m
        || b > area.max().y + m;
    if apart {
        return Err(invalid(
            "outside-project-area",
            "Layer outside the project's area",
            format!(
                "{shown}: the layer lies at lon/lat [{a:.4}, {b:.4}, {c:.4}, {d:.4}], more than \
                 {m}° from the project's area [{:.4}, {:.4}, {:.4}, {:.4}]; is the CRS right?",
                area.min().x,
                area.min().y,
                area.max().x,
                area.max().y
            ),
        ));
    }
    Ok(())
}

/// The integrity check of the layer on its own (as `tepat check` runs it), with the
/// readers' repairs as warnings; any error finding refuses the upload.
fn integrity(project: &Project, prepared: &Prepared, shown: &str) -> Result<CheckReport, Problem> {
    let mut layers = LayerSet::new();
    layers.insert_shared(Arc::clone(&prepared.layer));
    let alone = Project {
        name: project.name.clone(),
        crs: project.crs.clone(),
        layers,
        specs: vec![prepared.spec.clone()],
        path: None,
        notes: Vec::new(),
    };
    let report = check::check_project(&alone);
    let name = &prepared.spec.name;
    let mut layer_reports = report.layers;
    if !prepared.repaired.is_empty() {
        let ids = prepared
            .repaired
            .iter()
            .filter_map(|n| prepared.layer.ids.get(n.feature).cloned());
        let finding = Finding::new(
            Severity::Warning,
            "repaired-geometry",
            Some(name.as_str()),
            format!(
                "{} feature(s) with an unclosed ring, closed on reading",
                prepared.repaired.len()
            ),
        )
        .features(ids);
        if let Some(l) = layer_reports.first_mut() {
            l.findings.push(finding);
        }
    }
    let report = CheckReport::new(
        report.project,
        report.crs,
        report.notes,
        layer_reports,
        report.cross_layer,
    );
    let errors: Vec<&str> = report
        .findings()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.message.as_str())
        .collect();
    if !errors.is_empty() {
        return Err(invalid(
            "integrity",
            "Layer fails the integrity check",
            format!(
                "{shown}: layer '{name}' fails the integrity check: {}",
                errors.join("; ")
            ),
        ));
    }
    Ok(report)
}

/// The multipart form of `POST /layers` (documentation only: the handler streams it).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The layer file: GeoJSON (`.geojson`, `.json`), GeoPackage (`.gpkg`), a zipped
    /// Shapefile (`.zip`) or CSV (`.csv`), told apart by the file name's extension.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// Layer name, `^[a-z][a-z0-9_]{0,62}$`.
    #[schema(pattern = "^[a-z][a-z0-9_]{0,62}$")]
    name: String,
    /// Role: zones, table, facilities, hazard, demand, network, events, context (default).
    role: Option<String>,
    /// Field holding unique feature ids.
    id_field: Option<String>,
    /// GeoPackage layer (or Shapefile in the zip) to read; default the first.
    layer: Option<String>,
    /// CSV: longitude / x column (default `lon`).
    x: Option<String>,
    /// CSV: latitude / y column (default `lat`).
    y: Option<String>,
    /// CRS of the file when it does not say (CSV default EPSG:4326), e.g. `EPSG:32651`.
    crs: Option<String>,
    /// Facilities: field holding the kind.
    kind: Option<String>,
    /// Facilities: numeric capacity field.
    capacity: Option<String>,
    /// Zones / demand: numeric population field.
    population: Option<String>,
    /// Hazard: level / class field.
    level: Option<String>,
    /// Events: timestamp field.
    time: Option<String>,
    /// Events: category field.
    category: Option<String>,
    /// Tables: field holding the joined layer's ids.
    key: Option<String>,
    /// Where the data comes from (agency, publication), shown in the leader's brief.
    source: Option<String>,
    /// When the data was published or describes: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[schema(pattern = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
    source_date: Option<String>,
}

/// Upload a layer: validated (CRS, coordinates, fields, integrity check), reprojected to
/// the working CRS, stored durably in the data directory and usable by every analysis.
///
/// The answer is the layer as `GET /layers/{name}` shows it, plus `integrity` (the check's
/// report of the layer) and `upload` (the stored file, its SHA-256 and the layer's content
/// hash). The size limit is `tepat serve --max-upload-mb` (default 200 MB).
#[utoipa::path(post, path = "/layers", operation_id = "upload_layer", tag = "layers",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored; `Location` is the layer's URL.", body = LayerDetail),
        (status = 400, description = "A malformed multipart body.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A layer of that name exists.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the upload limit.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or a file format other than GeoJSON, GeoPackage, zipped Shapefile, CSV.",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid content, naming the file and field: bad name, geometry, CRS, \
            coordinates, missing fields, integrity errors, a bad zip.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, Problem> {
    let multipart = multipart.map_err(|e| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported Media Type",
            format!(
                "POST /layers takes multipart/form-data with parts 'file' and 'name': {}",
                e.body_text()
            ),
        )
    })?;
    let mut form = receive(state.layer_files(), multipart).await?;
    let shown = form
        .file_name
        .clone()
        .unwrap_or_else(|| "upload".to_string());
    let format = match &form.file_name {
        Some(n) => UploadFormat::from_file_name(n),
        None => UploadFormat::sniff(&form.head),
    }
    .ok_or_else(|| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-format",
            "Unsupported format",
            format!(
                "file: cannot read '{shown}': upload GeoJSON (.geojson, .json), GeoPackage \
                 (.gpkg), a zipped Shapefile (.zip) or CSV (.csv)"
            ),
        )
    })?;
    let spec = spec_of(&form.parts, format)?;
    if state.project().layers.names().contains(&spec.name) {
        return Err(exists(&spec.name));
    }
    if form.bytes == 0 {
        return Err(invalid(
            "empty-layer",
            "Empty layer",
            format!("file: '{shown}' is empty"),
        ));
    }
    form.file
        .set_format(format)
        .map_err(|e| io_problem("naming the upload", &e))?;
    let max_unzipped = state.max_upload_bytes().saturating_mul(MAX_ZIP_RATIO);
    let who = caller.0;
    // `state` moves to the blocking task; this handle takes the snapshot published there.
    let handle = state.clone();
    let (name, report) = blocking(move || {
        let prepared = prepare(
            &form.file.path,
            &shown,
            format,
            &spec,
            &state.project().crs,
            max_unzipped,
        )?;
        check_area(state.snapshot(), &prepared, &shown)?;
        let report = integrity(state.project(), &prepared, &shown)?;
        let name = prepared.spec.name.clone();
        let files = state.layer_files();
        state.change_layers(|current| {
            if current.project().layers.names().contains(&name) {
                return Err(exists(&name));
            }
            let content_hash = prepared.layer.content_hash().to_string();
            let file = files
                .keep(form.file, &name, format)
                .map_err(|e| io_problem("storing the upload", &e))?;
            let mut spec = prepared.spec.clone();
            spec.path = PathBuf::from(LAYERS_DIR).join(&file);
            let new = NewLayer {
                name: &name,
                file: &file,
                format: format.as_str(),
                spec: &spec,
                original_name: form.file_name.as_deref(),
                bytes: form.bytes,
                file_sha256: &form.sha256,
                content_hash: &content_hash,
                features: prepared.layer.len() as u64,
            };
            let stored = match state.store().insert_layer(&new, who.as_ref()) {
                Ok(s) => s,
                Err(e) => {
                    let _ = std::fs::remove_file(files.path(&file));
                    return Err(match e {
                        StoreError::LayerExists { name } => exists(&name),
                        other => Problem::from(other),
                    });
                }
            };
            let next = current.with_layer(Prepared { spec, ..prepared }, stored);
            Ok((next, ()))
        })?;
        Ok((name, report))
    })
    .await?;
    let latest = handle.clone();
    let mut body = detail_json(&latest, &name)?;
    if let Value::Object(m) = &mut body {
        m.insert("integrity".into(), json!(report));
        m.insert("upload".into(), json!(latest.uploaded_layer(&name)));
    }
    let location = format!("/api/v1/layers/{name}");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response())
}

fn exists(name: &str) -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "layer-exists",
        "Layer exists",
        format!("name: a layer '{name}' exists already; delete it first or choose another name"),
    )
}

/// The layer as `GET /layers/{name}` shows it.
fn detail_json(state: &AppState, name: &str) -> Result<Value, Problem> {
    let detail = LayerDetail {
        summary: state.summary(name)?,
        id_field: state
            .project()
            .layers
            .get(name)
            .ok()
            .and_then(|l| l.id_field.as_deref()),
        spec: state.project().spec(name),
    };
    serde_json::to_value(detail).map_err(|e| Problem::internal(format!("encoding layer: {e}")))
}

/// Delete an uploaded layer (its file and its entry; the audit log keeps its hash).
/// Layers of the project file cannot be deleted.
#[utoipa::path(delete, path = "/layers/{name}", operation_id = "delete_layer", tag = "layers",
    params(("name" = String, Path, description = "Layer name.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such layer.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A layer of the project file.", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, Problem> {
    blocking(move || {
        let files = state.layer_files();
        let stored = state.change_layers(|current| {
            if current.uploaded(&name).is_none() {
                // 404 for a layer that does not exist, 409 for one of the project file.
                current.summary(&name)?;
                return Err(Problem::new(
                    StatusCode::CONFLICT,
                    "layer-not-uploaded",
                    "Layer not uploaded",
                    format!(
                        "layer '{name}' comes from the project file; only uploaded layers can be deleted"
                    ),
                ));
            }
            let stored = state.store().delete_layer(&name, caller.0.as_ref())?;
            Ok((current.without_layer(&name), stored))
        })?;
        // After the row: a crash here leaves a file without a row, which the next start removes.
        if let Err(e) = std::fs::remove_file(files.path(&stored.file)) {
            tracing::warn!("deleted layer '{name}': its file stays until restart: {e}");
        }
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
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
            .map_err(|p| fail(p.detail))?;
        prepared.spec = stored.spec.clone();
        if prepared.layer.content_hash() != stored.content_hash {
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
    fn names_are_checked() {
        for ok in ["a", "banjir_q100", "z9", &"a".repeat(63)] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "9a",
            "_a",
            "A",
            "a-b",
            "a.b",
            "../x",
            "a/b",
            "a b",
            &"a".repeat(64),
        ] {
            let p = check_name(bad).err().map(|p| p.detail).unwrap_or_default();
            assert!(p.starts_with("name:"), "{bad}: {p}");
        }
    }

    fn parts(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn spec_defaults_and_refusals() -> Result<(), Problem> {
        let s = spec_of(&parts(&[("name", "pos")]), UploadFormat::Csv)?;
        assert_eq!(
            (
                s.role.as_str(),
                s.x.as_deref(),
                s.y.as_deref(),
                s.crs.as_deref()
            ),
            ("context", Some("lon"), Some("lat"), Some("EPSG:4326"))
        );
        let s = spec_of(
            &parts(&[("name", "t"), ("role", "table")]),
            UploadFormat::Csv,
        )?;
        assert_eq!((s.x, s.crs), (None, None));
        let s = spec_of(
            &parts(&[("name", "f"), ("role", "facilities"), ("id_field", "kode")]),
            UploadFormat::Geojson,
        )?;
        assert_eq!(
            (s.role.as_str(), s.id.as_deref()),
            ("facilities", Some("kode"))
        );
        for (kv, fmt, want) in [
            (
                vec![("role", "zones")],
                UploadFormat::Geojson,
                "part 'name'",
            ),
            (
                vec![("name", "a"), ("role", "points")],
                UploadFormat::Geojson,
                "role:",
            ),
            (
                vec![("name", "a"), ("role", "raster")],
                UploadFormat::Geojson,
                "role:",
            ),
            (
                vec![("name", "a"), ("x", "lon")],
                UploadFormat::Geojson,
                "'x' is for CSV",
            ),
            (
                vec![("name", "a"), ("x", "bujur")],
                UploadFormat::Csv,
                "'y' is missing",
            ),
            (
                vec![("name", "a"), ("layer", "b")],
                UploadFormat::Csv,
                "'layer'",
            ),
            (
                vec![("name", "a"), ("crs", "EPSG:nope")],
                UploadFormat::Csv,
                "crs:",
            ),
        ] {
            let e = spec_of(&parts(&kv), fmt)
                .err()
                .map(|p| p.detail)
                .unwrap_or_default();
            assert!(e.contains(want), "{kv:?}: {e}");
        }
        Ok(())
    }

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
